package dev.switchboard.tasks;

import dev.switchboard.common.Json;
import dev.switchboard.llm.ModelFailure;
import dev.switchboard.llm.ModelReply;
import dev.switchboard.llm.ModelRequest;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.StepStore;
import dev.switchboard.runs.WorkHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * Executes one turn of an agent thread: assemble the prompt, call the model (journaled), store the outcome.
 * Whatever happens, the run ends in a terminal status, or goes back to the queue when the node shuts down.
 */
final class AgentRunHandler implements WorkHandler {
    static final String KIND = "agent_run";
    private static final Logger log = LoggerFactory.getLogger(AgentRunHandler.class);
    private static final String MODEL_CALL = "model_call";

    private final TaskStore store;
    private final RunTransitions transitions;
    private final RunQueue queue;
    private final StepStore steps;
    private final ProviderRegistry providers;

    AgentRunHandler(TaskStore store, RunTransitions transitions, RunQueue queue, StepStore steps, ProviderRegistry providers) {
        this.store = store;
        this.transitions = transitions;
        this.queue = queue;
        this.steps = steps;
        this.providers = providers;
    }

    @Override
    public void execute(QueueItem item, CancelToken token) {
        Optional<TaskStore.RunRow> found = store.run(item.runId());
        if (found.isEmpty()) {
            // Its task was deleted after it was queued.
            store.db().inTransaction(tx -> { queue.complete(tx, item.runId()); return null; });
            return;
        }
        TaskStore.RunRow run = found.get();
        String agentId = run.spec().agentId();
        if (run.state().status().isTerminal()) {
            store.db().inTransaction(tx -> { queue.complete(tx, item.runId()); return null; });
            return;
        }
        if (run.stopRequested() != null) {
            endStopped(run, run.state());
            return;
        }
        RunState state = transitions.started(agentId, run, item.attempts());
        try {
            ModelReply reply = modelCall(run, token);
            RunState.Tokens tokens = new RunState.Tokens(reply.promptTokens(), reply.completionTokens(), reply.totalTokens());
            transitions.finished(agentId, run, state.finished(TaskStatus.COMPLETED, reply.text(), StopReason.END_TURN,
                    null, tokens, false, transitions.now()));
        } catch (CancelToken.Cancelled c) {
            if (c.reason() == CancelToken.Reason.RELEASE) {
                queue.release(run.id());
            } else {
                endStopped(run, state);
            }
        } catch (ModelFailure f) {
            StopReason reason = f.kind() == ModelFailure.Kind.CONTEXT_OVERFLOW ? StopReason.CONTEXT_OVERFLOW : StopReason.PROVIDER_ERROR;
            transitions.finished(agentId, run, state.finished(TaskStatus.ERROR, f.getMessage(), reason,
                    new RunState.ErrorInfo(f.kind().name().toLowerCase(), f.getMessage()), state.tokens(), false, transitions.now()));
        } catch (Exception e) {
            log.error("Run {} of task {} failed", run.id(), run.taskId(), e);
            String message = "Internal error: " + e.getClass().getSimpleName();
            transitions.finished(agentId, run, state.finished(TaskStatus.ERROR, message, null,
                    new RunState.ErrorInfo("internal_error", message), state.tokens(), false, transitions.now()));
        }
    }

    /** The model's answer for this turn: from the journal when a previous attempt got it, else from the model. */
    private ModelReply modelCall(TaskStore.RunRow run, CancelToken token) throws Exception {
        for (StepStore.Step step : steps.steps(run.id())) {
            if (step.kind().equals(MODEL_CALL)) {
                return Json.read(step.data(), ModelReply.class);
            }
        }
        Turn turn = run.spec();
        int historyBefore = turn.historyBeforeTurn() != null ? turn.historyBeforeTurn() : run.turn();
        List<PromptBuilder.PastTurn> history = store.history(run.organizationId(), run.taskId(), historyBefore,
                turn.agent().numHistoryRuns()).stream()
                .map(r -> new PromptBuilder.PastTurn(PromptBuilder.userMessage(r.spec().input()), r.state().result()))
                .toList();
        ModelRequest request = new ModelRequest(turn.llmModelProvider(), turn.llmModelName(),
                Optional.ofNullable(turn.agent().llmApiBase()), turn.agent().llmExtraHeaders(),
                Optional.ofNullable(turn.llmReasoningEffort()), PromptBuilder.build(turn, history));
        ModelReply reply = token.call(() -> providers.chat(request));
        steps.record(run.id(), 0, MODEL_CALL, reply);
        return reply;
    }

    private void endStopped(TaskStore.RunRow run, RunState state) {
        // Re-read: the stop reason was stored by whoever asked for the stop.
        String requested = store.run(run.id()).map(TaskStore.RunRow::stopRequested).orElse(null);
        StopReason reason = StopReason.INTERRUPTED.wire().equals(requested) ? StopReason.INTERRUPTED : StopReason.STOPPED;
        String message = reason == StopReason.INTERRUPTED ? "Interrupted by a newer turn of the thread" : null;
        transitions.finished(run.spec().agentId(), run, state.finished(TaskStatus.STOPPED, message, reason, null,
                state.tokens(), reason == StopReason.STOPPED, transitions.now()));
    }

    @Override
    public java.util.Set<String> stopRequested(java.util.Set<String> runIds) {
        return store.stopRequestsAmong(runIds);
    }

    @Override
    public void abandon(QueueItem item) {
        store.run(item.runId()).ifPresentOrElse(run -> {
            String message = "The run was lost with its worker " + (item.attempts() - 1) + " times and was not tried again";
            transitions.finished(run.spec().agentId(), run, run.state().finished(TaskStatus.ERROR, message,
                    StopReason.WORKER_LOST, new RunState.ErrorInfo("worker_lost", message), run.state().tokens(), false,
                    transitions.now()));
        }, () -> store.db().inTransaction(tx -> { queue.complete(tx, item.runId()); return null; }));
    }
}
