package dev.switchboard.http;

import dev.switchboard.metrics.Metrics;
import dev.switchboard.storage.Db;
import io.helidon.http.HeaderNames;

import java.util.Map;

/** Health, readiness, metrics and the OpenAPI document: what operators and tools call without a key. */
public final class PlatformRoutes {
    // Swagger UI's files, from its webjar (the version is the POM's).
    private static final String SWAGGER_UI = "/META-INF/resources/webjars/swagger-ui/5.32.6/";
    private static final Map<String, String> DOCS_ASSETS = Map.of(
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8", "swagger-ui.css", "text/css; charset=utf-8");
    private static final String DOCS_PAGE = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Switchboard API</title>
              <link rel="stylesheet" href="/docs/swagger-ui.css">
            </head>
            <body>
              <div id="docs"></div>
              <script src="/docs/swagger-ui-bundle.js"></script>
              <script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#docs", deepLinking: true});</script>
            </body>
            </html>
            """;

    private PlatformRoutes() {}

    public static void register(Api api, Db db, Metrics metrics) {
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
        api.get("/docs", Access.PUBLIC, "The API's documentation, rendered from /openapi.json by Swagger UI", call ->
                call.bytes(200, "text/html; charset=utf-8", DOCS_PAGE.getBytes(java.nio.charset.StandardCharsets.UTF_8), "inline"));
        api.get("/docs/{asset}", Access.PUBLIC, "Swagger UI's script and style, served by this node (no CDN)", call -> {
            String asset = call.path("asset");
            String type = DOCS_ASSETS.get(asset);
            if (type == null) throw new dev.switchboard.common.ApiException.NotFound("Not Found");
            try (java.io.InputStream in = PlatformRoutes.class.getResourceAsStream(SWAGGER_UI + asset)) {
                if (in == null) throw new dev.switchboard.common.ApiException.NotFound("Not Found");
                call.header(HeaderNames.CACHE_CONTROL, "public, max-age=86400");
                call.bytes(200, type, in.readAllBytes(), "inline");
            }
        });
        api.get("/openapi.json", Access.PUBLIC, "This document", call -> {
            call.header(HeaderNames.CACHE_CONTROL, "no-cache");
            call.ok(OpenApi.document(api.routes()));
        });
    }
}
