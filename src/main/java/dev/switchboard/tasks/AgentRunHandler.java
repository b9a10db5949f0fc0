package dev.switchboard.tasks;

import dev.switchboard.files.FileStore;
import dev.switchboard.files.StoredFile;
import dev.switchboard.llm.ModelFailure;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.llm.Speech;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.WorkHandler;
import dev.switchboard.tracing.Tracing;
import dev.switchboard.workflows.WorkflowEngine;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.Optional;

/**
 * Executes one turn of an agent thread through the {@link AgentLoop} and stores how it ended.
 * Whatever happens, the run ends in a terminal status, or goes back to the queue when the node shuts down.
 */
final class AgentRunHandler implements WorkHandler {
    static final String KIND = "agent_run";
    private static final Logger log = LoggerFactory.getLogger(AgentRunHandler.class);

    private final TaskStore store;
    private final AcceptedRuns acceptedRuns;
    private final RunTransitions transitions;
    private final RunQueue queue;
    private final AgentLoop loop;
    private final WorkflowEngine engine;
    private final ProviderRegistry providers;
    private final FileStore files;
    private final Tracing tracing;

    AgentRunHandler(TaskStore store, AcceptedRuns acceptedRuns, RunTransitions transitions, RunQueue queue, AgentLoop loop,
                    WorkflowEngine engine, ProviderRegistry providers, FileStore files, Tracing tracing) {
        this.tracing = tracing;
        this.engine = engine;
        this.store = store;
        this.acceptedRuns = acceptedRuns;
        this.transitions = transitions;
        this.queue = queue;
        this.loop = loop;
        this.providers = providers;
        this.files = files;
    }

    @Override
    public void execute(QueueItem item, CancelToken token) {
        Optional<TaskStore.RunRow> accepted = acceptedRuns.take(item.runId());
        Optional<TaskStore.RunRow> found = accepted.or(() -> store.run(item.runId()));
        if (found.isEmpty()) {
            // Its task was deleted after it was queued; the deletion took its queue row too, unless it raced this claim.
            try {
                queue.complete(item.runId());
            } catch (RunQueue.LeaseLost alreadyGone) {
                // nothing left to end
            }
            return;
        }
        TaskStore.RunRow run = found.get();
        MDC.put("task_id", run.taskId());
        MDC.put("organization_id", run.organizationId());
        // The run continues the trace of the request that accepted it, whichever node that was.
        Span span = tracing.startRun(run.spec().workflow() ? "run workflow" : "run agent",
                run.spec().traceparent());
        span.setAttribute("switchboard.task_id", run.taskId());
        span.setAttribute("switchboard.run_id", run.id());
        span.setAttribute("switchboard.agent_id", run.spec().agentId());
        span.setAttribute("switchboard.attempt", item.attempts());
        try (Scope scope = span.makeCurrent()) {
            Tracing.currentTraceId().ifPresent(id -> MDC.put("trace_id", id));
            executeRun(item, token, run, accepted.isPresent());
        } catch (RunQueue.LeaseLost lost) {
            // Another node took the run over (or finished it) while this one still worked on it: its end is theirs.
            log.warn("Run {} of task {}: {}", run.id(), run.taskId(), lost.getMessage());
        } finally {
            span.end();
        }
    }

    /** {@code neverRan}: the run was accepted and leased on this node, and has never run (its journal is empty). */
    private void executeRun(QueueItem item, CancelToken token, TaskStore.RunRow run, boolean neverRan) {
        String agentId = run.spec().agentId();
        if (run.state().status().isTerminal()) {
            queue.complete(item.runId());
            return;
        }
        if (run.stopRequested() != null) {
            endStopped(run, run.state());
            return;
        }
        RunState started = transitions.started(agentId, run, item.attempts());
        // The attached files, once read, are part of every end of the run, a failure included.
        java.util.concurrent.atomic.AtomicReference<RunState> current = new java.util.concurrent.atomic.AtomicReference<>(started);
        try {
            AgentLoop.Outcome outcome = run.spec().workflow() ? workflow(run, token)
                    : loop.run(run, neverRan, started.startedAt(), token, transitions.eventsOf(run),
                    files -> current.updateAndGet(s -> s.withFiles(files)));
            RunState state = current.get();
            if (outcome instanceof AgentLoop.Outcome.Paused p) {
                transitions.paused(agentId, run, state.paused(transitions.now(), p.hitlRequest()).withUsage(p.usage()),
                        p.resumeAt());
                return;
            }
            RunState end = switch (outcome) {
                case AgentLoop.Outcome.Answered a -> withVoice(run, state.finished(TaskStatus.COMPLETED, a.text(),
                        StopReason.END_TURN, null, a.usage().tokens(), false, transitions.now()).withUsage(a.usage()), token);
                case AgentLoop.Outcome.Failed f -> state.finished(TaskStatus.FAILED, f.message(), f.reason(),
                        new RunState.ErrorInfo(f.reason().wire(), f.message()), f.usage().tokens(), false,
                        transitions.now()).withUsage(f.usage());
                case AgentLoop.Outcome.Paused p -> throw new IllegalStateException("handled above");
            };
            transitions.finished(agentId, run, end, outcome instanceof AgentLoop.Outcome.Answered a ? a.last() : Optional.empty());
        } catch (CancelToken.Cancelled c) {
            if (c.reason() == CancelToken.Reason.RELEASE) {
                queue.release(run.id());
            } else {
                endStopped(run, current.get());
            }
        } catch (ModelFailure f) {
            RunState state = current.get();
            StopReason reason = f.kind() == ModelFailure.Kind.CONTEXT_OVERFLOW ? StopReason.CONTEXT_OVERFLOW : StopReason.PROVIDER_ERROR;
            transitions.finished(agentId, run, state.finished(TaskStatus.ERROR, f.getMessage(), reason,
                    new RunState.ErrorInfo(f.kind().name().toLowerCase(), f.getMessage()), state.tokens(), false, transitions.now()));
        } catch (RunQueue.LeaseLost lost) {
            throw lost;
        } catch (dev.switchboard.storage.StorageException e) {
            if (!e.isUnavailable()) {
                failed(agentId, run, current.get(), e);
                return;
            }
            // The database could not be reached (or every connection was busy for too long): the run is not at fault.
            // It is handed back to resume from its journal, here or on another node; if even that cannot be stored,
            // its lease lapses and the same happens.
            log.warn("Run {} of task {} paused for want of the database ({}); it will resume", run.id(), run.taskId(),
                    e.getMessage());
            try {
                queue.release(run.id());
            } catch (RuntimeException again) {
                log.warn("Releasing run {} failed too; it resumes when its lease lapses", run.id());
            }
        } catch (Exception e) {
            failed(agentId, run, current.get(), e);
        }
    }

