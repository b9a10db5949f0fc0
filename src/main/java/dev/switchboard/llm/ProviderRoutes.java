package dev.switchboard.llm;

import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

/** The configured LLM providers and their model catalogs, under both paths xpander documents. */
public final class ProviderRoutes {
    private ProviderRoutes() {}

    public static void register(Api api, ProviderRegistry providers) {
        for (String base : new String[] {"/v1/llm_providers", "/v1/misc/llm_providers"}) {
            api.get(base, Access.KEY, "List the configured LLM providers", call -> call.ok(providers.providers()));
            api.get(base + "/{provider}/models", Access.KEY, "List a provider's models",
                    call -> call.ok(providers.models(call.path("provider"))));
        }
    }
}
