package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tool loop through the API: tools offered, called, their results fed back; limits and tool errors. */
class ToolLoopApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
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
    void theModelCallsAToolAndAnswersWithItsResult() {
        String agent = agentWithTools("[{\"id\":\"current_time\"}]");
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{\"timezone\":\"UTC\"}"), FakeLlm.text("It is late."));

        JsonNode task = invoke(agent, "what time is it?", Map.of());

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("It is late.");
        assertThat(llm.chatCalls()).isEqualTo(2);
        JsonNode first = llm.chatRequests().get(0).body();
        assertThat(first.path("tools").get(0).path("function").path("name").asText()).isEqualTo("current_time");
        JsonNode second = llm.chatRequests().get(1).body().path("messages");
        JsonNode toolMessage = second.get(second.size() - 1);
        assertThat(toolMessage.path("role").asText()).isEqualTo("tool");
        assertThat(toolMessage.path("content").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*");
        // Both model calls count: tokens of the two replies add up.
        assertThat(task.path("tokens").path("total_tokens").asInt()).isEqualTo(30);
        assertThat(task.path("usage").path("openai/gpt-4.1").path("cost_usd").asDouble()).isPositive();
    }

    @Test
    void anAgentWithoutToolsIsSentNone() {
        invoke(agentWithTools("[]"), "hi", Map.of());
        assertThat(llm.chatRequests().getLast().body().has("tools")).isFalse();
    }

    @Test
    void toolErrorsGoBackToTheModelInsteadOfEndingTheRun() {
        String agent = agentWithTools("[{\"id\":\"http_fetch\"}]");
        llm.enqueue(new FakeLlm.Reply.ToolCall("http_fetch", "{\"url\":\"http://169.254.169.254/latest/meta-data\"}"),
                new FakeLlm.Reply.ToolCall("no_such_tool", "{}"),
                new FakeLlm.Reply.ToolCall("http_fetch", "not json"),
                FakeLlm.text("I could not fetch it."));

        JsonNode task = invoke(agent, "fetch the metadata", Map.of());

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("I could not fetch it.");
        JsonNode messages = llm.chatRequests().getLast().body().path("messages");
        assertThat(messages.toString()).contains("link-local").contains("there is no tool named 'no_such_tool'")
                .contains("not valid JSON");
    }

    @Test
    void pastTheToolCallLimitNoToolsAreOffered() {
        String agent = server.http().post("/v1/agents", """
                {"name":"limited","attached_tools":[{"id":"current_time"}],"agno_settings":{"tool_call_limit":1}}""")
                .json().path("id").asText();
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("done"));

        invoke(agent, "time please", Map.of());

        assertThat(llm.chatRequests().get(0).body().has("tools")).isTrue();
        assertThat(llm.chatRequests().get(1).body().has("tools")).isFalse();
    }

    @Test
    void maxStepsEndsARunThatKeepsCallingTools() {
        String agent = agentWithTools("[{\"id\":\"current_time\"}]");
        for (int i = 0; i < 5; i++) llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"));

        JsonNode task = invoke(agent, "loop forever", Map.of("max_steps", 3));

        assertThat(task.path("status").asText()).isEqualTo("failed");
        assertThat(task.path("stop_reason").asText()).isEqualTo("max_steps");
        assertThat(llm.chatCalls()).isEqualTo(3);
    }

    @Test
    void maxTokensAndMaxCostEndTheRunFailed() {
        String agent = agentWithTools("[{\"id\":\"current_time\"}]");
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("unreached"));
        JsonNode tokens = invoke(agent, "many tokens", Map.of("max_tokens", 10));
        assertThat(tokens.path("status").asText()).isEqualTo("failed");
        assertThat(tokens.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(tokens.path("error").path("code").asText()).isEqualTo("max_tokens");

        llm.reset();
        llm.enqueue(new FakeLlm.Reply.ToolCall("current_time", "{}"), FakeLlm.text("unreached"));
        JsonNode cost = invoke(agent, "too dear", Map.of("max_cost_usd", 0.00001));
        assertThat(cost.path("stop_reason").asText()).isEqualTo("budget_exceeded");
        assertThat(llm.chatCalls()).isEqualTo(1);
    }

    @Test
    void timeoutSecondsCancelsTheModelCallAndFailsTheRun() {
        String agent = agentWithTools("[]");
        llm.enqueue(FakeLlm.slow("too slow", java.time.Duration.ofSeconds(5)));
        long started = System.nanoTime();

        JsonNode task = invoke(agent, "hurry", Map.of("timeout_seconds", 1));

        assertThat(task.path("status").asText()).isEqualTo("failed");
        assertThat(task.path("stop_reason").asText()).isEqualTo("timeout");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(4));
    }

    private static String agentWithTools(String tools) {
        Http.Response res = http.post("/v1/agents", "{\"name\":\"tools\",\"attached_tools\":" + tools + "}");
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json().path("id").asText();
    }

    static JsonNode invoke(String agent, String text, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("input", Map.of("text", text));
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", dev.switchboard.common.Json.write(body));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }
}
