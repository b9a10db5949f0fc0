package dev.switchboard.orgs;

import dev.switchboard.common.ApiException;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

/** Organizations and API keys. */
public final class OrgRoutes {

    record CreateOrganization(String name) {
        CreateOrganization {
            if (name == null || name.isBlank()) throw new ApiException.Invalid(java.util.List.of("name"), "Field required", "missing");
            if (name.length() > 200) throw new ApiException.Invalid(java.util.List.of("name"), "At most 200 characters", "string_too_long");
        }
    }

    record CreateKey(String name) {
        CreateKey {
            if (name != null && name.length() > 200) throw new ApiException.Invalid(java.util.List.of("name"), "At most 200 characters", "string_too_long");
        }
    }

    public static void register(Api api, OrgService orgs) {
        api.post("/v1/organizations", Access.ADMIN, "Create an organization with its first API key",
                call -> call.json(201, orgs.createOrganization(call.body(CreateOrganization.class).name())));
        // The name is optional, so is the body: a bare POST makes a key.
        api.post("/v1/api_keys", Access.KEY, "Create an API key in the caller's organization (shown once)",
                call -> call.json(201, orgs.createKey(call.principal(), call.optionalBody(CreateKey.class).name())));
        api.get("/v1/api_keys", Access.KEY, "List the caller's organization's API keys",
                call -> call.ok(orgs.listKeys(call.principal())));
        api.delete("/v1/api_keys/{id}", Access.KEY, "Delete an API key",
                call -> {
                    orgs.deleteKey(call.principal(), call.path("id"));
                    call.noContent();
                });
    }
}
