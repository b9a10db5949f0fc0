package dev.switchboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Accepted tasks survive the server being killed without warning: a new server on the same database finishes every
 * one of them, none twice, and does not call the model again for a turn that had already completed.
 */
class CrashRecoveryTest {

    @Test
    void everyAcceptedTaskCompletesExactlyOnceAfterAKill(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start()) {
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl());
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");
            int fast = 4;
            int slow = 8;
            for (int i = 0; i < fast; i++) llm.enqueue(FakeLlm.text("fast answer"));
            for (int i = 0; i < slow; i++) llm.enqueue(FakeLlm.slow("slow answer", Duration.ofSeconds(2)));

            List<String> tasks = new ArrayList<>();
            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            String agent = http.post("/v1/agents", Http.json("name", "crash")).json().path("id").asText();
            for (int i = 0; i < fast + slow; i++) {
                // One at a time so that the scripted replies reach the tasks in order: fast ones first.
                Http.Response res = http.post("/v1/agents/" + agent + "/invoke/async",
                        Http.json("input", Map.of("text", "task-" + i)));
                assertThat(res.status()).isEqualTo(200);
                tasks.add(res.json().path("id").asText());
                if (i < fast) {
                    String id = tasks.getLast();
                    await().atMost(Duration.ofSeconds(10)).until(() -> status(http, id).equals("completed"));
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatCalls() == fast + slow);
            Set<String> completedBeforeKill = tasks.stream()
                    .filter(id -> status(http, id).equals("completed")).collect(Collectors.toSet());
            first.kill();
            assertThat(completedBeforeKill).hasSizeGreaterThanOrEqualTo(fast).hasSizeLessThan(fast + slow);

            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            tasks.stream().allMatch(id -> status(again, id).equals("completed")));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // Say what the tasks are doing and what the servers logged, or a failure here cannot be read.
                    tasks.forEach(id -> System.err.println(id + ": " + again.get("/v1/tasks/" + id).text()));
                    System.err.println(java.nio.file.Files.readString(log));
                    throw e;
                }
                for (String id : tasks) {
                    JsonNode task = again.get("/v1/tasks/" + id).json();
                    int expectedAttempts = completedBeforeKill.contains(id) ? 1 : 2;
                    assertThat(task.path("execution_attempts").asInt()).as("attempts of " + id).isEqualTo(expectedAttempts);
                    assertThat(again.get("/v1/tasks/" + id + "/runs").json()).hasSize(1);
                }
            }
            // The model saw each finished turn once: only the interrupted ones were asked again.
            for (int i = 0; i < tasks.size(); i++) {
                String text = "task-" + i;
                long calls = llm.chatRequests().stream().filter(r -> r.lastUserText().equals(text)).count();
                assertThat(calls).as("model calls for " + text)
                        .isEqualTo(completedBeforeKill.contains(tasks.get(i)) ? 1 : 2);
            }
            // Each run announced its end exactly once.
            try (var conn = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("switchboard.db"));
                 var rs = conn.createStatement().executeQuery(
                         "SELECT run_id, COUNT(*) FROM task_events WHERE type = 'task_finished' GROUP BY run_id")) {
                int runs = 0;
                while (rs.next()) {
                    runs++;
                    assertThat(rs.getInt(2)).as("task_finished events of run " + rs.getString(1)).isEqualTo(1);
                }
                assertThat(runs).isEqualTo(tasks.size());
            }
        }
    }

    private static String status(Http http, String taskId) {
        return http.get("/v1/tasks/" + taskId).json().path("status").asText();
    }
}
