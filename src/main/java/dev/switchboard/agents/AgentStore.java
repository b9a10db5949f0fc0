package dev.switchboard.agents;

import dev.switchboard.common.Json;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/** Agents with their draft, and their deployed versions (never changed once written). */
final class AgentStore {

    record Row(String id, String organizationId, int deployedVersion, boolean hasPendingChanges, AgentConfig draft,
               String createdAt, String updatedAt) {}

    record VersionRow(int version, AgentConfig config, String createdAt) {}

    private static final int PARSED_VERSIONS_KEPT = 1024;

    private final Db db;
    private final Map<String, VersionRow> parsedVersions = new ConcurrentHashMap<>();
    // The webhook secret and the extra header values are used again in clear, so they are stored encrypted.
    private final SecretBox box;

    // Every query is of this kind only: an agent id is no workflow, and the reverse.
    private final String kind;

    AgentStore(Db db, SecretBox box, Kind kind) {
        this.db = db;
        this.box = box;
        this.kind = kind.stored();
    }

    private String write(AgentConfig config) { return Json.write(config.withSecrets(box::seal)); }

    private AgentConfig read(String json) { return Json.read(json, AgentConfig.class).withSecrets(box::open); }

    void insert(Row row) {
        db.inTransaction(tx -> {
            tx.update("""
                    INSERT INTO agents(id, organization_id, kind, name, deployed_version, has_pending_changes, draft, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    row.id(), row.organizationId(), kind, row.draft().name(), row.deployedVersion(), row.hasPendingChanges(),
                    write(row.draft()), row.createdAt(), row.updatedAt());
            tx.update("INSERT INTO agent_versions(agent_id, version, config, created_at) VALUES (?, ?, ?, ?)",
                    row.id(), row.deployedVersion(), write(row.draft()), row.createdAt());
            return null;
        });
    }

    Optional<Row> find(String organizationId, String id) {
        return db.queryOne("SELECT * FROM agents WHERE organization_id = ? AND id = ? AND kind = ?", this::row,
                organizationId, id, kind);
    }

    /** The oldest of this kind with that name in the organization (names are not unique; agents as code use them). */
    Optional<Row> findByName(String organizationId, String name) {
        return db.queryOne("SELECT * FROM agents WHERE organization_id = ? AND kind = ? AND name = ? ORDER BY created_at, id LIMIT 1",
                this::row, organizationId, kind, name);
    }

    List<Row> list(String organizationId, int limit, long offset) {
        return db.query("SELECT * FROM agents WHERE organization_id = ? AND kind = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                this::row, organizationId, kind, limit, offset);
    }

    long count(String organizationId) {
        return db.queryLong("SELECT COUNT(*) FROM agents WHERE organization_id = ? AND kind = ?", organizationId, kind);
    }

    /** Saves a new draft; when deploying, publishes it as the next version in the same transaction. */
    Row saveDraft(Row current, AgentConfig draft, boolean deploy, String now) {
        return db.inTransaction(tx -> {
            int version = current.deployedVersion();
            if (deploy) {
                version = tx.queryOne("SELECT MAX(version) FROM agent_versions WHERE agent_id = ?",
                        rs -> rs.getInt(1), current.id()).orElse(0) + 1;
                tx.update("INSERT INTO agent_versions(agent_id, version, config, created_at) VALUES (?, ?, ?, ?)",
                        current.id(), version, write(draft), now);
            }
            tx.update("""
                    UPDATE agents SET name = ?, draft = ?, deployed_version = ?, has_pending_changes = ?, updated_at = ?
                    WHERE id = ?""",
                    draft.name(), write(draft), version, !deploy, now, current.id());
            return new Row(current.id(), current.organizationId(), version, !deploy, draft, current.createdAt(), now);
        });
    }

    boolean delete(String organizationId, String id) {
        return db.update("DELETE FROM agents WHERE organization_id = ? AND id = ? AND kind = ?", organizationId, id, kind) > 0;
    }

    List<VersionRow> versions(String agentId) {
        return db.query("SELECT * FROM agent_versions WHERE agent_id = ? ORDER BY version DESC", this::version, agentId);
    }

    /** The deployed version of an agent, without reading its draft: what every invoke needs first. */
    Optional<Integer> deployedVersion(String organizationId, String id) {
        return db.queryOne("SELECT deployed_version FROM agents WHERE organization_id = ? AND id = ? AND kind = ?",
                rs -> rs.getInt(1), organizationId, id, kind);
    }

    /**
     * One deployed version. Versions never change once written, so they are kept parsed: every invoke needs one, and
     * parsing and decrypting an agent's configuration cost more than the rest of an accept. The agent's own row is
     * read first (deployedVersion), so a deleted agent's versions are never served from here.
     */
    Optional<VersionRow> version(String agentId, int version) {
        String key = agentId + '#' + version;
        VersionRow cached = parsedVersions.get(key);
        if (cached != null) return Optional.of(cached);
        Optional<VersionRow> row = db.queryOne("SELECT * FROM agent_versions WHERE agent_id = ? AND version = ?",
                this::version, agentId, version);
        row.ifPresent(r -> {
            if (parsedVersions.size() >= PARSED_VERSIONS_KEPT) parsedVersions.clear();
            parsedVersions.put(key, r);
        });
        return row;
    }

    private Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString("id"), rs.getString("organization_id"), rs.getInt("deployed_version"),
                rs.getInt("has_pending_changes") == 1, read(rs.getString("draft")),
                rs.getString("created_at"), rs.getString("updated_at"));
    }

    private VersionRow version(ResultSet rs) throws SQLException {
        return new VersionRow(rs.getInt("version"), read(rs.getString("config")),
                rs.getString("created_at"));
    }
}
