package dev.switchboard.tasks;

import dev.switchboard.common.ApiException;
import dev.switchboard.events.EventFollower;
import dev.switchboard.events.EventLog;
import dev.switchboard.events.TaskEvent;

import java.io.IOException;

/** Following a task's event log: a whole task until it settles, or one turn until it ends. */
public final class TaskStreams {
    private final TaskStore store;
    private final EventLog log;
    private final EventFollower follower;

    TaskStreams(TaskStore store, EventLog log, java.time.Duration ping) {
        this.store = store;
        this.log = log;
        this.follower = new EventFollower(log, ping);
    }

    public void requireTask(String org, String taskId) {
        store.findTask(org, taskId).orElseThrow(() -> new ApiException.NotFound("Task not found"));
    }

    /**
     * The task's log after {@code afterSeq}, then live events, until a task_finished after which the task has nothing
     * open (a finished task replays and ends; a thread with a queued turn keeps going).
     */
    public void followTask(String org, String taskId, long afterSeq, EventFollower.Sink sink)
            throws IOException, InterruptedException {
        if (settledAt(org, taskId, afterSeq)) {
            return; // resumed after the last event of a settled task: nothing more will come
        }
        follower.follow(org, taskId, afterSeq, e -> TaskEvent.TASK_FINISHED.equals(e.type()) && settledAt(org, taskId, e.seq()), sink);
    }

    /**
     * One turn's events, from its task_created to its task_finished, and only its own: a turn queued on the same
     * thread meanwhile has its own stream.
     */
    public void followRun(String org, String taskId, String runId, long fromSeq, EventFollower.Sink sink)
            throws IOException, InterruptedException {
        follower.follow(org, taskId, fromSeq - 1, e -> runId.equals(e.runId()),
                e -> TaskEvent.TASK_FINISHED.equals(e.type()) && runId.equals(e.runId()), sink);
    }

    /** Nothing after {@code seq} in the log, and nothing open on the task: no event will follow. */
    private boolean settledAt(String org, String taskId, long seq) {
        return log.lastSeq(org, taskId) <= seq
                && store.findTask(org, taskId).map(t -> t.status().isTerminal()).orElse(true);
    }
}
