package dev.switchboard.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The storage contract on SQLite, the embedded default. */
class SqliteStorageTest extends StorageContract {
    @TempDir
    Path dir;

    @Override
    protected Db open() { return Db.openSqlite(dir); }

    @Test
    void theWriteAheadLogIsMovedIntoTheDatabaseFileInTheBackground() throws Exception {
        // Commits never checkpoint (wal_autocheckpoint=0): only the background checkpointer grows the main file.
        Path file = dir.resolve("switchboard.db");
        db.update("INSERT INTO organizations(id, name, created_at) VALUES ('o1', 'one', 't')");
        long before = Files.size(file);
        String big = "x".repeat(4000);
        for (int i = 0; i < 500; i++) {
            db.update("INSERT INTO agents(id, organization_id, name, deployed_version, has_pending_changes, draft, created_at, updated_at) "
                    + "VALUES (?, 'o1', 'a', 0, 0, ?, 't', 't')", "a" + i, big);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(file) > before + 1_000_000);
        // And what was copied is all there, through the pool's connections.
        assertThat(db.queryOne("SELECT count(*) FROM agents", rs -> rs.getInt(1))).contains(500);
    }

    @Test
    void underWritesThatNeverPauseTheLogStillStartsOver(@TempDir Path other) throws Exception {
        // A checkpoint that waits for nobody never completes while commits keep coming, and the log would grow without
        // end; past the threshold (here 256 pages, 1 MiB) the checkpointer completes one with the writer held.
        Db busy = Db.openSqlite(other, Duration.ofMillis(50), 256);
        try {
            Path wal = other.resolve("switchboard.db-wal");
            busy.update("INSERT INTO organizations(id, name, created_at) VALUES ('o1', 'one', 't')");
            String big = "x".repeat(4000);
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            int i = 0;
            while (System.nanoTime() < until || busy.walRestarts() < 2) {
                int n = i++;
                busy.update("INSERT INTO agents(id, organization_id, name, deployed_version, has_pending_changes, draft, created_at, updated_at) "
                        + "VALUES (?, 'o1', 'a', 0, 0, ?, 't', 't')", "a" + n, big);
                assertThat(System.nanoTime() - until).as("completed checkpoints under load").isLessThan(Duration.ofSeconds(20).toNanos());
            }
            // Every row committed while the log was cut over is there, read through the pool's connections.
            assertThat(busy.queryOne("SELECT count(*) FROM agents", rs -> rs.getInt(1))).contains(i);
            assertThat(wal).exists();
        } finally {
            busy.close();
        }
    }
}
