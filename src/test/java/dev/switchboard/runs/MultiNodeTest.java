package dev.switchboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.TestPostgres;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three server processes on one PostgreSQL: any node answers for any task, a stop sent to one node halts a run on
 * another, and a node killed with SIGKILL mid-run loses nothing: its runs are claimed by the others once its leases
 * lapse, and every task is finished exactly once.
 */
class MultiNodeTest {
    private static final int TASKS = 240;

    @Test
    void threeNodesShareTheWorkAndSurviveTheDeathOfOne(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start()) {
            // Runs last a while, so that many are in flight when a node dies.
            llm.defaultDelay(Duration.ofSeconds(3));
            Map<String, String> env = new HashMap<>();
            env.put("OPENAI_BASE_URL", llm.baseUrl());
            env.put("SWITCHBOARD_DATABASE_URL", TestPostgres.asSetting(TestPostgres.freshDatabase()));
            // Every node must open what another sealed.
            env.put("SWITCHBOARD_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
            env.put("SWITCHBOARD_LEASE_SECONDS", "3");
            env.put("SWITCHBOARD_DATABASE_POOL_SIZE", "8");
            List<ChildServer> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Map<String, String> own = new HashMap<>(env);
                    own.put("SWITCHBOARD_NODE_ID", "node-" + i);
                    nodes.add(ChildServer.start(dir.resolve("node-" + i), dir.resolve("node-" + i + ".log"), own));
                }
                Http first = nodes.get(0).http();
                String agent = first.post("/v1/agents", "{\"name\":\"shared\"}").json().path("id").asText();

                // A stop sent to one node halts a run executing on another.
                llm.enqueue(FakeLlm.slow("never", Duration.ofSeconds(20)));
                String slow = nodes.get(2).http().post("/v1/agents/" + agent + "/invoke/async",
                        Http.json("input", Map.of("text", "take your time"))).json().path("id").asText();
                await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatCalls() >= 1);
                long stopAsked = System.nanoTime();
                JsonNode stopped = nodes.get(1).http().post("/v1/tasks/" + slow + "/stop", "{}").json();
                assertThat(stopped.path("status").asText()).isEqualTo("stopped");
                assertThat(Duration.ofNanos(System.nanoTime() - stopAsked)).isLessThan(Duration.ofSeconds(5));

                // Many runs accepted by every node; one node dies while they run.
                Map<String, Integer> acceptedBy = new ConcurrentHashMap<>();
                List<String> tasks = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<String>> sent = new ArrayList<>();
                    for (int i = 0; i < TASKS; i++) {
                        int node = i % 3;
                        int n = i;
                        sent.add(pool.submit(() -> {
                            String id = nodes.get(node).http().post("/v1/agents/" + agent + "/invoke/async",
                                    Http.json("input", Map.of("text", "task " + n))).json().path("id").asText();
                            acceptedBy.put(id, node);
                            return id;
                        }));
                    }
                    for (Future<String> f : sent) tasks.add(f.get());
                }
                // A stream on a surviving node, following a task accepted (and run) by the node about to die.
                String followed = tasks.stream().filter(t -> acceptedBy.get(t) == 1).reduce((a, b) -> b).orElseThrow();
                try (SseClient stream = SseClient.get(first.base(), "/v1/tasks/" + followed + "/events",
                        TestServer.ADMIN_KEY, Map.of())) {
                    nodes.get(1).kill();
                    long killedAt = System.nanoTime();

                    Http survivor = nodes.get(2).http();
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                            tasks.stream().allMatch(t -> survivor.get("/v1/tasks/" + t).json().path("status").asText()
                                    .equals("completed")));
                    System.out.printf("multi-node: %d tasks done %.1f s after the kill%n", TASKS,
                            (System.nanoTime() - killedAt) / 1e9);
                    List<SseClient.Event> events = stream.all(Duration.ofSeconds(30));
                    assertThat(events.getLast().type()).isEqualTo("task_finished");
                    assertThat(events.getLast().data().path("status").asText()).isEqualTo("completed");
                }
                for (String t : tasks) {
                    JsonNode task = first.get("/v1/tasks/" + t).json();
                    assertThat(task.path("result").asText()).as(t).startsWith("echo: task ");
                    try (SseClient log = SseClient.get(first.base(), "/v1/tasks/" + t + "/events", TestServer.ADMIN_KEY, Map.of())) {
                        long finished = log.all(Duration.ofSeconds(10)).stream()
                                .filter(e -> e.type().equals("task_finished")).count();
                        assertThat(finished).as("task %s finished once", t).isEqualTo(1);
                    }
                }
                long resumed = tasks.stream().filter(t -> acceptedBy.get(t) == 1)
                        .filter(t -> first.get("/v1/tasks/" + t).json().path("execution_attempts").asInt() > 1).count();
                assertThat(resumed).as("runs of the dead node were claimed again by the others").isPositive();
            } finally {
                for (ChildServer n : nodes) n.close();
            }
        }
    }
}
