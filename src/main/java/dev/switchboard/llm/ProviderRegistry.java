package dev.switchboard.llm;

import dev.switchboard.common.ApiException;
import dev.switchboard.config.Config;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured model providers, their catalogs, and the one door through which every model call goes. */
public final class ProviderRegistry {

    public record ProviderInfo(String id, String name, String internalIdentifier, String description, String logo) {}

    public record ModelInfo(String modelId, String displayName, int tier, String description) {}

    public record ModelChoice(String provider, String model) {}

    /** Every provider identifier of the contract, in the order used to pick a default. */
    public static final List<String> KNOWN = List.of("openai", "anthropic", "gemini", "ollama", "open_router",
            "azure_ai_foundary", "amazon_bedrock", "google_ai_studio");

    private static final Map<String, String> NAMES = Map.of("openai", "OpenAI", "anthropic", "Anthropic",
            "gemini", "Google Gemini", "google_ai_studio", "Google AI Studio", "ollama", "Ollama",
            "open_router", "OpenRouter", "azure_ai_foundary", "Azure AI Foundry", "amazon_bedrock", "Amazon Bedrock");

    private final Map<String, Provider> configured = new LinkedHashMap<>();
    private final Optional<String> defaultModelSetting;

    public ProviderRegistry(Config config, Clock clock) {
        config.providers().openai().ifPresent(o -> configured.put("openai", new OpenAiProvider(o.apiKey(), o.baseUrl(), clock)));
        this.defaultModelSetting = config.defaultModel();
    }

    public List<ProviderInfo> providers() {
        return configured.keySet().stream()
                .map(id -> new ProviderInfo(id, NAMES.getOrDefault(id, id), id, NAMES.getOrDefault(id, id) + " models", null))
                .toList();
    }

    public boolean isKnown(String provider) { return KNOWN.contains(provider); }

    public boolean isConfigured(String provider) { return configured.containsKey(provider); }

    public List<ModelInfo> models(String provider) {
        Provider p = configured.get(provider);
        if (p == null) {
            throw new ApiException.NotFound("LLM provider '" + provider + "' is not configured");
        }
        return p.catalog();
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
        return new ModelChoice("openai", "gpt-4.1");
    }

    private static final Map<String, String> DEFAULT_MODELS = Map.of("openai", "gpt-4.1",
            "anthropic", "claude-sonnet-4-5", "gemini", "gemini-2.5-flash", "google_ai_studio", "gemini-2.5-flash",
            "ollama", "llama3.2", "open_router", "openai/gpt-4.1", "azure_ai_foundary", "gpt-4.1",
            "amazon_bedrock", "anthropic.claude-sonnet-4-5");

    /** The model used when a provider is named without one. */
    public String defaultModelFor(String provider) {
        Provider p = configured.get(provider);
        return p != null ? p.defaultModel() : DEFAULT_MODELS.getOrDefault(provider, "gpt-4.1");
    }

    /** Checks a per-run override; 422 naming what is available when it does not fit. */
    public void validateOverride(Optional<String> provider, Optional<String> model, String fallbackProvider) {
        String p = provider.orElse(fallbackProvider);
        if (provider.isPresent() && !configured.containsKey(p)) {
            throw ApiException.invalidBody("Provider '" + p + "' is not configured; available: "
                    + String.join(", ", configured.keySet()), "value_error", "llm_model_provider");
        }
        if (model.isPresent()) {
            Provider prov = configured.get(p);
            if (prov == null) {
                throw ApiException.invalidBody("Provider '" + p + "' is not configured; available: "
                        + String.join(", ", configured.keySet()), "value_error", "llm_model_provider");
            }
            if (prov.acceptsAnyModel()) return;
            List<String> ids = prov.catalog().stream().map(ModelInfo::modelId).toList();
            if (!ids.contains(model.get())) {
                throw ApiException.invalidBody("Model '" + model.get() + "' is not available from " + p
                        + "; available: " + String.join(", ", ids), "value_error", "llm_model_name");
            }
        }
    }

    /** Calls the model; an interrupt of the calling thread cancels the call. */
    public ModelReply chat(ModelRequest request) throws InterruptedException {
        Provider p = configured.get(request.provider());
        if (p == null) {
            String hint = configured.isEmpty()
                    ? "No LLM provider is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server)"
                    : "LLM provider '" + request.provider() + "' is not configured; configured: " + String.join(", ", configured.keySet());
            throw new ModelFailure(ModelFailure.Kind.NOT_CONFIGURED, hint);
        }
        return p.chat(request);
    }
}
