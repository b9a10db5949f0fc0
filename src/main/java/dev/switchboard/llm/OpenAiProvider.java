package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.switchboard.common.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** OpenAI, and any server speaking the OpenAI chat-completions protocol at another base URL. */
final class OpenAiProvider implements Provider {
    static final String OPENAI_BASE = "https://api.openai.com/v1";
    private static final Duration CATALOG_TTL = Duration.ofMinutes(5);
    private static final Duration CATALOG_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(10);
    private static final List<ProviderRegistry.ModelInfo> BUILT_IN = List.of(
            model("gpt-4.1", "GPT-4.1"), model("gpt-4.1-mini", "GPT-4.1 mini"), model("gpt-4.1-nano", "GPT-4.1 nano"),
            model("gpt-4o", "GPT-4o"), model("gpt-4o-mini", "GPT-4o mini"), model("gpt-5", "GPT-5"),
            model("gpt-5-mini", "GPT-5 mini"), model("gpt-5-nano", "GPT-5 nano"), model("o3", "o3"),
            model("o3-mini", "o3-mini"), model("o4-mini", "o4-mini"));

    private record Catalog(List<ProviderRegistry.ModelInfo> models, boolean listed, Instant fetchedAt) {}

    private final String baseUrl;
    private final String apiKey;
    private final boolean customServer;
    private final Clock clock;
    // One JDK client for all calls: HTTP/1.1 (some OpenAI-compatible servers reject h2c upgrades), virtual threads.
    private final ExecutorService httpExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient.Builder httpBuilder = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(httpExecutor);
    private final HttpClient catalogClient = httpBuilder.build();
    private final ConcurrentHashMap<String, ChatModel> models = new ConcurrentHashMap<>();
    private volatile Catalog catalog;

    OpenAiProvider(Optional<String> apiKey, Optional<String> baseUrl, Clock clock) {
        this.baseUrl = stripSlash(baseUrl.orElse(OPENAI_BASE));
        // A local OpenAI-compatible server may need no key; the protocol still wants a bearer.
        this.apiKey = apiKey.orElse("none");
        this.customServer = baseUrl.isPresent() && !this.baseUrl.equals(OPENAI_BASE);
        this.clock = clock;
    }

    @Override public String id() { return "openai"; }

    @Override public String defaultModel() { return "gpt-4.1"; }

    @Override
    public boolean acceptsAnyModel() {
        return customServer && !currentCatalog().listed();
    }

    @Override
    public List<ProviderRegistry.ModelInfo> catalog() {
        return currentCatalog().models();
    }

    private Catalog currentCatalog() {
        Catalog c = catalog;
        if (c != null && c.fetchedAt().plus(CATALOG_TTL).isAfter(clock.instant())) {
            return c;
        }
        c = fetchCatalog();
        catalog = c;
        return c;
    }

    /** The server's own model listing; the built-in list when it cannot be had quickly. */
    private Catalog fetchCatalog() {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/models"))
                    .timeout(CATALOG_TIMEOUT)
                    .header("Authorization", "Bearer " + apiKey)
                    .GET().build();
            HttpResponse<String> res = catalogClient.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                JsonNode data = Json.tree(res.body()).path("data");
                List<ProviderRegistry.ModelInfo> listed = new ArrayList<>();
                for (JsonNode m : data) {
                    String id = m.path("id").asText("");
                    if (!id.isEmpty()) listed.add(model(id, id));
                }
                if (!listed.isEmpty()) {
                    return new Catalog(List.copyOf(listed), true, clock.instant());
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the built-in list
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Catalog(BUILT_IN, false, clock.instant());
    }

    @Override
    public ModelReply chat(ModelRequest request) throws InterruptedException {
        ChatModel model = modelFor(request.apiBase().map(OpenAiProvider::stripSlash).orElse(baseUrl), request.extraHeaders());
        var params = OpenAiChatRequestParameters.builder().modelName(request.model());
        request.reasoningEffort().filter(e -> ReasoningModels.takesEffort(request.model()))
                .ifPresent(e -> params.reasoningEffort(ReasoningModels.openAiEffort(e)));
        ChatRequest chatRequest = ChatRequest.builder()
                .messages(toMessages(request.messages()))
                .parameters(params.build())
                .build();
        try {
            ChatResponse response = model.chat(chatRequest);
            String text = response.aiMessage() == null || response.aiMessage().text() == null ? "" : response.aiMessage().text();
            TokenUsage usage = response.tokenUsage();
            int in = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
            int out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
            int total = usage == null || usage.totalTokenCount() == null ? in + out : usage.totalTokenCount();
            return new ModelReply(text, in, out, total);
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || causedBy(e, InterruptedException.class)) {
                throw new InterruptedException("model call cancelled");
            }
            throw classify(e);
        }
    }

    private ChatModel modelFor(String base, Map<String, String> headers) {
        String key = base + "\n" + new java.util.TreeMap<>(headers);
        return models.computeIfAbsent(key, k -> OpenAiChatModel.builder()
                .baseUrl(base)
                .apiKey(apiKey)
                .customHeaders(headers)
                .timeout(CALL_TIMEOUT)
                .maxRetries(0)
                .httpClientBuilder(JdkHttpClient.builder().httpClientBuilder(httpBuilder))
                .build());
    }

    private static List<ChatMessage> toMessages(List<ChatTurn> turns) {
        List<ChatMessage> out = new ArrayList<>(turns.size());
        for (ChatTurn t : turns) {
            out.add(switch (t.role()) {
                case SYSTEM -> SystemMessage.from(t.text());
                case USER -> UserMessage.from(t.text());
                case ASSISTANT -> AiMessage.from(t.text());
            });
        }
        return out;
    }

    static ModelFailure classify(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        ModelFailure.Kind kind = switch (e) {
            case AuthenticationException ignored -> ModelFailure.Kind.AUTH;
            case RateLimitException ignored -> ModelFailure.Kind.RATE_LIMIT;
            case ModelNotFoundException ignored -> ModelFailure.Kind.UNKNOWN_MODEL;
            case TimeoutException ignored -> ModelFailure.Kind.TIMEOUT;
            case InternalServerException ignored -> ModelFailure.Kind.SERVER;
            case InvalidRequestException ignored -> isContextOverflow(message)
                    ? ModelFailure.Kind.CONTEXT_OVERFLOW : ModelFailure.Kind.BAD_REQUEST;
            case HttpException http -> byStatus(http.statusCode(), message);
            default -> causedBy(e, IOException.class) ? ModelFailure.Kind.NETWORK : ModelFailure.Kind.SERVER;
        };
        return new ModelFailure(kind, message);
    }

    private static ModelFailure.Kind byStatus(int status, String message) {
        if (status == 401 || status == 403) return ModelFailure.Kind.AUTH;
        if (status == 404) return ModelFailure.Kind.UNKNOWN_MODEL;
        if (status == 408) return ModelFailure.Kind.TIMEOUT;
        if (status == 413 || isContextOverflow(message)) return ModelFailure.Kind.CONTEXT_OVERFLOW;
        if (status == 429) return ModelFailure.Kind.RATE_LIMIT;
        if (status >= 500) return ModelFailure.Kind.SERVER;
        return ModelFailure.Kind.BAD_REQUEST;
    }

    private static boolean isContextOverflow(String message) {
        String m = message.toLowerCase();
        return m.contains("context_length_exceeded") || m.contains("maximum context length")
                || m.contains("request_too_large");
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static ProviderRegistry.ModelInfo model(String id, String name) {
        return new ProviderRegistry.ModelInfo(id, name, 1, "");
    }
}
