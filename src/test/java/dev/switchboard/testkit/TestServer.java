package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.App;
import dev.switchboard.config.Config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real server on a random port, with SQLite in a temporary folder and the fake model as its OpenAI provider.
 * {@link #restart()} starts a new App on the same database, as a crashed-and-restarted node would.
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_KEY = "sb-test-admin-key";

    private final Map<String, String> env;
    private final Path dataDir;
    private App app;

    private TestServer(Map<String, String> env, Path dataDir) {
        this.env = env;
        this.dataDir = dataDir;
        this.app = App.start(Config.fromEnv(env));
    }

    /** A server using the given fake model; extra settings override the defaults. */
    public static TestServer start(FakeLlm llm, Map<String, String> extra) {
        try {
            Path dir = Files.createTempDirectory("switchboard-test");
            Map<String, String> env = new HashMap<>();
            env.put("SWITCHBOARD_PORT", "0");
            env.put("SWITCHBOARD_HOST", "127.0.0.1");
            env.put("SWITCHBOARD_DATA_DIR", dir.toString());
            env.put("SWITCHBOARD_API_KEY", ADMIN_KEY);
            env.put("SWITCHBOARD_SHUTDOWN_GRACE_SECONDS", "0");
            if (llm != null) env.put("OPENAI_BASE_URL", llm.baseUrl());
            // -Dswitchboard.test.database=postgres runs every API test on PostgreSQL instead.
            if ("postgres".equals(System.getProperty("switchboard.test.database"))) {
                env.put("SWITCHBOARD_DATABASE_URL", TestPostgres.asSetting(TestPostgres.freshDatabase()));
            }
            env.putAll(extra);
            return new TestServer(env, dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestServer start(FakeLlm llm) { return start(llm, Map.of()); }

    public Http http() { return new Http("http://127.0.0.1:" + app.port(), ADMIN_KEY); }

    public Path dataDir() { return dataDir; }

    /** Runs a statement on the server's database directly (SQLite file or PostgreSQL), as an outside hand would. */
    public void executeSql(String sql) {
        String url = env.get("SWITCHBOARD_DATABASE_URL");
        try (java.sql.Connection c = url == null
                ? java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("switchboard.db"))
                : dev.switchboard.storage.PostgresUrl.parse(url).connect();
             java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public App app() { return app; }

    public void restart() {
        app.close();
        app = App.start(Config.fromEnv(env));
    }

    /** Creates an agent with the given name and returns its id. */
    public String createAgent(String name) {
        Http.Response res = http().post("/v1/agents", Http.json("name", name));
        if (res.status() != 201) throw new AssertionError("create agent: " + res);
        return res.json().path("id").asText();
    }

    /** Creates another organization and returns a client holding its first key. */
    public Http newOrganization(String name) {
        Http.Response res = http().post("/v1/organizations", Http.json("name", name));
        if (res.status() != 201) throw new AssertionError("create organization: " + res);
        JsonNode body = res.json();
        return http().withKey(body.path("api_key").asText());
    }

    @Override
    public void close() {
        app.close();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; the OS cleans up what is left
        }
    }
}