    /** A run that failed for a reason of ours: it ends {@code error} / {@code internal_error}. */
    private void failed(String agentId, TaskStore.RunRow run, RunState state, Exception e) {
        log.error("Run {} of task {} failed", run.id(), run.taskId(), e);
        String message = "Internal error: " + e.getClass().getSimpleName();
        transitions.finished(agentId, run, state.finished(TaskStatus.ERROR, message, null,
                new RunState.ErrorInfo("internal_error", message), state.tokens(), false, transitions.now()));
    }

    /** A workflow's turn: its graph walked on the user's text; a node that fails ends it failed / node_failed. */
    private AgentLoop.Outcome workflow(TaskStore.RunRow run, CancelToken token) throws Exception {
        try {
            WorkflowEngine.Result r = engine.run(run.organizationId(), run.id(), run.spec().agent(),
                    run.spec().input().text(), token,
                    Optional.ofNullable(run.state().pausedAt()).map(java.time.Instant::parse),
                    run.spec().eventsStreaming() ? transitions.nodeEventsOf(run) : WorkflowEngine.Listener.NONE);
            return new AgentLoop.Outcome.Answered(r.output(), usage(r));
        } catch (WorkflowEngine.NodeFailed f) {
            return new AgentLoop.Outcome.Failed(StopReason.NODE_FAILED, f.getMessage(), RunUsage.empty());
        } catch (WorkflowEngine.Paused p) {
            return new AgentLoop.Outcome.Paused(p.request(), p.resumeAt(), RunUsage.empty());
        }
    }

    private RunUsage usage(WorkflowEngine.Result r) {
        RunUsage usage = RunUsage.empty();
        for (var e : r.tokensByModel().entrySet()) {
            String[] pm = e.getKey().split("/", 2);
            int in = e.getValue()[0];
            int out = e.getValue()[1];
            Double cost = providers.price(pm[0], pm.length > 1 ? pm[1] : "").map(p -> p.cost(in, out)).orElse(null);
            usage = usage.plus(e.getKey(), in, out, in + out, cost);
        }
        return usage;
    }

    /**
     * Voice output: the answer's text stays the result; its audio is stored and its URL set as {@code voice}. When
     * speech fails the run still completes with its text, and the error says why there is no audio.
     */
    private RunState withVoice(TaskStore.RunRow run, RunState completed, CancelToken token) throws CancelToken.Cancelled {
        Turn turn = run.spec();
        if (!"voice".equals(turn.outputFormat()) || completed.result() == null || completed.result().isBlank()) {
            return completed;
        }
        try {
            Speech.Audio audio = token.call(() -> providers.speak(turn.llmModelProvider(), completed.result(), turn.agent().voiceId()));
            StoredFile file = files.save(run.organizationId(), "answer-" + run.id() + ".mp3", audio.contentType(), audio.bytes());
            return completed.withVoice(file.url());
        } catch (CancelToken.Cancelled c) {
            throw c;
        } catch (Exception e) {
            log.warn("Voice output of run {} failed: {}", run.id(), e.getMessage());
            return new RunState(completed.status(), completed.internalStatus(), completed.result(), completed.createdAt(),
                    completed.startedAt(), completed.pausedAt(), completed.finishedAt(), completed.updatedAt(),
                    completed.executionAttempts(), completed.isManuallyStopped(), completed.hitlRequest(), completed.tokens(),
                    completed.stopReason(), new RunState.ErrorInfo("voice_failed", e.getMessage()), completed.files(),
                    completed.usage(), null);
        }
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
        }, () -> queue.complete(item.runId()));
    }
}
