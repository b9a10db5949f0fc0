package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real MCP server on loopback, speaking the streamable HTTP transport at {@code /mcp} (JSON responses) and the
 * older SSE transport at {@code /sse} + {@code /messages}. Its tools are {@link McpProtocol}'s. It records every
 * message it received with the Authorization header that came with it, and can demand a bearer token (401 without).
 */
public final class McpTestServer implements AutoCloseable {

    /** One JSON-RPC message as received, with its request's headers (names in lower case). */
    public record Received(String method, String authorization, Map<String, String> headers, JsonNode message) {}

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, LinkedBlockingQueue<String>> sseSessions = new ConcurrentHashMap<>();
    private volatile String requiredBearer;
    private volatile String tokenAfterListing;
    private volatile boolean forbidden;

    private McpTestServer(HttpServer server) { this.server = server; }

    public static McpTestServer start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            McpTestServer mcp = new McpTestServer(s);
            s.createContext("/mcp", mcp::streamable);
            s.createContext("/sse", mcp::sse);
            s.createContext("/messages", mcp::sseMessage);
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.start();
            return mcp;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The streamable HTTP endpoint. */
    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp"; }

    /** The legacy SSE endpoint. */
    public String sseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/sse"; }

    /** From now on, requests without {@code Authorization: Bearer <token>} are answered 401 (null: no check). */
    public McpTestServer requireBearer(String token) {
        this.requiredBearer = token;
        return this;
    }

    /** From now on every request is answered 403: the credentials are known and refused. */
    public McpTestServer forbid() {
        this.forbidden = true;
        return this;
    }

    /** Once the tools have been listed, only {@code token} is accepted: a token that expires during a run. */
    public McpTestServer rotateTokenAfterListing(String token) {
        this.tokenAfterListing = token;
        return this;
    }

    public List<Received> received() { return List.copyOf(received); }

    public List<Received> received(String method) {
        return received.stream().filter(r -> r.method().equals(method)).toList();
    }

    public void reset() {
        received.clear();
        requiredBearer = null;
        tokenAfterListing = null;
        forbidden = false;
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (forbidden) {
            ex.sendResponseHeaders(403, -1);
            ex.close();
            return false;
        }
        String token = requiredBearer;
        if (token == null || ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) return true;
        byte[] body = "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"test-mcp\"");
        ex.sendResponseHeaders(401, body.length);
        ex.getResponseBody().write(body);
        ex.close();
        return false;
    }

    private void streamable(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                // No server-initiated stream here: the client falls back to answers on its POSTs.
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!authorized(ex)) return;
            JsonNode message = McpProtocol.JSON.readTree(ex.getRequestBody().readAllBytes());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            received.add(new Received(message.path("method").asText(), auth, headers(ex), message));
            ObjectNode response = McpProtocol.handle(message, new McpProtocol.Context(auth, Map.of()));
            if (message.path("method").asText().equals("initialize")) {
                ex.getResponseHeaders().set("Mcp-Session-Id", UUID.randomUUID().toString());
            }
            if (message.path("method").asText().equals("tools/list") && tokenAfterListing != null) {
                requiredBearer = tokenAfterListing;
            }
            if (response == null) {
                ex.sendResponseHeaders(202, -1);
                return;
            }
            byte[] body = response.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Legacy SSE: the stream first names where to POST, then carries every answer. */
    private void sse(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) return;
            String session = UUID.randomUUID().toString();
            LinkedBlockingQueue<String> outbox = new LinkedBlockingQueue<>();
            sseSessions.put(session, outbox);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(("event: endpoint\ndata: /messages?sessionId=" + session + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String next = outbox.take();
                out.write(("event: message\ndata: " + next + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException | IOException e) {
            // the client went away, or the server stops
        }
    }

    private void sseMessage(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) return;
            String query = ex.getRequestURI().getQuery();
            LinkedBlockingQueue<String> outbox = query == null ? null : sseSessions.get(query.replace("sessionId=", ""));
            if (outbox == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode message = McpProtocol.JSON.readTree(ex.getRequestBody().readAllBytes());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            received.add(new Received(message.path("method").asText(), auth, headers(ex), message));
            ex.sendResponseHeaders(202, -1);
            ex.close();
            ObjectNode response = McpProtocol.handle(message, new McpProtocol.Context(auth, Map.of()));
            if (response != null) outbox.add(response.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> headers(HttpExchange ex) {
        Map<String, String> out = new java.util.TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
