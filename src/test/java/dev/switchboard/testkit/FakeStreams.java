package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The streaming forms of each wire protocol the fake speaks: OpenAI and Anthropic SSE, Gemini SSE, Ollama NDJSON. */
final class FakeStreams {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeStreams() {}

    static void text(HttpExchange ex, FakeLlm.Protocol protocol, JsonNode request, FakeLlm.Reply.Text t)
            throws IOException, InterruptedException {
        List<String> pieces = new ArrayList<>(List.of(t.content().split("(?<= )")));
        try (OutputStream out = open(ex, protocol)) {
            String model = request.path("model").asText();
            switch (protocol) {
                case OPENAI -> {
                    for (String piece : pieces) {
                        FakeLlm.sleep(t.perChunk());
                        ObjectNode chunk = openAiChunk(model);
                        chunk.withArray("choices").addObject().put("index", 0).putObject("delta").put("content", piece);
                        sse(out, null, chunk);
                    }
                    ObjectNode last = openAiChunk(model);
                    last.withArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
                    last.putObject("usage").put("prompt_tokens", t.promptTokens()).put("completion_tokens", t.completionTokens())
                            .put("total_tokens", t.promptTokens() + t.completionTokens());
                    sse(out, null, last);
                    raw(out, "data: [DONE]\n\n");
                }
                case ANTHROPIC -> {
                    anthropicStart(out, model, t.promptTokens());
                    int index = 0;
                    if (request.path("thinking").path("type").asText("").equals("enabled")) {
                        sse(out, "content_block_start", obj("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"));
                        sse(out, "content_block_delta", obj("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}"));
                        sse(out, "content_block_delta", obj("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig-fake\"}}"));
                        sse(out, "content_block_stop", obj("{\"type\":\"content_block_stop\",\"index\":0}"));
                        index = 1;
                    }
                    sse(out, "content_block_start", obj("{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
                    for (String piece : pieces) {
                        FakeLlm.sleep(t.perChunk());
                        ObjectNode delta = obj("{\"type\":\"content_block_delta\",\"index\":" + index + "}");
                        delta.putObject("delta").put("type", "text_delta").put("text", piece);
                        sse(out, "content_block_delta", delta);
                    }
                    sse(out, "content_block_stop", obj("{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
                    anthropicEnd(out, "end_turn", t.completionTokens());
                }
                case GEMINI -> {
                    for (int i = 0; i < pieces.size(); i++) {
                        FakeLlm.sleep(t.perChunk());
                        ObjectNode chunk = JSON.createObjectNode();
                        ObjectNode candidate = chunk.putArray("candidates").addObject();
                        candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", pieces.get(i));
                        if (i == pieces.size() - 1) {
                            candidate.put("finishReason", "STOP");
                            chunk.putObject("usageMetadata").put("promptTokenCount", t.promptTokens())
                                    .put("candidatesTokenCount", t.completionTokens())
                                    .put("totalTokenCount", t.promptTokens() + t.completionTokens());
                        }
                        sse(out, null, chunk);
                    }
                }
                case OLLAMA -> {
                    for (String piece : pieces) {
                        FakeLlm.sleep(t.perChunk());
                        ObjectNode chunk = JSON.createObjectNode().put("model", model).put("created_at", "2026-01-01T00:00:00Z");
                        chunk.putObject("message").put("role", "assistant").put("content", piece);
                        chunk.put("done", false);
                        raw(out, chunk + "\n");
                    }
                    ObjectNode last = JSON.createObjectNode().put("model", model).put("created_at", "2026-01-01T00:00:00Z");
                    last.putObject("message").put("role", "assistant").put("content", "");
                    last.put("done", true).put("done_reason", "stop").put("prompt_eval_count", t.promptTokens())
                            .put("eval_count", t.completionTokens());
                    raw(out, last + "\n");
                }
                default -> throw new IllegalStateException("no stream for " + protocol);
            }
        }
    }

    static void toolCall(HttpExchange ex, FakeLlm.Protocol protocol, JsonNode request, FakeLlm.Reply.ToolCall call)
            throws IOException {
        try (OutputStream out = open(ex, protocol)) {
            String model = request.path("model").asText();
            switch (protocol) {
                case OPENAI -> {
                    ObjectNode chunk = openAiChunk(model);
                    ObjectNode tc = chunk.withArray("choices").addObject().put("index", 0).putObject("delta")
                            .put("role", "assistant").putArray("tool_calls").addObject();
                    tc.put("index", 0).put("id", "call_1").put("type", "function");
                    tc.putObject("function").put("name", call.name()).put("arguments", call.argumentsJson());
                    sse(out, null, chunk);
                    ObjectNode last = openAiChunk(model);
                    last.withArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls").putObject("delta");
                    last.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
                    sse(out, null, last);
                    raw(out, "data: [DONE]\n\n");
                }
                case ANTHROPIC -> {
                    anthropicStart(out, model, 10);
                    ObjectNode start = obj("{\"type\":\"content_block_start\",\"index\":0}");
                    start.putObject("content_block").put("type", "tool_use").put("id", "toolu_1").put("name", call.name())
                            .putObject("input");
                    sse(out, "content_block_start", start);
                    ObjectNode delta = obj("{\"type\":\"content_block_delta\",\"index\":0}");
                    delta.putObject("delta").put("type", "input_json_delta").put("partial_json", call.argumentsJson());
                    sse(out, "content_block_delta", delta);
                    sse(out, "content_block_stop", obj("{\"type\":\"content_block_stop\",\"index\":0}"));
                    anthropicEnd(out, "tool_use", 5);
                }
                case GEMINI -> {
                    ObjectNode chunk = JSON.createObjectNode();
                    ObjectNode candidate = chunk.putArray("candidates").addObject();
                    ObjectNode fc = candidate.putObject("content").put("role", "model").putArray("parts").addObject()
                            .putObject("functionCall").put("name", call.name());
                    fc.set("args", FakeLlm.parse(call.argumentsJson()));
                    candidate.put("finishReason", "STOP");
                    chunk.putObject("usageMetadata").put("promptTokenCount", 10).put("candidatesTokenCount", 5).put("totalTokenCount", 15);
                    sse(out, null, chunk);
                }
                case OLLAMA -> {
                    ObjectNode chunk = JSON.createObjectNode().put("model", model).put("created_at", "2026-01-01T00:00:00Z");
                    ObjectNode msg = chunk.putObject("message").put("role", "assistant").put("content", "");
                    msg.putArray("tool_calls").addObject().putObject("function").put("name", call.name())
                            .set("arguments", FakeLlm.parse(call.argumentsJson()));
                    chunk.put("done", true).put("done_reason", "stop").put("prompt_eval_count", 10).put("eval_count", 5);
                    raw(out, chunk + "\n");
                }
                default -> throw new IllegalStateException("no stream for " + protocol);
            }
        }
    }

    private static OutputStream open(HttpExchange ex, FakeLlm.Protocol protocol) throws IOException {
        ex.getResponseHeaders().add("Content-Type", protocol == FakeLlm.Protocol.OLLAMA ? "application/x-ndjson" : "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    private static void anthropicStart(OutputStream out, String model, int inputTokens) throws IOException {
        ObjectNode start = obj("{\"type\":\"message_start\"}");
        ObjectNode message = start.putObject("message").put("id", "msg_fake").put("type", "message").put("role", "assistant")
                .put("model", model);
        message.putArray("content");
        message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 0);
        sse(out, "message_start", start);
    }

    private static void anthropicEnd(OutputStream out, String stopReason, int outputTokens) throws IOException {
        ObjectNode delta = obj("{\"type\":\"message_delta\"}");
        delta.putObject("delta").put("stop_reason", stopReason);
        delta.putObject("usage").put("output_tokens", outputTokens);
        sse(out, "message_delta", delta);
        sse(out, "message_stop", obj("{\"type\":\"message_stop\"}"));
    }

    private static ObjectNode openAiChunk(String model) {
        return JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1)
                .put("model", model);
    }

    private static void sse(OutputStream out, String event, JsonNode data) throws IOException {
        raw(out, (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n");
    }

    private static void raw(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static ObjectNode obj(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
