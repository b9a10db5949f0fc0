package dev.switchboard.knowledge;

import dev.switchboard.storage.Db;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Knowledge bases, their documents, and the documents' chunks with their embeddings. */
final class KnowledgeStore {

    record Base(String id, String organizationId, String name, String description, long version, long documents,
                String createdAt, String updatedAt) {}

    record Document(String id, String kbId, String organizationId, long position, String name, String documentUrl,
                    String status, String error, String contentType, int chunksCount, String createdAt, String updatedAt) {}

    /** A chunk as search needs it first: its id, its document, its vector. */
    record Vector(long chunkId, String documentId, float[] embedding) {}

    record Chunk(long id, String documentId, String documentName, String content) {}

    private final Db db;

    KnowledgeStore(Db db) { this.db = db; }

    Db db() { return db; }

    // ---- knowledge bases ----

    void insert(Base kb) {
        db.update("INSERT INTO knowledge_bases(id, organization_id, name, description, version, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, 0, ?, ?)", kb.id(), kb.organizationId(), kb.name(), kb.description(),
                kb.createdAt(), kb.updatedAt());
    }

    Optional<Base> find(String org, String id) {
        return db.queryOne(BASE_SELECT + " WHERE k.organization_id = ? AND k.id = ?", KnowledgeStore::base, org, id);
    }

    List<Base> list(String org, int limit, long offset) {
        return db.query(BASE_SELECT + " WHERE k.organization_id = ? ORDER BY k.created_at DESC, k.id LIMIT ? OFFSET ?",
                KnowledgeStore::base, org, limit, offset);
    }

    long count(String org) {
        return db.queryLong("SELECT COUNT(*) FROM knowledge_bases WHERE organization_id = ?", org);
    }

    void update(String org, String id, String name, String description, String now) {
        db.update("UPDATE knowledge_bases SET name = ?, description = ?, updated_at = ? WHERE organization_id = ? AND id = ?",
                name, description, now, org, id);
    }

    boolean delete(String org, String id) {
        return db.inTransaction(tx -> {
            // The queued ingestions of its documents go with it (their rows would otherwise be claimed for nothing).
            tx.update("DELETE FROM run_queue WHERE run_id IN (SELECT id FROM kb_documents WHERE kb_id = ?)", id);
            return tx.update("DELETE FROM knowledge_bases WHERE organization_id = ? AND id = ?", org, id) > 0;
        });
    }

    // ---- documents ----

