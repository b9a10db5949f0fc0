package dev.switchboard.orgs;

import dev.switchboard.storage.Db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Organizations and their API keys (hashed). */
final class OrgStore {
    record KeyRow(String id, String organizationId, String name, String prefix, boolean admin, String createdAt) {}

    private final Db db;

    OrgStore(Db db) { this.db = db; }

    Optional<String> defaultOrganizationId() {
        return db.queryOne("SELECT id FROM organizations ORDER BY created_at, id LIMIT 1", rs -> rs.getString(1));
    }

    void insertOrganization(String id, String name, String createdAt) {
        db.update("INSERT INTO organizations(id, name, created_at) VALUES (?, ?, ?)", id, name, createdAt);
    }

    void insertOrganizationWithKey(String orgId, String name, String createdAt, KeyRow key, String keyHash) {
        db.inTransaction(tx -> {
            tx.update("INSERT INTO organizations(id, name, created_at) VALUES (?, ?, ?)", orgId, name, createdAt);
            insertKey(tx, key, keyHash);
            return null;
        });
    }

    void insertKey(KeyRow key, String keyHash) {
        db.inTransaction(tx -> {
            insertKey(tx, key, keyHash);
            return null;
        });
    }

    private static void insertKey(Db.Tx tx, KeyRow key, String keyHash) {
        tx.update("""
                INSERT INTO api_keys(id, organization_id, name, key_hash, key_prefix, is_admin, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                key.id(), key.organizationId(), key.name(), keyHash, key.prefix(), key.admin(), key.createdAt());
    }

    boolean anyAdminKey() {
        return db.queryLong("SELECT COUNT(*) FROM api_keys WHERE is_admin = 1") > 0;
    }

    Optional<KeyRow> keyByHash(String hash) {
        return db.queryOne("SELECT * FROM api_keys WHERE key_hash = ?", OrgStore::key, hash);
    }

    List<KeyRow> keys(String organizationId) {
        return db.query("SELECT * FROM api_keys WHERE organization_id = ? ORDER BY created_at, id",
                OrgStore::key, organizationId);
    }

    boolean deleteKey(String organizationId, String keyId) {
        return db.update("DELETE FROM api_keys WHERE organization_id = ? AND id = ?", organizationId, keyId) > 0;
    }

    private static KeyRow key(ResultSet rs) throws SQLException {
        return new KeyRow(rs.getString("id"), rs.getString("organization_id"), rs.getString("name"),
                rs.getString("key_prefix"), rs.getInt("is_admin") == 1, rs.getString("created_at"));
    }
}
