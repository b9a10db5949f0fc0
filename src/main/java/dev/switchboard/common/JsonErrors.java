package dev.switchboard.common;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import java.util.ArrayList;
import java.util.List;

/** Maps Jackson's binding failures onto the contract's 422 shape, with the JSON path as loc. */
final class JsonErrors {
    private JsonErrors() {}

    static ApiException.Invalid toInvalid(JacksonException e) {
        List<String> loc = new ArrayList<>();
        loc.add("body");
        if (e instanceof JsonMappingException jme) {
            for (var ref : jme.getPath()) {
                loc.add(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
            }
        }
        // A record's compact constructor rejected a value: its problems are relative to that record.
        if (e instanceof ValueInstantiationException vie && vie.getCause() instanceof ApiException.Invalid inner) {
            List<ApiException.Problem> problems = new ArrayList<>();
            for (var p : inner.problems()) {
                List<String> full = new ArrayList<>(loc);
                full.addAll(p.loc());
                problems.add(new ApiException.Problem(full, p.msg(), p.type()));
            }
            return new ApiException.Invalid(problems);
        }
        if (e instanceof JsonParseException) {
            return new ApiException.Invalid(List.of("body"), "JSON decode error: " + e.getOriginalMessage(), "json_invalid");
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            String expected = describe(mie.getTargetType());
            return new ApiException.Invalid(loc, "Input should be a valid " + expected, expected + "_type");
        }
        return new ApiException.Invalid(loc, "Invalid value: " + e.getOriginalMessage(), "value_error");
    }

    private static String describe(Class<?> type) {
        if (type == String.class) return "string";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "integer";
        if (type == Double.class || type == double.class || type == Float.class) return "number";
        if (type == Boolean.class || type == boolean.class) return "boolean";
        if (List.class.isAssignableFrom(type) || type.isArray()) return "list";
        if (type.isEnum()) return "enum";
        return "object";
    }
}
