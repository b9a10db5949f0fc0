package dev.switchboard.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.Worker;
import dev.switchboard.storage.Db;
import dev.switchboard.tasks.Task;
import dev.switchboard.tasks.TaskEnds;
import dev.switchboard.tasks.Turn;
import dev.switchboard.tracing.Tracing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a task's end into deliveries, in the transaction that stores the end: one per matching endpoint of the
 * organization, per notification_settings URL of the agent, and for the invoke's webhook_url. Each is queued work.
 */
final class Notifier implements TaskEnds {
    private final WebhookStore store;
    private final RunQueue queue;
    private final Worker worker;
    private final Ids ids;
    private final Clock clock;

    Notifier(WebhookStore store, RunQueue queue, Worker worker, Ids ids, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.worker = worker;
        this.ids = ids;
        this.clock = clock;
    }

    /** Where one event goes, with what it is signed (endpoint deliveries are signed with the endpoint's secrets). */
    private record Target(Delivery.Source source, String endpointId, String url, Map<String, String> headers,
                          String signingSecret) {}

    @Override
    public void ended(Db.Tx tx, String runId, Task task, Turn turn) {
        Optional<EventType> type = EventType.of(task.status());
        if (type.isEmpty()) return;
        List<Target> targets = targets(tx, task.organizationId(), type.get(), turn);
        if (targets.isEmpty()) return;
        String now = Times.now(clock);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.get().wire());
        body.put("timestamp", now);
        body.put("data", task);
        String payload = Json.write(body);
        for (Target t : targets) {
            String id = ids.next();
            // The run's trace goes with its webhooks, so a receiver can join it.
            Map<String, String> headers = new LinkedHashMap<>(t.headers());
            Tracing.currentTraceparent().ifPresent(tp -> headers.put("traceparent", tp));
            store.insert(tx, new Delivery(id, task.organizationId(), t.endpointId(), t.source(), t.url(), headers,
                    t.signingSecret(), task.id(), runId, type.get().wire(), payload, Delivery.Status.PENDING, 0, 0, now,
                    now, now));
            queue.enqueue(tx, id, DeliveryHandler.KIND, DeliveryHandler.threadKey(id));
        }
        tx.afterCommit(worker::signal);
    }

    private List<Target> targets(Db.Tx tx, String organizationId, EventType type, Turn turn) {
        List<Target> out = new ArrayList<>();
        for (Endpoint e : store.enabledEndpoints(tx, organizationId)) {
            if (e.wants(type)) out.add(new Target(Delivery.Source.ENDPOINT, e.id(), e.url(), Map.of(), null));
        }
        // URLs without a secret of their own are signed with the agent's webhook_secret when it has one, else unsigned.
        String agentSecret = turn.agent() == null ? null : turn.agent().webhookSecret();
        if (turn.agent() != null && turn.agent().notificationSettings() != null) {
            JsonNode section = turn.agent().notificationSettings().path(type.isSuccess() ? "on_success" : "on_error");
            JsonNode hooks = section.path("webhook");
            for (JsonNode hook : hooks.isArray() ? hooks : List.of(hooks)) {
                String url = hook.path("url").asText("");
                if (url.isBlank()) continue;
                Map<String, String> headers = new LinkedHashMap<>();
                hook.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                out.add(new Target(Delivery.Source.NOTIFICATION_SETTINGS, null, url, headers, agentSecret));
            }
        }
        if (turn.webhookUrl() != null && !turn.webhookUrl().isBlank()) {
            out.add(new Target(Delivery.Source.WEBHOOK_URL, null, turn.webhookUrl(), Map.of(), agentSecret));
        }
        return out;
    }
}
