package dev.switchboard.storage;

/**
 * What differs between the databases we run on. Every SQL difference lives here, so the stores stay dialect-free.
 * SQLite is the embedded default (one node); PostgreSQL lets several nodes share one database.
 */
public sealed interface Dialect permits Dialect.Sqlite, Dialect.Postgres {

    /** Opens a write transaction; SQLite must take the write lock up front (see stack-lab §4a). */
    String beginWrite();

    /** Folder of this dialect's Flyway migrations. */
    String migrationsLocation();

    /** True when only one node can use the database, so on start every lease left behind belongs to a dead node. */
    boolean singleNode();

    /** True when the database takes one writer at a time, so writers are better queued in the JVM than in it. */
    boolean singleWriter();

    /** The larger of two values ({@code MAX(a, b)} on SQLite, {@code GREATEST(a, b)} on PostgreSQL). */
    String greatest(String a, String b);

    /**
     * What a claiming SELECT ends with so that nodes claiming at once take different rows: nothing on SQLite (one
     * writer at a time), {@code FOR UPDATE … SKIP LOCKED} on PostgreSQL.
     */
    String skipLocked(String table);

    record Sqlite() implements Dialect {
        @Override public String beginWrite() { return "BEGIN IMMEDIATE"; }
        @Override public String migrationsLocation() { return "classpath:db/sqlite"; }
        @Override public boolean singleNode() { return true; }
        @Override public boolean singleWriter() { return true; }
        @Override public String greatest(String a, String b) { return "MAX(" + a + ", " + b + ")"; }
        @Override public String skipLocked(String table) { return ""; }
    }

    record Postgres() implements Dialect {
        @Override public String beginWrite() { return "BEGIN"; }
        @Override public String migrationsLocation() { return "classpath:db/postgres"; }
        @Override public boolean singleNode() { return false; }
        @Override public boolean singleWriter() { return false; }
        @Override public String greatest(String a, String b) { return "GREATEST(" + a + ", " + b + ")"; }
        @Override public String skipLocked(String table) { return " FOR UPDATE OF " + table + " SKIP LOCKED"; }
    }
}
