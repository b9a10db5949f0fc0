package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.tools.mcp.McpConnection;
import dev.switchboard.tools.mcp.McpConnections;
import dev.switchboard.tools.mcp.McpCredentials;
import dev.switchboard.tools.mcp.McpServers;
import dev.switchboard.tools.mcp.McpSession;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which tools a run gets. Built-in tools are attached to an agent by id in {@code attached_tools}
 * ({@code [{"id":"current_time"}, {"id":"http_fetch"}]}); MCP servers come from the agent's and the invoke's
 * {@code mcp_servers}; an agent with none is sent no tools at all.
 */
public final class Toolbox {
    private final Map<String, Tool> builtIns = new LinkedHashMap<>();
    private final KnowledgeSearch knowledge;
    private final McpConnections mcp;

    /**
     * A run's tools. {@code unavailable} says, for the model, which MCP servers could not be used and why; the MCP
     * connections stay open until the run closes this.
     */
    public record RunTools(List<Tool> tools, List<String> unavailable, McpSession session) implements AutoCloseable {
        @Override
        public void close() { session.close(); }
    }

    /** What a run brings: its agent's attached tools and knowledge bases, its MCP servers and user credentials. */
    public record Request(String organizationId, List<JsonNode> attachedTools, List<String> agenticKnowledgeBases,
                          List<JsonNode> mcpServers, McpCredentials credentials, McpConnections.AuthEvents authEvents) {}

    public Toolbox(NetworkGuard guard, KnowledgeSearch knowledge, McpConnections mcp, Clock clock) {
        builtIns.put(CurrentTimeTool.NAME, new CurrentTimeTool(clock));
        builtIns.put(HttpFetchTool.NAME, new HttpFetchTool(guard));
        this.knowledge = knowledge;
        this.mcp = mcp;
    }

    /**
     * A run's tools: those named by its agent's attached_tools, {@code search_knowledge_base} over the agent's
     * knowledge bases whose strategy is {@code agentic_rag}, and the allowed tools of its MCP servers that could be
     * opened. Servers stored before their shape was checked, or that fail, are left out with a note.
     */
    public RunTools forRun(Request r) throws InterruptedException {
        List<Tool> out = forAgent(r.attachedTools());
        if (!r.agenticKnowledgeBases().isEmpty()) {
            out.add(new KnowledgeSearchTool(knowledge, r.organizationId(), List.copyOf(r.agenticKnowledgeBases())));
        }
        if (r.mcpServers().isEmpty()) return new RunTools(out, List.of(), McpSession.EMPTY);
        List<String> unavailable = new ArrayList<>();
        McpServers.Read read = McpServers.read(r.mcpServers(), "mcp_servers");
        read.problems().forEach(p -> unavailable.add("An MCP server (" + String.join(".", p.loc()) + ") is misconfigured: "
                + p.msg()));
        McpSession session = mcp.open(read.servers(), r.credentials(), r.authEvents());
        for (McpSession.Opened o : session.servers()) {
            if (o.failure().isPresent()) {
                unavailable.add("The tools of the MCP server '" + o.server().name() + "' are unavailable in this run: "
                        + o.failure().get().getMessage());
                continue;
            }
            for (McpConnection.ToolInfo t : o.tools()) {
                if (o.server().allows(t.name())) out.add(McpTool.of(o.connection(), t));
            }
        }
        return new RunTools(out, unavailable, session);
    }

    public KnowledgeSearch knowledge() { return knowledge; }

    public McpConnections mcp() { return mcp; }

    /** The tools named by an agent's attached_tools, in order; unknown ids are ignored (they belong to later features). */
    public List<Tool> forAgent(List<JsonNode> attachedTools) {
        List<Tool> out = new ArrayList<>();
        for (JsonNode t : attachedTools) {
            String id = t.isTextual() ? t.asText() : t.path("id").asText("");
            Tool tool = builtIns.get(id);
            if (tool != null && !out.contains(tool)) out.add(tool);
        }
        return out;
    }

    public Optional<Tool> builtIn(String name) {
        return Optional.ofNullable(builtIns.get(name));
    }
}
