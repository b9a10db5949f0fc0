package dev.switchboard.llm;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Text to vectors, in-process: all-MiniLM-L6-v2 (quantized) on the ONNX runtime bundled with LangChain4j, 384
 * dimensions, no network and no key. The model loads on first use (about 1.5 s), not at start-up. Vectors come back
 * normalized to length 1, so cosine similarity is a dot product.
 */
public final class Embeddings {
    public static final int DIMENSIONS = 384;
    private static final int BATCH = 64;

    private volatile EmbeddingModel model;

    public float[] embed(String text) {
        return embedAll(List.of(text)).getFirst();
    }

    public List<float[]> embedAll(List<String> texts) {
        EmbeddingModel m = model();
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += BATCH) {
            List<TextSegment> batch = texts.subList(i, Math.min(texts.size(), i + BATCH)).stream().map(TextSegment::from).toList();
            for (Embedding e : m.embedAll(batch).content()) out.add(normalized(e.vector()));
        }
        return out;
    }

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (model == null) model = new AllMiniLmL6V2QuantizedEmbeddingModel();
                m = model;
            }
        }
        return m;
    }

    private static float[] normalized(float[] v) {
        double sum = 0;
        for (float x : v) sum += x * x;
        double norm = Math.sqrt(sum);
        if (norm == 0) return v;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / norm);
        return out;
    }
}
