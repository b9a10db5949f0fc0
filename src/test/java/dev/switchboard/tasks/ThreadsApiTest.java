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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Tasks are threads (CONTRACT §4.3): follow-up turns, history, client-chosen ids, busy-thread strategies. */
class ThreadsApiTest {
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
                {"name":"threads","instructions":{"general":"You are a patient tutor."}}""").json().path("id").asText();
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

    @Test
    void aFollowUpContinuesTheThreadAndTheModelSeesTheEarlierTurns() {
        llm.enqueue(FakeLlm.text("Paris."), FakeLlm.text("About two million."));
        JsonNode first = invoke(agent, Map.of("input", Map.of("text", "Capital of France?")));
        String id = first.path("id").asText();

        JsonNode second = invoke(agent, Map.of("id", id, "input", Map.of("text", "How many people live there?")));

        assertThat(second.path("id").asText()).isEqualTo(id);
        assertThat(second.path("status").asText()).isEqualTo("completed");
        assertThat(second.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(second.path("input").path("text").asText()).isEqualTo("How many people live there?");
        assertThat(second.path("result").asText()).isEqualTo("About two million.");
        assertThat(Instant.parse(second.path("created_at").asText())).isAfterOrEqualTo(Instant.parse(first.path("finished_at").asText()));
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly(
                "user: Capital of France?", "assistant: Paris.", "user: How many people live there?");
        assertThat(llm.chatRequests().getLast().systemText()).contains("You are a patient tutor.");
        // The task is the thread with its latest turn laid over it.
        JsonNode stored = http.get("/v1/tasks/" + id).json();
        assertThat(stored.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(stored.path("result").asText()).isEqualTo("About two million.");
        assertThat(TaskLifecycleApiTest.itemIds(http.get("/v1/tasks?agent_id=" + agent + "&per_page=100").json()))
                .containsOnlyOnce(id);
    }

    @Test
    void numHistoryRunsLimitsTheEarlierTurnsSent() {
        String brief = http.post("/v1/agents", """
                {"name":"short memory","agno_settings":{"num_history_runs":1}}""").json().path("id").asText();
        llm.enqueue(FakeLlm.text("a1"), FakeLlm.text("a2"), FakeLlm.text("a3"));
        String id = invoke(brief, Map.of("input", Map.of("text", "q1"))).path("id").asText();
        invoke(brief, Map.of("id", id, "input", Map.of("text", "q2")));

        invoke(brief, Map.of("id", id, "input", Map.of("text", "q3")));

        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: q2", "assistant: a2", "user: q3");

        String none = http.post("/v1/agents", """
                {"name":"no memory","agno_settings":{"num_history_runs":0}}""").json().path("id").asText();
        String other = invoke(none, Map.of("input", Map.of("text", "remember 7"))).path("id").asText();
        invoke(none, Map.of("id", other, "input", Map.of("text", "what number?")));
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: what number?");
    }

    @Test
    void onlyCompletedTurnsAreHistory() {
        llm.enqueue(FakeLlm.error(400, "bad request"), FakeLlm.text("fine now"));
        JsonNode failed = invoke(agent, Map.of("input", Map.of("text", "first try")));
        assertThat(failed.path("status").asText()).isEqualTo("error");

        JsonNode next = invoke(agent, Map.of("id", failed.path("id").asText(), "input", Map.of("text", "second try")));

        assertThat(next.path("status").asText()).isEqualTo("completed");
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: second try");
    }

    @Test
    void aClientChosenIdCreatesAThreadWithThatId() {
        String id = "crm.ticket:4711_b-" + System.nanoTime();

        JsonNode first = invoke(agent, Map.of("id", id, "input", Map.of("text", "open the ticket")));
        assertThat(first.path("id").asText()).isEqualTo(id);
        assertThat(first.path("thread_turn").asInt()).isEqualTo(1);
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: open the ticket");
        assertThat(http.get("/v1/tasks/" + id).json().path("status").asText()).isEqualTo("completed");

        JsonNode second = invoke(agent, Map.of("id", id, "input", Map.of("text", "close it")));
        assertThat(second.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(conversation(llm.chatRequests().getLast()))
                .containsExactly("user: open the ticket", "assistant: echo: open the ticket", "user: close it");

        // Async creates it too.
        String asyncId = "async-" + System.nanoTime();
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("id", asyncId, "input", Map.of("text", "x")));
        assertThat(res.json().path("id").asText()).isEqualTo(asyncId);
        assertThat(awaitEnd(asyncId).path("status").asText()).isEqualTo("completed");
    }

    @Test
    void anotherOrganizationsThreadIdIsANewThreadThatLeaksNothing() {
        String id = "shared-name-" + System.nanoTime();
        invoke(agent, Map.of("id", id, "input", Map.of("text", "my secret is 1234")));
        Http other = server.newOrganization("threads-other");
        String theirAgent = other.post("/v1/agents", Http.json("name", "theirs")).json().path("id").asText();

        Http.Response res = other.post("/v1/agents/" + theirAgent + "/invoke", Http.json("id", id, "input", Map.of("text", "what is the secret?")));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("id").asText()).isEqualTo(id);
        assertThat(res.json().path("thread_turn").asInt()).isEqualTo(1);
        assertThat(res.json().path("agent_id").asText()).isEqualTo(theirAgent);
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: what is the secret?");
        assertThat(other.get("/v1/tasks/" + id + "/thread").text()).doesNotContain("1234");
        // And ours is untouched.
        JsonNode ours = http.get("/v1/tasks/" + id).json();
        assertThat(ours.path("agent_id").asText()).isEqualTo(agent);
        assertThat(ours.path("thread_turn").asInt()).isEqualTo(1);
    }

    @Test
    void aThreadOfAnotherAgentIs409() {
        String id = invoke(agent, Map.of("input", Map.of("text", "hi"))).path("id").asText();
        String otherAgent = server.createAgent("someone else");

        Http.Response res = http.post("/v1/agents/" + otherAgent + "/invoke", Http.json("id", id, "input", Map.of("text", "hi")));

        assertThat(res.status()).isEqualTo(409);
        assertThat(res.json().path("detail").asText()).isNotBlank();
        assertThat(http.post("/v1/agents/" + otherAgent + "/invoke/async", Http.json("id", id, "input", Map.of("text", "hi"))).status())
                .isEqualTo(409);
        assertThat(http.get("/v1/tasks/" + id + "/runs").json()).hasSize(1);
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    @Test
    void threadThreadFullAndRunsShowEveryTurn() {
        llm.enqueue(FakeLlm.text("one"), FakeLlm.text("two"));
        String id = invoke(agent, Map.of("input", Map.of("text", "first"))).path("id").asText();
        invoke(agent, Map.of("id", id, "input", Map.of("text", "second"), "instructions_override", "Be brief."));

        JsonNode thread = http.get("/v1/tasks/" + id + "/thread").json();
        assertThat(thread.isArray()).isTrue();
        List<String> lines = new ArrayList<>();
        thread.forEach(m -> lines.add(m.path("role").asText() + ": " + m.path("content").asText()));
        assertThat(lines).containsExactly("user: first", "assistant: one", "user: second", "assistant: two");
        thread.forEach(m -> {
            assertThat(m.path("id").asText()).isNotBlank();
            // Thread messages carry unix seconds.
            assertThat(m.path("created_at").isIntegralNumber()).isTrue();
            assertThat(m.path("created_at").asLong()).isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 1);
        });

        JsonNode full = http.get("/v1/tasks/" + id + "/thread/full").json().path("root");
        List<String> roles = new ArrayList<>();
        full.forEach(m -> roles.add(m.path("role").asText()));
        assertThat(roles).containsExactly("system", "user", "assistant", "system", "user", "assistant");
        assertThat(full.get(0).path("content").asText()).contains("You are a patient tutor.").doesNotContain("Be brief.");
        assertThat(full.get(3).path("content").asText()).contains("You are a patient tutor.", "Be brief.");

        JsonNode runs = http.get("/v1/tasks/" + id + "/runs").json();
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).path("thread_turn").asInt()).isEqualTo(1);
        assertThat(runs.get(0).path("input").path("text").asText()).isEqualTo("first");
        assertThat(runs.get(0).path("result").asText()).isEqualTo("one");
        assertThat(runs.get(1).path("thread_turn").asInt()).isEqualTo(2);
        assertThat(runs.get(1).path("result").asText()).isEqualTo("two");
        assertThat(runs.get(1).path("instructions_override").asText()).isEqualTo("Be brief.");
        for (JsonNode run : runs) {
            assertThat(run.path("id").asText()).isEqualTo(id);
            assertThat(run.path("run_id").asText()).isNotBlank();
            assertThat(run.path("status").asText()).isEqualTo("completed");
        }
        assertThat(runs.get(0).path("run_id").asText()).isNotEqualTo(runs.get(1).path("run_id").asText());
    }

    // ---- a turn arriving while the thread runs ----

    @Test
    void rejectOnABusyThreadIs409WithTheActiveStatus() {
        llm.enqueue(FakeLlm.slow("busy", Duration.ofMillis(600)));
        String id = invokeAsync(agent, Map.of("input", Map.of("text", "long job"))).path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        Http.Response res = http.post("/v1/agents/" + agent + "/invoke",
                Http.json("id", id, "input", Map.of("text", "me too"), "multitask_strategy", "reject"));

        assertThat(res.status()).isEqualTo(409);
        assertThat(res.json().path("detail").asText()).isNotBlank();
        assertThat(res.json().path("active_task_status").asText()).isEqualTo("executing");
        JsonNode done = awaitEnd(id);
        assertThat(done.path("result").asText()).isEqualTo("busy");
        assertThat(http.get("/v1/tasks/" + id + "/runs").json()).hasSize(1);
        // Once the thread is idle, reject lets the turn in.
        JsonNode later = invoke(agent, Map.of("id", id, "input", Map.of("text", "now?"), "multitask_strategy", "reject"));
        assertThat(later.path("status").asText()).isEqualTo("completed");
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void enqueueRunsTheTurnsInOrderOneAtATime() {
        llm.enqueue(FakeLlm.slow("r1", Duration.ofMillis(300)), FakeLlm.slow("r2", Duration.ofMillis(100)), FakeLlm.text("r3"));
        String id = invokeAsync(agent, Map.of("input", Map.of("text", "t1"))).path("id").asText();
        JsonNode queued2 = invokeAsync(agent, Map.of("id", id, "input", Map.of("text", "t2")));
        JsonNode queued3 = invokeAsync(agent, Map.of("id", id, "input", Map.of("text", "t3"), "multitask_strategy", "enqueue"));
        assertThat(queued2.path("status").asText()).isEqualTo("pending");
        assertThat(queued2.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(queued3.path("thread_turn").asInt()).isEqualTo(3);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode runs = http.get("/v1/tasks/" + id + "/runs").json();
            for (JsonNode r : runs) if (!TaskStatus.fromWire(r.path("status").asText()).isTerminal()) return false;
            return runs.size() == 3;
        });

        JsonNode runs = http.get("/v1/tasks/" + id + "/runs").json();
        assertThat(runs.findValuesAsText("result")).containsExactly("r1", "r2", "r3");
        assertThat(runs.findValuesAsText("status")).containsOnly("completed");
        for (int i = 1; i < 3; i++) {
            Instant previousEnd = Instant.parse(runs.get(i - 1).path("finished_at").asText());
            Instant start = Instant.parse(runs.get(i).path("started_at").asText());
            assertThat(start).as("turn %d starts after turn %d ended", i + 1, i).isAfterOrEqualTo(previousEnd);
        }
        // Each turn was sent to the model after the one before had ended, with it as history.
        List<FakeLlm.Received> calls = llm.chatRequests();
        assertThat(calls).hasSize(3);
        assertThat(conversation(calls.get(0))).containsExactly("user: t1");
        assertThat(conversation(calls.get(1))).containsExactly("user: t1", "assistant: r1", "user: t2");
        assertThat(conversation(calls.get(2)))
                .containsExactly("user: t1", "assistant: r1", "user: t2", "assistant: r2", "user: t3");
        assertThat(http.get("/v1/tasks/" + id).json().path("result").asText()).isEqualTo("r3");
    }

    @Test
    void aSyncTurnAnswersWithItsOwnOutcomeEvenWhenANewerTurnIsQueued() {
        llm.enqueue(FakeLlm.slow("mine", Duration.ofMillis(400)), FakeLlm.text("theirs"));
        String id = "sync-own-" + System.nanoTime();
        var sync = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                http.post("/v1/agents/" + agent + "/invoke", Http.json("id", id, "input", Map.of("text", "a"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        invokeAsync(agent, Map.of("id", id, "input", Map.of("text", "b")));

        Http.Response res = sync.join();

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("thread_turn").asInt()).isEqualTo(1);
        assertThat(res.json().path("result").asText()).isEqualTo("mine");
        awaitEnd(id);
    }

    @Test
    void interruptStopsTheRunningTurnAndRunsTheNewOne() {
        llm.enqueue(FakeLlm.slow("too slow", Duration.ofSeconds(5)), FakeLlm.text("right away"));
        String id = invokeAsync(agent, Map.of("input", Map.of("text", "slow question"))).path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        long t0 = System.nanoTime();
        JsonNode turn2 = invoke(agent, Map.of("id", id, "input", Map.of("text", "never mind"), "multitask_strategy", "interrupt"));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(turn2.path("status").asText()).isEqualTo("completed");
        assertThat(turn2.path("result").asText()).isEqualTo("right away");
        assertThat(turn2.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(tookMs).isLessThan(4000);
        JsonNode first = http.get("/v1/tasks/" + id + "/runs").json().get(0);
        assertThat(first.path("status").asText()).isEqualTo("stopped");
        assertThat(first.path("stop_reason").asText()).isEqualTo("interrupted");
        assertThat(first.path("is_manually_stopped").asBoolean()).isFalse();
        // The interrupted turn never answered, so it is no history.
        assertThat(conversation(llm.chatRequests().getLast())).containsExactly("user: never mind");
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void interruptAlsoEndsTurnsStillWaitingInTheQueue() {
        llm.enqueue(FakeLlm.slow("too slow", Duration.ofSeconds(5)), FakeLlm.text("last word"));
        String id = invokeAsync(agent, Map.of("input", Map.of("text", "one"))).path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        invokeAsync(agent, Map.of("id", id, "input", Map.of("text", "two")));

        JsonNode turn3 = invoke(agent, Map.of("id", id, "input", Map.of("text", "three"), "multitask_strategy", "interrupt"));

        assertThat(turn3.path("result").asText()).isEqualTo("last word");
        JsonNode runs = http.get("/v1/tasks/" + id + "/runs").json();
        assertThat(runs.findValuesAsText("status")).containsExactly("stopped", "stopped", "completed");
        assertThat(runs.get(1).path("stop_reason").asText()).isEqualTo("interrupted");
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    // ---- helpers ----

    /** The user and assistant turns a model request carried, as "role: text". */
    static List<String> conversation(FakeLlm.Received request) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : request.messages()) {
            String role = m.path("role").asText();
            if (role.equals("user") || role.equals("assistant")) out.add(role + ": " + m.path("content").asText());
        }
        return out;
    }

    static JsonNode invoke(String agentId, Map<String, Object> body) {
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke", Http.json(flatten(body)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    static JsonNode invokeAsync(String agentId, Map<String, Object> body) {
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke/async", Http.json(flatten(body)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    static Object[] flatten(Map<String, Object> body) {
        List<Object> kv = new ArrayList<>();
        body.forEach((k, v) -> { kv.add(k); kv.add(v); });
        return kv.toArray();
    }

    static JsonNode awaitEnd(String id) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25)).until(() ->
                TaskStatus.fromWire(http.get("/v1/tasks/" + id).json().path("status").asText()).isTerminal());
        return http.get("/v1/tasks/" + id).json();
    }
}
