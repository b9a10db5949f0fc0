package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake OpenAI-compatible model for benchmarks: every chat call waits {@code latency}, then answers {@code tokens}
 * tokens at {@code tokensPerSecond} (streamed when asked). Unlike the test kit's fake it keeps no record of requests,
 * only when it sent the first token of each, keyed by the request's last user text, so a benchmark can tell the
 * model's own latency from what the server adds.
 */
final class BenchModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the model behaves; {@code tokensPerSecond <= 0} sends all tokens at once. */
    record Settings(Duration latency, int tokens, double tokensPerSecond) {}

    private final HttpServer server;
    private volatile Settings settings;
    private final Map<String, Long> firstTokenNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> lastTokenNanos = new ConcurrentHashMap<>();
    private final AtomicLong tokensSent = new AtomicLong();
    private final AtomicLong chatCalls = new AtomicLong();
    private final AtomicLong inProgress = new AtomicLong();
    private final AtomicLong peakInProgress = new AtomicLong();
    private volatile long firstCallNanos = -1;
    private volatile boolean recording = true;

    private BenchModel(HttpServer server, Settings settings) {
        this.server = server;
        this.settings = settings;
    }

    static BenchModel start(Settings settings) {
        try {
            // Without it the JDK's server leaves small writes (a stream's last chunk) to Nagle's algorithm: ~40 ms each.
            System.setProperty("sun.net.httpserver.nodelay", "true");
            // Its default keeps at most 200 idle keep-alive connections and closes the others: with the server's
            // pool and the floor's clients both kept alive, the floor's would be dropped under load.
            System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            BenchModel model = new BenchModel(server, settings);
            server.createContext("/", model::handle);
            server.start();
            return model;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String baseUrl() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1"; }

    void settings(Settings next) { this.settings = next; }

    /** When the first token for the request whose user text was {@code marker} left the model (System.nanoTime). */
    Long firstTokenNanos(String marker) { return firstTokenNanos.remove(marker); }

    /** When the last token of a streamed answer left the model (System.nanoTime). */
    Long lastTokenNanos(String marker) { return lastTokenNanos.remove(marker); }

    /** Whether to note when tokens were sent per request (on by default; off for load that never asks). */
    void recording(boolean on) { this.recording = on; }

    /** Tokens sent so far, in every answer. */
    long tokensSent() { return tokensSent.get(); }

    /** Chat calls received so far. */
    long chatCalls() { return chatCalls.get(); }

    /** Chat calls received and not yet answered in full. */
    long inProgress() { return inProgress.get(); }

    /** The most chat calls in progress at once since the last {@link #resetPeak()}. */
    long peakInProgress() { return peakInProgress.get(); }

    /** When the first chat call since the last {@link #resetPeak()} arrived (System.nanoTime), or -1. */
    long firstCallNanos() { return firstCallNanos; }

    void resetPeak() {
        peakInProgress.set(inProgress.get());
        firstCallNanos = -1;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            if (!ex.getRequestURI().getPath().endsWith("/chat/completions")) {
                byte[] models = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4.1\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, models.length);
                ex.getResponseBody().write(models);
                return;
            }
            Settings s = settings;
            String marker = lastUserText(body);
            chatCalls.incrementAndGet();
            if (firstCallNanos < 0) firstCallNanos = System.nanoTime();
            peakInProgress.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
            try {
                chat(ex, body, s, marker);
            } finally {
                inProgress.decrementAndGet();
            }
        } catch (IOException gone) {
            // the server cancelled the call (a stopped run): nothing to answer
        }
    }

    private void chat(HttpExchange ex, JsonNode body, Settings s, String marker) throws IOException {
        sleep(s.latency().toNanos());
        if (body.path("stream").asBoolean(false)) {
            stream(ex, s, marker);
            return;
        }
        if (recording) firstTokenNanos.put(marker, System.nanoTime());
        tokensSent.addAndGet(s.tokens());
        ObjectNode answer = JSON.createObjectNode().put("id", "cmpl").put("object", "chat.completion").put("model", "gpt-4.1");
        ObjectNode choice = answer.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", "tok ".repeat(s.tokens()));
        answer.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", s.tokens()).put("total_tokens", 10 + s.tokens());
        byte[] bytes = JSON.writeValueAsBytes(answer);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void stream(HttpExchange ex, Settings s, String marker) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long gap = s.tokensPerSecond() <= 0 ? 0 : (long) (1_000_000_000L / s.tokensPerSecond());
        for (int i = 0; i < s.tokens(); i++) {
            if (i > 0) sleep(gap);
            if (i == 0 && recording) firstTokenNanos.put(marker, System.nanoTime());
            out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"tok \"}}]}\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            tokensSent.incrementAndGet();
        }
        if (recording) lastTokenNanos.put(marker, System.nanoTime());
        out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":" + s.tokens()
                + ",\"total_tokens\":" + (10 + s.tokens()) + "}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                JsonNode c = m.path("content");
                return c.isTextual() ? c.asText() : c.path(0).path("text").asText();
            }
        }
        return "";
    }

    private static void sleep(long nanos) throws IOException {
        if (nanos <= 0) return;
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopped", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
