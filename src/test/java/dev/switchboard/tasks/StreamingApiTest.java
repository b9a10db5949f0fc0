package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.SseClient.Event;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** CONTRACT §5 through real HTTP: the streamed turn, the task's event log, resuming, and clients that misbehave. */
class StreamingApiTest {
    static final Duration LONG = Duration.ofSeconds(20);
    static FakeLlm llm;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_SSE_PING_SECONDS", "1"));
        http = server.http();
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
    void aStreamedTurnSendsNumberedEventsInOrderAndItsChunksMakeTheResult() {
        String agent = server.createAgent("streamer");
        llm.enqueue(FakeLlm.streamed("The quick brown fox jumps over the lazy dog.", Duration.ofMillis(30)));

        List<Event> events;
        try (SseClient sse = stream(agent, Http.json("input", Map.of("text", "tell me")))) {
            assertThat(sse.status()).isEqualTo(200);
            events = sse.all(LONG);
        }

        assertThat(events).extracting(Event::id).containsExactlyElementsOf(range(1, events.size()));
        assertThat(events.getFirst().type()).isEqualTo("task_created");
        assertThat(events.get(1).type()).isEqualTo("task_updated");
        assertThat(events.get(1).data().path("status").asText()).isEqualTo("executing");
        assertThat(events.getLast().type()).isEqualTo("task_finished");
        assertThat(events).extracting(Event::type).containsOnly("task_created", "task_updated", "chunk", "task_finished");
        // xpander's envelope on every event.
        String taskId = events.getFirst().envelope().path("task_id").asText();
        for (Event e : events) {
            assertThat(e.envelope().path("task_id").asText()).isEqualTo(taskId);
            assertThat(e.envelope().path("organization_id").asText()).isNotBlank();
            assertThat(e.envelope().path("time").asText()).isNotBlank();
        }
        JsonNode finished = events.getLast().data();
        assertThat(finished.path("status").asText()).isEqualTo("completed");
        assertThat(chunks(events)).isEqualTo("The quick brown fox jumps over the lazy dog.").isEqualTo(finished.path("result").asText());
        assertThat(http.get("/v1/tasks/" + taskId).json().path("result").asText()).isEqualTo(chunks(events));
        // Several chunks: the answer really streamed rather than arriving whole at the end.
        assertThat(events.stream().filter(e -> e.type().equals("chunk")).count()).isGreaterThan(1);
    }

    @Test
    void aFinishedTaskReplaysItsWholeLogAndCloses() {
        String agent = server.createAgent("replayed");
        llm.enqueue(FakeLlm.streamed("one two three", Duration.ofMillis(20)));
        List<Event> live = stream(agent, Http.json("input", Map.of("text", "count"))).all(LONG);
        String taskId = live.getFirst().envelope().path("task_id").asText();

        List<Event> replay = follow(taskId, Map.of()).all(LONG);

        assertThat(replay).extracting(Event::id).isEqualTo(live.stream().map(Event::id).toList());
        assertThat(replay).extracting(e -> e.envelope().toString()).isEqualTo(live.stream().map(e -> e.envelope().toString()).toList());
    }

    @Test
    void aClientResumesAfterEveryPossiblePoint() {
        String agent = server.createAgent("resumed");
        llm.enqueue(FakeLlm.streamed("alpha beta gamma delta", Duration.ofMillis(20)));
        List<Event> all = stream(agent, Http.json("input", Map.of("text", "go"))).all(LONG);
        String taskId = all.getFirst().envelope().path("task_id").asText();

        for (int after = 0; after <= all.size(); after++) {
            List<Long> expected = range(after + 1, all.size() - after);
            List<Event> byHeader = follow(taskId, Map.of("Last-Event-ID", Long.toString(after))).all(LONG);
            assertThat(byHeader).extracting(Event::id).as("Last-Event-ID %d", after).isEqualTo(expected);
            List<Event> byQuery = SseClient.get(http.base(), "/v1/tasks/" + taskId + "/events?after=" + after,
                    TestServer.ADMIN_KEY, Map.of()).all(LONG);
            assertThat(byQuery).extracting(Event::id).as("?after=%d", after).isEqualTo(expected);
        }
    }

