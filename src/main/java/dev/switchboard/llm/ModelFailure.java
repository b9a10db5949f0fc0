package dev.switchboard.llm;

/**
 * A model call that failed, classified once at the edge. The message is the provider's own, so the user sees what
 * the provider said.
 */
public final class ModelFailure extends RuntimeException {

    public enum Kind {
        NOT_CONFIGURED(false), AUTH(false), BAD_REQUEST(false), UNKNOWN_MODEL(false), CONTEXT_OVERFLOW(false),
        RATE_LIMIT(true), TIMEOUT(true), SERVER(true), NETWORK(true);

        private final boolean retriable;

        Kind(boolean retriable) { this.retriable = retriable; }

        public boolean retriable() { return retriable; }
    }

    private final Kind kind;
    private final java.util.Optional<java.time.Duration> retryAfter;

    public ModelFailure(Kind kind, String message) {
        this(kind, message, java.util.Optional.empty());
    }

    public ModelFailure(Kind kind, String message, java.util.Optional<java.time.Duration> retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() { return kind; }

    /** How long the provider asked us to wait before trying again, when it said. */
    public java.util.Optional<java.time.Duration> retryAfter() { return retryAfter; }
}
