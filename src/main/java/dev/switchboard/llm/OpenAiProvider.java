package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.switchboard.config.ProviderSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's chat-completions protocol: OpenAI itself, and every server speaking it (OpenRouter, Azure OpenAI's v1
 * API, Bedrock's OpenAI endpoint, vLLM, LM Studio, the providers file's entries).
 */
final class OpenAiProvider implements Provider {
    private static final List<String> BUILT_IN = List.of("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o",
            "gpt-4o-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o3-mini", "o4-mini");

    static {
        LangChainJson.tuneOpenAi();
    }

    private final ProviderSettings settings;
    private final HttpClient.Builder httpBuilder = ModelCalls.httpBuilder();
    private final Catalog catalog;
    private final ConcurrentHashMap<String, ChatModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamingChatModel> streamingModels = new ConcurrentHashMap<>();

    OpenAiProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        Map<String, String> listingHeaders = new HashMap<>(settings.headers());
        settings.apiKey().ifPresent(k -> listingHeaders.put("Authorization", "Bearer " + k));
        this.catalog = new Catalog(settings.models(),
                new Catalog.Listing(settings.baseUrl() + "/models", listingHeaders, Catalog.idsAt("data", "id", "")),
                settings.id().equals("openai") ? BUILT_IN : List.of(), settings.allowAnyModel(), httpBuilder.build(), clock);
    }

    @Override public ProviderSettings settings() { return settings; }

    @Override public Catalog catalog() { return catalog; }

    @Override
    public String defaultModel() {
        return settings.defaultModel().orElse(settings.models().map(List::getFirst).orElse("gpt-4.1"));
    }

    @Override
    public java.util.Optional<Speech> speech() {
        return java.util.Optional.of(new Speech(settings, httpBuilder.build()));
    }

    @Override
    public ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException {
        String base = request.apiBase().map(b -> b.replaceAll("/+$", "")).orElse(settings.baseUrl());
        Map<String, String> headers = ModelCalls.headers(settings.headers(), request.extraHeaders());
        // A local OpenAI-compatible server may need no key; the protocol still wants a bearer.
        String key = settings.apiKey().orElse("none");
        String cacheKey = ModelCalls.cacheKey(base, headers);
        var params = OpenAiChatRequestParameters.builder().modelName(request.model());
        request.reasoningEffort().flatMap(e -> Efforts.openAi(e, request.model())).ifPresent(params::reasoningEffort);
        if (!request.tools().isEmpty()) params.toolSpecifications(LangChainBridge.tools(request.tools()));
        request.responseSchema().ifPresent(s -> params.responseFormat(LangChainBridge.responseFormat(s)));
        var chatRequest = ModelCalls.request(request, params.build());
        if (stream == ModelStream.NONE) {
            ChatModel model = models.computeIfAbsent(cacheKey, k -> OpenAiChatModel.builder()
                    .baseUrl(base).apiKey(key).customHeaders(headers).timeout(ModelCalls.CALL_TIMEOUT).maxRetries(0)
                    .httpClientBuilder(ProviderHttp.builder()).build());
            return ModelCalls.call(model, chatRequest);
        }
        StreamingChatModel model = streamingModels.computeIfAbsent(cacheKey, k -> OpenAiStreamingChatModel.builder()
                .baseUrl(base).apiKey(key).customHeaders(headers).timeout(ModelCalls.CALL_TIMEOUT)
                .httpClientBuilder(ProviderHttp.builder()).build());
        return ModelCalls.stream(model, chatRequest, stream);
    }
}
