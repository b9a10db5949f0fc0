package dev.switchboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An agent's configuration: the fields of the xpander AIAgent we honour. A deployed version is one of these, frozen.
 * Free-form sections (attached tools, MCP servers, notification settings) stay JSON as given: they are checked when
 * an agent is saved ({@code tools.mcp.McpServers} for MCP servers) and read again by the features that use them.
 */
public record AgentConfig(
        String name,
        String description,
        String icon,
        Instructions instructions,
        String modelProvider,
        String modelName,
        String llmReasoningEffort,
        String llmApiBase,
        Map<String, String> llmExtraHeaders,
        String outputFormat,
        ObjectNode outputSchema,
        String expectedOutput,
        String voiceId,
        List<JsonNode> attachedTools,
        List<JsonNode> mcpServers,
        List<KnowledgeBaseRef> knowledgeBases,
        ObjectNode agnoSettings,
        ObjectNode notificationSettings,
        String webhookSecret,
        List<JsonNode> orchestrationNodes,
        ObjectNode taskLevelStrategies) {

    public static final Set<String> OUTPUT_FORMATS = Set.of("text", "markdown", "json", "voice");
    public static final Set<String> EFFORTS = Set.of("low", "medium", "high", "xhigh");
    public static final Set<String> KB_STRATEGIES = Set.of("vanilla", "agentic_rag");
    private static final int MAX_NAME = 255;

    public record Instructions(List<String> role, List<String> goal, String general) {
        public Instructions {
            role = role == null ? List.of() : List.copyOf(role);
            goal = goal == null ? List.of() : List.copyOf(goal);
            general = general == null ? "" : general;
        }

        public static Instructions empty() { return new Instructions(List.of(), List.of(), ""); }
    }

    public record KnowledgeBaseRef(String id, String strategy) {
        public KnowledgeBaseRef {
            if (id == null || id.isBlank()) throw new ApiException.Invalid(List.of("id"), "Field required", "missing");
            strategy = strategy == null ? "vanilla" : strategy;
            if (!KB_STRATEGIES.contains(strategy)) {
                throw new ApiException.Invalid(List.of("strategy"), "Input should be 'vanilla' or 'agentic_rag'", "enum");
            }
        }
    }

    public AgentConfig {
        if (name == null || name.isBlank()) {
            throw new ApiException.Invalid(List.of("name"), "Field required", "missing");
        }
        if (name.length() > MAX_NAME) {
            throw new ApiException.Invalid(List.of("name"), "At most " + MAX_NAME + " characters", "string_too_long");
        }
        description = description == null ? "" : description;
        icon = icon == null ? "🚀" : icon;
        instructions = instructions == null ? Instructions.empty() : instructions;
        outputFormat = outputFormat == null ? "markdown" : outputFormat;
        if (!OUTPUT_FORMATS.contains(outputFormat)) {
            throw new ApiException.Invalid(List.of("output_format"),
                    "Input should be 'text', 'markdown', 'json' or 'voice'", "enum");
        }
        if (llmReasoningEffort != null && !EFFORTS.contains(llmReasoningEffort)) {
            throw new ApiException.Invalid(List.of("llm_reasoning_effort"),
                    "Input should be 'low', 'medium', 'high' or 'xhigh'", "enum");
        }
        llmExtraHeaders = llmExtraHeaders == null ? Map.of() : Map.copyOf(llmExtraHeaders);
        attachedTools = copy(attachedTools);
        orchestrationNodes = copy(orchestrationNodes);
        mcpServers = copy(mcpServers);
        knowledgeBases = knowledgeBases == null ? List.of() : List.copyOf(knowledgeBases);
        agnoSettings = agnoSettings == null ? dev.switchboard.common.Json.object() : agnoSettings.deepCopy();
        // The default is shown, so the stored agent says how much history its runs get.
        if (!agnoSettings.hasNonNull("num_history_runs")) {
            agnoSettings.put("num_history_runs", DEFAULT_HISTORY_RUNS);
        }
        checkCount(agnoSettings, "num_history_runs", 1000);
        checkCount(agnoSettings, "tool_call_limit", 100_000);
    }

    public static final int DEFAULT_HISTORY_RUNS = 10;

    /** How many earlier turns of a thread the model sees (agno_settings.num_history_runs, default 10). */
    public int numHistoryRuns() {
        JsonNode n = agnoSettings.get("num_history_runs");
        return n == null || n.isNull() ? DEFAULT_HISTORY_RUNS : n.intValue();
    }

    private static void checkCount(ObjectNode settings, String field, int max) {
        JsonNode n = settings.get(field);
        if (n == null || n.isNull()) return;
        if (!n.isIntegralNumber() || n.intValue() < 0 || n.intValue() > max) {
            throw new ApiException.Invalid(List.of("agno_settings", field),
                    "Input should be a whole number between 0 and " + max, "value_error");
        }
    }

    private static List<JsonNode> copy(List<JsonNode> list) {
        return list == null ? List.of() : new ArrayList<>(list.stream().filter(n -> n != null).toList());
    }

    /**
     * The same configuration with its secrets (the webhook secret, the extra header values) passed through
     * {@code f}: how stores encrypt them on the way in and decrypt them on the way out.
     */
    public AgentConfig withSecrets(java.util.function.UnaryOperator<String> f) {
        // Read with every run and every agent: most have no secrets, and then nothing is copied.
        if (webhookSecret == null && llmExtraHeaders.isEmpty() && mcpServers.isEmpty()) return this;
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        llmExtraHeaders.forEach((k, v) -> headers.put(k, f.apply(v)));
        return new AgentConfig(name, description, icon, instructions, modelProvider, modelName, llmReasoningEffort, llmApiBase,
                headers, outputFormat, outputSchema, expectedOutput, voiceId, attachedTools,
                dev.switchboard.tools.mcp.McpSecrets.map(mcpServers, f),
                knowledgeBases, agnoSettings, notificationSettings, webhookSecret == null ? null : f.apply(webhookSecret),
                orchestrationNodes, taskLevelStrategies);
    }

    public AgentConfig withModel(String provider, String model) {
        return new AgentConfig(name, description, icon, instructions, provider, model, llmReasoningEffort, llmApiBase,
                llmExtraHeaders, outputFormat, outputSchema, expectedOutput, voiceId, attachedTools, mcpServers,
                knowledgeBases, agnoSettings, notificationSettings, webhookSecret, orchestrationNodes, taskLevelStrategies);
    }
}
