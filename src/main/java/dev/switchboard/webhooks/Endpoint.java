package dev.switchboard.webhooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** An organization's webhook endpoint as stored. */
record Endpoint(String id, String organizationId, String url, String description, List<String> events, boolean enabled,
                String disabledReason, String secret, String previousSecret, Instant previousSecretExpiresAt,
                int failedInARow, String createdAt, String updatedAt) {

    /** An empty filter means every event. */
    boolean wants(EventType type) {
        return events.isEmpty() || events.contains(type.wire());
    }

    /** The secrets to sign with now: the current one, and the previous one during its grace period. */
    List<String> signingSecrets(Instant now) {
        List<String> out = new ArrayList<>(2);
        out.add(secret);
        if (previousSecret != null && previousSecretExpiresAt != null && now.isBefore(previousSecretExpiresAt)) {
            out.add(previousSecret);
        }
        return out;
    }

    /** What the API shows: the secret only when just created or rotated, else masked. */
    View view(boolean showSecret) {
        return new View(id, url, description, events, enabled, disabledReason, showSecret ? secret : "***", createdAt,
                updatedAt);
    }

    record View(String id, String url, String description, List<String> events, boolean enabled, String disabledReason,
                String secret, String createdAt, String updatedAt) {}
}
