package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.llm.ToolSpec;

/**
 * A tool the model may call. A small sealed family: the built-ins, the knowledge search, and the tools of MCP servers.
 */
public sealed interface Tool permits CurrentTimeTool, HttpFetchTool, KnowledgeSearchTool, McpTool {

    /** What the model is shown. */
    ToolSpec spec();

    /**
     * Runs the call and returns what the model is told. A failure the model should hear about (bad arguments, a
     * refused URL, a 404) is a {@link ToolError}: it goes back to the model as the result, it does not end the run.
     * An interrupt means the run was stopped.
     */
    String call(JsonNode arguments) throws ToolError, InterruptedException;

    /** A tool failure told to the model as the tool's result. */
    final class ToolError extends Exception {
        public ToolError(String message) { super(message, null, false, false); }
    }
}
