package dev.switchboard.runs;

import dev.switchboard.common.Json;
import dev.switchboard.common.Times;
import dev.switchboard.storage.Db;

import java.time.Clock;
import java.util.List;

/**
 * The journal of a run: each side effect (a model call, a tool call) stored when it completes. A run resumed on
 * another attempt replays these instead of calling the model or the tool again.
 */
public final class StepStore {

    /** One completed step; {@code data} is the step's own JSON. */
    public record Step(int index, String kind, String data) {}

    private final Db db;
    private final Clock clock;

    public StepStore(Db db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public List<Step> steps(String runId) {
        return db.query("SELECT idx, kind, data FROM run_steps WHERE run_id = ? ORDER BY idx",
                rs -> new Step(rs.getInt(1), rs.getString(2), rs.getString(3)), runId);
    }

    /** The index after the run's last journaled step (0 for none). */
    public int nextIndex(String runId) {
        return (int) db.queryLong("SELECT COALESCE(MAX(idx) + 1, 0) FROM run_steps WHERE run_id = ?", runId);
    }

    /** As above, in the caller's transaction. */
    public int nextIndex(Db.Tx tx, String runId) {
        return tx.queryOne("SELECT COALESCE(MAX(idx) + 1, 0) FROM run_steps WHERE run_id = ?", rs -> rs.getInt(1), runId)
                .orElse(0);
    }

    /** Records a completed step. A step index already journaled is kept as it was (a replay never rewrites history). */
    public void record(String runId, int index, String kind, Object data) {
        db.inTransaction(tx -> {
            record(tx, runId, index, kind, data);
            return null;
        });
    }

    /** As above, in the caller's transaction. */
    public boolean record(Db.Tx tx, String runId, int index, String kind, Object data) {
        return 1 == tx.update("INSERT INTO run_steps(run_id, idx, kind, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                runId, index, kind, Json.write(data), Times.now(clock));
    }

    public void deleteForRuns(Db.Tx tx, List<String> runIds) {
        for (String id : runIds) {
            // With the journals of the agents a workflow run ran as nodes ("<run>/<node>"): a key range, which the
            // primary key serves ('0' follows '/'); LIKE would not, and would read '_' in an id as a wildcard.
            tx.update("DELETE FROM run_steps WHERE run_id = ? OR (run_id >= ? AND run_id < ?)", id, id + "/", id + "0");
        }
    }
}
