package dev.switchboard.llm;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;

import java.io.IOException;
import java.net.http.HttpTimeoutException;

/** Classifies a provider failure once, at the edge: retriable (rate limit, timeout, 5xx, network) or not. */
final class Failures {
    private Failures() {}

    static ModelFailure classify(RuntimeException e) {
        String message = message(e);
        ModelFailure.Kind kind = switch (e) {
            case AuthenticationException ignored -> ModelFailure.Kind.AUTH;
            case RateLimitException ignored -> ModelFailure.Kind.RATE_LIMIT;
            case ModelNotFoundException ignored -> ModelFailure.Kind.UNKNOWN_MODEL;
            case TimeoutException ignored -> ModelFailure.Kind.TIMEOUT;
            case InternalServerException ignored -> ModelFailure.Kind.SERVER;
            case InvalidRequestException ignored -> isContextOverflow(message)
                    ? ModelFailure.Kind.CONTEXT_OVERFLOW : ModelFailure.Kind.BAD_REQUEST;
            case HttpException http -> byStatus(http.statusCode(), message);
            default -> byCause(e, message);
        };
        return new ModelFailure(kind, message, retryAfter(e));
    }

    private static java.util.Optional<java.time.Duration> retryAfter(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ProviderHttp.Failed f) return f.retryAfter();
        }
        return java.util.Optional.empty();
    }

    static ModelFailure.Kind byStatus(int status, String message) {
        if (status == 401 || status == 403) return ModelFailure.Kind.AUTH;
        if (status == 404) return ModelFailure.Kind.UNKNOWN_MODEL;
        if (status == 408) return ModelFailure.Kind.TIMEOUT;
        if (status == 413 || isContextOverflow(message)) return ModelFailure.Kind.CONTEXT_OVERFLOW;
        if (status == 429) return ModelFailure.Kind.RATE_LIMIT;
        if (status >= 500) return ModelFailure.Kind.SERVER;
        return ModelFailure.Kind.BAD_REQUEST;
    }

    private static ModelFailure.Kind byCause(Throwable e, String message) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpTimeoutException || c instanceof java.net.SocketTimeoutException) return ModelFailure.Kind.TIMEOUT;
            if (c instanceof HttpException http) return byStatus(http.statusCode(), message);
            if (c instanceof IOException) return ModelFailure.Kind.NETWORK;
        }
        return ModelFailure.Kind.BAD_REQUEST;
    }

    static boolean isContextOverflow(String message) {
        String m = message.toLowerCase();
        return m.contains("context_length_exceeded") || m.contains("maximum context length")
                || m.contains("request_too_large") || m.contains("prompt is too long")
                || m.contains("exceeds the maximum number of tokens") || m.contains("context window");
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return true;
        }
        return false;
    }

    private static String message(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) return c.getMessage();
        }
        return e.getClass().getSimpleName();
    }
}
