package dev.switchboard.http;

import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.Receiver;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OpenTelemetry over OTLP/HTTP to a loopback receiver: a request's span, the run's span continuing its trace across
 * the queue, the model call's and the tool call's; the trace id in the answer's traceparent and in webhook headers.
 */
class TracingTest {

    @Test
    void aRunContinuesTheTraceOfTheRequestThatAcceptedIt() {
        try (FakeLlm llm = FakeLlm.start(); Receiver otlp = Receiver.start(); Receiver hooks = Receiver.start();
             TestServer server = TestServer.start(llm, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.url(""),
                     "OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_SERVICE_NAME", "switchboard-test",
                     "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true"))) {
            Http http = server.http();
            String agent = http.post("/v1/agents", "{\"name\":\"traced\",\"attached_tools\":[{\"id\":\"current_time\"}]}")
                    .json().path("id").asText();
            llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("noon"));
            // The caller's own trace: the server's spans join it.
            String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
            Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "time?"),
                    "webhook_url", hooks.url("/done")), Map.of("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01"));
            assertThat(res.json().path("status").asText()).isEqualTo("completed");
            assertThat(res.headers().get("traceparent").getFirst()).startsWith("00-" + callerTrace + "-");

            byte[] traceId = HexFormat.of().parseHex(callerTrace);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                byte[] all = exported(otlp);
                String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
                return text.contains("POST /v1/agents/{id}/invoke") && text.contains("run agent")
                        && text.contains("chat openai/gpt-4.1") && text.contains("tool current_time");
            });
            // Every one of them in the caller's trace: the request's, the run's, two model calls', the tool call's.
            assertThat(occurrences(exported(otlp), traceId)).isGreaterThanOrEqualTo(5);
            assertThat(otlp.received().getFirst().path()).isEqualTo("/v1/traces");
            assertThat(new String(exported(otlp), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("switchboard-test");

            await().atMost(Duration.ofSeconds(10)).until(() -> !hooks.received("/done").isEmpty());
            assertThat(hooks.received("/done").getFirst().header("traceparent")).startsWith("00-" + callerTrace + "-");
        }
    }

    private static byte[] exported(Receiver otlp) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        otlp.received().forEach(r -> all.writeBytes(r.body()));
        return all.toByteArray();
    }

    private static int occurrences(byte[] haystack, byte[] needle) {
        int count = 0;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            count++;
        }
        return count;
    }
}
