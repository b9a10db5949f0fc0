package dev.switchboard.tasks;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Set;

/** The statuses of a task (and of each of its runs), owning the rules of which may follow which. */
public enum TaskStatus {
    PENDING, EXECUTING, PAUSED, COMPLETED, FAILED, ERROR, STOPPED;

    @JsonValue
    public String wire() { return name().toLowerCase(); }

    public static TaskStatus fromWire(String s) { return valueOf(s.toUpperCase()); }

    public boolean isTerminal() {
        return switch (this) {
            case COMPLETED, FAILED, ERROR, STOPPED -> true;
            case PENDING, EXECUTING, PAUSED -> false;
        };
    }

    public boolean canMoveTo(TaskStatus next) {
        return switch (this) {
            // A pending run may end without executing: stopped before it started, or its claims all lost.
            case PENDING -> next == EXECUTING || next == STOPPED || next == ERROR;
            case EXECUTING -> next == PAUSED || next.isTerminal();
            case PAUSED -> next == EXECUTING || next == STOPPED || next == ERROR;
            case COMPLETED, FAILED, ERROR, STOPPED -> false;
        };
    }

    /** Statuses in which a thread is busy: a new turn must wait, be rejected, or interrupt it. */
    public static final Set<TaskStatus> OPEN = Set.of(PENDING, EXECUTING, PAUSED);
}
