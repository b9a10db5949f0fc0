package dev.switchboard.tasks;

import dev.switchboard.llm.ModelStream;

/**
 * Turns a model's stream into chunk (and think) events. The first piece is written at once, so a follower sees the
 * answer begin as soon as the model starts it; later pieces are coalesced into one event per ~50 ms, so a fast model
 * costs a few writes a second rather than one per token. {@link #flush()} writes what is left at the end of a call.
 */
final class ChunkWriter implements ModelStream {
    private static final long COALESCE_NANOS = 50_000_000L;

    private final RunEvents events;
    private final boolean emitText;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private long lastFlush;
    private boolean started;

    /** @param emitText false when the answer is not streamed as it comes (JSON answers are sent whole once checked) */
    ChunkWriter(RunEvents events, boolean emitText) {
        this.events = events;
        this.emitText = emitText;
    }

    @Override
    public void text(String delta) {
        if (!emitText || delta == null || delta.isEmpty()) return;
        text.append(delta);
        maybeFlush();
    }

    @Override
    public void thinking(String delta) {
        if (delta == null || delta.isEmpty()) return;
        thinking.append(delta);
        maybeFlush();
    }

    private void maybeFlush() {
        long now = System.nanoTime();
        if (!started || now - lastFlush >= COALESCE_NANOS) {
            flush();
            started = true;
            lastFlush = now;
        }
    }

    /** The text received but not yet written as a chunk, handed over instead of written (and forgotten here). */
    String takeUnsent() {
        if (!thinking.isEmpty()) {
            events.think(thinking.toString());
            thinking.setLength(0);
        }
        String unsent = text.toString();
        text.setLength(0);
        return unsent;
    }

    void flush() {
        if (!thinking.isEmpty()) {
            events.think(thinking.toString());
            thinking.setLength(0);
        }
        if (!text.isEmpty()) {
            events.chunk(text.toString());
            text.setLength(0);
        }
    }
}
