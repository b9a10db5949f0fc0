package dev.switchboard.tasks;

import dev.switchboard.agents.AgentConfig;
import dev.switchboard.agents.AgentService;
import dev.switchboard.agents.Kind;
import dev.switchboard.agents.ResolvedAgent;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.events.EventLog;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.Worker;
import dev.switchboard.tools.mcp.McpCredentials;
import dev.switchboard.tools.mcp.McpServers;
import dev.switchboard.tracing.Tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accepts turns: validates them against the agent and the providers, stores the turn and queues its run in one
 * transaction, then answers as the caller asked (wait for the end, or at once).
 */
public final class InvokeService {
    private static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);
    private static final int MAX_IDEMPOTENCY_KEY = 255;

    /** What an invoke answers: the task as JSON, and whether the turn had ended when it was taken. */
    /** {@code task}: the task object, as a tree or as stored JSON text ({@link Json.Raw}). */
    public record Outcome(Object task, boolean finished) {}

    /** Overrides a retry may carry; everything else is the retried turn's. */
    public record RetryRequest(String instructionsOverride, String additionalContext, String expectedOutput,
                               String outputFormat, com.fasterxml.jackson.databind.node.ObjectNode outputSchema,
                               String thinkMode, String llmModelProvider, String llmModelName, String llmReasoningEffort) {
        public RetryRequest {
            // Reuse the invoke body's checks for the fields they share.
            new InvokeRequest(new InvokeRequest.Input("x", null, null), null, instructionsOverride, null,
                    additionalContext, expectedOutput, outputFormat, outputSchema, thinkMode, llmModelProvider,
                    llmModelName, llmReasoningEffort, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null);
        }
    }

    /**
     * {@code snapshot}: the task as an async answer tells it, written already (a new turn's is its task_created JSON,
     * see RunTransitions.Created); null when it is to be read.
     */
    private record Accepted(String taskId, String runId, long createdSeq, Json.Raw snapshot, List<String> toCancel,
                            Optional<QueueItem> leased, TaskStore.RunRow run) {}

    // How long a sync caller waits for its run's end in memory before following the log instead (see answer()).
    private static final Duration LOCAL_END_WAIT = Duration.ofSeconds(5);

    private final TaskStore store;
    private final AcceptedRuns acceptedRuns;
    private final LocalEnds localEnds;
    private final RunTransitions transitions;
    private final EventLog events;
    private final AgentService agents;
    private final AgentService workflows;
    private final ProviderRegistry providers;
    private final Worker worker;
    private final Ids ids;
    private final Clock clock;
    private final Duration syncWait;
    private final NetworkGuard guard;
    // Whether an invoke may bring local (stdio) MCP servers: they run commands on this host.
    private final boolean allowLocalMcp;

    InvokeService(TaskStore store, RunTransitions transitions, EventLog events, AgentService agents, AgentService workflows,
                  ProviderRegistry providers, Worker worker, AcceptedRuns acceptedRuns, LocalEnds localEnds,
                  NetworkGuard guard, Ids ids,
                  Clock clock, Duration syncWait, boolean allowLocalMcp) {
        this.allowLocalMcp = allowLocalMcp;
        this.store = store;
        this.acceptedRuns = acceptedRuns;
        this.localEnds = localEnds;
        this.transitions = transitions;
        this.events = events;
        this.agents = agents;
        this.workflows = workflows;
        this.providers = providers;
        this.worker = worker;
        this.ids = ids;
        this.clock = clock;
        this.syncWait = syncWait;
        this.guard = guard;
    }

    /** A streamed turn: where its log starts, and the mark that it is followed (closed by the stream when it ends). */
    public record Started(String taskId, String runId, long firstSeq, EventLog.Following following) {}

    public Outcome invoke(Kind kind, String org, String agentId, Optional<String> version, InvokeRequest request,
                          Optional<String> idempotencyKey, boolean waitForEnd) {
        return answer(org, accept(kind, org, agentId, version, request, idempotencyKey), waitForEnd);
    }

    /** Accepts a turn and answers where to follow it; the caller streams the log from there. */
    public Started start(Kind kind, String org, String agentId, Optional<String> version, InvokeRequest request,
                         Optional<String> idempotencyKey) {
        Accepted accepted = accept(kind, org, agentId, version, request, idempotencyKey);
        // Marked followed before it starts, so its first chunk is written at once rather than coalesced.
        EventLog.Following following = events.follow(org, accepted.taskId());
        launch(accepted);
        return new Started(accepted.taskId(), accepted.runId(), Math.max(1, accepted.createdSeq()), following);
    }

    /** A webhook_url the network guard refuses is 422 now (CONTRACT §7); it is checked again at each delivery. */
    private void checkWebhookUrl(String url) {
        if (url == null) return;
        try {
            guard.check(java.net.URI.create(url));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidBody("Input should be a valid URL", "url_parsing", "webhook_url");
        } catch (NetworkGuard.Refused e) {
            throw ApiException.invalidBody(e.getMessage(), "url_refused", "webhook_url");
        }
    }

    private Accepted accept(Kind kind, String org, String agentId, Optional<String> version, InvokeRequest request,
                            Optional<String> idempotencyKey) {
        idempotencyKey.ifPresent(InvokeService::checkKey);
        ResolvedAgent agent = (kind == Kind.WORKFLOW ? workflows : agents).resolve(org, agentId, version);
        Turn turn = turnOf(agent, request);
        // Only a keyed request needs its fingerprint (serializing the whole body is not free on the hot path).
        String hash = idempotencyKey.isEmpty() ? null : hash(agentId + "\n" + version.orElse("") + "\n" + Json.write(request));
        TaskStore.SealedTurn sealed = store.seal(turn);
        Accepted accepted = withSlot(leaseHere -> store.db().inTransaction(tx -> {
            if (idempotencyKey.isPresent()) {
                var previous = store.idempotency(tx, org, idempotencyKey.get())
                        .filter(p -> Times.parse(p.createdAt()).plus(IDEMPOTENCY_WINDOW).isAfter(clock.instant()));
                if (previous.isPresent()) {
                    if (!previous.get().requestHash().equals(hash)) {
                        throw new ApiException.Invalid(List.of("header", "Idempotency-Key"),
                                "This Idempotency-Key was used with a different request body", "idempotency_mismatch");
                    }
                    // A replay answers about the keyed run as it stands now, even when newer turns followed it.
                    Json.Raw current = store.run(tx, previous.get().runId())
                            .map(run -> new Json.Raw(Json.write(snapshot(run)))).orElse(null);
                    return new Accepted(previous.get().taskId(), previous.get().runId(), 0, current, List.of(),
                            Optional.empty(), null);
                }
            }
            // Without an id the turn starts a thread of its own: a new id, with nothing stored under it to look up.
            boolean newThread = request.id() == null;
            String taskId = newThread ? ids.next() : request.id();
            Accepted a = accept(tx, org, taskId, newThread, sealed, request.strategy(), leaseHere);
            if (idempotencyKey.isPresent()) {
                store.saveIdempotency(tx, org, idempotencyKey.get(),
                        new TaskStore.Idempotency(hash, a.taskId(), a.runId(), transitions.now()));
            }
            return a;
        }));
        return accepted;
    }

    /**
     * Runs an accepting transaction with one of this node's run slots reserved: a turn that can start at once is
     * leased to this node in that transaction, keeps the slot, and is started by {@link #launch} right after,
     * without waiting for the dispatcher to claim it (one transaction and one thread hop fewer). Otherwise the slot
     * is given back and the turn waits in the queue as usual.
     */
    private Accepted withSlot(java.util.function.Function<Boolean, Accepted> acceptInTransaction) {
        boolean reserved = worker.reserveSlot();
        Accepted accepted;
        try {
            accepted = acceptInTransaction.apply(reserved);
        } catch (RuntimeException e) {
            if (reserved) worker.releaseSlot();
            throw e;
        }
        if (reserved && accepted.leased().isEmpty()) {
            worker.releaseSlot();
        }
        return accepted;
    }

    /** Runs the thread's latest turn again, with the given overrides, as a new turn. */
    public Outcome retry(String org, String taskId, RetryRequest overrides) {
        TaskStore.TaskRow task = store.findTask(org, taskId).orElseThrow(() -> new ApiException.NotFound("Task not found"));
        TaskStore.RunRow last = store.run(task.latestRunId()).orElseThrow();
        Turn base = last.spec();
        providers.validateOverride(Optional.ofNullable(overrides.llmModelProvider()), Optional.ofNullable(overrides.llmModelName()),
                base.llmModelProvider());
        String provider = or(overrides.llmModelProvider(), base.llmModelProvider());
        String model = overrides.llmModelName() != null ? overrides.llmModelName()
                : overrides.llmModelProvider() != null && !overrides.llmModelProvider().equals(base.llmModelProvider())
                ? providers.defaultModelFor(provider) : base.llmModelName();
        String thinkMode = or(overrides.thinkMode(), base.thinkMode());
        String effort = or(overrides.llmReasoningEffort(), base.llmReasoningEffort());
        if (overrides.thinkMode() != null && overrides.llmReasoningEffort() == null && "harder".equals(thinkMode)
                && !"harder".equals(base.thinkMode())) {
            effort = Efforts.raise(effort);
        }
        Turn turn = new Turn(base.agentId(), base.input(), base.title(), base.source(), base.sourceNodeType(), thinkMode,
                base.disableAttachmentInjection(), base.attachmentMode(), or(overrides.instructionsOverride(), base.instructionsOverride()),
                base.instructionsMode(), or(overrides.additionalContext(), base.additionalContext()),
                or(overrides.expectedOutput(), base.expectedOutput()), or(overrides.outputFormat(), base.outputFormat()),
                overrides.outputSchema() != null ? overrides.outputSchema() : base.outputSchema(), provider, model, effort,
                base.agentVersion(), base.payloadExtension(), base.eventsStreaming(), base.mcpServers(), base.webhookUrl(),
                base.hasUserOidcToken(), base.hasUserTokens(), base.credentials(), base.budgets(),
                base.historyBeforeTurn() != null ? base.historyBeforeTurn() : last.turn(), base.agent(), base.workflow(),
                Tracing.currentTraceparent().orElse(null));
        TaskStore.SealedTurn sealed = store.seal(turn);
        Accepted accepted = withSlot(leaseHere -> store.db().inTransaction(tx -> accept(tx, org, taskId, false, sealed, "reject", leaseHere)));
        return answer(org, accepted, false);
    }

    /**
     * Stores a new turn of a thread, applying the busy-thread strategy. Runs inside the caller's transaction.
     * {@code newThread}: the task id was just made for this turn, so no task or queued work of it can exist.
     */
    private Accepted accept(dev.switchboard.storage.Db.Tx tx, String org, String taskId, boolean newThread,
                            TaskStore.SealedTurn sealed, String strategy, boolean leaseHere) {
        Turn turn = sealed.turn();
        String now = transitions.now();
        Optional<TaskStore.TaskRow> existing = newThread ? Optional.empty() : store.findTask(tx, org, taskId);
        List<String> toCancel = new ArrayList<>();
        int turnNumber = 1;
        if (existing.isPresent()) {
            if (!existing.get().agentId().equals(turn.agentId())) {
                throw new ApiException.Conflict("Thread " + taskId + " belongs to another agent", Map.of());
            }
            List<TaskStore.OpenRun> open = store.openRuns(tx, org, taskId, now);
            if (!open.isEmpty()) {
                switch (strategy) {
                    case "reject" -> throw new ApiException.Conflict("The thread is still running a turn",
                            Map.of("active_task_status", open.getLast().run().state().status().wire()));
                    case "interrupt" -> {
                        for (TaskStore.OpenRun o : open) {
                            if (!o.leased() && o.run().state().status() == TaskStatus.PENDING) {
                                transitions.finished(tx, turn.agentId(), o.run(), o.run().state().finished(TaskStatus.STOPPED,
                                        "Interrupted by a newer turn of the thread", StopReason.INTERRUPTED, null,
                                        o.run().state().tokens(), false, now));
                            } else {
                                store.requestStop(tx, o.run().id(), StopReason.INTERRUPTED);
                                toCancel.add(o.run().id());
                            }
                        }
                    }
                    default -> { /* enqueue: the queue runs it after the open turns, in order */ }
                }
            }
            turnNumber = store.maxTurn(tx, org, taskId) + 1;
        }
        var run = new TaskStore.RunRow(ids.next(), org, taskId, turnNumber, null, turn, RunState.pending(now));
        String userId = turn.input().user() == null ? null : turn.input().user().id();
        if (existing.isPresent()) {
            store.setLatestRun(tx, run, userId);
        } else {
            store.insertTask(tx, org, taskId, turn.agentId(), run, userId);
        }
        RunTransitions.Created created = transitions.created(tx, turn.agentId(), run, sealed, leaseHere, newThread);
        return new Accepted(taskId, run.id(), created.seq(), created.pending(), toCancel, created.leased(), created.run());
    }

    /** Starts a turn leased at accept on its reserved slot, wakes the dispatcher for the rest, cancels interrupted turns. */
    private void launch(Accepted accepted) {
        if (accepted.leased().isPresent()) {
            acceptedRuns.hold(accepted.run());
            worker.startLeased(accepted.leased().get());
        } else {
            worker.signal();
        }
        accepted.toCancel().forEach(worker::cancel);
    }

    private Outcome answer(String org, Accepted accepted, boolean waitForEnd) {
        // A run started here tells its sync caller of its end in memory (see LocalEnds); registered before it starts.
        boolean endsHere = waitForEnd && accepted.leased().isPresent();
        if (endsHere) localEnds.expect(accepted.runId());
        try {
            launch(accepted);
            if (endsHere) {
                // Not longer than a few seconds: a run handed back (shutdown, lost lease) ends elsewhere, and the log
                // below sees that; a long run's end is found there as well.
                Duration within = LOCAL_END_WAIT.compareTo(syncWait) < 0 ? LOCAL_END_WAIT : syncWait;
                Optional<String> ended = localEnds.await(accepted.runId(), within);
                if (ended.isPresent()) return new Outcome(new Json.Raw(ended.get()), true);
            }
        } catch (InterruptedException e) {
            // As when the log's wait below is interrupted: answered with the turn as it stands.
            Thread.currentThread().interrupt();
        } finally {
            if (endsHere) localEnds.forget(accepted.runId());
        }
        if (!waitForEnd) {
            // Written once, by the answer (not turned into a tree first).
            Object task = accepted.snapshot() != null ? accepted.snapshot() : store.view(org, accepted.taskId()).orElseThrow();
            return new Outcome(task, false);
        }
        // A run started here that sent its caller to the log (a pause), or outlasted the wait in memory, may be paused
        // already: looked for at once rather than after the next event.
        return awaitEnd(org, accepted.taskId(), accepted.runId(), Math.max(0, accepted.createdSeq() - 1), endsHere);
    }

    /**
     * Follows the task's event log until this run's task_finished, or until the sync wait runs out. With
     * {@code pauseFirst} a pause is looked for at once, not only after a wake-up.
     */
    private Outcome awaitEnd(String org, String taskId, String runId, long afterSeq, boolean pauseFirst) {
        long deadline = System.nanoTime() + syncWait.toNanos();
        boolean woken = pauseFirst;
        try {
            while (true) {
                // Only this run's task_finished matters here: look it up rather than read (and parse) every event.
                // The log's position is read first, so an end stored in between wakes the wait below at once.
                long seq = events.lastSeq(org, taskId);
                Optional<String> finished = events.finishedDataOf(org, taskId, runId, afterSeq);
                if (finished.isPresent()) {
                    return new Outcome(new Json.Raw(finished.get()), true);
                }
                // Paused for a person: waiting longer would only hold the caller; answered as it stands (202). Looked at
                // only after a wake-up that was not the end (not on the hot path of a run that simply finishes).
                if (woken) {
                    Optional<TaskStore.RunRow> now = store.run(runId);
                    if (now.isPresent() && now.get().state().status() == TaskStatus.PAUSED) {
                        return new Outcome(snapshot(now.get()), false);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                // A deleted task takes its log along: nothing more will come, so do not wait out the sync wait.
                if (!events.awaitAfter(org, taskId, seq, Duration.ofNanos(left))) {
                    throw new ApiException.NotFound("The task was deleted while the invoke waited for it");
                }
                woken = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Out of patience: this turn as it stands (not a newer turn queued since); the run goes on.
        Task now = store.run(runId).map(InvokeService::snapshot).orElseThrow(() -> new ApiException.NotFound("Task not found"));
        return new Outcome(now, false);
    }

    private Turn turnOf(ResolvedAgent resolved, InvokeRequest r) {
        AgentConfig agent = resolved.config();
        checkWebhookUrl(r.webhookUrl());
        McpServers.readOrThrow(r.mcpServers(), "mcp_servers", allowLocalMcp);
        providers.validateOverride(Optional.ofNullable(r.llmModelProvider()), Optional.ofNullable(r.llmModelName()),
                agent.modelProvider());
        String provider = or(r.llmModelProvider(), agent.modelProvider());
        String model = r.llmModelName() != null ? r.llmModelName()
                : r.llmModelProvider() != null && !r.llmModelProvider().equals(agent.modelProvider())
                ? providers.defaultModelFor(provider) : agent.modelName();
        String thinkMode = or(r.thinkMode(), "default");
        String effort = or(r.llmReasoningEffort(), agent.llmReasoningEffort());
        if ("harder".equals(thinkMode) && r.llmReasoningEffort() == null) {
            effort = Efforts.raise(effort);
        }
        return new Turn(resolved.agentId(), r.input(), r.title(), or(r.source(), "api"), r.sourceNodeType(), thinkMode,
                Boolean.TRUE.equals(r.disableAttachmentInjection()), or(r.attachmentMode(), "auto"), r.instructionsOverride(), r.instructionsMode(),
                r.additionalContext(), r.expectedOutput(), or(r.outputFormat(), agent.outputFormat()),
                r.outputSchema() != null ? r.outputSchema() : agent.outputSchema(), provider, model, effort,
                resolved.version(), r.payloadExtension(), Boolean.TRUE.equals(r.eventsStreaming()), r.mcpServers(),
                r.webhookUrl(), r.userOidcToken() != null, r.userTokens() != null && !r.userTokens().isNull(),
                new McpCredentials(r.userOidcToken(), r.userTokens()).toJson(),
                new Turn.Budgets(r.maxSteps(), r.maxTokens(), r.maxCostUsd(), r.timeoutSeconds()), null, agent,
                resolved.workflow(), Tracing.currentTraceparent().orElse(null));
    }

    /** The task as one of its turns shows it. */
    private static Task snapshot(TaskStore.RunRow run) {
        return Task.of(run.taskId(), run.spec().agentId(), run.organizationId(), run.turn(), run.spec(), run.state());
    }

    private static void checkKey(String key) {
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw new ApiException.Invalid(List.of("header", "Idempotency-Key"),
                    "An Idempotency-Key is 1 to " + MAX_IDEMPOTENCY_KEY + " characters", "string_too_long");
        }
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
