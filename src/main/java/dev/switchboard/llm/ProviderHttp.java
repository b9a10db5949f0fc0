package dev.switchboard.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP client every provider model uses, blocking and streaming. Requests go out as LangChain4j's JDK client
 * sends them (HTTP/1.1, virtual threads, interruptible), but a failed answer keeps its {@code Retry-After}, which
 * LangChain4j's own client drops: it travels as the cause of LangChain4j's mapped exception, and our retries honour it.
 */
final class ProviderHttp implements HttpClient {
    // Headers the JDK client sets itself and refuses to be given.
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

    /** A non-2xx answer, with how long the provider asked us to wait. */
    static final class Failed extends HttpException {
        private final Optional<Duration> retryAfter;

        Failed(int status, String body, Optional<Duration> retryAfter) {
            super(status, body);
            this.retryAfter = retryAfter;
        }

        Optional<Duration> retryAfter() { return retryAfter; }
    }

    private final java.net.http.HttpClient jdk;
    private final Duration readTimeout;

    private ProviderHttp(java.net.http.HttpClient.Builder builder, Duration readTimeout) {
        this.jdk = builder.build();
        this.readTimeout = readTimeout;
    }

    static HttpClientBuilder builder(java.net.http.HttpClient.Builder jdkBuilder) {
        return new HttpClientBuilder() {
            private Duration connect;
            private Duration read = ModelCalls.CALL_TIMEOUT;

            @Override public Duration connectTimeout() { return connect; }

            @Override public HttpClientBuilder connectTimeout(Duration d) { connect = d; return this; }

            @Override public Duration readTimeout() { return read; }

            @Override public HttpClientBuilder readTimeout(Duration d) { if (d != null) read = d; return this; }

            @Override
            public HttpClient build() {
                if (connect != null) jdkBuilder.connectTimeout(connect);
                return new ProviderHttp(jdkBuilder, read);
            }
        };
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        HttpResponse<String> res;
        try {
            res = jdk.send(toJdk(request), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
        if (res.statusCode() / 100 != 2) {
            throw new Failed(res.statusCode(), res.body(), retryAfter(res.headers().firstValue("retry-after")));
        }
        return SuccessfulHttpResponse.builder().statusCode(res.statusCode()).headers(res.headers().map()).body(res.body()).build();
    }

    /**
     * Streams on a virtual thread, as LangChain4j's client does (open, parse, close), but a failed answer reaches the
     * listener as {@link Failed}, with its Retry-After.
     */
    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        Thread.ofVirtual().name("provider-stream").start(() -> {
            try {
                HttpResponse<java.io.InputStream> res = jdk.send(toJdk(request), HttpResponse.BodyHandlers.ofInputStream());
                if (res.statusCode() / 100 != 2) {
                    String body;
                    try (var in = res.body()) {
                        body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                    quietly(() -> listener.onError(new Failed(res.statusCode(), body, retryAfter(res.headers().firstValue("retry-after")))));
                    return;
                }
                quietly(() -> listener.onOpen(SuccessfulHttpResponse.builder().statusCode(res.statusCode())
                        .headers(res.headers().map()).build()));
                try (var in = res.body()) {
                    parser.parse(in, listener);
                }
                quietly(listener::onClose);
            } catch (java.net.http.HttpTimeoutException e) {
                quietly(() -> listener.onError(new dev.langchain4j.exception.TimeoutException(e)));
            } catch (Exception e) {
                quietly(() -> listener.onError(e));
            }
        });
    }

    private static void quietly(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException ignored) {
            // a listener's own failure must not end the stream's thread silently elsewhere
        }
    }

    private java.net.http.HttpRequest toJdk(HttpRequest request) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
                .timeout(readTimeout)
                .method(request.method().name(), request.body() == null
                        ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        request.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) values.forEach(v -> b.header(name, v));
        });
        return b.build();
    }

    /** Retry-After is either seconds or an HTTP date. */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty()) return Optional.empty();
        String v = header.get().trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Optional.of(Duration.between(java.time.Instant.now(), at.toInstant())).filter(d -> !d.isNegative());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }
}