    void insertDocument(Db.Tx tx, Document d) {
        long position = tx.queryOne("SELECT COALESCE(MAX(position), 0) + 1 FROM kb_documents WHERE kb_id = ?",
                rs -> rs.getLong(1), d.kbId()).orElse(1L);
        tx.update("""
                INSERT INTO kb_documents(id, kb_id, organization_id, position, name, document_url, status, chunks_count,
                                         created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
                d.id(), d.kbId(), d.organizationId(), position, d.name(), d.documentUrl(), d.status(), d.createdAt(),
                d.updatedAt());
    }

    Optional<Document> document(String kbId, String id) {
        return db.queryOne("SELECT * FROM kb_documents WHERE kb_id = ? AND id = ?", KnowledgeStore::document, kbId, id);
    }

    Optional<Document> document(String id) {
        return db.queryOne("SELECT * FROM kb_documents WHERE id = ?", KnowledgeStore::document, id);
    }

    Optional<String> rawData(String id) {
        return db.queryOne("SELECT raw_data FROM kb_documents WHERE id = ?", rs -> rs.getString(1), id);
    }

    List<Document> documents(String kbId, int limit, long offset) {
        return db.query("SELECT * FROM kb_documents WHERE kb_id = ? ORDER BY position LIMIT ? OFFSET ?",
                KnowledgeStore::document, kbId, limit, offset);
    }

    long countDocuments(String kbId) {
        return db.queryLong("SELECT COUNT(*) FROM kb_documents WHERE kb_id = ?", kbId);
    }

    void markProcessing(String id, String now) {
        db.update("UPDATE kb_documents SET status = 'processing', updated_at = ? WHERE id = ?", now, id);
    }

    /** The document's chunks replace any it had (so ingesting twice is ingesting once), and it is completed. */
    void completed(Db.Tx tx, Document d, String name, String contentType, String text, List<String> chunks,
                   List<float[]> embeddings, String now) {
        tx.update("DELETE FROM kb_chunks WHERE document_id = ?", d.id());
        for (int i = 0; i < chunks.size(); i++) {
            tx.update("INSERT INTO kb_chunks(kb_id, document_id, ordinal, content, embedding) VALUES (?, ?, ?, ?, ?)",
                    d.kbId(), d.id(), i, chunks.get(i), bytes(embeddings.get(i)));
        }
        tx.update("""
                UPDATE kb_documents SET status = 'completed', error = NULL, name = ?, content_type = ?, raw_data = ?,
                       chunks_count = ?, updated_at = ? WHERE id = ?""", name, contentType, text, chunks.size(), now, d.id());
        bumpVersion(tx, d.kbId(), now);
    }

    void failed(Db.Tx tx, Document d, String error, String now) {
        tx.update("DELETE FROM kb_chunks WHERE document_id = ?", d.id());
        tx.update("UPDATE kb_documents SET status = 'failed', error = ?, chunks_count = 0, updated_at = ? WHERE id = ?",
                error, now, d.id());
        bumpVersion(tx, d.kbId(), now);
    }

    boolean deleteDocument(String kbId, String id, String now) {
        return db.inTransaction(tx -> {
            tx.update("DELETE FROM run_queue WHERE run_id = ?", id);
            boolean gone = tx.update("DELETE FROM kb_documents WHERE kb_id = ? AND id = ?", kbId, id) > 0;
            if (gone) bumpVersion(tx, kbId, now);
            return gone;
        });
    }

    private static void bumpVersion(Db.Tx tx, String kbId, String now) {
        tx.update("UPDATE knowledge_bases SET version = version + 1, updated_at = ? WHERE id = ?", now, kbId);
    }

    // ---- chunks ----

    /** Every searchable vector of a knowledge base (its completed documents' chunks). */
    List<Vector> vectors(String kbId) {
        return db.query("""
                SELECT c.id, c.document_id, c.embedding FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id
                WHERE c.kb_id = ? AND d.status = 'completed' ORDER BY c.id""",
                rs -> new Vector(rs.getLong(1), rs.getString(2), floats(rs.getBytes(3))), kbId);
    }

    List<Chunk> chunks(List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
        return db.query("SELECT c.id, c.document_id, d.name, c.content FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id "
                        + "WHERE c.id IN (" + marks + ")",
                rs -> new Chunk(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)), ids.toArray());
    }

    private static final String BASE_SELECT = """
            SELECT k.*, (SELECT COUNT(*) FROM kb_documents d WHERE d.kb_id = k.id) AS documents
            FROM knowledge_bases k""";

    private static Base base(ResultSet rs) throws SQLException {
        return new Base(rs.getString("id"), rs.getString("organization_id"), rs.getString("name"),
                rs.getString("description"), rs.getLong("version"), rs.getLong("documents"), rs.getString("created_at"),
                rs.getString("updated_at"));
    }

    private static Document document(ResultSet rs) throws SQLException {
        return new Document(rs.getString("id"), rs.getString("kb_id"), rs.getString("organization_id"),
                rs.getLong("position"), rs.getString("name"), rs.getString("document_url"), rs.getString("status"),
                rs.getString("error"), rs.getString("content_type"), rs.getInt("chunks_count"),
                rs.getString("created_at"), rs.getString("updated_at"));
    }

    static byte[] bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) v[i] = b.getFloat();
        return v;
    }
}
