package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.Json;
import dev.switchboard.files.Attachment;
import dev.switchboard.llm.ChatTurn;
import dev.switchboard.llm.ModelFailure;
import dev.switchboard.llm.ModelLimits;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules for a run's attached files once they are read: which can be used with the run's model, how the task shows
 * them, and whether the prompt with them fits the model's context.
 */
final class AttachedFiles {
    private AttachedFiles() {}

    /** Pictures need a model that takes images; for another model they become a per-file error. */
    static List<Attachment> usable(List<Attachment> files, Turn turn) {
        List<Attachment> out = new ArrayList<>(files.size());
        for (Attachment f : files) {
            if (f.isImage() && !turn.disableAttachmentInjection() && !ModelLimits.takesImages(turn.llmModelName())) {
                out.add(f.withError("the model " + turn.llmModelName() + " does not take images"));
            } else {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The task's {@code files}: each file with its status, how it reached the model ({@code inject}: its text in the
     * prompt; {@code retrieve}: only its parts most relevant to the user's text, the whole not fitting; {@code image}:
     * as an image input; {@code url_only}: only its URL, injection being disabled), its size
     * in bytes and its text's size in tokens, and the error of a file that could not be used.
     */
    static List<JsonNode> view(List<Attachment> files, Turn turn) {
        List<JsonNode> out = new ArrayList<>(files.size());
        for (Attachment f : files) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("url", f.url());
            n.put("name", f.name());
            n.put("content_type", f.contentType());
            n.put("size", f.size());
            n.put("status", f.status());
            String mode = !"ok".equals(f.status()) ? null
                    : turn.disableAttachmentInjection() ? "url_only"
                    : f.isImage() ? "image" : f.retrieved() ? "retrieve" : "inject";
            n.put("mode", mode);
            if (f.isText()) n.put("tokens", ModelLimits.tokens(f.text()));
            else n.putNull("tokens");
            n.put("error", f.error());
            out.add(n);
        }
        return out;
    }

    /**
     * Ends the run before the model is called when the prompt with its files is larger than the model's context
     * (less room for the answer), as xpander does: {@code error} / {@code context_overflow}, "Error code: 413 …".
     * With {@code attachment_mode: auto} the files were cut down before (AgentLoop.fitted); what still does not fit
     * ends here too.
     */
    static void checkFits(Turn turn, List<ChatTurn> prompt) {
        int tokens = ModelLimits.tokens(prompt);
        int window = ModelLimits.contextWindow(turn.llmModelName());
        if (tokens + ModelLimits.ANSWER_RESERVE > window) {
            throw new ModelFailure(ModelFailure.Kind.CONTEXT_OVERFLOW, "Error code: 413 - The prompt with its attached "
                    + "files is about " + tokens + " tokens; the model " + turn.llmModelName() + " takes " + window
                    + " tokens, " + ModelLimits.ANSWER_RESERVE + " of them kept for the answer. Attach fewer or smaller "
                    + "files, or use a model with a larger context.");
        }
    }
}
