package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.switchboard.config.ProviderSettings;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Ollama's chat protocol (a local server, no key); any reasoning effort turns thinking on. */
final class OllamaProvider implements Provider {
    private final ProviderSettings settings;
    private final HttpClient.Builder httpBuilder = ModelCalls.httpBuilder();
    private final Catalog catalog;
    private final ConcurrentHashMap<String, ChatModel> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamingChatModel> streamingModels = new ConcurrentHashMap<>();

    OllamaProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        this.catalog = new Catalog(settings.models(),
                new Catalog.Listing(settings.baseUrl() + "/api/tags", settings.headers(), Catalog.idsAt("models", "name", "")),
                List.of("llama3.2", "qwen3", "gpt-oss"), settings.allowAnyModel(), httpBuilder.build(), clock);
    }

    @Override public ProviderSettings settings() { return settings; }

    @Override public Catalog catalog() { return catalog; }

    @Override public String defaultModel() { return settings.defaultModel().orElse("llama3.2"); }

    @Override
    public ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException {
        String base = request.apiBase().map(b -> b.replaceAll("/+$", "")).orElse(settings.baseUrl());
        Map<String, String> headers = ModelCalls.headers(settings.headers(), request.extraHeaders());
        String cacheKey = ModelCalls.cacheKey(base, headers);
        var params = OllamaChatRequestParameters.builder().modelName(request.model());
        Efforts.ollamaThink(request.reasoningEffort().orElse(null)).ifPresent(params::think);
        if (!request.tools().isEmpty()) params.toolSpecifications(LangChainBridge.tools(request.tools()));
        request.responseSchema().ifPresent(s -> params.responseFormat(LangChainBridge.responseFormat(s)));
        var chatRequest = ModelCalls.request(request, params.build());
        if (stream == ModelStream.NONE) {
            ChatModel model = models.computeIfAbsent(cacheKey, k -> OllamaChatModel.builder()
                    .baseUrl(base).customHeaders(headers).timeout(ModelCalls.CALL_TIMEOUT).maxRetries(0).returnThinking(true)
                    .httpClientBuilder(ProviderHttp.builder()).build());
            return ModelCalls.call(model, chatRequest);
        }
        StreamingChatModel model = streamingModels.computeIfAbsent(cacheKey, k -> OllamaStreamingChatModel.builder()
                .baseUrl(base).customHeaders(headers).timeout(ModelCalls.CALL_TIMEOUT).returnThinking(true)
                .httpClientBuilder(ProviderHttp.builder()).build());
        return ModelCalls.stream(model, chatRequest, stream);
    }
}
