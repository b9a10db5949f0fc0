package dev.switchboard.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQLite's statements kept per connection (Statements.KeptPerConnection), on a real database file: reused, never
 * reused after a failure, and never left holding a read transaction open (which would keep the write-ahead log from
 * being checkpointed).
 */
class StatementsTest {
    @TempDir
    Path dir;
    Db db;
    Connection connection;
    final Statements.KeptPerConnection kept = new Statements.KeptPerConnection(8);

    @BeforeEach
    void open() throws Exception {
        db = Db.openSqlite(dir);
        db.update("CREATE TABLE st_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
        db.update("INSERT INTO st_test(k, v) VALUES ('a', 1), ('b', 2), ('c', 3)");
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("switchboard.db"));
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
        db.close();
    }

    @Test
    void aStatementIsPreparedOnceAndReusedOnItsConnection() throws Exception {
        PreparedStatement first = kept.with(connection, "SELECT v FROM st_test WHERE k = ?", ps -> ps);
        PreparedStatement second = kept.with(connection, "SELECT v FROM st_test WHERE k = ?", ps -> {
            ps.setString(1, "b");
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            return ps;
        });
        assertThat(second).isSameAs(first);
        assertThat(second.isClosed()).isFalse();
        assertThat(kept.connections()).isEqualTo(1);
    }

    @Test
    void aStatementThatFailedIsClosedAndNotReused() throws Exception {
        String insert = "INSERT INTO st_test(k, v) VALUES (?, ?)";
        PreparedStatement[] failed = new PreparedStatement[1];
        assertThatThrownBy(() -> kept.with(connection, insert, ps -> {
            failed[0] = ps;
            ps.setString(1, "a"); // taken: fails
            ps.setInt(2, 9);
            return ps.executeUpdate();
        })).isInstanceOf(java.sql.SQLException.class);
        assertThat(failed[0].isClosed()).isTrue();

        int inserted = kept.with(connection, insert, ps -> {
            assertThat(ps).isNotSameAs(failed[0]);
            ps.setString(1, "d");
            ps.setInt(2, 4);
            return ps.executeUpdate();
        });
        assertThat(inserted).isEqualTo(1);
    }

    @Test
    void theStatementsOfAClosedConnectionAreLetGoWhenTheCacheOutgrowsThePool() throws Exception {
        Statements.KeptPerConnection forOne = new Statements.KeptPerConnection(1);
        Connection retired = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("switchboard.db"));
        forOne.with(retired, "SELECT 1", ps -> ps.executeQuery().next());
        retired.close(); // as the pool retires a connection (the driver finalizes its statements; the pool never lends it again)

        forOne.with(connection, "SELECT 1", ps -> ps.executeQuery().next());
        assertThat(forOne.connections()).isEqualTo(1);
    }

    @Test
    void aNestedUseOfTheSameTextGetsAStatementOfItsOwn() throws Exception {
        String sql = "SELECT v FROM st_test WHERE k = ?";
        int sum = kept.with(connection, sql, outer -> {
            outer.setString(1, "a");
            try (ResultSet rs = outer.executeQuery()) {
                rs.next();
                int inner = kept.with(connection, sql, ps -> {
                    assertThat(ps).isNotSameAs(outer);
                    ps.setString(1, "c");
                    try (ResultSet r = ps.executeQuery()) {
                        r.next();
                        return r.getInt(1);
                    }
                });
                return rs.getInt(1) + inner;
            }
        });
        assertThat(sum).isEqualTo(4);
    }

    @Test
    void keptStatementsHoldNoReadTransactionSoTheLogCanBeCheckpointedToTheEnd() throws Exception {
        // Through the server's own path: queries (one abandoned by its row mapper mid-read) and writes.
        for (int i = 0; i < 20; i++) {
            assertThat(db.query("SELECT k FROM st_test ORDER BY k", rs -> rs.getString(1))).hasSize(3);
            assertThatThrownBy(() -> db.query("SELECT v FROM st_test ORDER BY k", rs -> {
                throw new IllegalStateException("mapper gives up after the first row");
            })).isInstanceOf(IllegalStateException.class);
            db.update("UPDATE st_test SET v = v + 1 WHERE k = 'a'");
        }
        // A TRUNCATE checkpoint reports busy (1) while any reader holds a snapshot of the log.
        try (var st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("checkpoint blocked by a reader").isZero();
        }
        assertThat(db.queryLong("SELECT v FROM st_test WHERE k = 'a'")).isEqualTo(21);
    }
}
