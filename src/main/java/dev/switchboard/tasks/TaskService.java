package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentService;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Json;
import dev.switchboard.common.Page;
import dev.switchboard.common.Times;
import dev.switchboard.events.EventLog;
import dev.switchboard.runs.StepStore;
import dev.switchboard.runs.Worker;
import dev.switchboard.workflows.WorkflowEngine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading tasks and their threads, stopping and deleting them. */
public final class TaskService {
    // How long a stop waits for the run to halt before answering with the task as it stands.
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    public record ListQuery(Optional<String> agentId, Optional<String> status, Optional<String> userId,
                            Optional<String> fromDate, Optional<String> toDate) {}

    private final TaskStore store;
    private final RunTransitions transitions;
    private final EventLog events;
    private final Worker worker;
    private final AgentService agents;
    private final StepStore steps;

    TaskService(TaskStore store, RunTransitions transitions, EventLog events, Worker worker, AgentService agents,
                StepStore steps) {
        this.steps = steps;
        this.store = store;
        this.transitions = transitions;
        this.events = events;
        this.worker = worker;
        this.agents = agents;
    }

    public Task get(String org, String taskId) {
        return store.view(org, taskId).orElseThrow(TaskService::notFound);
    }

    public Page<Task> list(String org, ListQuery q, Page.Request page) {
        var filters = new TaskStore.Filters(q.agentId(), q.status().map(TaskService::status), q.userId(),
                q.fromDate().map(d -> date("from_date", d, false)), q.toDate().map(d -> date("to_date", d, true)));
        return Page.of(store.list(org, filters, page.perPage(), page.offset()), store.count(org, filters), page);
    }

    /** An agent's tasks. Unlike an agent_id filter that matches nothing, an agent that does not exist here is 404. */
    public Page<Task> listOfAgent(String org, String agentId, ListQuery q, Page.Request page) {
        if (!agents.exists(org, agentId)) {
            throw new ApiException.NotFound("Agent not found");
        }
        return list(org, q, page);
    }

    /**
     * Stops every open turn of the thread. A turn not yet started never starts; a running one is cancelled and the
     * answer waits (briefly) until it has halted. Stopping a finished task changes nothing.
     */
    public Task stop(String org, String taskId) {
        store.findTask(org, taskId).orElseThrow(TaskService::notFound);
        List<String> running = store.db().inTransaction(tx -> {
            List<String> toCancel = new ArrayList<>();
            String now = transitions.now();
            for (TaskStore.OpenRun open : store.openRuns(tx, org, taskId, now)) {
                RunState state = open.run().state();
                // Not started, or paused (waiting, with no thread): ended here; a running one is cancelled where it runs.
                if (!open.leased() && (state.status() == TaskStatus.PENDING || state.status() == TaskStatus.PAUSED)) {
                    transitions.finished(tx, open.run().spec().agentId(), open.run(),
                            state.finished(TaskStatus.STOPPED, null, StopReason.STOPPED, null, state.tokens(), true, now));
                } else {
                    store.requestStop(tx, open.run().id(), StopReason.STOPPED);
                    toCancel.add(open.run().id());
                }
            }
            return toCancel;
        });
        running.forEach(worker::cancel);
        awaitHalted(org, taskId, running);
        return get(org, taskId);
    }

    /** A decision on a paused workflow: {@code approve} / {@code reject} for a hitl wait, {@code resume} for a webhook wait. */
    public record Decision(String comment, com.fasterxml.jackson.databind.JsonNode data) {}

    /**
     * Records a person's decision (or a webhook's payload) on the task's paused turn and resumes it; 409 unless the
     * task is paused at a wait node of the matching kind. Who decided (the API key, and the user given) is kept on the
     * task's {@code hitl_request}.
     */
    public Task decide(String org, String taskId, String decision, Decision body, String keyId, String user) {
        TaskStore.TaskRow task = store.findTask(org, taskId).orElseThrow(TaskService::notFound);
        TaskStore.RunRow run = store.run(task.latestRunId()).orElseThrow(TaskService::notFound);
        JsonNode request = run.state().hitlRequest();
        if (run.state().status() != TaskStatus.PAUSED || request == null || !request.isObject()) {
            throw new ApiException.Conflict("The task is not paused", Map.of("status", run.state().status().wire()));
        }
        String kind = request.path("type").asText();
        boolean fits = decision.equals("resume") ? kind.equals("webhook") : kind.equals("hitl");
        if (!fits) {
            throw new ApiException.Conflict(kind.equals("webhook")
                    ? "The task waits for a webhook payload: POST /v1/tasks/{id}/resume"
                    : "The task waits for an approval: POST /v1/tasks/{id}/hitl/approve or /reject", Map.of());
        }
        String now = transitions.now();
        String by = user != null && !user.isBlank() ? user : "api_key:" + keyId;
        ObjectNode decided = ((ObjectNode) request).deepCopy();
        decided.put("decision", decision.equals("resume") ? "approve" : decision);
        decided.put(decision.equals("reject") ? "rejected_by" : "approved_by", by);
        decided.put("decided_by_api_key", keyId);
        decided.put("comment", body.comment());
        decided.put("decided_at", now);
        transitions.decided(run, run.state().withHitl(decided, now), new WorkflowEngine.Decision(
                request.path("wait_node_id").asText(), decision.equals("resume") ? "approve" : decision, body.comment(),
                body.data(), by));
        worker.signal();
        return get(org, taskId);
    }

