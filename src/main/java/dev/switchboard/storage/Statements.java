package dev.switchboard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a statement is prepared, used and let go on a database.
 *
 * <p>Why two ways: SQLite compiles a statement's text every time it is prepared, and a run executes about 25
 * statements; compiling them cost 6–8 µs each (measured: a task lookup 12 µs prepared each time, 4 µs reused), a
 * quarter of the server's CPU per call. Nothing below us keeps them: HikariCP closes a connection's statements when it
 * goes back to the pool, and SQLite's driver has no cache. So on SQLite the statements are kept per connection and
 * reused. pgjdbc keeps its own cache of server-side prepared statements per connection, so on PostgreSQL a statement
 * is prepared and closed as JDBC intends.
 */
sealed interface Statements {

    @FunctionalInterface
    interface Use<T> { T run(PreparedStatement ps) throws SQLException; }

    /** Runs {@code use} with a statement for {@code sql} on the connection (one borrowed from the pool). */
    <T> T with(Connection connection, String sql, Use<T> use) throws SQLException;

    /** Prepared each time, closed after. */
    record PreparedEachTime() implements Statements {
        @Override
        public <T> T with(Connection connection, String sql, Use<T> use) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                return use.run(ps);
            }
        }
    }

    /**
     * Kept per physical connection, by their text. A statement is prepared on the pool's physical connection (not its
     * proxy, which would close it on return to the pool) and lives as long as that connection; SQLite's driver
     * finalizes it when the connection closes (without marking it closed: it is simply never used again, as the pool
     * never lends a closed connection). A statement that failed is closed rather than kept, so that none is
     * ever reused in an unknown state (one left mid-read would hold a read transaction open).
     */
    final class KeptPerConnection implements Statements {
        // Distinct texts per connection: the server has fewer than a hundred, plus texts built for lists of ids of
        // varying length (IN (?, ?, …)); past this, the least recently used is closed.
        private static final int MAX_PER_CONNECTION = 256;

        // Connections come and go only when the pool retires one (HikariCP's maximum lifetime, 30 minutes) or evicts a
        // broken one; the map is swept of closed ones when it outgrows the pool.
        private final Map<Connection, Map<String, PreparedStatement>> byConnection = new ConcurrentHashMap<>();
        private final int poolSize;

        KeptPerConnection(int poolSize) {
            this.poolSize = poolSize;
        }

        @Override
        public <T> T with(Connection pooled, String sql, Use<T> use) throws SQLException {
            Connection physical = pooled.unwrap(Connection.class);
            // The pool lends a connection to one thread at a time, so its own map needs no lock.
            Map<String, PreparedStatement> kept = byConnection.get(physical);
            if (kept == null) {
                // Only the thread holding this connection adds it, so there is no race on its key.
                if (byConnection.size() >= poolSize) sweepClosed();
                kept = newCache();
                byConnection.put(physical, kept);
            }
            // Taken out while in use: a nested use of the same text on this connection prepares one of its own.
            PreparedStatement ps = kept.remove(sql);
            if (ps == null) ps = physical.prepareStatement(sql);
            T result;
            try {
                result = use.run(ps);
            } catch (SQLException | RuntimeException | Error e) {
                closeQuietly(ps, e);
                throw e;
            }
            PreparedStatement other = kept.put(sql, ps);
            if (other != null) other.close();
            return result;
        }

        private static Map<String, PreparedStatement> newCache() {
            return new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                    if (size() <= MAX_PER_CONNECTION) return false;
                    closeQuietly(eldest.getValue(), null);
                    return true;
                }
            };
        }

        private void sweepClosed() {
            byConnection.keySet().removeIf(c -> {
                try {
                    return c.isClosed();
                } catch (SQLException e) {
                    return true;
                }
            });
        }

        /** How many connections have statements kept (for tests). */
        int connections() { return byConnection.size(); }

        private static void closeQuietly(PreparedStatement ps, Throwable cause) {
            try {
                ps.close();
            } catch (SQLException e) {
                if (cause != null) cause.addSuppressed(e);
            }
        }
    }
}
