package dev.switchboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What happens to runs when their node goes away: handed back on a graceful stop, given up after three losses. */
class ShutdownAndRetryLimitTest {
    FakeLlm llm;
    TestServer server;

    @BeforeEach
    void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
    }

    @AfterEach
    void stop() {
        server.close();
        llm.close();
    }

    @Test
    void aGracefulStopHandsRunningWorkBackWithoutCountingAnAttempt() {
        String agent = server.createAgent("shutdown");
        llm.enqueue(FakeLlm.slow("too late", Duration.ofSeconds(5)));
        String task = invokeAsync(agent);
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        server.restart(); // grace period 0: the run is released, not ended

        Http http = server.http();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/" + task).json().path("status").asText().equals("completed"));
        JsonNode done = http.get("/v1/tasks/" + task).json();
        assertThat(done.path("result").asText()).isEqualTo("echo: work");
        assertThat(done.path("execution_attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aRunLostWithItsWorkerThreeTimesEndsWorkerLost() throws Exception {
        String agent = server.createAgent("lost");
        llm.enqueue(FakeLlm.slow("never", Duration.ofSeconds(5)));
        String task = invokeAsync(agent);
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        server.app().close();
        // As if three nodes had claimed it and died.
        server.executeSql("UPDATE run_queue SET attempts = 3, lease_owner = 'dead-node', lease_expires_at = '2000-01-01T00:00:00.000000Z'");

        server.restart();

        Http http = server.http();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/" + task).json().path("status").asText().equals("error"));
        JsonNode lost = http.get("/v1/tasks/" + task).json();
        assertThat(lost.path("stop_reason").asText()).isEqualTo("worker_lost");
        assertThat(lost.path("error").path("code").asText()).isEqualTo("worker_lost");
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    private String invokeAsync(String agent) {
        Http.Response res = server.http().post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "work")));
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("pending");
        return res.json().path("id").asText();
    }
}
