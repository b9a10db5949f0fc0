package dev.switchboard.knowledge;


import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact cosine search over a knowledge base's chunks, from a copy of its vectors kept in memory: reading 100,000
 * vectors from the database for every query would cost more than the search. The copy is reloaded when the
 * knowledge base's version (bumped in every transaction that changes its chunks, on any node) is not the one it
 * was loaded at, so a search never sees chunks that are gone or misses a completed document.
 */
final class VectorIndex {
    /** One search hit: the chunk and its similarity to the query (cosine, -1 to 1). */
    record Hit(long chunkId, String documentId, double score) {}

    // dims: the length of the vectors loaded; chunks embedded by another model (another length) are left out, as
    // they cannot be compared with this model's queries (changing SWITCHBOARD_EMBEDDING_MODEL means ingesting again).
    private record Loaded(long version, int dims, long[] chunkIds, String[] documentIds, float[] vectors) {}

    private final KnowledgeStore store;
    private final ConcurrentHashMap<String, Loaded> loaded = new ConcurrentHashMap<>();

    VectorIndex(KnowledgeStore store) { this.store = store; }

    /** {@code version}: the knowledge base's version, as its caller just read it (a newer one reloads the vectors). */
    List<Hit> search(String kbId, long version, float[] query, int topK) {
        Loaded index = current(kbId, version, query.length);
        int dims = index.dims();
        int n = index.chunkIds().length;
        PriorityQueue<Hit> best = new PriorityQueue<>(Comparator.comparingDouble(Hit::score));
        float[] v = index.vectors();
        for (int i = 0; i < n; i++) {
            double dot = 0;
            int base = i * dims;
            for (int d = 0; d < dims; d++) dot += v[base + d] * query[d];
            if (best.size() < topK) {
                best.add(new Hit(index.chunkIds()[i], index.documentIds()[i], dot));
            } else if (dot > best.peek().score()) {
                best.poll();
                best.add(new Hit(index.chunkIds()[i], index.documentIds()[i], dot));
            }
        }
        List<Hit> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(Hit::score).reversed());
        return out;
    }

    void forget(String kbId) {
        loaded.remove(kbId);
    }

    private Loaded current(String kbId, long version, int dims) {
        Loaded index = loaded.get(kbId);
        if (index != null && index.version() == version && index.dims() == dims) return index;
        List<KnowledgeStore.Vector> vectors = store.vectors(kbId).stream().filter(v -> v.embedding().length == dims).toList();
        long[] ids = new long[vectors.size()];
        String[] docs = new String[vectors.size()];
        float[] matrix = new float[vectors.size() * dims];
        for (int i = 0; i < vectors.size(); i++) {
            ids[i] = vectors.get(i).chunkId();
            docs[i] = vectors.get(i).documentId();
            System.arraycopy(vectors.get(i).embedding(), 0, matrix, i * dims, dims);
        }
        // The version read before the vectors: a change committed in between makes the next search reload.
        Loaded fresh = new Loaded(version, dims, ids, docs, matrix);
        loaded.put(kbId, fresh);
        return fresh;
    }
}
