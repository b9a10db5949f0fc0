package dev.switchboard.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Page;
import dev.switchboard.common.Times;
import dev.switchboard.files.FileStore;
import dev.switchboard.files.StoredFile;
import dev.switchboard.llm.Embeddings;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.Worker;
import dev.switchboard.tools.KnowledgeSearch;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Knowledge bases (CONTRACT §9, xpander's shapes): CRUD, documents by URL or upload, and semantic search. */
public final class KnowledgeService implements KnowledgeSearch {
    public static final int DEFAULT_TOP_K = 5;
    public static final int MAX_TOP_K = 50;
    private static final int MAX_NAME = 200;
    private static final int MAX_URLS = 100;

    /** {@code POST /v1/knowledge} and {@code PATCH}: xpander's body. */
    public record KnowledgeRequest(String name, String description) {}

    /** {@code POST /v1/knowledge/{id}/documents} by URL. */
    public record DocumentsRequest(List<String> documentUrls) {}

    /** One search result, as the API shows it. */

    private final KnowledgeStore store;
    private final VectorIndex index;
    private final RunQueue queue;
    private final Worker worker;
    private final FileStore files;
    private final Embeddings embeddings;
    private final Ids ids;
    private final Clock clock;

    KnowledgeService(KnowledgeStore store, VectorIndex index, RunQueue queue, Worker worker, FileStore files,
                     Embeddings embeddings, Ids ids, Clock clock) {
        this.store = store;
        this.index = index;
        this.queue = queue;
        this.worker = worker;
        this.files = files;
        this.embeddings = embeddings;
        this.ids = ids;
        this.clock = clock;
    }

    public Map<String, Object> create(String org, KnowledgeRequest body) {
        String name = name(body.name());
        String now = Times.now(clock);
        KnowledgeStore.Base kb = new KnowledgeStore.Base(ids.next(), org, name, body.description(), 0, 0, now, now);
        store.insert(kb);
        return view(kb);
    }

    public Page<Map<String, Object>> list(String org, Page.Request page) {
        List<Map<String, Object>> items = store.list(org, page.perPage(), page.offset()).stream().map(KnowledgeService::view).toList();
        return Page.of(items, store.count(org), page);
    }

    public Map<String, Object> get(String org, String id) {
        return view(find(org, id));
    }

    /** PATCH takes the create body; a field left out keeps its value. */
    public Map<String, Object> update(String org, String id, ObjectNode body) {
        KnowledgeStore.Base kb = find(org, id);
        String name = body.has("name") ? name(text(body, "name")) : kb.name();
        String description = body.has("description") ? text(body, "description") : kb.description();
        store.update(org, id, name, description, Times.now(clock));
        return view(find(org, id));
    }

    public void delete(String org, String id) {
        if (!store.delete(org, id)) throw notFound();
        index.forget(id);
    }

    // ---- documents ----

    public List<Map<String, Object>> addByUrl(String org, String kbId, DocumentsRequest body) {
        find(org, kbId);
        List<String> urls = body.documentUrls() == null ? List.of() : body.documentUrls();
        if (urls.isEmpty()) throw ApiException.invalidBody("Give at least one URL", "missing", "document_urls");
        if (urls.size() > MAX_URLS) {
            throw ApiException.invalidBody("At most " + MAX_URLS + " URLs at once", "too_long", "document_urls");
        }
        for (int i = 0; i < urls.size(); i++) {
            String u = urls.get(i);
            if (u == null || !(u.startsWith("http://") || u.startsWith("https://") || u.startsWith("/v1/files/"))) {
                throw ApiException.invalidBody("A document URL must be an http(s) URL or /v1/files/{id}", "url_parsing",
                        "document_urls", String.valueOf(i));
            }
        }
        return add(org, kbId, urls, null);
    }

    /** An uploaded document: stored as the organization's file, then ingested from it like a URL. */
    public Map<String, Object> addUpload(String org, String kbId, String fileName, String contentType, byte[] bytes) {
        find(org, kbId);
        StoredFile f = files.save(org, fileName, contentType, bytes);
        return add(org, kbId, List.of(f.url()), fileName).getFirst();
    }

    private List<Map<String, Object>> add(String org, String kbId, List<String> urls, String name) {
        String now = Times.now(clock);
        List<KnowledgeStore.Document> docs = new ArrayList<>();
        store.db().inTransaction(tx -> {
            for (String url : urls) {
                var d = new KnowledgeStore.Document(ids.next(), kbId, org, 0, name, url, "pending", null, null, 0, now, now);
                store.insertDocument(tx, d);
                queue.enqueue(tx, d.id(), IngestHandler.KIND, d.id());
                docs.add(d);
            }
            return null;
        });
        worker.signal();
        return docs.stream().map(d -> documentView(d, false)).toList();
    }

    public Page<Map<String, Object>> documents(String org, String kbId, Page.Request page) {
        find(org, kbId);
        List<Map<String, Object>> items = store.documents(kbId, page.perPage(), page.offset()).stream()
                .map(d -> documentView(d, false)).toList();
        return Page.of(items, store.countDocuments(kbId), page);
    }

    public Map<String, Object> document(String org, String kbId, String id) {
        find(org, kbId);
        KnowledgeStore.Document d = store.document(kbId, id).orElseThrow(() -> new ApiException.NotFound("Document not found"));
        return documentView(d, true);
    }

    public void deleteDocument(String org, String kbId, String id) {
        find(org, kbId);
        if (!store.deleteDocument(kbId, id, Times.now(clock))) throw new ApiException.NotFound("Document not found");
    }

    // ---- search ----

    public List<KnowledgeSearch.Hit> search(String org, String kbId, Optional<String> query, Optional<Integer> topK) {
        long version = find(org, kbId).version();
        String q = query.filter(s -> !s.isBlank())
                .orElseThrow(() -> ApiException.invalidQuery("search_query", "Field required"));
        int k = topK.orElse(DEFAULT_TOP_K);
        if (k < 1 || k > MAX_TOP_K) throw ApiException.invalidQuery("top_k", "top_k is 1 to " + MAX_TOP_K);
        return search(kbId, version, embeddings.embed(q), k);
    }

    /** The {@code k} chunks most similar to the query, best first; {@code version}: the knowledge base's, as just read. */
    private List<KnowledgeSearch.Hit> search(String kbId, long version, float[] query, int k) {
        List<VectorIndex.Hit> hits = index.search(kbId, version, query, k);
        Map<Long, KnowledgeStore.Chunk> chunks = new LinkedHashMap<>();
        for (KnowledgeStore.Chunk c : store.chunks(hits.stream().map(VectorIndex.Hit::chunkId).toList())) chunks.put(c.id(), c);
        List<KnowledgeSearch.Hit> out = new ArrayList<>();
        for (VectorIndex.Hit h : hits) {
            KnowledgeStore.Chunk c = chunks.get(h.chunkId());
            if (c != null) out.add(new KnowledgeSearch.Hit(c.content(), Math.round(h.score() * 10_000) / 10_000.0, c.documentId(), c.documentName()));
        }
        return out;
    }

    /** For runs: across the agent's knowledge bases that exist in its organization, the best passages overall. */
    @Override
    public List<KnowledgeSearch.Hit> search(String org, List<String> kbIds, String query, int k) {
        List<KnowledgeSearch.Hit> all = new ArrayList<>();
        float[] vector = null;
        for (String kbId : new java.util.LinkedHashSet<>(kbIds)) {
            Optional<KnowledgeStore.Base> kb = store.find(org, kbId);
            if (kb.isEmpty()) continue;
            if (vector == null) vector = embeddings.embed(query);
            all.addAll(search(kbId, kb.get().version(), vector, k));
        }
        all.sort(java.util.Comparator.comparingDouble(KnowledgeSearch.Hit::score).reversed());
        return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
    }

    private KnowledgeStore.Base find(String org, String id) {
        return store.find(org, id).orElseThrow(KnowledgeService::notFound);
    }

    private static ApiException.NotFound notFound() {
        return new ApiException.NotFound("Knowledge base not found");
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) throw ApiException.invalidBody("Field required", "missing", "name");
        if (name.length() > MAX_NAME) {
            throw ApiException.invalidBody("A name is at most " + MAX_NAME + " characters", "string_too_long", "name");
        }
        return name.strip();
    }

    private static String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.invalidBody("Input should be a valid string", "string_type", field);
        return v.asText();
    }

    /** xpander's KnowledgeBaseItem. */
    private static Map<String, Object> view(KnowledgeStore.Base kb) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", kb.id());
        m.put("name", kb.name());
        m.put("description", kb.description());
        m.put("type", "managed");
        m.put("organization_id", kb.organizationId());
        m.put("agent_id", null);
        m.put("total_documents", kb.documents());
        m.put("created_at", kb.createdAt());
        m.put("updated_at", kb.updatedAt());
        return m;
    }

    private Map<String, Object> documentView(KnowledgeStore.Document d, boolean whole) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kb_id", d.kbId());
        m.put("id", d.id());
        m.put("name", d.name());
        m.put("document_url", d.documentUrl());
        m.put("status", d.status());
        m.put("chunks_count", d.chunksCount());
        m.put("error", d.error());
        m.put("content_type", d.contentType());
        if (whole) {
            m.put("organization_id", d.organizationId());
            m.put("raw_data", store.rawData(d.id()).orElse(null));
            m.put("local_env", false);
            m.put("sync", false);
        }
        m.put("created_at", d.createdAt());
        m.put("updated_at", d.updatedAt());
        return m;
    }
}
