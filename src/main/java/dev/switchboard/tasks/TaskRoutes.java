package dev.switchboard.tasks;

import dev.switchboard.agents.Kind;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;
import dev.switchboard.http.Call;

/** Invoking agents, and the task endpoints. */
public final class TaskRoutes {
    private TaskRoutes() {}

    public static void register(Api api, InvokeService invokes, TaskService tasks) {
        api.post("/v1/agents/{id}/invoke", Access.KEY, "Invoke an agent and wait for the turn to end",
                call -> invoke(call, invokes, Kind.AGENT, true));
        api.post("/v1/agents/{id}/invoke/async", Access.KEY, "Invoke an agent; answers at once with the pending task",
                call -> invoke(call, invokes, Kind.AGENT, false));
        api.post("/v1/workflows/{id}/invoke", Access.KEY, "Invoke a workflow and wait for the run to end",
                call -> invoke(call, invokes, Kind.WORKFLOW, true));
        api.post("/v1/workflows/{id}/invoke/async", Access.KEY, "Invoke a workflow; answers at once with the pending task",
                call -> invoke(call, invokes, Kind.WORKFLOW, false));
        api.get("/v1/agents/{id}/tasks", Access.KEY, "List an agent's tasks",
                call -> call.ok(tasks.listOfAgent(call.organizationId(), call.path("id"),
                        query(call, java.util.Optional.of(call.path("id"))), call.pageRequest())));
        api.get("/v1/tasks", Access.KEY, "List tasks",
                call -> call.ok(tasks.list(call.organizationId(), query(call, call.query("agent_id")), call.pageRequest())));
        api.get("/v1/tasks/{id}", Access.KEY, "Get a task (its latest turn)",
                call -> call.ok(tasks.get(call.organizationId(), call.path("id"))));
        api.delete("/v1/tasks/{id}", Access.KEY, "Stop and delete a task with its whole thread",
                call -> {
                    tasks.delete(call.organizationId(), call.path("id"));
                    call.noContent();
                });
        api.post("/v1/tasks/{id}/stop", Access.KEY, "Stop a task (idempotent)",
                call -> call.ok(tasks.stop(call.organizationId(), call.path("id"))));
        api.get("/v1/tasks/{id}/thread", Access.KEY, "The thread's messages",
                call -> call.ok(tasks.thread(call.organizationId(), call.path("id"))));
        api.get("/v1/tasks/{id}/thread/full", Access.KEY, "The thread with instructions and outcomes of every turn",
                call -> call.ok(tasks.threadFull(call.organizationId(), call.path("id"))));
        api.get("/v1/tasks/{id}/runs", Access.KEY, "Every turn of the thread",
                call -> call.ok(tasks.runs(call.organizationId(), call.path("id"))));
        api.post("/v1/tasks/{id}/hitl/approve", Access.KEY, "Approve a task paused at a workflow's wait node; it resumes",
                call -> call.ok(decide(call, tasks, "approve")));
        api.post("/v1/tasks/{id}/hitl/reject", Access.KEY, "Reject a task paused at a wait node; it follows the reject route or fails",
                call -> call.ok(decide(call, tasks, "reject")));
        api.post("/v1/tasks/{id}/resume", Access.KEY, "Resume a task waiting at a webhook wait node; data becomes the node's output",
                call -> call.ok(decide(call, tasks, "resume")));
        api.post("/v1/tasks/{id}/retry", Access.KEY, "Run the latest turn again, optionally with new overrides",
                call -> call.ok(invokes.retry(call.organizationId(), call.path("id"),
                        call.optionalBody(InvokeService.RetryRequest.class)).task()));
    }

    private static void invoke(Call call, InvokeService invokes, Kind kind, boolean wait) {
        InvokeRequest body = call.body(InvokeRequest.class);
        InvokeService.Outcome outcome = invokes.invoke(kind, call.organizationId(), call.path("id"), call.query("version"),
                body, call.header("Idempotency-Key"), wait);
        call.json(wait && !outcome.finished() ? 202 : 200, outcome.task());
    }

    private static Task decide(Call call, TaskService tasks, String decision) {
        TaskService.Decision body = call.optionalBody(TaskService.Decision.class);
        String user = call.header("X-User-Id").orElse(null);
        return tasks.decide(call.organizationId(), call.path("id"), decision, body, call.principal().keyId(), user);
    }

    private static TaskService.ListQuery query(Call call, java.util.Optional<String> agentId) {
        return new TaskService.ListQuery(agentId, call.query("status"), call.query("user_id"), call.query("from_date"),
                call.query("to_date"));
    }
}
