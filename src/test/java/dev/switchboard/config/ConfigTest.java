package dev.switchboard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

    @Test
    void defaultsNeedNothingSet() {
        Config c = Config.fromEnv(Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.maxConcurrentRuns()).isEqualTo(1000);
        assertThat(c.providers().configured()).isEmpty();
    }

    @Test
    void invalidValuesNameTheVariable() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PORT", "eighty")))
                .hasMessageContaining("SWITCHBOARD_PORT");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_MAX_CONCURRENT_RUNS", "0")))
                .hasMessageContaining("SWITCHBOARD_MAX_CONCURRENT_RUNS");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "maybe")))
                .hasMessageContaining("SWITCHBOARD_ALLOW_PRIVATE_NETWORK");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("AZURE_OPENAI_API_KEY", "k")))
                .hasMessageContaining("AZURE_OPENAI_ENDPOINT");
    }

    @Test
    void anUnknownSettingStopsStartUpNamingIt() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PROT", "8080", "SWITCHBOARD_PORT", "8080")))
                .hasMessageContaining("Unknown setting SWITCHBOARD_PROT").hasMessageContaining("SWITCHBOARD_PORT");
        assertThat(Config.fromEnv(Map.of("SWITCHBOARD_TEST_DATABASE_URL", "x", "OTHER_THING", "y")).port()).isEqualTo(8080);
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_LOG_FORMAT", "xml")))
                .hasMessageContaining("SWITCHBOARD_LOG_FORMAT");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_DATABASE_URL", "mysql://x/y")))
                .hasMessageContaining("SWITCHBOARD_DATABASE_URL");
    }

    @Test
    void theWebhookRetryScheduleIsAboutADayByDefaultAndReadsUnits() {
        var schedule = Config.fromEnv(Map.of()).webhooks().retrySchedule();
        assertThat(schedule.getFirst()).isLessThanOrEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(schedule.stream().reduce(java.time.Duration.ZERO, java.time.Duration::plus))
                .isBetween(java.time.Duration.ofHours(23), java.time.Duration.ofHours(25));
        assertThat(Config.fromEnv(Map.of("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE", "250ms, 2s,3m,1h")).webhooks().retrySchedule())
                .containsExactly(java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(2),
                        java.time.Duration.ofMinutes(3), java.time.Duration.ofHours(1));
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE", "5s,soon")))
                .hasMessageContaining("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE").hasMessageContaining("soon");
    }

    @Test
    void eachProviderIsConfiguredByItsOwnVariables() {
        Config c = Config.fromEnv(Map.of("OPENAI_API_KEY", "o", "ANTHROPIC_API_KEY", "a", "GOOGLE_API_KEY", "g",
                "OLLAMA_BASE_URL", "http://localhost:11434", "OPENROUTER_API_KEY", "r",
                "AZURE_OPENAI_API_KEY", "z", "AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com/",
                "AWS_BEARER_TOKEN_BEDROCK", "b", "AWS_REGION", "eu-west-1"));
        Map<String, ProviderSettings> byId = new java.util.HashMap<>();
        c.providers().configured().forEach(p -> byId.put(p.id(), p));
        assertThat(byId.keySet()).containsExactlyInAnyOrder("openai", "anthropic", "gemini", "ollama", "open_router",
                "azure_ai_foundary", "amazon_bedrock");
        assertThat(byId.get("gemini").apiKey()).contains("g");
        assertThat(byId.get("azure_ai_foundary").baseUrl()).isEqualTo("https://x.openai.azure.com/openai/v1");
        assertThat(byId.get("azure_ai_foundary").headers()).containsEntry("api-key", "z");
        assertThat(byId.get("amazon_bedrock").baseUrl()).isEqualTo("https://bedrock-runtime.eu-west-1.amazonaws.com/openai/v1");
    }

    @Test
    void theProvidersFileDeclaresOpenAiCompatibleProviders(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("providers.yaml");
        Files.writeString(file, """
                providers:
                  local_vllm:
                    kind: openai_compatible
                    base_url: http://localhost:8000/v1/
                    api_key_env: VLLM_KEY
                    models: [llama-3.1-8b, qwen-2.5]
                  lab:
                    base_url: https://lab.example.com/v1
                    allow_any_model: true
                """);
        Config c = Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString(), "VLLM_KEY", "secret"));
        ProviderSettings vllm = c.providers().configured().get(0);
        assertThat(vllm.id()).isEqualTo("local_vllm");
        assertThat(vllm.baseUrl()).isEqualTo("http://localhost:8000/v1");
        assertThat(vllm.apiKey()).isEqualTo(Optional.of("secret"));
        assertThat(vllm.models()).contains(List.of("llama-3.1-8b", "qwen-2.5"));
        assertThat(c.providers().configured().get(1).allowAnyModel()).isTrue();
    }

    @Test
    void theProvidersFileMayOverridePrices(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("providers.yaml");
        Files.writeString(file, """
                providers: {}
                prices:
                  openai/gpt-4.1: {input_per_million: 1.5, output_per_million: 6}
                  my-model: {input_per_million: 0, output_per_million: 0.5}
                """);
        Config c = Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString()));
        assertThat(c.providers().prices()).containsEntry("openai/gpt-4.1", new Config.ModelPrice(1.5, 6))
                .containsEntry("my-model", new Config.ModelPrice(0, 0.5));

        Files.writeString(file, "providers: {}\nprices: {x: {input_per_million: -1, output_per_million: 1}}\n");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString())))
                .hasMessageContaining("prices.x");
    }

    @Test
    void aBadProvidersFileNamesTheFileAndTheField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("providers.json");
        Files.writeString(file, "{\"providers\": {\"x\": {\"kind\": \"openai_compatible\", \"base_url\": \"ftp://nope\"}}}");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString())))
                .hasMessageContaining(file.toString()).hasMessageContaining("providers.x.base_url");

        Files.writeString(file, "{\"providers\": {\"x\": {\"base_url\": \"http://h/v1\", \"api_key_env\": \"MISSING_VAR\"}}}");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString())))
                .hasMessageContaining("providers.x.api_key_env").hasMessageContaining("MISSING_VAR");

        Files.writeString(file, "providers: [ {base_url: 'http://h/v1'} ]");
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_PROVIDERS_FILE", file.toString())))
                .hasMessageContaining("providers[0].name");
    }
}
