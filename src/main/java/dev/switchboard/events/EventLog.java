package dev.switchboard.events;

import dev.switchboard.common.Json;
import dev.switchboard.storage.Db;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every task's log of events, numbered 1, 2, 3… per task. Appends happen inside the caller's transaction, so an
 * event is stored exactly when the state it announces is; waiters are woken after the commit. Readers (a sync
 * invoke, an SSE stream) read what is stored, so a reconnect or another node sees the same log.
 */
public final class EventLog {
    // Every append on this node wakes its waiters at once; polling at this period is only a safety net (and, with
    // several nodes, what notices another node's events until cross-node wake-ups arrive). Kept long enough that ten
    // thousand idle streams cost a few thousand small reads a second at most.
    private static final Duration POLL = Duration.ofSeconds(3);

    private final Db db;
    private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();
    // Set when the node shuts down: followers end their streams telling clients to reconnect (to another node).
    private volatile boolean closing;
    // Open streams per task on this node: a followed run writes its first chunk at once, an unfollowed one coalesces.
    private final ConcurrentHashMap<String, AtomicInteger> followers = new ConcurrentHashMap<>();

    /** A task marked as followed by a stream on this node, until closed. */
    public final class Following implements AutoCloseable {
        private final String key;
        private boolean closed;

        private Following(String key) { this.key = key; }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            followers.computeIfPresent(key, (k, count) -> count.decrementAndGet() == 0 ? null : count);
        }
    }

    public Following follow(String organizationId, String taskId) {
        String key = taskKey(organizationId, taskId);
        followers.compute(key, (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            c.incrementAndGet();
            return c;
        });
        return new Following(key);
    }

    /** Whether a stream on this node follows the task now; {@code taskKey} from {@link #taskKey}. */
    public boolean isFollowed(String taskKey) {
        return followers.containsKey(taskKey);
    }

    public EventLog(Db db) {
        this.db = db;
        db.listen(Db.Channel.EVENTS, this::wake);
    }

    /** An event to append to a task's log. */
    public record Entry(String runId, String type, String time, Object data) {}

    /** Appends an event in the caller's transaction and returns its sequence number. */
    public long append(Db.Tx tx, String organizationId, String taskId, String runId, String type, String time, Object data) {
        return append(tx, organizationId, taskId, List.of(new Entry(runId, type, time, data)));
    }

    /**
     * Appends events in order in the caller's transaction and returns the first one's sequence number. Two statements
     * whatever their number (the numbers taken from the task's counter at once, the rows inserted together): a run
     * that starts or ends announces two events at once.
     */
    public long append(Db.Tx tx, String organizationId, String taskId, List<Entry> entries) {
        int n = entries.size();
        if (n == 0) throw new IllegalArgumentException("no events to append");
        long last = tx.queryOne("""
                UPDATE tasks SET last_event_seq = last_event_seq + ?
                WHERE organization_id = ? AND id = ? RETURNING last_event_seq""",
                rs -> rs.getLong(1), n, organizationId, taskId)
                .orElseThrow(() -> new IllegalStateException("no task " + taskId));
        long first = last - n + 1;
        Object[] args = new Object[7 * n];
        int a = 0;
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            args[a++] = organizationId;
            args[a++] = taskId;
            args[a++] = first + i;
            args[a++] = e.runId();
            args[a++] = e.type();
            args[a++] = e.time();
            args[a++] = Json.write(e.data());
        }
        tx.update(n < INSERT_EVENTS.length ? INSERT_EVENTS[n] : insertEvents(n), args);
        String key = taskKey(organizationId, taskId);
        tx.afterCommit(() -> wake(key));
        // Followers on other nodes hear of it too.
        tx.signal(Db.Channel.EVENTS, key);
        return first;
    }

    // The insert's text for one to four rows, made once (they are kept as prepared statements by their text).
    private static final String[] INSERT_EVENTS = {null, insertEvents(1), insertEvents(2), insertEvents(3), insertEvents(4)};

    private static String insertEvents(int rows) {
        return "INSERT INTO task_events(organization_id, task_id, seq, run_id, type, time, data) VALUES "
                + String.join(", ", java.util.Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?, ?)"));
    }

    /**
     * Wakes the task's waiters once the caller's transaction commits, without an event: for a task being deleted,
     * so that whoever waits on its log finds out now rather than at the next poll.
     */
    public void wakeAfterCommit(Db.Tx tx, String organizationId, String taskId) {
        String key = taskKey(organizationId, taskId);
        tx.afterCommit(() -> wake(key));
        tx.signal(Db.Channel.EVENTS, key);
    }

    /** The stored events of a task after the given sequence number, in order. */
    public List<TaskEvent> after(String organizationId, String taskId, long afterSeq, int limit) {
        return db.query("""
                SELECT seq, run_id, type, time, data FROM task_events
                WHERE organization_id = ? AND task_id = ? AND seq > ? ORDER BY seq LIMIT ?""",
                rs -> event(rs, organizationId, taskId),
                organizationId, taskId, afterSeq, limit);
    }


    /**
     * The data of one run's task_finished event as stored (JSON text, sent on as it is), if it has been stored (after
     * {@code afterSeq}, where the run began).
     */
    public Optional<String> finishedDataOf(String organizationId, String taskId, String runId, long afterSeq) {
        return db.queryOne("SELECT data FROM task_events WHERE organization_id = ? AND task_id = ? AND seq > ? "
                        + "AND run_id = ? AND type = ?",
                rs -> rs.getString(1), organizationId, taskId, afterSeq, runId, TaskEvent.TASK_FINISHED);
    }

    /** The last sequence number of a task's log (0 when empty or when the task is gone). */
    public long lastSeq(String organizationId, String taskId) {
        return lastSeqIfExists(organizationId, taskId).orElse(0L);
    }

    /** The last sequence number of a task's log; empty when the task does not exist (or was deleted). */
    private Optional<Long> lastSeqIfExists(String organizationId, String taskId) {
        return db.queryOne("SELECT last_event_seq FROM tasks WHERE organization_id = ? AND id = ?",
                rs -> rs.getLong(1), organizationId, taskId);
    }

    private static TaskEvent event(java.sql.ResultSet rs, String organizationId, String taskId) throws java.sql.SQLException {
        return new TaskEvent(rs.getLong("seq"), rs.getString("run_id"), rs.getString("type"), taskId, organizationId,
                rs.getString("time"), Json.tree(rs.getString("data")));
    }

    /**
     * Blocks until an event after {@code afterSeq} may exist or the timeout passes; returns at once when one does.
     * A spurious return is allowed: callers read and loop. Returns false when the task no longer exists (deleted), so
     * a follower stops waiting for events that will never come.
     */
    public boolean awaitAfter(String organizationId, String taskId, long afterSeq, Duration timeout) throws InterruptedException {
        String key = taskKey(organizationId, taskId);
        Signal signal = signals.computeIfAbsent(key, k -> new Signal());
        signal.waiters.incrementAndGet();
        try {
            // The version is taken before the stored log is checked, so a wake-up in between is not lost.
            long observed = signal.version();
            Optional<Long> last = lastSeqIfExists(organizationId, taskId);
            if (last.isEmpty()) {
                return false;
            }
            if (last.get() > afterSeq) {
                return true;
            }
            signal.awaitChange(observed, Math.min(timeout.toNanos(), POLL.toNanos()));
            return true;
        } finally {
            if (signal.waiters.decrementAndGet() == 0) {
                signals.remove(key, signal);
            }
        }
    }

    /** The node is shutting down: every follower is woken, and ends its stream with a reconnect event. */
    public void closeFollowers() {
        closing = true;
        signals.values().forEach(Signal::bump);
    }

    public boolean isClosing() { return closing; }

    private void wake(String key) {
        Signal signal = signals.get(key);
        if (signal != null) {
            signal.bump();
        }
    }

    /**
     * The key a task's followers are found by; a caller that asks {@link #isFollowed} often (a run, at every piece of
     * the model's answer) makes it once, and its hash is computed once.
     */
    public static String taskKey(String organizationId, String taskId) {
        return organizationId + "/" + taskId;
    }

    private static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        final AtomicInteger waiters = new AtomicInteger();
        private long version;

        long version() {
            lock.lock();
            try {
                return version;
            } finally {
                lock.unlock();
            }
        }

        void bump() {
            lock.lock();
            try {
                version++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void awaitChange(long observed, long nanos) throws InterruptedException {
            lock.lock();
            try {
                while (version == observed && nanos > 0) {
                    nanos = changed.awaitNanos(nanos);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
