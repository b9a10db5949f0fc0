package dev.switchboard.llm;

/**
 * Receives what a model streams as it arrives: pieces of the answer's text, and of its reasoning where the provider
 * exposes it. Called on the thread that made the call (never on a library callback thread), so it may block.
 */
public interface ModelStream {

    void text(String delta);

    void thinking(String delta);

    /** Discards everything: the caller wants only the complete reply. */
    ModelStream NONE = new ModelStream() {
        @Override public void text(String delta) {}

        @Override public void thinking(String delta) {}
    };
}
