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

    public ModelFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
