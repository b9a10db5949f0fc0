package dev.switchboard.tools.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.ApiException;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads xpander's {@code MCPServerDetails} objects: {@code {type: remote|local, name, url | command, transport,
 * auth_type, api_key, headers, env_vars, allowed_tools}} (other xpander fields, such as {@code client_id}, are kept
 * but not used). Every problem is listed with where it is, so the API can answer one 422 naming them all.
 */
public final class McpServers {
    // What providers accept as a tool name (OpenAI: ^[a-zA-Z0-9_-]{1,64}$); a prefix leaves room for the tool's own.
    private static final int MAX_PREFIX = 24;
    private static final Pattern NOT_NAME = Pattern.compile("[^A-Za-z0-9_-]+");
    private static final Set<String> TYPES = Set.of("remote", "local");

    /** The servers read, and what is wrong with the others. */
    public record Read(List<McpServer> servers, List<ApiException.Problem> problems) {}

    private McpServers() {}

    /**
     * Reads the servers of a run, the agent's first, then the invoke's; {@code field} is where they were given (for
     * problems' {@code loc}). Tool prefixes are made unique across all of them. With {@code allowLocal} false, a local
     * server is a problem too (at run time they are read as allowed, and refused when connecting).
     */
    public static Read read(List<JsonNode> nodes, String field, boolean allowLocal) {
        List<McpServer> servers = new ArrayList<>();
        List<ApiException.Problem> problems = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            McpServer s = readOne(nodes.get(i), List.of(field, String.valueOf(i)), allowLocal, problems);
            if (s != null) servers.add(s);
        }
        return new Read(uniquePrefixes(servers), problems);
    }

    /** The servers, or a 422 listing every problem (under {@code body}). */
    public static List<McpServer> readOrThrow(List<JsonNode> nodes, String field, boolean allowLocal) {
        Read read = read(nodes, field, allowLocal);
        List<ApiException.Problem> problems = read.problems();
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems.stream().map(p -> new ApiException.Problem(
                    Stream.concat(Stream.of("body"), p.loc().stream()).toList(), p.msg(), p.type())).toList());
        }
        return read.servers();
    }

    private static McpServer readOne(JsonNode n, List<String> at, boolean allowLocal, List<ApiException.Problem> problems) {
        if (n == null || !n.isObject()) {
            problems.add(new ApiException.Problem(at, "Input should be an MCP server object", "model_type"));
            return null;
        }
        int before = problems.size();
        String type = text(n, "type", at, problems);
        String transportName = text(n, "transport", at, problems);
        if (type != null && !TYPES.contains(type)) {
            problems.add(problem(at, "type", "Input should be 'remote' or 'local'", "enum"));
        }
        boolean local = "local".equals(type) || (type == null && "stdio".equals(transportName));
        if (local && !allowLocal) {
            problems.add(problem(at, "type", "Local (stdio) MCP servers run commands on this host and are disabled here; "
                    + "the operator can enable them with SWITCHBOARD_ALLOW_LOCAL_MCP=true", "local_mcp_disabled"));
        }
        McpServer.Transport transport = local ? McpServer.Transport.STDIO : McpServer.Transport.STREAMABLE_HTTP;
        if (transportName != null) {
            McpServer.Transport named = Stream.of(McpServer.Transport.values()).filter(t -> t.wire.equals(transportName))
                    .findFirst().orElse(null);
            if (named == null) {
                problems.add(problem(at, "transport", "Input should be 'streamable-http', 'sse' or 'stdio'", "enum"));
            } else if ((named == McpServer.Transport.STDIO) != local) {
                problems.add(problem(at, "transport", local ? "A local server speaks 'stdio'"
                        : "A remote server speaks 'streamable-http' or 'sse'; 'stdio' is for type 'local'", "value_error"));
            } else {
                transport = named;
            }
        }
        String authName = text(n, "auth_type", at, problems);
        McpServer.Auth auth = McpServer.Auth.NONE;
        if (authName != null) {
            auth = Stream.of(McpServer.Auth.values()).filter(a -> a.wire.equals(authName)).findFirst().orElse(null);
            if (auth == null) {
                problems.add(problem(at, "auth_type", "Input should be 'none', 'api_key', 'custom_headers' or 'oauth2'", "enum"));
                auth = McpServer.Auth.NONE;
            }
        }
        String apiKey = text(n, "api_key", at, problems);
        if (auth == McpServer.Auth.API_KEY && (apiKey == null || apiKey.isBlank())) {
            problems.add(problem(at, "api_key", "Field required when auth_type is 'api_key'", "missing"));
        }
        String apiKeyHeader = text(n, "api_key_header", at, problems);
        Map<String, String> headers = stringMap(n, "headers", at, problems);
        if (auth == McpServer.Auth.CUSTOM_HEADERS && headers.isEmpty()) {
            problems.add(problem(at, "headers", "At least one header is required when auth_type is 'custom_headers'", "missing"));
        }
        Map<String, String> env = stringMap(n, "env_vars", at, problems);
        Set<String> allowed = new LinkedHashSet<>(strings(n, "allowed_tools", at, problems));

        McpServer.Endpoint endpoint = null;
        String derivedName = null;
        if (local) {
            List<String> command = command(n, at, problems);
            if (!command.isEmpty()) {
                endpoint = new McpServer.Endpoint.Local(command, env);
                String exe = command.getFirst();
                derivedName = exe.substring(Math.max(exe.lastIndexOf('/'), exe.lastIndexOf('\\')) + 1);
            }
        } else {
            String url = text(n, "url", at, problems);
            if (url == null || url.isBlank()) {
                problems.add(problem(at, "url", "Field required for a remote MCP server", "missing"));
            } else {
                URI uri = uri(url.strip());
                if (uri == null) {
                    problems.add(problem(at, "url", "Input should be an http or https URL", "url_parsing"));
                } else {
                    endpoint = new McpServer.Endpoint.Remote(uri, transport);
                    derivedName = uri.getHost();
                }
            }
        }
        String name = text(n, "name", at, problems);
        if (name != null && name.length() > 255) {
            problems.add(problem(at, "name", "At most 255 characters", "string_too_long"));
        }
        if (problems.size() > before || endpoint == null) return null;
        if (name == null || name.isBlank()) name = derivedName;
        return new McpServer(name, prefixOf(name), endpoint, auth, apiKey, apiKeyHeader, headers, allowed);
    }

    /** {@code command} as a list, or as one string split on spaces (quotes keep spaces); {@code args} appended. */
    private static List<String> command(JsonNode n, List<String> at, List<ApiException.Problem> problems) {
        JsonNode c = n.get("command");
        List<String> out = new ArrayList<>();
        if (c == null || c.isNull() || (c.isTextual() && c.asText().isBlank())) {
            problems.add(problem(at, "command", "Field required for a local MCP server", "missing"));
            return out;
        }
        if (c.isTextual()) {
            out.addAll(split(c.asText()));
        } else if (c.isArray() && !c.isEmpty()) {
            out.addAll(strings(n, "command", at, problems));
        } else {
            problems.add(problem(at, "command", "Input should be a string or a list of strings", "string_type"));
        }
        out.addAll(strings(n, "args", at, problems));
        return out;
    }

    /** Splits a command line on whitespace; single or double quotes keep what they enclose together. */
    static List<String> split(String line) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean inPart = false;
        for (char ch : line.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) quote = 0;
                else cur.append(ch);
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                inPart = true;
            } else if (Character.isWhitespace(ch)) {
                if (inPart) parts.add(cur.toString());
                cur.setLength(0);
                inPart = false;
            } else {
                cur.append(ch);
                inPart = true;
            }
        }
        if (inPart) parts.add(cur.toString());
        return parts;
    }

    private static URI uri(String url) {
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String prefixOf(String name) {
        String p = NOT_NAME.matcher(name).replaceAll("_").replaceAll("^_+|_+$", "");
        if (p.isEmpty()) p = "mcp";
        return p.length() > MAX_PREFIX ? p.substring(0, MAX_PREFIX) : p;
    }

    /** The second server named like another gets {@code _2}, the third {@code _3}, and so on. */
    private static List<McpServer> uniquePrefixes(List<McpServer> servers) {
        Set<String> taken = new HashSet<>();
        List<McpServer> out = new ArrayList<>();
        for (McpServer s : servers) {
            String prefix = s.toolPrefix();
            for (int k = 2; !taken.add(prefix.toLowerCase(Locale.ROOT)); k++) prefix = s.toolPrefix() + "_" + k;
            out.add(prefix.equals(s.toolPrefix()) ? s : new McpServer(s.name(), prefix, s.endpoint(), s.auth(), s.apiKey(),
                    s.apiKeyHeader(), s.headers(), s.allowedTools()));
        }
        return out;
    }

    private static String text(JsonNode n, String field, List<String> at, List<ApiException.Problem> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) {
            problems.add(problem(at, field, "Input should be a valid string", "string_type"));
            return null;
        }
        return v.asText();
    }

    private static Map<String, String> stringMap(JsonNode n, String field, List<String> at, List<ApiException.Problem> problems) {
        JsonNode v = n.get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) {
            problems.add(problem(at, field, "Input should be an object of strings", "dict_type"));
            return out;
        }
        v.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) out.put(e.getKey(), e.getValue().asText());
            else problems.add(problem(at, field, "The value of '" + e.getKey() + "' should be a string", "string_type"));
        });
        return out;
    }

    private static List<String> strings(JsonNode n, String field, List<String> at, List<ApiException.Problem> problems) {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) {
            problems.add(problem(at, field, "Input should be a valid list", "list_type"));
            return out;
        }
        for (JsonNode item : v) {
            if (item.isTextual()) out.add(item.asText());
            else problems.add(problem(at, field, "Input should be a list of strings", "string_type"));
        }
        return out;
    }

    private static ApiException.Problem problem(List<String> at, String field, String msg, String type) {
        return new ApiException.Problem(Stream.concat(at.stream(), Stream.of(field)).toList(), msg, type);
    }
}
