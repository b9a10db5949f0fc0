package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.files.Attachment;
import dev.switchboard.files.Attachments;
import dev.switchboard.knowledge.PassageRetrieval;
import dev.switchboard.llm.ChatTurn;
import dev.switchboard.llm.ModelLimits;
import dev.switchboard.llm.ModelReply;
import dev.switchboard.llm.ModelRequest;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.llm.ToolCall;
import dev.switchboard.llm.ToolSpec;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.StepStore;
import dev.switchboard.tools.KnowledgeSearch;
import dev.switchboard.tools.Tool;
import dev.switchboard.tools.Toolbox;
import dev.switchboard.tracing.Tracing;
import dev.switchboard.workflows.WorkflowEngine;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The agent loop of one turn: call the model, run the tools it asks for, feed the results back, repeat until a
 * final answer, within the run's budgets; check a JSON answer against its schema and ask for a repair when it
 * fails. Every model call, tool call and repair request is journaled when it completes; the loop's state is
 * rebuilt from the journal, so a resumed attempt calls neither the model nor a tool again for a step already done.
 */
final class AgentLoop {
    static final String MODEL_CALL = "model_call";
    static final String TOOL_CALL = "tool_call";
    static final String REPAIR = "repair";
    // The run's attached files as fetched and read, journaled first so that a resumed run neither fetches them again
    // nor sees them change.
    static final String ATTACHMENTS = "attachments";
    // Passages retrieved from the agent's vanilla knowledge bases for the user's text: journaled like the files.
    static final String KNOWLEDGE = "knowledge";
    static final int KNOWLEDGE_PASSAGES = 5;
    // How many times a JSON answer that fails its schema is sent back for repair before the run fails.
    static final int MAX_REPAIRS = 2;

    /**
     * The model call that ended a run with its answer, and the answer's last unsent piece: both are stored in the
     * run's final transaction, with its end, rather than in two transactions of their own just before it.
     */
    record FinalStep(int index, ModelReply reply, String lastChunk) {}

    /** How a turn ended, when it ended on its own terms (a provider failure or a stop is thrown instead). */
    sealed interface Outcome {
        RunUsage usage();

        /** {@code last}: the model call that gave the answer, when it is still to be stored with the run's end. */
        record Answered(String text, RunUsage usage, Optional<FinalStep> last) implements Outcome {
            Answered(String text, RunUsage usage) { this(text, usage, Optional.empty()); }
        }

        record Failed(StopReason reason, String message, RunUsage usage) implements Outcome {}

        /** A workflow waiting for a person or a webhook: {@code resumeAt} when its wait node times out, if it does. */
        record Paused(JsonNode hitlRequest, Optional<java.time.Instant> resumeAt, RunUsage usage) implements Outcome {}
    }

    /** A tool call's journaled result. */
    record ToolOutcome(String callId, String name, String result, boolean isError) {}

    private final TaskStore store;
    private final StepStore steps;
    private final ProviderRegistry providers;
    private final Toolbox toolbox;
    private final Attachments attachments;
    private final PassageRetrieval retrieval;

    private final Metrics metrics;
    private final Tracing tracing;

    AgentLoop(TaskStore store, StepStore steps, ProviderRegistry providers, Toolbox toolbox, Attachments attachments,
              PassageRetrieval retrieval, Metrics metrics, Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.retrieval = retrieval;
        this.store = store;
        this.steps = steps;
        this.providers = providers;
        this.toolbox = toolbox;
        this.attachments = attachments;
    }

    /** The conversation so far and what it cost: rebuilt from the prompt and the journal. */
    private static final class State {
        final List<ChatTurn> messages;
        int nextStep;
        int modelCalls;
        int toolCalls;
        int repairs;
        RunUsage usage = RunUsage.empty();
        // Everything the model said in this turn, in order: exactly what was streamed out as chunks.
        final StringBuilder said = new StringBuilder();
        boolean hasFiles;
        // Decisions on tool calls that need approval, by "tool:<call id>".
        final java.util.Map<String, WorkflowEngine.Decision> decisions = new java.util.HashMap<>();
        boolean noInputLeft;

