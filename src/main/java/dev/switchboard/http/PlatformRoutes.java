package dev.switchboard.http;

import dev.switchboard.storage.Db;
import io.helidon.http.HeaderNames;

import java.util.Map;

/** Health, readiness, metrics and the OpenAPI document: what operators and tools call without a key. */
public final class PlatformRoutes {
    private PlatformRoutes() {}

    public static void register(Api api, Db db, dev.switchboard.metrics.Metrics metrics) {
        api.get("/health", Access.PUBLIC, "Liveness", call -> call.ok("ok"));
        api.get("/readyz", Access.PUBLIC, "Readiness: the database answers and is migrated", call -> {
            if (db.ping()) {
                call.ok(Map.of("status", "ready"));
            } else {
                call.json(503, Map.of("status", "unavailable", "detail", "The database does not answer"));
            }
        });
        api.get("/metrics", Access.PUBLIC, "Metrics in Prometheus's text format (no ids, no secrets)", call ->
                call.bytes(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8), "inline"));
        api.get("/openapi.json", Access.PUBLIC, "This document", call -> {
            call.header(HeaderNames.CACHE_CONTROL, "no-cache");
            call.ok(OpenApi.document(api.routes()));
        });
    }
}
