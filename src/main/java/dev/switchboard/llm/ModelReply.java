package dev.switchboard.llm;

import java.util.List;
import java.util.Map;

/** A model's answer (text, tool calls, or both), its reasoning where returned, and what it cost in tokens. */
public record ModelReply(String text, int promptTokens, int completionTokens, int totalTokens,
                         List<ToolCall> toolCalls, String thinking, Map<String, Object> attributes) {

    public ModelReply {
        text = text == null ? "" : text;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public ModelReply(String text, int promptTokens, int completionTokens, int totalTokens) {
        this(text, promptTokens, completionTokens, totalTokens, List.of(), null, Map.of());
    }

    /** The reply as a message of the conversation, to send back on the next call. */
    public ChatTurn.Assistant asTurn() {
        return new ChatTurn.Assistant(text, toolCalls, thinking, attributes);
    }
}
