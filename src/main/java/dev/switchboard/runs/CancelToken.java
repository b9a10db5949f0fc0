package dev.switchboard.runs;

import io.opentelemetry.context.Context;
import org.slf4j.MDC;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * How a run is cancelled. A blocking side effect (a tool call, a fetch) runs on a child virtual thread that gets
 * interrupted ({@link #call}); the run's own thread is never interrupted there, so it can always store the outcome
 * (an interrupted thread cannot borrow a pooled database connection). A model call, which ends promptly when its own
 * thread is interrupted, runs on the run's thread instead ({@link #callHere}): interrupted only while inside the call,
 * its interrupt cleared before the call returns.
 */
public final class CancelToken {

    public enum Reason {
        /** A stop request (a user's stop, or an interrupting turn). */
        STOP,
        /** The node is shutting down: the work is handed back to the queue, not ended. */
        RELEASE
    }

    /** Thrown out of {@link #call} when the token was cancelled. */
    public static final class Cancelled extends Exception {
        private final Reason reason;

        Cancelled(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        public Reason reason() { return reason; }
    }

    // One daemon thread for the time limits of calls made here (see callHere): a timed-out call is interrupted from it.
    private static final java.util.concurrent.ScheduledThreadPoolExecutor TIME_LIMITS = timeLimits();

    private volatile Reason reason;
    private volatile CompletableFuture<?> inFlight;
    private volatile Thread callThread;
    // The thread inside callHere, and whether its time ran out: both guarded by this token's monitor, so that no
    // interrupt reaches the thread once it has left the call.
    private Thread hereThread;
    private boolean hereTimedOut;

    public void cancel(Reason why) {
        synchronized (this) {
            if (reason == null) reason = why;
            if (hereThread != null) hereThread.interrupt();
        }
        CompletableFuture<?> f = inFlight;
        if (f != null) f.completeExceptionally(new Cancelled(reason));
        Thread t = callThread;
        if (t != null) t.interrupt();
    }

    public Optional<Reason> reason() { return Optional.ofNullable(reason); }

    /** Throws when cancelled; call between steps so that no further step starts. */
    public void check() throws Cancelled {
        Reason r = reason;
        if (r != null) throw new Cancelled(r);
    }

    /** Thrown out of {@link #call(Callable, java.time.Duration)} when the time ran out; the call was interrupted. */
    public static final class TimedOut extends Exception {
        TimedOut() { super("timed out", null, false, false); }
    }

    /**
     * Runs a blocking call on a child virtual thread and waits for it. On cancel the wait ends at once and the call
     * is interrupted (the JDK HTTP client then cancels its request).
     */
    public <T> T call(Callable<T> work) throws Cancelled, Exception {
        try {
            return call(work, null);
        } catch (TimedOut impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Runs a blocking call on this thread, for a call that ends promptly when its thread is interrupted (the model
     * call: our provider HTTP client reads on the calling thread, and an interrupted virtual thread's socket read is
     * aborted). A cancel, or {@code within} (when not null) passing, interrupts it; the interrupt is cleared before
     * this returns, and none can reach the thread after. A thread and a wait per call fewer than {@link #call}, and a
     * held run keeps one stack instead of two while its model answers.
     */
    public <T> T callHere(Callable<T> work, java.time.Duration within) throws Cancelled, TimedOut, Exception {
        Thread self = Thread.currentThread();
        synchronized (this) {
            check();
            hereThread = self;
            hereTimedOut = false;
        }
        java.util.concurrent.ScheduledFuture<?> limit = within == null ? null
                : TIME_LIMITS.schedule(() -> timeUp(self), Math.max(0, within.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
        boolean timedOut;
        try {
            return work.call();
        } catch (Exception e) {
            synchronized (this) {
                timedOut = hereTimedOut;
            }
            if (reason != null) throw new Cancelled(reason);
            if (timedOut) throw new TimedOut();
            throw e;
        } finally {
            if (limit != null) limit.cancel(false);
            synchronized (this) {
                hereThread = null;
            }
            // An interrupt that came as the call ended: the run's thread goes on to store the outcome.
            Thread.interrupted();
        }
    }

    private void timeUp(Thread thread) {
        synchronized (this) {
            if (hereThread == thread) {
                hereTimedOut = true;
                thread.interrupt();
            }
        }
    }

    private static java.util.concurrent.ScheduledThreadPoolExecutor timeLimits() {
        var executor = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("switchboard-call-limits").factory());
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Like {@link #call(Callable)}, but gives up (and interrupts the call) when {@code within} has passed. */
    public <T> T call(Callable<T> work, java.time.Duration within) throws Cancelled, TimedOut, Exception {
        check();
        CompletableFuture<T> result = new CompletableFuture<>();
        // The child logs as the run does (its ids in the MDC).
        java.util.Map<String, String> mdc = MDC.getCopyOfContextMap();
        // ... and in the run's trace.
        Context trace = Context.current();
        Thread child = Thread.ofVirtual().unstarted(trace.wrap(() -> {
            if (mdc != null) MDC.setContextMap(mdc);
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }));
        inFlight = result;
        callThread = child;
        child.start();
        try {
            if (reason != null) cancel(reason);
            if (within == null) return result.get();
            try {
                return result.get(Math.max(0, within.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                child.interrupt();
                throw new TimedOut();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Cancelled c) throw c;
            if (reason != null) throw new Cancelled(reason);
            if (e.getCause() instanceof Exception ex) throw ex;
            throw new IllegalStateException(e.getCause());
        } finally {
            inFlight = null;
            callThread = null;
        }
    }
}
