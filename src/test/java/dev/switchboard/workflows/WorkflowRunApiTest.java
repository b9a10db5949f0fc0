package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.FileServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.Receiver;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Running workflows through the API: each node type on a real model double and real loopback servers, routing by
 * groups and by conditions, parallel merge, nested workflows, retries and failure strategies, the three invoke modes.
 */
class WorkflowRunApiTest {
    static FakeLlm llm;
    static FileServer files;
    static Receiver receiver;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        files = FileServer.start();
        receiver = Receiver.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true"));
        http = server.http();
        agent = http.post("/v1/agents", """
                {"name":"billing agent","instructions":{"role":["You handle billing."]}}""").json().path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
        files.close();
        llm.close();
    }

    @BeforeEach
    void reset() {
        llm.reset();
    }

    static String workflow(String nodesJson) {
        Http.Response res = http.post("/v1/workflows", "{\"name\":\"flow\",\"model_name\":\"gpt-4.1\",\"orchestration_nodes\":"
                + nodesJson + "}");
        assertThat(res.status()).as(res.text()).isEqualTo(201);
        return res.json().path("id").asText();
    }

    static JsonNode invoke(String workflow, String text) {
        Http.Response res = http.post("/v1/workflows/" + workflow + "/invoke", Http.json("input", Map.of("text", text)));
        assertThat(res.status()).as(res.text()).isEqualTo(200);
        return res.json();
    }

    @Test
    void aClassifierRoutesToTheAgentOfItsGroupAndTheResultIsItsAnswer() {
        String wf = workflow("""
                [{"id":"triage","type":"classifier","next_node_ids":["bill","other"],
                  "definition":{"groups":[{"id":"billing","name":"Billing questions"},{"id":"general","name":"Anything else"}]}},
                 {"id":"bill","type":"agent","condition":{"group_id":"billing"},
                  "definition":{"asset_id":"%s","instructions":"Be brief."}},
                 {"id":"other","type":"summarizer","condition":{"group_id":"general"},"definition":{}}]""".formatted(agent));
        llm.enqueue(FakeLlm.text("billing"), FakeLlm.text("Refund issued."));

        JsonNode task = invoke(wf, "I was charged twice");

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("agent_id").asText()).isEqualTo(wf);
        assertThat(task.path("result").asText()).isEqualTo("Refund issued.");
        assertThat(llm.chatRequests()).hasSize(2);
        assertThat(llm.chatRequests().getFirst().systemText()).contains("billing").contains("Billing questions");
        FakeLlm.Received agentCall = llm.chatRequests().getLast();
        assertThat(agentCall.systemText()).contains("You handle billing.").contains("Be brief.");
        assertThat(agentCall.lastUserText()).isEqualTo("I was charged twice");
        // Both model calls (the classifier's, the agent's) count in the workflow task's usage.
        assertThat(task.path("usage").path("openai/gpt-4.1").path("prompt_tokens").asInt()).isEqualTo(20);
        assertThat(task.path("tokens").path("total_tokens").asInt()).isEqualTo(30);
    }

    @Test
    void anAgentNodeRunsTheWholeAgentWithItsTools() {
        String clock = http.post("/v1/agents", "{\"name\":\"clock\",\"attached_tools\":[{\"id\":\"current_time\"}]}")
                .json().path("id").asText();
        String wf = workflow("""
                [{"id":"when","type":"agent","definition":{"asset_id":"%s","instructions":"Say the time."}}]""".formatted(clock));
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("It is noon."));

        JsonNode task = invoke(wf, "what time is it?");

        assertThat(task.path("result").asText()).isEqualTo("It is noon.");
        assertThat(llm.chatRequests()).hasSize(2);
        assertThat(llm.chatRequests().getFirst().body().path("tools").findValuesAsText("name")).contains("current_time");
        JsonNode messages = llm.chatRequests().getLast().messages();
        assertThat(messages.get(messages.size() - 1).path("role").asText()).isEqualTo("tool");
    }

    @Test
    void aStreamedWorkflowShowsItsAgentsStartingAndTheirAnswers() {
        String wf = workflow("""
                [{"id":"helper","type":"agent","definition":{"asset_id":"%s"}}]""".formatted(agent));
        llm.enqueue(FakeLlm.text("Here is the answer."));

        try (SseClient stream = SseClient.post(http.base(), "/v1/workflows/" + wf + "/invoke/stream", TestServer.ADMIN_KEY,
                Http.json("input", Map.of("text", "help me"), "events_streaming", true))) {
            var events = stream.all(Duration.ofSeconds(10));
            var trigger = events.stream().filter(e -> e.type().equals("sub_agent_trigger")).findFirst().orElseThrow();
            assertThat(trigger.data().path("agent_id").asText()).isEqualTo(agent);
            assertThat(trigger.data().path("query").asText()).isEqualTo("help me");
            String chunks = events.stream().filter(e -> e.type().equals("chunk")).map(e -> e.data().asText())
                    .reduce("", String::concat);
            assertThat(chunks).isEqualTo("Here is the answer.");
            assertThat(events.getLast().data().path("result").asText()).isEqualTo("Here is the answer.");
        }
    }

    @Test
    void aGuardrailLetsPassingInputOnToASummarizerAndStopsFailingInput() {
        String wf = workflow("""
                [{"id":"check","type":"guardrail","next_node_ids":["sum","stop"],
                  "definition":{"groups":[{"id":"pass","name":"Safe"},{"id":"fail","name":"Unsafe"}]}},
                 {"id":"sum","type":"summarizer","condition":{"group_id":"pass"},"definition":{"instructions":"One line."}},
                 {"id":"stop","type":"send_to_end","condition":{"group_id":"fail"},"definition":{"message":"blocked"}}]""");
        llm.enqueue(FakeLlm.text("pass"), FakeLlm.text("A short summary."));

        assertThat(invoke(wf, "a long and harmless text").path("result").asText()).isEqualTo("A short summary.");
        assertThat(llm.chatRequests().getLast().systemText()).contains("Summarize the input.").contains("One line.");
        assertThat(llm.chatRequests().getLast().lastUserText()).isEqualTo("a long and harmless text");

        llm.enqueue(FakeLlm.text("fail"));
        assertThat(invoke(wf, "something bad").path("result").asText()).isEqualTo("blocked");
    }

    @Test
    void everyOperatorRoutesOnTheOutput() {
        String wf = workflow("""
                [{"id":"in","type":"code","next_node_ids":["re","has","eq","ne","lt","lte","full"],"definition":{"code":"$"}},
                 {"id":"re","type":"code","condition":{"type":"regex","path":"code","value":"^A\\\\d+$"},"definition":{"code":"'re'"}},
                 {"id":"has","type":"code","condition":{"type":"contains","path":"note","value":"urgent"},"definition":{"code":"'has'"}},
                 {"id":"eq","type":"code","condition":{"type":"equal","path":"status","value":"open"},"definition":{"code":"'eq'"}},
                 {"id":"ne","type":"code","condition":{"type":"not_equal","path":"status","value":"closed"},"definition":{"code":"'ne'"}},
                 {"id":"lt","type":"code","condition":{"type":"lt","path":"n","value":"10"},"definition":{"code":"'lt'"}},
                 {"id":"lte","type":"code","condition":{"type":"lte","path":"n","value":"5"},"definition":{"code":"'lte'"},
                  "return_this":true},
                 {"id":"full","type":"code","condition":{"type":"not_empty","path":"note"},"definition":{"code":"'full'"}}]""");

        Http.Response res = http.post("/v1/workflows/" + wf + "/invoke", Http.json("input",
                Map.of("text", "{\"code\":\"A12\",\"note\":\"urgent call\",\"status\":\"open\",\"n\":5}"),
                "events_streaming", true));

        assertThat(res.json().path("result").asText()).isEqualTo("lte");
        try (SseClient log = SseClient.get(http.base(), "/v1/tasks/" + res.json().path("id").asText() + "/events",
                TestServer.ADMIN_KEY, Map.of())) {
            List<String> ran = log.all(Duration.ofSeconds(10)).stream().filter(e -> e.type().equals("node_finished"))
                    .map(e -> e.data().path("node_id").asText()).toList();
            assertThat(ran).containsExactlyInAnyOrder("in", "re", "has", "eq", "ne", "lt", "lte", "full");
        }
        JsonNode none = invoke(wf, "{\"code\":\"B1\",\"note\":\"\",\"status\":\"closed\",\"n\":50}");
        assertThat(none.path("result").asText()).as("no condition held: the last node that ran is the first").isEqualTo(
                "{\"code\":\"B1\",\"note\":\"\",\"status\":\"closed\",\"n\":50}");
    }

    @Test
    void codeAndConditionsOnADotPathRouteDeterministically() {
        String wf = workflow("""
                [{"id":"sum","type":"code","next_node_ids":["big","small"],"definition":{"code":"{'total': $sum(items.price)}"}},
                 {"id":"big","type":"send_to_end","condition":{"type":"gt","path":"total","value":"4"},"definition":{"message":"big order"}},
                 {"id":"small","type":"send_to_end","condition":{"type":"else"},"definition":{"message":"small order"}}]""");

        assertThat(invoke(wf, "{\"items\":[{\"price\":2},{\"price\":3}]}").path("result").asText()).isEqualTo("big order");
        assertThat(invoke(wf, "{\"items\":[{\"price\":1}]}").path("result").asText()).isEqualTo("small order");
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void anActionCallsOutAndItsAnswerFlowsOn() {
        String data = files.put("/data.json", "{\"city\":\"Lyon\",\"temp\":21}".getBytes(StandardCharsets.UTF_8), "application/json");
        String wf = workflow("""
                [{"id":"fetch","type":"action","next_node_ids":["pick"],"definition":{"method":"GET","url":"%s?q={{input}}"}},
                 {"id":"pick","type":"code","next_node_ids":["post"],"definition":{"code":"city & ' is ' & $string(temp)"}},
                 {"id":"post","type":"action","definition":{"method":"POST","url":"%s","body":"{\\"text\\": \\"{{input}}\\"}"},
                  "return_this":false}]""".formatted(data, receiver.url("/hook")));

        JsonNode task = invoke(wf, "weather please");

        assertThat(task.path("status").asText()).as(task.toString()).isEqualTo("completed");
        assertThat(receiver.received("/hook").getLast().json().path("text").asText()).isEqualTo("Lyon is 21");
    }

    @Test
    void parallelChildrenRunOnTheSameInputAndTheirOutputsMerge() {
        String wf = workflow("""
                [{"id":"fan","type":"parallel","definition":{"nodes":[
                   {"id":"a","name":"double","type":"code","definition":{"code":"{'v': n * 2}"}},
                   {"id":"b","name":"square","type":"code","definition":{"code":"{'v': n * n}"}}]}}]""");

        JsonNode result = http.get("/v1/tasks/" + invoke(wf, "{\"n\":3}").path("id").asText()).json();

        assertThat(result.path("result").asText()).isEqualTo("{\"double\":{\"v\":6},\"square\":{\"v\":9}}");
    }

    @Test
    void aNestedWorkflowRunsOnItsParentsInputAndReturnThisPicksTheResult() {
        String inner = workflow("""
                [{"id":"up","type":"code","definition":{"code":"$uppercase($)"}}]""");
        String outer = workflow("""
                [{"id":"sub","type":"orchestration","return_this":true,"next_node_ids":["after"],"definition":{"asset_id":"%s"}},
                 {"id":"after","type":"code","definition":{"code":"'ignored'"}}]""".formatted(inner));

        assertThat(invoke(outer, "quiet words").path("result").asText()).isEqualTo("QUIET WORDS");
    }

    @Test
    void anIterativeNodeRunsOnItsOwnOutputUntilItsEndCondition() {
        String wf = workflow("""
                [{"id":"grow","type":"code","definition":{"code":"{'n': n * 2}"},
                  "iterative_strategy":{"enabled":true,"max_iterations":10,"end_condition":{"type":"gte","path":"n","value":"20"}}}]""");
        assertThat(invoke(wf, "{\"n\":3}").path("result").asText()).isEqualTo("{\"n\":24}");

        String capped = workflow("""
                [{"id":"grow","type":"code","definition":{"code":"{'n': n + 1}"},
                  "iterative_strategy":{"enabled":true,"max_iterations":3}}]""");
        assertThat(invoke(capped, "{\"n\":0}").path("result").asText()).isEqualTo("{\"n\":3}");
    }

    @Test
    void aFailingNodeEndsTheRunUnlessItsStrategySaysOtherwise() {
        String missing = files.url("/missing.json");
        String failing = workflow("""
                [{"id":"fetch","type":"action","retry_strategy":{"enabled":true,"max_retries":2},
                  "definition":{"method":"GET","url":"%s"}}]""".formatted(missing));
        int before = files.requests();

        JsonNode failed = invoke(failing, "x");

        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("stop_reason").asText()).isEqualTo("node_failed");
        assertThat(failed.path("result").asText()).contains("fetch").contains("3 attempts").contains("HTTP 404");
        assertThat(files.requests() - before).isEqualTo(3);

        String tolerant = workflow("""
                [{"id":"fetch","type":"action","stop_strategy":{"enabled":true,"stop_on_failure":false},
                  "next_node_ids":["echo"],"definition":{"method":"GET","url":"%s"}},
                 {"id":"echo","type":"code","definition":{"code":"'went on with ' & $"}}]""".formatted(missing));
        assertThat(invoke(tolerant, "x").path("result").asText()).isEqualTo("went on with x");
    }

    // ---- human in the loop ----

    static String invokeAsync(String workflow, String text) {
        return http.post("/v1/workflows/" + workflow + "/invoke/async", Http.json("input", Map.of("text", text)))
                .json().path("id").asText();
    }

    static JsonNode awaitStatus(String task, String status) {
        await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/v1/tasks/" + task).json().path("status").asText().equals(status));
        return http.get("/v1/tasks/" + task).json();
    }

    static final String APPROVAL = """
            [{"id":"draft","type":"code","next_node_ids":["ask"],"definition":{"code":"'draft: ' & $"}},
             {"id":"ask","type":"wait","next_node_ids":["yes","no"],
              "definition":{"type":"hitl","title":"Send it?","content":"Please check the draft"}},
             {"id":"yes","type":"code","condition":{"group_id":"approved"},"definition":{"code":"$uppercase($)"}},
             {"id":"no","type":"send_to_end","condition":{"group_id":"rejected"},"definition":{"message":"declined"}}]""";

    @Test
    void aPausedTaskIsDecidedOnceEvenWhenDecisionsCrossEachOther() {
        String wf = workflow(APPROVAL);
        String task = invokeAsync(wf, "hello");
        awaitStatus(task, "paused");

        // Sent back to back: the second finds the first's decision (or the resumed run), never a second yes or no.
        Http.Response first = http.post("/v1/tasks/" + task + "/hitl/approve", "{}");
        Http.Response second = http.post("/v1/tasks/" + task + "/hitl/reject", "{}");

        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(second.status()).as(second.text()).isEqualTo(409);
        JsonNode done = awaitStatus(task, "completed");
        assertThat(done.path("hitl_request").path("decision").asText()).isEqualTo("approve");
    }

    @Test
    void aWaitNodePausesTheTaskUntilItIsApproved() {
        String wf = workflow(APPROVAL);
        String hook = receiver.url("/paused-" + wf);
        http.post("/v1/webhooks", Http.json("url", hook, "events", java.util.List.of("task.paused")));
        String task = invokeAsync(wf, "hello");

        JsonNode paused = awaitStatus(task, "paused");
        assertThat(paused.path("paused_at").asText()).isNotBlank();
        assertThat(paused.path("hitl_request").path("wait_node_id").asText()).isEqualTo("ask");
        assertThat(paused.path("hitl_request").path("title").asText()).isEqualTo("Send it?");
        assertThat(paused.path("hitl_request").path("content").asText()).isEqualTo("Please check the draft");
        await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.received("/paused-" + wf).isEmpty());
        assertThat(receiver.received("/paused-" + wf).getFirst().json().path("type").asText()).isEqualTo("task.paused");

        Http.Response approved = http.post("/v1/tasks/" + task + "/hitl/approve", "{\"comment\":\"looks good\"}",
                Map.of("X-User-Id", "ada@example.com"));
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);

        JsonNode done = awaitStatus(task, "completed");
        assertThat(done.path("result").asText()).isEqualTo("DRAFT: HELLO");
        assertThat(done.path("hitl_request").path("approved_by").asText()).isEqualTo("ada@example.com");
        assertThat(done.path("hitl_request").path("comment").asText()).isEqualTo("looks good");
        assertThat(http.post("/v1/tasks/" + task + "/hitl/approve", "{}").status()).isEqualTo(409);
    }

    @Test
    void aRejectionFollowsTheRejectRouteOrFailsTheRun() {
        String routed = invokeAsync(workflow(APPROVAL), "hello");
        awaitStatus(routed, "paused");
        assertThat(http.post("/v1/tasks/" + routed + "/hitl/reject", "{\"comment\":\"no\"}").status()).isEqualTo(200);
        assertThat(awaitStatus(routed, "completed").path("result").asText()).isEqualTo("declined");

        String bare = invokeAsync(workflow("""
                [{"id":"ask","type":"wait","next_node_ids":["go"],"definition":{"type":"hitl","title":"Go?"}},
                 {"id":"go","type":"code","definition":{"code":"'went'"}}]"""), "x");
        awaitStatus(bare, "paused");
        http.post("/v1/tasks/" + bare + "/hitl/reject", "{\"comment\":\"not today\"}");
        JsonNode failed = awaitStatus(bare, "failed");
        assertThat(failed.path("stop_reason").asText()).isEqualTo("node_failed");
        assertThat(failed.path("result").asText()).contains("Rejected at 'ask'").contains("not today");
    }

    @Test
    void aWaitNodeTimesOutToItsDefaultAction() {
        String task = invokeAsync(workflow("""
                [{"id":"ask","type":"wait","next_node_ids":["go"],
                  "definition":{"type":"hitl","timeout_seconds":1,"default_action":"approve"}},
                 {"id":"go","type":"code","definition":{"code":"'approved by default'"}}]"""), "x");

        awaitStatus(task, "paused");
        assertThat(awaitStatus(task, "completed").path("result").asText()).isEqualTo("approved by default");
    }

    @Test
    void aWebhookWaitResumesWithThePayloadAsItsOutput() {
        String task = invokeAsync(workflow("""
                [{"id":"hook","type":"wait","next_node_ids":["add"],"definition":{"type":"webhook"}},
                 {"id":"add","type":"code","definition":{"code":"x + 1"}}]"""), "x");
        awaitStatus(task, "paused");

        assertThat(http.post("/v1/tasks/" + task + "/hitl/approve", "{}").status()).isEqualTo(409);
        assertThat(http.post("/v1/tasks/" + task + "/resume", "{\"data\":{\"x\":41}}").status()).isEqualTo(200);

        assertThat(awaitStatus(task, "completed").path("result").asText()).isEqualTo("42");
    }

    @Test
    void aStopEndsAWorkflowWhileItsNodeWaitsOnTheModel() {
        String wf = workflow("""
                [{"id":"sum","type":"summarizer","definition":{"instructions":"One line."}}]""");
        llm.enqueue(FakeLlm.slow("too late", Duration.ofSeconds(20)));
        String task = invokeAsync(wf, "a long text");
        await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatRequests().size() == 1);

        assertThat(http.post("/v1/tasks/" + task + "/stop", null).status()).isEqualTo(200);

        // The model call is cut short (the model would answer after 20 s): the task ends stopped, without its answer.
        await().atMost(Duration.ofSeconds(5)).until(() -> http.get("/v1/tasks/" + task).json().path("status").asText()
                .equals("stopped"));
        assertThat(http.get("/v1/tasks/" + task).json().path("result").asText()).doesNotContain("too late");
    }

    @Test
    void aPausedTaskCanBeStoppedAndSurvivesARestart() {
        String wf = workflow(APPROVAL);
        String stopped = invokeAsync(wf, "a");
        awaitStatus(stopped, "paused");
        assertThat(http.post("/v1/tasks/" + stopped + "/stop", null).json().path("status").asText()).isEqualTo("stopped");
        assertThat(http.post("/v1/tasks/" + stopped + "/hitl/approve", "{}").status()).isEqualTo(409);

        String kept = invokeAsync(wf, "b");
        awaitStatus(kept, "paused");
        server.restart();
        http = server.http();
        assertThat(http.get("/v1/tasks/" + kept).json().path("status").asText()).isEqualTo("paused");
        http.post("/v1/tasks/" + kept + "/hitl/approve", "{}");
        assertThat(awaitStatus(kept, "completed").path("result").asText()).isEqualTo("DRAFT: B");
        assertThat(http.post("/v1/tasks/nope/hitl/approve", "{}").status()).isEqualTo(404);
    }

    @Test
    void asyncAndStreamedInvokesRunWorkflowsToo() throws Exception {
        String wf = workflow("""
                [{"id":"shout","type":"code","definition":{"code":"$uppercase($)"}}]""");

        Http.Response async = http.post("/v1/workflows/" + wf + "/invoke/async", Http.json("input", Map.of("text", "later")));
        assertThat(async.status()).isEqualTo(200);
        String id = async.json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/v1/tasks/" + id).json().path("status").asText().equals("completed"));
        assertThat(http.get("/v1/tasks/" + id).json().path("result").asText()).isEqualTo("LATER");

        try (SseClient stream = SseClient.post(http.base(), "/v1/workflows/" + wf + "/invoke/stream", TestServer.ADMIN_KEY,
                Http.json("input", Map.of("text", "now"), "events_streaming", true))) {
            var events = stream.all(Duration.ofSeconds(10));
            assertThat(events.getLast().type()).isEqualTo("task_finished");
            assertThat(events.getLast().data().path("result").asText()).isEqualTo("NOW");
            var started = events.stream().filter(e -> e.type().equals("node_started")).toList();
            var finished = events.stream().filter(e -> e.type().equals("node_finished")).toList();
            assertThat(started).hasSize(1);
            assertThat(started.getFirst().data().path("node_id").asText()).isEqualTo("shout");
            assertThat(finished.getFirst().data().path("type").asText()).isEqualTo("code");
            assertThat(finished.getFirst().data().path("output").asText()).isEqualTo("NOW");
        }
        assertThat(http.post("/v1/workflows/" + agent + "/invoke", Http.json("input", Map.of("text", "x"))).status()).isEqualTo(404);
    }
}