        State(List<ChatTurn> prompt) { this.messages = new ArrayList<>(prompt); }

        ChatTurn last() { return messages.getLast(); }

        /** Tool calls of the latest assistant message that have no result yet, in order. */
        List<ToolCall> pendingCalls() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i) instanceof ChatTurn.Assistant a) {
                    Set<String> answered = new HashSet<>();
                    for (ChatTurn t : messages.subList(i + 1, messages.size())) {
                        if (t instanceof ChatTurn.ToolResult r) answered.add(r.callId());
                    }
                    return a.toolCalls().stream().filter(c -> !answered.contains(c.id())).toList();
                }
            }
            return List.of();
        }
    }

    /**
     * Runs the turn. {@code onFiles} hears the task's view of the attached files (status, mode, size, tokens) as soon
     * as they are known, so that every end of the run, a failure included, shows them. {@code neverRan}: the run was
     * accepted on this node a moment ago and starts for the first time, so its journal is empty (not read).
     * {@code startedAt}: as stored, parsed only for a turn with a time limit.
     */
    Outcome run(TaskStore.RunRow run, boolean neverRan, String startedAt, CancelToken token, RunEvents events,
                Consumer<List<JsonNode>> onFiles) throws Exception {
        Turn turn = run.spec();
        State s = replay(run, neverRan, turn, token, onFiles);
        if (s.modelCalls == 0 && s.noInputLeft) {
            return new Outcome.Failed(StopReason.NO_INPUT, "The input has no text and none of its attached files could "
                    + "be read; see the task's files for why", s.usage);
        }
        // The agent's MCP servers, then the invoke's; their connections last as long as this attempt, and are closed
        // here (on the run's own thread) whatever happens, a stop during their listing included.
        List<JsonNode> mcpServers = turn.mcpServers().isEmpty() ? turn.agent().mcpServers()
                : java.util.stream.Stream.concat(turn.agent().mcpServers().stream(), turn.mcpServers().stream()).toList();
        Toolbox.Request wanted = new Toolbox.Request(run.organizationId(), turn.agent().attachedTools(),
                knowledgeBases(turn, "agentic_rag"), mcpServers, turn::mcpCredentials,
                (server, failure) -> events.authEvent(AuthEvents.of(server, failure)));
        try (Toolbox.RunTools runTools = toolbox.forRun(wanted)) {
            if (runTools.hasMcpServers()) token.call(() -> { runTools.open(); return null; });
            tellUnavailable(s, runTools.unavailable());
            return loop(run, turn, s, runTools.tools(), startedAt, token, events);
        }
    }

    /** The model is told which MCP servers it cannot use in this run and why, so that it can say so. */
    private static void tellUnavailable(State s, List<String> unavailable) {
        if (unavailable.isEmpty()) return;
        String note = String.join("\n", unavailable);
        if (!s.messages.isEmpty() && s.messages.getFirst() instanceof ChatTurn.System system) {
            s.messages.set(0, ChatTurn.system(system.text() + "\n\n" + note));
        } else {
            s.messages.addFirst(ChatTurn.system(note));
        }
    }

    private Outcome loop(TaskStore.RunRow run, Turn turn, State s, List<Tool> tools, String startedAt, CancelToken token,
                         RunEvents events) throws Exception {
        Optional<Instant> deadline = Optional.ofNullable(turn.budgets().timeoutSeconds())
                .map(sec -> Times.parse(startedAt).plusSeconds(sec));
        while (true) {
            token.check();
            Optional<Outcome> overBudget = budgets(turn, s);
            if (overBudget.isPresent()) return overBudget.get();
            List<ToolCall> pending = s.pendingCalls();
            if (!pending.isEmpty()) {
                ToolCall call = pending.getFirst();
                ToolOutcome outcome;
                String approvalKey = "tool:" + call.id();
                boolean needsApproval = requiresApproval(turn, call.name());
                WorkflowEngine.Decision decision = s.decisions.get(approvalKey);
                if (needsApproval && decision == null) {
                    return new Outcome.Paused(approvalRequest(approvalKey, call), Optional.empty(), s.usage);
                }
                events.toolCallRequest(call);
                if (needsApproval && !"approve".equals(decision.decision())) {
                    outcome = new ToolOutcome(call.id(), call.name(), "The user did not approve this tool call"
                            + (decision.comment() != null ? ": " + decision.comment() : "") + ". Do not call it again.", true);
                } else {
                    try {
                        long began = System.nanoTime();
                        Span span = tracing.startChild("tool " + call.name(),
                                SpanKind.INTERNAL);
                        try (Scope scope = span.makeCurrent()) {
                            outcome = runTool(call, tools, token, remaining(deadline));
                        } finally {
                            span.end();
                        }
                        if (outcome.isError()) span.setStatus(StatusCode.ERROR);
                        metrics.toolCall(toolKind(tools, call.name()), outcome.isError(), System.nanoTime() - began);
                    } catch (CancelToken.TimedOut t) {
                        return timedOut(turn, s);
                    }
                }
                steps.record(run.id(), s.nextStep++, TOOL_CALL, outcome);
                events.toolCallResult(outcome);
                apply(s, outcome);
                continue;
            }
            if (s.last() instanceof ChatTurn.Assistant answer && answer.toolCalls().isEmpty()) {
                if (!"json".equals(turn.outputFormat())) {
                    return new Outcome.Answered(s.said.toString(), s.usage);
                }
                OutputCheck.Result check = OutputCheck.check(answer.text(), turn.outputSchema());
                if (check.valid()) {
                    // A JSON answer is streamed whole, once it is known to be the valid one.
                    String json = Json.write(check.value().orElseThrow());
                    events.chunk(json);
                    return new Outcome.Answered(json, s.usage);
                }
                if (s.repairs >= MAX_REPAIRS) {
                    return new Outcome.Failed(StopReason.OUTPUT_INVALID, "The answer is not valid against output_schema: "
                            + String.join("; ", check.errors()), s.usage);
                }
                String repair = "Your answer is not valid against the required JSON Schema: " + String.join("; ", check.errors())
                        + ". Answer again with only the corrected JSON value.";
                steps.record(run.id(), s.nextStep++, REPAIR, repair);
                applyRepair(s, repair);
                continue;
            }
            if (s.hasFiles && s.modelCalls == 0) AttachedFiles.checkFits(turn, s.messages);
            ModelRequest request = request(turn, s, tools);
            ChunkWriter writer = new ChunkWriter(events, !"json".equals(turn.outputFormat()));
            ModelReply reply;
            try {
                reply = token.callHere(() -> providers.chat(request, writer), remaining(deadline).orElse(null));
            } catch (CancelToken.TimedOut t) {
                writer.flush();
                return timedOut(turn, s);
            } catch (Exception e) {
                writer.flush();
                throw e;
            }
            int index = s.nextStep++;
            apply(s, turn, reply, providers);
            if (endsTheRun(turn, reply) && budgets(turn, s).isEmpty()) {
                return new Outcome.Answered(s.said.toString(), s.usage, Optional.of(new FinalStep(index, reply, writer.takeUnsent())));
            }
            writer.flush();
            steps.record(run.id(), index, MODEL_CALL, reply);
        }
    }

    /**
     * A text answer without tool calls is the run's last step. (A JSON answer is checked first and a voice answer
     * is spoken first, so those take the ordinary path.)
     */
    private static boolean endsTheRun(Turn turn, ModelReply reply) {
        return reply.toolCalls().isEmpty() && !"json".equals(turn.outputFormat()) && !"voice".equals(turn.outputFormat());
    }

    private static Outcome timedOut(Turn turn, State s) {
        return new Outcome.Failed(StopReason.TIMEOUT, "The run passed its timeout_seconds of "
                + turn.budgets().timeoutSeconds(), s.usage);
    }

    /** The prompt, then every journaled step laid over it in order. */
    /**
     * {@code attachment_mode: auto}: when the prompt with the whole files is larger than the model's context (less the
     * answer's room), the files are cut down to the parts most relevant to the user's text, within the room the rest
     * of the prompt leaves. Files that fit are sent whole.
     */
    private List<Attachment> fitted(Turn turn, List<PromptBuilder.PastTurn> history, List<Attachment> files,
                                    CancelToken token) throws Exception {
        int room = ModelLimits.contextWindow(turn.llmModelName()) - ModelLimits.ANSWER_RESERVE;
        if (ModelLimits.tokens(PromptBuilder.build(turn, history, files)) <= room) return files;
        List<Attachment> empty = files.stream().map(f -> f.isText() ? f.withExcerpt("") : f).toList();
        // Each file's JSON line and its escaping cost a little more than its text: keep a tenth in hand.
        int budget = (int) ((room - ModelLimits.tokens(PromptBuilder.build(turn, history, empty))) * 0.9);
        if (budget <= 0) return files;
        return token.call(() -> retrieval.fit(files, turn.input().text(), budget));
    }

    /** Whether the agent attached this tool with {@code requires_approval: true}. */
    private static boolean requiresApproval(Turn turn, String toolName) {
        return turn.agent().attachedTools().stream().anyMatch(t -> t.isObject()
                && toolName.equals(t.path("id").asText()) && t.path("requires_approval").asBoolean(false));
    }

    /** The task's hitl_request while a tool call waits for approval (approve or reject it as a workflow's wait). */
    private static JsonNode approvalRequest(String key, ToolCall call) {
        var r = Json.object();
        r.put("wait_node_id", key);
        r.put("type", "hitl");
        r.put("title", "Approve the tool call " + call.name() + "?");
        r.put("content", call.arguments());
        r.put("tool_name", call.name());
        r.put("default_action", "reject");
        return r;
    }

    /** The ids of the agent's knowledge bases used with the given strategy. */
    private static List<String> knowledgeBases(Turn turn, String strategy) {
        return turn.agent().knowledgeBases().stream().filter(k -> strategy.equals(k.strategy()))
                .map(dev.switchboard.agents.AgentConfig.KnowledgeBaseRef::id).toList();
    }

    private State replay(TaskStore.RunRow run, boolean neverRan, Turn turn, CancelToken token,
                         Consumer<List<JsonNode>> onFiles) throws Exception {
        int historyBefore = turn.historyBeforeTurn() != null ? turn.historyBeforeTurn() : run.turn();
        List<PromptBuilder.PastTurn> history = store.history(run.organizationId(), run.taskId(), historyBefore,
                turn.agent().numHistoryRuns()).stream()
                .map(r -> new PromptBuilder.PastTurn(PromptBuilder.userMessage(r.spec().input()), r.state().result()))
                .toList();
        List<StepStore.Step> journal = neverRan ? List.of() : steps.steps(run.id());
        List<Attachment> files = List.of();
        if (!turn.input().files().isEmpty()) {
            if (!journal.isEmpty() && journal.getFirst().kind().equals(ATTACHMENTS)) {
                files = List.of(Json.read(journal.getFirst().data(), Attachment[].class));
            } else if (journal.isEmpty()) {
                files = AttachedFiles.usable(token.call(() -> attachments.fetch(run.organizationId(), turn.input().files())),
                        turn);
                if (!"inject".equals(turn.attachmentMode()) && !turn.disableAttachmentInjection()) {
                    files = fitted(turn, history, files, token);
                }
                steps.record(run.id(), 0, ATTACHMENTS, files);
                journal = List.of(new StepStore.Step(0, ATTACHMENTS, ""));
            }
            onFiles.accept(AttachedFiles.view(files, turn));
        }
        List<KnowledgeSearch.Hit> passages = List.of();
        List<String> vanilla = knowledgeBases(turn, "vanilla");
        if (!vanilla.isEmpty() && !turn.input().text().isBlank()) {
            Optional<StepStore.Step> stored = journal.stream().filter(st -> st.kind().equals(KNOWLEDGE)).findFirst();
            if (stored.isPresent()) {
                passages = List.of(Json.read(stored.get().data(), KnowledgeSearch.Hit[].class));
            } else if (journal.stream().noneMatch(st -> !st.kind().equals(ATTACHMENTS))) {
                List<KnowledgeSearch.Hit> found = token.call(() -> toolbox.knowledge().search(run.organizationId(), vanilla,
                        turn.input().text(), KNOWLEDGE_PASSAGES));
                passages = found;
                int index = journal.size();
                steps.record(run.id(), index, KNOWLEDGE, found);
                journal = new ArrayList<>(journal);
                journal.add(new StepStore.Step(index, KNOWLEDGE, ""));
            }
        }
        State s = new State(PromptBuilder.build(turn, history, files, passages));
        s.hasFiles = !files.isEmpty();
        s.noInputLeft = s.hasFiles && turn.input().text().isBlank() && !turn.disableAttachmentInjection()
                && files.stream().noneMatch(f -> "ok".equals(f.status()));
        for (StepStore.Step step : journal) {
            s.nextStep = step.index() + 1;
            switch (step.kind()) {
                case ATTACHMENTS, KNOWLEDGE -> { /* read above */ }
                case WorkflowEngine.DECISION -> {
                    WorkflowEngine.Decision d = Json.read(step.data(), WorkflowEngine.Decision.class);
                    s.decisions.put(d.nodeId(), d);
                }
                case MODEL_CALL -> apply(s, turn, Json.read(step.data(), ModelReply.class), providers);
                case TOOL_CALL -> apply(s, Json.read(step.data(), ToolOutcome.class));
                case REPAIR -> applyRepair(s, Json.read(step.data(), String.class));
                default -> throw new IllegalStateException("Unknown journal step " + step.kind() + " in run " + run.id());
            }
        }
        return s;
    }

    private static void apply(State s, Turn turn, ModelReply reply, ProviderRegistry providers) {
        s.messages.add(reply.asTurn());
        s.modelCalls++;
        s.said.append(reply.text());
        Double cost = providers.price(turn.llmModelProvider(), turn.llmModelName())
                .map(p -> p.cost(reply.promptTokens(), reply.completionTokens())).orElse(null);
        s.usage = s.usage.plus(turn.llmModelProvider() + "/" + turn.llmModelName(), reply.promptTokens(),
                reply.completionTokens(), reply.totalTokens(), cost);
    }

    private static void apply(State s, ToolOutcome outcome) {
        s.messages.add(new ChatTurn.ToolResult(outcome.callId(), outcome.name(), outcome.result()));
        s.toolCalls++;
    }

    private static void applyRepair(State s, String repair) {
        s.messages.add(ChatTurn.user(repair));
        s.repairs++;
    }

    /** A budget the run has used up, checked before each step. */
    private static Optional<Outcome> budgets(Turn turn, State s) {
        Turn.Budgets b = turn.budgets();
        if (b.maxTokens() != null && s.usage.tokens().totalTokens() > b.maxTokens()) {
            return Optional.of(new Outcome.Failed(StopReason.MAX_TOKENS, "The run used " + s.usage.tokens().totalTokens()
                    + " tokens, over its max_tokens of " + b.maxTokens(), s.usage));
        }
        if (b.maxCostUsd() != null && s.usage.costUsd() > b.maxCostUsd()) {
            return Optional.of(new Outcome.Failed(StopReason.BUDGET_EXCEEDED, String.format(java.util.Locale.ROOT,
                    "The run cost $%.6f, over its max_cost_usd of $%s", s.usage.costUsd(), b.maxCostUsd()), s.usage));
        }
        boolean needsModel = s.pendingCalls().isEmpty()
                && !(s.last() instanceof ChatTurn.Assistant a && a.toolCalls().isEmpty());
        if (needsModel && b.maxSteps() != null && s.modelCalls >= b.maxSteps()) {
            return Optional.of(new Outcome.Failed(StopReason.MAX_STEPS, "The run reached its max_steps of "
                    + b.maxSteps() + " model calls without a final answer", s.usage));
        }
        return Optional.empty();
    }

    private ModelRequest request(Turn turn, State s, List<Tool> tools) {
        int limit = turn.agent().agnoSettings().path("tool_call_limit").asInt(0);
        // Past the tool call limit the model is offered no tools, so it must answer with what it has.
        List<ToolSpec> offered = limit > 0 && s.toolCalls >= limit ? List.of() : tools.stream().map(Tool::spec).toList();
        Optional<JsonNode> schema = "json".equals(turn.outputFormat()) ? Optional.ofNullable(turn.outputSchema()) : Optional.empty();
        return new ModelRequest(turn.llmModelProvider(), turn.llmModelName(),
                Optional.ofNullable(turn.agent().llmApiBase()), turn.agent().llmExtraHeaders(),
                Optional.ofNullable(turn.llmReasoningEffort()), List.copyOf(s.messages), offered, schema);
    }

    /** Runs one tool call; its failures (unknown tool, bad arguments, the tool's own errors) go back to the model. */
    private static ToolOutcome runTool(ToolCall call, List<Tool> tools, CancelToken token, Optional<Duration> within)
            throws Exception {
        Optional<Tool> tool = tools.stream().filter(t -> t.spec().name().equals(call.name())).findFirst();
        if (tool.isEmpty()) {
            return new ToolOutcome(call.id(), call.name(), "Error: there is no tool named '" + call.name() + "'", true);
        }
        JsonNode args;
        try {
            args = call.arguments() == null || call.arguments().isBlank() ? Json.object() : Json.MAPPER.readTree(call.arguments());
        } catch (Exception e) {
            return new ToolOutcome(call.id(), call.name(), "Error: the arguments are not valid JSON", true);
        }
        try {
            String result = token.call(() -> tool.get().call(args), within.orElse(null));
            return new ToolOutcome(call.id(), call.name(), result, false);
        } catch (CancelToken.TimedOut | CancelToken.Cancelled stop) {
            throw stop;
        } catch (Tool.ToolError e) {
            return new ToolOutcome(call.id(), call.name(), "Error: " + e.getMessage(), true);
        } catch (Exception e) {
            // A tool that crashed is still only a failed tool call for the model, not a crashed run.
            return new ToolOutcome(call.id(), call.name(), "Error: the tool failed (" + e.getClass().getSimpleName() + ")", true);
        }
    }

    /** A bounded label for a tool: a built-in's name, {@code knowledge}, {@code mcp}, or {@code unknown}. */
    private static String toolKind(List<Tool> tools, String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst().map(t -> switch (t) {
            case dev.switchboard.tools.McpTool m -> "mcp";
            case dev.switchboard.tools.KnowledgeSearchTool k -> "knowledge";
            case dev.switchboard.tools.CurrentTimeTool c -> c.spec().name();
            case dev.switchboard.tools.HttpFetchTool h -> h.spec().name();
        }).orElse("unknown");
    }

    private static Optional<Duration> remaining(Optional<Instant> deadline) {
        return deadline.map(d -> Duration.between(Instant.now(), d));
    }
}