    @Test
    void aClientResumesInTheMiddleOfALiveRun() {
        String agent = server.createAgent("live-resume");
        llm.enqueue(FakeLlm.streamed("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10", Duration.ofMillis(60)));
        List<Event> before = new ArrayList<>();
        try (SseClient sse = stream(agent, Http.json("input", Map.of("text", "go")))) {
            Event e;
            do {
                e = sse.next(LONG);
                before.add(e);
            } while (!e.type().equals("chunk"));
        }
        String taskId = before.getFirst().envelope().path("task_id").asText();
        long last = before.getLast().id();

        List<Event> rest = follow(taskId, Map.of("Last-Event-ID", Long.toString(last))).all(LONG);

        assertThat(rest.getFirst().id()).isEqualTo(last + 1);
        List<Event> whole = new ArrayList<>(before);
        whole.addAll(rest);
        assertThat(whole).extracting(Event::id).isEqualTo(range(1, whole.size()));
        assertThat(chunks(whole)).isEqualTo("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10");
    }

    @Test
    void aSecondClientJoiningMidRunSeesTheWholeLogAndASyncCallerTheSameTask() throws Exception {
        String agent = server.createAgent("watched");
        llm.enqueue(FakeLlm.streamed("a b c d e f g h", Duration.ofMillis(60)));
        String taskId = "joined-" + System.nanoTime();
        CompletableFuture<Http.Response> sync = CompletableFuture.supplyAsync(() -> http.post("/v1/agents/" + agent + "/invoke",
                Http.json("id", taskId, "input", Map.of("text", "letters"))), Executors.newVirtualThreadPerTaskExecutor());
        await().atMost(LONG).until(() -> http.get("/v1/tasks/" + taskId).status() == 200);

        try (SseClient first = follow(taskId, Map.of())) {
            first.next(LONG);
            try (SseClient second = follow(taskId, Map.of())) {
                List<Event> a = first.all(LONG);
                List<Event> b = second.all(LONG);
                assertThat(b.getFirst().type()).isEqualTo("task_created");
                assertThat(b.getLast().type()).isEqualTo("task_finished");
                assertThat(chunks(b)).isEqualTo("a b c d e f g h");
                assertThat(a.getLast().id()).isEqualTo(b.getLast().id());
            }
        }
        Http.Response answer = sync.get();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("result").asText()).isEqualTo("a b c d e f g h");
    }

    @Test
    void aClientThatDisconnectsMidRunDoesNotStopTheRun() {
        String agent = server.createAgent("abandoned");
        llm.enqueue(FakeLlm.streamed("still finishing after you left", Duration.ofMillis(80)));
        String taskId;
        try (SseClient sse = stream(agent, Http.json("input", Map.of("text", "go")))) {
            Event created = sse.next(LONG);
            taskId = created.envelope().path("task_id").asText();
            sse.next(LONG);
        }

        await().atMost(LONG).untilAsserted(() ->
                assertThat(http.get("/v1/tasks/" + taskId).json().path("status").asText()).isEqualTo("completed"));
        assertThat(http.get("/v1/tasks/" + taskId).json().path("result").asText()).isEqualTo("still finishing after you left");
    }

    @Test
    void aStalledClientSlowsNeitherTheRunNorOtherClients() throws Exception {
        String agent = server.createAgent("stalled");
        // About 600 KB of answer: far more than the socket buffers of a client that reads nothing.
        String word = "x".repeat(2000) + " ";
        String answer = word.repeat(300).strip();
        llm.enqueue(FakeLlm.streamed(answer, Duration.ofMillis(1)));
        String taskId = "stalled-" + System.nanoTime();

        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", server.app().port()));
            String body = Http.json("id", taskId, "input", Map.of("text", "a lot"));
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /v1/agents/" + agent + "/invoke/stream HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                    + TestServer.ADMIN_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            // The stalled client never reads a byte; another client follows the same task to the end.
            await().atMost(LONG).until(() -> http.get("/v1/tasks/" + taskId).status() == 200);
            List<Event> other = follow(taskId, Map.of()).all(LONG);
            assertThat(other.getLast().type()).isEqualTo("task_finished");
            assertThat(chunks(other)).isEqualTo(answer);
            assertThat(http.get("/v1/tasks/" + taskId).json().path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void manyConcurrentStreamsEachGetTheirWholeTurn() throws Exception {
        int streams = 40;
        String agent = server.createAgent("crowd");
        for (int i = 0; i < streams; i++) {
            llm.enqueue(FakeLlm.streamed("answer number " + i + " in a few words", Duration.ofMillis(10)));
        }
        List<CompletableFuture<List<Event>>> all = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                String text = "question " + i;
                all.add(CompletableFuture.supplyAsync(() -> stream(agent, Http.json("input", Map.of("text", text))).all(LONG), pool));
            }
            for (CompletableFuture<List<Event>> f : all) {
                List<Event> events = f.get();
                assertThat(events).extracting(Event::id).isEqualTo(range(1, events.size()));
                assertThat(events.getLast().type()).isEqualTo("task_finished");
                assertThat(chunks(events)).startsWith("answer number ").isEqualTo(events.getLast().data().path("result").asText());
            }
        }
        assertThat(all.stream().map(f -> f.join().getFirst().envelope().path("task_id").asText()).distinct()).hasSize(streams);
    }

    @Test
    void toolCallEventsOnlyWhenTheTurnAsksForFineGrainedEvents() {
        String agent = server.createAgent("tooled");
        http.patch("/v1/agents/" + agent, "{\"attached_tools\":[{\"id\":\"current_time\"}]}");
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("It is now."));
        List<Event> fine = stream(agent, Http.json("input", Map.of("text", "time?"), "events_streaming", true)).all(LONG);
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("It is now."));
        List<Event> coarse = stream(agent, Http.json("input", Map.of("text", "time?"))).all(LONG);

        assertThat(fine).extracting(Event::type).contains("tool_call_request", "tool_call_result");
        Event request = fine.stream().filter(e -> e.type().equals("tool_call_request")).findFirst().orElseThrow();
        Event result = fine.stream().filter(e -> e.type().equals("tool_call_result")).findFirst().orElseThrow();
        assertThat(request.data().path("tool_name").asText()).isEqualTo("current_time");
        assertThat(result.data().path("tool_call_id").asText()).isEqualTo(request.data().path("tool_call_id").asText());
        assertThat(result.id()).isGreaterThan(request.id());
        assertThat(coarse).extracting(Event::type).doesNotContain("tool_call_request", "tool_call_result", "think");
        assertThat(chunks(fine)).isEqualTo("It is now.");
        assertThat(chunks(coarse)).isEqualTo("It is now.");
    }

    @Test
    void aThreadWithAQueuedTurnIsFollowedUntilItsLastTurnEnds() {
        String agent = server.createAgent("threaded");
        llm.enqueue(FakeLlm.slow("first", Duration.ofMillis(400)), FakeLlm.text("second"));
        String taskId = "thread-" + System.nanoTime();
        assertThat(http.post("/v1/agents/" + agent + "/invoke/async", Http.json("id", taskId, "input", Map.of("text", "one"))).status()).isEqualTo(200);
        assertThat(http.post("/v1/agents/" + agent + "/invoke/async",
                Http.json("id", taskId, "input", Map.of("text", "two"), "multitask_strategy", "enqueue")).status()).isEqualTo(200);

        List<Event> events = follow(taskId, Map.of()).all(LONG);

        assertThat(events.stream().filter(e -> e.type().equals("task_finished")).map(e -> e.data().path("result").asText()))
                .containsExactly("first", "second");
        assertThat(events.getLast().type()).isEqualTo("task_finished");
    }

    @Test
    void aTurnsStreamCarriesOnlyThatTurnEvenWhenAnotherIsQueuedMeanwhile() {
        String agent = server.createAgent("two-turns");
        llm.enqueue(FakeLlm.streamed("first turn answer", Duration.ofMillis(100)), FakeLlm.text("second"));
        String taskId = "two-turns-" + System.nanoTime();
        List<Event> first = new ArrayList<>();
        try (SseClient sse = stream(agent, Http.json("id", taskId, "input", Map.of("text", "one")))) {
            first.add(sse.next(LONG));
            assertThat(http.post("/v1/agents/" + agent + "/invoke/async",
                    Http.json("id", taskId, "input", Map.of("text", "two"), "multitask_strategy", "enqueue")).status()).isEqualTo(200);
            first.addAll(sse.all(LONG));
        }
        assertThat(first).extracting(Event::type).containsOnlyOnce("task_created").containsOnlyOnce("task_finished");
        assertThat(chunks(first)).isEqualTo("first turn answer");
        assertThat(first.getLast().data().path("result").asText()).isEqualTo("first turn answer");
        // The queued turn runs after it (and must not take a later test's scripted reply).
        await().atMost(LONG).untilAsserted(() ->
                assertThat(http.get("/v1/tasks/" + taskId).json().path("result").asText()).isEqualTo("second"));
    }

    @Test
    void aReplayedStreamInvokeStreamsItsOwnTurnOnly() {
        String agent = server.createAgent("replayed-stream");
        String taskId = "replayed-" + System.nanoTime();
        llm.enqueue(FakeLlm.text("turn one"), FakeLlm.text("turn two"));
        stream(agent, Http.json("id", taskId, "input", Map.of("text", "one"))).all(LONG);
        String body = Http.json("id", taskId, "input", Map.of("text", "two"));
        List<Event> original = streamWithKey(agent, body, "stream-key-" + taskId).all(LONG);

        List<Event> replay = streamWithKey(agent, body, "stream-key-" + taskId).all(LONG);

        assertThat(llm.chatCalls()).isEqualTo(2);
        assertThat(replay).extracting(Event::id).isEqualTo(original.stream().map(Event::id).toList());
        assertThat(chunks(replay)).isEqualTo("turn two");
        assertThat(replay.getFirst().type()).isEqualTo("task_created");
    }

    @Test
    void aFollowerOfADeletedTaskIsEnded() {
        String agent = server.createAgent("deleted");
        llm.enqueue(FakeLlm.slow("never seen", Duration.ofSeconds(30)));
        String taskId = "deleted-" + System.nanoTime();
        http.post("/v1/agents/" + agent + "/invoke/async", Http.json("id", taskId, "input", Map.of("text", "slow")));
        try (SseClient sse = follow(taskId, Map.of())) {
            sse.next(LONG);
            assertThat(http.delete("/v1/tasks/" + taskId).status()).isEqualTo(204);
            List<Event> rest = sse.all(Duration.ofSeconds(10));
            assertThat(rest).extracting(Event::type).doesNotContain("chunk");
        }
    }

    @Test
    void anIdleStreamGetsKeepAliveComments() {
        String agent = server.createAgent("quiet");
        llm.enqueue(FakeLlm.slow("late", Duration.ofMillis(2500)));
        try (SseClient sse = stream(agent, Http.json("input", Map.of("text", "take your time")))) {
            List<Event> events = sse.all(LONG);
            assertThat(events.getLast().type()).isEqualTo("task_finished");
            assertThat(sse.comments()).contains("ping");
        }
    }

    @Test
    void refusalsAreJsonErrorsNotStreams() {
        String agent = server.createAgent("refusing");
        Http.Response unknownTask = http.get("/v1/tasks/no-such-task/events");
        assertThat(unknownTask.status()).isEqualTo(404);
        assertThat(unknownTask.json().path("detail").isMissingNode()).isFalse();

        llm.enqueue(FakeLlm.text("ok"));
        String taskId = stream(agent, Http.json("input", Map.of("text", "hi"))).all(LONG).getFirst().envelope().path("task_id").asText();
        for (String bad : List.of("?after=abc", "?after=-1")) {
            Http.Response res = http.get("/v1/tasks/" + taskId + "/events" + bad);
            assertThat(res.status()).as(bad).isEqualTo(422);
        }
        Http.Response badHeader = http.send("GET", "/v1/tasks/" + taskId + "/events", null, Map.of("Last-Event-ID", "x"));
        assertThat(badHeader.status()).isEqualTo(422);

        assertThat(http.post("/v1/agents/no-such-agent/invoke/stream", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.post("/v1/agents/" + agent + "/invoke/stream", "{\"input\": 5}").status()).isEqualTo(422);
        assertThat(http.post("/v1/agents/" + agent + "/invoke/stream", "{not json").status()).isIn(400, 422);
        assertThat(http.withKey("wrong").get("/v1/tasks/" + taskId + "/events").status()).isEqualTo(403);
        // Another organization cannot follow this task.
        assertThat(server.newOrganization("other-streams").get("/v1/tasks/" + taskId + "/events").status()).isEqualTo(404);
    }

    @Test
    void aSyncInvokedTurnsLogIsNumberedWithoutGapsFromCreatedToFinished() {
        // A run started at accept logs task_created and task_updated in one append, and its end the last chunk and
        // task_finished in another: the numbers must still run 1, 2, 3… in the order the events happened.
        JsonNode answer = invokeNewAgent("/invoke", "one two three");

        List<Event> events = follow(answer.path("id").asText(), Map.of()).all(LONG);

        assertThat(events).extracting(Event::id).containsExactlyElementsOf(range(1, events.size()));
        assertThat(events.get(0).type()).isEqualTo("task_created");
        assertThat(events.get(1).type()).isEqualTo("task_updated");
        assertThat(events.get(1).data().path("status").asText()).isEqualTo("executing");
        assertThat(events.get(events.size() - 2).type()).isEqualTo("chunk");
        assertThat(events.getLast().type()).isEqualTo("task_finished");
        assertThat(chunks(events)).isEqualTo("one two three");
        assertThat(events.getLast().data()).isEqualTo(answer);
    }

    @Test
    void anAsyncInvokesAnswerIsTheTaskItsCreatedEventTells() {
        // The answer is the task_created JSON written once for the log: the same document, field for field.
        JsonNode answer = invokeNewAgent("/invoke/async", "done");
        assertThat(answer.path("status").asText()).isEqualTo("pending");

        List<Event> events = follow(answer.path("id").asText(), Map.of()).all(LONG);

        assertThat(events.getFirst().type()).isEqualTo("task_created");
        assertThat(events.getFirst().data()).isEqualTo(answer);
    }

    /** Invokes a new agent at {@code path} ("/invoke", "/invoke/async") with the model answering {@code modelText}. */
    private static JsonNode invokeNewAgent(String path, String modelText) {
        String agent = server.createAgent("logged");
        llm.enqueue(FakeLlm.text(modelText));
        var res = http.post("/v1/agents/" + agent + path, Http.json("input", Map.of("text", "go")));
        assertThat(res.status()).isEqualTo(200);
        return res.json();
    }

    private static SseClient stream(String agent, String body) {
        return SseClient.post(http.base(), "/v1/agents/" + agent + "/invoke/stream", TestServer.ADMIN_KEY, body);
    }

    private static SseClient streamWithKey(String agent, String body, String key) {
        return SseClient.post(http.base(), "/v1/agents/" + agent + "/invoke/stream", TestServer.ADMIN_KEY, body,
                Map.of("Idempotency-Key", key));
    }

    private static SseClient follow(String taskId, Map<String, String> headers) {
        return SseClient.get(http.base(), "/v1/tasks/" + taskId + "/events", TestServer.ADMIN_KEY, headers);
    }

    private static String chunks(List<Event> events) {
        return events.stream().filter(e -> e.type().equals("chunk")).map(e -> e.data().asText()).collect(Collectors.joining());
    }

    private static List<Long> range(long from, int count) {
        return IntStream.range(0, Math.max(count, 0)).mapToObj(i -> from + i).toList();
    }
}
