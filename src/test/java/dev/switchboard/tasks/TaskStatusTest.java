package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static dev.switchboard.tasks.TaskStatus.COMPLETED;
import static dev.switchboard.tasks.TaskStatus.ERROR;
import static dev.switchboard.tasks.TaskStatus.EXECUTING;
import static dev.switchboard.tasks.TaskStatus.FAILED;
import static dev.switchboard.tasks.TaskStatus.PAUSED;
import static dev.switchboard.tasks.TaskStatus.PENDING;
import static dev.switchboard.tasks.TaskStatus.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The status rules of CONTRACT §4.5, checked over every pair. */
class TaskStatusTest {
    // pending → executing → completed | failed | error | stopped, and executing ⇄ paused; a run that never started
    // may still be stopped (before it started) or end in error (its claims all lost); a paused one may be stopped.
    static final Map<TaskStatus, Set<TaskStatus>> ALLOWED = Map.of(
            PENDING, EnumSet.of(EXECUTING, STOPPED, ERROR),
            EXECUTING, EnumSet.of(PAUSED, COMPLETED, FAILED, ERROR, STOPPED),
            PAUSED, EnumSet.of(EXECUTING, STOPPED, ERROR),
            COMPLETED, EnumSet.noneOf(TaskStatus.class),
            FAILED, EnumSet.noneOf(TaskStatus.class),
            ERROR, EnumSet.noneOf(TaskStatus.class),
            STOPPED, EnumSet.noneOf(TaskStatus.class));

    @Test
    void everyPairFollowsTheTable() {
        assertThat(ALLOWED.keySet()).containsExactlyInAnyOrder(TaskStatus.values());
        for (TaskStatus from : TaskStatus.values()) {
            for (TaskStatus to : TaskStatus.values()) {
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(ALLOWED.get(from).contains(to));
            }
        }
    }

    @Test
    void noStatusMovesToItselfOrBackToPending() {
        for (TaskStatus s : TaskStatus.values()) {
            assertThat(s.canMoveTo(s)).as("%s -> itself", s).isFalse();
            assertThat(s.canMoveTo(PENDING)).as("%s -> pending", s).isFalse();
        }
    }

    @Test
    void terminalStatusesAreExactlyTheFourEndsAndTheRestAreOpen() {
        assertThat(EnumSet.allOf(TaskStatus.class).stream().filter(TaskStatus::isTerminal))
                .containsExactlyInAnyOrder(COMPLETED, FAILED, ERROR, STOPPED);
        assertThat(TaskStatus.OPEN).containsExactlyInAnyOrder(PENDING, EXECUTING, PAUSED);
        for (TaskStatus s : TaskStatus.values()) {
            assertThat(TaskStatus.OPEN.contains(s)).isNotEqualTo(s.isTerminal());
            // Terminal means final: nothing follows.
            if (s.isTerminal()) assertThat(ALLOWED.get(s)).isEmpty();
        }
    }

    @Test
    void everyOpenStatusCanReachAnEnd() {
        // Nothing stays pending or executing forever (CONTRACT §4.5): each open status has a way to a terminal one.
        for (TaskStatus s : TaskStatus.OPEN) {
            assertThat(EnumSet.allOf(TaskStatus.class).stream().anyMatch(t -> t.isTerminal() && s.canMoveTo(t)))
                    .as("%s can end", s).isTrue();
        }
    }

    @Test
    void wireNamesAreLowercaseAndRoundTrip() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (TaskStatus s : TaskStatus.values()) {
            assertThat(s.wire()).isEqualTo(s.name().toLowerCase());
            assertThat(TaskStatus.fromWire(s.wire())).isSameAs(s);
            assertThat(json.writeValueAsString(s)).isEqualTo("\"" + s.wire() + "\"");
        }
        assertThatThrownBy(() -> TaskStatus.fromWire("finished")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRunStateRefusesAForbiddenMove() {
        RunState pending = RunState.pending("2026-01-01T00:00:00.000000Z");
        assertThatThrownBy(() -> pending.finished(COMPLETED, "x", StopReason.END_TURN, null, RunState.Tokens.ZERO, false,
                "2026-01-01T00:00:01.000000Z")).isInstanceOf(IllegalStateException.class);

        RunState stopped = pending.finished(STOPPED, null, StopReason.STOPPED, null, RunState.Tokens.ZERO, true,
                "2026-01-01T00:00:01.000000Z");
        assertThat(stopped.status()).isEqualTo(STOPPED);
        assertThat(stopped.isManuallyStopped()).isTrue();
        assertThatThrownBy(() -> stopped.finished(ERROR, "late", null, null, RunState.Tokens.ZERO, false,
                "2026-01-01T00:00:02.000000Z")).isInstanceOf(IllegalStateException.class);

        RunState running = pending.executing("2026-01-01T00:00:01.000000Z", 1);
        RunState done = running.finished(COMPLETED, "answer", StopReason.END_TURN, null, RunState.Tokens.ZERO, false,
                "2026-01-01T00:00:02.000000Z");
        assertThat(done.startedAt()).isEqualTo("2026-01-01T00:00:01.000000Z");
        assertThat(done.finishedAt()).isEqualTo("2026-01-01T00:00:02.000000Z");
    }
}
