package dev.switchboard.tools.mcp;

import dev.switchboard.config.Config;
import dev.switchboard.net.NetworkGuard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens the MCP servers of a run. Each server's credentials are worked out (its api_key or headers, or the user's
 * token for oauth2), the servers are connected and listed in parallel, and a server that cannot be used is reported
 * with why instead of failing the run. The tool lists of anonymous servers are shared between runs for a few
 * minutes, so a run that does not call them does not connect at all.
 */
public final class McpConnections implements AutoCloseable {
    private static final Duration SHARED_LIST_TTL = Duration.ofMinutes(5);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(McpConnections.class);

    /** Hears about credentials a server refused: the run's {@code auth_event}s. */
    public interface AuthEvents {
        void authFailed(McpServer server, McpFailure failure);
    }

    private record SharedList(List<McpConnection.ToolInfo> tools, Instant listedAt) {}

    // Shared lists are keyed by URL, which an invoke may choose: at most this many are kept.
    private static final int MAX_SHARED = 1000;

    private final Config.Mcp settings;
    private final NetworkGuard guard;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, SharedList> shared = new ConcurrentHashMap<>();

    public McpConnections(Config.Mcp settings, NetworkGuard guard, Clock clock) {
        this.settings = settings;
        this.guard = guard;
        this.clock = clock;
    }

    /**
     * A run's session with its servers, without any I/O yet: each server's credentials are worked out (a missing
     * user token is reported at once), its connection prepared. {@link McpSession#open()} then lists the tools; the
     * session must be closed when the run ends, which also stops a listing still in progress.
     */
    public McpSession session(List<McpServer> servers, McpCredentials credentials, AuthEvents events) {
        List<McpSession.Opened> refused = new ArrayList<>();
        List<McpConnection> connections = new ArrayList<>();
        for (McpServer server : servers) {
            Optional<Map<String, String>> headers = headers(server, credentials);
            if (headers.isEmpty()) {
                McpFailure f = new McpFailure(McpFailure.Kind.LOGIN_REQUIRED, "The MCP server '" + server.name()
                        + "' needs the user's sign-in, and this run was given no token for it (user_oidc_token or user_tokens)");
                events.authFailed(server, f);
                refused.add(new McpSession.Opened(server, null, List.of(), Optional.of(f)));
            } else {
                connections.add(new McpConnection(server, headers.get(), settings, guard, executor,
                        f -> events.authFailed(server, f)));
            }
        }
        return new McpSession(this, refused, connections);
    }

    /** Lists the tools of every connection in parallel (or finds their shared lists). */
    List<McpSession.Opened> list(List<McpConnection> connections) throws InterruptedException {
        List<Future<McpSession.Opened>> listing = new ArrayList<>();
        for (McpConnection c : connections) listing.add(executor.submit(() -> listOne(c)));
        List<McpSession.Opened> out = new ArrayList<>();
        try {
            for (Future<McpSession.Opened> f : listing) out.add(f.get());
        } catch (InterruptedException e) {
            listing.forEach(f -> f.cancel(true));
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Listing an MCP server's tools failed unexpectedly", e.getCause());
        }
        return out;
    }

    private McpSession.Opened listOne(McpConnection connection) throws InterruptedException {
        McpServer server = connection.server();
        String key = sharedKey(server);
        SharedList cached = key == null ? null : shared.get(key);
        if (cached != null) {
            if (cached.listedAt().plus(SHARED_LIST_TTL).isAfter(clock.instant())) {
                return new McpSession.Opened(server, connection, cached.tools(), Optional.empty());
            }
            shared.remove(key, cached);
        }
        try {
            List<McpConnection.ToolInfo> tools = connection.listTools();
            if (key != null) {
                if (shared.size() >= MAX_SHARED) shared.clear();
                shared.put(key, new SharedList(tools, clock.instant()));
            }
            return new McpSession.Opened(server, connection, tools, Optional.empty());
        } catch (McpFailure f) {
            connection.close();
            // The message names the server and what failed, never its credentials.
            log.warn("MCP server '{}' ({}) left out of a run: {}", server.name(), server.location(), f.getMessage());
            return new McpSession.Opened(server, null, List.of(), Optional.of(f));
        }
    }

    /** The headers every request to the server carries: its own, and its credential. Empty: a credential is missing. */
    private static Optional<Map<String, String>> headers(McpServer server, McpCredentials credentials) {
        Map<String, String> out = new LinkedHashMap<>(server.headers());
        switch (server.auth()) {
            case NONE, CUSTOM_HEADERS -> { }
            case API_KEY -> {
                if (server.apiKeyHeader() != null && !server.apiKeyHeader().isBlank()) out.put(server.apiKeyHeader(), server.apiKey());
                else out.put("Authorization", "Bearer " + server.apiKey());
            }
            case OAUTH2 -> {
                Optional<Map<String, String>> user = credentials.headersFor(server);
                if (user.isEmpty()) return Optional.empty();
                out.putAll(user.get());
            }
        }
        return Optional.of(out);
    }

    /** Anonymous servers are the same for everyone: their lists are shared by URL and transport. */
    private static String sharedKey(McpServer server) {
        if (!server.isAnonymous() || !(server.endpoint() instanceof McpServer.Endpoint.Remote r)) return null;
        return r.transport().wire + " " + r.url();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
