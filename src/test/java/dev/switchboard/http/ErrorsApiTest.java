package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error conventions of CONTRACT §2 (404, 405, 422 for malformed JSON, 413 past the body limit, never a 5xx for
 * what a client sent) and the operational endpoints of §1 (health, readiness, the OpenAPI document).
 */
class ErrorsApiTest {
    static final int LIMIT = 4096;
    static final ObjectMapper JSON = new ObjectMapper();

    static FakeLlm llm;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_MAX_BODY_BYTES", String.valueOf(LIMIT)));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    // --- 404, 405 ----------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"GET, /v1/nothing-here", "GET, /", "POST, /v1/agents/x/y/z", "GET, /v1", "DELETE, /v2/agents",
            "GET, /v1/agents/x/invoke/sideways"})
    void anUnknownRouteIs404InTheErrorShape(String method, String path) {
        for (Http client : List.of(http, http.withKey(null))) {
            Http.Response res = client.send(method, path, null, Map.of());

            assertThat(res.status()).as(method + " " + path).isEqualTo(404);
            assertErrorShape(res);
        }
    }

    @ParameterizedTest
    @CsvSource({"DELETE, /v1/agents, 'GET, POST'", "PUT, /v1/tasks, GET", "POST, /health, GET",
            "PATCH, /openapi.json, GET", "GET, /v1/agents/some-id/invoke, POST",
            "POST, /v1/agents/some-id, 'DELETE, GET, PATCH, PUT'", "PUT, /v1/api_keys/some-id, DELETE"})
    void aWrongMethodIs405WithTheAllowedOnes(String method, String path, String allowed) {
        Http.Response res = http.send(method, path, method.equals("GET") ? null : "{}", Map.of());

        assertThat(res.status()).as(method + " " + path).isEqualTo(405);
        assertErrorShape(res);
        assertThat(header(res, "Allow")).isEqualTo(allowed);
    }

    // --- 422 for malformed JSON ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"name\": }", "{'name': 'x'}", "nul", "{\"name\": \"x\"} trailing",
            "{\"name\": \"x\"}{\"name\": \"y\"}", "{\"name\": \"x\",}", "\u0000"})
    void malformedJsonIs422OnTheBody(String body) {
        for (String path : List.of("/v1/agents", "/v1/organizations", "/v1/api_keys")) {
            Http.Response res = http.post(path, body);

            assertThat(res.status()).as(path + " " + res).isEqualTo(422);
            JsonNode problem = res.json().path("detail").get(0);
            assertThat(problem.path("loc")).hasSize(1);
            assertThat(problem.path("loc").get(0).asText()).isEqualTo("body");
            assertThat(problem.path("msg").asText()).isNotBlank();
            assertThat(problem.path("type").asText()).isEqualTo("json_invalid");
        }
    }

    @Test
    void malformedJsonOnEveryInvokeIs422AsJson() {
        String agent = server.createAgent("malformed");
        for (String path : List.of("/invoke", "/invoke/async", "/invoke/stream")) {
            Http.Response res = http.post("/v1/agents/" + agent + path, "{\"input\": {\"text\": \"hi\"");

            assertThat(res.status()).as(path).isEqualTo(422);
            assertThat(header(res, "Content-Type")).startsWith("application/json");
            assertThat(res.json().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("body");
        }
        assertThat(llm.chatRequests()).noneMatch(r -> r.lastUserText().equals("hi"));
    }

    @Test
    void aMissingBodyIs422() {
        Http.Response res = http.post("/v1/agents", null);

        assertThat(res.status()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("body");
        assertThat(res.json().path("detail").get(0).path("type").asText()).isEqualTo("missing");
    }

    // --- 413 past the body limit -----------------------------------------------------------------------------------

    @Test
    void aBodyOverTheLimitIs413AsJson() {
        Http.Response res = http.post("/v1/agents", agentBodyOfSize(LIMIT + 1));

        assertThat(res.status()).isEqualTo(413);
        assertErrorShape(res);
        assertThat(res.json().path("detail").asText()).contains(String.valueOf(LIMIT));
    }

    @Test
    void aBodyFarOverTheLimitIs413AsJson() {
        for (int size : List.of(LIMIT * 2, 1024 * 1024)) {
            Http.Response res = http.post("/v1/agents", agentBodyOfSize(size));

            assertThat(res.status()).as("size " + size).isEqualTo(413);
            assertErrorShape(res);
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413AsJson() throws Exception {
        byte[] body = agentBodyOfSize(LIMIT * 3).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(http.base() + "/v1/agents"))
                .header("x-api-key", TestServer.ADMIN_KEY)
                .header("Content-Type", "application/json")
                // No length is known up front, so the client sends it chunked.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> res = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(JSON.readTree(res.body()).path("detail").isTextual()).isTrue();
    }

    @Test
    void aBodyOverTheLimitOnAnInvokeIs413() {
        String agent = server.createAgent("too-much");
        String text = "x".repeat(LIMIT);

        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Http.json("input", Map.of("text", text)));

        assertThat(res.status()).isEqualTo(413);
        assertErrorShape(res);
    }

    @Test
    void aBodyOfExactlyTheLimitIsAccepted() {
        String body = agentBodyOfSize(LIMIT);
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);

        assertThat(http.post("/v1/agents", body).status()).isEqualTo(201);
    }

    @Test
    void theServerStillAnswersOnTheSameConnectionAfterA413() throws IOException {
        // Two requests on one keep-alive connection: the refused body must not be read as the next request.
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(5000);
            byte[] big = agentBodyOfSize(LIMIT + 100).getBytes(StandardCharsets.UTF_8);
            var request = new java.io.ByteArrayOutputStream();
            request.write(("POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + TestServer.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.write(big);
            request.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(readStatusLine(in)).contains(" 413 ");
            // The small excess was dropped, so the next request is read as what it is.
            assertThat(readNextStatusLine(in)).contains(" 200 ");
        }
    }

    @Test
    void aBodyDeclaredFarOverTheLimitIsRefusedAtOnceAndTheConnectionClosed() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(5000);
            // Only the headers are sent: the answer must not wait for 100 MiB that will never be read.
            socket.getOutputStream().write(("POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nx-api-key: "
                    + TestServer.ADMIN_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + 100L * 1024 * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            assertThat(readStatusLine(in)).contains(" 413 ");
            assertThat(readNextStatusLine(in)).isNull();
        }
    }

    // --- nothing a client sends makes a 5xx --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/v1/agents?page=99999999999", "/v1/agents?per_page=1e2", "/v1/agents?page=",
            "/v1/agents/%20", "/v1/agents/..%2F..%2Fetc", "/v1/tasks?status=nonsense", "/v1/tasks?from_date=yesterday",
            "/v1/tasks/x%00y", "/v1/agents/x/versions/99999999999", "/v1/llm_providers/nope/models",
            "/v1/files/nope", "/v1/tasks/nope/events?after=-1"})
    void oddRequestsAreAnsweredWithoutA5xx(String path) {
        Http.Response res = http.get(path);

        assertThat(res.status()).as(path + " " + res).isBetween(200, 499);
        if (res.status() == 422) {
            assertThat(res.json().path("detail").get(0).path("loc").get(0).asText()).isIn("query", "path");
        } else if (res.status() >= 400) {
            assertErrorShape(res);
        }
    }

    @Test
    void aHugePageIsEmptyNotWrapped() {
        server.createAgent("on the first page");
        // (page - 1) * per_page = 2^26 * 64 = 2^32: in int arithmetic that wraps around to offset 0, the first page.
        JsonNode list = http.get("/v1/agents?page=67108865&per_page=64").json();

        assertThat(list.path("items")).isEmpty();
        assertThat(list.path("page").asLong()).isEqualTo(67108865L);
        assertThat(http.get("/v1/tasks?page=67108865&per_page=64").json().path("items")).isEmpty();
    }

    /** Requests Helidon refuses before any route runs: still a 4xx in the contract's shape, not an empty body. */
    @ParameterizedTest
    @ValueSource(strings = {
            "GET /v1/agents/%ZZ HTTP/1.1\r\nHost: localhost\r\n",
            "GET /v1/agents?page=%E0%A4%A HTTP/1.1\r\nHost: localhost\r\n",
            "GET /v1/agents HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n",
            "GET /v1/agents HTTP/1.1\r\nHost: localhost\r\nX-Huge: HUGE_VALUE\r\n",
            "GET /HUGE_VALUE HTTP/1.1\r\nHost: localhost\r\n",
            "POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nContent-Length: many\r\n",
            "POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"})
    void aMalformedRequestIsAClientErrorInTheErrorShape(String head) throws IOException {
        RawResponse res = raw(head.replace("HUGE_VALUE", "h".repeat(64 * 1024)) + "\r\n");

        assertThat(res.status()).as(res.toString()).isBetween(400, 499);
        assertThat(res.contentType()).as(res.toString()).startsWith("application/json");
        assertThat(JSON.readTree(res.body()).path("detail").isTextual()).as(res.toString()).isTrue();
    }

    @Test
    void aBrokenChunkedBodyIsAClientError() throws IOException {
        RawResponse res = raw("POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + TestServer.ADMIN_KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");

        assertThat(res.status()).as(res.toString()).isBetween(400, 499);
        assertThat(res.contentType()).startsWith("application/json");
    }

    /** A body that ends before its Content-Length (the client stops sending): a client error, and nothing stored. */
    @Test
    void aBodyShorterThanItsLengthIsAClientError() throws IOException {
        long agentsBefore = http.get("/v1/agents").json().path("total").asLong();
        String body = "{\"name\":\"short\"}";
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nx-api-key: " + TestServer.ADMIN_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (body.length() + 40) + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            String status = readStatusLine(socket.getInputStream());

            assertThat(status).as(status).matches("HTTP/1.1 4\\d\\d .*");
        }
        assertThat(http.get("/v1/agents").json().path("total").asLong()).isEqualTo(agentsBefore);
    }

    // --- health, readiness, OpenAPI ----------------------------------------------------------------------------------

    @Test
    void healthIsOkWithoutAKey() {
        Http.Response res = http.withKey(null).get("/health");

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().asText()).isEqualTo("ok");
        assertThat(res.json().isTextual()).isTrue();
    }

    @Test
    void readinessSaysReadyWithoutAKey() {
        Http.Response res = http.withKey(null).get("/readyz");

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("ready");
    }

    @Test
    void theOpenApiDocumentListsEveryRouteTheServerServes() {
        Http.Response res = http.withKey(null).get("/openapi.json");

        assertThat(res.status()).isEqualTo(200);
        JsonNode doc = res.json();
        assertThat(doc.path("openapi").asText()).startsWith("3.1");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));

        // Every route the code registers (the Routes classes), as of this writing; new ones only add to it.
        assertThat(documented).containsAll(List.of(
                "GET /health", "GET /readyz", "GET /openapi.json",
                "POST /v1/organizations", "POST /v1/api_keys", "GET /v1/api_keys", "DELETE /v1/api_keys/{id}",
                "POST /v1/agents", "GET /v1/agents", "GET /v1/agents/{id}", "PATCH /v1/agents/{id}",
                "PUT /v1/agents/{id}", "DELETE /v1/agents/{id}", "GET /v1/agents/{id}/versions",
                "GET /v1/agents/{id}/versions/{n}", "GET /v1/agents/{id}/tasks",
                "POST /v1/agents/{id}/invoke", "POST /v1/agents/{id}/invoke/async", "POST /v1/agents/{id}/invoke/stream",
                "GET /v1/tasks", "GET /v1/tasks/{id}", "DELETE /v1/tasks/{id}", "POST /v1/tasks/{id}/stop",
                "GET /v1/tasks/{id}/thread", "GET /v1/tasks/{id}/thread/full", "GET /v1/tasks/{id}/runs",
                "GET /v1/tasks/{id}/events", "POST /v1/tasks/{id}/retry",
                "GET /v1/llm_providers", "GET /v1/llm_providers/{provider}/models",
                "GET /v1/misc/llm_providers", "GET /v1/misc/llm_providers/{provider}/models",
                "GET /v1/files/{id}", "GET /v1/files/{id}/info"));

        // And everything documented is served: without a key a keyed route answers 401, a public one not 404/405.
        for (String operation : documented) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            JsonNode op = doc.path("paths").path(template).path(method.toLowerCase());
            String path = template.replace("{asset}", "swagger-ui.css").replaceAll("\\{n}", "1").replaceAll("\\{[^}]+}", "some-id");
            boolean isPublic = op.path("security").isArray() && op.path("security").isEmpty();
            Http.Response served = http.withKey(null).send(method, path, null, Map.of());
            if (isPublic) {
                assertThat(served.status()).as(operation).isNotIn(404, 405);
            } else {
                assertThat(served.status()).as(operation).isEqualTo(401);
            }
            assertThat(op.path("responses").size()).as(operation).isPositive();
            for (String param : params(template)) {
                assertThat(op.path("parameters").toString()).as(operation).contains("\"" + param + "\"");
            }
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    /** A create-agent body of exactly the given size in bytes. */
    private static String agentBodyOfSize(int size) {
        String head = "{\"name\":\"big\",\"description\":\"";
        String tail = "\"}";
        return head + "d".repeat(size - head.length() - tail.length()) + tail;
    }

    private static void assertErrorShape(Http.Response res) {
        assertThat(header(res, "Content-Type")).as(res.toString()).startsWith("application/json");
        assertThat(res.json().path("detail").isTextual()).as(res.toString()).isTrue();
        assertThat(res.json().path("detail").asText()).isNotBlank();
    }

    private static String header(Http.Response res, String name) {
        return res.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().getFirst()).findFirst().orElse("");
    }

    private static List<String> params(String template) {
        List<String> names = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(template);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    private static int port() {
        return URI.create(http.base()).getPort();
    }

    record RawResponse(int status, String contentType, String body) {}

    /** One request written as raw bytes (what an HTTP client library would refuse to send), one response read. */
    private static RawResponse raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String status = readStatusLine(in);
            String contentType = "";
            int length = 0;
            String line;
            while (!(line = readStatusLine(in)).isEmpty()) {
                String lower = line.toLowerCase();
                if (lower.startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
                if (lower.startsWith("content-type:")) contentType = line.substring(13).trim();
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new RawResponse(Integer.parseInt(status.split(" ")[1]), contentType, body);
        }
    }

    private static String readStatusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') line.append((char) c);
        }
        return line.toString();
    }

    /** Skips the rest of the current response (headers and a Content-Length body) and reads the next status line. */
    private static String readNextStatusLine(InputStream in) throws IOException {
        int length = 0;
        String line;
        while (!(line = readStatusLine(in)).isEmpty()) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        in.readNBytes(length);
        try {
            String next = readStatusLine(in);
            return next.isEmpty() ? null : next;
        } catch (java.net.SocketException closed) {
            return null;
        }
    }
}
