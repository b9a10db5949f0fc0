package dev.switchboard.tasks;

import dev.switchboard.tools.mcp.McpFailure;
import dev.switchboard.tools.mcp.McpServer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data of an {@code auth_event}, in xpander's {@code MCPOAuthGetTokenResponse} shape: {@code login_required} when
 * an MCP server wants the user to sign in (401, or no token given for an oauth2 server), {@code token_issue} when it
 * refused the token it was given (403). We run no OAuth flow ourselves, so {@code url} (a login page) is null: the
 * client signs the user in and invokes again with the token.
 */
final class AuthEvents {
    private AuthEvents() {}

    static Map<String, Object> of(McpServer server, McpFailure failure) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("url", null);
        data.put("server_url", server.location());
        data.put("server_name", server.name());
        data.put("message", failure.getMessage());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", failure.kind() == McpFailure.Kind.TOKEN_REFUSED ? "token_issue" : "login_required");
        event.put("data", data);
        return event;
    }
}
