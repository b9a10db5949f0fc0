package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake model server speaking the OpenAI chat-completions wire protocol over real HTTP on loopback. Tests script
 * its replies (text, delays, error statuses, tool calls, streaming) and read back every request it received.
 * With nothing scripted it answers "echo: " + the last user message.
 */
public final class FakeLlm implements AutoCloseable {

    /** A scripted answer to one chat-completions request. */
    public sealed interface Reply {
        record Text(String content, Duration delay, int promptTokens, int completionTokens, Duration perChunk) implements Reply {
            public Text(String content, Duration delay, int promptTokens, int completionTokens) {
                this(content, delay, promptTokens, completionTokens, Duration.ZERO);
            }
        }
        record Error(int status, String body, Duration delay, Map<String, String> headers) implements Reply {
            public Error(int status, String body, Duration delay) { this(status, body, delay, Map.of()); }
        }
        record ToolCall(String name, String argumentsJson) implements Reply {}
    }

    public static Reply text(String content) { return new Reply.Text(content, Duration.ZERO, 10, 5); }
    public static Reply slow(String content, Duration delay) { return new Reply.Text(content, delay, 10, 5); }

    /** Streamed word by word with a pause before each word (when the client asks for a stream). */
    public static Reply streamed(String content, Duration perChunk) {
        return new Reply.Text(content, Duration.ZERO, 10, 5, perChunk);
    }
    public static Reply error(int status, String message) {
        return new Reply.Error(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"code\":null}}", Duration.ZERO);
    }

    /** The wire protocols the fake speaks, told apart by path. */
    public enum Protocol { OPENAI, ANTHROPIC, GEMINI, OLLAMA, SPEECH, EMBEDDINGS, OTHER }

    /**
     * The fake's embedding of a text: words hashed into 64 dimensions (a bag of words), so that texts sharing words
     * are similar, as a real model's would be, and the same text always gives the same vector.
     */
    public static float[] embeddingOf(String text) {
        float[] v = new float[64];
        for (String w : text.toLowerCase().split("[^a-z0-9]+")) {
            if (w.length() > 2) v[Math.floorMod(w.hashCode(), 64)] += 1;
        }
        return v;
    }

    /** The bytes the fake speech endpoint answers with: "speech of " + the input text. */
    public static byte[] speechOf(String text) {
        return ("speech of " + text).getBytes(StandardCharsets.UTF_8);
    }

    static Protocol protocolOf(String path) {
        if (path.endsWith("/chat/completions")) return Protocol.OPENAI;
        if (path.endsWith("/messages")) return Protocol.ANTHROPIC;
        if (path.contains(":generateContent") || path.contains(":streamGenerateContent")) return Protocol.GEMINI;
        if (path.endsWith("/api/chat")) return Protocol.OLLAMA;
        if (path.endsWith("/audio/speech")) return Protocol.SPEECH;
        if (path.endsWith("/embeddings")) return Protocol.EMBEDDINGS;
        return Protocol.OTHER;
    }

    /** A 429 asking the client to wait, as providers do with Retry-After. */
    public static Reply rateLimited(String retryAfter) {
        return new Reply.Error(429, "{\"error\":{\"message\":\"rate limited\",\"type\":\"rate_limit_error\"}}",
                Duration.ZERO, Map.of("Retry-After", retryAfter));
    }

