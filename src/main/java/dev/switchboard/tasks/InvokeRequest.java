package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentConfig;
import dev.switchboard.common.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The body of every invoke (CONTRACT §4.2), validated as it is read. */
public record InvokeRequest(
        Input input,
        String id,
        String instructionsOverride,
        String instructionsMode,
        String additionalContext,
        String expectedOutput,
        String outputFormat,
        ObjectNode outputSchema,
        String thinkMode,
        String llmModelProvider,
        String llmModelName,
        String llmReasoningEffort,
        Boolean disableAttachmentInjection,
        String userOidcToken,
        JsonNode userTokens,
        String title,
        JsonNode payloadExtension,
        String source,
        String sourceNodeType,
        Boolean eventsStreaming,
        List<JsonNode> mcpServers,
        String webhookUrl,
        String multitaskStrategy,
        Integer maxSteps,
        Integer maxTokens,
        Double maxCostUsd,
        Integer timeoutSeconds,
        String attachmentMode) {

    static final Pattern THREAD_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final Set<String> THINK_MODES = Set.of("default", "harder");
    static final Set<String> STRATEGIES = Set.of("enqueue", "reject", "interrupt");
    static final Set<String> INSTRUCTION_MODES = Set.of("append", "replace");
    static final Set<String> ATTACHMENT_MODES = Set.of("auto", "inject");

    public record Input(String text, List<String> files, User user) {
        public Input {
            text = text == null ? "" : text;
            files = files == null ? List.of() : List.copyOf(files);
            for (int i = 0; i < files.size(); i++) {
                String f = files.get(i);
                if (f == null || !(f.startsWith("http://") || f.startsWith("https://") || f.startsWith("/v1/files/"))) {
                    throw invalid(List.of("files", String.valueOf(i)), "A file must be an http(s) URL or /v1/files/{id}", "url_parsing");
                }
            }
            if (text.isBlank() && files.isEmpty()) {
                throw invalid(List.of("text"), "input.text may be empty only when input.files is not", "missing");
            }
        }
    }

    public record User(String id, String email, String firstName, String lastName, JsonNode additionalAttributes,
                       String timezone) {
        public User {
            if (email == null || email.isBlank()) {
                throw invalid(List.of("email"), "Field required", "missing");
            }
        }
    }

    public InvokeRequest {
        List<ApiException.Problem> problems = new ArrayList<>();
        if (input == null) {
            problems.add(problem(List.of("input"), "Field required", "missing"));
        }
        if (id != null && !THREAD_ID.matcher(id).matches()) {
            problems.add(problem(List.of("id"), "A thread id is 1 to 128 characters of A-Z a-z 0-9 . _ : -", "string_pattern_mismatch"));
        }
        oneOf(problems, "output_format", outputFormat, AgentConfig.OUTPUT_FORMATS);
        oneOf(problems, "think_mode", thinkMode, THINK_MODES);
        oneOf(problems, "llm_reasoning_effort", llmReasoningEffort, AgentConfig.EFFORTS);
        oneOf(problems, "multitask_strategy", multitaskStrategy, STRATEGIES);
        oneOf(problems, "instructions_mode", instructionsMode, INSTRUCTION_MODES);
        oneOf(problems, "attachment_mode", attachmentMode, ATTACHMENT_MODES);
        positive(problems, "max_steps", maxSteps);
        positive(problems, "max_tokens", maxTokens);
        positive(problems, "timeout_seconds", timeoutSeconds);
        if (maxCostUsd != null && !(maxCostUsd > 0)) {
            problems.add(problem(List.of("max_cost_usd"), "Input should be greater than 0", "greater_than"));
        }
        if (webhookUrl != null && !(webhookUrl.startsWith("http://") || webhookUrl.startsWith("https://"))) {
            problems.add(problem(List.of("webhook_url"), "Input should be an http or https URL", "url_scheme"));
        }
        if (userTokens != null && !userTokens.isNull() && !userTokens.isObject()) {
            problems.add(problem(List.of("user_tokens"), "Input should be an object: MCP server name to a token or to an "
                    + "object of headers", "dict_type"));
        }
        if (!problems.isEmpty()) {
            throw new ApiException.Invalid(problems);
        }
        mcpServers = mcpServers == null ? List.of() : List.copyOf(mcpServers);
    }

    public String strategy() { return multitaskStrategy == null ? "enqueue" : multitaskStrategy; }

    private static void oneOf(List<ApiException.Problem> problems, String field, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            problems.add(problem(List.of(field), "Input should be one of " + String.join(", ", allowed.stream().sorted().toList()), "enum"));
        }
    }

    private static void positive(List<ApiException.Problem> problems, String field, Integer value) {
        if (value != null && value <= 0) {
            problems.add(problem(List.of(field), "Input should be greater than 0", "greater_than"));
        }
    }

    private static ApiException.Problem problem(List<String> loc, String msg, String type) {
        return new ApiException.Problem(loc, msg, type);
    }

    private static ApiException.Invalid invalid(List<String> loc, String msg, String type) {
        return new ApiException.Invalid(loc, msg, type);
    }
}
