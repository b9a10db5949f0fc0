package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * When a node runs, tested on the output of the node before it (xpander's shape: {@code {type, term?, group_id?, path?,
 * value?}}). {@code group_id} routes from a classifier's or guardrail's chosen group; the operators compare the value
 * at {@code path} (a dot path into JSON output; the whole output when absent) with {@code value} (or {@code term}).
 * {@code else} holds when no sibling condition did; the engine decides that, so here it is always true.
 */
public record Condition(String type, String term, String groupId, String path, String value) {
    static final Set<String> OPERATORS = Set.of("regex", "contains", "equal", "not_equal", "gt", "lt", "gte", "lte",
            "not_empty", "else", "group");

    /** The compared value: {@code value}, or {@code term} (xpander uses either). */
    String operand() {
        return value != null ? value : term;
    }

    /** A routing condition on a classifier's or guardrail's group rather than on the data. */
    boolean isGroup() {
        return groupId != null && !groupId.isBlank();
    }

    /** What is wrong with the condition itself, if anything. */
    Optional<String> problem() {
        if (isGroup()) return Optional.empty();
        if (type == null || !OPERATORS.contains(type)) {
            return Optional.of("condition type must be one of " + String.join(", ", OPERATORS.stream().sorted().toList()));
        }
        if (type.equals("group")) return Optional.of("a group condition needs a group_id");
        if (type.equals("else") || type.equals("not_empty")) return Optional.empty();
        if (operand() == null) return Optional.of("a " + type + " condition needs a value");
        if (type.equals("regex")) {
            try {
                Pattern.compile(operand());
            } catch (PatternSyntaxException e) {
                return Optional.of("the regex does not compile: " + e.getDescription());
            }
        }
        if (Set.of("gt", "lt", "gte", "lte").contains(type) && number(operand()).isEmpty()) {
            return Optional.of("a " + type + " condition compares numbers; its value is not one");
        }
        return Optional.empty();
    }

    /** True when the output (text, or JSON text) satisfies the condition. A group condition is decided by the engine. */
    boolean test(String output) {
        String actual = at(output);
        return switch (type == null ? "group" : type) {
            case "else", "group" -> true;
            case "not_empty" -> actual != null && !actual.isBlank();
            case "regex" -> actual != null && Pattern.compile(operand()).matcher(actual).find();
            case "contains" -> actual != null && actual.contains(operand());
            case "equal" -> operand().equals(actual);
            case "not_equal" -> !operand().equals(actual);
            case "gt", "lt", "gte", "lte" -> compare(actual);
            default -> false;
        };
    }

    private boolean compare(String actual) {
        Optional<BigDecimal> a = number(actual);
        Optional<BigDecimal> b = number(operand());
        if (a.isEmpty() || b.isEmpty()) return false;
        int c = a.get().compareTo(b.get());
        return switch (type) {
            case "gt" -> c > 0;
            case "lt" -> c < 0;
            case "gte" -> c >= 0;
            default -> c <= 0;
        };
    }

    private String at(String output) {
        return valueAt(output, path);
    }

    /** The text at a dot path of JSON output; the output itself without a path; null when absent or not JSON. */
    static String valueAt(String output, String path) {
        if (output == null) return null;
        if (path == null || path.isBlank()) return output.strip();
        JsonNode node;
        try {
            node = Json.strictTree(output);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException notJson) {
            return null;
        }
        for (String step : path.split("\\.")) {
            if (node == null) return null;
            node = node.isArray() && step.matches("\\d+") ? node.get(Integer.parseInt(step)) : node.get(step);
        }
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        return node.isValueNode() ? node.asText() : node.toString();
    }

    private static Optional<BigDecimal> number(String s) {
        if (s == null) return Optional.empty();
        try {
            return Optional.of(new BigDecimal(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
