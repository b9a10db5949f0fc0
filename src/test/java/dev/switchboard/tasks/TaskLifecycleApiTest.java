package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task's life after the invoke (CONTRACT §4.6): stop, delete, retry, lists and their filters. The server runs one
 * run at a time, so a long run can hold the only slot while another waits in the queue.
 */
class TaskLifecycleApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_MAX_CONCURRENT_RUNS", "1"));
        http = server.http();
        agent = server.createAgent("lifecycle");
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

    @AfterEach
    void nothingLeftRunning() {
        // The only slot must be free for the next test.
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks?status=executing").json().path("total").asInt() == 0
                && http.get("/v1/tasks?status=pending").json().path("total").asInt() == 0);
    }

    // ---- stop ----

    @Test
    void stopEndsAnInFlightRunPromptlyAndIsIdempotent() {
        llm.enqueue(FakeLlm.slow("never seen", Duration.ofSeconds(5)));
        String id = invokeAsync(agent, "a long one").path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        long t0 = System.nanoTime();
        Http.Response stop = http.post("/v1/tasks/" + id + "/stop", null);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(stop.status()).isEqualTo(200);
        assertThat(tookMs).isLessThan(3000);
        JsonNode task = stop.json();
        assertThat(task.path("status").asText()).isEqualTo("stopped");
        assertThat(task.path("is_manually_stopped").asBoolean()).isTrue();
        assertThat(task.path("stop_reason").asText()).isEqualTo("stopped");
        assertThat(task.path("result").asText("")).doesNotContain("never seen");
        assertThat(task.path("finished_at").asText()).isNotBlank();
        assertThat(http.get("/v1/tasks/" + id).json()).isEqualTo(task);

        Http.Response again = http.post("/v1/tasks/" + id + "/stop", null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(task);
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    @Test
    void aSyncCallerOfAStoppedRunIsAnsweredWithTheStoppedTask() {
        llm.enqueue(FakeLlm.slow("never seen", Duration.ofSeconds(5)));
        String id = "stopped-while-waiting-" + System.nanoTime();
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                http.post("/v1/agents/" + agent + "/invoke", Http.json("id", id, "input", Map.of("text", "wait"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        http.post("/v1/tasks/" + id + "/stop", null);

        Http.Response answer = waiting.orTimeout(3, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("stopped");
        assertThat(answer.json().path("is_manually_stopped").asBoolean()).isTrue();
    }

    @Test
    void stoppingAFinishedTaskChangesNothing() {
        JsonNode done = invoke(agent, "quick");
        Http.Response stop = http.post("/v1/tasks/" + done.path("id").asText() + "/stop", "");
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.json()).isEqualTo(done);
    }

    @Test
    void aStopBeforeTheRunStartedMeansTheModelIsNeverCalledForIt() {
        llm.enqueue(FakeLlm.slow("occupying", Duration.ofSeconds(5)));
        String busy = invokeAsync(agent, "hold the slot").path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        String queued = invokeAsync(agent, "never run me").path("id").asText();

        Http.Response stop = http.post("/v1/tasks/" + queued + "/stop", null);

        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.json().path("status").asText()).isEqualTo("stopped");
        assertThat(stop.json().path("is_manually_stopped").asBoolean()).isTrue();
        assertThat(stop.json().path("started_at").isNull()).isTrue();
        // Free the slot; a later task runs, the stopped one still does not.
        http.post("/v1/tasks/" + busy + "/stop", null);
        JsonNode after = invoke(agent, "after the stop");
        assertThat(after.path("status").asText()).isEqualTo("completed");
        assertThat(llm.chatCalls()).isEqualTo(2);
        assertThat(llm.chatRequests()).extracting(FakeLlm.Received::lastUserText).doesNotContain("never run me");
        assertThat(http.get("/v1/tasks/" + queued).json().path("status").asText()).isEqualTo("stopped");
    }

    @Test
    void stopEndsEveryOpenTurnOfTheThread() {
        llm.enqueue(FakeLlm.slow("first", Duration.ofSeconds(5)));
        String id = invokeAsync(agent, "turn one").path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        http.post("/v1/agents/" + agent + "/invoke/async", Http.json("id", id, "input", Map.of("text", "turn two")));

        JsonNode stopped = http.post("/v1/tasks/" + id + "/stop", null).json();

        assertThat(stopped.path("status").asText()).isEqualTo("stopped");
        assertThat(stopped.path("thread_turn").asInt()).isEqualTo(2);
        assertThat(http.get("/v1/tasks/" + id + "/runs").json().findValuesAsText("status")).containsExactly("stopped", "stopped");
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    // ---- delete ----

    @Test
    void deleteRemovesTheTaskAndItsThread() {
        String id = invoke(agent, "forget me").path("id").asText();

        assertThat(http.delete("/v1/tasks/" + id).status()).isEqualTo(204);

        assertThat(http.get("/v1/tasks/" + id).status()).isEqualTo(404);
        assertThat(http.get("/v1/tasks/" + id + "/runs").status()).isEqualTo(404);
        assertThat(http.get("/v1/tasks/" + id + "/thread").status()).isEqualTo(404);
        assertThat(http.delete("/v1/tasks/" + id).status()).isEqualTo(404);
        assertThat(itemIds(http.get("/v1/tasks?agent_id=" + agent + "&per_page=100").json()))
                .doesNotContain(id);
    }

    @Test
    void deleteStopsARunningTaskFirst() {
        llm.enqueue(FakeLlm.slow("too late", Duration.ofSeconds(5)));
        String id = "doomed-" + System.nanoTime();
        http.post("/v1/agents/" + agent + "/invoke/async", Http.json("id", id, "input", Map.of("text", "work")));
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

        long t0 = System.nanoTime();
        assertThat(http.delete("/v1/tasks/" + id).status()).isEqualTo(204);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
        assertThat(http.get("/v1/tasks/" + id).status()).isEqualTo(404);

        // The slot is free again, and the id may start a new thread.
        JsonNode fresh = invoke(agent, Map.of("id", id, "input", Map.of("text", "again")));
        assertThat(fresh.path("thread_turn").asInt()).isEqualTo(1);
        assertThat(ThreadsApiTest.conversation(llm.chatRequests().getLast())).containsExactly("user: again");
    }

    @Test
    void aSyncCallerWaitingOnADeletedTaskIsAnsweredAtOnce() {
        for (int i = 0; i < 3; i++) {
            llm.reset();
            llm.enqueue(FakeLlm.slow("too late", Duration.ofSeconds(5)));
            String id = "deleted-while-waiting-" + System.nanoTime();
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    http.post("/v1/agents/" + agent + "/invoke", Http.json("id", id, "input", Map.of("text", "wait for me"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);

            assertThat(http.delete("/v1/tasks/" + id).status()).isEqualTo(204);

            // Its own turn's end (stopped) when the caller saw it before the delete, else 404; never a long wait.
            Http.Response answer = waiting.orTimeout(2, java.util.concurrent.TimeUnit.SECONDS).join();
            assertThat(answer.status()).as(answer.toString()).isIn(200, 404);
            if (answer.status() == 200) assertThat(answer.json().path("status").asText()).isEqualTo("stopped");
        }
    }

    // ---- retry ----

    @Test
    void retryRunsTheLatestTurnAgainWithNewOverrides() {
        llm.enqueue(FakeLlm.error(400, "context problem"), FakeLlm.text("Résumé."));
        JsonNode failed = invoke(agent, "summarize this");
        assertThat(failed.path("status").asText()).isEqualTo("error");
        String id = failed.path("id").asText();

        Http.Response retry = http.post("/v1/tasks/" + id + "/retry", Http.json("instructions_override", "Answer in French."));

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().path("id").asText()).isEqualTo(id);
        assertThat(retry.json().path("thread_turn").asInt()).isEqualTo(2);
        JsonNode done = awaitEnd(id);
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("result").asText()).isEqualTo("Résumé.");
        assertThat(done.path("input").path("text").asText()).isEqualTo("summarize this");
        assertThat(done.path("instructions_override").asText()).isEqualTo("Answer in French.");
        FakeLlm.Received sent = llm.chatRequests().getLast();
        assertThat(sent.systemText()).contains("Answer in French.");
        assertThat(ThreadsApiTest.conversation(sent)).containsExactly("user: summarize this");
        assertThat(http.get("/v1/tasks/" + id + "/runs").json().findValuesAsText("status")).containsExactly("error", "completed");
    }

    @Test
    void retryOfACompletedTurnDoesNotShowItAsHistory() {
        llm.enqueue(FakeLlm.text("first answer"), FakeLlm.text("second answer"), FakeLlm.text("third answer"));
        String id = invoke(agent, "q1").path("id").asText();
        invoke(agent, Map.of("id", id, "input", Map.of("text", "q2")));

        assertThat(http.post("/v1/tasks/" + id + "/retry", null).status()).isEqualTo(200);

        JsonNode done = awaitEnd(id);
        assertThat(done.path("result").asText()).isEqualTo("third answer");
        assertThat(done.path("thread_turn").asInt()).isEqualTo(3);
        assertThat(ThreadsApiTest.conversation(llm.chatRequests().getLast()))
                .containsExactly("user: q1", "assistant: first answer", "user: q2");
    }

    @Test
    void retryRefusesBusyThreadsAndBadOverrides() {
        assertThat(http.post("/v1/tasks/no-such-task/retry", null).status()).isEqualTo(404);

        String id = invoke(agent, "fine").path("id").asText();
        assertThat(http.post("/v1/tasks/" + id + "/retry", Http.json("llm_model_name", "gpt-99")).status()).isEqualTo(422);
        assertThat(http.post("/v1/tasks/" + id + "/retry", Http.json("think_mode", "hardest")).status()).isEqualTo(422);
        assertThat(http.post("/v1/tasks/" + id + "/retry", Http.json("additional_context", 5)).status()).isEqualTo(422);
        assertThat(http.post("/v1/tasks/" + id + "/retry", "[]").status()).isEqualTo(422);
        assertThat(http.post("/v1/tasks/" + id + "/retry", "null").status()).isEqualTo(422);
        assertThat(http.post("/v1/tasks/" + id + "/retry", "{oops").status()).isEqualTo(422);
        assertThat(http.get("/v1/tasks/" + id + "/runs").json()).hasSize(1);

        llm.enqueue(FakeLlm.slow("busy", Duration.ofMillis(800)));
        String busy = invokeAsync(agent, "busy").path("id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 2);
        Http.Response conflict = http.post("/v1/tasks/" + busy + "/retry", null);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().path("detail").asText()).isNotBlank();
        awaitEnd(busy);
    }

    // ---- lists ----

    @Test
    void listsFilterByAgentStatusUserAndDate() {
        String mine = server.createAgent("listed");
        String other = server.createAgent("not listed");
        llm.enqueue(FakeLlm.text("ok"), FakeLlm.error(400, "nope"), FakeLlm.text("ok"), FakeLlm.text("ok"));
        JsonNode t1 = invoke(mine, "one");
        JsonNode t2 = invoke(mine, "two");
        JsonNode t3 = invoke(mine, Map.of("input", Map.of("text", "three", "user", Map.of("id", "user-77", "email", "u@example.com"))));
        invoke(other, "elsewhere");

        assertThat(ids("/v1/tasks?agent_id=" + mine)).containsExactly(id(t3), id(t2), id(t1));
        assertThat(ids("/v1/agents/" + mine + "/tasks")).containsExactly(id(t3), id(t2), id(t1));
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&status=error")).containsExactly(id(t2));
        assertThat(ids("/v1/agents/" + mine + "/tasks?status=completed")).containsExactly(id(t3), id(t1));
        assertThat(ids("/v1/tasks?user_id=user-77")).containsExactly(id(t3));
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&from_date=" + t2.path("created_at").asText())).containsExactly(id(t3), id(t2));
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&to_date=" + t2.path("created_at").asText())).containsExactly(id(t2), id(t1));
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        // A plain date covers its whole day, as a bound on either side.
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&from_date=" + today + "&to_date=" + today)).hasSize(3);
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&to_date=2000-01-01")).isEmpty();
        assertThat(ids("/v1/tasks?agent_id=" + mine + "&from_date=" + Instant.now().plusSeconds(3600))).isEmpty();
        assertThat(ids("/v1/tasks?agent_id=no-such-agent")).isEmpty();
    }

    @Test
    void listsArePaginated() {
        String paged = server.createAgent("paged");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) created.addFirst(id(invoke(paged, "task " + i)));

        JsonNode page1 = http.get("/v1/agents/" + paged + "/tasks?per_page=2").json();
        assertThat(page1.path("total").asInt()).isEqualTo(5);
        assertThat(page1.path("page").asInt()).isEqualTo(1);
        assertThat(page1.path("per_page").asInt()).isEqualTo(2);
        assertThat(page1.path("total_pages").asInt()).isEqualTo(3);
        List<String> seen = new ArrayList<>(itemIds(page1));
        seen.addAll(itemIds(http.get("/v1/agents/" + paged + "/tasks?per_page=2&page=2").json()));
        JsonNode page3 = http.get("/v1/tasks?agent_id=" + paged + "&per_page=2&page=3").json();
        assertThat(page3.path("items")).hasSize(1);
        seen.addAll(itemIds(page3));
        assertThat(seen).isEqualTo(created);
        assertThat(http.get("/v1/tasks?agent_id=" + paged + "&per_page=2&page=4").json().path("items")).isEmpty();
        assertThat(http.get("/v1/tasks?agent_id=" + paged + "&page=2147483647&per_page=100").json().path("items")).isEmpty();

        JsonNode defaults = http.get("/v1/tasks?agent_id=" + paged).json();
        assertThat(defaults.path("page").asInt()).isEqualTo(1);
        assertThat(defaults.path("per_page").asInt()).isEqualTo(20);
    }

    @Test
    void badListQueriesAre422() {
        for (String query : List.of("status=finished", "per_page=0", "per_page=101", "page=0", "page=x", "per_page=1.5",
                "from_date=yesterday", "to_date=2026-13-45", "page=99999999999")) {
            Http.Response res = http.get("/v1/tasks?" + query);
            assertThat(res.status()).as(query + " -> " + res).isEqualTo(422);
            assertThat(res.json().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("query");
        }
        assertThat(http.get("/v1/agents/" + agent + "/tasks?status=finished").status()).isEqualTo(422);
    }

    @Test
    void anotherOrganizationSeesNoneOfOurTasks() {
        String id = id(invoke(agent, "private"));
        Http other = server.newOrganization("lifecycle-other");

        assertThat(other.get("/v1/tasks").json().path("total").asInt()).isZero();
        assertThat(other.get("/v1/tasks/" + id).status()).isEqualTo(404);
        assertThat(other.post("/v1/tasks/" + id + "/stop", null).status()).isEqualTo(404);
        assertThat(other.delete("/v1/tasks/" + id).status()).isEqualTo(404);
        assertThat(other.post("/v1/tasks/" + id + "/retry", null).status()).isEqualTo(404);
        assertThat(other.get("/v1/agents/" + agent + "/tasks").status()).isEqualTo(404);
        assertThat(http.get("/v1/tasks/" + id).status()).isEqualTo(200);
    }

    @Test
    void unknownIdsAre404Everywhere() {
        String nope = "no-such-task";
        List<Http.Response> answers = List.of(
                http.get("/v1/tasks/" + nope),
                http.get("/v1/tasks/" + nope + "/thread"),
                http.get("/v1/tasks/" + nope + "/thread/full"),
                http.get("/v1/tasks/" + nope + "/runs"),
                http.get("/v1/tasks/" + nope + "/events"),
                http.post("/v1/tasks/" + nope + "/stop", null),
                http.post("/v1/tasks/" + nope + "/retry", null),
                http.delete("/v1/tasks/" + nope),
                http.get("/v1/agents/no-such-agent/tasks"),
                http.get("/v1/tasks/" + nope + "/no-such-thing"));
        for (Http.Response res : answers) {
            assertThat(res.status()).as(res.toString()).isEqualTo(404);
            assertThat(res.json().path("detail").asText()).as(res.toString()).isNotBlank();
        }
        assertThat(http.send("PUT", "/v1/tasks/" + nope, "{}", Map.of()).status()).isEqualTo(405);
        assertThat(llm.chatCalls()).isZero();
    }

    // ---- helpers ----

    static String id(JsonNode task) { return task.path("id").asText(); }

    static List<String> ids(String path) {
        Http.Response res = http.get(path + (path.contains("?") ? "&" : "?") + "per_page=100");
        assertThat(res.status()).as(path + " -> " + res).isEqualTo(200);
        return itemIds(res.json());
    }

    /** The ids of a list page's items (not findValues: a task holds other "id" fields, input.user.id for one). */
    static List<String> itemIds(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("items").forEach(t -> out.add(t.path("id").asText()));
        return out;
    }

    static JsonNode invoke(String agentId, String text) {
        return invoke(agentId, Map.of("input", Map.of("text", text)));
    }

    static JsonNode invoke(String agentId, Map<String, Object> body) {
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke", Http.json(ThreadsApiTest.flatten(body)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    static JsonNode invokeAsync(String agentId, String text) {
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke/async", Http.json("input", Map.of("text", text)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    static JsonNode awaitEnd(String id) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25)).until(() ->
                TaskStatus.fromWire(http.get("/v1/tasks/" + id).json().path("status").asText()).isTerminal());
        return http.get("/v1/tasks/" + id).json();
    }
}
