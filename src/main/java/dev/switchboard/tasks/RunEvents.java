package dev.switchboard.tasks;

import dev.switchboard.llm.ToolCall;

/**
 * What a run tells its followers while it works, beyond status changes: chunks of the answer always; reasoning
 * and tool calls only when the turn asked for fine-grained events ({@code events_streaming}).
 */
interface RunEvents {

    void chunk(String text);

    /** Whether anyone follows the run live: then the answer's first piece is worth a write of its own. */
    boolean followed();

    void think(String text);

    void toolCallRequest(ToolCall call);

    void toolCallResult(AgentLoop.ToolOutcome outcome);

    /** An MCP server wants the user's sign-in, or refused their token: always sent, whatever events_streaming says. */
    void authEvent(java.util.Map<String, Object> data);

    /** For runs nobody can follow (tests of the loop alone). */
    RunEvents NONE = new RunEvents() {
        @Override public void chunk(String text) {}

        @Override public boolean followed() { return false; }

        @Override public void think(String text) {}

        @Override public void toolCallRequest(ToolCall call) {}

        @Override public void toolCallResult(AgentLoop.ToolOutcome outcome) {}

        @Override public void authEvent(java.util.Map<String, Object> data) {}
    };
}
