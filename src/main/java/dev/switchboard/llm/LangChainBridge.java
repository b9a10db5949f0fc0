package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.common.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts between our neutral conversation types and LangChain4j's, in both directions. */
final class LangChainBridge {
    private LangChainBridge() {}

    static List<ChatMessage> messages(List<ChatTurn> turns) {
        List<ChatMessage> out = new ArrayList<>(turns.size());
        for (ChatTurn t : turns) {
            out.add(switch (t) {
                case ChatTurn.System s -> SystemMessage.from(s.text());
                case ChatTurn.User u when u.images().isEmpty() -> UserMessage.from(u.text());
                case ChatTurn.User u -> userWithImages(u);
                case ChatTurn.Assistant a -> assistant(a);
                case ChatTurn.ToolResult r -> ToolExecutionResultMessage.from(r.callId(), r.toolName(), r.content());
            });
        }
        return out;
    }

    private static UserMessage userWithImages(ChatTurn.User u) {
        List<dev.langchain4j.data.message.Content> contents = new ArrayList<>();
        contents.add(dev.langchain4j.data.message.TextContent.from(u.text()));
        for (ChatTurn.Image image : u.images()) {
            contents.add(dev.langchain4j.data.message.ImageContent.from(image.base64(), image.mediaType()));
        }
        return UserMessage.from(contents);
    }

    private static AiMessage assistant(ChatTurn.Assistant a) {
        var b = AiMessage.builder();
        if (a.text() != null && !a.text().isEmpty()) b.text(a.text());
        if (a.thinking() != null) b.thinking(a.thinking());
        if (!a.toolCalls().isEmpty()) {
            b.toolExecutionRequests(a.toolCalls().stream()
                    .map(c -> ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build())
                    .toList());
        }
        if (!a.attributes().isEmpty()) b.attributes(a.attributes());
        return b.build();
    }

    static List<ToolSpecification> tools(List<ToolSpec> tools) {
        return tools.stream().map(t -> ToolSpecification.builder()
                .name(t.name())
                .description(t.description())
                .parameters(ToolSchemas.parameters(t.parameters()))
                .build()).toList();
    }

    /** A JSON Schema as the provider's native structured-output setting, passed through as written. */
    static ResponseFormat responseFormat(JsonNode schema) {
        return ResponseFormat.builder()
                .type(ResponseFormatType.JSON)
                .jsonSchema(JsonSchema.builder().name("answer").rootElement(JsonRawSchema.from(Json.write(schema))).build())
                .build();
    }

    static ModelReply reply(ChatResponse response) {
        AiMessage ai = response.aiMessage();
        List<ToolCall> calls = ai == null || !ai.hasToolExecutionRequests() ? List.of()
                : ai.toolExecutionRequests().stream()
                        .map(r -> new ToolCall(r.id(), r.name(), r.arguments() == null ? "{}" : r.arguments()))
                        .toList();
        TokenUsage usage = response.tokenUsage();
        int in = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        int total = usage == null || usage.totalTokenCount() == null ? in + out : usage.totalTokenCount();
        Map<String, Object> attributes = ai == null || ai.attributes() == null ? Map.of() : ai.attributes();
        return new ModelReply(ai == null ? "" : ai.text(), in, out, total, calls, ai == null ? null : ai.thinking(),
                attributes);
    }
}
