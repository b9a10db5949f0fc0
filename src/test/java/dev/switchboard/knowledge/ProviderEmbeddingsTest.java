package dev.switchboard.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.Config;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.FileServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Knowledge bases embedded by a provider's model (SWITCHBOARD_EMBEDDING_MODEL) instead of the in-process one. */
class ProviderEmbeddingsTest {

    @Test
    void documentsAndQueriesAreEmbeddedByTheConfiguredProviderModel() {
        try (FakeLlm llm = FakeLlm.start(); FileServer files = FileServer.start();
             TestServer server = TestServer.start(llm, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true",
                     "SWITCHBOARD_EMBEDDING_MODEL", "openai/text-embedding-3-small"))) {
            Http http = server.http();
            String kb = http.post("/v1/knowledge", "{\"name\":\"remote\"}").json().path("id").asText();
            List<String> urls = List.of(
                    files.put("/a.txt", "Giraffes have long necks and eat acacia leaves.".getBytes(StandardCharsets.UTF_8), "text/plain"),
                    files.put("/b.txt", "Invoices are due within thirty days of delivery.".getBytes(StandardCharsets.UTF_8), "text/plain"));
            http.post("/v1/knowledge/" + kb + "/documents", Http.json("document_urls", urls));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode items = http.get("/v1/knowledge/" + kb + "/documents").json().path("items");
                return items.size() == 2 && items.get(0).path("status").asText().equals("completed")
                        && items.get(1).path("status").asText().equals("completed");
            });

            JsonNode hits = http.get("/v1/knowledge/" + kb + "/search?search_query=when+are+invoices+due&top_k=2").json();

            assertThat(hits.get(0).path("content").asText()).contains("Invoices are due");
            List<FakeLlm.Received> embeddingCalls = received(llm);
            assertThat(embeddingCalls).isNotEmpty();
            assertThat(embeddingCalls).allSatisfy(r -> assertThat(r.body().path("model").asText()).isEqualTo("text-embedding-3-small"));
            assertThat(embeddingCalls.getFirst().header("authorization")).isNotBlank();
        }
    }

    @Test
    void aMalformedOrUnconfiguredEmbeddingModelStopsStartUpWithAClearMessage() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("SWITCHBOARD_EMBEDDING_MODEL", "bigmodel")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SWITCHBOARD_EMBEDDING_MODEL");
        try (FakeLlm llm = FakeLlm.start()) {
            assertThatThrownBy(() -> TestServer.start(llm, Map.of("SWITCHBOARD_EMBEDDING_MODEL", "anthropic/voyage-3")))
                    .hasMessageContaining("SWITCHBOARD_EMBEDDING_MODEL").hasMessageContaining("anthropic");
        }
    }

    private static List<FakeLlm.Received> received(FakeLlm llm) {
        return llm.allRequests().stream().filter(r -> r.protocol() == FakeLlm.Protocol.EMBEDDINGS).toList();
    }
}
