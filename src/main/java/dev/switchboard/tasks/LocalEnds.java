package dev.switchboard.tasks;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands the end of a run this node started at accept to the sync caller waiting for it on this node, as the committed
 * task_finished JSON: the caller answers without reading the log (four reads fewer per sync invoke). The log stays
 * the truth: a run that ends elsewhere (handed back, or taken over by another node), or pauses, sends the caller to
 * the log, which it then follows as before.
 */
final class LocalEnds {
    private final ConcurrentHashMap<String, CompletableFuture<Optional<String>>> waiting = new ConcurrentHashMap<>();

    /** A sync caller will wait for this run; call before the run can start, and {@link #forget} after. */
    void expect(String runId) {
        waiting.put(runId, new CompletableFuture<>());
    }

    void forget(String runId) {
        waiting.remove(runId);
    }

    /** The run ended, committed: its task_finished snapshot as stored. */
    void ended(String runId, String taskJson) {
        CompletableFuture<Optional<String>> f = waiting.get(runId);
        if (f != null) f.complete(Optional.of(taskJson));
    }

    /** Something other than an end happened that the caller must see in the log (a pause for a person). */
    void seeLog(String runId) {
        CompletableFuture<Optional<String>> f = waiting.get(runId);
        if (f != null) f.complete(Optional.empty());
    }

    /**
     * Waits up to {@code within} for the run's end; empty when it did not come here in time, was not expected, or the
     * caller must read the log.
     */
    Optional<String> await(String runId, Duration within) throws InterruptedException {
        CompletableFuture<Optional<String>> f = waiting.get(runId);
        if (f == null) return Optional.empty();
        try {
            return f.get(Math.max(0, within.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        }
    }
}
