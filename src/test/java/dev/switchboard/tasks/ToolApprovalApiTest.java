package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An agent tool attached with requires_approval pauses the run before each call until a person approves or rejects it. */
class ToolApprovalApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
        http = server.http();
        agent = http.post("/v1/agents", """
                {"name":"careful","attached_tools":[{"id":"current_time","requires_approval":true}]}""").json().path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    @BeforeEach
    void reset() {
        llm.reset();
    }

    private static JsonNode awaitStatus(String task, String status) {
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/" + task).json().path("status").asText().equals(status));
        return http.get("/v1/tasks/" + task).json();
    }

    @Test
    void theCallWaitsForApprovalThenRuns() {
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{\"timezone\":\"UTC\"}"), FakeLlm.text("It is noon."));

        long sent = System.nanoTime();
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "time?")));

        assertThat(res.status()).as("a sync invoke answers a paused task at once, as not finished").isEqualTo(202);
        // At once: not after the few seconds a sync caller waits for its run's end in memory.
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(3));
        JsonNode paused = res.json();
        assertThat(paused.path("status").asText()).isEqualTo("paused");
        assertThat(paused.path("hitl_request").path("wait_node_id").asText()).startsWith("tool:");
        assertThat(paused.path("hitl_request").path("title").asText()).contains("current_time");
        assertThat(llm.chatCalls()).isEqualTo(1);

        String task = paused.path("id").asText();
        assertThat(http.post("/v1/tasks/" + task + "/hitl/approve", "{}").status()).isEqualTo(200);

        JsonNode done = awaitStatus(task, "completed");
        assertThat(done.path("result").asText()).isEqualTo("It is noon.");
        JsonNode messages = llm.chatRequests().getLast().messages();
        assertThat(messages.get(messages.size() - 1).path("content").asText()).contains("UTC").doesNotContain("did not approve");
    }

    @Test
    void aRejectedCallIsToldToTheModel() {
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("Understood, no clock."));
        String task = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "time?")))
                .json().path("id").asText();
        awaitStatus(task, "paused");

        assertThat(http.post("/v1/tasks/" + task + "/hitl/reject", "{\"comment\":\"not now\"}").status()).isEqualTo(200);

        assertThat(awaitStatus(task, "completed").path("result").asText()).isEqualTo("Understood, no clock.");
        JsonNode messages = llm.chatRequests().getLast().messages();
        assertThat(messages.get(messages.size() - 1).path("content").asText()).contains("did not approve").contains("not now");
        assertThat(http.get("/v1/tasks/" + task).json().path("hitl_request").path("rejected_by").asText()).startsWith("api_key:");
    }
}
