package dev.switchboard.tools.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The user's credentials a run hands to MCP servers with {@code auth_type: oauth2}: the invoke's
 * {@code user_oidc_token}, and {@code user_tokens}, an object keyed by server name (or URL) whose value is a bearer
 * token or an object of headers. Stored sealed with the run, never shown.
 */
public record McpCredentials(String userOidcToken, JsonNode userTokens) {
    public static final McpCredentials NONE = new McpCredentials(null, null);

    public boolean isEmpty() { return userOidcToken == null && (userTokens == null || userTokens.isNull()); }

    /** As one JSON text, to be sealed into the run; null when there are none. */
    public String toJson() {
        if (isEmpty()) return null;
        var o = Json.object();
        if (userOidcToken != null) o.put("user_oidc_token", userOidcToken);
        if (userTokens != null && !userTokens.isNull()) o.set("user_tokens", userTokens);
        return Json.write(o);
    }

    public static McpCredentials fromJson(String json) {
        if (json == null) return NONE;
        JsonNode n = Json.tree(json);
        return new McpCredentials(n.path("user_oidc_token").asText(null), n.get("user_tokens"));
    }

    /**
     * The headers that carry the user's credential to this server: its {@code user_tokens} entry (by name, then by
     * URL), else the OIDC token as a bearer. Empty when the user gave none.
     */
    public Optional<Map<String, String>> headersFor(McpServer server) {
        JsonNode entry = userTokens == null ? null
                : userTokens.hasNonNull(server.name()) ? userTokens.get(server.name()) : userTokens.get(server.location());
        if (entry != null && entry.isTextual() && !entry.asText().isBlank()) {
            return Optional.of(Map.of("Authorization", bearer(entry.asText())));
        }
        if (entry != null && entry.isObject() && !entry.isEmpty()) {
            Map<String, String> headers = new LinkedHashMap<>();
            entry.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            return Optional.of(headers);
        }
        if (userOidcToken != null && !userOidcToken.isBlank()) {
            return Optional.of(Map.of("Authorization", bearer(userOidcToken)));
        }
        return Optional.empty();
    }

    private static String bearer(String token) {
        return token.regionMatches(true, 0, "Bearer ", 0, 7) ? token : "Bearer " + token;
    }

    @Override
    public String toString() { return isEmpty() ? "McpCredentials[none]" : "McpCredentials[***]"; }
}
