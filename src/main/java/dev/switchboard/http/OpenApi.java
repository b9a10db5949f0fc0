package dev.switchboard.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document, built from the route table so it lists exactly the routes served. Bodies are described
 * loosely for now; the operability work fills in every schema.
 */
final class OpenApi {
    private static final Pattern PARAM = Pattern.compile("\\{([^/}]+)}");

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
        doc.put("components", components());
        return doc;
    }

    private static Map<String, Object> operation(RouteTable.Route r) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("summary", r.summary());
        op.put("operationId", r.method().toLowerCase() + r.path().replaceAll("[{}]", "").replaceAll("[^A-Za-z0-9]+", "_"));
        List<Map<String, Object>> params = new ArrayList<>();
        Matcher m = PARAM.matcher(r.path());
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        if (!params.isEmpty()) op.put("parameters", params);
        if (r.method().equals("POST") || r.method().equals("PATCH") || r.method().equals("PUT")) {
            op.put("requestBody", Map.of("required", false, "content",
                    Map.of("application/json", Map.of("schema", Map.of("type", "object")))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("200", Map.of("description", "Success", "content",
                Map.of("application/json", Map.of("schema", Map.of()))));
        if (r.access() != Access.PUBLIC) {
            responses.put("401", errorRef("API key not specified"));
            responses.put("403", errorRef("Invalid API key"));
            responses.put("404", errorRef("Not found, or another organization's"));
            responses.put("422", Map.of("description", "Validation error", "content",
                    Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/ValidationError")))));
            op.put("security", List.of(Map.of("ApiKeyHeader", List.of()), Map.of("Bearer", List.of())));
        } else {
            op.put("security", List.of());
        }
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> errorRef(String description) {
        return Map.of("description", description, "content",
                Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/Error"))));
    }

    private static Map<String, Object> components() {
        return Map.of(
                "securitySchemes", Map.of(
                        "ApiKeyHeader", Map.of("type", "apiKey", "in", "header", "name", "x-api-key"),
                        "Bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of(
                        "Error", Map.of("type", "object", "required", List.of("detail"),
                                "properties", Map.of("detail", Map.of("type", "string"))),
                        "ValidationError", Map.of("type", "object", "properties", Map.of("detail", Map.of(
                                "type", "array", "items", Map.of("type", "object", "properties", Map.of(
                                        "loc", Map.of("type", "array", "items", Map.of("type", "string")),
                                        "msg", Map.of("type", "string"),
                                        "type", Map.of("type", "string"))))))));
    }
}
