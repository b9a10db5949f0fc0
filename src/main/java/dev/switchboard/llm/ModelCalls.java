package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/** What every provider shares: the HTTP client setup, the request shape, and turning failures into ModelFailure. */
final class ModelCalls {
    static final Duration CALL_TIMEOUT = Duration.ofMinutes(10);

    private ModelCalls() {}

    /**
     * The JDK client every provider uses: HTTP/1.1 (some OpenAI-compatible servers reject the h2c upgrade), virtual
     * threads, and interruptible, so that cancelling a run aborts its request.
     */
    static HttpClient.Builder httpBuilder() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor());
    }

    static ChatRequest request(ModelRequest request, ChatRequestParameters parameters) {
        return ChatRequest.builder()
                .messages(LangChainBridge.messages(request.messages()))
                .parameters(parameters)
                .build();
    }

    /** Calls the model on the current thread; an interrupt of this thread cancels the call. */
    static ModelReply call(ChatModel model, ChatRequest request) throws InterruptedException {
        try {
            return LangChainBridge.reply(model.chat(request));
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || Failures.causedBy(e, InterruptedException.class)) {
                throw new InterruptedException("model call cancelled");
            }
            throw Failures.classify(e);
        }
    }

    static Map<String, String> headers(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(extra);
        return all;
    }

    static String cacheKey(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) sb.append(p instanceof Map<?, ?> m ? new java.util.TreeMap<>(m) : p).append('\n');
        return sb.toString();
    }
}
