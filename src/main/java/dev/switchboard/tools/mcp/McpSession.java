package dev.switchboard.tools.mcp;

import java.util.List;
import java.util.Optional;

/** The MCP servers of one run: the tools of those that could be used, why the others could not. Closed with the run. */
public final class McpSession implements AutoCloseable {

    /** One server: its connection and tools, or the failure that left it out. */
    public record Opened(McpServer server, McpConnection connection, List<McpConnection.ToolInfo> tools,
                         Optional<McpFailure> failure) {}

    public static final McpSession EMPTY = new McpSession(List.of());

    private final List<Opened> servers;

    McpSession(List<Opened> servers) { this.servers = List.copyOf(servers); }

    public List<Opened> servers() { return servers; }

    @Override
    public void close() {
        for (Opened o : servers) {
            if (o.connection() != null) o.connection().close();
        }
    }
}
