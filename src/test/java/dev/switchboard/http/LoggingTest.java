package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production logging: JSON lines with the ids of what they are about (the trace's too), and no prompt text or
 * answers in them.
 */
class LoggingTest {

    @Test
    void jsonLogLinesCarryTheTaskRunAndOrganizationAndNoPromptText(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start()) {
            // One failed model call, retried: a line logged while the run works.
            llm.enqueue(FakeLlm.error(500, "upstream trouble"), FakeLlm.text("the confidential answer"));
            Path log = dir.resolve("server.log");
            JsonNode task;
            try (ChildServer server = ChildServer.start(dir.resolve("data"), log,
                    Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_LOG_FORMAT", "json",
                            "SWITCHBOARD_MODEL_RETRY_BASE_MS", "10"),
                    // The production logging configuration, not the tests' one.
                    List.of("-Dlogback.configurationFile=logback.xml"))) {
                Http http = server.http();
                String agent = http.post("/v1/agents", "{\"name\":\"logged\"}").json().path("id").asText();
                task = http.post("/v1/agents/" + agent + "/invoke",
                        Http.json("input", Map.of("text", "my secret prompt words")),
                        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).json();
                assertThat(task.path("status").asText()).isEqualTo("completed");
            }
            List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).toList();
            assertThat(lines).isNotEmpty();
            List<JsonNode> events = lines.stream().map(Json::tree).toList();
            JsonNode retry = events.stream().filter(e -> e.path("formattedMessage").asText().contains("retry"))
                    .findFirst().orElseThrow(() -> new AssertionError("no retry line in " + lines));
            assertThat(retry.path("level").asText()).isEqualTo("INFO");
            JsonNode mdc = retry.path("mdc");
            assertThat(mdc.path("task_id").asText()).isEqualTo(task.path("id").asText());
            assertThat(mdc.path("organization_id").asText()).isEqualTo(task.path("organization_id").asText());
            assertThat(mdc.path("run_id").asText()).isNotBlank();
            // The caller's trace, carried through the queue into the run's lines.
            assertThat(mdc.path("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            String all = String.join("\n", Files.readAllLines(log));
            assertThat(all).doesNotContain("my secret prompt words").doesNotContain("the confidential answer");
        }
    }
}
