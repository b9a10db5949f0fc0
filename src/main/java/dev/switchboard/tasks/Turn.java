package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentConfig;
import dev.switchboard.tools.mcp.McpCredentials;
import dev.switchboard.tools.mcp.McpSecrets;

import java.util.List;

/**
 * What one turn of a thread runs: the request as accepted, the effective model, and the agent configuration it was
 * resolved against, frozen at accept time so that a retried attempt runs the same thing. The secrets it holds (MCP
 * servers' keys, the user's {@code credentials} as JSON) are sealed in storage ({@link #withSecrets}) and masked
 * when shown. {@code traceparent}: the trace of the request that accepted it, which its run continues.
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
        String credentials,
        Budgets budgets,
        Integer historyBeforeTurn,
        AgentConfig agent,
        boolean workflow,
        String traceparent) {

    /**
     * The same turn with every secret it holds passed through {@code f} (its agent's, its MCP servers', the user's
     * credentials): how the store seals them on the way in and opens them on the way out.
     */
    public Turn withSecrets(java.util.function.UnaryOperator<String> f) {
        return new Turn(agentId, input, title, source, sourceNodeType, thinkMode, disableAttachmentInjection,
                attachmentMode, instructionsOverride, instructionsMode, additionalContext, expectedOutput, outputFormat, outputSchema,
                llmModelProvider, llmModelName, llmReasoningEffort, agentVersion, payloadExtension, eventsStreaming,
                McpSecrets.map(mcpServers, f), webhookUrl, hasUserOidcToken, hasUserTokens,
                credentials == null ? null : f.apply(credentials), budgets, historyBeforeTurn,
                agent == null ? null : agent.withSecrets(f), workflow, traceparent);
    }

    /** The user's credentials for MCP servers, in clear (the store opened them). */
    public McpCredentials mcpCredentials() { return McpCredentials.fromJson(credentials); }

    /** Per-run limits; null means none. */
    public record Budgets(Integer maxSteps, Integer maxTokens, Double maxCostUsd, Integer timeoutSeconds) {}
}
