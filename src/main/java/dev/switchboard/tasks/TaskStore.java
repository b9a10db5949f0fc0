package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tasks (threads) and their runs (turns). A task row carries the thread's identity and the columns lists filter on;
 * each run row carries its turn's request and state as JSON. The API's task object is the task with its latest run.
 */
final class TaskStore {

    record TaskRow(String id, String organizationId, String agentId, TaskStatus status, String latestRunId) {}

    record RunRow(String id, String organizationId, String taskId, int turn, String stopRequested, Turn spec, RunState state) {
        RunRow withState(RunState next) {
            return new RunRow(id, organizationId, taskId, turn, stopRequested, spec, next);
        }
    }

    /** A run that is not finished, and whether a node holds it right now. */
    record OpenRun(RunRow run, boolean leased) {}

    record Filters(Optional<String> agentId, Optional<TaskStatus> status, Optional<String> userId,
                   Optional<String> fromDate, Optional<String> toDate) {}

    record Idempotency(String requestHash, String taskId, String runId, String createdAt) {}

    private final Db db;

    // A turn freezes its agent's configuration and its MCP servers, secrets included, and the user's credentials:
    // stored encrypted, as the agents store does.
    private final SecretBox box;

    TaskStore(Db db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    private String write(Turn spec) {
        return Json.writeStored(spec.withSecrets(box::seal));
    }

    private Turn read(String json) {
        return Json.read(json, Turn.class).withSecrets(box::open);
    }

    Db db() { return db; }

    Optional<TaskRow> findTask(Db.Tx tx, String org, String id) {
        return tx.queryOne("SELECT id, organization_id, agent_id, status, latest_run_id FROM tasks WHERE organization_id = ? AND id = ?",
                TaskStore::taskRow, org, id);
    }

    Optional<TaskRow> findTask(String org, String id) {
        return db.queryOne("SELECT id, organization_id, agent_id, status, latest_run_id FROM tasks WHERE organization_id = ? AND id = ?",
                TaskStore::taskRow, org, id);
    }

    void insertTask(Db.Tx tx, String org, String id, String agentId, RunRow run, String userId) {
        tx.update("""
                INSERT INTO tasks(id, organization_id, agent_id, status, user_id, created_at, updated_at, latest_run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                id, org, agentId, run.state().status().wire(), userId, run.state().createdAt(), run.state().updatedAt(), run.id());
    }

    /** Makes a new turn the thread's latest. */
    void setLatestRun(Db.Tx tx, RunRow run, String userId) {
        tx.update("""
                UPDATE tasks SET latest_run_id = ?, status = ?, user_id = ?, created_at = ?, updated_at = ?
                WHERE organization_id = ? AND id = ?""",
                run.id(), run.state().status().wire(), userId, run.state().createdAt(), run.state().updatedAt(),
                run.organizationId(), run.taskId());
    }

    /**
     * A turn as stored: its secrets sealed, written as JSON. Made before the accepting transaction, so that the one
     * writer every transaction goes through (see {@code GroupCommit}) spends no time on it.
     */
    record SealedTurn(Turn turn, String json) {}

    SealedTurn seal(Turn turn) {
        return new SealedTurn(turn, write(turn));
    }

    /** Stores a new run; {@code spec} is its turn, sealed ({@link #seal}). */
    void insertRun(Db.Tx tx, RunRow run, SealedTurn spec) {
        if (spec.turn() != run.spec()) throw new IllegalArgumentException("the sealed turn is another run's");
        tx.update("""
                INSERT INTO runs(id, organization_id, task_id, turn, status, created_at, request, doc)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                run.id(), run.organizationId(), run.taskId(), run.turn(), run.state().status().wire(),
                run.state().createdAt(), spec.json(), Json.writeStored(run.state()));
    }

    /** Stores a run's new state, and the task's status when this run is the thread's latest. */
    void saveState(Db.Tx tx, RunRow run, RunState state) {
        saveState(tx, run, state, new Json.Raw(Json.writeStored(state)));
    }

    /** As above, with the state's JSON written already (outside the transaction). */
    void saveState(Db.Tx tx, RunRow run, RunState state, Json.Raw stateJson) {
        tx.update("UPDATE runs SET status = ?, finished_at = ?, doc = ? WHERE id = ?",
                state.status().wire(), state.finishedAt(), stateJson.json(), run.id());
        saveTaskStatus(tx, run, state);
    }

    /**
     * Stores a paused run's decided state, only if it is still paused and undecided; false otherwise (a stop or another
     * decision came first). The write is conditional on the very state read, so two decisions at once cannot both
     * land, on either database.
     */
    boolean saveDecision(Db.Tx tx, RunRow run, RunState decided) {
        Optional<String> doc = tx.queryOne("SELECT doc FROM runs WHERE id = ? AND status = 'paused'", rs -> rs.getString(1), run.id());
        if (doc.isEmpty()) return false;
        JsonNode request = Json.read(doc.get(), RunState.class).hitlRequest();
        if (request != null && request.has("decision")) return false;
        int changed = tx.update("UPDATE runs SET doc = ? WHERE id = ? AND status = 'paused' AND doc = ?",
                Json.writeStored(decided), run.id(), doc.get());
        if (changed == 0) return false;
        saveTaskStatus(tx, run, decided);
        return true;
    }

    /** The task's status and time, when this run is the thread's latest (its run row is written apart). */
    void saveTaskStatus(Db.Tx tx, RunRow run, RunState state) {
        tx.update("UPDATE tasks SET status = ?, updated_at = ? WHERE organization_id = ? AND id = ? AND latest_run_id = ?",
                state.status().wire(), state.updatedAt(), run.organizationId(), run.taskId(), run.id());
    }

    void requestStop(Db.Tx tx, String runId, StopReason reason) {
        tx.update("UPDATE runs SET stop_requested = ? WHERE id = ? AND stop_requested IS NULL", reason.wire(), runId);
        // The node running it, if another, hears of it at once (else at its next heartbeat).
        tx.signal(dev.switchboard.storage.Db.Channel.STOP, runId);
    }

    List<OpenRun> openRuns(Db.Tx tx, String org, String taskId, String now) {
        return tx.query("""
                SELECT r.*, q.lease_owner, q.lease_expires_at FROM runs r LEFT JOIN run_queue q ON q.run_id = r.id
                WHERE r.organization_id = ? AND r.task_id = ? AND r.status IN ('pending', 'executing', 'paused')
                ORDER BY r.turn""",
                rs -> new OpenRun(runRow(rs), rs.getString("lease_owner") != null
                        && rs.getString("lease_expires_at") != null && rs.getString("lease_expires_at").compareTo(now) > 0),
                org, taskId);
    }

    int maxTurn(Db.Tx tx, String org, String taskId) {
        return tx.queryOne("SELECT COALESCE(MAX(turn), 0) FROM runs WHERE organization_id = ? AND task_id = ?",
                rs -> rs.getInt(1), org, taskId).orElse(0);
    }

    Optional<RunRow> run(String runId) {
        return db.queryOne("SELECT * FROM runs WHERE id = ?", this::runRow, runId);
    }

    Optional<RunRow> run(Db.Tx tx, String runId) {
        return tx.queryOne("SELECT * FROM runs WHERE id = ?", this::runRow, runId);
    }

    List<RunRow> runs(String org, String taskId) {
        return db.query("SELECT * FROM runs WHERE organization_id = ? AND task_id = ? ORDER BY turn",
                this::runRow, org, taskId);
    }

    Optional<Task> view(String org, String taskId) {
        return db.queryOne("""
                SELECT t.id AS t_id, t.agent_id, r.* FROM tasks t JOIN runs r ON r.id = t.latest_run_id
                WHERE t.organization_id = ? AND t.id = ?""", this::taskView, org, taskId);
    }

    List<Task> list(String org, Filters f, int limit, long offset) {
        List<Object> args = new ArrayList<>();
        String where = where(org, f, args);
        args.add(limit);
        args.add(offset);
        return db.query("""
                SELECT t.id AS t_id, t.agent_id, r.* FROM tasks t JOIN runs r ON r.id = t.latest_run_id
                WHERE %s ORDER BY t.created_at DESC, t.id LIMIT ? OFFSET ?""".formatted(where),
                this::taskView, args.toArray());
    }

    long count(String org, Filters f) {
        List<Object> args = new ArrayList<>();
        String where = where(org, f, args);
        return db.queryLong("SELECT COUNT(*) FROM tasks t WHERE " + where, args.toArray());
    }

    private static String where(String org, Filters f, List<Object> args) {
        StringBuilder w = new StringBuilder("t.organization_id = ?");
        args.add(org);
        f.agentId().ifPresent(v -> { w.append(" AND t.agent_id = ?"); args.add(v); });
        f.status().ifPresent(v -> { w.append(" AND t.status = ?"); args.add(v.wire()); });
        f.userId().ifPresent(v -> { w.append(" AND t.user_id = ?"); args.add(v); });
        f.fromDate().ifPresent(v -> { w.append(" AND t.created_at >= ?"); args.add(v); });
        f.toDate().ifPresent(v -> { w.append(" AND t.created_at <= ?"); args.add(v); });
        return w.toString();
    }

    /** The finished turns before {@code beforeTurn}, the last {@code limit} of them, oldest first. */
    List<RunRow> history(String org, String taskId, int beforeTurn, int limit) {
        // Turns are numbered from 1: before a thread's first turn there is nothing to ask the database for.
        if (beforeTurn <= 1 || limit <= 0) return List.of();
        List<RunRow> newestFirst = db.query("""
                SELECT * FROM runs WHERE organization_id = ? AND task_id = ? AND turn < ? AND status = 'completed'
                ORDER BY turn DESC LIMIT ?""", this::runRow, org, taskId, beforeTurn, limit);
        List<RunRow> out = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(out);
        return out;
    }

    Set<String> stopRequestsAmong(Set<String> runIds) {
        if (runIds.isEmpty()) return Set.of();
        String marks = String.join(",", java.util.Collections.nCopies(runIds.size(), "?"));
        return new HashSet<>(db.query("SELECT id FROM runs WHERE stop_requested IS NOT NULL AND id IN (" + marks + ")",
                rs -> rs.getString(1), runIds.toArray()));
    }

    /** Deletes a task with its runs, events and queue rows; returns the runs' ids (their journals are StepStore's). */
    List<String> deleteTask(Db.Tx tx, String org, String taskId) {
        List<String> runIds = tx.query("SELECT id FROM runs WHERE organization_id = ? AND task_id = ?",
                rs -> rs.getString(1), org, taskId);
        for (String runId : runIds) {
            tx.update("DELETE FROM run_queue WHERE run_id = ?", runId);
        }
        tx.update("DELETE FROM runs WHERE organization_id = ? AND task_id = ?", org, taskId);
        tx.update("DELETE FROM task_events WHERE organization_id = ? AND task_id = ?", org, taskId);
        tx.update("DELETE FROM idempotency_keys WHERE organization_id = ? AND task_id = ?", org, taskId);
        tx.update("DELETE FROM tasks WHERE organization_id = ? AND id = ?", org, taskId);
        return runIds;
    }

    Optional<Idempotency> idempotency(Db.Tx tx, String org, String key) {
        return tx.queryOne("SELECT request_hash, task_id, run_id, created_at FROM idempotency_keys WHERE organization_id = ? AND idem_key = ?",
                rs -> new Idempotency(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), org, key);
    }

    void saveIdempotency(Db.Tx tx, String org, String key, Idempotency value) {
        tx.update("""
                INSERT INTO idempotency_keys(organization_id, idem_key, request_hash, task_id, run_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(organization_id, idem_key) DO UPDATE SET request_hash = excluded.request_hash,
                    task_id = excluded.task_id, run_id = excluded.run_id, created_at = excluded.created_at""",
                org, key, value.requestHash(), value.taskId(), value.runId(), value.createdAt());
    }

    private static TaskRow taskRow(ResultSet rs) throws SQLException {
        return new TaskRow(rs.getString("id"), rs.getString("organization_id"), rs.getString("agent_id"),
                TaskStatus.fromWire(rs.getString("status")), rs.getString("latest_run_id"));
    }

    private RunRow runRow(ResultSet rs) throws SQLException {
        return new RunRow(rs.getString("id"), rs.getString("organization_id"), rs.getString("task_id"), rs.getInt("turn"),
                rs.getString("stop_requested"), read(rs.getString("request")),
                Json.read(rs.getString("doc"), RunState.class));
    }

    private Task taskView(ResultSet rs) throws SQLException {
        RunRow run = runRow(rs);
        return Task.of(rs.getString("t_id"), rs.getString("agent_id"), run.organizationId(), run.turn(), run.spec(), run.state());
    }
}
