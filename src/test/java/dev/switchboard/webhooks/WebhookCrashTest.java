package dev.switchboard.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.Receiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Webhook deliveries survive a kill -9: a new server on the same database delivers every one of them. */
class WebhookCrashTest {

    @Test
    void noDeliveryIsLostAcrossAKill(@TempDir Path dir) throws Exception {
        int tasks = 5;
        try (FakeLlm llm = FakeLlm.start(); Receiver receiver = Receiver.start()) {
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(),
                    "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true",
                    "SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE", "200ms,200ms,200ms,200ms,200ms",
                    "SWITCHBOARD_WEBHOOK_TIMEOUT_SECONDS", "30");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");
            // Every first attempt hangs until the server is killed mid-request; the retries after the restart answer.
            for (int i = 0; i < tasks; i++) receiver.reply("/hook", Receiver.Reply.slow(Duration.ofSeconds(20)));
            for (int i = 0; i < tasks; i++) llm.enqueue(FakeLlm.text("answer"));

            List<String> ids = new ArrayList<>();
            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            assertThat(http.post("/v1/webhooks", Http.json("url", receiver.url("/hook"))).status()).isEqualTo(201);
            String agent = http.post("/v1/agents", Http.json("name", "crash")).json().path("id").asText();
            for (int i = 0; i < tasks; i++) {
                ids.add(http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "t" + i)))
                        .json().path("id").asText());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received("/hook").size() >= tasks);
            first.kill();

            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        again.get("/v1/webhooks/deliveries?status=succeeded").json().path("total").asInt() == tasks);
                JsonNode all = again.get("/v1/webhooks/deliveries").json();
                assertThat(all.path("total").asInt()).isEqualTo(tasks);
                // The attempt cut by the kill was never recorded; the retry after the restart is the first stored.
                for (JsonNode d : all.path("items")) {
                    assertThat(d.path("attempts")).hasSize(1);
                    assertThat(d.path("attempts").get(0).path("status_code").asInt()).isEqualTo(200);
                }
            }
            List<Receiver.Received> got = receiver.received("/hook");
            Set<String> delivered = got.stream().map(r -> r.json().path("data").path("id").asText()).collect(Collectors.toSet());
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(ids);
            // Each event kept its webhook-id across the crash: one id per task, each sent twice.
            Map<String, Long> perId = got.stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
            assertThat(perId).hasSize(tasks);
            assertThat(perId.values()).containsOnly(2L);
        }
    }
}
