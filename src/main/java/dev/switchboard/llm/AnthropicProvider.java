package dev.switchboard.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.switchboard.config.ProviderSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Anthropic's messages protocol; reasoning effort becomes an extended-thinking budget. */
final class AnthropicProvider implements Provider {
    private static final String API_VERSION = "2023-06-01";
    // Room for the answer itself, above any thinking budget (Anthropic requires max_tokens > budget).
    private static final int ANSWER_TOKENS = 8192;
    private static final List<String> BUILT_IN = List.of("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5",
            "claude-sonnet-4-0", "claude-3-7-sonnet-latest", "claude-3-5-haiku-latest");

    private final ProviderSettings settings;
    private final HttpClient.Builder httpBuilder = ModelCalls.httpBuilder();
    private final Catalog catalog;
    private final ConcurrentHashMap<String, ChatModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamingChatModel> streamingModels = new ConcurrentHashMap<>();

    AnthropicProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        Map<String, String> listingHeaders = new HashMap<>(settings.headers());
        settings.apiKey().ifPresent(k -> listingHeaders.put("x-api-key", k));
        listingHeaders.put("anthropic-version", API_VERSION);
        this.catalog = new Catalog(settings.models(),
                new Catalog.Listing(settings.baseUrl() + "/models?limit=100", listingHeaders, Catalog.idsAt("data", "id", "")),
                BUILT_IN, settings.allowAnyModel(), httpBuilder.build(), clock);
    }

    @Override public ProviderSettings settings() { return settings; }

    @Override public Catalog catalog() { return catalog; }

    @Override public String defaultModel() { return settings.defaultModel().orElse("claude-sonnet-4-5"); }

    @Override
    public ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException {
        String base = request.apiBase().map(b -> b.replaceAll("/+$", "")).orElse(settings.baseUrl()) + "/";
        Map<String, String> headers = ModelCalls.headers(settings.headers(), request.extraHeaders());
        String key = settings.apiKey().orElse("none");
        String cacheKey = ModelCalls.cacheKey(base, headers);
        var params = AnthropicChatRequestParameters.builder().modelName(request.model());
        Optional<Integer> budget = request.reasoningEffort().flatMap(e -> Efforts.anthropicBudget(e, request.model()));
        budget.ifPresent(b -> params.thinkingType("enabled").thinkingBudgetTokens(b).maxOutputTokens(b + ANSWER_TOKENS));
        if (!request.tools().isEmpty()) params.toolSpecifications(LangChainBridge.tools(request.tools()));
        request.responseSchema().ifPresent(s -> params.responseFormat(LangChainBridge.responseFormat(s)));
        var chatRequest = ModelCalls.request(request, params.build());
        // Thinking blocks come back with a signature that must be sent back on the next turn of a tool loop.
        if (stream == ModelStream.NONE) {
            ChatModel model = models.computeIfAbsent(cacheKey, k -> AnthropicChatModel.builder()
                    .baseUrl(base).apiKey(key).version(API_VERSION).customHeaders(headers).maxTokens(ANSWER_TOKENS)
                    .timeout(ModelCalls.CALL_TIMEOUT).maxRetries(0).returnThinking(true).sendThinking(true)
                    .httpClientBuilder(ProviderHttp.builder()).build());
            return ModelCalls.call(model, chatRequest);
        }
        StreamingChatModel model = streamingModels.computeIfAbsent(cacheKey, k -> AnthropicStreamingChatModel.builder()
                .baseUrl(base).apiKey(key).version(API_VERSION).customHeaders(headers).maxTokens(ANSWER_TOKENS)
                .timeout(ModelCalls.CALL_TIMEOUT).returnThinking(true).sendThinking(true)
                .httpClientBuilder(ProviderHttp.builder()).build());
        return ModelCalls.stream(model, chatRequest, stream);
    }
}
