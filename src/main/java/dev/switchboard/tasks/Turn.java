package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentConfig;

import java.util.List;

/**
 * What one turn of a thread runs: the request as accepted (secrets masked), the effective model, and the agent
 * configuration it was resolved against, frozen at accept time so that a retried attempt runs the same thing.
 */
public record Turn(
        String agentId,
        InvokeRequest.Input input,
        String title,
        String source,
        String sourceNodeType,
        String thinkMode,
        boolean disableAttachmentInjection,
        String attachmentMode,
        String instructionsOverride,
        String instructionsMode,
        String additionalContext,
        String expectedOutput,
        String outputFormat,
        ObjectNode outputSchema,
        String llmModelProvider,
        String llmModelName,
        String llmReasoningEffort,
        String agentVersion,
        JsonNode payloadExtension,
        boolean eventsStreaming,
        List<JsonNode> mcpServers,
        String webhookUrl,
        boolean hasUserOidcToken,
        boolean hasUserTokens,
        Budgets budgets,
        Integer historyBeforeTurn,
        AgentConfig agent,
        boolean workflow) {

    /** The same turn with another copy of its agent's configuration (its secrets sealed or opened). */
    public Turn withAgent(AgentConfig other) {
        return new Turn(agentId, input, title, source, sourceNodeType, thinkMode, disableAttachmentInjection,
                attachmentMode, instructionsOverride, instructionsMode, additionalContext, expectedOutput, outputFormat, outputSchema,
                llmModelProvider, llmModelName, llmReasoningEffort, agentVersion, payloadExtension, eventsStreaming,
                mcpServers, webhookUrl, hasUserOidcToken, hasUserTokens, budgets, historyBeforeTurn, other, workflow);
    }

    /** Per-run limits; null means none. */
    public record Budgets(Integer maxSteps, Integer maxTokens, Double maxCostUsd, Integer timeoutSeconds) {}
}
