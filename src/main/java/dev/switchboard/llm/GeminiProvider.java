package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.googleai.GeminiThinkingConfig;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.switchboard.config.ProviderSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Google Gemini's generateContent protocol; reasoning effort becomes a thinking budget. */
final class GeminiProvider implements Provider {
    private static final List<String> BUILT_IN = List.of("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
            "gemini-2.0-flash");

    private final ProviderSettings settings;
    private final HttpClient.Builder httpBuilder = ModelCalls.httpBuilder();
    private final Catalog catalog;
    // The thinking budget is a model setting in LangChain4j's Gemini client, so one model per budget.
    private final ConcurrentHashMap<String, ChatModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamingChatModel> streamingModels = new ConcurrentHashMap<>();

    GeminiProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        Map<String, String> listingHeaders = new HashMap<>(settings.headers());
        settings.apiKey().ifPresent(k -> listingHeaders.put("x-goog-api-key", k));
        this.catalog = new Catalog(settings.models(),
                new Catalog.Listing(settings.baseUrl() + "/models?pageSize=200", listingHeaders,
                        Catalog.idsAt("models", "name", "models/")),
                BUILT_IN, settings.allowAnyModel(), httpBuilder.build(), clock);
    }

    @Override public ProviderSettings settings() { return settings; }

    @Override public Catalog catalog() { return catalog; }

    @Override public String defaultModel() { return settings.defaultModel().orElse("gemini-2.5-flash"); }

    @Override
    public ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException {
        String base = request.apiBase().map(b -> b.replaceAll("/+$", "")).orElse(settings.baseUrl());
        Optional<Integer> budget = request.reasoningEffort().flatMap(e -> Efforts.geminiBudget(e, request.model()));
        Optional<GeminiThinkingConfig> thinking = budget.map(t -> GeminiThinkingConfig.builder().thinkingBudget(t).includeThoughts(true).build());
        String key = settings.apiKey().orElse("none");
        String cacheKey = ModelCalls.cacheKey(base, budget);
        var params = DefaultChatRequestParameters.builder().modelName(request.model());
        if (!request.tools().isEmpty()) params.toolSpecifications(LangChainBridge.tools(request.tools()));
        request.responseSchema().ifPresent(s -> params.responseFormat(LangChainBridge.responseFormat(s)));
        var chatRequest = ModelCalls.request(request, params.build());
        if (stream == ModelStream.NONE) {
            ChatModel model = models.computeIfAbsent(cacheKey, k -> {
                var b = GoogleAiGeminiChatModel.builder().baseUrl(base).apiKey(key).timeout(ModelCalls.CALL_TIMEOUT)
                        .maxRetries(0).returnThinking(true).httpClientBuilder(ProviderHttp.builder());
                thinking.ifPresent(b::thinkingConfig);
                return b.build();
            });
            return ModelCalls.call(model, chatRequest);
        }
        StreamingChatModel model = streamingModels.computeIfAbsent(cacheKey, k -> {
            var b = GoogleAiGeminiStreamingChatModel.builder().baseUrl(base).apiKey(key).timeout(ModelCalls.CALL_TIMEOUT)
                    .returnThinking(true).httpClientBuilder(ProviderHttp.builder());
            thinking.ifPresent(b::thinkingConfig);
            return b.build();
        });
        return ModelCalls.stream(model, chatRequest, stream);
    }
}
