package dev.switchboard.storage;

/**
 * What differs between the databases we run on. Every SQL difference lives here, so the stores stay dialect-free.
 * PostgreSQL joins this family with the scale-out work; SQLite is the embedded default.
 */
public sealed interface Dialect permits Dialect.Sqlite {

    /** Opens a write transaction; SQLite must take the write lock up front (see stack-lab §4a). */
    String beginWrite();

    /** Folder of this dialect's Flyway migrations. */
    String migrationsLocation();

    /** True when only one node can use the database, so on start every lease left behind belongs to a dead node. */
    boolean singleNode();

    /** True when the database takes one writer at a time, so writers are better queued in the JVM than in it. */
    boolean singleWriter();

    record Sqlite() implements Dialect {
        @Override public String beginWrite() { return "BEGIN IMMEDIATE"; }
        @Override public String migrationsLocation() { return "classpath:db/sqlite"; }
        @Override public boolean singleNode() { return true; }
        @Override public boolean singleWriter() { return true; }
    }
}
