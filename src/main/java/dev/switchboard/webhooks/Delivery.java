package dev.switchboard.webhooks;

import java.util.List;
import java.util.Map;

/**
 * One event sent to one URL. Its id is the webhook-id header, the same on every attempt; its payload is fixed when
 * the event happens so that every attempt sends the same bytes.
 */
record Delivery(String id, String organizationId, String endpointId, Source source, String url,
                Map<String, String> headers, String signingSecret, String taskId, String runId, String eventType,
                String payload, Status status, int attemptCount, int roundStart, String nextAttemptAt, String createdAt,
                String updatedAt) {

    enum Source {
        ENDPOINT, NOTIFICATION_SETTINGS, WEBHOOK_URL;

        @com.fasterxml.jackson.annotation.JsonValue
        String wire() { return name().toLowerCase(); }
    }

    enum Status {
        PENDING, SUCCEEDED, FAILED;

        @com.fasterxml.jackson.annotation.JsonValue
        String wire() { return name().toLowerCase(); }
    }

    /** One try: when, the answer's status (none when no answer came), how long, and what went wrong. */
    record Attempt(int n, String at, Integer statusCode, long latencyMs, String error) {}

    /** What the API shows; the extra headers and the signing secret stay inside. */
    record View(String id, String endpointId, Source source, String url, String taskId, String runId,
                String eventType, Status status, int attemptCount, String nextAttemptAt, String createdAt,
                String updatedAt, List<Attempt> attempts) {}

    View view(List<Attempt> attempts) {
        return new View(id, endpointId, source, url, taskId, runId, eventType, status, attemptCount, nextAttemptAt,
                createdAt, updatedAt, attempts);
    }
}
