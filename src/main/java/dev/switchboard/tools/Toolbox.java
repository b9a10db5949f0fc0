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
     * A run's tools. Made without I/O; when the run has MCP servers, {@link #open()} lists their tools (the caller runs
     * it where a stop can interrupt it). {@code unavailable} says, for the model, which servers could not be used and
     * why. Closing it closes the MCP connections, a listing still in progress included.
     */
    public static final class RunTools implements AutoCloseable {
        private final List<Tool> tools;
        private final List<String> unavailable;
        private final McpSession session;

        RunTools(List<Tool> tools, List<String> unavailable, McpSession session) {
            this.tools = new ArrayList<>(tools);
            this.unavailable = new ArrayList<>(unavailable);
            this.session = session;
        }

        public boolean hasMcpServers() { return session != null; }

        /** Lists the MCP servers' tools and adds the allowed ones. */
        public void open() throws InterruptedException {
            if (session == null) return;
            session.open();
            for (McpSession.Opened o : session.servers()) {
                if (o.failure().isPresent()) {
                    unavailable.add("The tools of the MCP server '" + o.server().name() + "' are unavailable in this run: "
                            + o.failure().get().getMessage());
                    continue;
                }
                for (McpConnection.ToolInfo t : o.tools()) {
                    if (o.server().allows(t.name())) tools.add(McpTool.of(o.connection(), t));
                }
            }
        }

        public List<Tool> tools() { return List.copyOf(tools); }

        public List<String> unavailable() { return List.copyOf(unavailable); }

        @Override
        public void close() {
            if (session != null) session.close();
        }
    }

    /** What a run brings: its agent's attached tools and knowledge bases, its MCP servers and user credentials. */
    public record Request(String organizationId, List<JsonNode> attachedTools, List<String> agenticKnowledgeBases,
                          List<JsonNode> mcpServers, java.util.function.Supplier<McpCredentials> credentials,
                          McpConnections.AuthEvents authEvents) {}

    public Toolbox(NetworkGuard guard, KnowledgeSearch knowledge, McpConnections mcp, Clock clock) {
        builtIns.put(CurrentTimeTool.NAME, new CurrentTimeTool(clock));
        builtIns.put(HttpFetchTool.NAME, new HttpFetchTool(guard));
        this.knowledge = knowledge;
        this.mcp = mcp;
    }

    /**
     * A run's tools: those named by its agent's attached_tools, {@code search_knowledge_base} over the agent's
     * knowledge bases whose strategy is {@code agentic_rag}, and a session with its MCP servers (opened by
     * {@link RunTools#open()}). Servers stored before their shape was checked are left out with a note.
     */
    public RunTools forRun(Request r) {
        List<Tool> out = forAgent(r.attachedTools());
        if (!r.agenticKnowledgeBases().isEmpty()) {
            out.add(new KnowledgeSearchTool(knowledge, r.organizationId(), List.copyOf(r.agenticKnowledgeBases())));
        }
        if (r.mcpServers().isEmpty()) return new RunTools(out, List.of(), null);
        McpServers.Read read = McpServers.read(r.mcpServers(), "mcp_servers", true);
        List<String> unavailable = read.problems().stream().map(p -> "An MCP server (" + String.join(".", p.loc())
                + ") is misconfigured: " + p.msg()).toList();
        return new RunTools(out, unavailable, mcp.session(read.servers(), r.credentials().get(), r.authEvents()));
    }

    public KnowledgeSearch knowledge() { return knowledge; }

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
