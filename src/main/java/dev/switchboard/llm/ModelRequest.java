package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One call to a model: who answers, with which controls, the whole conversation, the tools it may call and, for
 * structured output, the JSON Schema its answer must follow.
 */
public record ModelRequest(
        String provider,
        String model,
        Optional<String> apiBase,
        Map<String, String> extraHeaders,
        Optional<String> reasoningEffort,
        List<ChatTurn> messages,
        List<ToolSpec> tools,
        Optional<JsonNode> responseSchema) {

    public ModelRequest {
        tools = tools == null ? List.of() : List.copyOf(tools);
        responseSchema = responseSchema == null ? Optional.empty() : responseSchema;
    }

    /** A plain conversation: no tools, free-form answer. */
    public ModelRequest(String provider, String model, Optional<String> apiBase, Map<String, String> extraHeaders,
                        Optional<String> reasoningEffort, List<ChatTurn> messages) {
        this(provider, model, apiBase, extraHeaders, reasoningEffort, messages, List.of(), Optional.empty());
    }
}
