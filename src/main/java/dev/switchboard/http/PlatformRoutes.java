package dev.switchboard.http;

import dev.switchboard.metrics.Metrics;
import dev.switchboard.storage.Db;
import io.helidon.http.HeaderNames;

import java.util.Map;

/** Health, readiness, metrics and the OpenAPI document: what operators and tools call without a key. */
public final class PlatformRoutes {
    // Swagger UI's two files, from its webjar, read once (whichever version the POM names).
    private static final Map<String, String> DOCS_TYPES = Map.of(
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8", "swagger-ui.css", "text/css; charset=utf-8");
    private static volatile Map<String, byte[]> docsAssets;
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
            byte[] bytes = docsAssets().get(call.path("asset"));
            if (bytes == null) throw new dev.switchboard.common.ApiException.NotFound("Not Found");
            call.header(HeaderNames.CACHE_CONTROL, "public, max-age=86400");
            call.bytes(200, DOCS_TYPES.get(call.path("asset")), bytes, "inline");
        });
        // The routes do not change once the server serves: the document is built on first use, once.
        var document = new java.util.concurrent.atomic.AtomicReference<byte[]>();
        api.get("/openapi.json", Access.PUBLIC, "This document", call -> {
            call.header(HeaderNames.CACHE_CONTROL, "no-cache");
            call.bytes(200, "application/json", document.updateAndGet(d -> d != null ? d
                    : dev.switchboard.common.Json.writeBytes(OpenApi.document(api.routes()))), "inline");
        });
    }

    private static Map<String, byte[]> docsAssets() throws java.io.IOException {
        Map<String, byte[]> loaded = docsAssets;
        if (loaded != null) return loaded;
        java.util.Properties pom = new java.util.Properties();
        try (java.io.InputStream in = PlatformRoutes.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) return Map.of();
            pom.load(in);
        }
        Map<String, byte[]> out = new java.util.HashMap<>();
        for (String name : DOCS_TYPES.keySet()) {
            try (java.io.InputStream in = PlatformRoutes.class.getResourceAsStream(
                    "/META-INF/resources/webjars/swagger-ui/" + pom.getProperty("version") + "/" + name)) {
                if (in != null) out.put(name, in.readAllBytes());
            }
        }
        docsAssets = Map.copyOf(out);
        return docsAssets;
    }
}
