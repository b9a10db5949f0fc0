package dev.switchboard.llm;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP client every provider model uses, blocking and streaming. Requests go out on Helidon's WebClient: blocking
 * HTTP/1.1 on the calling virtual thread with pooled keep-alive connections. (The JDK's HttpClient, used before, hands
 * every response from its selector thread to a new thread, which under load waited behind the incoming requests and
 * cost more CPU than the rest of a call.) A failed answer keeps its {@code Retry-After}, which LangChain4j's own
 * clients drop: it travels as the cause of LangChain4j's mapped exception, and our retries honour it.
 */
final class ProviderHttp implements HttpClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // Headers the client sets itself.
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

    // HTTP/1.1 only: every provider speaks it, and a client that may also speak HTTP/2 works out which to use on every
    // request.
    private final Http1Client client;

    private ProviderHttp(Duration connectTimeout, Duration readTimeout) {
        this.client = Http1Client.builder()
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                // No write buffer: a request goes out as one write of its headers and body (Helidon assembles them in
                // one buffer), so a connection's own 4 KiB buffer only added a copy of each small request, and was
                // kept for the connection's life: 40 MB of heap with 10,000 calls waiting on their models.
                .writeBufferSize(0)
                .build();
    }

    static HttpClientBuilder builder() {
        return new HttpClientBuilder() {
            private Duration connect = CONNECT_TIMEOUT;
            private Duration read = ModelCalls.CALL_TIMEOUT;

            @Override public Duration connectTimeout() { return connect; }

            @Override public HttpClientBuilder connectTimeout(Duration d) { if (d != null) connect = d; return this; }

            @Override public Duration readTimeout() { return read; }

            @Override public HttpClientBuilder readTimeout(Duration d) { if (d != null) read = d; return this; }

            @Override public HttpClient build() { return new ProviderHttp(connect, read); }
        };
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try (Http1ClientResponse res = send(request)) {
            String body = new String(bodyOf(res).readAllBytes(), StandardCharsets.UTF_8);
            int status = res.status().code();
            if (status / 100 != 2) throw new Failed(status, body, retryAfter(res));
            return SuccessfulHttpResponse.builder().statusCode(status).headers(headers(res)).body(body).build();
        } catch (java.io.IOException e) {
            throw timeoutOr(e);
        } catch (RuntimeException e) {
            throw timeoutOr(e);
        }
    }

    /**
     * Set by {@link ModelCalls#stream} around a streaming call: the stream is then read on the calling thread, which
     * hands each piece straight to its sink, instead of on a thread of its own that queues every piece for the caller
     * (a thread start and a park/unpark per piece: a tenth of the CPU of a fast run). A cancel interrupts the caller,
     * which aborts its blocking socket read.
     */
    static final ThreadLocal<Boolean> STREAM_ON_CALLER = new ThreadLocal<>();

    /**
     * Streams on a virtual thread, as LangChain4j's clients do (open, parse, close), or on the calling thread when it
     * asked to (see {@link #STREAM_ON_CALLER}); a failed answer reaches the listener as {@link Failed}, with its
     * Retry-After.
     */
    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        Runnable stream = () -> {
            try (Http1ClientResponse res = send(request)) {
                int status = res.status().code();
                if (status / 100 != 2) {
                    String body = new String(bodyOf(res).readAllBytes(), StandardCharsets.UTF_8);
                    quietly(() -> listener.onError(new Failed(status, body, retryAfter(res))));
                    return;
                }
                quietly(() -> listener.onOpen(SuccessfulHttpResponse.builder().statusCode(status).headers(headers(res)).build()));
                try (InputStream in = bodyOf(res)) {
                    parser.parse(in, listener);
                }
                quietly(listener::onClose);
            } catch (Exception e) {
                RuntimeException failure = timeoutOr(e);
                quietly(() -> listener.onError(failure));
            }
        };
        if (Boolean.TRUE.equals(STREAM_ON_CALLER.get())) stream.run();
        else Thread.ofVirtual().name("provider-stream").start(stream);
    }

    /**
     * The answer's body, read at most {@value #MOST_PER_READ} bytes at a time. Helidon's entity stream allocates a new
     * buffer the size of each read it is asked for, and the readers on top ask for 8–16 KiB while a streamed answer
     * comes one token (~200 bytes) per HTTP chunk: 8 KiB per token was 44 % of the server's allocations in a profile
     * of sync invokes. Reads of a larger body just take a few more calls.
     */
    private static InputStream bodyOf(Http1ClientResponse res) {
        return new java.io.FilterInputStream(res.inputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                return super.read(b, off, Math.min(len, MOST_PER_READ));
            }
        };
    }

    private static final int MOST_PER_READ = 1024;

    // A model's client calls one address (its chat endpoint) over and over: encoded and parsed once, not per call
    // (what Helidon's uri(String) does each time).
    private volatile Map.Entry<String, java.net.URI> lastUri;

    private java.net.URI uriOf(String url) {
        Map.Entry<String, java.net.URI> last = lastUri;
        if (last != null && last.getKey().equals(url)) return last.getValue();
        java.net.URI uri = java.net.URI.create(io.helidon.common.uri.UriEncoding.encodeUri(url));
        lastUri = Map.entry(url, uri);
        return uri;
    }

    private Http1ClientResponse send(HttpRequest request) {
        Http1ClientRequest out = client.method(Method.create(request.method().name()));
        // As uri(String) does (a '{' is a template for it), with the parse kept.
        if (request.url().indexOf('{') >= 0) out.uri(request.url()); else out.uri(uriOf(request.url()));
        request.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) out.header(HeaderNames.create(name), values);
        });
        return request.body() == null ? out.request() : out.submit(request.body());
    }

    /** A read or connect that ran out of time is LangChain4j's timeout (a retryable failure); anything else as it is. */
    private static RuntimeException timeoutOr(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketTimeoutException || c instanceof java.net.http.HttpTimeoutException) {
                return new TimeoutException(c);
            }
        }
        return e instanceof RuntimeException r ? r : new java.io.UncheckedIOException(new java.io.IOException(e));
    }

    private static Map<String, List<String>> headers(Http1ClientResponse res) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Header h : res.headers()) out.put(h.name(), h.allValues());
        return out;
    }

    private static Optional<Duration> retryAfter(Http1ClientResponse res) {
        return retryAfter(res.headers().first(HeaderNames.create("retry-after")));
    }

    private static void quietly(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException ignored) {
            // a listener's own failure must not end the stream's thread silently elsewhere
        }
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
                return Optional.of(Duration.between(Instant.now(), at.toInstant())).filter(d -> !d.isNegative());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }
}
