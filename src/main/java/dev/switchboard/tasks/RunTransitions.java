package dev.switchboard.tasks;

import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.events.EventLog;
import dev.switchboard.events.TaskEvent;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.StepStore;
import dev.switchboard.storage.Db;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Every status change of a run, each stored with its event in one transaction: a status is never announced before
 * it is durable, and never stored without being announced.
 */
final class RunTransitions {
    private final TaskStore store;
    private final EventLog events;
    private final RunQueue queue;
    private final StepStore steps;
    private final TaskEnds ends;
    private final LocalEnds localEnds;
    private final Clock clock;
    private final Metrics metrics;

    RunTransitions(TaskStore store, EventLog events, RunQueue queue, StepStore steps, TaskEnds ends, LocalEnds localEnds,
                   Clock clock, Metrics metrics) {
        this.localEnds = localEnds;
        this.metrics = metrics;
        this.store = store;
        this.events = events;
        this.queue = queue;
        this.steps = steps;
        this.ends = ends;
        this.clock = clock;
    }

    String now() { return Times.now(clock); }

    /**
     * A stored new turn: its task_created sequence number, its queue item when this node leased it at once, the run
     * as stored by the end of the transaction, and the task as task_created told it (pending), written once for the
     * log and for an async invoke's answer.
     */
    record Created(long seq, Optional<QueueItem> leased, TaskStore.RunRow run, Json.Raw pending) {}

    /**
     * A new turn: the run, its queue entry and its task_created event. The caller's transaction stores the task.
     * With {@code leaseHere} (a run slot of this node is reserved for it) a turn that can start now is leased to
     * this node in the same transaction, to be started without a claim; {@code newThread}: its task was created in
     * this transaction.
     */
    Created created(Db.Tx tx, String agentId, TaskStore.RunRow run, TaskStore.SealedTurn spec, boolean leaseHere,
                    boolean newThread) {
        String threadKey = run.organizationId() + "/" + run.taskId();
        Optional<QueueItem> leased = Optional.empty();
        if (leaseHere) {
            leased = queue.enqueueLeased(tx, run.id(), AgentRunHandler.KIND, threadKey, newThread);
        } else {
            queue.enqueue(tx, run.id(), AgentRunHandler.KIND, threadKey);
        }
        Json.Raw pending = new Json.Raw(Json.write(snapshot(agentId, run, run.state())));
        if (leased.isEmpty()) {
            store.insertRun(tx, run, spec);
            long seq = events.append(tx, run.organizationId(), run.taskId(), run.id(), TaskEvent.TASK_CREATED, now(), pending);
            return new Created(seq, leased, run, pending);
        }
        // It starts on this node right after the commit: it is executing from this transaction on (one transaction
        // fewer than a separate start), and its row is stored so at once. The events still tell both steps.
        RunState executing = run.state().executing(now(), leased.get().attempts());
        TaskStore.RunRow started = run.withState(executing);
        metrics.queueWait(java.time.Duration.ZERO);
        store.insertRun(tx, started, spec);
        store.saveTaskStatus(tx, started, executing);
        String now = now();
        long seq = events.append(tx, run.organizationId(), run.taskId(), List.of(
                new EventLog.Entry(run.id(), TaskEvent.TASK_CREATED, now, pending),
                new EventLog.Entry(run.id(), TaskEvent.TASK_UPDATED, now, snapshot(agentId, started, executing))));
        return new Created(seq, leased, started, pending);
    }

    /**
     * The run starts executing on this attempt. A turn leased as it was accepted was marked executing for this
     * attempt in that transaction already (see {@link #created}): then nothing is written again.
     */
    RunState started(String agentId, TaskStore.RunRow run, int attempts) {
        if (run.state().status() == TaskStatus.PENDING) {
            // Waited in the queue from its acceptance until now (not a resume: those are not pending).
            metrics.queueWait(java.time.Duration.between(java.time.Instant.parse(run.state().createdAt()), clock.instant()));
        }
        if (run.state().status() == TaskStatus.EXECUTING && run.state().executionAttempts() == attempts) {
            return run.state();
        }
        RunState next = run.state().executing(now(), attempts);
        store.db().inTransaction(tx -> {
            store.saveState(tx, run, next);
            announce(tx, agentId, run, next, TaskEvent.TASK_UPDATED);
            return null;
        });
        return next;
    }

