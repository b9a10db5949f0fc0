package dev.switchboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM during runs: the node takes no new work (503), streams end with a reconnect event, a run that can finish
 * within the grace period does, the one that cannot is handed back and finished by the next node, exactly once.
 */
class GracefulShutdownTest {

    @Test
    void sigtermLetsShortRunsFinishHandsBackLongOnesAndTellsStreamsToReconnect(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start()) {
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_SHUTDOWN_GRACE_SECONDS", "4");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");
            String shortTask;
            String longTask;
            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            String agent = http.post("/v1/agents", "{\"name\":\"graceful\"}").json().path("id").asText();
            llm.enqueue(FakeLlm.slow("short answer", Duration.ofSeconds(1)), FakeLlm.slow("never sent", Duration.ofSeconds(60)));
            shortTask = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "short")))
                    .json().path("id").asText();
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
            longTask = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "long")))
                    .json().path("id").asText();
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 2);

            try (SseClient stream = SseClient.get(http.base(), "/v1/tasks/" + longTask + "/events", TestServer.ADMIN_KEY, Map.of())) {
                stream.next(Duration.ofSeconds(5));
                first.terminate();
                List<SseClient.Event> events = stream.all(Duration.ofSeconds(10));
                JsonNode last = events.getLast().envelope();
                assertThat(last.path("type").asText()).isEqualTo("reconnect");
                assertThat(last.path("data").path("reason").asText()).isEqualTo("node_shutdown");
                assertThat(last.path("data").path("last_event_id").asLong()).isPositive();
            }
            Http.Response refused = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "late")));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(http.get("/health").status()).isEqualTo(200);
            assertThat(first.awaitExit(Duration.ofSeconds(20))).as("the node exits after its grace period").isNotEqualTo(-1);

            // The next node finds the short run finished and resumes the long one from the queue.
            llm.enqueue(FakeLlm.text("long answer"));
            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                assertThat(again.get("/v1/tasks/" + shortTask).json().path("result").asText()).isEqualTo("short answer");
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        again.get("/v1/tasks/" + longTask).json().path("status").asText().equals("completed"));
                JsonNode done = again.get("/v1/tasks/" + longTask).json();
                assertThat(done.path("result").asText()).isEqualTo("long answer");
                assertThat(done.path("execution_attempts").asInt()).as("a handed-back run is not a lost one").isEqualTo(1);
            }
        }
    }
}
