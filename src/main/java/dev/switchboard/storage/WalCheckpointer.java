package dev.switchboard.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Moves SQLite's write-ahead log into the database file on a platform thread of its own, instead of inside a commit.
 *
 * <p>By default SQLite checkpoints in the commit that takes the log past 1,000 pages, and a checkpoint waits for the
 * disk (fsync). A commit runs on a virtual thread in native code, so that wait pinned one of the node's few carriers
 * (two on two cores) and held the single writer meanwhile: under load a tenth of the time went to I/O wait, a fifth
 * sat idle, and sync invokes topped out near 1,500/s. With the connections' automatic checkpoint off
 * ({@code wal_autocheckpoint=0}) this thread checkpoints every {@code interval}, in two steps:
 * <ol>
 *   <li>a PASSIVE checkpoint while commits go on: it copies most of the log, waiting for nobody;</li>
 *   <li>when the log has grown past 64 MiB, a few more while commits go on (each has less to copy), then one while
 *       no commit runs ({@link GroupCommit#exclusively}): it copies only what came in meanwhile, and completes, so
 *       that the next commit starts the log over. Without this step the log never completes under steady load: it
 *       grew by 100 MB a second, and every new block of it waited on the file system's journal.</li>
 * </ol>
 * <p>SQLite flushes the database file to disk (fsync) only in a checkpoint that completes: the one that holds the
 * writer, which then waited for everything the passes before it had copied (~64 MiB: 11-19 ms of a 25-40 ms hold, by
 * strace, at ~3,400 invokes/s). So the file and the log are flushed from here, while commits go on, just before that
 * step, and one more pass copies what came in during those flushes: the step then has tens of pages to copy and
 * flush instead of a thousand (its checkpoint 1-3 ms instead of 10-40 ms, in most rounds).
 * <p>Writers wait through the second step parked, not pinned. Durability is unchanged (a committed transaction is in
 * the log whichever thread later copies it).
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    // The log's size (in 4 KiB pages: 64 MiB) past which the second, writer-exclusive step runs. Below it the log may
    // keep growing under steady load for a while; the step then completes the checkpoint and the log starts over.
    static final int RESTART_AT_PAGES = 16_384;

    // Up to this many extra passes while commits go on, until one finds fewer than CAUGHT_UP_PAGES new pages.
    private static final int CATCH_UP_PASSES = 3;
    private static final int CAUGHT_UP_PAGES = 1_024;

    private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();
    private final String url;
    private final Path databaseFile;
    private final Path logFile;
    private final GroupCommit writer;
    private final Duration interval;
    private final int restartAtPages;
    private final Thread thread;
    private volatile boolean closed;
    private int completedLogPages = -1;

    WalCheckpointer(String url, Path databaseFile, GroupCommit writer, Duration interval, int restartAtPages) {
        this.url = url;
        this.databaseFile = databaseFile;
        this.logFile = databaseFile.resolveSibling(databaseFile.getFileName() + "-wal");
        this.writer = writer;
        this.restartAtPages = restartAtPages;
        this.interval = interval;
        this.thread = Thread.ofPlatform().daemon().name("switchboard-checkpoint").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        Connection connection = null;
        while (!closed) {
            try {
                Thread.sleep(interval);
                if (connection == null) connection = DriverManager.getConnection(url);
                Outcome passive = checkpoint(connection, "PASSIVE");
                // (A log left complete by the last step, with no commit since to start it over, needs nothing more.)
                if (passive.logPages() > restartAtPages && passive.logPages() != completedLogPages) {
                    completeWithWriterHeld(connection, passive);
                }
            } catch (InterruptedException e) {
                break;
            } catch (SQLException | RuntimeException e) {
                // The next round tries again on a fresh connection; commits go on meanwhile (the log only grows).
                log.warn("WAL checkpoint failed: {}", e.getMessage());
                closeQuietly(connection);
                connection = null;
            }
        }
        closeQuietly(connection);
    }

    /**
     * Catches up with what came in since {@code passive} while commits go on, so that the pass that holds the writer is
     * short, then completes the checkpoint with the writer held.
     */
    private void completeWithWriterHeld(Connection connection, Outcome passive) throws SQLException {
        for (int pass = 0; pass < CATCH_UP_PASSES; pass++) {
            Outcome next = checkpoint(connection, "PASSIVE");
            boolean caughtUp = next.logPages() - passive.logPages() < CAUGHT_UP_PAGES;
            passive = next;
            if (caughtUp) break;
        }
        // SQLite's own flushes in the step below then have only that step's pages to write; the flushes take a while
        // (10-50 ms), so one more pass copies what came in meanwhile.
        flushToDisk(databaseFile);
        flushToDisk(logFile);
        checkpoint(connection, "PASSIVE");
        Outcome last = writer.exclusively(() -> checkpoint(connection, "PASSIVE"));
        if (last.copiedPages() == last.logPages()) {
            completedLogPages = last.logPages();
            restarts.incrementAndGet();
        }
    }

    /**
     * Flushes what was written to {@code file} to disk: a flush through any descriptor of a file covers every write to
     * it, SQLite's included. A file that cannot be flushed here is left to SQLite's own flush (correct, only slower).
     */
    private static void flushToDisk(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            log.debug("flushing {} before a checkpoint: {}", file.getFileName(), e.getMessage());
        }
    }

    /** How many times a checkpoint completed with the writer held, letting the log start over. */
    long restarts() { return restarts.get(); }

    /** What a checkpoint found: the pages in the log, and how many of them are now in the database file. */
    record Outcome(int logPages, int copiedPages) {}

    static Outcome checkpoint(Connection connection, String mode) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            // (busy, pages in the log, pages checkpointed)
            return rs.next() ? new Outcome(Math.max(0, rs.getInt(2)), Math.max(0, rs.getInt(3))) : new Outcome(0, 0);
        }
    }

    /** Stops the thread, and empties the log into the database file (the pool is still open: best effort). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection c = DriverManager.getConnection(url)) {
            checkpoint(c, "TRUNCATE");
        } catch (SQLException e) {
            log.debug("final WAL checkpoint: {}", e.getMessage());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a connection we are giving up on
        }
    }
}