    /** The run ends: its final state, its queue entry removed and task_finished, together. */
    void finished(String agentId, TaskStore.RunRow run, RunState end) {
        finished(agentId, run, end, Optional.empty());
    }

    /**
     * As above, with the model call that gave the answer and the answer's last piece: the journal step, the last
     * chunk, the final state and task_finished commit together (one transaction instead of three at a run's end).
     */
    void finished(String agentId, TaskStore.RunRow run, RunState end, Optional<AgentLoop.FinalStep> last) {
        // Every document is written before the transaction: transactions run one after another in a single writer
        // (GroupCommit), so JSON written inside one is time no other run's transaction can overlap.
        Ending ending = ending(agentId, run, end);
        Optional<Json.Raw> reply = last.map(step -> new Json.Raw(Json.write(step.reply())));
        Optional<EventLog.Entry> lastChunk = last.filter(step -> !step.lastChunk().isEmpty())
                .map(step -> new EventLog.Entry(run.id(), "chunk", now(), step.lastChunk()));
        store.db().inTransaction(tx -> {
            last.ifPresent(step -> steps.record(tx, run.id(), step.index(), AgentLoop.MODEL_CALL, reply.orElseThrow()));
            finished(tx, ending, lastChunk);
            return null;
        });
    }

    /**
     * The run pauses at a wait node: its state and task_updated, the task.paused webhook, and its queue entry put back
     * without a lease until the wait node's timeout (or, without one, until a decision reschedules it): a paused run
     * holds no thread and survives restarts.
     */
    void paused(String agentId, TaskStore.RunRow run, RunState paused, Optional<java.time.Instant> resumeAt) {
        store.db().inTransaction(tx -> {
            store.saveState(tx, run, paused);
            announce(tx, agentId, run, paused, TaskEvent.TASK_UPDATED);
            queue.reschedule(tx, run.id(), resumeAt.map(Times::format).orElse(NEVER));
            ends.ended(tx, run.id(), snapshot(agentId, run, paused), run.spec());
            tx.afterCommit(() -> localEnds.seeLog(run.id()));
            return null;
        });
    }

    /** A decision on a paused run: recorded on its hitl_request, journaled, and the run made claimable now. */
    void decided(TaskStore.RunRow run, RunState withDecision, Object decision) {
        store.db().inTransaction(tx -> {
            // Checked and written together: a stop, or another decision, that came first wins (409 here).
            if (!store.saveDecision(tx, run, withDecision)) {
                throw new dev.switchboard.common.ApiException.Conflict("The task is no longer paused, or was decided already",
                        java.util.Map.of());
            }
            steps.record(tx, run.id(), steps.nextIndex(tx, run.id()), dev.switchboard.workflows.WorkflowEngine.DECISION, decision);
            queue.reschedule(tx, run.id(), now());
            return null;
        });
    }

    // "Not before a decision": far enough that no claim ever finds it due.
    private static final String NEVER = "9999-12-31T00:00:00.000000Z";

    void finished(Db.Tx tx, String agentId, TaskStore.RunRow run, RunState end) {
        finished(tx, ending(agentId, run, end), Optional.empty());
    }

    /** A run's end with its documents written: its final state, and the task as task_finished shows it. */
    private record Ending(TaskStore.RunRow run, RunState end, Json.Raw stateJson, Task snapshot, Json.Raw snapshotJson) {}

    private static Ending ending(String agentId, TaskStore.RunRow run, RunState end) {
        Task snapshot = snapshot(agentId, run, end);
        return new Ending(run, end, new Json.Raw(Json.writeStored(end)), snapshot, new Json.Raw(Json.write(snapshot)));
    }

    /** The end, announced by task_finished, after the answer's last chunk when there is one still to log. */
    private void finished(Db.Tx tx, Ending e, Optional<EventLog.Entry> lastChunk) {
        TaskStore.RunRow run = e.run();
        store.saveState(tx, run, e.end(), e.stateJson());
        queue.complete(tx, run.id());
        EventLog.Entry taskFinished = new EventLog.Entry(run.id(), TaskEvent.TASK_FINISHED, now(), e.snapshotJson());
        events.append(tx, run.organizationId(), run.taskId(),
                lastChunk.map(chunk -> List.of(chunk, taskFinished)).orElse(List.of(taskFinished)));
        ends.ended(tx, run.id(), e.snapshot(), run.spec());
        tx.afterCommit(() -> localEnds.ended(run.id(), e.snapshotJson().json()));
        tx.afterCommit(() -> metrics.runEnded(run.spec().workflow() ? "workflow" : "agent", e.end().status().wire(),
                e.end().stopReason() == null ? null : e.end().stopReason().wire()));
    }

