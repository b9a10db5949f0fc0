package dev.switchboard.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
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

    /**
     * Streams one call. Our HTTP client reads the stream on this thread (see {@link ProviderHttp#STREAM_ON_CALLER}),
     * so LangChain4j's callbacks arrive here and go straight to the sink. A provider whose client still calls back on
     * a thread of its own gets a queue instead: those callbacks only enqueue (they must not block), and this thread
     * drains the queue into the sink until the complete reply. An interrupt cancels the stream.
     */
    static ModelReply stream(StreamingChatModel model, ChatRequest request, ModelStream sink) throws InterruptedException {
        Thread caller = Thread.currentThread();
        java.util.concurrent.LinkedBlockingQueue<Object> events = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicReference<StreamingHandle> handle = new java.util.concurrent.atomic.AtomicReference<>();
        // The sink's own failure, when it is called from inside LangChain4j's parser (which would swallow it).
        java.util.concurrent.atomic.AtomicReference<RuntimeException> sinkFailure = new java.util.concurrent.atomic.AtomicReference<>();
        StreamingChatResponseHandler handler = new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                handle.set(context.streamingHandle());
                deliver(new Delta(false, partial.text()));
            }

            @Override
            public void onPartialThinking(PartialThinking partial) {
                deliver(new Delta(true, partial.text()));
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                events.add(response);
            }

            @Override
            public void onError(Throwable error) {
                events.add(error);
            }

            private void deliver(Delta delta) {
                if (Thread.currentThread() != caller) {
                    events.add(delta);
                    return;
                }
                if (sinkFailure.get() != null) return;
                try {
                    if (delta.thinking()) sink.thinking(delta.text());
                    else sink.text(delta.text());
                } catch (RuntimeException e) {
                    sinkFailure.set(e);
                    StreamingHandle h = handle.get();
                    if (h != null) h.cancel();
                }
            }
        };
        ProviderHttp.STREAM_ON_CALLER.set(Boolean.TRUE);
        try {
            model.chat(request, handler);
        } catch (RuntimeException e) {
            if (caller.isInterrupted() || Failures.causedBy(e, InterruptedException.class)) {
                throw new InterruptedException("model call cancelled");
            }
            throw Failures.classify(e);
        } finally {
            ProviderHttp.STREAM_ON_CALLER.remove();
        }
        if (sinkFailure.get() != null) throw sinkFailure.get();
        try {
            while (true) {
                // A stream cut by an interrupt of this thread ends here: take() throws on an interrupted thread.
                Object next = events.take();
                switch (next) {
                    case Delta d when d.thinking() -> sink.thinking(d.text());
                    case Delta d -> sink.text(d.text());
                    case ChatResponse response -> {
                        return LangChainBridge.reply(response);
                    }
                    case RuntimeException e -> throw Failures.classify(e);
                    case Throwable t -> throw Failures.classify(new RuntimeException(t.getMessage(), t));
                    default -> throw new IllegalStateException("unexpected stream event " + next);
                }
            }
        } catch (InterruptedException e) {
            StreamingHandle h = handle.get();
            if (h != null) h.cancel();
            throw e;
        }
    }

    private record Delta(boolean thinking, String text) {}

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
