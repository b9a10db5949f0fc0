package dev.switchboard.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestPostgres;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose PostgreSQL goes away: the API answers 503 (nothing stored, worth retrying), readiness fails, a run in
 * flight is not failed but resumed, and when the database is back the node serves again without a restart.
 */
class PostgresOutageTest {

    @Test
    void aNodeWithoutItsDatabaseAnswers503AndRecoversWhenItReturns() throws Exception {
        PostgresUrl url = TestPostgres.freshDatabase();
        String name = url.jdbcUrl().replaceFirst("^jdbc:postgresql://[^/]+/([^?]+).*$", "$1");
        PostgresUrl admin = new PostgresUrl(url.jdbcUrl().replace("/" + name + "?", "/postgres?"), url.user(), url.password());
        try (FakeLlm llm = FakeLlm.start();
             TestServer server = TestServer.start(llm, new HashMap<>(Map.of("SWITCHBOARD_DATABASE_URL", TestPostgres.asSetting(url),
                     "SWITCHBOARD_LEASE_SECONDS", "3")))) {
            Http http = server.http();
            String agent = server.createAgent("steady");
            assertThat(invoke(http, agent).status()).isEqualTo(200);
            // A run waiting on the model when the database goes away.
            llm.enqueue(FakeLlm.slow("answered before the outage ended", Duration.ofSeconds(2)));
            String inFlight = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "slow")))
                    .json().path("id").asText();
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 2);

            sql(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            sql(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            try {
                Http.Response refused = invoke(http, agent);
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().path("detail").asText()).contains("database is unavailable");
                assertThat(refused.headers().get("retry-after")).containsExactly("2");
                assertThat(http.get("/readyz").status()).isEqualTo(503);
            } finally {
                sql(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/readyz").status() == 200);
            Http.Response again = invoke(http, agent);
            assertThat(again.status()).isEqualTo(200);
            JsonNode task = again.json();
            assertThat(task.path("status").asText()).isEqualTo("completed");

            // The run whose answer came during the outage is not failed: it stores its end once the database is back
            // (or, had the outage outlasted the connection timeout, it is handed back and resumed).
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !http.get("/v1/tasks/" + inFlight).json().path("status").asText().matches("pending|executing"));
            assertThat(http.get("/v1/tasks/" + inFlight).json().path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void aNodeWorksWithAPoolOfOneConnection() {
        // Runs never hold a connection across a model call, and start-up's lock has a connection of its own.
        try (FakeLlm llm = FakeLlm.start();
             TestServer server = TestServer.start(llm, Map.of("SWITCHBOARD_DATABASE_URL",
                     TestPostgres.asSetting(TestPostgres.freshDatabase()), "SWITCHBOARD_DATABASE_POOL_SIZE", "1"))) {
            String agent = server.createAgent("frugal");
            for (int i = 0; i < 3; i++) {
                llm.enqueue(FakeLlm.slow("answer " + i, Duration.ofMillis(200)));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(invoke(server.http(), agent).json().path("status").asText()).isEqualTo("completed");
            }
        }
    }

    private static Http.Response invoke(Http http, String agent) {
        return http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "hello")));
    }

    private static void sql(PostgresUrl url, String sql) throws Exception {
        try (Connection c = url.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
