package dev.switchboard.llm;

import java.util.List;
import java.util.Map;

/** One message of a conversation, in our own provider-neutral terms; stored in the journal as it is. */
public sealed interface ChatTurn {

    record System(String text) implements ChatTurn {}

    /** What the user said, with images for models that take them (attached files that are pictures). */
    record User(String text, List<Image> images) implements ChatTurn {
        public User {
            images = images == null ? List.of() : List.copyOf(images);
        }
    }

    /** An image given to the model inline. */
    record Image(String mediaType, String base64) {}

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

    static ChatTurn user(String text) { return new User(text, List.of()); }

    static ChatTurn user(String text, List<Image> images) { return new User(text, images); }

    static ChatTurn assistant(String text) { return new Assistant(text, List.of(), null, Map.of()); }
}