    public void delete(String org, String taskId) {
        stop(org, taskId);
        store.db().inTransaction(tx -> {
            steps.deleteForRuns(tx, store.deleteTask(tx, org, taskId));
            events.wakeAfterCommit(tx, org, taskId);
            return null;
        });
    }

    /** The conversation as messages: each turn's user text and, when it completed, the answer. */
    public List<Map<String, Object>> thread(String org, String taskId) {
        store.findTask(org, taskId).orElseThrow(TaskService::notFound);
        List<Map<String, Object>> messages = new ArrayList<>();
        for (TaskStore.RunRow run : store.runs(org, taskId)) {
            messages.add(message(taskId + "_user_" + run.turn(), "user", PromptBuilder.userMessage(run.spec().input()),
                    run.state().createdAt(), null));
            if (run.state().status() == TaskStatus.COMPLETED && run.state().result() != null) {
                RunState.Tokens t = run.state().tokens();
                messages.add(message(taskId + "_assistant_" + run.turn(), "assistant", run.state().result(),
                        run.state().finishedAt(), Map.of("input_tokens", t.promptTokens(),
                                "output_tokens", t.completionTokens(), "total_tokens", t.totalTokens())));
            }
        }
        return messages;
    }

    /** The thread with every turn's instructions and outcome, keyed "root" as xpander does (sub-tasks come later). */
    public Map<String, Object> threadFull(String org, String taskId) {
        store.findTask(org, taskId).orElseThrow(TaskService::notFound);
        List<Map<String, Object>> root = new ArrayList<>();
        for (TaskStore.RunRow run : store.runs(org, taskId)) {
            String system = PromptBuilder.systemPrompt(run.spec());
            if (!system.isBlank()) {
                Map<String, Object> m = message(taskId + "_system_" + run.turn(), "system", system, run.state().createdAt(), null);
                m.put("run_id", run.id());
                root.add(m);
            }
            Map<String, Object> user = message(taskId + "_user_" + run.turn(), "user",
                    PromptBuilder.userMessage(run.spec().input()), run.state().createdAt(), null);
            user.put("run_id", run.id());
            root.add(user);
            if (run.state().result() != null) {
                RunState.Tokens t = run.state().tokens();
                Map<String, Object> answer = message(taskId + "_assistant_" + run.turn(), "assistant",
                        run.state().result(), run.state().finishedAt(), Map.of("input_tokens", t.promptTokens(),
                                "output_tokens", t.completionTokens(), "total_tokens", t.totalTokens()));
                answer.put("run_id", run.id());
                answer.put("status", run.state().status());
                root.add(answer);
            }
        }
        return Map.of("root", root);
    }

    /** Every turn of the thread, oldest first, each as the task looked at that turn plus its run id. */
    public List<JsonNode> runs(String org, String taskId) {
        TaskStore.TaskRow task = store.findTask(org, taskId).orElseThrow(TaskService::notFound);
        return store.runs(org, taskId).stream().map(run -> {
            ObjectNode node = Json.MAPPER.valueToTree(Task.of(taskId, task.agentId(), org, run.turn(), run.spec(), run.state()));
            node.put("run_id", run.id());
            return (JsonNode) node;
        }).toList();
    }

    private void awaitHalted(String org, String taskId, List<String> runIds) {
        if (runIds.isEmpty()) return;
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                long seq = events.lastSeq(org, taskId);
                boolean allDone = runIds.stream().allMatch(id ->
                        store.run(id).map(r -> r.state().status().isTerminal()).orElse(true));
                if (allDone) return;
                events.awaitAfter(org, taskId, seq, Duration.ofNanos(deadline - System.nanoTime()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> message(String id, String role, String content, String time, Map<String, Object> metrics) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("role", role);
        m.put("content", content);
        m.put("created_at", time == null ? null : Times.parse(time).getEpochSecond());
        if (metrics != null) m.put("metrics", metrics);
        return m;
    }

    private static TaskStatus status(String s) {
        try {
            return TaskStatus.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidQuery("status", "status must be one of pending, executing, paused, completed, failed, error, stopped");
        }
    }

    /**
     * A date filter: an ISO-8601 instant or a plain date, normalised to our stored format. A plain date covers its
     * whole day (UTC) on either side: {@code to_date=2026-04-10} includes the tasks of April 10th.
     */
    private static String date(String name, String value, boolean endOfDay) {
        try {
            if (value.length() == 10) {
                java.time.LocalDate day = java.time.LocalDate.parse(value);
                java.time.Instant start = (endOfDay ? day.plusDays(1) : day).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                return Times.format(endOfDay ? start.minus(1, java.time.temporal.ChronoUnit.MICROS) : start);
            }
            return Times.format(java.time.OffsetDateTime.parse(value).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return Times.format(java.time.Instant.parse(value));
            } catch (java.time.format.DateTimeParseException e2) {
                throw ApiException.invalidQuery(name, name + " must be an ISO-8601 date or date-time");
            }
        }
    }

    private static ApiException.NotFound notFound() {
        return new ApiException.NotFound("Task not found");
    }
}
