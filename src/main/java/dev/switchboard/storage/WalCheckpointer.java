package dev.switchboard.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * ({@code wal_autocheckpoint=0}) this thread checkpoints every {@code interval} in PASSIVE mode, which never waits for
 * readers or writers: commits no longer touch the disk's flush path at all. Durability is unchanged (a committed
 * transaction is in the log whichever thread later copies it).
 */
final class WalCheckpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    private final String url;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean closed;

    WalCheckpointer(String url, Duration interval) {
        this.url = url;
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
                checkpoint(connection, "PASSIVE");
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

    /** Runs one checkpoint; answers the pages still in the log that could not be copied yet. */
    static int checkpoint(Connection connection, String mode) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            // (busy, pages in the log, pages checkpointed)
            return rs.next() ? Math.max(0, rs.getInt(2) - rs.getInt(3)) : 0;
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
