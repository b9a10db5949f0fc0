package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.switchboard.common.Json;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks a model's answer against the run's output_schema: is it JSON, and is it valid against the schema. */
final class OutputCheck {
    private OutputCheck() {}

    /** The parsed answer when valid, else what is wrong with it (to tell the model, and to report). */
    record Result(Optional<JsonNode> value, List<String> errors) {
        boolean valid() { return errors.isEmpty(); }
    }

    static Result check(String answer, JsonNode schema) {
        JsonNode value;
        try {
            // One JSON value and nothing after it: `{"a":1} and some prose` is not a JSON answer.
            value = Json.strictTree(stripFence(answer));
        } catch (Exception e) {
            return new Result(Optional.empty(), List.of("The answer is not valid JSON: " + firstLine(e.getMessage())));
        }
        if (value == null || value.isMissingNode()) {
            return new Result(Optional.empty(), List.of("The answer is empty; a JSON value is required"));
        }
        if (schema == null || schema.isNull()) {
            return new Result(Optional.of(value), List.of());
        }
        Set<ValidationMessage> messages = compile(schema).validate(value);
        List<String> errors = messages.stream().map(ValidationMessage::getMessage).sorted().toList();
        return new Result(errors.isEmpty() ? Optional.of(value) : Optional.empty(), errors);
    }

    /** The schema's own draft when it names one ($schema), else 2020-12. */
    static JsonSchema compile(JsonNode schema) {
        SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(schema, false)
                .orElse(SpecVersion.VersionFlag.V202012);
        return JsonSchemaFactory.getInstance(version).getSchema(schema);
    }

    /** Models often wrap JSON in a ```json fence; the content inside is the answer. */
    static String stripFence(String text) {
        String t = text.strip();
        if (t.startsWith("```")) {
            int firstNewline = t.indexOf('\n');
            int close = t.lastIndexOf("```");
            if (firstNewline > 0 && close > firstNewline) {
                return t.substring(firstNewline + 1, close).strip();
            }
        }
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
