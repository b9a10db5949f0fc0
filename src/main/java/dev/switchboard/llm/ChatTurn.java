package dev.switchboard.llm;

import java.util.List;
import java.util.Map;

/** One message of a conversation, in our own provider-neutral terms; stored in the journal as it is. */
public sealed interface ChatTurn {

    record System(String text) implements ChatTurn {}

    record User(String text) implements ChatTurn {}

    /**
     * What the model said: text, tool calls, or both. {@code thinking} is its reasoning where the provider returns
     * it; {@code attributes} carry what a provider needs back on the next call (Anthropic's thinking signature).
     */
    record Assistant(String text, List<ToolCall> toolCalls, String thinking, Map<String, Object> attributes) implements ChatTurn {
        public Assistant {
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }
    }

    /** The result of one tool call, fed back to the model. */
    record ToolResult(String callId, String toolName, String content) implements ChatTurn {}

    static ChatTurn system(String text) { return new System(text); }

    static ChatTurn user(String text) { return new User(text); }

    static ChatTurn assistant(String text) { return new Assistant(text, List.of(), null, Map.of()); }
}
