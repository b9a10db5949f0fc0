package dev.switchboard.webhooks;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.switchboard.tasks.TaskStatus;

import java.util.Arrays;
import java.util.Optional;

/** The events a webhook announces (CONTRACT §7). */
public enum EventType {
    COMPLETED("task.completed"), FAILED("task.failed"), ERROR("task.error"), STOPPED("task.stopped"), PAUSED("task.paused");

    private final String wire;

    EventType(String wire) { this.wire = wire; }

    @JsonValue
    public String wire() { return wire; }

    public static Optional<EventType> fromWire(String s) {
        return Arrays.stream(values()).filter(e -> e.wire.equals(s)).findFirst();
    }

    /** The event a task's status announces, if any. */
    public static Optional<EventType> of(TaskStatus status) {
        return switch (status) {
            case COMPLETED -> Optional.of(COMPLETED);
            case FAILED -> Optional.of(FAILED);
            case ERROR -> Optional.of(ERROR);
            case STOPPED -> Optional.of(STOPPED);
            case PAUSED -> Optional.of(PAUSED);
            case PENDING, EXECUTING -> Optional.empty();
        };
    }

    /** notification_settings: on_success is for completed tasks, on_error for every other end. */
    public boolean isSuccess() { return this == COMPLETED; }
}
