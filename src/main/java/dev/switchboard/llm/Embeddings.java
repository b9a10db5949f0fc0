package dev.switchboard.llm;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.switchboard.config.ProviderSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Text to vectors. By default in-process: all-MiniLM-L6-v2 (quantized) on the ONNX runtime bundled with LangChain4j,
 * 384 dimensions, no network and no key. With {@code SWITCHBOARD_EMBEDDING_MODEL=<provider>/<model>}, a configured
 * OpenAI-compatible or Ollama provider's embedding model instead. The model is built on first use (the local one
 * takes about 1.5 s to load), not at start-up. Vectors come back normalized to length 1, so cosine similarity is a
 * dot product.
 */
public final class Embeddings {
    private static final int BATCH = 64;

    private final String name;
    private final Supplier<EmbeddingModel> factory;
    private volatile EmbeddingModel model;

    private Embeddings(String name, Supplier<EmbeddingModel> factory) {
        this.name = name;
        this.factory = factory;
    }

    public static Embeddings local() {
        return new Embeddings("local/all-minilm-l6-v2-q", AllMiniLmL6V2QuantizedEmbeddingModel::new);
    }

    static Embeddings remote(ProviderSettings settings, String modelName) {
        String key = settings.apiKey().orElse("none");
        Supplier<EmbeddingModel> factory = switch (settings.kind()) {
            case OPENAI_COMPATIBLE -> () -> OpenAiEmbeddingModel.builder().baseUrl(settings.baseUrl()).apiKey(key)
                    .modelName(modelName).customHeaders(settings.headers()).maxRetries(2)
                    .httpClientBuilder(ProviderHttp.builder()).build();
            case OLLAMA -> () -> OllamaEmbeddingModel.builder().baseUrl(settings.baseUrl()).modelName(modelName)
                    .httpClientBuilder(ProviderHttp.builder()).build();
            case ANTHROPIC, GEMINI -> throw new IllegalArgumentException("SWITCHBOARD_EMBEDDING_MODEL: provider '"
                    + settings.id() + "' has no embedding model here; use an OpenAI-compatible or Ollama provider, or local");
        };
        return new Embeddings(settings.id() + "/" + modelName, factory);
    }

    /** The model in use, as {@code provider/model}. */
    public String name() { return name; }

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
                if (model == null) model = factory.get();
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
