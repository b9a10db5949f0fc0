package dev.switchboard.storage;

import dev.switchboard.events.EventLog;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.StepStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every database must do for us, run on SQLite and on PostgreSQL alike (DESIGN.md): transactions, the queue's
 * claims, leases and thread order, the event log's numbering, the journal's idempotence, JSON documents.
 */
abstract class StorageContract {
    private static final Duration LEASE = Duration.ofSeconds(30);

    protected Db db;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));

    /** A fresh, migrated database. */
    protected abstract Db open() throws Exception;

    @BeforeEach
    void openDb() throws Exception { db = open(); }

    @AfterEach
    void closeDb() { db.close(); }

    private RunQueue queue(String node) { return new RunQueue(db, clock, node, LEASE); }

    @Test
    void aTransactionIsAllOrNothingAndItsAfterCommitActionsRunOnlyWhenItCommits() {
        AtomicBoolean ranAfterRollback = new AtomicBoolean();
        assertThatThrownBy(() -> db.inTransaction(tx -> {
            tx.update("INSERT INTO organizations(id, name, created_at) VALUES (?, ?, ?)", "o1", "one", "t");
            tx.afterCommit(() -> ranAfterRollback.set(true));
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(db.queryLong("SELECT COUNT(*) FROM organizations")).isZero();
        assertThat(ranAfterRollback).isFalse();

        AtomicBoolean ran = new AtomicBoolean();
        db.inTransaction(tx -> {
            tx.update("INSERT INTO organizations(id, name, created_at) VALUES (?, ?, ?)", "o1", "one", "t");
            tx.afterCommit(() -> ran.set(true));
            return null;
        });
        assertThat(db.queryLong("SELECT COUNT(*) FROM organizations")).isEqualTo(1);
        assertThat(ran).isTrue();
    }

    @Test
    void jsonDocumentsAndBooleansRoundTrip() {
        db.update("INSERT INTO organizations(id, name, created_at) VALUES ('o1', 'one', 't')");
        String doc = "{\"name\":\"agent\",\"nested\":{\"list\":[1,2.5,\"three\",null,true]},\"text\":\"é ✓ \\\"quoted\\\"\"}";
        db.update("INSERT INTO agents(id, organization_id, name, deployed_version, has_pending_changes, draft, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "a1", "o1", "agent", 1, true, doc, "t", "t");
        String read = db.queryOne("SELECT draft FROM agents WHERE id = 'a1'", rs -> rs.getString(1)).orElseThrow();
        assertThat(dev.switchboard.common.Json.tree(read)).isEqualTo(dev.switchboard.common.Json.tree(doc));
        assertThat(db.queryLong("SELECT COUNT(*) FROM agents WHERE has_pending_changes = ?", true)).isEqualTo(1);
    }

    @Test
    void aClaimLeasesWorkToOneNodeUntilItsLeaseLapses() {
        RunQueue a = queue("node-a");
        RunQueue b = queue("node-b");
        db.inTransaction(tx -> { a.enqueue(tx, "r1", "agent_run", "t1"); return null; });

        List<QueueItem> claimed = a.claim(10);
        assertThat(claimed).extracting(QueueItem::runId).containsExactly("r1");
        assertThat(claimed.getFirst().attempts()).isEqualTo(1);
        assertThat(b.claim(10)).as("leased to node-a").isEmpty();

        clock.advance(LEASE.minusSeconds(1));
        a.renew(List.of("r1"));
        clock.advance(Duration.ofSeconds(2));
        assertThat(b.claim(10)).as("renewed by node-a").isEmpty();

        clock.advance(LEASE);
        List<QueueItem> taken = b.claim(10);
        assertThat(taken).as("node-a stopped renewing: its lease lapsed").extracting(QueueItem::runId).containsExactly("r1");
        assertThat(taken.getFirst().attempts()).isEqualTo(2);
        assertThat(a.ownedRunIds()).isEmpty();
        assertThat(b.ownedRunIds()).containsExactly("r1");
    }

    @Test
    void onlyTheNodeHoldingTheLeaseFinishesTheWork() {
        RunQueue a = queue("node-a");
        RunQueue b = queue("node-b");
        db.inTransaction(tx -> { a.enqueue(tx, "r1", "agent_run", "t1"); return null; });
        a.claim(1);
        clock.advance(LEASE.plusSeconds(1));
        b.claim(1);

        assertThatThrownBy(() -> db.inTransaction(tx -> { a.complete(tx, "r1"); return null; }))
                .isInstanceOf(RunQueue.LeaseLost.class);
        assertThat(a.depth()).isEqualTo(1);
        db.inTransaction(tx -> { b.complete(tx, "r1"); return null; });
        assertThat(a.depth()).isZero();
        // Finished once: a slow node that ends it afterwards has its end refused too.
        assertThatThrownBy(() -> db.inTransaction(tx -> { a.complete(tx, "r1"); return null; }))
                .isInstanceOf(RunQueue.LeaseLost.class);
    }

    @Test
    void aNodeThatLostTheLeaseCannotHandTheWorkBack() {
        RunQueue a = queue("node-a");
        RunQueue b = queue("node-b");
        db.inTransaction(tx -> { a.enqueue(tx, "r1", "agent_run", "t1"); return null; });
        a.claim(1);
        clock.advance(LEASE.plusSeconds(1));
        b.claim(1);

        assertThatThrownBy(() -> db.inTransaction(tx -> { a.reschedule(tx, "r1", "2026-11-23T13:00:00.000000Z"); return null; }))
                .isInstanceOf(RunQueue.LeaseLost.class);
        assertThat(b.ownedRunIds()).as("still node-b's").containsExactly("r1");
    }

    @Test
    void workWhoseLeaseLapsedMayBeFinishedByAnyNode() {
        RunQueue dead = queue("dead-node");
        db.inTransaction(tx -> { dead.enqueue(tx, "r1", "agent_run", "t1"); return null; });
        dead.claim(1);
        clock.advance(LEASE.plusSeconds(1));
        // A stop arriving before anyone claimed it again ends it here.
        db.inTransaction(tx -> { queue("node-b").complete(tx, "r1"); return null; });
        assertThat(dead.depth()).isZero();
    }

    @Test
    void workOfOneThreadRunsInOrderOneAtATime() {
        RunQueue q = queue("node-a");
        db.inTransaction(tx -> {
            q.enqueue(tx, "r1", "agent_run", "thread");
            q.enqueue(tx, "r2", "agent_run", "thread");
            q.enqueue(tx, "other", "agent_run", "another");
            return null;
        });
        assertThat(q.claim(10)).extracting(QueueItem::runId).containsExactly("r1", "other");
        assertThat(q.claim(10)).isEmpty();
        db.inTransaction(tx -> { q.complete(tx, "r1"); return null; });
        assertThat(q.claim(10)).extracting(QueueItem::runId).containsExactly("r2");
    }

    @Test
    void aReleasedItemIsClaimableAgainWithoutCountingTheAttempt() {
        RunQueue q = queue("node-a");
        db.inTransaction(tx -> { q.enqueue(tx, "r1", "agent_run", "t"); return null; });
        q.claim(1);
        q.release("r1");
        assertThat(queue("node-b").claim(1)).singleElement().satisfies(i -> assertThat(i.attempts()).isEqualTo(1));
    }

    @Test
    void nodesClaimingAtOnceNeverTakeTheSameWork() throws Exception {
        int items = 200;
        db.inTransaction(tx -> {
            RunQueue q = queue("seed");
            for (int i = 0; i < items; i++) q.enqueue(tx, "r" + i, "agent_run", "t" + i);
            return null;
        });
        List<String> taken = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> nodes = new ArrayList<>();
            for (int n = 0; n < 4; n++) {
                RunQueue q = queue("node-" + n);
                nodes.add(pool.submit(() -> {
                    go.await();
                    List<QueueItem> got;
                    while (!(got = q.claim(7)).isEmpty()) got.forEach(i -> taken.add(i.runId()));
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : nodes) f.get();
        }
        assertThat(taken).hasSize(items);
        assertThat(new HashSet<>(taken)).hasSize(items);
    }

    @Test
    void eventsAreNumberedPerTaskInCommitOrder() throws Exception {
        db.update("INSERT INTO tasks(id, organization_id, agent_id, status, created_at, updated_at, latest_run_id) "
                + "VALUES ('t1', 'o1', 'a1', 'pending', 't', 't', 'r1')");
        EventLog log = new EventLog(db);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        int n = i;
                        db.inTransaction(tx -> log.append(tx, "o1", "t1", "r1", "chunk", "t", "w" + writer + "-" + n));
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) f.get();
        }
        var events = log.after("o1", "t1", 0, 1000);
        assertThat(events).hasSize(100);
        for (int i = 0; i < events.size(); i++) assertThat(events.get(i).seq()).isEqualTo(i + 1);
        assertThat(log.after("o1", "t1", 98, 10)).extracting(e -> e.seq()).containsExactly(99L, 100L);
        assertThat(log.lastSeq("o1", "t1")).isEqualTo(100);
    }

    @Test
    void aJournalStepIsRecordedOnce() {
        StepStore steps = new StepStore(db, clock);
        steps.record("r1", 0, "model_call", Map.of("text", "first"));
        steps.record("r1", 0, "model_call", Map.of("text", "again"));
        steps.record("r1", 1, "tool_call", Map.of("result", "ok"));
        assertThat(steps.steps("r1")).extracting(StepStore.Step::index).containsExactly(0, 1);
        assertThat(steps.steps("r1").getFirst().data()).contains("first");
        assertThat(steps.nextIndex("r1")).isEqualTo(2);
    }

    @Test
    void bothDatabasesHaveTheSameMigrations() throws Exception {
        assertThat(migrations("sqlite")).isNotEmpty().isEqualTo(migrations("postgres"));
    }

    private static Set<String> migrations(String dialect) throws Exception {
        var url = StorageContract.class.getResource("/db/" + dialect);
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(url.toURI()))) {
            return new java.util.TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** A clock the tests move by hand, to let leases lapse without waiting. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) { this.now = start; }

        void advance(Duration d) { now = now.plus(d); }

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }

        @Override public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override public Instant instant() { return now; }
    }
}