    /** A workflow's agent node starts its agent ({@code sub_agent_trigger}: {@code {agent_id, node_id, query}}). */
    void subAgentTriggered(TaskStore.RunRow run, String nodeId, String agentId, String query) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("agent_id", agentId);
        data.put("node_id", nodeId);
        data.put("query", query);
        append(run, "sub_agent_trigger", data);
    }

    /** A workflow's node_started / node_finished events ({@code {node_id, name, type, output}}). */
    dev.switchboard.workflows.WorkflowEngine.Listener nodeEventsOf(TaskStore.RunRow run) {
        return new dev.switchboard.workflows.WorkflowEngine.Listener() {
            @Override
            public void started(String nodeId, String name, String type) {
                append(run, "node_started", node(nodeId, name, type));
            }

            @Override
            public void finished(String nodeId, String name, String type, String output) {
                java.util.Map<String, Object> data = node(nodeId, name, type);
                data.put("output", output);
                append(run, "node_finished", data);
            }
        };
    }

    private static java.util.Map<String, Object> node(String nodeId, String name, String type) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("node_id", nodeId);
        data.put("name", name);
        data.put("type", type);
        return data;
    }

    /** The run's live events, each stored in its own small transaction as it happens. */
    RunEvents eventsOf(TaskStore.RunRow run) {
        boolean fine = run.spec().eventsStreaming();
        String followKey = EventLog.taskKey(run.organizationId(), run.taskId());
        return new RunEvents() {
            @Override public void chunk(String text) { append(run, "chunk", text); }

            @Override public boolean followed() { return events.isFollowed(followKey); }

            @Override public void think(String text) { if (fine) append(run, "think", java.util.Map.of("thought", text)); }

            @Override
            public void toolCallRequest(dev.switchboard.llm.ToolCall call) {
                if (fine) append(run, "tool_call_request", toolPayload(call.id(), call.name(), call.arguments()));
            }

            @Override
            public void toolCallResult(AgentLoop.ToolOutcome outcome) {
                if (!fine) return;
                var payload = toolPayload(outcome.callId(), outcome.name(), null);
                payload.put("result", outcome.result());
                payload.put("is_error", outcome.isError());
                append(run, "tool_call_result", payload);
            }

            @Override
            public void authEvent(java.util.Map<String, Object> data) { append(run, "auth_event", data); }
        };
    }

    /**
     * The events of an agent node of a workflow that streams nothing of its agents: none but its auth events, which
     * the user must hear about to sign in.
     */
    RunEvents authEventsOf(TaskStore.RunRow run) {
        return new RunEvents() {
            @Override public void chunk(String text) {}

            @Override public boolean followed() { return false; }

            @Override public void think(String text) {}

            @Override public void toolCallRequest(dev.switchboard.llm.ToolCall call) {}

            @Override public void toolCallResult(AgentLoop.ToolOutcome outcome) {}

            @Override public void authEvent(java.util.Map<String, Object> data) { append(run, "auth_event", data); }
        };
    }

    /** xpander's ToolCallRequest: {request_id, operation_id, tool_call_id, tool_name, payload}. */
    private static java.util.Map<String, Object> toolPayload(String callId, String name, String arguments) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("request_id", callId);
        m.put("operation_id", name);
        m.put("tool_call_id", callId);
        m.put("tool_name", name);
        if (arguments != null) {
            Object payload;
            try {
                payload = dev.switchboard.common.Json.MAPPER.readTree(arguments);
            } catch (Exception e) {
                payload = arguments;
            }
            m.put("payload", payload);
        }
        return m;
    }

    private void append(TaskStore.RunRow run, String type, Object data) {
        store.db().inTransaction(tx -> events.append(tx, run.organizationId(), run.taskId(), run.id(), type, now(), data));
    }

    private long announce(Db.Tx tx, String agentId, TaskStore.RunRow run, RunState state, String type) {
        return events.append(tx, run.organizationId(), run.taskId(), run.id(), type, now(), snapshot(agentId, run, state));
    }

    private static Task snapshot(String agentId, TaskStore.RunRow run, RunState state) {
        return Task.of(run.taskId(), agentId, run.organizationId(), run.turn(), run.spec(), state);
    }
}
