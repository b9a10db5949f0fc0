package dev.switchboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SWITCHBOARD_CONFIG_DIR: agents and workflows as YAML files, applied by name at start; export as YAML. */
class AgentsAsCodeTest {
    private static final String AGENT = """
            kind: agent
            name: support-bot
            description: %s
            model_provider: openai
            model_name: gpt-4.1
            instructions:
              general: Answer support questions briefly.
            webhook_secret: whsec_kept_secret
            """;
    private static final String WORKFLOW = """
            kind: workflow
            name: triage
            model_name: gpt-4.1
            orchestration_nodes:
              - id: answer
                type: agent
                definition:
                  asset_name: support-bot
            """;

    @Test
    void filesAreAppliedByNameAtStartAndOnlyAChangeMakesANewVersion(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("agents"));
        Files.writeString(config.resolve("support.yaml"), AGENT.formatted("first"));
        Files.writeString(config.resolve("triage.yml"), WORKFLOW);
        try (FakeLlm llm = FakeLlm.start();
             TestServer server = TestServer.start(llm, Map.of("SWITCHBOARD_CONFIG_DIR", config.toString()))) {
            Http http = server.http();
            JsonNode agent = only(http.get("/v1/agents").json());
            assertThat(agent.path("name").asText()).isEqualTo("support-bot");
            assertThat(agent.path("version").asInt()).isEqualTo(1);
            assertThat(agent.path("instructions").path("general").asText()).isEqualTo("Answer support questions briefly.");
            JsonNode workflow = only(http.get("/v1/workflows").json());
            assertThat(workflow.path("orchestration_nodes").get(0).path("definition").path("asset_id").asText())
                    .isEqualTo(agent.path("id").asText());

            llm.enqueue(FakeLlm.text("Try turning it off and on."));
            JsonNode answered = http.post("/v1/workflows/" + workflow.path("id").asText() + "/invoke",
                    Http.json("input", Map.of("text", "my router is broken"))).json();
            assertThat(answered.path("result").asText()).isEqualTo("Try turning it off and on.");

            server.restart();
            assertThat(only(server.http().get("/v1/agents").json()).path("version").asInt()).as("unchanged file").isEqualTo(1);

            Files.writeString(config.resolve("support.yaml"), AGENT.formatted("second"));
            server.restart();
            JsonNode changed = only(server.http().get("/v1/agents").json());
            assertThat(changed.path("id").asText()).isEqualTo(agent.path("id").asText());
            assertThat(changed.path("version").asInt()).isEqualTo(2);
            assertThat(changed.path("description").asText()).isEqualTo("second");

            // The export is a file of the same kind; applied again (its secret masked), it changes nothing.
            Http.Response export = server.http().get("/v1/agents/" + agent.path("id").asText() + "/export");
            assertThat(export.status()).isEqualTo(200);
            assertThat(export.headers().get("content-type").getFirst()).startsWith("application/yaml");
            JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(export.text());
            assertThat(yaml.path("kind").asText()).isEqualTo("agent");
            assertThat(yaml.path("name").asText()).isEqualTo("support-bot");
            assertThat(yaml.path("webhook_secret").asText()).isEqualTo("***");
            assertThat(yaml.has("id")).isFalse();
            Files.writeString(config.resolve("support.yaml"), export.text());
            server.restart();
            assertThat(only(server.http().get("/v1/agents").json()).path("version").asInt()).isEqualTo(2);
            assertThat(server.http().get("/v1/workflows/" + workflow.path("id").asText() + "/export").text())
                    .contains("kind: workflow");
        }
    }

    @Test
    void anInvalidFileStopsStartUpNamingTheFileAndTheField(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("agents"));
        Files.writeString(config.resolve("bad.yaml"), "name: broken\noutput_format: xml\n");
        assertThatThrownBy(() -> TestServer.start(null, Map.of("SWITCHBOARD_CONFIG_DIR", config.toString())))
                .hasMessageContaining("bad.yaml").hasMessageContaining("output_format");

        Files.writeString(config.resolve("bad.yaml"), WORKFLOW.replace("support-bot", "nobody"));
        assertThatThrownBy(() -> TestServer.start(null, Map.of("SWITCHBOARD_CONFIG_DIR", config.toString())))
                .hasMessageContaining("bad.yaml").hasMessageContaining("asset_name").hasMessageContaining("nobody");

        Files.writeString(config.resolve("bad.yaml"), "name: [unclosed\n");
        assertThatThrownBy(() -> TestServer.start(null, Map.of("SWITCHBOARD_CONFIG_DIR", config.toString())))
                .hasMessageContaining("bad.yaml").hasMessageContaining("YAML");
    }

    private static JsonNode only(JsonNode page) {
        assertThat(page.path("items")).hasSize(1);
        return page.path("items").get(0);
    }
}
