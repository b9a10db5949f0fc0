package dev.switchboard.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQLite's writers committed together (GroupCommit), on a real database file: many concurrent callers each get their
 * own outcome, a failing caller rolls back only its own statements, and an interrupted caller still writes.
 */
class GroupCommitTest {
    @TempDir
    Path dir;
    Db db;

    @BeforeEach
    void open() {
        db = Db.openSqlite(dir);
        db.inTransaction(tx -> tx.update("CREATE TABLE gc_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void concurrentWritersEachGetTheirOutcomeAndAFailureRollsBackOnlyItsOwnWork() throws Exception {
        int writers = 200;
        AtomicInteger afterCommits = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                results.add(pool.submit(() -> db.inTransaction(tx -> {
                    tx.update("INSERT INTO gc_test(k, v) VALUES (?, ?)", "k" + n, n);
                    tx.afterCommit(afterCommits::incrementAndGet);
                    if (n % 10 == 0) tx.update("INSERT INTO gc_test(k, v) VALUES (?, ?)", "k" + n, n); // duplicate: fails
                    return n;
                })));
            }
            int ok = 0;
            int failed = 0;
            for (int i = 0; i < writers; i++) {
                try {
                    assertThat(results.get(i).get()).isEqualTo(i);
                    ok++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(StorageException.class);
                    assertThat(i % 10).isZero();
                    failed++;
                }
            }
            assertThat(ok).isEqualTo(180);
            assertThat(failed).isEqualTo(20);
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM gc_test")).isEqualTo(180);
        assertThat(db.queryLong("SELECT COUNT(*) FROM gc_test WHERE v % 10 = 0")).isZero();
        assertThat(afterCommits.get()).as("after-commit actions of committed work only").isEqualTo(180);
    }

    @Test
    void anInterruptedCallerWaitsForAConnectionWritesAndKeepsItsInterrupt() throws Exception {
        // Every pooled connection taken: the writer must wait for one, which an interrupted thread could not do.
        List<java.sql.Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) held.add(db.dataSource().getConnection());
            java.util.concurrent.CompletableFuture<Boolean> keptInterrupt = new java.util.concurrent.CompletableFuture<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                Thread.currentThread().interrupt();
                try {
                    db.inTransaction(tx -> tx.update("INSERT INTO gc_test(k, v) VALUES ('i', 1)"));
                    keptInterrupt.complete(Thread.currentThread().isInterrupted());
                } catch (RuntimeException e) {
                    keptInterrupt.completeExceptionally(e);
                }
            });
            Thread.sleep(200);
            for (java.sql.Connection c : held) c.close();
            held.clear();
            assertThat(keptInterrupt.get(10, TimeUnit.SECONDS)).isTrue();
            writer.join();
        } finally {
            for (java.sql.Connection c : held) c.close();
        }
        assertThat(db.queryLong("SELECT v FROM gc_test WHERE k = 'i'")).isEqualTo(1);
    }

    @Test
    void aCallersExceptionReachesItUnchanged() {
        assertThatThrownBy(() -> db.inTransaction(tx -> {
            tx.update("INSERT INTO gc_test(k, v) VALUES ('x', 1)");
            throw new IllegalArgumentException("mine");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("mine");
        assertThat(db.queryLong("SELECT COUNT(*) FROM gc_test WHERE k = 'x'")).isZero();
    }

    @Test
    void writesQueuedWhileTheWriterIsHeldAreWrittenRightAfterIt() throws Exception {
        GroupCommit writer = writerOnTheDatabase();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> queued = new ArrayList<>();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> exclusive = pool.submit(() -> writer.exclusively(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            held.await();
            for (int i = 0; i < 20; i++) {
                int n = i;
                queued.add(pool.submit(() -> writer.run(tx -> tx.update("INSERT INTO gc_test(k, v) VALUES (?, ?)", "q" + n, n))));
            }
            Thread.sleep(100);
            // Nothing was written while the writer was held ...
            assertThat(queued).noneMatch(Future::isDone);
            assertThat(db.queryOne("SELECT count(*) FROM gc_test", rs -> rs.getInt(1))).contains(0);
            long released = System.nanoTime();
            release.countDown();
            exclusive.get();
            for (Future<Integer> f : queued) assertThat(f.get()).isEqualTo(1);
            // ... and all of it right after (not at a waiter's one-second re-check).
            assertThat(System.nanoTime() - released).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
        }
        assertThat(db.queryOne("SELECT count(*) FROM gc_test", rs -> rs.getInt(1))).contains(20);
    }

    @Test
    void aWriterWritesOthersBatchesOnlyBrieflyThenWakesTheNextCaller() throws Exception {
        GroupCommit writer = writerOnTheDatabase();
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondBatchWriting = new CountDownLatch(1);
        Map<String, Thread> writtenBy = new ConcurrentHashMap<>();
        Thread first = Thread.ofVirtual().start(() -> writer.run(tx -> {
            inFirst.countDown();
            await(releaseFirst);
            return tx.update("INSERT INTO gc_test(k, v) VALUES ('first', 0)");
        }));
        inFirst.await();
        // Callers that find the writer held queue and park; their work is slow, so that who writes it can be seen.
        List<Thread> second = callers(writer, List.of("a", "b", "c"), 100, writtenBy, secondBatchWriting);
        awaitParked(second);
        long released = System.nanoTime();
        releaseFirst.countDown();
        // While the first caller writes that batch (a little more than its own: see GroupCommit), two more queue.
        secondBatchWriting.await();
        List<Thread> third = callers(writer, List.of("d", "e"), 50, writtenBy, new CountDownLatch(1));
        awaitParked(third);
        for (Thread t : second) t.join();
        for (Thread t : third) t.join();
        first.join();
        long took = System.nanoTime() - released;

        assertThat(writtenBy.get("a")).as("a batch queued behind the writer's own").isEqualTo(first);
        // Then the writer stopped writing for others (it once went on while anything was queued: under steady load a
        // caller, or the checkpointer, wrote others' batches for seconds) ...
        assertThat(writtenBy.get("d")).isNotEqualTo(first).isIn(third);
        assertThat(writtenBy.get("e")).isEqualTo(writtenBy.get("d"));
        // ... and woke the next caller, which did not wait for its one-second re-check.
        assertThat(took).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(db.queryOne("SELECT count(*) FROM gc_test", rs -> rs.getInt(1))).contains(6);
    }

    /** Callers each writing a row keyed by their name after {@code millis} of work; who wrote it noted. */
    private static List<Thread> callers(GroupCommit writer, List<String> names, long millis, Map<String, Thread> writtenBy,
                                        CountDownLatch writing) {
        List<Thread> threads = new ArrayList<>();
        for (String name : names) {
            threads.add(Thread.ofVirtual().start(() -> writer.run(tx -> {
                writing.countDown();
                writtenBy.put(name, Thread.currentThread());
                sleep(millis);
                return tx.update("INSERT INTO gc_test(k, v) VALUES (?, 1)", name);
            })));
        }
        return threads;
    }

    private static void awaitParked(List<Thread> threads) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A group commit of its own on the test's database (the one inside {@code db} is not reachable). */
    private GroupCommit writerOnTheDatabase() {
        return new GroupCommit(() -> {
            try {
                return db.dataSource().getConnection();
            } catch (java.sql.SQLException e) {
                throw new StorageException(e);
            }
        }, "BEGIN IMMEDIATE", new Statements.KeptPerConnection(8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
