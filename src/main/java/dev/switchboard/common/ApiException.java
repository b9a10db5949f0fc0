package dev.switchboard.common;

import java.util.List;
import java.util.Map;

/**
 * A failure the client caused or can act on. Features throw these; the HTTP layer maps each to its status and the
 * contract's error body in one place.
 */
public sealed class ApiException extends RuntimeException {

    private ApiException(String message) { super(message, null, false, false); }

    public static final class NotFound extends ApiException {
        public NotFound(String message) { super(message); }
    }

    public static final class Conflict extends ApiException {
        private final Map<String, Object> extra;
        public Conflict(String message, Map<String, Object> extra) { super(message); this.extra = extra; }
        public Map<String, Object> extra() { return extra; }
    }

    public static final class Forbidden extends ApiException {
        public Forbidden(String message) { super(message); }
    }

    public static final class Unauthorized extends ApiException {
        public Unauthorized(String message) { super(message); }
    }

    public static final class TooLarge extends ApiException {
        public TooLarge(String message) { super(message); }
    }

    /** 422 with the FastAPI-shaped list of problems. */
    public static final class Invalid extends ApiException {
        private final List<Problem> problems;
        public Invalid(List<Problem> problems) {
            super(problems.isEmpty() ? "invalid" : problems.getFirst().msg());
            this.problems = List.copyOf(problems);
        }
        public Invalid(List<String> loc, String msg, String type) { this(List.of(new Problem(loc, msg, type))); }
        public List<Problem> problems() { return problems; }
    }

    public record Problem(List<String> loc, String msg, String type) {}

    public static Invalid invalidBody(String msg, String type, String... path) {
        var loc = new java.util.ArrayList<String>();
        loc.add("body");
        loc.addAll(List.of(path));
        return new Invalid(loc, msg, type);
    }

    public static Invalid invalidQuery(String name, String msg) {
        return new Invalid(List.of("query", name), msg, "value_error");
    }
}