    /** One request as received. */
    public record Received(String method, String path, Map<String, List<String>> headers, JsonNode body) {
        public Protocol protocol() { return protocolOf(path); }

        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            }
            return null;
        }

        public JsonNode messages() { return body.path("messages"); }

        public String lastUserText() {
            JsonNode msgs = messages();
            for (int i = msgs.size() - 1; i >= 0; i--) {
                if ("user".equals(msgs.get(i).path("role").asText())) return content(msgs.get(i));
            }
            return "";
        }

        public String systemText() {
            for (JsonNode m : messages()) {
                if ("system".equals(m.path("role").asText())) return content(m);
            }
            return "";
        }

        private static String content(JsonNode m) {
            JsonNode c = m.path("content");
            if (c.isTextual()) return c.asText();
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) sb.append(part.path("text").asText());
            return sb.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger chatCalls = new AtomicInteger();
    private volatile List<String> models = List.of("gpt-4.1", "gpt-4.1-mini", "o4-mini", "fake-model");
    private volatile Duration defaultDelay = Duration.ZERO;

    private FakeLlm(HttpServer server) { this.server = server; }

    public static FakeLlm start() {
        try {
            // Without it the JDK's server leaves small writes (a stream's last chunk) to Nagle's algorithm: ~40 ms each.
            System.setProperty("sun.net.httpserver.nodelay", "true");
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            FakeLlm fake = new FakeLlm(server);
            server.createContext("/", fake::handle);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The base URL to give as OPENAI_BASE_URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeLlm enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public FakeLlm models(List<String> ids) {
        this.models = List.copyOf(ids);
        return this;
    }

    /** A delay applied to unscripted (echo) answers. */
    public FakeLlm defaultDelay(Duration delay) {
        this.defaultDelay = delay;
        return this;
    }

    /** Model calls received so far, in any protocol, oldest first. */
    public List<Received> chatRequests() {
        return received.stream().filter(r -> r.protocol() != Protocol.OTHER && r.protocol() != Protocol.SPEECH
                && r.protocol() != Protocol.EMBEDDINGS).toList();
    }

    /** Every request received, model listings and embeddings included. */
    public List<Received> allRequests() {
        return List.copyOf(received);
    }

    public List<Received> speechRequests() {
        return received.stream().filter(r -> r.protocol() == Protocol.SPEECH).toList();
    }

    public int chatCalls() { return chatCalls.get(); }

    public void reset() {
        script.clear();
        received.clear();
        chatCalls.set(0);
        defaultDelay = Duration.ZERO;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
            String path = ex.getRequestURI().getPath();
            if (ex.getRequestMethod().equals("GET")) {
                listModels(ex, path);
                return;
            }
            Protocol protocol = protocolOf(path);
            if (protocol == Protocol.OTHER) {
                send(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            if (protocol == Protocol.EMBEDDINGS) {
                var data = JSON.createArrayNode();
                JsonNode input = body.path("input");
                List<String> texts = new java.util.ArrayList<>();
                if (input.isArray()) input.forEach(t -> texts.add(t.asText()));
                else texts.add(input.asText());
                for (int i = 0; i < texts.size(); i++) {
                    var item = data.addObject().put("object", "embedding").put("index", i);
                    var vector = item.putArray("embedding");
                    for (float f : embeddingOf(texts.get(i))) vector.add(f);
                }
                var answer = JSON.createObjectNode().put("object", "list").put("model", body.path("model").asText());
                answer.set("data", data);
                answer.putObject("usage").put("prompt_tokens", texts.size()).put("total_tokens", texts.size());
                send(ex, 200, answer.toString());
                return;
            }
            if (protocol == Protocol.SPEECH) {
                byte[] audio = speechOf(body.path("input").asText());
                ex.getResponseHeaders().add("Content-Type", "audio/mpeg");
                ex.sendResponseHeaders(200, audio.length);
                ex.getResponseBody().write(audio);
                return;
            }
            chatCalls.incrementAndGet();
            Reply reply = script.poll();
            if (reply == null) {
                reply = new Reply.Text("echo: " + lastUserText(protocol, body), defaultDelay, 10, 5);
            }
            boolean streaming = body.path("stream").asBoolean(false) || path.contains(":streamGenerateContent");
            switch (reply) {
                case Reply.Text t -> {
                    sleep(t.delay());
                    if (streaming) {
                        FakeStreams.text(ex, protocol, body, t);
                    } else {
                        send(ex, 200, answer(protocol, body, t.content(), null, t.promptTokens(), t.completionTokens()).toString());
                    }
                }
                case Reply.Error e -> {
                    sleep(e.delay());
                    e.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                    send(ex, e.status(), e.body());
                }
                case Reply.ToolCall call -> {
                    if (streaming) {
                        FakeStreams.toolCall(ex, protocol, body, call);
                    } else {
                        send(ex, 200, answer(protocol, body, null, call, 10, 5).toString());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The model listings: OpenAI and Anthropic at /v1/models, Gemini at /v1beta/models, Ollama at /api/tags. */
    private void listModels(HttpExchange ex, String path) throws IOException {
        ObjectNode res = JSON.createObjectNode();
        if (path.endsWith("/api/tags")) {
            ArrayNode list = res.putArray("models");
            models.forEach(m -> list.addObject().put("name", m).put("model", m));
        } else if (path.contains("/v1beta/models")) {
            ArrayNode list = res.putArray("models");
            models.forEach(m -> list.addObject().put("name", "models/" + m).put("displayName", m));
        } else if (path.endsWith("/models")) {
            res.put("object", "list");
            ArrayNode data = res.putArray("data");
            models.forEach(m -> data.addObject().put("id", m).put("object", "model").put("type", "model").put("owned_by", "fake"));
        } else {
            send(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
            return;
        }
        send(ex, 200, res.toString());
    }

    private static String lastUserText(Protocol protocol, JsonNode body) {
        return switch (protocol) {
            case GEMINI -> {
                JsonNode contents = body.path("contents");
                for (int i = contents.size() - 1; i >= 0; i--) {
                    if ("user".equals(contents.get(i).path("role").asText())) {
                        StringBuilder sb = new StringBuilder();
                        for (JsonNode part : contents.get(i).path("parts")) sb.append(part.path("text").asText(""));
                        if (!sb.isEmpty()) yield sb.toString();
                    }
                }
                yield "";
            }
            default -> new Received("POST", "", Map.of(), body).lastUserText();
        };
    }

    private static ObjectNode answer(Protocol protocol, JsonNode request, String content, Reply.ToolCall call, int in, int out) {
        return switch (protocol) {
            case ANTHROPIC -> anthropic(request, content, call, in, out);
            case GEMINI -> gemini(content, call, in, out);
            case OLLAMA -> ollama(request, content, call, in, out);
            default -> completion(request, content, call, in, out);
        };
    }

    private static ObjectNode anthropic(JsonNode request, String content, Reply.ToolCall call, int in, int out) {
        ObjectNode res = JSON.createObjectNode();
        res.put("id", "msg_fake").put("type", "message").put("role", "assistant").put("model", request.path("model").asText());
        ArrayNode blocks = res.putArray("content");
        if (request.path("thinking").path("type").asText("").equals("enabled")) {
            blocks.addObject().put("type", "thinking").put("thinking", "Let me think.").put("signature", "sig-fake");
        }
        if (call != null) {
            ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", "toolu_1").put("name", call.name());
            use.set("input", parse(call.argumentsJson()));
            res.put("stop_reason", "tool_use");
        } else {
            blocks.addObject().put("type", "text").put("text", content);
            res.put("stop_reason", "end_turn");
        }
        res.putObject("usage").put("input_tokens", in).put("output_tokens", out);
        return res;
    }

    private static ObjectNode gemini(String content, Reply.ToolCall call, int in, int out) {
        ObjectNode res = JSON.createObjectNode();
        ObjectNode candidate = res.putArray("candidates").addObject();
        ObjectNode c = candidate.putObject("content").put("role", "model");
        ArrayNode parts = c.putArray("parts");
        if (call != null) {
            ObjectNode fc = parts.addObject().putObject("functionCall").put("name", call.name());
            fc.set("args", parse(call.argumentsJson()));
        } else {
            parts.addObject().put("text", content);
        }
        candidate.put("finishReason", "STOP");
        res.putObject("usageMetadata").put("promptTokenCount", in).put("candidatesTokenCount", out).put("totalTokenCount", in + out);
        return res;
    }

    private static ObjectNode ollama(JsonNode request, String content, Reply.ToolCall call, int in, int out) {
        ObjectNode res = JSON.createObjectNode();
        res.put("model", request.path("model").asText()).put("created_at", "2026-01-01T00:00:00Z");
        ObjectNode msg = res.putObject("message").put("role", "assistant").put("content", content == null ? "" : content);
        if (call != null) {
            ObjectNode fn = msg.putArray("tool_calls").addObject().putObject("function").put("name", call.name());
            fn.set("arguments", parse(call.argumentsJson()));
        }
        res.put("done", true).put("done_reason", "stop").put("prompt_eval_count", in).put("eval_count", out);
        return res;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectNode completion(JsonNode request, String content, Reply.ToolCall call, int in, int out) {
        ObjectNode res = JSON.createObjectNode();
        res.put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1).put("model", request.path("model").asText());
        ObjectNode choice = res.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message");
        msg.put("role", "assistant");
        if (call != null) {
            msg.putNull("content");
            ObjectNode tc = msg.putArray("tool_calls").addObject();
            tc.put("id", "call_1").put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
            choice.put("finish_reason", "tool_calls");
        } else {
            msg.put("content", content);
            choice.put("finish_reason", "stop");
        }
        res.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return res;
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) Thread.sleep(d);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
