package dev.switchboard.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;

import java.io.UncheckedIOException;

/**
 * The one Jackson configuration: snake_case records, unknown fields ignored, and no silent coercion between
 * strings, numbers and booleans (a wrong type is the client's error, answered with 422).
 */
public final class Json {
    public static final ObjectMapper MAPPER = create();
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
            MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    private static ObjectMapper create() {
        // Jackson's default keeps its work buffers (about 20 KB) in a ThreadLocal of every thread that writes JSON; with
        // a virtual thread per request and per open stream, that is 20 KB per stream for as long as it lives. A shared
        // pool keeps a few sets for everyone.
        JsonFactory factory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
        ObjectMapper m = JsonMapper.builder(factory)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .serializationInclusion(JsonInclude.Include.ALWAYS)
                // Reflection runs through method handles that are not constants here, so each field read and
                // constructor call took a slow path; Blackbird generates accessors instead.
                .addModule(new BlackbirdModule())
                .build();
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return m;
    }

    /**
     * JSON text already written (a stored document), sent as it is: answering with a stored task snapshot needs no
     * parse and no second serialization.
     */
    public record Raw(@com.fasterxml.jackson.annotation.JsonValue @com.fasterxml.jackson.annotation.JsonRawValue String json) {}

    public static String write(Object value) {
        return write(FOR_CLIENTS, value);
    }

    private static final ObjectWriter FOR_CLIENTS = MAPPER.writer();
    // Our own stored documents (a turn, a run's state) leave out what is null instead of writing "field":null: a turn's
    // row is ~40 % smaller, and with it the database pages and log pages each run writes. Read back, an absent field is
    // null to a record, as before. JSON given by users inside them (trees, maps) is written as it came, nulls included.
    private static final ObjectWriter STORED = MAPPER.copy()
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
            .writer();

    /** A document of our own for storage (not for clients, who see every field): its null fields left out. */
    public static String writeStored(Object value) {
        return write(STORED, value);
    }

    private static String write(ObjectWriter writer, Object value) {
        // Written already (often before a transaction, to keep the single writer's work short): as it is.
        if (value instanceof Raw raw) return raw.json();
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] writeBytes(Object value) {
        if (value instanceof Raw raw) return raw.json().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads stored JSON (our own, so a failure is a bug, not a client error). */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads exactly one JSON value from text that comes from outside (a request body, a model's answer): anything
     * after it (`{"a":1} junk`) is malformed, not ignored. Throws Jackson's exception for the caller to report.
     */
    public static JsonNode strictTree(byte[] json) throws java.io.IOException {
        return STRICT.readTree(json);
    }

    public static JsonNode strictTree(String json) throws JsonProcessingException {
        return STRICT.readTree(json);
    }

    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Binds client JSON to a record; every binding failure becomes the contract's 422. */
    public static <T> T bind(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw JsonErrors.toInvalid(e);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.JacksonException je) throw JsonErrors.toInvalid(je);
            throw e;
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
