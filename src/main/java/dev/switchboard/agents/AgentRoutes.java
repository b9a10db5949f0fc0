package dev.switchboard.agents;

import dev.switchboard.common.ApiException;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

import java.util.Map;

/** Agents and their versions. Invoking lives with tasks. */
public final class AgentRoutes {
    private AgentRoutes() {}

    public static void register(Api api, AgentService agents) {
        api.post("/v1/agents", Access.KEY, "Create an agent (deployed as version 1)",
                call -> call.json(201, agents.create(call.organizationId(), call.body(AgentConfig.class))));
        api.get("/v1/agents", Access.KEY, "List agents",
                call -> call.ok(agents.list(call.organizationId(), call.pageRequest())));
        api.get("/v1/agents/{id}", Access.KEY, "Get an agent (its draft and version state)",
                call -> call.ok(agents.get(call.organizationId(), call.path("id"))));
        api.patch("/v1/agents/{id}", Access.KEY, "Change the agent's draft; ?deploy=true publishes it",
                call -> call.ok(agents.update(call.organizationId(), call.path("id"), call.bodyObject(),
                        call.queryBool("deploy").orElse(false))));
        api.put("/v1/agents/{id}", Access.KEY, "Deploy the draft as the next version",
                call -> call.ok(agents.update(call.organizationId(), call.path("id"), call.optionalBodyObject(), true)));
        api.delete("/v1/agents/{id}", Access.KEY, "Delete an agent",
                call -> {
                    String id = call.path("id");
                    agents.delete(call.organizationId(), id);
                    call.json(202, Map.of("id", id, "deleted", true));
                });
        api.get("/v1/agents/{id}/versions", Access.KEY, "List an agent's deployed versions",
                call -> call.ok(agents.versions(call.organizationId(), call.path("id"))));
        api.get("/v1/agents/{id}/versions/{n}", Access.KEY, "Get one deployed version",
                call -> {
                    int n;
                    try {
                        n = Integer.parseInt(call.path("n"));
                    } catch (NumberFormatException e) {
                        throw new ApiException.Invalid(java.util.List.of("path", "n"), "Input should be a valid integer", "int_parsing");
                    }
                    call.ok(agents.version(call.organizationId(), call.path("id"), n));
                });
    }
}
