package dev.switchboard.tools.mcp;

/** Why an MCP server could not be used, in a message fit for the model and for people (no credentials in it). */
public final class McpFailure extends Exception {
    public enum Kind {
        /** The server answered 401: the user must sign in (an {@code auth_event} of type {@code login_required}). */
        LOGIN_REQUIRED,
        /** The server answered 403: the credentials were refused ({@code token_issue}). */
        TOKEN_REFUSED,
        /** Refused before connecting: the network guard, or local servers disabled. */
        REFUSED,
        TIMEOUT,
        UNREACHABLE,
        /** The tool ran and reported an error, or the server answered a protocol error. */
        TOOL_ERROR
    }

    private final Kind kind;

    public McpFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
