package dev.switchboard.runs;

/**
 * Executes one kind of queued work (agent runs now; webhook deliveries and document ingestion later).
 * The handler ends the item itself, with {@link RunQueue#complete} in the transaction that stores its final state,
 * or hands it back with {@link RunQueue#release} when its token says the node is shutting down.
 */
public interface WorkHandler {

    /** Executes the item on the calling virtual thread; the token tells when to stop. */
    void execute(QueueItem item, CancelToken token);

    /** Ends an item whose claims were all lost with their workers; it is not executed again. */
    void abandon(QueueItem item);

    /** Of the given items executing on this node, those with a stored stop request (from any node). */
    default java.util.Set<String> stopRequested(java.util.Set<String> runIds) {
        return java.util.Set.of();
    }
}
