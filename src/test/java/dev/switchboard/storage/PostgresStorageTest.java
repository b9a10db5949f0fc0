package dev.switchboard.storage;

import dev.switchboard.events.EventLog;
import dev.switchboard.testkit.TestPostgres;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage contract on a real PostgreSQL (see TestPostgres), and what only several nodes on one database need:
 * a node hears another's signals.
 */
class PostgresStorageTest extends StorageContract {

    @Override
    protected Db open() { return Db.openPostgres(TestPostgres.freshDatabase(), 4); }

    @Test
    void aNodeWaitingOnATasksEventsIsWokenByAnotherNodesAppend() throws Exception {
        PostgresUrl url = TestPostgres.freshDatabase();
        try (Db nodeA = Db.openPostgres(url, 2); Db nodeB = Db.openPostgres(url, 2)) {
            nodeA.update("INSERT INTO tasks(id, organization_id, agent_id, status, created_at, updated_at, latest_run_id) "
                    + "VALUES ('t1', 'o1', 'a1', 'pending', 't', 't', 'r1')");
            EventLog onA = new EventLog(nodeA);
            EventLog onB = new EventLog(nodeB);
            // The listener of node B starts with its first registration; give it a moment to LISTEN.
            Thread.sleep(300);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                nodeA.inTransaction(tx -> onA.append(tx, "o1", "t1", "r1", "chunk", "t", "hello"));
            });
            long started = System.nanoTime();
            // Without the signal, B would see the event only at its next poll (3 s).
            assertThat(onB.awaitAfter("o1", "t1", 0, Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1500));
            assertThat(onB.after("o1", "t1", 0, 10)).hasSize(1);
            writer.join();
        }
    }

    @Test
    void workAndStopSignalsReachTheOtherNodes() throws Exception {
        PostgresUrl url = TestPostgres.freshDatabase();
        try (Db nodeA = Db.openPostgres(url, 2); Db nodeB = Db.openPostgres(url, 2)) {
            var work = new java.util.concurrent.CountDownLatch(1);
            var stopped = new java.util.concurrent.atomic.AtomicReference<String>();
            var stop = new java.util.concurrent.CountDownLatch(1);
            nodeB.listen(Db.Channel.WORK, p -> work.countDown());
            nodeB.listen(Db.Channel.STOP, runId -> {
                stopped.set(runId);
                stop.countDown();
            });
            Thread.sleep(300);
            nodeA.inTransaction(tx -> {
                tx.signal(Db.Channel.WORK, "");
                tx.signal(Db.Channel.STOP, "run-42");
                return null;
            });
            assertThat(work.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(stop.await(2, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(stopped.get()).isEqualTo("run-42");
        }
    }
}
