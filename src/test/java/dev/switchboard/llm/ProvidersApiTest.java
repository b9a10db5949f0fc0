package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every provider protocol through the real API, against the fake model server speaking each wire protocol. */
class ProvidersApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        String root = llm.baseUrl().replace("/v1", "");
        server = TestServer.start(llm, Map.of(
                "ANTHROPIC_API_KEY", "ak-test", "ANTHROPIC_BASE_URL", root + "/v1",
                "GEMINI_API_KEY", "gk-test", "GEMINI_BASE_URL", root + "/v1beta",
                "OLLAMA_BASE_URL", root,
                "SWITCHBOARD_MODEL_RETRY_BASE_MS", "5"));
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
        llm.models(List.of("gpt-4.1", "o4-mini", "claude-sonnet-4-5", "claude-3-5-haiku-latest", "gemini-2.5-flash",
                "gemini-2.0-flash", "qwen3"));
    }

    @Test
    void listsTheConfiguredProvidersUnderBothPaths() {
        for (String path : List.of("/v1/llm_providers", "/v1/misc/llm_providers")) {
            Http.Response res = http.get(path);
            assertThat(res.status()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            res.json().forEach(p -> ids.add(p.path("internal_identifier").asText()));
            assertThat(ids).containsExactly("openai", "anthropic", "gemini", "ollama");
            assertThat(res.json().get(0).has("logo")).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"openai", "anthropic", "gemini", "google_ai_studio", "ollama"})
    void catalogsComeFromEachProvidersOwnListing(String provider) {
        Http.Response res = http.get("/v1/llm_providers/" + provider + "/models");
        assertThat(res.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        res.json().forEach(m -> ids.add(m.path("model_id").asText()));
        assertThat(ids).contains("gpt-4.1", "claude-sonnet-4-5", "gemini-2.5-flash", "qwen3");
        assertThat(res.json().get(0).path("tier").asInt()).isEqualTo(1);
    }

    @Test
    void aProviderThatIsNotConfiguredIs404() {
        Http.Response res = http.get("/v1/misc/llm_providers/open_router/models");
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.json().path("detail").asText()).contains("open_router");
    }

    @ParameterizedTest
    @CsvSource({
            "openai,gpt-4.1,OPENAI",
            "anthropic,claude-3-5-haiku-latest,ANTHROPIC",
            "gemini,gemini-2.0-flash,GEMINI",
            "ollama,qwen3,OLLAMA"})
    void eachProviderAnswersAnInvoke(String provider, String model, FakeLlm.Protocol protocol) {
        String agent = agent(provider, model, null);

        JsonNode task = invoke(agent, "hello " + provider);

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("echo: hello " + provider);
        assertThat(task.path("llm_model_provider").asText()).isEqualTo(provider);
        assertThat(task.path("tokens").path("total_tokens").asInt()).isEqualTo(15);
        FakeLlm.Received sent = llm.chatRequests().getLast();
        assertThat(sent.protocol()).isEqualTo(protocol);
        if (protocol != FakeLlm.Protocol.GEMINI) {
            assertThat(sent.body().path("model").asText()).isEqualTo(model);
        } else {
            assertThat(sent.path()).contains("/models/" + model + ":");
        }
    }

    @Test
    void effortBecomesOpenAisReasoningEffortOnlyForReasoningModels() {
        invoke(agent("openai", "o4-mini", "xhigh"), "think");
        assertThat(llm.chatRequests().getLast().body().path("reasoning_effort").asText()).isEqualTo("high");

        invoke(agent("openai", "gpt-4.1", "high"), "plain");
        assertThat(llm.chatRequests().getLast().body().has("reasoning_effort")).isFalse();
    }

    @Test
    void effortBecomesAnthropicsThinkingBudget() {
        JsonNode task = invoke(agent("anthropic", "claude-sonnet-4-5", "medium"), "think");

        assertThat(task.path("status").asText()).isEqualTo("completed");
        JsonNode body = llm.chatRequests().getLast().body();
        assertThat(body.path("thinking").path("type").asText()).isEqualTo("enabled");
        assertThat(body.path("thinking").path("budget_tokens").asInt()).isEqualTo(4096);
        assertThat(body.path("max_tokens").asInt()).isGreaterThan(4096);
        assertThat(llm.chatRequests().getLast().header("x-api-key")).isEqualTo("ak-test");
    }

    @Test
    void effortBecomesGeminisThinkingBudget() {
        invoke(agent("gemini", "gemini-2.5-flash", "low"), "think");

        JsonNode config = llm.chatRequests().getLast().body().path("generationConfig").path("thinkingConfig");
        assertThat(config.path("thinkingBudget").asInt()).isEqualTo(1024);
    }

    @Test
    void effortTurnsOllamaThinkingOn() {
        invoke(agent("ollama", "qwen3", "low"), "think");
        assertThat(llm.chatRequests().getLast().body().path("think").asBoolean()).isTrue();

        invoke(agent("ollama", "qwen3", null), "no thinking");
        assertThat(llm.chatRequests().getLast().body().has("think")).isFalse();
    }

    @Test
    void thinkHarderRaisesTheEffortOneLevel() {
        String agent = agent("anthropic", "claude-sonnet-4-5", "low");
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke",
                Http.json("input", Map.of("text", "hard one"), "think_mode", "harder"));

        assertThat(res.json().path("llm_reasoning_effort").asText()).isEqualTo("medium");
        assertThat(llm.chatRequests().getLast().body().path("thinking").path("budget_tokens").asInt()).isEqualTo(4096);
    }

    @Test
    void rateLimitsAndServerErrorsAreRetried() {
        String agent = agent("openai", "gpt-4.1", null);
        llm.enqueue(FakeLlm.error(500, "upstream broke"), FakeLlm.error(429, "slow down"), FakeLlm.text("made it"));

        JsonNode task = invoke(agent, "retry me");

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("made it");
        assertThat(llm.chatCalls()).isEqualTo(3);
    }

    @Test
    void aRetryWaitsAsLongAsRetryAfterSays() {
        String agent = agent("openai", "gpt-4.1", null);
        llm.enqueue(FakeLlm.rateLimited("1"), FakeLlm.text("after the wait"));
        long started = System.nanoTime();

        JsonNode task = invoke(agent, "patience");

        assertThat(task.path("result").asText()).isEqualTo("after the wait");
        // The retry base is 5 ms in this class: only Retry-After explains a wait of a second.
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(950));
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void retriesStopAfterTheirLimit() {
        String agent = agent("anthropic", "claude-3-5-haiku-latest", null);
        for (int i = 0; i < 4; i++) llm.enqueue(FakeLlm.error(503, "overloaded"));

        JsonNode task = invoke(agent, "give up");

        assertThat(task.path("status").asText()).isEqualTo("error");
        assertThat(task.path("stop_reason").asText()).isEqualTo("provider_error");
        assertThat(task.path("result").asText()).contains("overloaded");
        assertThat(llm.chatCalls()).isEqualTo(4);
    }

    @Test
    void authErrorsAndBadRequestsEndTheRunAtOnce() {
        String agent = agent("gemini", "gemini-2.0-flash", null);
        llm.enqueue(FakeLlm.error(401, "bad key"));

        JsonNode task = invoke(agent, "no retry");

        assertThat(task.path("status").asText()).isEqualTo("error");
        assertThat(task.path("error").path("code").asText()).isEqualTo("auth");
        assertThat(task.path("result").asText()).contains("bad key");
        assertThat(llm.chatCalls()).isEqualTo(1);

        llm.enqueue(FakeLlm.error(400, "This model's maximum context length is 128000 tokens"));
        JsonNode overflow = invoke(agent, "too long");
        assertThat(overflow.path("stop_reason").asText()).isEqualTo("context_overflow");
        assertThat(llm.chatCalls()).isEqualTo(2);
    }

    @Test
    void perRunOverridesAreCheckedAgainstEachProvidersCatalog() {
        String agent = agent("openai", "gpt-4.1", null);

        Http.Response ok = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "x"),
                "llm_model_provider", "gemini", "llm_model_name", "gemini-2.5-flash"));
        assertThat(ok.json().path("llm_model_provider").asText()).isEqualTo("gemini");
        assertThat(llm.chatRequests().getLast().protocol()).isEqualTo(FakeLlm.Protocol.GEMINI);

        Http.Response unknown = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "x"),
                "llm_model_provider", "anthropic", "llm_model_name", "claude-9"));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().path("detail").get(0).path("msg").asText()).contains("claude-sonnet-4-5");

        Http.Response notConfigured = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "x"),
                "llm_model_provider", "open_router"));
        assertThat(notConfigured.status()).isEqualTo(422);
        assertThat(notConfigured.json().path("detail").get(0).path("msg").asText()).contains("openai, anthropic, gemini, ollama");
    }

    @Test
    void anthropicsThinkingIsStreamedAsThinkEventsOnlyWhenAsked() {
        String agent = agent("anthropic", "claude-sonnet-4-5", "medium");
        String fine = Http.json("input", Map.of("text", "think aloud"), "events_streaming", true);
        String coarse = Http.json("input", Map.of("text", "think quietly"));

        var withThoughts = dev.switchboard.testkit.SseClient.post(http.base(), "/v1/agents/" + agent + "/invoke/stream",
                TestServer.ADMIN_KEY, fine).all(java.time.Duration.ofSeconds(20));
        var without = dev.switchboard.testkit.SseClient.post(http.base(), "/v1/agents/" + agent + "/invoke/stream",
                TestServer.ADMIN_KEY, coarse).all(java.time.Duration.ofSeconds(20));

        // The fake's thinking block ("Let me think.") arrives as a think event before the answer's chunks.
        var think = withThoughts.stream().filter(e -> e.type().equals("think")).toList();
        assertThat(think).hasSize(1);
        assertThat(think.getFirst().data().path("thought").asText()).isEqualTo("Let me think.");
        assertThat(withThoughts.getLast().data().path("status").asText()).isEqualTo("completed");
        assertThat(without).extracting(dev.switchboard.testkit.SseClient.Event::type).doesNotContain("think")
                .contains("chunk", "task_finished");
    }

    private static String agent(String provider, String model, String effort) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", provider + "-agent", "model_provider", provider, "model_name", model));
        if (effort != null) body.put("llm_reasoning_effort", effort);
        Http.Response res = http.post("/v1/agents", dev.switchboard.common.Json.write(body));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json().path("id").asText();
    }

    private static JsonNode invoke(String agent, String text) {
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", text)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }
}
