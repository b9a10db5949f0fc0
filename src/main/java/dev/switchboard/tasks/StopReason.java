package dev.switchboard.tasks;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a run ended, beyond its status. */
public enum StopReason {
    END_TURN, MAX_STEPS, MAX_TOKENS, BUDGET_EXCEEDED, TIMEOUT, OUTPUT_INVALID, PROVIDER_ERROR, CONTEXT_OVERFLOW,
    TOOL_ERROR, WORKER_LOST, STOPPED, INTERRUPTED, AWAITING_HUMAN, NODE_FAILED,
    /** The input was only attached files, and none of them could be read. */
    NO_INPUT;

    @JsonValue
    public String wire() { return name().toLowerCase(); }
}
