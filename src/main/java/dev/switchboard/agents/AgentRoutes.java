package dev.switchboard.agents;

import dev.switchboard.common.ApiException;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

import java.util.Map;

/** Agents and their versions. Invoking lives with tasks. */
public final class AgentRoutes {
    private AgentRoutes() {}

    public static void register(Api api, AgentService agents) {
        register(api, agents, "/v1/agents");
    }

    /** The routes of one kind (agents, or workflows) under its base path: the same drafts, versions and rules. */
    public static void register(Api api, AgentService agents, String base) {
        String lower = agents.kind().noun().toLowerCase();
        String one = (lower.startsWith("a") ? "an " : "a ") + lower;
        api.post(base, Access.KEY, "Create " + one + " (deployed as version 1)",
                call -> call.json(201, agents.create(call.organizationId(), call.body(AgentConfig.class))));
        api.get(base, Access.KEY, "List " + lower + "s",
                call -> call.ok(agents.list(call.organizationId(), call.pageRequest())));
        api.get(base + "/{id}", Access.KEY, "Get " + one + " (its draft and version state)",
                call -> call.ok(agents.get(call.organizationId(), call.path("id"))));
        api.patch(base + "/{id}", Access.KEY, "Change the " + lower + "'s draft; ?deploy=true publishes it",
                call -> call.ok(agents.update(call.organizationId(), call.path("id"), call.bodyObject(),
                        call.queryBool("deploy").orElse(false))));
        api.put(base + "/{id}", Access.KEY, "Deploy the draft as the next version",
                call -> call.ok(agents.update(call.organizationId(), call.path("id"), call.optionalBodyObject(), true)));
        api.delete(base + "/{id}", Access.KEY, "Delete " + one,
                call -> {
                    String id = call.path("id");
                    agents.delete(call.organizationId(), id);
                    call.json(202, Map.of("id", id, "deleted", true));
                });
        api.get(base + "/{id}/export", Access.KEY, "The " + lower + " as a YAML file of agents as code (secrets masked)",
                call -> call.bytes(200, "application/yaml; charset=utf-8", AgentFiles.export(
                        agents.exported(call.organizationId(), call.path("id"))).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "inline; filename=\"" + lower + ".yaml\""));
        api.get(base + "/{id}/versions", Access.KEY, "List " + one + "'s deployed versions",
                call -> call.ok(agents.versions(call.organizationId(), call.path("id"))));
        api.get(base + "/{id}/versions/{n}", Access.KEY, "Get one deployed version",
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
