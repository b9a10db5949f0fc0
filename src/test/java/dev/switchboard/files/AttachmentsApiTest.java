package dev.switchboard.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.Documents;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.FileServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files attached to an invoke (CONTRACT §9, files): real documents served by a loopback server are fetched, read and
 * injected in xpander's format; failures are per file; a prompt too large for the model ends with 413; pictures go to
 * models that take images; uploads give URLs that work in input.files for their organization only.
 */
class AttachmentsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long UPLOAD_LIMIT = 64 * 1024;

    static FakeLlm llm;
    static FileServer files;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start().models(List.of("gpt-4.1", "gpt-4", "fake-model"));
        files = FileServer.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true",
                "SWITCHBOARD_MAX_FILE_BYTES", String.valueOf(UPLOAD_LIMIT)));
        http = server.http();
        agent = http.post("/v1/agents", """
                {"name":"reader","model_name":"gpt-4.1","instructions":{"general":"Read the files."}}""")
                .json().path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        files.close();
        llm.close();
    }

    @BeforeEach
    void reset() {
        llm.reset();
    }

    // ---- reading and injecting ----

    @Test
    void everyKindOfDocumentIsReadAndInjectedInXpandersFormat() throws Exception {
        List<String> urls = List.of(
                files.put("/docs/report.pdf", Documents.pdf("The PDF says the budget is 42 euros."), "application/pdf"),
                files.put("/docs/letter.docx", Documents.docx("The DOCX says hello from Word."), null),
                files.put("/docs/sheet.xlsx", Documents.xlsx("Prices", new String[]{"item", "price"},
                        new String[]{"teapot", "17"}), "application/octet-stream"),
                files.put("/docs/deck.pptx", Documents.pptx("The PPTX slide talks about rockets."), null),
                files.put("/docs/page.html", """
                        <html><head><title>Page title</title><script>var hidden = 1;</script></head>
                        <body><h1>HTML heading</h1><p>The HTML paragraph.</p></body></html>""".getBytes(StandardCharsets.UTF_8),
                        "text/html; charset=utf-8"),
                files.put("/docs/data.csv", "name,age\nada,36\n".getBytes(StandardCharsets.UTF_8), "text/csv"),
                files.put("/docs/config.json", "{\"answer\": 42}".getBytes(StandardCharsets.UTF_8), "application/json"),
                files.put("/docs/notes.md", "# Notes\n\nMarkdown text.".getBytes(StandardCharsets.UTF_8), null),
                files.put("/docs/Main.java", "class Main { /* source code */ }".getBytes(StandardCharsets.UTF_8), null));
        llm.enqueue(FakeLlm.text("read them"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "Summarize.", "files", urls)));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("completed");
        String sent = llm.chatRequests().getLast().lastUserText();
        String[] parts = sent.split("\n", 3);
        assertThat(parts[0]).isEqualTo("Summarize.");
        assertThat(parts[1]).isEqualTo("Files: " + String.join(", ", urls));
        assertThat(parts[2]).startsWith("Files contents:\n");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : parts[2].substring("Files contents:\n".length()).split("\n")) lines.add(JSON.readTree(line));
        assertThat(lines).hasSize(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            assertThat(lines.get(i).path("url").asText()).isEqualTo(urls.get(i));
        }
        assertThat(lines.get(0).path("content").asText()).contains("The PDF says the budget is 42 euros.");
        assertThat(lines.get(1).path("content").asText()).contains("The DOCX says hello from Word.");
        assertThat(lines.get(2).path("content").asText()).contains("Prices").contains("teapot").contains("17");
        assertThat(lines.get(3).path("content").asText()).contains("The PPTX slide talks about rockets.");
        assertThat(lines.get(4).path("content").asText()).contains("Page title").contains("HTML heading")
                .contains("The HTML paragraph.").doesNotContain("hidden");
        assertThat(lines.get(5).path("content").asText()).isEqualTo("name,age\nada,36\n");
        assertThat(lines.get(6).path("content").asText()).isEqualTo("{\"answer\": 42}");
        assertThat(lines.get(7).path("content").asText()).contains("Markdown text.");
        assertThat(lines.get(8).path("content").asText()).contains("source code");

        JsonNode shown = res.json().path("files");
        assertThat(shown).hasSize(urls.size());
        List<String> types = new ArrayList<>();
        for (JsonNode f : shown) {
            assertThat(f.path("status").asText()).as(f.toString()).isEqualTo("ok");
            assertThat(f.path("mode").asText()).isEqualTo("inject");
            assertThat(f.path("size").asLong()).isPositive();
            assertThat(f.path("tokens").asInt()).isPositive();
            assertThat(f.path("error").isNull()).isTrue();
            types.add(f.path("content_type").asText());
        }
        assertThat(types.subList(0, 6)).containsExactly("application/pdf", FileContents.DOCX, FileContents.XLSX,
                FileContents.PPTX, "text/html", "text/csv");
        assertThat(shown.get(0).path("name").asText()).isEqualTo("report.pdf");
    }

    @Test
    void withInjectionDisabledOnlyTheUrlsReachTheModel() {
        String url = files.put("/docs/secret.txt", "do not inject me".getBytes(StandardCharsets.UTF_8), "text/plain");
        llm.enqueue(FakeLlm.text("ok"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "Look.", "files", List.of(url)),
                "disable_attachment_injection", true));

        assertThat(llm.chatRequests().getLast().lastUserText()).isEqualTo("Look.\nFiles: " + url);
        assertThat(res.json().path("files").get(0).path("mode").asText()).isEqualTo("url_only");
    }

    @Test
    void aFileThatCannotBeFetchedOrReadIsAnErrorOfItsOwnAndTheRunGoesOn() {
        String good = files.put("/docs/good.txt", "the good one".getBytes(StandardCharsets.UTF_8), "text/plain");
        String missing = files.url("/docs/missing.pdf");
        String refused = "http://0177.0.0.1/x.pdf";
        String binary = files.put("/docs/blob.bin", new byte[]{0, 1, 2, 3, (byte) 0xFF, 0, 7}, "application/octet-stream");
        String tooBig = files.put("/docs/huge.txt", new byte[(int) UPLOAD_LIMIT + 1], "text/plain");
        llm.enqueue(FakeLlm.text("done"));

        Http.Response res = http.post(invokePath(), Http.json("input",
                Map.of("text", "Go.", "files", List.of(missing, good, refused, binary, tooBig))));

        assertThat(res.json().path("status").asText()).isEqualTo("completed");
        String sent = llm.chatRequests().getLast().lastUserText();
        assertThat(sent).contains("the good one").contains("Files: " + missing + ", " + good);
        JsonNode shown = res.json().path("files");
        assertThat(shown.get(0).path("status").asText()).isEqualTo("error");
        assertThat(shown.get(0).path("error").asText()).contains("HTTP 404");
        assertThat(shown.get(0).path("mode").isNull()).isTrue();
        assertThat(shown.get(1).path("status").asText()).isEqualTo("ok");
        assertThat(shown.get(2).path("error").asText()).contains("octal");
        assertThat(shown.get(3).path("error").asText()).contains("cannot be read");
        assertThat(shown.get(4).path("error").asText()).isEqualTo("the file is larger than " + UPLOAD_LIMIT + " bytes");
    }

    @Test
    void withNoTextAndNoReadableFileTheRunFailsWithNoInput() {
        Http.Response res = http.post(invokePath(), Http.json("input",
                Map.of("text", "", "files", List.of(files.url("/docs/nothing-here.pdf")))));

        assertThat(res.json().path("status").asText()).isEqualTo("failed");
        assertThat(res.json().path("stop_reason").asText()).isEqualTo("no_input");
        assertThat(res.json().path("files").get(0).path("status").asText()).isEqualTo("error");
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void aPromptTooLargeForTheModelEndsWith413BeforeTheModelIsCalled() {
        String big = files.put("/docs/big.txt", "lorem ipsum dolor sit amet ".repeat(2000).getBytes(StandardCharsets.UTF_8),
                "text/plain");

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "Read it.", "files", List.of(big)),
                "llm_model_name", "gpt-4", "attachment_mode", "inject"));

        assertThat(res.json().path("status").asText()).as(res.text()).isEqualTo("error");
        assertThat(res.json().path("stop_reason").asText()).isEqualTo("context_overflow");
        assertThat(res.json().path("result").asText()).startsWith("Error code: 413");
        assertThat(res.json().path("files").get(0).path("tokens").asInt()).isGreaterThan(8192);
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void inAutoModeFilesTooLargeForTheModelAreCutToThePartsThatAnswer() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            text.append("Paragraph ").append(i).append(": the weather in town number ").append(i)
                    .append(" was mild, and the market sold apples, pears and bread.\n\n");
            if (i == 217) text.append("The secret launch code of the rocket is 7-4-1, kept in the captain's safe.\n\n");
        }
        String big = files.put("/docs/town-notes.txt", text.toString().getBytes(StandardCharsets.UTF_8), "text/plain");
        String small = files.put("/docs/small-note.txt", "A short note about tea.".getBytes(StandardCharsets.UTF_8), "text/plain");
        llm.enqueue(FakeLlm.text("7-4-1"));

        Http.Response res = http.post(invokePath(), Http.json("input",
                Map.of("text", "What is the secret launch code of the rocket?", "files", List.of(big, small)),
                "llm_model_name", "gpt-4"));

        assertThat(res.json().path("status").asText()).as(res.text()).isEqualTo("completed");
        String sent = llm.chatRequests().getLast().lastUserText();
        assertThat(sent).contains("The secret launch code of the rocket is 7-4-1").contains("A short note about tea.");
        // Only part of the 300 paragraphs was sent: what fits the room the rest of the prompt leaves.
        assertThat(sent.split("Paragraph ").length - 1).isBetween(10, 250);
        JsonNode shown = res.json().path("files");
        assertThat(shown.get(0).path("mode").asText()).isEqualTo("retrieve");
        assertThat(shown.get(0).path("tokens").asInt()).isLessThan(4096);
        assertThat(shown.get(1).path("mode").asText()).isEqualTo("retrieve");
    }

    @Test
    void anUnknownAttachmentModeIsRefused() {
        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "x"), "attachment_mode", "squeeze"));

        assertThat(res.status()).isEqualTo(422);
        assertThat(res.text()).contains("attachment_mode");
    }

    // ---- images ----

    @Test
    void aPictureGoesToAModelThatTakesImagesAsAnImageInput() {
        String png = files.put("/img/dot.png", Documents.png(4, 4), "image/png");
        llm.enqueue(FakeLlm.text("a red dot"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "What is it?", "files", List.of(png))));

        JsonNode user = llm.chatRequests().getLast().messages().get(1);
        assertThat(user.path("content").isArray()).as(user.toString()).isTrue();
        assertThat(user.path("content").get(0).path("text").asText()).isEqualTo("What is it?\nFiles: " + png);
        assertThat(user.path("content").get(1).path("image_url").path("url").asText()).startsWith("data:image/png;base64,");
        JsonNode shown = res.json().path("files").get(0);
        assertThat(shown.path("mode").asText()).isEqualTo("image");
        assertThat(shown.path("content_type").asText()).isEqualTo("image/png");
    }

    @Test
    void aPictureForAModelWithoutImagesIsAnErrorOfItsOwn() {
        String png = files.put("/img/dot2.png", Documents.png(4, 4), "image/png");
        llm.enqueue(FakeLlm.text("no picture"));

        Http.Response res = http.post(invokePath(), Http.json("input", Map.of("text", "What is it?", "files", List.of(png)),
                "llm_model_name", "fake-model"));

        assertThat(res.json().path("status").asText()).isEqualTo("completed");
        assertThat(llm.chatRequests().getLast().messages().get(1).path("content").isTextual()).isTrue();
        assertThat(res.json().path("files").get(0).path("error").asText()).contains("does not take images");
    }

    // ---- uploads ----

    @Test
    void anUploadedFileHasAUrlThatWorksInInputFilesForItsOrganizationOnly() {
        byte[] docx = Documents.docx("Uploaded words about penguins.");
        Http.Response up = upload(http, "file", "penguins.docx", "application/octet-stream", docx);

        assertThat(up.status()).isEqualTo(201);
        JsonNode f = up.json();
        assertThat(f.path("id").asText()).isNotBlank();
        assertThat(f.path("url").asText()).isEqualTo("/v1/files/" + f.path("id").asText());
        assertThat(f.path("name").asText()).isEqualTo("penguins.docx");
        assertThat(f.path("size").asLong()).isEqualTo(docx.length);
        assertThat(f.path("content_type").asText()).isEqualTo(FileContents.DOCX);

        assertThat(http.get(f.path("url").asText()).status()).isEqualTo(200);
        Http other = server.newOrganization("other org");
        assertThat(other.get(f.path("url").asText()).status()).isEqualTo(404);

        llm.enqueue(FakeLlm.text("penguins"));
        Http.Response res = http.post(invokePath(), Http.json("input",
                Map.of("text", "About?", "files", List.of(f.path("url").asText()))));
        assertThat(llm.chatRequests().getLast().lastUserText()).contains("Uploaded words about penguins.");
        assertThat(res.json().path("files").get(0).path("name").asText()).isEqualTo("penguins.docx");

        // The same URL from another organization's run: not its file.
        String otherAgent = other.post("/v1/agents", "{\"name\":\"snoop\",\"model_name\":\"gpt-4.1\"}").json().path("id").asText();
        llm.enqueue(FakeLlm.text("nothing"));
        Http.Response snoop = other.post("/v1/agents/" + otherAgent + "/invoke", Http.json("input",
                Map.of("text", "Read", "files", List.of(f.path("url").asText()))));
        assertThat(snoop.json().path("files").get(0).path("error").asText()).contains("no uploaded file");
        assertThat(llm.chatRequests().getLast().lastUserText()).doesNotContain("penguins");
    }

    @Test
    void uploadsThatAreNotMultipartOrLackTheFileOrAreTooLargeAreRefused() {
        assertThat(http.post("/v1/files", "{\"file\":\"x\"}").status()).isEqualTo(422);
        Http.Response noFilePart = upload(http, "other", "a.txt", "text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(noFilePart.status()).isEqualTo(422);
        assertThat(noFilePart.json().path("detail").toString()).contains("file");
        Http.Response tooLarge = upload(http, "file", "big.bin", "application/octet-stream", new byte[(int) UPLOAD_LIMIT + 1]);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(http.withKey(null).postBytes("/v1/files", "multipart/form-data; boundary=x", new byte[0]).status())
                .isEqualTo(401);
    }

    // ---- helpers ----

    private static String invokePath() {
        return "/v1/agents/" + agent + "/invoke";
    }

    static Http.Response upload(Http client, String field, String fileName, String contentType, byte[] bytes) {
        String boundary = "----switchboard-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + fileName + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return client.postBytes("/v1/files", "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }
}
