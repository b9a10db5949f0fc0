package dev.switchboard.tools.mcp;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One MCP server a run may use, read from xpander's {@code MCPServerDetails} ({@link McpServers#read}).
 * {@code name} is the server's name as given (or derived from its URL or command); {@code toolPrefix} is unique within
 * a run and prefixes the names of its tools, so two servers' tools cannot collide; {@code allowedTools} empty means all.
 */
public record McpServer(String name, String toolPrefix, Endpoint endpoint, Auth auth, String apiKey, String apiKeyHeader,
                        Map<String, String> headers, Set<String> allowedTools) {

    /** Where the server is: a URL, or a command run on this host. */
    public sealed interface Endpoint {
        /** {@code streamable-http} (the default) or the older {@code sse} transport. */
        record Remote(URI url, Transport transport) implements Endpoint {}

        /** A process spoken to over its stdin and stdout, with these environment variables added. */
        record Local(List<String> command, Map<String, String> envVars) implements Endpoint {}
    }

    public enum Transport {
        STREAMABLE_HTTP("streamable-http"), SSE("sse"), STDIO("stdio");

        public final String wire;

        Transport(String wire) { this.wire = wire; }
    }

    public enum Auth {
        NONE("none"), API_KEY("api_key"), CUSTOM_HEADERS("custom_headers"), OAUTH2("oauth2");

        public final String wire;

        Auth(String wire) { this.wire = wire; }
    }

    public McpServer {
        headers = Map.copyOf(headers);
        allowedTools = Set.copyOf(allowedTools);
    }

    /** Where it is, for people: the URL without its query (which may hold a key), or the command. */
    public String location() {
        return switch (endpoint) {
            case Endpoint.Remote r -> r.url().getScheme() + "://" + r.url().getHost()
                    + (r.url().getPort() >= 0 ? ":" + r.url().getPort() : "") + (r.url().getRawPath() == null ? "" : r.url().getRawPath());
            case Endpoint.Local l -> String.join(" ", l.command());
        };
    }

    /**
     * A server that every caller sees the same way (remote, no credentials, no headers): its tool list may be shared
     * between runs.
     */
    public boolean isAnonymous() {
        return endpoint instanceof Endpoint.Remote && auth == Auth.NONE && headers.isEmpty();
    }

    public boolean allows(String toolName) {
        return allowedTools.isEmpty() || allowedTools.contains(toolName);
    }
}
