package dev.switchboard.storage;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage contract on SQLite, the embedded default. */
class SqliteStorageTest extends StorageContract {
    @TempDir
    Path dir;

    @Override
    protected Db open() { return Db.openSqlite(dir); }
}
