package dev.switchboard.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.Json;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Sends a task's event log to one client: what is stored after a sequence number, then new events as they are
 * appended, until the caller's end condition; a keep-alive comment whenever nothing happened for a while. It reads the stored
 * log in pages, so memory per follower stays bounded however slow the client, and a slow client delays no one.
 */
public final class EventFollower {
    private static final int PAGE = 200;

    /** Where a follower's events go: the SSE stream of one request. */
    public interface Sink {
        void send(long seq, String envelopeJson) throws IOException;

        void ping() throws IOException;

        /**
         * The node is shutting down: the last thing sent, telling the client to reconnect (with the Last-Event-ID it
         * has) to any node.
         */
        void reconnect(String envelopeJson) throws IOException;
    }

    private final EventLog log;
    private final Duration ping;

    /** {@code ping}: how long a stream may stay silent before a keep-alive comment (15 s by default). */
    public EventFollower(EventLog log, Duration ping) {
        this.log = log;
        this.ping = ping;
    }

    /**
     * Follows until {@code isLast} says an event sent was the last, the task is deleted, or the client goes away
     * (IOException).
     */
    public void follow(String org, String taskId, long afterSeq, Predicate<TaskEvent> isLast, Sink sink)
            throws IOException, InterruptedException {
        follow(org, taskId, afterSeq, e -> true, isLast, sink);
    }

    /** As above, sending only the events {@code include} accepts (the end condition sees every event). */
    public void follow(String org, String taskId, long afterSeq, Predicate<TaskEvent> include, Predicate<TaskEvent> isLast,
                       Sink sink) throws IOException, InterruptedException {
        try (EventLog.Following following = log.follow(org, taskId)) {
            followMarked(org, taskId, afterSeq, include, isLast, sink);
        }
    }

    private void followMarked(String org, String taskId, long afterSeq, Predicate<TaskEvent> include, Predicate<TaskEvent> isLast,
                              Sink sink) throws IOException, InterruptedException {
        long seq = afterSeq;
        long idleSince = System.nanoTime();
        while (true) {
            if (log.isClosing()) {
                sink.reconnect(reconnectEnvelope(org, taskId, seq));
                return;
            }
            List<TaskEvent> batch = log.after(org, taskId, seq, PAGE);
            for (TaskEvent e : batch) {
                if (include.test(e)) sink.send(e.seq(), envelope(e));
                seq = e.seq();
                if (isLast.test(e)) return;
            }
            if (!batch.isEmpty()) {
                idleSince = System.nanoTime();
                continue;
            }
            Duration idle = Duration.ofNanos(System.nanoTime() - idleSince);
            if (idle.compareTo(ping) >= 0) {
                sink.ping();
                idleSince = System.nanoTime();
                continue;
            }
            if (!log.awaitAfter(org, taskId, seq, ping.minus(idle))) {
                return; // the task was deleted: nothing more will come
            }
        }
    }

    /**
     * The stream's last event when its node shuts down: {@code reconnect}, with the sequence number to resume after
     * (the stream's Last-Event-ID), in the usual envelope.
     */
    static String reconnectEnvelope(String org, String taskId, long lastSeq) {
        ObjectNode n = Json.object();
        n.put("type", "reconnect");
        n.put("task_id", taskId);
        n.put("organization_id", org);
        n.put("time", java.time.Instant.now().toString());
        n.putObject("data").put("reason", "node_shutdown").put("last_event_id", lastSeq);
        return Json.write(n);
    }

    /** xpander's envelope: {type, task_id, organization_id, time, data}. */
    public static String envelope(TaskEvent e) {
        ObjectNode n = Json.object();
        n.put("type", e.type());
        n.put("task_id", e.taskId());
        n.put("organization_id", e.organizationId());
        n.put("time", e.time());
        n.set("data", e.data());
        return Json.write(n);
    }
}
