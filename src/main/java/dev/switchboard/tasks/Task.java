package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The task object of the API (CONTRACT §4.5): the thread's identity with its latest turn laid over it.
 * Built for answers and event snapshots only; it is never stored as such.
 */
public record Task(
        String id,
        String agentId,
        String organizationId,
        TaskStatus status,
        String internalStatus,
        InvokeRequest.Input input,
        String result,
        String title,
        String source,
        String sourceNodeType,
        String thinkMode,
        boolean disableAttachmentInjection,
        String instructionsOverride,
        String additionalContext,
        String expectedOutput,
        String outputFormat,
        ObjectNode outputSchema,
        String createdAt,
        String startedAt,
        String pausedAt,
        String finishedAt,
        String updatedAt,
        int executionAttempts,
        boolean isManuallyStopped,
        JsonNode hitlRequest,
        RunState.Tokens tokens,
        String llmModelProvider,
        String llmModelName,
        String llmReasoningEffort,
        String agentVersion,
        JsonNode payloadExtension,
        boolean eventsStreaming,
        List<JsonNode> mcpServers,
        String webhookUrl,
        String userOidcToken,
        String userTokens,
        StopReason stopReason,
        RunState.ErrorInfo error,
        JsonNode usage,
        List<JsonNode> files,
        String voice,
        int threadTurn) {

    static final String MASK = "***";

    static Task of(String id, String agentId, String organizationId, int turnNumber, Turn turn, RunState state) {
        return new Task(id, agentId, organizationId, state.status(), state.internalStatus(), turn.input(),
                state.result(), turn.title(), turn.source(), turn.sourceNodeType(), turn.thinkMode(),
                turn.disableAttachmentInjection(), turn.instructionsOverride(), turn.additionalContext(),
                turn.expectedOutput(), turn.outputFormat(), turn.outputSchema(), state.createdAt(), state.startedAt(),
                state.pausedAt(), state.finishedAt(), state.updatedAt(), state.executionAttempts(),
                state.isManuallyStopped(), state.hitlRequest(), state.tokens(), turn.llmModelProvider(),
                turn.llmModelName(), turn.llmReasoningEffort(), turn.agentVersion(), turn.payloadExtension(),
                turn.eventsStreaming(), dev.switchboard.tools.mcp.McpSecrets.masked(turn.mcpServers()), turn.webhookUrl(),
                turn.hasUserOidcToken() ? MASK : null, turn.hasUserTokens() ? MASK : null, state.stopReason(),
                state.error(), usage(state.usage()), state.files(), state.voice(), turnNumber);
    }

    /**
     * Usage per model ("provider/model": tokens and cost) and the run's total cost. A model whose price is unknown
     * shows cost_usd null and counts nothing toward the total.
     */
    private static JsonNode usage(RunUsage usage) {
        ObjectNode out = dev.switchboard.common.Json.object();
        usage.perModel().forEach((model, u) -> {
            ObjectNode m = out.putObject(model);
            m.put("prompt_tokens", u.promptTokens());
            m.put("completion_tokens", u.completionTokens());
            m.put("total_tokens", u.totalTokens());
            if (u.costUsd() == null) m.putNull("cost_usd"); else m.put("cost_usd", u.costUsd());
        });
        out.put("cost_usd", usage.costUsd());
        return out;
    }
}
