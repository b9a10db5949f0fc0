package dev.switchboard.http;

import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /metrics in Prometheus's text format, and the figures moving after a run. */
class MetricsApiTest {

    @Test
    void metricsMoveAfterARunWithAToolCall() {
        try (FakeLlm llm = FakeLlm.start(); TestServer server = TestServer.start(llm)) {
            Http http = server.http();
            String agent = http.post("/v1/agents", "{\"name\":\"measured\",\"attached_tools\":[{\"id\":\"current_time\"}]}")
                    .json().path("id").asText();
            String before = scrape(http);
            llm.enqueue(FakeLlm.error(429, "slow down"), new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("done"));
            Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "what time")));
            assertThat(res.json().path("status").asText()).isEqualTo("completed");
            // A stream open while scraping: following a run still waiting on the model.
            llm.enqueue(FakeLlm.slow("later", Duration.ofSeconds(2)));
            String running = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "slow")))
                    .json().path("id").asText();
            try (SseClient open = SseClient.get(http.base(), "/v1/tasks/" + running + "/events", TestServer.ADMIN_KEY, Map.of())) {
                open.next(Duration.ofSeconds(2));
                String after = scrape(http);

                assertThat(value(after, "switchboard_runs_ended_total", "kind=\"agent\",status=\"completed\",stop_reason=\"end_turn\""))
                        .isEqualTo(value(before, "switchboard_runs_ended_total", "kind=\"agent\",status=\"completed\",stop_reason=\"end_turn\"") + 1);
                assertThat(value(after, "switchboard_model_calls_seconds_count", "model=\"gpt-4.1\",outcome=\"ok\",provider=\"openai\""))
                        .isGreaterThanOrEqualTo(2);
                assertThat(value(after, "switchboard_model_retries_total", "provider=\"openai\",reason=\"rate_limit\"")).isEqualTo(1);
                assertThat(value(after, "switchboard_model_tokens_total", "model=\"gpt-4.1\",provider=\"openai\",type=\"prompt\"")).isPositive();
                assertThat(value(after, "switchboard_tool_calls_seconds_count", "outcome=\"ok\",tool=\"current_time\"")).isEqualTo(1);
                // Recorded as the handler returns, a moment after the answer left.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> value(scrape(http),
                        "switchboard_http_requests_seconds_count",
                        "method=\"POST\",route=\"/v1/agents/{id}/invoke\",status=\"200\"") == 1);
                assertThat(after).contains("switchboard_http_requests_seconds_bucket{");
                assertThat(value(after, "switchboard_sse_streams_open", "")).isEqualTo(1);
                assertThat(value(after, "switchboard_runs_in_flight", "")).isEqualTo(1);
                assertThat(after).contains("switchboard_queue_wait_seconds_count", "switchboard_runs_in_flight",
                        "switchboard_queue_depth", "hikaricp_connections_active", "jvm_memory_used_bytes");
                assertThat(after).doesNotContain(res.json().path("id").asText()).doesNotContain(TestServer.ADMIN_KEY);
            }
        }
    }

    private static String scrape(Http http) {
        Http.Response res = http.withKey(null).get("/metrics");
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.headers().get("content-type").getFirst()).startsWith("text/plain");
        return res.text();
    }

    /** The value of one series (its labels as Prometheus prints them, sorted), 0 when absent. */
    private static double value(String scrape, String name, String labels) {
        String series = labels.isEmpty() ? name : name + "{" + labels + "}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
