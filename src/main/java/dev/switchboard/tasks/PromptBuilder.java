package dev.switchboard.tasks;

import dev.switchboard.agents.AgentConfig;
import dev.switchboard.common.Json;
import dev.switchboard.files.Attachment;
import dev.switchboard.llm.ChatTurn;
import dev.switchboard.tools.KnowledgeSearch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles what the model is sent, in one order: the agent's instructions (role, goal, general), the run's
 * instructions override (appended, or replacing them), additional context, expected output, the output format,
 * the user's details; then the thread's earlier turns; then the user's text.
 */
final class PromptBuilder {
    private PromptBuilder() {}

    /** An earlier turn of the thread: what the user said and what the agent answered. */
    record PastTurn(String userText, String answer) {}

    static List<ChatTurn> build(Turn turn, List<PastTurn> history) {
        return build(turn, history, List.of());
    }

    /** With the run's attached files: their text (and images) joins the user's message, as {@link #userTurn} says. */
    static List<ChatTurn> build(Turn turn, List<PastTurn> history, List<Attachment> files) {
        return build(turn, history, files, List.of());
    }

    /** With passages retrieved from the agent's knowledge bases, which close the system prompt. */
    static List<ChatTurn> build(Turn turn, List<PastTurn> history, List<Attachment> files,
                                List<KnowledgeSearch.Hit> passages) {
        List<ChatTurn> messages = new ArrayList<>();
        String system = systemPrompt(turn);
        if (!passages.isEmpty()) {
            String knowledge = "Relevant passages from your knowledge bases (use them when they answer the user):\n"
                    + KnowledgeSearch.format(passages);
            system = system.isBlank() ? knowledge : system + "\n\n" + knowledge;
        }
        if (!system.isBlank()) {
            messages.add(ChatTurn.system(system));
        }
        for (PastTurn past : history) {
            messages.add(ChatTurn.user(past.userText()));
            messages.add(ChatTurn.assistant(past.answer()));
        }
        messages.add(userTurn(turn, files));
        return messages;
    }

    static String systemPrompt(Turn turn) {
        AgentConfig agent = turn.agent();
        List<String> sections = new ArrayList<>();
        boolean replace = "replace".equals(turn.instructionsMode()) && present(turn.instructionsOverride());
        if (!replace) {
            // In the order of the agent's instructions object (role, goal, general), as documented above.
            AgentConfig.Instructions ins = agent.instructions();
            if (!ins.role().isEmpty()) sections.add("Your role:\n" + bullets(ins.role()));
            if (!ins.goal().isEmpty()) sections.add("Your goals:\n" + bullets(ins.goal()));
            if (present(ins.general())) sections.add(ins.general().strip());
        }
        if (present(turn.instructionsOverride())) {
            sections.add(replace ? turn.instructionsOverride().strip()
                    : "Instructions for this task:\n" + turn.instructionsOverride().strip());
        }
        if (present(turn.additionalContext())) {
            sections.add("Additional context:\n" + turn.additionalContext().strip());
        }
        String expected = present(turn.expectedOutput()) ? turn.expectedOutput() : agent.expectedOutput();
        if (present(expected)) {
            sections.add("Expected output:\n" + expected.strip());
        }
        String format = formatInstruction(turn);
        if (!format.isEmpty()) sections.add(format);
        if ("harder".equals(turn.thinkMode())) {
            sections.add("Think harder: before answering, plan your approach step by step, then give the answer.");
        }
        if (turn.input().user() != null) {
            sections.add("User details: " + Json.write(userDetails(turn.input().user())));
        }
        return String.join("\n\n", sections);
    }

    private static String formatInstruction(Turn turn) {
        return switch (turn.outputFormat()) {
            case "json" -> turn.outputSchema() != null
                    ? "Answer with one JSON value only, valid against this JSON Schema:\n" + Json.write(turn.outputSchema())
                    : "Answer with one JSON value only.";
            case "text" -> "Answer in plain text, without markdown.";
            default -> "";
        };
    }

    private static Map<String, Object> userDetails(InvokeRequest.User user) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (user.id() != null) m.put("id", user.id());
        m.put("email", user.email());
        if (user.firstName() != null) m.put("first_name", user.firstName());
        if (user.lastName() != null) m.put("last_name", user.lastName());
        if (user.timezone() != null) m.put("timezone", user.timezone());
        if (user.additionalAttributes() != null && !user.additionalAttributes().isNull()) {
            m.put("additional_attributes", user.additionalAttributes());
        }
        return m;
    }

    /** The user's text, then the attached file URLs. */
    static String userMessage(InvokeRequest.Input input) {
        if (input.files().isEmpty()) return input.text();
        return input.text() + "\nFiles: " + String.join(", ", input.files());
    }

    /**
     * The user's message in xpander's format: the text, the file URLs, then "Files contents:" and one JSON line
     * {@code {"url", "content"}} per file that was read; pictures go along as images. With
     * {@code disable_attachment_injection} only the URLs are given (tools may fetch them).
     */
    static ChatTurn userTurn(Turn turn, List<Attachment> files) {
        String text = userMessage(turn.input());
        if (turn.disableAttachmentInjection() || files.isEmpty()) return ChatTurn.user(text);
        List<String> contents = new ArrayList<>();
        List<ChatTurn.Image> images = new ArrayList<>();
        for (Attachment f : files) {
            if (f.isText()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("url", f.url());
                line.put("content", f.text());
                contents.add(Json.write(line));
            } else if (f.isImage()) {
                images.add(new ChatTurn.Image(f.contentType(), f.imageBase64()));
            }
        }
        if (!contents.isEmpty()) text = text + "\nFiles contents:\n" + String.join("\n", contents);
        return ChatTurn.user(text, images);
    }

    private static String bullets(List<String> items) {
        return String.join("\n", items.stream().map(i -> "- " + i.strip()).toList());
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
