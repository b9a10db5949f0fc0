package dev.switchboard.llm;

import dev.switchboard.common.ApiException;
import dev.switchboard.config.Config;
import dev.switchboard.config.ProviderSettings;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** The configured model providers, their catalogs, and the one door through which every model call goes. */
public final class ProviderRegistry {
    private static final Logger log = LoggerFactory.getLogger(ProviderRegistry.class);

    public record ProviderInfo(String id, String name, String internalIdentifier, String description, String logo) {}

    public record ModelInfo(String modelId, String displayName, int tier, String description) {}

    public record ModelChoice(String provider, String model) {}

    /** Every provider identifier of the contract, in the order used to pick a default. */
    public static final List<String> KNOWN = List.of("openai", "anthropic", "gemini", "ollama", "open_router",
            "azure_ai_foundary", "amazon_bedrock", "google_ai_studio");

    /** Another name for a provider, as xpander clients may send it. */
    private static final Map<String, String> ALIASES = Map.of("google_ai_studio", "gemini");

    private static final Map<String, String> NAMES = Map.of("openai", "OpenAI", "anthropic", "Anthropic",
            "gemini", "Google Gemini", "ollama", "Ollama", "open_router", "OpenRouter",
            "azure_ai_foundary", "Azure AI Foundry", "amazon_bedrock", "Amazon Bedrock");

    private static final Map<String, String> DEFAULT_MODELS = Map.of("openai", "gpt-4.1",
            "anthropic", "claude-sonnet-4-5", "gemini", "gemini-2.5-flash", "ollama", "llama3.2",
            "open_router", "openai/gpt-4.1", "azure_ai_foundary", "gpt-4.1", "amazon_bedrock", "openai.gpt-oss-120b-1:0");

    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final Map<String, Provider> configured = new LinkedHashMap<>();
    private final Prices prices;
    private final Optional<String> defaultModelSetting;
    private final int retries;
    private final Duration retryBase;

    private final Metrics metrics;

    private final Tracing tracing;

    public ProviderRegistry(Config config, Clock clock, Metrics metrics,
                            Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        for (ProviderSettings s : config.providers().configured()) {
            configured.put(s.id(), Provider.of(s, clock));
        }
        this.defaultModelSetting = config.defaultModel();
        Map<String, Prices.Price> overrides = new java.util.HashMap<>();
        config.providers().prices().forEach((k, v) -> overrides.put(k, new Prices.Price(v.inputPerMillion(), v.outputPerMillion())));
        this.prices = new Prices(overrides);
        this.retries = config.providers().retries();
        this.retryBase = config.providers().retryBase();
    }

    public List<ProviderInfo> providers() {
        return configured.keySet().stream()
                .map(id -> new ProviderInfo(id, name(id), id, name(id) + " models", null))
                .toList();
    }

    /** A provider identifier of the contract, or one declared in the providers file. */
    public boolean isKnown(String provider) {
        return KNOWN.contains(provider) || configured.containsKey(provider);
    }

    public boolean isConfigured(String provider) { return find(provider).isPresent(); }

    public List<ModelInfo> models(String provider) {
        return find(provider).orElseThrow(() -> new ApiException.NotFound("LLM provider '" + provider + "' is not configured"))
                .catalog().models();
    }

    /** The model an agent gets when it names none: SWITCHBOARD_DEFAULT_MODEL, else the first configured provider's. */
    public ModelChoice defaultModel() {
        if (defaultModelSetting.isPresent()) {
            String[] parts = defaultModelSetting.get().split("/", 2);
            if (parts.length == 2) return new ModelChoice(parts[0], parts[1]);
        }
        for (String id : KNOWN) {
            Provider p = configured.get(id);
            if (p != null) return new ModelChoice(id, p.defaultModel());
        }
        if (!configured.isEmpty()) {
            var first = configured.entrySet().iterator().next();
            return new ModelChoice(first.getKey(), first.getValue().defaultModel());
        }
        return new ModelChoice("openai", "gpt-4.1");
    }

    /** What a model costs, for usage and max_cost_usd; empty when unknown. */
    public Optional<Prices.Price> price(String provider, String model) {
        return prices.price(ALIASES.getOrDefault(provider, provider), model);
    }

    /** The model used when a provider is named without one. */
    public String defaultModelFor(String provider) {
        return find(provider).map(Provider::defaultModel)
                .orElse(DEFAULT_MODELS.getOrDefault(ALIASES.getOrDefault(provider, provider), "gpt-4.1"));
    }

    /** Checks a per-run override; 422 naming what is available when it does not fit. */
    public void validateOverride(Optional<String> provider, Optional<String> model, String fallbackProvider) {
        String p = provider.orElse(fallbackProvider);
        Optional<Provider> found = find(p);
        if (found.isEmpty() && (provider.isPresent() || model.isPresent())) {
            throw ApiException.invalidBody("Provider '" + p + "' is not configured; available: "
                    + String.join(", ", configured.keySet()), "value_error", "llm_model_provider");
        }
        if (model.isPresent() && !found.get().catalog().accepts(model.get())) {
            List<String> ids = found.get().catalog().models().stream().map(ModelInfo::modelId).toList();
            throw ApiException.invalidBody("Model '" + model.get() + "' is not available from " + p
                    + "; available: " + String.join(", ", ids), "value_error", "llm_model_name");
        }
    }

