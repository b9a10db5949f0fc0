package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/** Masks credentials inside MCP server definitions before they are shown. */
final class Secrets {
    private static final Set<String> SECRET_FIELDS = Set.of("api_key", "client_secret", "password", "token");
    private static final Set<String> SECRET_MAPS = Set.of("headers", "env_vars");

    private Secrets() {}

    static List<JsonNode> maskServers(List<JsonNode> servers) {
        return servers.stream().map(Secrets::mask).toList();
    }

    private static JsonNode mask(JsonNode server) {
        if (!(server instanceof ObjectNode obj)) return server;
        ObjectNode copy = obj.deepCopy();
        for (String f : SECRET_FIELDS) {
            if (copy.hasNonNull(f)) copy.put(f, Task.MASK);
        }
        for (String m : SECRET_MAPS) {
            if (copy.get(m) instanceof ObjectNode map) {
                map.fieldNames().forEachRemaining(k -> map.put(k, Task.MASK));
            }
        }
        return copy;
    }
}
