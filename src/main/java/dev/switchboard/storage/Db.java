package dev.switchboard.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small JDBC helper: queries, updates and write transactions with row mappers. No ORM; SQL stays text in the stores.
 * Connections are auto-commit; a write transaction is our own BEGIN … COMMIT so that SQLite takes its write lock
 * up front instead of failing a read-to-write upgrade.
 */
public final class Db implements AutoCloseable {

    @FunctionalInterface
    public interface RowMapper<T> { T map(ResultSet rs) throws SQLException; }

    @FunctionalInterface
    public interface TxWork<T> { T run(Tx tx); }

    private final HikariDataSource pool;
    private final Dialect dialect;
    /** Set when the database takes one writer at a time: its writers then commit together (see GroupCommit). */
    private final GroupCommit groupCommit;

    private Db(HikariDataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
        this.groupCommit = dialect.singleWriter() ? new GroupCommit(this::connection, dialect.beginWrite()) : null;
    }

    private Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public static Db openSqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create the data folder " + dataDir + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve("switchboard.db").toAbsolutePath();
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=10000&foreign_keys=true");
        cfg.setAutoCommit(true);
        cfg.setMaximumPoolSize(8);
        cfg.setPoolName("switchboard-sqlite");
        Db db = new Db(new HikariDataSource(cfg), new Dialect.Sqlite());
        db.migrate();
        return db;
    }

    private void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .locations(dialect.migrationsLocation())
                .load()
                .migrate();
    }

    public Dialect dialect() { return dialect; }

    public DataSource dataSource() { return pool; }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = pool.getConnection()) {
            return Tx.query(c, sql, mapper, args);
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    public long queryLong(String sql, Object... args) {
        return queryOne(sql, rs -> rs.getLong(1), args).orElse(0L);
    }

    public int update(String sql, Object... args) {
        return inTransaction(tx -> tx.update(sql, args));
    }

    /**
     * Runs work in one write transaction; commits when it returns, rolls back when it throws. On SQLite the
     * transaction may be shared with other callers' work (each in its own savepoint): the work must not start
     * another transaction, and is stored or not as a whole either way.
     */
    public <T> T inTransaction(TxWork<T> work) {
        if (groupCommit != null) return groupCommit.run(work);
        return alone(work);
    }

    private <T> T alone(TxWork<T> work) {
        try (Connection c = pool.getConnection()) {
            try (var st = c.createStatement()) {
                st.execute(dialect.beginWrite());
            }
            try {
                Tx tx = new Tx(c);
                T result = work.run(tx);
                try (var st = c.createStatement()) {
                    st.execute("COMMIT");
                }
                tx.afterCommit.forEach(Runnable::run);
                return result;
            } catch (Throwable t) {
                try (var st = c.createStatement()) {
                    st.execute("ROLLBACK");
                } catch (SQLException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** True when the database answers; used by readiness. */
    public boolean ping() {
        try (Connection c = pool.getConnection(); var st = c.createStatement()) {
            st.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The statements of one open transaction. */
    public static final class Tx {
        private final Connection connection;
        private final List<Runnable> afterCommit = new ArrayList<>(2);

        Tx(Connection connection) { this.connection = connection; }

        /** Runs once the transaction has committed (never when it rolls back): for wake-ups of waiters. */
        public void afterCommit(Runnable action) { afterCommit.add(action); }

        List<Runnable> afterCommit() { return afterCommit; }

        public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
            try {
                return query(connection, sql, mapper, args);
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }

        public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
            List<T> rows = query(sql, mapper, args);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }

        public int update(String sql, Object... args) {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind(ps, args);
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }

        static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                    return out;
                }
            }
        }

        private static void bind(PreparedStatement ps, Object... args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Boolean b) {
                    ps.setInt(i + 1, b ? 1 : 0);
                } else {
                    ps.setObject(i + 1, a);
                }
            }
        }
    }
}
