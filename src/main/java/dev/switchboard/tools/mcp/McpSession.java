package dev.switchboard.tools.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The MCP servers of one run: made without I/O ({@link McpConnections#session}), opened (tools listed) by
 * {@link #open()}, closed with the run — which also closes connections a listing interrupted by a stop left behind.
 */
public final class McpSession implements AutoCloseable {

    /** One server: its connection and tools, or the failure that left it out. */
    public record Opened(McpServer server, McpConnection connection, List<McpConnection.ToolInfo> tools,
                         Optional<McpFailure> failure) {}

    private final McpConnections owner;
    private final List<Opened> refused;
    private final List<McpConnection> connections;
    private List<Opened> servers;

    McpSession(McpConnections owner, List<Opened> refused, List<McpConnection> connections) {
        this.owner = owner;
        this.refused = List.copyOf(refused);
        this.connections = List.copyOf(connections);
        this.servers = this.refused;
    }

    /** Lists every server's tools (in parallel); the servers that failed are among {@link #servers()} with why. */
    public void open() throws InterruptedException {
        List<Opened> all = new ArrayList<>(refused);
        all.addAll(owner.list(connections));
        servers = List.copyOf(all);
    }

    public List<Opened> servers() { return servers; }

    @Override
    public void close() {
        connections.forEach(McpConnection::close);
    }
}
