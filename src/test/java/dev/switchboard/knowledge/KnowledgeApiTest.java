package dev.switchboard.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.Documents;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.FileServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Knowledge bases through the API (CONTRACT §9): CRUD in xpander's shapes, documents by URL and by upload ingested in
 * the background (surviving a restart), and semantic search with the in-process embeddings, checked for relevance on a
 * small corpus with known answers.
 */
class KnowledgeApiTest {
    static FakeLlm llm;
    static FileServer files;
    static TestServer server;
    static String corpus;
    static final Map<String, String> DOCUMENT_OF = new java.util.HashMap<>();

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        files = FileServer.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true"));
        corpus = http().post("/v1/knowledge", "{\"name\":\"corpus\",\"description\":\"known answers\"}").json().path("id").asText();
        List<String> urls = List.of(
                files.put("/kb/cats.txt", ("Cats are small carnivorous mammals. They purr when content and love to chase "
                        + "and hunt mice and birds.").getBytes(StandardCharsets.UTF_8), "text/plain"),
                files.put("/kb/finance.pdf", Documents.pdf("Quarterly report.",
                        "Revenue grew by 12 percent this quarter thanks to strong sales in Europe."), "application/pdf"),
                files.put("/kb/space.md", "# Rockets\n\nThe rocket launched from the pad and reached orbit after eight minutes."
                        .getBytes(StandardCharsets.UTF_8), "text/markdown"),
                files.put("/kb/bread.html", ("<html><body><h1>Baking</h1><p>To bake bread, knead the dough, let it rise for "
                        + "an hour, and bake it in an oven at 220 degrees.</p></body></html>").getBytes(StandardCharsets.UTF_8),
                        "text/html"));
        JsonNode added = http().post("/v1/knowledge/" + corpus + "/documents", Http.json("document_urls", urls)).json();
        for (JsonNode d : added) DOCUMENT_OF.put(d.path("document_url").asText().replaceAll(".*/kb/", ""), d.path("id").asText());
        awaitStatus(corpus, "completed", 4);
    }

    @AfterAll
    static void stop() {
        server.close();
        files.close();
        llm.close();
    }

    static Http http() { return server.http(); }

    // ---- knowledge bases ----

    @Test
    void aKnowledgeBaseIsCreatedListedChangedAndDeletedInXpandersShapes() {
        Http.Response created = http().post("/v1/knowledge", "{\"name\":\"handbook\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode kb = created.json();
        String id = kb.path("id").asText();
        assertThat(kb.path("name").asText()).isEqualTo("handbook");
        assertThat(kb.path("type").asText()).isEqualTo("managed");
        assertThat(kb.path("organization_id").asText()).isNotBlank();
        assertThat(kb.path("total_documents").asInt()).isZero();
        assertThat(kb.has("description") && kb.has("agent_id")).isTrue();

        JsonNode page = http().get("/v1/knowledge?per_page=100").json();
        assertThat(page.path("items").findValuesAsText("id")).contains(id, corpus);
        assertThat(http().get("/v1/knowledge/" + corpus).json().path("total_documents").asInt()).isEqualTo(4);

        JsonNode changed = http().patch("/v1/knowledge/" + id, "{\"description\":\"rules\"}").json();
        assertThat(changed.path("name").asText()).isEqualTo("handbook");
        assertThat(changed.path("description").asText()).isEqualTo("rules");

        assertThat(http().delete("/v1/knowledge/" + id).status()).isEqualTo(202);
        assertThat(http().get("/v1/knowledge/" + id).status()).isEqualTo(404);
    }

    @Test
    void badRequestsGetClearErrors() {
        assertThat(http().post("/v1/knowledge", "{}").status()).isEqualTo(422);
        assertThat(http().post("/v1/knowledge", "{\"name\":\"" + "x".repeat(201) + "\"}").status()).isEqualTo(422);
        assertThat(http().get("/v1/knowledge/nope").status()).isEqualTo(404);
        assertThat(http().post("/v1/knowledge/" + corpus + "/documents", "{\"document_urls\":[]}").status()).isEqualTo(422);
        assertThat(http().post("/v1/knowledge/" + corpus + "/documents", "{\"document_urls\":[\"ftp://x\"]}").status()).isEqualTo(422);
        assertThat(http().get("/v1/knowledge/" + corpus + "/search").status()).isEqualTo(422);
        assertThat(http().get("/v1/knowledge/" + corpus + "/search?search_query=x&top_k=51").status()).isEqualTo(422);
        assertThat(http().get("/v1/knowledge/" + corpus + "/search?search_query=x&top_k=abc").status()).isEqualTo(422);
        assertThat(http().get("/v1/knowledge/nope/search?search_query=x").status()).isEqualTo(404);
        assertThat(http().get("/v1/knowledge/" + corpus + "/documents/nope").status()).isEqualTo(404);
        // Another organization sees none of it.
        Http other = server.newOrganization("outsider");
        assertThat(other.get("/v1/knowledge/" + corpus).status()).isEqualTo(404);
        assertThat(other.get("/v1/knowledge/" + corpus + "/search?search_query=cats").status()).isEqualTo(404);
    }

    // ---- documents and search ----

    @Test
    void ingestedDocumentsHaveTheirStatusChunksAndText() {
        JsonNode list = http().get("/v1/knowledge/" + corpus + "/documents").json();
        assertThat(list.path("items")).hasSize(4);
        assertThat(list.path("items").get(0).path("document_url").asText()).endsWith("/kb/cats.txt");
        for (JsonNode d : list.path("items")) {
            assertThat(d.path("status").asText()).isEqualTo("completed");
            assertThat(d.path("chunks_count").asInt()).isPositive();
        }
        JsonNode pdf = http().get("/v1/knowledge/" + corpus + "/documents/" + DOCUMENT_OF.get("finance.pdf")).json();
        assertThat(pdf.path("name").asText()).isEqualTo("finance.pdf");
        assertThat(pdf.path("content_type").asText()).isEqualTo("application/pdf");
        assertThat(pdf.path("raw_data").asText()).contains("Revenue grew by 12 percent");
        assertThat(pdf.path("local_env").asBoolean()).isFalse();
    }

    @Test
    void searchFindsTheDocumentThatAnswersEachQuestion() {
        Map<String, String> expected = Map.of(
                "How did sales perform this quarter?", "finance.pdf",
                "What do kittens like to hunt?", "cats.txt",
                "How long did it take to reach orbit?", "space.md",
                "How hot should the oven be for bread?", "bread.html");
        expected.forEach((question, document) -> {
            JsonNode hits = search(corpus, question, 4);
            assertThat(hits).as(question).hasSize(4);
            assertThat(hits.get(0).path("document_id").asText()).as(question + " → " + hits)
                    .isEqualTo(DOCUMENT_OF.get(document));
            assertThat(hits.get(0).path("document_name").asText()).isEqualTo(document);
            assertThat(hits.get(0).path("score").asDouble()).isGreaterThan(hits.get(3).path("score").asDouble());
            assertThat(hits.get(0).path("content").asText()).isNotBlank();
        });
        assertThat(search(corpus, "cats", 1)).hasSize(1);
    }

    @Test
    void anUploadedDocumentIsIngestedAndADocumentThatCannotBeFetchedFails() {
        String kb = http().post("/v1/knowledge", "{\"name\":\"uploads\"}").json().path("id").asText();
        Http.Response up = upload(kb, "penguins.docx", Documents.docx("Penguins live in Antarctica and cannot fly."));
        assertThat(up.status()).isEqualTo(202);
        assertThat(up.json().path("status").asText()).isEqualTo("pending");
        http().post("/v1/knowledge/" + kb + "/documents", Http.json("document_urls", List.of(files.url("/kb/missing.pdf"))));

        await().atMost(Duration.ofSeconds(30)).until(() -> statuses(kb).stream().noneMatch(s -> s.equals("pending") || s.equals("processing")));
        JsonNode docs = http().get("/v1/knowledge/" + kb + "/documents").json().path("items");
        assertThat(docs.get(0).path("status").asText()).isEqualTo("completed");
        assertThat(docs.get(0).path("name").asText()).isEqualTo("penguins.docx");
        assertThat(docs.get(1).path("status").asText()).isEqualTo("failed");
        assertThat(docs.get(1).path("error").asText()).contains("HTTP 404");
        assertThat(search(kb, "Which birds cannot fly?", 5).get(0).path("content").asText()).contains("Penguins");
    }

    @Test
    void aDeletedDocumentIsNoLongerFound() {
        String kb = http().post("/v1/knowledge", "{\"name\":\"short-lived\"}").json().path("id").asText();
        String url = files.put("/kb/volcano.txt", "Volcanoes erupt lava and ash.".getBytes(StandardCharsets.UTF_8), "text/plain");
        String doc = http().post("/v1/knowledge/" + kb + "/documents", Http.json("document_urls", List.of(url)))
                .json().get(0).path("id").asText();
        awaitStatus(kb, "completed", 1);
        assertThat(search(kb, "lava", 5)).hasSize(1);

        assertThat(http().delete("/v1/knowledge/" + kb + "/documents/" + doc).status()).isEqualTo(204);

        assertThat(search(kb, "lava", 5)).isEmpty();
        assertThat(http().get("/v1/knowledge/" + kb + "/documents/" + doc).status()).isEqualTo(404);
    }

    @Test
    void ingestionInterruptedByARestartFinishesAfterIt() {
        String kb = http().post("/v1/knowledge", "{\"name\":\"restart\"}").json().path("id").asText();
        String url = files.put("/kb/slow.txt", "Glaciers move slowly down mountain valleys.".getBytes(StandardCharsets.UTF_8),
                "text/plain", Duration.ofSeconds(2));
        http().post("/v1/knowledge/" + kb + "/documents", Http.json("document_urls", List.of(url)));
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses(kb).contains("processing"));

        server.restart();

        awaitStatus(kb, "completed", 1);
        JsonNode docs = http().get("/v1/knowledge/" + kb + "/documents").json().path("items");
        assertThat(docs).hasSize(1);
        assertThat(docs.get(0).path("chunks_count").asInt()).isEqualTo(1);
        assertThat(search(kb, "glacier", 5)).hasSize(1);
    }

    // ---- agents using knowledge bases ----

    @Test
    void aVanillaAgentGetsTheBestPassagesInItsPrompt() {
        String agent = http().post("/v1/agents", Http.json("name", "vanilla reader", "model_name", "gpt-4.1",
                "knowledge_bases", List.of(Map.of("id", corpus, "strategy", "vanilla")))).json().path("id").asText();
        llm.reset();
        llm.enqueue(FakeLlm.text("Sales grew."));

        Http.Response res = http().post("/v1/agents/" + agent + "/invoke",
                Http.json("input", Map.of("text", "How did sales perform this quarter?")));

        assertThat(res.json().path("status").asText()).isEqualTo("completed");
        String system = llm.chatRequests().getLast().systemText();
        assertThat(system).contains("Relevant passages from your knowledge bases");
        assertThat(system.indexOf("Revenue grew by 12 percent")).isBetween(0, system.indexOf("[2]"));
        assertThat(llm.chatRequests().getLast().body().path("tools").isMissingNode()).isTrue();
    }

    @Test
    void anAgenticAgentSearchesWithATool() {
        String agent = http().post("/v1/agents", Http.json("name", "agentic reader", "model_name", "gpt-4.1",
                "knowledge_bases", List.of(Map.of("id", corpus, "strategy", "agentic_rag")))).json().path("id").asText();
        llm.reset();
        llm.enqueue(new FakeLlm.Reply.ToolCall("search_knowledge_base", "{\"query\":\"oven temperature for bread\",\"top_k\":2}"),
                FakeLlm.text("220 degrees."));

        Http.Response res = http().post("/v1/agents/" + agent + "/invoke",
                Http.json("input", Map.of("text", "How hot for bread?")));

        assertThat(res.json().path("result").asText()).isEqualTo("220 degrees.");
        List<FakeLlm.Received> calls = llm.chatRequests();
        assertThat(calls.getFirst().body().path("tools").findValuesAsText("name")).contains("search_knowledge_base");
        assertThat(calls.getFirst().systemText()).doesNotContain("Relevant passages");
        JsonNode toolResult = calls.getLast().messages().get(calls.getLast().messages().size() - 1);
        assertThat(toolResult.path("role").asText()).isEqualTo("tool");
        assertThat(toolResult.path("content").asText()).startsWith("[1] (document: bread.html)").contains("220 degrees")
                .doesNotContain("[3]");
    }

    // ---- helpers ----

    static JsonNode search(String kb, String query, int topK) {
        Http.Response res = http().get("/v1/knowledge/" + kb + "/search?search_query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&top_k=" + topK);
        assertThat(res.status()).as(res.text()).isEqualTo(200);
        return res.json();
    }

    static List<String> statuses(String kb) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : http().get("/v1/knowledge/" + kb + "/documents?per_page=100").json().path("items")) {
            out.add(d.path("status").asText());
        }
        return out;
    }

    static void awaitStatus(String kb, String status, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                statuses(kb).stream().filter(status::equals).count() == count);
    }

    static Http.Response upload(String kb, String fileName, byte[] bytes) {
        String boundary = "----kb-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http().postBytes("/v1/knowledge/" + kb + "/documents", "multipart/form-data; boundary=" + boundary,
                body.toByteArray());
    }
}
