package dev.switchboard.runs;

import dev.switchboard.common.Times;
import dev.switchboard.storage.Db;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one durable queue. A row lives while its work is unfinished. A claim takes a lease that the executing node
 * renews; a lease that lapses (its node died) makes the row claimable again. Rows of one thread run one at a time,
 * in the order they were queued: only the oldest row of a thread can be claimed.
 */
public final class RunQueue {
    private final Db db;
    private final Clock clock;
    private final String nodeId;
    private final Duration lease;

    public RunQueue(Db db, Clock clock, String nodeId, Duration lease) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
        this.lease = lease;
    }

    /** Queues work in the caller's transaction; the nodes hear of it when it commits. */
    public void enqueue(Db.Tx tx, String runId, String kind, String threadKey) {
        tx.update("INSERT INTO run_queue(run_id, kind, thread_key, available_at, attempts) VALUES (?, ?, ?, ?, 0)",
                runId, kind, threadKey, Times.now(clock));
        tx.signal(Db.Channel.WORK, "");
    }

    /**
     * Hears the other nodes: new work ({@code onWork}, to claim it now rather than at the next poll) and stop
     * requests for runs ({@code onStop}, with the run id).
     */
    public void listen(Runnable onWork, java.util.function.Consumer<String> onStop) {
        db.listen(Db.Channel.WORK, payload -> onWork.run());
        db.listen(Db.Channel.STOP, onStop);
    }

    /** Removes finished work in a transaction of its own (work that ends with no state of its own to store). */
    public void complete(String runId) {
        db.inTransaction(tx -> {
            complete(tx, runId);
            return null;
        });
    }

    // The row is this node's to end or hand back: nobody holds it, this node does, or its holder's lease lapsed.
    private static final String OURS = "(lease_owner IS NULL OR lease_owner = ? OR lease_expires_at < ?)";

    /** Thrown when a node would finish work that another node has claimed since (its own lease lapsed). */
    public static final class LeaseLost extends RuntimeException {
        LeaseLost(String runId) {
            super("Run " + runId + " is no longer this node's to finish (another node claimed it after this node's lease lapsed, "
                    + "or finished it); its outcome here is dropped");
        }
    }

    /**
     * Queues work already leased to this node, in the caller's transaction, when no older work of its thread is
     * queued: the node that accepted it starts it at once instead of waiting for a claim. When older work of the
     * thread is queued, the work is queued as usual to wait its turn, and nothing is returned. A thread created in
     * the caller's transaction ({@code newThread}) has no older work: nothing to look up.
     */
    public Optional<QueueItem> enqueueLeased(Db.Tx tx, String runId, String kind, String threadKey, boolean newThread) {
        if (!newThread && tx.queryOne("SELECT 1 FROM run_queue WHERE thread_key = ? LIMIT 1", rs -> 1, threadKey).isPresent()) {
            enqueue(tx, runId, kind, threadKey);
            return Optional.empty();
        }
        long seq = tx.queryOne("""
                INSERT INTO run_queue(run_id, kind, thread_key, available_at, attempts, lease_owner, lease_expires_at)
                VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING seq""",
                rs -> rs.getLong(1), runId, kind, threadKey, Times.now(clock), nodeId,
                Times.format(clock.instant().plus(lease))).orElseThrow();
        return Optional.of(new QueueItem(seq, runId, kind, threadKey, 1));
    }

    /**
     * Removes finished work in the transaction that stores its final state: this is what makes an end happen once.
     * When the row is not this node's to remove — another node holds a live lease on it (this node's own lapsed and
     * the work was claimed again), or it is gone (another node finished it first) — {@link LeaseLost} rolls the end
     * back. Work whose lease has lapsed is nobody's (its node is gone, or too slow to renew) and may be finished by
     * anyone: a stop of a run its dead node had claimed.
     */
    public void complete(Db.Tx tx, String runId) {
        int deleted = tx.update("DELETE FROM run_queue WHERE run_id = ? AND " + OURS, runId, nodeId, Times.now(clock));
        if (deleted == 0) throw new LeaseLost(runId);
        // The next turn of the thread may be claimable now.
        tx.signal(Db.Channel.WORK, "");
    }

    /**
     * Puts claimed work back to wait until {@code at} (a webhook's next retry), in the caller's transaction. The claim
     * is not a lost one, so the count of claims starts again.
     */
    public void reschedule(Db.Tx tx, String runId, String at) {
        int changed = tx.update("UPDATE run_queue SET available_at = ?, lease_owner = NULL, lease_expires_at = NULL, attempts = 0 "
                + "WHERE run_id = ? AND " + OURS, at, runId, nodeId, Times.now(clock));
        // Like an end, a handing back is refused when another node holds the work now.
        if (changed == 0) throw new LeaseLost(runId);
        tx.signal(Db.Channel.WORK, "");
    }

    /** Claims up to {@code max} items for this node. */
    public List<QueueItem> claim(int max) {
        String now = Times.now(clock);
        String until = Times.format(clock.instant().plus(lease));
        // Most wake-ups find nothing to claim (the accepting node leased its runs itself): a plain read says so
        // without taking the database's write lock.
        boolean any = db.queryOne("SELECT 1 FROM run_queue WHERE available_at <= ? AND (lease_owner IS NULL OR lease_expires_at < ?) LIMIT 1",
                rs -> 1, now, now).isPresent();
        if (!any) return List.of();
        return db.inTransaction(tx -> {
            List<QueueItem> found = tx.query("""
                    SELECT q.seq, q.run_id, q.kind, q.thread_key, q.attempts FROM run_queue q
                    WHERE q.available_at <= ?
                      AND (q.lease_owner IS NULL OR q.lease_expires_at < ?)
                      AND NOT EXISTS (SELECT 1 FROM run_queue p WHERE p.thread_key = q.thread_key AND p.seq < q.seq)
                    ORDER BY q.seq LIMIT ?""" + db.dialect().skipLocked("q"),
                    rs -> new QueueItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5) + 1),
                    now, now, max);
            for (QueueItem item : found) {
                tx.update("UPDATE run_queue SET lease_owner = ?, lease_expires_at = ?, attempts = ? WHERE seq = ?",
                        nodeId, until, item.attempts(), item.seq());
            }
            return found;
        });
    }

    /** Extends the leases of the items this node is executing. */
    public void renew(Collection<String> runIds) {
        if (runIds.isEmpty()) return;
        String until = Times.format(clock.instant().plus(lease));
        db.inTransaction(tx -> {
            for (String runId : runIds) {
                tx.update("UPDATE run_queue SET lease_expires_at = ? WHERE run_id = ? AND lease_owner = ?", until, runId, nodeId);
            }
            return null;
        });
    }

    /**
     * Gives an item back without counting the attempt (a graceful shutdown): the next claim, here or elsewhere,
     * starts it again from its journal.
     */
    public void release(String runId) {
        db.inTransaction(tx -> {
            tx.update("UPDATE run_queue SET lease_owner = NULL, lease_expires_at = NULL, attempts = "
                    + db.dialect().greatest("attempts - 1", "0") + " WHERE run_id = ? AND lease_owner = ?", runId, nodeId);
            tx.signal(Db.Channel.WORK, "");
            return null;
        });
    }

    /**
     * On start: makes work left leased by nodes that are gone claimable now. With a single-node database every other
     * owner is gone; otherwise only lapsed leases are, and claiming handles those anyway.
     */
    public int reclaimOrphans() {
        if (!db.dialect().singleNode()) return 0;
        return db.update("UPDATE run_queue SET lease_expires_at = ? WHERE lease_owner IS NOT NULL AND lease_owner <> ?",
                Times.format(java.time.Instant.EPOCH), nodeId);
    }

    /** Items in the queue, for readiness and metrics. */
    public long depth() {
        return db.queryLong("SELECT COUNT(*) FROM run_queue");
    }

    public List<String> ownedRunIds() {
        return new ArrayList<>(db.query("SELECT run_id FROM run_queue WHERE lease_owner = ?", rs -> rs.getString(1), nodeId));
    }
}
