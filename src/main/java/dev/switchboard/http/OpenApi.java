package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document, built from the route table so it lists exactly the routes served, with the request and
 * answer schemas of each (the schemas are in {@code openapi/components.json}; which route takes and gives which is
 * the table {@link #OPERATIONS}). A test validates real answers against it.
 */
final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([^/}]+)}");
    private static final JsonNode SCHEMAS = load();

    /** What a route takes and gives: a request schema (or null), the success status and its schema. */
    private record Io(String request, int status, Object response, String contentType) {
        static Io json(String request, int status, String schema) { return new Io(request, status, schema, "application/json"); }

        static Io list(String request, String itemSchema) {
            return new Io(request, 200, Map.of("type", "array", "items", ref(itemSchema)), "application/json");
        }

        static Io other(int status, String contentType) { return new Io(null, status, Map.of(), contentType); }
    }

    static final Map<String, Io> OPERATIONS = new LinkedHashMap<>();

    static {
        for (String base : List.of("/v1/agents", "/v1/workflows")) {
            OPERATIONS.put("POST " + base, Io.json("AgentInput", 201, "Agent"));
            OPERATIONS.put("GET " + base, Io.json(null, 200, "AgentPage"));
            OPERATIONS.put("GET " + base + "/{id}", Io.json(null, 200, "Agent"));
            OPERATIONS.put("PATCH " + base + "/{id}", Io.json("AgentInput", 200, "Agent"));
            OPERATIONS.put("PUT " + base + "/{id}", Io.json("AgentInput", 200, "Agent"));
            OPERATIONS.put("DELETE " + base + "/{id}", Io.json(null, 202, "Deleted"));
            OPERATIONS.put("GET " + base + "/{id}/export", Io.other(200, "application/yaml"));
            OPERATIONS.put("GET " + base + "/{id}/versions", Io.list(null, "Version"));
            OPERATIONS.put("GET " + base + "/{id}/versions/{n}", Io.json(null, 200, "Agent"));
            OPERATIONS.put("POST " + base + "/{id}/invoke", Io.json("InvokeRequest", 200, "Task"));
            OPERATIONS.put("POST " + base + "/{id}/invoke/async", Io.json("InvokeRequest", 200, "Task"));
            OPERATIONS.put("POST " + base + "/{id}/invoke/stream", new Io("InvokeRequest", 200, Map.of(), "text/event-stream"));
        }
        OPERATIONS.put("GET /v1/agents/{id}/tasks", Io.json(null, 200, "TaskPage"));
        OPERATIONS.put("GET /v1/tasks", Io.json(null, 200, "TaskPage"));
        OPERATIONS.put("GET /v1/tasks/{id}", Io.json(null, 200, "Task"));
        OPERATIONS.put("DELETE /v1/tasks/{id}", Io.other(204, "application/json"));
        OPERATIONS.put("POST /v1/tasks/{id}/stop", Io.json(null, 200, "Task"));
        OPERATIONS.put("POST /v1/tasks/{id}/retry", Io.json("InvokeRequest", 200, "Task"));
        OPERATIONS.put("POST /v1/tasks/{id}/hitl/approve", Io.json("Decision", 200, "Task"));
        OPERATIONS.put("POST /v1/tasks/{id}/hitl/reject", Io.json("Decision", 200, "Task"));
        OPERATIONS.put("POST /v1/tasks/{id}/resume", Io.json("Decision", 200, "Task"));
        OPERATIONS.put("GET /v1/tasks/{id}/events", Io.other(200, "text/event-stream"));
        OPERATIONS.put("GET /v1/tasks/{id}/runs", Io.list(null, "Task"));
        OPERATIONS.put("GET /v1/tasks/{id}/thread", Io.list(null, "Message"));
        OPERATIONS.put("GET /v1/knowledge", Io.json(null, 200, "Page"));
        OPERATIONS.put("POST /v1/knowledge", Io.json("Object", 201, "KnowledgeBase"));
        OPERATIONS.put("GET /v1/knowledge/{id}", Io.json(null, 200, "KnowledgeBase"));
        OPERATIONS.put("PATCH /v1/knowledge/{id}", Io.json("Object", 200, "KnowledgeBase"));
        OPERATIONS.put("GET /v1/knowledge/{id}/documents/{document_id}", Io.json(null, 200, "KbDocument"));
        OPERATIONS.put("GET /v1/knowledge/{id}/search", Io.list(null, "SearchHit"));
        OPERATIONS.put("POST /v1/files", new Io(null, 201, ref("File"), "application/json"));
        OPERATIONS.put("GET /v1/files/{id}", Io.other(200, "application/octet-stream"));
        OPERATIONS.put("GET /v1/files/{id}/info", Io.json(null, 200, "File"));
        OPERATIONS.put("POST /v1/webhooks", Io.json("Object", 201, "WebhookEndpoint"));
        OPERATIONS.put("GET /v1/webhooks/{id}", Io.json(null, 200, "WebhookEndpoint"));
        OPERATIONS.put("POST /v1/organizations", Io.json("Object", 201, "Organization"));
        OPERATIONS.put("POST /v1/api_keys", Io.json("Object", 201, "ApiKey"));
        OPERATIONS.put("GET /v1/llm_providers", Io.list(null, "Provider"));
        OPERATIONS.put("GET /v1/misc/llm_providers", Io.list(null, "Provider"));
        OPERATIONS.put("GET /v1/llm_providers/{provider}/models", Io.list(null, "Model"));
        OPERATIONS.put("GET /v1/misc/llm_providers/{provider}/models", Io.list(null, "Model"));
        OPERATIONS.put("GET /v1/tasks/{id}/thread/full", Io.json(null, 200, "Object"));
        OPERATIONS.put("DELETE /v1/knowledge/{id}", Io.json(null, 202, "Object"));
        OPERATIONS.put("GET /v1/knowledge/{id}/documents", Io.json(null, 200, "Page"));
        OPERATIONS.put("POST /v1/knowledge/{id}/documents", Io.json("Object", 200, "Object"));
        OPERATIONS.put("DELETE /v1/knowledge/{id}/documents/{document_id}", Io.other(204, "application/json"));
        OPERATIONS.put("GET /v1/webhooks", Io.json(null, 200, "Page"));
        OPERATIONS.put("PATCH /v1/webhooks/{id}", Io.json("Object", 200, "WebhookEndpoint"));
        OPERATIONS.put("DELETE /v1/webhooks/{id}", Io.other(204, "application/json"));
        OPERATIONS.put("POST /v1/webhooks/{id}/rotate-secret", Io.json(null, 200, "WebhookEndpoint"));
        OPERATIONS.put("GET /v1/webhooks/deliveries", Io.json(null, 200, "Page"));
        OPERATIONS.put("POST /v1/webhooks/deliveries/{id}/redeliver", Io.json(null, 202, "Delivery"));
        OPERATIONS.put("GET /v1/api_keys", Io.list(null, "ApiKey"));
        OPERATIONS.put("DELETE /v1/api_keys/{id}", Io.other(204, "application/json"));
        OPERATIONS.put("POST /v1/workflows/{id}/nodes", Io.json("Object", 200, "Agent"));
        OPERATIONS.put("GET /openapi.json", Io.json(null, 200, "Object"));
        OPERATIONS.put("GET /health", new Io(null, 200, Map.of("type", "string"), "application/json"));
        OPERATIONS.put("GET /readyz", Io.json(null, 200, "Ready"));
        OPERATIONS.put("GET /metrics", Io.other(200, "text/plain"));
        OPERATIONS.put("GET /docs", Io.other(200, "text/html"));
        OPERATIONS.put("GET /docs/{asset}", Io.other(200, "application/octet-stream"));
    }

    private OpenApi() {}

    static Map<String, Object> document(List<RouteTable.Route> routes) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (RouteTable.Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(), operation(r));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "Switchboard API", "version", "1",
                "description", "Agents and workflows behind a REST + SSE API compatible with xpander.ai's /v1."));
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of(
                        "ApiKeyHeader", Map.of("type", "apiKey", "in", "header", "name", "x-api-key"),
                        "Bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", SCHEMAS));
        return doc;
    }

    private static Map<String, Object> operation(RouteTable.Route r) {
        Io io = OPERATIONS.getOrDefault(r.method() + " " + r.path(), Io.json(
                r.method().equals("GET") || r.method().equals("DELETE") ? null : "Object", 200, "Object"));
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("summary", r.summary());
        op.put("operationId", r.method().toLowerCase() + r.path().replaceAll("[{}]", "").replaceAll("[^A-Za-z0-9]+", "_"));
        List<Map<String, Object>> params = new ArrayList<>();
        Matcher m = PARAM.matcher(r.path());
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        if (!params.isEmpty()) op.put("parameters", params);
        if (io.request() != null) {
            op.put("requestBody", Map.of("required", !r.method().equals("PUT"), "content",
                    Map.of("application/json", Map.of("schema", ref(io.request())))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        Object schema = io.response() instanceof String name ? ref(name) : io.response();
        responses.put(String.valueOf(io.status()), io.status() == 204 ? Map.of("description", "Done")
                : Map.of("description", "Success", "content", Map.of(io.contentType(), Map.of("schema", schema))));
        if (r.access() != Access.PUBLIC) {
            responses.put("401", errorRef("Error", "API key not specified"));
            responses.put("403", errorRef("Error", "Invalid API key, or not allowed to this key"));
            responses.put("404", errorRef("Error", "Not found, or another organization's"));
            responses.put("409", errorRef("Conflict", "The task or thread is not in a state that allows this"));
            responses.put("422", errorRef("ValidationError", "Validation error: every problem with its location"));
            op.put("security", List.of(Map.of("ApiKeyHeader", List.of()), Map.of("Bearer", List.of())));
        } else {
            op.put("security", List.of());
        }
        responses.put("503", errorRef("Error", "The node is shutting down, or its database is unavailable; retry"));
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> ref(String schema) {
        return Map.of("$ref", "#/components/schemas/" + schema);
    }

    private static Map<String, Object> errorRef(String schema, String description) {
        return Map.of("description", description, "content", Map.of("application/json", Map.of("schema", ref(schema))));
    }

    private static JsonNode load() {
        try (InputStream in = OpenApi.class.getResourceAsStream("/openapi/components.json")) {
            return Json.MAPPER.readTree(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The OpenAPI schemas (openapi/components.json) cannot be read", e);
        }
    }
}
