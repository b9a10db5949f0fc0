package dev.switchboard.tasks;

import dev.switchboard.llm.ModelStream;

/**
 * Turns a model's stream into chunk (and think) events. When a stream follows the run, the first piece is written at
 * once, so the client sees the answer begin as soon as the model starts it, and later pieces are coalesced into one
 * event per ~50 ms, so a fast model costs a few writes a second rather than one per token. When no stream follows,
 * pieces are coalesced per second, counted from the first piece: the log still shows a long answer's progress to a
 * client who comes later, and an answer shorter than that is stored with the run's end, in the same transaction.
 * {@link #flush()} writes what is left.
 */
final class ChunkWriter implements ModelStream {
    private static final long COALESCE_FOLLOWED_NANOS = 50_000_000L;
    private static final long COALESCE_UNFOLLOWED_NANOS = 1_000_000_000L;

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
        boolean followed = events.followed();
        if (!started) {
            started = true;
            lastFlush = now;
            if (followed) flush();
            return;
        }
        if (now - lastFlush >= (followed ? COALESCE_FOLLOWED_NANOS : COALESCE_UNFOLLOWED_NANOS)) {
            flush();
            lastFlush = now;
        }
    }

    /** The text received but not yet written as a chunk, handed over instead of written (and forgotten here). */
    String takeUnsent() {
        flushThinking();
        String unsent = text.toString();
        text.setLength(0);
        return unsent;
    }

    void flush() {
        flushThinking();
        if (!text.isEmpty()) {
            events.chunk(text.toString());
            text.setLength(0);
        }
    }

    private void flushThinking() {
        if (!thinking.isEmpty()) {
            events.think(thinking.toString());
            thinking.setLength(0);
        }
    }
}
