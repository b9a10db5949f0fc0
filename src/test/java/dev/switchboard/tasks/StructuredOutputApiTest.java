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

/** output_format json with output_schema: native structured output, validation, repair; and voice output. */
class StructuredOutputApiTest {
    static final Map<String, Object> SCHEMA = Map.of("type", "object",
            "properties", Map.of("city", Map.of("type", "string"), "population", Map.of("type", "integer")),
            "required", java.util.List.of("city", "population"), "additionalProperties", false);

    static FakeLlm llm;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        String root = llm.baseUrl().replace("/v1", "");
        server = TestServer.start(llm, Map.of("ANTHROPIC_API_KEY", "ak", "ANTHROPIC_BASE_URL", root + "/v1",
                "GEMINI_API_KEY", "gk", "GEMINI_BASE_URL", root + "/v1beta"));
        http = server.http();
        agent = server.createAgent("structured");
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    @BeforeEach
    void reset() {
        llm.reset();
        llm.models(java.util.List.of("gpt-4.1", "claude-sonnet-4-5", "gemini-2.5-flash"));
    }

    @Test
    void aValidAnswerIsTheResultAsJsonText() {
        llm.enqueue(FakeLlm.text("{\"city\":\"Lyon\",\"population\":522000}"));

        JsonNode task = invoke(Map.of("output_format", "json", "output_schema", SCHEMA));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("{\"city\":\"Lyon\",\"population\":522000}");
        JsonNode format = llm.chatRequests().getLast().body().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("schema").path("required").toString()).contains("population");
    }

    @Test
    void anInvalidAnswerIsSentBackForRepair() {
        llm.enqueue(FakeLlm.text("Lyon has about half a million people."),
                FakeLlm.text("```json\n{\"city\":\"Lyon\",\"population\":522000}\n```"));

        JsonNode task = invoke(Map.of("output_format", "json", "output_schema", SCHEMA));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("{\"city\":\"Lyon\",\"population\":522000}");
        assertThat(llm.chatCalls()).isEqualTo(2);
        assertThat(llm.chatRequests().getLast().lastUserText()).contains("not valid against the required JSON Schema");
    }

    @Test
    void stillInvalidAfterTheRepairsFailsWithTheValidationErrors() {
        llm.enqueue(FakeLlm.text("{\"city\":1}"), FakeLlm.text("{\"city\":2}"), FakeLlm.text("{\"city\":\"x\",\"population\":\"many\"}"));

        JsonNode task = invoke(Map.of("output_format", "json", "output_schema", SCHEMA));

        assertThat(task.path("status").asText()).isEqualTo("failed");
        assertThat(task.path("stop_reason").asText()).isEqualTo("output_invalid");
        assertThat(task.path("error").path("message").asText()).contains("population");
        assertThat(llm.chatCalls()).isEqualTo(3);
    }

    @Test
    void anthropicAndGeminiGetTheSchemaNatively() {
        llm.enqueue(FakeLlm.text("{\"city\":\"Lyon\",\"population\":1}"), FakeLlm.text("{\"city\":\"Lyon\",\"population\":1}"));

        invoke(Map.of("output_format", "json", "output_schema", SCHEMA, "llm_model_provider", "anthropic",
                "llm_model_name", "claude-sonnet-4-5"));
        assertThat(llm.chatRequests().getLast().body().toString()).contains("population");

        invoke(Map.of("output_format", "json", "output_schema", SCHEMA, "llm_model_provider", "gemini",
                "llm_model_name", "gemini-2.5-flash"));
        JsonNode config = llm.chatRequests().getLast().body().path("generationConfig");
        assertThat(config.path("responseMimeType").asText()).isEqualTo("application/json");
    }

    @Test
    void voiceOutputStoresTheAudioAndKeepsTheText() {
        llm.enqueue(FakeLlm.text("Hello in audio"));

        JsonNode task = invoke(Map.of("output_format", "voice"));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("Hello in audio");
        String url = task.path("voice").asText();
        assertThat(url).startsWith("/v1/files/");
        Http.Response audio = http.get(url);
        assertThat(audio.status()).isEqualTo(200);
        assertThat(audio.headers().get("content-type").getFirst()).isEqualTo("audio/mpeg");
        assertThat(audio.text()).isEqualTo("speech of Hello in audio");
        assertThat(llm.speechRequests().getLast().body().path("voice").asText()).isEqualTo("alloy");
        // Another organization cannot read it.
        assertThat(server.newOrganization("other").get(url).status()).isEqualTo(404);
    }

    private static JsonNode invoke(Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("input", Map.of("text", "Tell me about Lyon"));
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", dev.switchboard.common.Json.write(body));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }
}
