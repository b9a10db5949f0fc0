package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a tool's JSON Schema (as tools and MCP servers publish it) into LangChain4j's schema elements, which its
 * providers render into each wire protocol. Covers the subset tools use: objects, arrays, scalars, enums, anyOf.
 */
final class ToolSchemas {
    private ToolSchemas() {}

    static JsonObjectSchema parameters(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return JsonObjectSchema.builder().build();
        }
        return object(schema);
    }

    private static JsonObjectSchema object(JsonNode schema) {
        Map<String, JsonSchemaElement> properties = new LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), element(e.getValue())));
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        var b = JsonObjectSchema.builder().addProperties(properties).required(required);
        if (schema.hasNonNull("description")) b.description(schema.get("description").asText());
        if (schema.has("additionalProperties") && schema.get("additionalProperties").isBoolean()) {
            b.additionalProperties(schema.get("additionalProperties").asBoolean());
        }
        return b.build();
    }

    static JsonSchemaElement element(JsonNode s) {
        String description = s.hasNonNull("description") ? s.get("description").asText() : null;
        if (s.has("enum")) {
            List<String> values = new ArrayList<>();
            s.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().enumValues(values).description(description).build();
        }
        if (s.has("anyOf") || s.has("oneOf")) {
            List<JsonSchemaElement> options = new ArrayList<>();
            (s.has("anyOf") ? s.get("anyOf") : s.get("oneOf")).forEach(o -> options.add(element(o)));
            return JsonAnyOfSchema.builder().anyOf(options).description(description).build();
        }
        JsonNode type = s.path("type");
        String t = type.isArray() && !type.isEmpty() ? type.get(0).asText() : type.asText("object");
        return switch (t) {
            case "string" -> JsonStringSchema.builder().description(description).build();
            case "integer" -> JsonIntegerSchema.builder().description(description).build();
            case "number" -> JsonNumberSchema.builder().description(description).build();
            case "boolean" -> JsonBooleanSchema.builder().description(description).build();
            case "null" -> new JsonNullSchema();
            case "array" -> JsonArraySchema.builder()
                    .items(s.has("items") ? element(s.get("items")) : JsonStringSchema.builder().build())
                    .description(description).build();
            default -> object(s);
        };
    }
}
