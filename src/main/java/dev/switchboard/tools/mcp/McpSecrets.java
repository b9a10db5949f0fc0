package dev.switchboard.tools.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The credentials inside MCP server definitions ({@code api_key}, {@code client_secret}, and every value of
 * {@code headers} and {@code env_vars}): sealed on the way into storage, opened on the way out, masked when shown.
 */
public final class McpSecrets {
    public static final String MASK = "***";
    // password and token are not xpander fields, but a client that sends them means them as secrets.
    private static final Set<String> SECRET_FIELDS = Set.of("api_key", "client_secret", "password", "token");
    private static final Set<String> SECRET_MAPS = Set.of("headers", "env_vars");

    private McpSecrets() {}

    /** The definitions with every secret value passed through {@code f}; definitions without any are kept as they are. */
    public static List<JsonNode> map(List<JsonNode> servers, UnaryOperator<String> f) {
        if (servers.isEmpty()) return servers;
        List<JsonNode> out = new ArrayList<>(servers.size());
        for (JsonNode s : servers) out.add(map(s, f));
        return out;
    }

    public static List<JsonNode> masked(List<JsonNode> servers) { return map(servers, v -> MASK); }

    private static JsonNode map(JsonNode server, UnaryOperator<String> f) {
        if (!(server instanceof ObjectNode obj) || !hasSecrets(obj)) return server;
        ObjectNode copy = obj.deepCopy();
        for (String field : SECRET_FIELDS) {
            if (copy.get(field) != null && copy.get(field).isTextual()) copy.put(field, f.apply(copy.get(field).asText()));
        }
        for (String m : SECRET_MAPS) {
            if (copy.get(m) instanceof ObjectNode map) {
                map.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) e.setValue(map.textNode(f.apply(e.getValue().asText())));
                });
            }
        }
        return copy;
    }

    private static boolean hasSecrets(ObjectNode obj) {
        for (String field : SECRET_FIELDS) if (obj.hasNonNull(field)) return true;
        for (String m : SECRET_MAPS) if (obj.get(m) instanceof ObjectNode map && !map.isEmpty()) return true;
        return false;
    }

    /**
     * An update that sends back what it was shown: a masked value keeps the stored one, for the server at the same
     * position with the same name and location (a masked value anywhere else stays masked, and is useless).
     */
    public static List<JsonNode> keepMasked(List<JsonNode> updated, List<JsonNode> stored) {
        List<JsonNode> out = new ArrayList<>(updated.size());
        for (int i = 0; i < updated.size(); i++) {
            JsonNode u = updated.get(i);
            JsonNode old = i < stored.size() ? stored.get(i) : null;
            if (!(u instanceof ObjectNode obj) || !(old instanceof ObjectNode prev) || !sameServer(obj, prev)) {
                out.add(u);
                continue;
            }
            ObjectNode copy = obj.deepCopy();
            for (String field : SECRET_FIELDS) {
                if (MASK.equals(copy.path(field).asText(null)) && prev.hasNonNull(field)) copy.set(field, prev.get(field));
            }
            for (String m : SECRET_MAPS) {
                if (copy.get(m) instanceof ObjectNode map && prev.get(m) instanceof ObjectNode prevMap) {
                    map.fields().forEachRemaining(e -> {
                        if (MASK.equals(e.getValue().asText(null)) && prevMap.has(e.getKey())) e.setValue(prevMap.get(e.getKey()));
                    });
                }
            }
            out.add(copy);
        }
        return out;
    }

    private static boolean sameServer(ObjectNode a, ObjectNode b) {
        return Objects.equals(a.path("name").asText(null), b.path("name").asText(null))
                && Objects.equals(a.path("url").asText(null), b.path("url").asText(null))
                && Objects.equals(a.get("command"), b.get("command"));
    }
}