    /**
     * Calls the model. Rate limits, timeouts, 5xx and network failures are retried with exponential backoff and
     * jitter; anything else fails at once. An interrupt of the calling thread cancels the call and the waiting.
     */
    public ModelReply chat(ModelRequest request) throws InterruptedException {
        return chat(request, ModelStream.NONE);
    }

    /** Like {@link #chat(ModelRequest)}, streaming the answer into {@code stream} as it comes. */
    public ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException {
        Span span = tracing.startChild("chat " + request.provider() + "/" + request.model(),
                SpanKind.CLIENT);
        span.setAttribute("gen_ai.system", request.provider());
        span.setAttribute("gen_ai.request.model", request.model());
        try (Scope scope = span.makeCurrent()) {
            ModelReply reply = chatRetrying(request, stream);
            span.setAttribute("gen_ai.usage.input_tokens", reply.promptTokens());
            span.setAttribute("gen_ai.usage.output_tokens", reply.completionTokens());
            return reply;
        } catch (ModelFailure f) {
            span.setStatus(StatusCode.ERROR, f.kind().name());
            throw f;
        } finally {
            span.end();
        }
    }

    private ModelReply chatRetrying(ModelRequest request, ModelStream stream) throws InterruptedException {
        Provider p = find(request.provider()).orElseThrow(() -> new ModelFailure(ModelFailure.Kind.NOT_CONFIGURED,
                notConfigured(request.provider())));
        // Wrapped only when streaming: providers take ModelStream.NONE as "no streaming".
        Watched watched = new Watched(stream);
        ModelStream sink = stream == ModelStream.NONE ? ModelStream.NONE : watched;
        long began = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                ModelReply reply = p.chat(request, sink);
                metrics.modelCall(request.provider(), request.model(), "ok", System.nanoTime() - began,
                        reply.promptTokens(), reply.completionTokens(),
                        price(request.provider(), request.model()).map(pr -> pr.cost(reply.promptTokens(),
                                reply.completionTokens())).orElse(null));
                return reply;
            } catch (ModelFailure f) {
                // Once part of an answer has streamed out, a retry would send it twice: fail instead.
                if (!f.kind().retriable() || attempt >= retries || watched.delivered) {
                    metrics.modelCall(request.provider(), request.model(), f.kind().name().toLowerCase(java.util.Locale.ROOT),
                            System.nanoTime() - began, 0, 0, null);
                    throw f;
                }
                metrics.modelRetry(request.provider(), f.kind().name().toLowerCase(java.util.Locale.ROOT));
                // The provider's own Retry-After wins over our backoff, within a sane ceiling.
                int done = attempt;
                Duration wait = f.retryAfter().map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d)
                        .orElseGet(() -> backoff(done));
                log.info("Model call to {} failed ({}); retry {} of {} in {} ms", request.provider(), f.kind(),
                        attempt + 1, retries, wait.toMillis());
                Thread.sleep(wait);
            }
        }
    }

    /**
     * Speech for voice output: the run's provider when it has a speech endpoint, else the openai provider.
     */
    public Speech.Audio speak(String provider, String text, String voice) throws InterruptedException {
        Speech speech = find(provider).flatMap(Provider::speech)
                .or(() -> find("openai").flatMap(Provider::speech))
                .orElseThrow(() -> new ModelFailure(ModelFailure.Kind.NOT_CONFIGURED,
                        "Voice output needs an OpenAI-compatible provider with a speech endpoint (set OPENAI_API_KEY)"));
        return speech.speak(text, voice);
    }

    /** A stream that remembers whether anything went through it. */
    private static final class Watched implements ModelStream {
        private final ModelStream inner;
        boolean delivered;

        Watched(ModelStream inner) { this.inner = inner; }

        @Override
        public void text(String delta) {
            delivered = true;
            inner.text(delta);
        }

        @Override
        public void thinking(String delta) {
            delivered = true;
            inner.thinking(delta);
        }
    }

    /** base × 2^attempt, with ±50 % jitter so that many runs hit by one outage do not retry in step. */
    Duration backoff(int attempt) {
        long base = retryBase.toMillis() << Math.min(attempt, 10);
        long jittered = (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
        return Duration.ofMillis(Math.min(jittered, 30_000));
    }

    /**
     * The embedding model knowledge bases use: the in-process one, or {@code <provider>/<model>} of a configured
     * provider (an unknown or unconfigured provider stops start-up with a message naming the setting).
     */
    public Embeddings embeddings(Optional<String> spec) {
        if (spec.isEmpty()) return Embeddings.local();
        String provider = spec.get().substring(0, spec.get().indexOf('/'));
        String model = spec.get().substring(spec.get().indexOf('/') + 1);
        Provider p = find(provider).orElseThrow(() -> new IllegalArgumentException(
                "SWITCHBOARD_EMBEDDING_MODEL names provider '" + provider + "': " + notConfigured(provider)));
        return Embeddings.remote(p.settings(), model);
    }

    private Optional<Provider> find(String provider) {
        if (provider == null) return Optional.empty();
        return Optional.ofNullable(configured.get(ALIASES.getOrDefault(provider, provider)))
                .or(() -> Optional.ofNullable(configured.get(provider)));
    }

    private String notConfigured(String provider) {
        if (configured.isEmpty()) {
            return "No LLM provider is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible "
                    + "server), ANTHROPIC_API_KEY, GEMINI_API_KEY or OLLAMA_BASE_URL";
        }
        return "LLM provider '" + provider + "' is not configured; configured: " + String.join(", ", configured.keySet());
    }

    private static String name(String id) {
        return NAMES.getOrDefault(id, id);
    }
}
