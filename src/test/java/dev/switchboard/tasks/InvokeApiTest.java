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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Invoking an agent through the API (CONTRACT §4.1–4.5): answers, overrides, validation, idempotency. */
class InvokeApiTest {
    // Every field of the task object, CONTRACT §4.5, [x] and [+].
    static final List<String> TASK_FIELDS = List.of("id", "agent_id", "organization_id", "status", "internal_status",
            "input", "result", "title", "source", "source_node_type", "think_mode", "disable_attachment_injection",
            "instructions_override", "additional_context", "expected_output", "output_format", "output_schema",
            "created_at", "started_at", "paused_at", "finished_at", "updated_at", "execution_attempts",
            "is_manually_stopped", "hitl_request", "tokens", "llm_model_provider", "llm_model_name",
            "llm_reasoning_effort", "agent_version", "payload_extension", "stop_reason", "error", "usage", "files",
            "thread_turn");
    static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";

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
                {"name":"invoker","instructions":{"role":["You help with invoices."],"goal":["Be exact."],
                 "general":"Answer in English."}}""").json().path("id").asText();
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

    // ---- answers ----

    @Test
    void aSyncInvokeAnswers200WithEveryFieldOfTheTask() {
        llm.enqueue(FakeLlm.text("forty-two"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "the answer?")));

        assertThat(res.status()).isEqualTo(200);
        JsonNode task = res.json();
        for (String field : TASK_FIELDS) {
            assertThat(task.has(field)).as("task field %s in %s", field, task).isTrue();
        }
        assertThat(task.path("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(task.path("agent_id").asText()).isEqualTo(agent);
        assertThat(task.path("organization_id").asText()).isNotBlank();
        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("forty-two");
        assertThat(task.path("input").path("text").asText()).isEqualTo("the answer?");
        assertThat(task.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(task.path("error").isNull()).isTrue();
        assertThat(task.path("think_mode").asText()).isEqualTo("default");
        assertThat(task.path("disable_attachment_injection").asBoolean()).isFalse();
        assertThat(task.path("output_format").asText()).isEqualTo("markdown");
        assertThat(task.path("is_manually_stopped").asBoolean()).isFalse();
        assertThat(task.path("execution_attempts").asInt()).isEqualTo(1);
        assertThat(task.path("thread_turn").asInt()).isEqualTo(1);
        assertThat(task.path("agent_version").asText()).isEqualTo("1");
        assertThat(task.path("llm_model_provider").asText()).isEqualTo("openai");
        assertThat(task.path("llm_model_name").asText()).isEqualTo("gpt-4.1");
        assertThat(task.path("tokens").path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(task.path("tokens").path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(task.path("tokens").path("total_tokens").asInt()).isEqualTo(15);
        assertThat(task.path("usage").has("cost_usd")).isTrue();
        assertThat(task.path("files").isArray()).isTrue();
        for (String time : List.of("created_at", "started_at", "finished_at", "updated_at")) {
            assertThat(task.path(time).asText()).as(time).matches(TIME);
        }
        assertThat(task.path("paused_at").isNull()).isTrue();
        // The answer is what is stored.
        assertThat(http.get("/v1/tasks/" + task.path("id").asText()).json()).isEqualTo(task);
    }

    @Test
    void aLongAnswerWithPiecesLargerThanOneReadComesThroughWhole() {
        // The model's answer is read 1 KiB at a time (ProviderHttp): pieces of 12 KB and 6 KB, their multi-byte
        // characters split across reads, must arrive intact.
        String answer = "€".repeat(4000) + " and " + "ü".repeat(3000);
        llm.enqueue(FakeLlm.text(answer));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "a long one")));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("result").asText()).isEqualTo(answer);
    }

    @Test
    void anAsyncInvokeAnswersAtOnceWithThePendingTaskWhichThenCompletes() {
        llm.enqueue(FakeLlm.slow("later", Duration.ofMillis(500)));

        Http.Response res = http.post(invokePath() + "/async", Http.json("input", Map.of("text", "in a while")));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("pending");
        assertThat(res.json().path("result").isNull()).isTrue();
        String id = res.json().path("id").asText();
        // Stored before the answer named it.
        assertThat(http.get("/v1/tasks/" + id).status()).isEqualTo(200);
        JsonNode done = awaitEnd(id);
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("result").asText()).isEqualTo("later");
    }

    @Test
    void aSyncInvokePastTheSyncWaitAnswers202WithTheRunningTask() {
        try (TestServer impatient = TestServer.start(llm, Map.of("SWITCHBOARD_SYNC_WAIT_SECONDS", "1"))) {
            Http h = impatient.http();
            String a = impatient.createAgent("slowpoke");
            llm.enqueue(FakeLlm.slow("worth the wait", Duration.ofMillis(2000)));

            String id = "impatient-thread";
            long t0 = System.nanoTime();
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    h.post("/v1/agents/" + a + "/invoke", Http.json("id", id, "input", Map.of("text", "take your time"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
            // A newer turn queued meanwhile is not what the waiting caller is answered with.
            h.post("/v1/agents/" + a + "/invoke/async", Http.json("id", id, "input", Map.of("text", "and then this")));
            Http.Response res = waiting.join();
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(res.status()).isEqualTo(202);
            assertThat(waitedMs).isGreaterThanOrEqualTo(900L);
            JsonNode task = res.json();
            assertThat(task.path("id").asText()).isEqualTo(id);
            assertThat(task.path("status").asText()).isEqualTo("executing");
            assertThat(task.path("thread_turn").asInt()).isEqualTo(1);
            assertThat(task.path("input").path("text").asText()).isEqualTo("take your time");
            // The run goes on.
            await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/v1/tasks/" + id).json().path("status").asText().equals("completed"));
            assertThat(h.get("/v1/tasks/" + id + "/runs").json().findValuesAsText("result"))
                    .containsExactly("worth the wait", "echo: and then this");
        }
    }

    @Test
    void aProviderErrorEndsTheTaskErrorWithTheProvidersMessageAndStill200() {
        llm.enqueue(FakeLlm.error(400, "The prompt is malformed in some way"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "break it")));

        assertThat(res.status()).isEqualTo(200);
        JsonNode task = res.json();
        assertThat(task.path("status").asText()).isEqualTo("error");
        assertThat(task.path("result").asText()).contains("The prompt is malformed in some way");
        assertThat(task.path("stop_reason").asText()).isEqualTo("provider_error");
        assertThat(task.path("error").path("message").asText()).contains("The prompt is malformed in some way");
        assertThat(task.path("finished_at").asText()).matches(TIME);
        // A bad request is not retried.
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    // ---- overrides ----

    @Test
    void runOverridesReachTheModelAndAreStoredOnTheTask() {
        Http.Response res = http.post(invokePath(), """
                {"input":{"text":"what do I owe?","user":{"id":"u-7","email":"ada@example.com","first_name":"Ada",
                  "last_name":"Lovelace","timezone":"Europe/London","additional_attributes":{"plan":"gold"}}},
                 "instructions_override":"Mention the due date.",
                 "additional_context":"Invoice 17 is due on 2026-05-01.",
                 "expected_output":"One sentence with an amount."}""");

        assertThat(res.status()).isEqualTo(200);
        JsonNode task = res.json();
        assertThat(task.path("instructions_override").asText()).isEqualTo("Mention the due date.");
        assertThat(task.path("additional_context").asText()).isEqualTo("Invoice 17 is due on 2026-05-01.");
        assertThat(task.path("expected_output").asText()).isEqualTo("One sentence with an amount.");
        assertThat(task.path("input").path("user").path("email").asText()).isEqualTo("ada@example.com");

        FakeLlm.Received sent = llm.chatRequests().getLast();
        String system = sent.systemText();
        // Appended: the agent's own instructions are still there.
        assertThat(system).contains("You help with invoices.", "Be exact.", "Answer in English.",
                "Mention the due date.", "Invoice 17 is due on 2026-05-01.", "One sentence with an amount.",
                "ada@example.com", "Ada", "Lovelace", "Europe/London", "gold", "u-7");
        assertThat(system.indexOf("Answer in English.")).isLessThan(system.indexOf("Mention the due date."));
        assertThat(sent.lastUserText()).isEqualTo("what do I owe?");
    }

    @Test
    void instructionsModeReplaceReplacesTheAgentsInstructions() {
        http.post(invokePath(), Http.json("input", Map.of("text", "hi"), "instructions_override", "Only say hi.",
                "instructions_mode", "replace"));

        String system = llm.chatRequests().getLast().systemText();
        assertThat(system).contains("Only say hi.").doesNotContain("You help with invoices.");
    }

    @Test
    void aModelOverrideIsUsedAndStored() {
        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "think"),
                "llm_model_name", "o4-mini", "llm_reasoning_effort", "high"));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("llm_model_provider").asText()).isEqualTo("openai");
        assertThat(res.json().path("llm_model_name").asText()).isEqualTo("o4-mini");
        assertThat(res.json().path("llm_reasoning_effort").asText()).isEqualTo("high");
        JsonNode body = llm.chatRequests().getLast().body();
        assertThat(body.path("model").asText()).isEqualTo("o4-mini");
        assertThat(body.path("reasoning_effort").asText()).isEqualTo("high");
    }

    @Test
    void anUnknownModelProviderOrEffortIs422NamingWhatIsAvailable() {
        Http.Response model = http.post(invokePath(), Http.json("input", Map.of("text", "x"), "llm_model_name", "gpt-99"));
        assertThat(model.status()).isEqualTo(422);
        JsonNode problem = model.json().path("detail").get(0);
        assertThat(problem.path("loc").toString()).contains("llm_model_name");
        assertThat(problem.path("msg").asText()).contains("gpt-99").contains("gpt-4.1").contains("o4-mini");

        Http.Response provider = http.post(invokePath(), Http.json("input", Map.of("text", "x"), "llm_model_provider", "anthropic"));
        assertThat(provider.status()).isEqualTo(422);
        JsonNode p = provider.json().path("detail").get(0);
        assertThat(p.path("loc").toString()).contains("llm_model_provider");
        assertThat(p.path("msg").asText()).contains("anthropic").contains("openai");

        Http.Response effort = http.post(invokePath(), Http.json("input", Map.of("text", "x"), "llm_reasoning_effort", "extreme"));
        assertThat(effort.status()).isEqualTo(422);
        JsonNode e = effort.json().path("detail").get(0);
        assertThat(e.path("loc").toString()).contains("llm_reasoning_effort");
        assertThat(e.path("msg").asText()).contains("low").contains("medium").contains("high").contains("xhigh");

        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void titlePayloadExtensionAndSourceAreEchoed() {
        Http.Response res = http.post(invokePath() + "/async", """
                {"input":{"text":"hello"},"title":"Greeting","source":"slack",
                 "payload_extension":{"channel":"#general","n":[1,2]}}""");

        assertThat(res.status()).isEqualTo(200);
        for (JsonNode task : List.of(res.json(), awaitEnd(res.json().path("id").asText()))) {
            assertThat(task.path("title").asText()).isEqualTo("Greeting");
            assertThat(task.path("source").asText()).isEqualTo("slack");
            assertThat(task.path("payload_extension").path("channel").asText()).isEqualTo("#general");
            assertThat(task.path("payload_extension").path("n").toString()).isEqualTo("[1,2]");
        }
    }

    @Test
    void secretsAreNeverEchoed() {
        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "hi"),
                "user_oidc_token", "eyJsecret", "user_tokens", Map.of("github", "ghp_secret")));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.text()).doesNotContain("eyJsecret").doesNotContain("ghp_secret");
        assertThat(http.get("/v1/tasks/" + res.json().path("id").asText()).text())
                .doesNotContain("eyJsecret").doesNotContain("ghp_secret");
    }

    // ---- validation ----

    @Test
    void badBodiesAre422WithWhereTheProblemIs() {
        assertProblem(http.post(invokePath(), "{}"), "[\"body\",\"input\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":5}}"), "[\"body\",\"input\",\"text\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"\"}}"), "[\"body\",\"input\",\"text\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\",\"user\":{\"first_name\":\"Ada\"}}}"),
                "[\"body\",\"input\",\"user\",\"email\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\",\"files\":[\"ftp://x/y\"]}}"),
                "[\"body\",\"input\",\"files\",\"0\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"max_steps\":\"3\"}"), "[\"body\",\"max_steps\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"max_steps\":0}"), "[\"body\",\"max_steps\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"title\":[\"a\"]}"), "[\"body\",\"title\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"think_mode\":\"hardest\"}"), "[\"body\",\"think_mode\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"multitask_strategy\":\"queue\"}"),
                "[\"body\",\"multitask_strategy\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"output_format\":\"yaml\"}"), "[\"body\",\"output_format\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"id\":\"has space\"}"), "[\"body\",\"id\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"id\":\"" + "x".repeat(129) + "\"}"), "[\"body\",\"id\"]");
        assertProblem(http.post(invokePath(), "{\"input\":{\"text\":\"hi\"},\"disable_attachment_injection\":\"yes\"}"),
                "[\"body\",\"disable_attachment_injection\"]");
        assertProblem(http.post(invokePath(), "{\"input\": "), "[\"body\"]");
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void oddBodiesNeverMakeA5xx() {
        List<String> bodies = List.of("", "null", "[]", "\"text\"", "42", "{\"input\":null}", "{\"input\":\"hello\"}",
                "{\"input\":[]}", "{\"input\":{\"text\":null}}", "{\"input\":{\"text\":\"hi\",\"files\":[null]}}",
                "{\"input\":{\"text\":\"hi\",\"user\":{\"email\":5}}}", "{\"input\":{\"text\":\"hi\",\"user\":\"ada\"}}",
                "{\"input\":{\"text\":\"hi\"},\"output_schema\":\"object\"}",
                "{\"input\":{\"text\":\"hi\"},\"output_schema\":[1]}",
                "{\"input\":{\"text\":\"hi\"},\"max_steps\":99999999999}",
                "{\"input\":{\"text\":\"hi\"},\"max_cost_usd\":-1}",
                "{\"input\":{\"text\":\"hi\"},\"timeout_seconds\":-5}",
                "{\"input\":{\"text\":\"hi\"},\"webhook_url\":\"file:///etc/passwd\"}",
                "{\"input\":{\"text\":\"hi\"},\"id\":\"\"}",
                "{\"input\":{\"text\":\"hi\"},\"id\":7}",
                "{\"input\":{\"text\":\"hi\"},\"llm_model_provider\":\"no-such-provider\"}",
                "{\"input\":{\"text\":\"hi\"},\"llm_model_provider\":5}",
                "{\"input\":{\"text\":\"hi\"},\"instructions_mode\":\"merge\"}");
        List<String> failures = new ArrayList<>();
        for (String body : bodies) {
            Http.Response res = http.post(invokePath(), body);
            if (res.status() != 422) failures.add(body + " -> " + res);
        }
        assertThat(failures).isEmpty();
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void unknownAgentsVersionsAndKeys() {
        assertThat(http.post("/v1/agents/no-such-agent/invoke", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.post("/v1/agents/no-such-agent/invoke/async", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.post(invokePath() + "?version=99", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.post(invokePath() + "?version=latest-ish", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(422);
        // Another organization's agent is as unknown as one that does not exist.
        Http other = server.newOrganization("other-invoke");
        assertThat(other.post(invokePath(), Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.withKey(null).post(invokePath(), Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(401);
        assertThat(llm.chatCalls()).isZero();
    }

    // ---- idempotency ----

    @Test
    void aSyncInvokeRepeatedWithTheSameKeyAnswersTheSameTaskWithoutRunningAgain() {
        String body = Http.json("input", Map.of("text", "charge the card"));
        Map<String, String> key = Map.of("Idempotency-Key", "sync-key-1");

        Http.Response first = http.post(invokePath(), body, key);
        Http.Response second = http.post(invokePath(), body, key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(llm.chatCalls()).isEqualTo(1);
        assertThat(http.get("/v1/tasks/" + first.json().path("id").asText() + "/runs").json()).hasSize(1);
    }

    @Test
    void anAsyncInvokeRepeatedWithTheSameKeyAnswersThatRunsCurrentSnapshot() {
        String body = Http.json("input", Map.of("text", "send the invoice"), "id", "idem-async-thread");
        Map<String, String> key = Map.of("Idempotency-Key", "async-key-1");
        llm.enqueue(FakeLlm.slow("sent", Duration.ofMillis(400)));

        Http.Response first = http.post(invokePath() + "/async", body, key);
        assertThat(first.json().path("status").asText()).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(5)).until(() -> llm.chatCalls() == 1);
        Http.Response whileRunning = http.post(invokePath() + "/async", body, key);
        assertThat(whileRunning.json().path("id").asText()).isEqualTo("idem-async-thread");
        assertThat(whileRunning.json().path("status").asText()).isEqualTo("executing");
        JsonNode finished = awaitEnd("idem-async-thread");

        // Later: the replay shows how that run stands now, not the pending snapshot of the first answer.
        Http.Response replay = http.post(invokePath() + "/async", body, key);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json()).isEqualTo(finished);

        // After a newer turn of the same thread, the replay is still about the keyed run.
        http.post(invokePath(), Http.json("input", Map.of("text", "and a reminder"), "id", "idem-async-thread"));
        Http.Response again = http.post(invokePath() + "/async", body, key);
        assertThat(again.json().path("thread_turn").asInt()).isEqualTo(1);
        assertThat(again.json().path("input").path("text").asText()).isEqualTo("send the invoice");
        assertThat(again.json().path("result").asText()).isEqualTo("sent");
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void aSyncReplayOfAKeyedAsyncInvokeWaitsForThatRun() {
        String body = Http.json("input", Map.of("text", "slowly"));
        Map<String, String> key = Map.of("Idempotency-Key", "mixed-key");
        llm.enqueue(FakeLlm.slow("done slowly", Duration.ofMillis(400)));

        Http.Response async = http.post(invokePath() + "/async", body, key);
        Http.Response sync = http.post(invokePath(), body, key);

        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.json().path("id").asText()).isEqualTo(async.json().path("id").asText());
        assertThat(sync.json().path("status").asText()).isEqualTo("completed");
        assertThat(sync.json().path("result").asText()).isEqualTo("done slowly");
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    @Test
    void theSameKeyWithADifferentBodyIs422() {
        Map<String, String> key = Map.of("Idempotency-Key", "mismatch-key");
        Http.Response first = http.post(invokePath(), Http.json("input", Map.of("text", "one")), key);
        assertThat(first.status()).isEqualTo(200);

        Http.Response other = http.post(invokePath(), Http.json("input", Map.of("text", "two")), key);

        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().path("detail").get(0).path("loc").toString()).contains("Idempotency-Key");
        assertThat(llm.chatCalls()).isEqualTo(1);
        // Another agent with the same key and body is a different request too.
        String otherAgent = server.createAgent("idem-other");
        assertThat(http.post("/v1/agents/" + otherAgent + "/invoke", Http.json("input", Map.of("text", "one")), key).status())
                .isEqualTo(422);
    }

    @Test
    void keysBelongToTheirOrganization() {
        Http other = server.newOrganization("other-idem");
        String otherAgent = other.post("/v1/agents", Http.json("name", "theirs")).json().path("id").asText();
        Map<String, String> key = Map.of("Idempotency-Key", "shared-key");

        JsonNode mine = http.post(invokePath(), Http.json("input", Map.of("text", "a")), key).json();
        JsonNode theirs = other.post("/v1/agents/" + otherAgent + "/invoke", Http.json("input", Map.of("text", "a")), key).json();

        assertThat(theirs.path("status").asText()).isEqualTo("completed");
        assertThat(theirs.path("id").asText()).isNotEqualTo(mine.path("id").asText());
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void anOverlongKeyIs422() {
        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "x")),
                Map.of("Idempotency-Key", "k".repeat(256)));
        assertThat(res.status()).isEqualTo(422);
        assertThat(llm.chatCalls()).isZero();
    }

    // ---- helpers ----

    static String invokePath() { return "/v1/agents/" + agent + "/invoke"; }

    static JsonNode awaitEnd(String id) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25)).until(() -> {
            String s = http.get("/v1/tasks/" + id).json().path("status").asText();
            return TaskStatus.fromWire(s).isTerminal();
        });
        return http.get("/v1/tasks/" + id).json();
    }

    static void assertProblem(Http.Response res, String loc) {
        assertThat(res.status()).as(res.toString()).isEqualTo(422);
        JsonNode detail = res.json().path("detail");
        assertThat(detail.isArray()).as(res.toString()).isTrue();
        List<String> locs = new ArrayList<>();
        detail.forEach(p -> {
            locs.add(p.path("loc").toString());
            assertThat(p.path("msg").asText()).isNotBlank();
            assertThat(p.path("type").asText()).isNotBlank();
        });
        assertThat(locs).as(res.toString()).contains(loc);
    }
}
