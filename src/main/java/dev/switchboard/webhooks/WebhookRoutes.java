package dev.switchboard.webhooks;

import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

/** The organization's webhook endpoints and the record of their deliveries (CONTRACT §7). */
public final class WebhookRoutes {
    private WebhookRoutes() {}

    public static void register(Api api, WebhookService webhooks) {
        // The deliveries paths first: "deliveries" is not an endpoint id.
        api.get("/v1/webhooks/deliveries", Access.KEY, "List webhook deliveries with their attempts",
                call -> call.ok(webhooks.deliveries(call.organizationId(), new WebhookStore.DeliveryFilter(
                        call.query("endpoint_id").orElse(null), call.query("task_id").orElse(null),
                        call.query("status").orElse(null)), call.pageRequest())));
        api.post("/v1/webhooks/deliveries/{id}/redeliver", Access.KEY, "Send a delivery again",
                call -> call.json(202, webhooks.redeliver(call.organizationId(), call.path("id"))));
        api.post("/v1/webhooks", Access.KEY, "Create a webhook endpoint (its secret is shown once)",
                call -> call.json(201, webhooks.create(call.organizationId(), call.body(WebhookService.EndpointRequest.class))));
        api.get("/v1/webhooks", Access.KEY, "List webhook endpoints",
                call -> call.ok(webhooks.list(call.organizationId(), call.pageRequest())));
        api.get("/v1/webhooks/{id}", Access.KEY, "Get a webhook endpoint",
                call -> call.ok(webhooks.get(call.organizationId(), call.path("id"))));
        api.patch("/v1/webhooks/{id}", Access.KEY, "Change a webhook endpoint (url, events, enabled, description)",
                call -> call.ok(webhooks.update(call.organizationId(), call.path("id"), call.bodyObject())));
        api.delete("/v1/webhooks/{id}", Access.KEY, "Delete a webhook endpoint",
                call -> {
                    webhooks.delete(call.organizationId(), call.path("id"));
                    call.noContent();
                });
        api.post("/v1/webhooks/{id}/rotate-secret", Access.KEY,
                "New secret (shown once); the previous one keeps signing for 24 h",
                call -> call.ok(webhooks.rotateSecret(call.organizationId(), call.path("id"))));
    }
}
