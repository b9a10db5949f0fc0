package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real call per provider, run only when that provider's key is in the environment (never in CI here, which has
 * no keys). They check what no fake can: that the real services accept what we send.
 */
class RealProvidersTest {

    @Test
    @EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
    void openAi() {
        check("openai", "gpt-4.1-mini", "OPENAI_API_KEY", "OPENAI_BASE_URL");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+")
    void anthropic() {
        check("anthropic", "claude-3-5-haiku-latest", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "GEMINI_API_KEY", matches = ".+")
    void gemini() {
        check("gemini", "gemini-2.5-flash", "GEMINI_API_KEY", "GEMINI_BASE_URL");
    }

    private static void check(String provider, String model, String... variables) {
        Map<String, String> env = new HashMap<>();
        for (String v : variables) {
            String value = System.getenv(v);
            if (value != null) env.put(v, value);
        }
        try (TestServer server = TestServer.start(null, env)) {
            Http http = server.http();
            String agent = http.post("/v1/agents", Http.json("name", "real", "model_provider", provider, "model_name", model))
                    .json().path("id").asText();
            Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("answer", Map.of("type", "integer")),
                    "required", java.util.List.of("answer"), "additionalProperties", false);
            JsonNode task = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", "What is 2 + 3?"),
                    "output_format", "json", "output_schema", schema)).json();
            assertThat(task.path("status").asText()).as(task.toString()).isEqualTo("completed");
            assertThat(task.path("result").asText()).contains("5");
            assertThat(task.path("tokens").path("total_tokens").asInt()).isPositive();
        }
    }
}
