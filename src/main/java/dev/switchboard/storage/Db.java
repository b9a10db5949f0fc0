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

    /** The channels of cross-node signals (PostgreSQL NOTIFY; nothing to send with one node on SQLite). */
    public enum Channel {
        /** New or newly claimable queued work. */
        WORK("sb_work"),
        /** A stop requested for a run (payload: the run id). */
        STOP("sb_stop"),
        /** A task's new events (payload: organization id / task id). */
        EVENTS("sb_events");

        final String wire;

        Channel(String wire) { this.wire = wire; }
    }

    private final HikariDataSource pool;
    private final Dialect dialect;
    /** Set when the database takes one writer at a time: its writers then commit together (see GroupCommit). */
    private final GroupCommit groupCommit;
    /** Set on PostgreSQL: where the other nodes' signals arrive. */
    private final PgListener listener;
    private final Statements statements;

    private Db(HikariDataSource pool, Dialect dialect, PgListener listener) {
        this.pool = pool;
        this.dialect = dialect;
        this.listener = listener;
        this.statements = switch (dialect) {
            case Dialect.Sqlite s -> new Statements.KeptPerConnection(pool.getMaximumPoolSize());
            case Dialect.Postgres p -> new Statements.PreparedEachTime();
        };
        this.groupCommit = dialect.singleWriter()
                ? new GroupCommit(this::connection, dialect.beginWrite(), statements) : null;
    }

    // SQLite only: how often the write-ahead log is moved into the database file (see WalCheckpointer).
    private static final java.time.Duration CHECKPOINT_INTERVAL = java.time.Duration.ofMillis(500);
    private WalCheckpointer checkpointer;

    private Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public static Db openSqlite(Path dataDir) {
        return openSqlite(dataDir, CHECKPOINT_INTERVAL, WalCheckpointer.RESTART_AT_PAGES);
    }

    /** With the write-ahead log's checkpoints tuned (tests make them frequent and small). */
    static Db openSqlite(Path dataDir, java.time.Duration checkpointInterval, int walRestartAtPages) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot create the data folder " + dataDir + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve("switchboard.db").toAbsolutePath();
        // No connection checkpoints the write-ahead log in its commits: a thread of our own does (WalCheckpointer).
        // The log file is cut back to 256 MiB when it is reset, after a burst made it grow: under steady load it is
        // reset at ~70-150 MB, and a limit below that (64 MiB, before) cut it back at every reset, with the writer held
        // (20-55 ms of freeing blocks), only for the next commits to grow it again. Temporary storage stays in
        // memory: the savepoints of a group commit (GroupCommit) keep pages' old contents in a statement journal, which
        // past 64 KiB went to a temporary file made, written (~8 writes a run) and deleted in every batch.
        String url = "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=10000&foreign_keys=true"
                + "&wal_autocheckpoint=0&journal_size_limit=268435456&temp_store=MEMORY";
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setAutoCommit(true);
        cfg.setMaximumPoolSize(8);
        cfg.setPoolName("switchboard-sqlite");
        Db db = new Db(new HikariDataSource(cfg), new Dialect.Sqlite(), null);
        db.migrate();
        db.checkpointer = new WalCheckpointer(url, file, db.groupCommit, checkpointInterval, walRestartAtPages);
        db.checkpointer.start();
        return db;
    }

    /**
     * PostgreSQL, shared by every node. The pool stays small: a run holds a connection only for the moment of a
     * read or a write, never across a model call, so a few connections serve thousands of runs on virtual threads.
     */
    public static Db openPostgres(PostgresUrl url, int poolSize) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) cfg.setUsername(url.user());
        if (url.password() != null) cfg.setPassword(url.password());
        cfg.setAutoCommit(true);
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(Math.min(2, poolSize));
        // A database that is away is noticed within seconds (the API then answers 503, a run is handed back), while a
        // burst that keeps every connection busy for a moment is waited out.
        cfg.setConnectionTimeout(10_000);
        cfg.setPoolName("switchboard-postgres");
        // Start even when the database is away for a moment; it is retried until it answers (see App).
        cfg.setInitializationFailTimeout(-1);
        // Migrations on connections of their own (Flyway holds a lock on one while it migrates on another), so that
        // even a pool of one can start; several nodes starting at once migrate one after the other.
        Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password())
                .locations(new Dialect.Postgres().migrationsLocation()).load().migrate();
        return new Db(new HikariDataSource(cfg), new Dialect.Postgres(), new PgListener(url));
    }

    /** Reports the connection pool (active, idle, pending, timeouts) to the node's metrics. */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        pool.setMetricRegistry(registry);
    }

    /** Hears the other nodes' signals on a channel (PostgreSQL); with one node on SQLite there are none to hear. */
    public void listen(Channel channel, java.util.function.Consumer<String> handler) {
        if (listener != null) listener.listen(channel.wire, handler);
    }

    private void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .locations(dialect.migrationsLocation())
                .load()
                .migrate();
    }

    public Dialect dialect() { return dialect; }

    private boolean isPostgres() { return dialect instanceof Dialect.Postgres; }

    public DataSource dataSource() { return pool; }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = pool.getConnection()) {
            return Tx.query(c, statements, isPostgres(), sql, mapper, args);
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
        return groupCommit != null ? groupCommit.run(work) : jdbcTransaction(work);
    }

    /** A transaction through JDBC's own calls: how pgjdbc expects one (it tracks the state itself). */
    private <T> T jdbcTransaction(TxWork<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                Tx tx = new Tx(c, statements, isPostgres());
                T result = work.run(tx);
                tx.sendSignals();
                c.commit();
                tx.afterCommit.forEach(Runnable::run);
                return result;
            } catch (Throwable t) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
            // (The pool sets auto-commit back when the connection returns.)
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Runs start-up work that two nodes starting at once must not both do (creating the default organization and its
     * first key): on PostgreSQL under an advisory lock held by this node until it is done; on SQLite as it is.
     */
    public <T> T exclusively(java.util.function.Supplier<T> work) {
        if (listener == null) return work.get();
        // The lock's connection is not the pool's: the work needs the pool's, which may be a single one.
        try (Connection c = listener.url().connect()) {
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_lock(7061626)");
            }
            try {
                return work.get();
            } finally {
                try (var st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(7061626)");
                }
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

    /** How many times the write-ahead log's checkpoint completed with the writer held (SQLite; 0 elsewhere). */
    long walRestarts() { return checkpointer == null ? 0 : checkpointer.restarts(); }

    @Override
    public void close() {
        if (listener != null) listener.close();
        if (checkpointer != null) checkpointer.close();
        pool.close();
    }

    /** The statements of one open transaction. */
    public static final class Tx {
        private final Connection connection;
        private final Statements statements;
        // On PostgreSQL: signals go out with the commit, and text is bound as PostgreSQL can store it.
        private final boolean postgres;
        // Signals of this transaction, each once (PostgreSQL folds identical ones of a transaction anyway).
        private final java.util.Set<String[]> signals = new java.util.TreeSet<>(
                java.util.Comparator.<String[], String>comparing(s -> s[0]).thenComparing(s -> s[1]));
        private final List<Runnable> afterCommit = new ArrayList<>(2);

        Tx(Connection connection, Statements statements, boolean postgres) {
            this.connection = connection;
            this.statements = statements;
            this.postgres = postgres;
        }

        /**
         * Signals the other nodes, delivered when (and only if) this transaction commits (PostgreSQL's NOTIFY);
         * nothing on SQLite, where this node is the only one.
         */
        public void signal(Channel channel, String payload) {
            if (postgres) signals.add(new String[]{channel.wire, payload});
        }

        /**
         * Sends the transaction's signals in one statement just before it commits (PostgreSQL delivers them with the
         * commit), rather than a round trip each.
         */
        void sendSignals() {
            if (signals.isEmpty()) return;
            try {
                java.sql.Array channels = connection.createArrayOf("text", signals.stream().map(s -> s[0]).toArray());
                java.sql.Array payloads = connection.createArrayOf("text", signals.stream().map(s -> s[1]).toArray());
                query("SELECT pg_notify(c, p) FROM unnest(?::text[], ?::text[]) AS s(c, p)", rs -> 1, channels, payloads);
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }

        /** Runs once the transaction has committed (never when it rolls back): for wake-ups of waiters. */
        public void afterCommit(Runnable action) { afterCommit.add(action); }

        List<Runnable> afterCommit() { return afterCommit; }

        public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
            try {
                return query(connection, statements, postgres, sql, mapper, args);
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }

        public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
            List<T> rows = query(sql, mapper, args);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }

        public int update(String sql, Object... args) {
            try {
                return statements.with(connection, sql, ps -> {
                    bind(ps, postgres, args);
                    return ps.executeUpdate();
                });
            } catch (SQLException e) {
                throw new StorageException(e);
            }
        }

        static <T> List<T> query(Connection c, Statements statements, boolean postgres, String sql, RowMapper<T> mapper,
                                 Object... args) throws SQLException {
            return statements.with(c, sql, ps -> {
                bind(ps, postgres, args);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                    return out;
                }
            });
        }

        /**
         * Binds the arguments. PostgreSQL's text cannot hold U+0000 (nor can jsonb its JSON escape): there, it is
         * replaced by U+FFFD, so that such input is stored (or looked up, and not found) instead of failing.
         */
        private static void bind(PreparedStatement ps, boolean postgres, Object... args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (postgres && a instanceof String s && (s.indexOf('\u0000') >= 0 || s.contains("\\u0000"))) {
                    a = s.replace('\u0000', '\uFFFD').replace("\\u0000", "\\ufffd");
                }
                if (a instanceof Boolean b) {
                    ps.setInt(i + 1, b ? 1 : 0);
                } else {
                    ps.setObject(i + 1, a);
                }
            }
        }
    }
}
