package dev.switchboard.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Claims queued work and executes each item on its own virtual thread, at most {@code maxConcurrent} at once.
 * A heartbeat renews the leases of what runs here and picks up stop requests stored by any node.
 */
public final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final int MAX_ATTEMPTS = 3;
    private static final int CLAIM_BATCH = 64;

    private final RunQueue queue;
    private final Map<String, WorkHandler> handlers = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final Duration heartbeat;
    private final Map<String, CancelToken> running = new ConcurrentHashMap<>();
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean accepting;
    private Thread dispatcher;
    private Thread heart;

    public Worker(RunQueue queue, int maxConcurrent, Duration lease) {
        this.queue = queue;
        this.slots = new Semaphore(maxConcurrent);
        this.heartbeat = lease.dividedBy(3);
    }

    /** Registers the handler of one kind of work; all are registered before {@link #start()}. */
    public void register(String kind, WorkHandler handler) {
        handlers.put(kind, handler);
    }

    public void start() {
        int orphans = queue.reclaimOrphans();
        if (orphans > 0) {
            log.info("Requeued {} run(s) left by a node that is gone", orphans);
        }
        accepting = true;
        queue.listen(this::signal, this::cancel);
        // A virtual thread, like the request handlers: the runs it starts then go to its carrier's own queue. Started
        // from a platform thread they went to the scheduler's shared queue, which the carriers serve only when their
        // own queues are empty, so under a steady stream of requests no run started until the requests stopped.
        dispatcher = Thread.ofVirtual().name("switchboard-dispatcher").start(this::dispatch);
        heart = Thread.ofPlatform().name("switchboard-heartbeat").daemon().start(this::beat);
    }

    /** Tells the dispatcher that new work is queued. */
    public void signal() {
        if (wakeUp.availablePermits() == 0) {
            wakeUp.release();
        }
    }

    /**
     * Reserves a run slot for work this node leases to itself as it accepts it (RunQueue.enqueueLeased); false when
     * the node is full or stopping. The slot is then either used by {@link #startLeased} or given back.
     */
    public boolean reserveSlot() {
        return accepting && slots.tryAcquire();
    }

    public void releaseSlot() {
        slots.release();
    }

    /** Starts work leased to this node in the transaction that queued it, on the slot reserved for it. */
    public void startLeased(QueueItem item) {
        startRun(item);
    }

    private void startRun(QueueItem item) {
        // Registered before the thread starts, so that a stop arriving meanwhile finds the run and is not lost.
        CancelToken token = new CancelToken();
        running.put(item.runId(), token);
        Thread.ofVirtual().name("run-" + item.runId()).start(() -> execute(item, token));
    }

    /** Cancels the run if it executes on this node; its handler then stores the stop. */
    public void cancel(String runId) {
        CancelToken token = running.get(runId);
        if (token != null) {
            token.cancel(CancelToken.Reason.STOP);
        }
    }

    public int inFlight() { return running.size(); }

    private void dispatch() {
        while (accepting) {
            try {
                int free = slots.availablePermits();
                List<QueueItem> claimed = free == 0 ? List.of() : queue.claim(Math.min(free, CLAIM_BATCH));
                for (QueueItem item : claimed) {
                    slots.acquire();
                    startRun(item);
                }
                if (claimed.size() < Math.min(Math.max(free, 1), CLAIM_BATCH)) {
                    wakeUp.tryAcquire(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Claiming work failed; retrying", e);
                sleepQuietly(IDLE_POLL);
            }
        }
    }

    private void execute(QueueItem item, CancelToken token) {
        // Every line logged for this work carries its id (and the handler adds its task and organization).
        MDC.put("run_id", item.runId());
        try {
            WorkHandler handler = handlers.get(item.kind());
            if (handler == null) {
                log.error("No handler for queued work of kind {} (run {})", item.kind(), item.runId());
                return;
            }
            if (item.attempts() > MAX_ATTEMPTS) {
                handler.abandon(item);
            } else {
                handler.execute(item, token);
            }
        } catch (RuntimeException e) {
            // The handler stores its own failures; reaching here means even that failed. The lease will lapse and
            // the item will be claimed again.
            log.error("Run {} failed outside its handler", item.runId(), e);
        } finally {
            running.remove(item.runId());
            slots.release();
            // Not only when a full node frees a slot: the end of a run also makes the next queued turn of its
            // thread claimable, which must not wait for the idle poll.
            signal();
        }
    }

    private void beat() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(heartbeat);
                Set<String> ids = Set.copyOf(running.keySet());
                if (ids.isEmpty()) continue;
                queue.renew(ids);
                for (WorkHandler handler : handlers.values()) {
                    handler.stopRequested(ids).forEach(this::cancel);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("Heartbeat failed; retrying", e);
            }
        }
    }

    /**
     * Stops claiming, lets runs finish within the grace period, then interrupts the rest so their items are released
     * for the next node start (or another node) to resume.
     */
    public void stop(Duration grace) {
        accepting = false;
        if (dispatcher != null) dispatcher.interrupt();
        long deadline = System.nanoTime() + grace.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            sleepQuietly(Duration.ofMillis(20));
        }
        running.values().forEach(t -> t.cancel(CancelToken.Reason.RELEASE));
        long releaseDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!running.isEmpty() && System.nanoTime() < releaseDeadline) {
            sleepQuietly(Duration.ofMillis(20));
        }
        if (heart != null) heart.interrupt();
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
