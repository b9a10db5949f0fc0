package dev.switchboard.webhooks;

import dev.switchboard.common.Times;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.WorkHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends one attempt of a delivery (queued work of kind {@code webhook}). The attempt, the delivery's new state and
 * its queue row (removed, or put back to wait for the next retry) are stored in one transaction, so a crash either
 * repeats the attempt or has stored it; a succeeded delivery is never sent again by the queue.
 */
final class DeliveryHandler implements WorkHandler {
    static final String KIND = "webhook";
    private static final Logger log = LoggerFactory.getLogger(DeliveryHandler.class);
    // A receiver's answer is only its status: a small cap is enough.
    private static final long MAX_RESPONSE_BYTES = 64 * 1024;

    private final WebhookStore store;
    private final RunQueue queue;
    private final NetworkGuard guard;
    private final Backoff backoff;
    private final NetworkGuard.Limits limits;
    private final int disableAfter;
    private final Clock clock;
    private final Metrics metrics;

    DeliveryHandler(WebhookStore store, RunQueue queue, NetworkGuard guard, Backoff backoff, Duration timeout,
                    int disableAfter, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.queue = queue;
        this.guard = guard;
        this.backoff = backoff;
        this.limits = new NetworkGuard.Limits(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5),
                timeout, MAX_RESPONSE_BYTES);
        this.disableAfter = disableAfter;
        this.clock = clock;
    }

    /** Deliveries are independent of each other: each is its own "thread" in the queue. */
    static String threadKey(String deliveryId) { return "webhook/" + deliveryId; }

    @Override
    public void execute(QueueItem item, CancelToken token) {
        Optional<Delivery> found = store.delivery(item.runId());
        if (found.isEmpty() || found.get().status() != Delivery.Status.PENDING) {
            done(item.runId());
            return;
        }
        Delivery d = found.get();
        Instant start = clock.instant();
        Optional<List<String>> secrets = secrets(d, start);
        Result result;
        if (secrets.isEmpty()) {
            result = new Result(null, "The endpoint was deleted or disabled", false);
        } else {
            try {
                result = token.call(() -> send(d, secrets.get(), start));
            } catch (CancelToken.Cancelled c) {
                // Shutting down: the attempt did not count; the next start sends it.
                queue.release(item.runId());
                return;
            } catch (Exception e) {
                result = new Result(null, "Unexpected failure: " + e.getMessage(), true);
            }
        }
        record(d, result, start);
    }

    /** The answer of one attempt: the status code if any answer came, what went wrong, and whether to retry. */
    private record Result(Integer statusCode, String error, boolean retryable) {
        boolean ok() { return error == null; }
    }

    private Result send(Delivery d, List<String> secrets, Instant start) throws InterruptedException {
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = start.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>(d.headers());
        headers.put("content-type", "application/json");
        headers.put("user-agent", "Switchboard-Webhooks/1");
        headers.put("webhook-id", d.id());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        if (!secrets.isEmpty()) headers.put("webhook-signature", Signatures.header(secrets, d.id(), timestamp, body));
        try {
            NetworkGuard.Response res = guard.post(URI.create(d.url()), headers, body, limits);
            if (res.status() >= 200 && res.status() < 300) return new Result(res.status(), null, false);
            return new Result(res.status(), "The receiver answered HTTP " + res.status(), true);
        } catch (NetworkGuard.Refused e) {
            // Refused now does not mean refused later (DNS may change back): retried like any failure.
            return new Result(null, e.getMessage(), true);
        } catch (HttpTimeoutException e) {
            return new Result(null, "No answer within " + limits.timeout().toSeconds() + " s", true);
        } catch (java.io.IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return new Result(null, "Connection failed: " + why, true);
        }
    }

    /** The secrets to sign with; an endpoint that is gone or disabled gets no more attempts. */
    private Optional<List<String>> secrets(Delivery d, Instant now) {
        if (d.endpointId() == null) {
            return Optional.of(d.signingSecret() == null ? List.of() : List.of(d.signingSecret()));
        }
        return store.endpoint(d.endpointId()).filter(Endpoint::enabled).map(e -> e.signingSecrets(now));
    }

    private void record(Delivery d, Result result, Instant start) {
        Instant end = clock.instant();
        String at = Times.format(start);
        int n = d.attemptCount() + 1;
        var attempt = new Delivery.Attempt(n, at, result.statusCode(), Duration.between(start, end).toMillis(), result.error());
        Optional<Duration> wait = result.ok() || !result.retryable() ? Optional.empty() : backoff.after(n - d.roundStart());
        metrics.webhookAttempt(result.ok() ? "succeeded" : wait.isPresent() ? "retrying" : "failed",
                Duration.between(Instant.parse(d.createdAt()), start));
        store.db().inTransaction(tx -> {
            if (result.ok()) {
                store.attempted(tx, d.id(), attempt, Delivery.Status.SUCCEEDED, null);
                queue.complete(tx, d.id());
                if (d.endpointId() != null) store.endpointSucceeded(tx, d.endpointId());
            } else if (wait.isPresent()) {
                String next = Times.format(end.plus(wait.get()));
                store.attempted(tx, d.id(), attempt, Delivery.Status.PENDING, next);
                queue.reschedule(tx, d.id(), next);
            } else {
                store.attempted(tx, d.id(), attempt, Delivery.Status.FAILED, null);
                queue.complete(tx, d.id());
                if (d.endpointId() != null) {
                    store.endpointFailed(tx, d.endpointId(), disableAfter, "Disabled after " + disableAfter
                            + " deliveries in a row failed every attempt; the last: " + result.error(), Times.format(end));
                }
            }
            return null;
        });
        if (!result.ok()) {
            // The URL may carry a token in its query: only the delivery's id is logged.
            log.info("Webhook delivery {} attempt {} failed: {}{}", d.id(), n, result.error(),
                    wait.map(w -> "; next attempt in " + w.toMillis() + " ms").orElse("; no more attempts"));
        }
    }

    /** A delivery that keeps losing its worker is not a receiver's fault: it is failed with that reason. */
    @Override
    public void abandon(QueueItem item) {
        store.delivery(item.runId()).filter(d -> d.status() == Delivery.Status.PENDING).ifPresentOrElse(
                d -> record(d, new Result(null, "The delivery was lost with its worker " + (item.attempts() - 1)
                        + " times", false), clock.instant()),
                () -> done(item.runId()));
    }

    private void done(String deliveryId) {
        queue.complete(deliveryId);
    }
}
