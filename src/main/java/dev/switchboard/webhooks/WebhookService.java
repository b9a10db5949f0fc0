package dev.switchboard.webhooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Json;
import dev.switchboard.common.Page;
import dev.switchboard.common.Times;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.Worker;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The organization's endpoints (CRUD and secret rotation) and the record of deliveries (list and redeliver). */
public final class WebhookService {
    /** How long the previous secret still signs after a rotation, so receivers can switch without losing events. */
    static final Duration ROTATION_GRACE = Duration.ofHours(24);
    private static final Set<String> STATUSES = Set.of("pending", "succeeded", "failed");

    /** The body of POST and PATCH; on PATCH only the fields given change. */
    record EndpointRequest(String url, List<String> events, Boolean enabled, String description) {}

    private final WebhookStore store;
    private final RunQueue queue;
    private final Worker worker;
    private final NetworkGuard guard;
    private final Ids ids;
    private final Clock clock;

    WebhookService(WebhookStore store, RunQueue queue, Worker worker, NetworkGuard guard, Ids ids, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.worker = worker;
        this.guard = guard;
        this.ids = ids;
        this.clock = clock;
    }

    /** Creates an endpoint; the answer is the only one that shows its secret. */
    public Endpoint.View create(String organizationId, EndpointRequest req) {
        if (req.url() == null) throw ApiException.invalidBody("Field required", "missing", "url");
        String url = checkUrl(req.url());
        List<String> events = checkEvents(req.events());
        String now = Times.now(clock);
        Endpoint e = new Endpoint(ids.next(), organizationId, url, req.description(), events,
                req.enabled() == null || req.enabled(), null, Signatures.newSecret(), null, null, 0, now, now);
        store.insert(e);
        return e.view(true);
    }

    public Endpoint.View get(String organizationId, String id) {
        return find(organizationId, id).view(false);
    }

    public Page<Endpoint.View> list(String organizationId, Page.Request page) {
        List<Endpoint.View> items = store.endpoints(organizationId, page.perPage(), page.offset()).stream()
                .map(e -> e.view(false)).toList();
        return Page.of(items, store.countEndpoints(organizationId), page);
    }

    public Endpoint.View update(String organizationId, String id, ObjectNode patch) {
        Endpoint current = find(organizationId, id);
        if (patch.isEmpty()) throw ApiException.invalidBody("At least one field is required", "missing");
        EndpointRequest req = Json.bind(patch, EndpointRequest.class);
        if (patch.has("url") && req.url() == null) throw ApiException.invalidBody("Input should be a valid URL", "url_type", "url");
        String url = req.url() == null ? current.url() : checkUrl(req.url());
        List<String> events = patch.has("events") ? checkEvents(req.events()) : current.events();
        String description = patch.has("description") ? req.description() : current.description();
        boolean enabled = req.enabled() == null ? current.enabled() : req.enabled();
        // Enabling again clears the reason and the failure count: the owner says the receiver is fixed.
        boolean reEnabled = enabled && !current.enabled();
        Endpoint next = new Endpoint(current.id(), organizationId, url, description, events, enabled,
                enabled ? null : current.enabled() ? "Disabled through the API" : current.disabledReason(),
                current.secret(), current.previousSecret(), current.previousSecretExpiresAt(),
                reEnabled ? 0 : current.failedInARow(), current.createdAt(), Times.now(clock));
        store.save(next);
        return next.view(false);
    }

    public void delete(String organizationId, String id) {
        if (!store.deleteEndpoint(organizationId, id)) throw notFound();
    }

    /** A new secret, shown in the answer; the previous one keeps signing (a second signature) for 24 h. */
    public Endpoint.View rotateSecret(String organizationId, String id) {
        Endpoint current = find(organizationId, id);
        Instant now = clock.instant();
        Endpoint next = new Endpoint(current.id(), organizationId, current.url(), current.description(), current.events(),
                current.enabled(), current.disabledReason(), Signatures.newSecret(), current.secret(),
                now.plus(ROTATION_GRACE), current.failedInARow(), current.createdAt(), Times.format(now));
        store.save(next);
        return next.view(true);
    }

    public Page<Delivery.View> deliveries(String organizationId, WebhookStore.DeliveryFilter filter, Page.Request page) {
        if (filter.status() != null && !STATUSES.contains(filter.status())) {
            throw ApiException.invalidQuery("status", "Input should be 'pending', 'succeeded' or 'failed'");
        }
        List<Delivery.View> items = store.deliveries(organizationId, filter, page.perPage(), page.offset()).stream()
                .map(d -> d.view(store.attempts(d.id()))).toList();
        return Page.of(items, store.countDeliveries(organizationId, filter), page);
    }

    /**
     * Sends a delivery again with the same webhook-id and body (it is the same event), starting its retry schedule
     * over. A pending delivery is already on its way: 409.
     */
    public Delivery.View redeliver(String organizationId, String id) {
        Delivery d = store.delivery(organizationId, id)
                .orElseThrow(() -> new ApiException.NotFound("Webhook delivery not found"));
        if (d.status() == Delivery.Status.PENDING) {
            throw new ApiException.Conflict("The delivery is still pending; it will be attempted again on its own",
                    java.util.Map.of());
        }
        if (d.endpointId() != null) {
            Endpoint e = store.endpoint(organizationId, d.endpointId())
                    .orElseThrow(() -> new ApiException.Conflict("The delivery's endpoint was deleted", java.util.Map.of()));
            if (!e.enabled()) {
                throw new ApiException.Conflict("The delivery's endpoint is disabled; enable it first", java.util.Map.of());
            }
        }
        String now = Times.now(clock);
        // The answer is the delivery as reopened, read in the same transaction: once committed, a fast endpoint
        // may have it delivered before a read after the commit.
        return store.db().inTransaction(tx -> {
            store.reopen(tx, id, now);
            queue.enqueue(tx, id, DeliveryHandler.KIND, DeliveryHandler.threadKey(id));
            tx.afterCommit(worker::signal);
            return store.delivery(tx, id).orElseThrow().view(store.attempts(tx, id));
        });
    }

    /** A URL the guard accepts now (it is checked again at every delivery: DNS may change). */
    String checkUrl(String url) {
        try {
            URI uri = new URI(url);
            guard.check(uri);
            return uri.toString();
        } catch (URISyntaxException e) {
            throw ApiException.invalidBody("Input should be a valid URL", "url_parsing", "url");
        } catch (NetworkGuard.Refused e) {
            throw ApiException.invalidBody(e.getMessage(), "url_refused", "url");
        }
    }

    private static List<String> checkEvents(List<String> events) {
        if (events == null) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (e == null || EventType.fromWire(e).isEmpty()) {
                throw ApiException.invalidBody("Input should be one of task.completed, task.failed, task.error, "
                        + "task.stopped, task.paused", "enum", "events", String.valueOf(i));
            }
            if (!out.contains(e)) out.add(e);
        }
        return List.copyOf(out);
    }

    private Endpoint find(String organizationId, String id) {
        return store.endpoint(organizationId, id).orElseThrow(WebhookService::notFound);
    }

    private static ApiException.NotFound notFound() { return new ApiException.NotFound("Webhook endpoint not found"); }
}
