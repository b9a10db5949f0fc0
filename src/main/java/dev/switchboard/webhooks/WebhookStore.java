package dev.switchboard.webhooks;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Endpoints, deliveries and attempts. */
final class WebhookStore {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {};

    /** The filters of the deliveries list; null means any. */
    record DeliveryFilter(String endpointId, String taskId, String status) {}

    private final Db db;
    // Signing secrets and header values are used again in clear, so they are stored encrypted, never hashed.
    private final SecretBox box;

    WebhookStore(Db db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    Db db() { return db; }

    // --- endpoints

    void insert(Endpoint e) {
        db.update("""
                INSERT INTO webhook_endpoints(id, organization_id, url, description, events, enabled, disabled_reason, secret,
                    previous_secret, previous_secret_expires_at, failed_in_a_row, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                e.id(), e.organizationId(), e.url(), e.description(), Json.write(e.events()), e.enabled(),
                e.disabledReason(), box.seal(e.secret()), box.seal(e.previousSecret()), format(e.previousSecretExpiresAt()), e.failedInARow(),
                e.createdAt(), e.updatedAt());
    }

    /** Saves every changeable field of an endpoint. */
    void save(Endpoint e) {
        db.update("""
                UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, enabled = ?, disabled_reason = ?,
                    secret = ?, previous_secret = ?, previous_secret_expires_at = ?, failed_in_a_row = ?, updated_at = ?
                WHERE id = ?""",
                e.url(), e.description(), Json.write(e.events()), e.enabled(), e.disabledReason(), box.seal(e.secret()),
                box.seal(e.previousSecret()), format(e.previousSecretExpiresAt()), e.failedInARow(), e.updatedAt(), e.id());
    }

    Optional<Endpoint> endpoint(String organizationId, String id) {
        return db.queryOne("SELECT * FROM webhook_endpoints WHERE organization_id = ? AND id = ?", this::endpoint,
                organizationId, id);
    }

    Optional<Endpoint> endpoint(String id) {
        return db.queryOne("SELECT * FROM webhook_endpoints WHERE id = ?", this::endpoint, id);
    }

    List<Endpoint> endpoints(String organizationId, int limit, long offset) {
        return db.query("SELECT * FROM webhook_endpoints WHERE organization_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                this::endpoint, organizationId, limit, offset);
    }

    long countEndpoints(String organizationId) {
        return db.queryLong("SELECT COUNT(*) FROM webhook_endpoints WHERE organization_id = ?", organizationId);
    }

    List<Endpoint> enabledEndpoints(Db.Tx tx, String organizationId) {
        return tx.query("SELECT * FROM webhook_endpoints WHERE organization_id = ? AND enabled = 1 ORDER BY created_at, id",
                this::endpoint, organizationId);
    }

    boolean deleteEndpoint(String organizationId, String id) {
        return db.update("DELETE FROM webhook_endpoints WHERE organization_id = ? AND id = ?", organizationId, id) > 0;
    }

    /** After a delivery finally failed: counts it, and disables the endpoint at the limit. */
    void endpointFailed(Db.Tx tx, String id, int disableAfter, String reason, String now) {
        tx.update("UPDATE webhook_endpoints SET failed_in_a_row = failed_in_a_row + 1, updated_at = ? WHERE id = ?", now, id);
        tx.update("""
                UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?
                WHERE id = ? AND enabled = 1 AND failed_in_a_row >= ?""", reason, id, disableAfter);
    }

    void endpointSucceeded(Db.Tx tx, String id) {
        tx.update("UPDATE webhook_endpoints SET failed_in_a_row = 0 WHERE id = ? AND failed_in_a_row <> 0", id);
    }

    // --- deliveries

    void insert(Db.Tx tx, Delivery d) {
        tx.update("""
                INSERT INTO webhook_deliveries(id, organization_id, endpoint_id, source, url, headers, signing_secret, task_id,
                    run_id, event_type, payload, status, attempt_count, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                d.id(), d.organizationId(), d.endpointId(), d.source().wire(), d.url(), box.seal(Json.write(d.headers())),
                box.seal(d.signingSecret()), d.taskId(), d.runId(), d.eventType(), d.payload(), d.status().wire(), d.attemptCount(),
                d.nextAttemptAt(), d.createdAt(), d.updatedAt());
        // round_start keeps its default of 0: a new delivery starts its schedule with its first attempt.
    }

    Optional<Delivery> delivery(String id) {
        return db.queryOne("SELECT * FROM webhook_deliveries WHERE id = ?", this::delivery, id);
    }

    /** As stored by the caller's transaction so far. */
    Optional<Delivery> delivery(Db.Tx tx, String id) {
        return tx.queryOne("SELECT * FROM webhook_deliveries WHERE id = ?", this::delivery, id);
    }

    List<Delivery.Attempt> attempts(Db.Tx tx, String deliveryId) {
        return tx.query(ATTEMPTS, WebhookStore::attempt, deliveryId);
    }

    Optional<Delivery> delivery(String organizationId, String id) {
        return db.queryOne("SELECT * FROM webhook_deliveries WHERE organization_id = ? AND id = ?", this::delivery,
                organizationId, id);
    }

    /** Stores an attempt and the delivery's new state together. */
    void attempted(Db.Tx tx, String deliveryId, Delivery.Attempt a, Delivery.Status status, String nextAttemptAt) {
        tx.update("INSERT INTO webhook_attempts(delivery_id, n, at, status_code, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
                deliveryId, a.n(), a.at(), a.statusCode(), a.latencyMs(), a.error());
        tx.update("UPDATE webhook_deliveries SET status = ?, attempt_count = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                status.wire(), a.n(), nextAttemptAt, a.at(), deliveryId);
    }

    void reopen(Db.Tx tx, String deliveryId, String now) {
        tx.update("""
                UPDATE webhook_deliveries SET status = 'pending', round_start = attempt_count, next_attempt_at = ?, updated_at = ?
                WHERE id = ?""",
                now, now, deliveryId);
    }

    List<Delivery> deliveries(String organizationId, DeliveryFilter f, int limit, long offset) {
        Where w = where(organizationId, f);
        List<Object> args = new ArrayList<>(w.args());
        args.add(limit);
        args.add(offset);
        return db.query("SELECT * FROM webhook_deliveries WHERE " + w.sql() + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                this::delivery, args.toArray());
    }

    long countDeliveries(String organizationId, DeliveryFilter f) {
        Where w = where(organizationId, f);
        return db.queryLong("SELECT COUNT(*) FROM webhook_deliveries WHERE " + w.sql(), w.args().toArray());
    }

    private static final String ATTEMPTS = "SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY n";

    List<Delivery.Attempt> attempts(String deliveryId) {
        return db.query(ATTEMPTS, WebhookStore::attempt, deliveryId);
    }

    private static Delivery.Attempt attempt(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Delivery.Attempt(rs.getInt("n"), rs.getString("at"), (Integer) rs.getObject("status_code"),
                rs.getLong("latency_ms"), rs.getString("error"));
    }

    private record Where(String sql, List<Object> args) {}

    private static Where where(String organizationId, DeliveryFilter f) {
        StringBuilder sql = new StringBuilder("organization_id = ?");
        List<Object> args = new ArrayList<>(List.of(organizationId));
        if (f.endpointId() != null) { sql.append(" AND endpoint_id = ?"); args.add(f.endpointId()); }
        if (f.taskId() != null) { sql.append(" AND task_id = ?"); args.add(f.taskId()); }
        if (f.status() != null) { sql.append(" AND status = ?"); args.add(f.status()); }
        return new Where(sql.toString(), args);
    }

    private static String format(java.time.Instant t) { return t == null ? null : Times.format(t); }

    private Endpoint endpoint(ResultSet rs) throws SQLException {
        String expires = rs.getString("previous_secret_expires_at");
        return new Endpoint(rs.getString("id"), rs.getString("organization_id"), rs.getString("url"),
                rs.getString("description"), Json.MAPPER.convertValue(Json.tree(rs.getString("events")), STRINGS),
                rs.getInt("enabled") == 1, rs.getString("disabled_reason"), box.open(rs.getString("secret")),
                box.open(rs.getString("previous_secret")), expires == null ? null : Times.parse(expires), rs.getInt("failed_in_a_row"),
                rs.getString("created_at"), rs.getString("updated_at"));
    }

    private Delivery delivery(ResultSet rs) throws SQLException {
        return new Delivery(rs.getString("id"), rs.getString("organization_id"), rs.getString("endpoint_id"),
                Delivery.Source.valueOf(rs.getString("source").toUpperCase()), rs.getString("url"),
                Json.MAPPER.convertValue(Json.tree(box.open(rs.getString("headers"))), HEADERS), box.open(rs.getString("signing_secret")),
                rs.getString("task_id"), rs.getString("run_id"), rs.getString("event_type"), rs.getString("payload"),
                Delivery.Status.valueOf(rs.getString("status").toUpperCase()), rs.getInt("attempt_count"),
                rs.getInt("round_start"), rs.getString("next_attempt_at"), rs.getString("created_at"), rs.getString("updated_at"));
    }
}
