package dev.switchboard.http;

import dev.switchboard.common.ApiException;
import dev.switchboard.common.Json;
import dev.switchboard.common.Principal;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.tracing.Tracing;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registers routes on Helidon's router with the cross-cutting work done once: authentication, the error bodies of
 * the contract, 404 and 405 for unmatched requests. Routes classes call {@link #get}, {@link #post} and friends.
 */
public final class Api {
    private static final Logger log = LoggerFactory.getLogger(Api.class);

    private final HttpRouting.Builder routing;
    private final Authenticator authenticator;
    private final long maxBodyBytes;
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");
    private static final HeaderName X_API_KEY = HeaderNames.create("x-api-key");

    private final RouteTable table = new RouteTable();
    // Set when the node shuts down: it takes no new work (load balancers see readiness fail and go elsewhere).
    private volatile boolean draining;

    /** From now on every request but the liveness check is answered 503, to be sent to another node. */
    public void drain() { draining = true; }

    private final Metrics metrics;
    private final Tracing tracing;

    public Api(HttpRouting.Builder routing, Authenticator authenticator, long maxBodyBytes,
               Metrics metrics, Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.routing = routing;
        this.authenticator = authenticator;
        this.maxBodyBytes = maxBodyBytes;
    }

    public RouteTable table() { return table; }

    public void get(String path, Access access, String summary, Handler handler) { add(Method.GET, path, access, summary, handler); }
    public void post(String path, Access access, String summary, Handler handler) { add(Method.POST, path, access, summary, handler); }
    public void put(String path, Access access, String summary, Handler handler) { add(Method.PUT, path, access, summary, handler); }
    public void patch(String path, Access access, String summary, Handler handler) { add(Method.PATCH, path, access, summary, handler); }
    public void delete(String path, Access access, String summary, Handler handler) { add(Method.DELETE, path, access, summary, handler); }

    private void add(Method method, String path, Access access, String summary, Handler handler) {
        table.add(method.text(), path, access, summary);
        routing.route(method, path, (req, res) -> {
            long began = System.nanoTime();
            Span span = tracing.startRequest(method.text() + " " + path,
                    req.headers().first(TRACEPARENT).orElse(null));
            try (Scope scope = span.makeCurrent()) {
                Tracing.currentTraceparent()
                        .ifPresent(tp -> res.header(TRACEPARENT, tp));
                serve(req, res, access, handler);
            } finally {
                int status = res.status().code();
                span.setAttribute("http.request.method", method.text());
                span.setAttribute("http.route", path);
                span.setAttribute("http.response.status_code", status);
                if (status >= 500) span.setStatus(StatusCode.ERROR);
                span.end();
                metrics.httpRequest(method.text(), path, status, System.nanoTime() - began);
            }
        });
    }

    /** Answers everything no route matched: 405 when the path exists under another method, else 404. */
    public void finish() {
        routing.any((req, res) -> {
            String path = req.path().path();
            List<String> allowed = table.allowedMethods(path);
            if (!allowed.isEmpty()) {
                res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                sendError(res, 405, Map.of("detail", "Method Not Allowed"));
            } else {
                sendError(res, 404, Map.of("detail", "Not Found"));
            }
        });
    }

    private void serve(ServerRequest req, ServerResponse res, Access access, Handler handler) {
        Call call = null;
        // A connection's requests may share a thread: each starts with a clean logging context.
        MDC.clear();
        Tracing.currentTraceId().ifPresent(id -> MDC.put("trace_id", id));
        if (draining && !req.path().path().equals("/health")) {
            res.header(RETRY_AFTER, "1");
            res.header(HeaderNames.CONNECTION, "close");
            sendError(res, 503, Map.of("detail", "This node is shutting down; send the request again (to another node)"));
            return;
        }
        try {
            Principal principal = access == Access.PUBLIC ? null : authenticate(req, access);
            if (principal != null) MDC.put("organization_id", principal.organizationId());
            call = new Call(req, res, principal, maxBodyBytes, metrics);
            handler.handle(call);
        } catch (ApiException e) {
            if (!res.isSent()) {
                if (call != null && call.bodyUnread()) res.header(HeaderNames.CONNECTION, "close");
                sendError(res, statusOf(e), errorBody(e));
            }
        } catch (Exception e) {
            if (e instanceof dev.switchboard.storage.StorageException se && se.isUnavailable()) {
                // Nothing was stored: the client may send it again (to this node later, or to another).
                log.warn("The database is unavailable on {} {}: {}", req.prologue().method().text(), req.path().path(),
                        e.getMessage());
                if (!res.isSent()) {
                    res.header(RETRY_AFTER, "2");
                    sendError(res, 503, Map.of("detail", "The database is unavailable; try again shortly"));
                }
            } else {
                log.error("Unhandled error on {} {}", req.prologue().method().text(), req.path().path(), e);
                if (!res.isSent()) sendError(res, 500, Map.of("detail", "Internal server error"));
            }
        }
        if (call != null && call.bodyUnread()) {
            // The rest of a refused body is still on the wire: on a kept-alive connection it would be read as the
            // next request, and draining it could mean gigabytes. Helidon closes only when told with this exception.
            throw new CloseConnectionException("Request body refused before it was read to its end");
        }
    }

    /** Helidon's own answers to requests it refuses before routing, in the contract's error shape. */
    public static DirectHandlers directHandlers() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, Api::directAnswer);
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse directAnswer(DirectHandler.TransportRequest request,
            DirectHandler.EventType type, Status status, ServerResponseHeaders headers, String message) {
        // Helidon's message may name internals; the status's reason phrase is what the client can act on.
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .keepAlive(type.keepAlive())
                .entity(Json.writeBytes(Map.of("detail", status.reasonPhrase())))
                .build();
    }

    private Principal authenticate(ServerRequest req, Access access) {
        Optional<String> key = req.headers().first(X_API_KEY);
        if (key.isEmpty()) {
            key = req.headers().first(HeaderNames.AUTHORIZATION)
                    .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                    .map(v -> v.substring(7).trim());
        }
        if (key.isEmpty() || key.get().isBlank()) {
            throw new ApiException.Unauthorized("API key not specified");
        }
        Principal principal = authenticator.authenticate(key.get())
                .orElseThrow(() -> new ApiException.Forbidden("Invalid API key"));
        if (access == Access.ADMIN && !principal.admin()) {
            throw new ApiException.Forbidden("This operation needs an admin API key");
        }
        return principal;
    }

    static int statusOf(ApiException e) {
        return switch (e) {
            case ApiException.NotFound ignored -> 404;
            case ApiException.Conflict ignored -> 409;
            case ApiException.Forbidden ignored -> 403;
            case ApiException.Unauthorized ignored -> 401;
            case ApiException.TooLarge ignored -> 413;
            case ApiException.Invalid ignored -> 422;
            default -> 400;
        };
    }

    static Map<String, Object> errorBody(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (e) {
            case ApiException.Invalid invalid -> body.put("detail", invalid.problems().stream()
                    .map(p -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("loc", p.loc());
                        m.put("msg", p.msg());
                        m.put("type", p.type());
                        return m;
                    })
                    .toList());
            case ApiException.Conflict conflict -> {
                body.put("detail", conflict.getMessage());
                body.putAll(conflict.extra());
            }
            default -> body.put("detail", e.getMessage());
        }
        return body;
    }

    private static void sendError(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.writeBytes(body));
    }

    /** Paths registered so far, for the OpenAPI document. */
    public List<RouteTable.Route> routes() { return table.routes(); }
}
