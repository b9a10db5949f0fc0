package dev.switchboard.tasks;

import dev.switchboard.common.Times;
import dev.switchboard.events.EventLog;
import dev.switchboard.events.TaskEvent;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.storage.Db;

import java.sql.SQLException;
import java.time.Clock;

/**
 * Every status change of a run, each stored with its event in one transaction: a status is never announced before
 * it is durable, and never stored without being announced.
 */
final class RunTransitions {
    private final TaskStore store;
    private final EventLog events;
    private final RunQueue queue;
    private final Clock clock;

    RunTransitions(TaskStore store, EventLog events, RunQueue queue, Clock clock) {
        this.store = store;
        this.events = events;
        this.queue = queue;
        this.clock = clock;
    }

    String now() { return Times.now(clock); }

    /** A new turn: the run, its queue entry and its task_created event. The caller's transaction stores the task. */
    long created(Db.Tx tx, String agentId, TaskStore.RunRow run) throws SQLException {
        store.insertRun(tx, run);
        queue.enqueue(tx, run.id(), AgentRunHandler.KIND, run.organizationId() + "/" + run.taskId());
        return announce(tx, agentId, run, run.state(), TaskEvent.TASK_CREATED);
    }

    /** The run starts executing on this attempt. */
    RunState started(String agentId, TaskStore.RunRow run, int attempts) {
        RunState next = run.state().executing(now(), attempts);
        store.db().inTransaction(tx -> {
            store.saveState(tx, run, next);
            announce(tx, agentId, run, next, TaskEvent.TASK_UPDATED);
            return null;
        });
        return next;
    }

    /** The run ends: its final state, its queue entry removed and task_finished, together. */
    void finished(String agentId, TaskStore.RunRow run, RunState end) {
        store.db().inTransaction(tx -> {
            finished(tx, agentId, run, end);
            return null;
        });
    }

    void finished(Db.Tx tx, String agentId, TaskStore.RunRow run, RunState end) throws SQLException {
        store.saveState(tx, run, end);
        queue.complete(tx, run.id());
        announce(tx, agentId, run, end, TaskEvent.TASK_FINISHED);
    }

    private long announce(Db.Tx tx, String agentId, TaskStore.RunRow run, RunState state, String type) throws SQLException {
        Task snapshot = Task.of(run.taskId(), agentId, run.organizationId(), run.turn(), run.spec(), state);
        return events.append(tx, run.organizationId(), run.taskId(), run.id(), type, now(), snapshot);
    }
}
