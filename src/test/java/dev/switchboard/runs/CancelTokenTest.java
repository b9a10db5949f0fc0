package dev.switchboard.runs;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A call made on the run's own thread: interrupted by a stop or its time limit, and never left interrupted. */
class CancelTokenTest {

    @Test
    void aCallHereReturnsItsValueOnTheCallingThread() throws Exception {
        CancelToken token = new CancelToken();
        Thread caller = Thread.currentThread();

        String value = token.callHere(() -> Thread.currentThread() == caller ? "here" : "elsewhere", null);

        assertThat(value).isEqualTo("here");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aStopInterruptsTheCallAndLeavesTheThreadUninterrupted() throws Exception {
        CancelToken token = new CancelToken();
        CountDownLatch inside = new CountDownLatch(1);
        long started = System.nanoTime();
        CompletableFuture<Object> outcome = onVirtualThread(() -> token.callHere(() -> {
            inside.countDown();
            return blockLikeASocketRead();
        }, null));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        token.cancel(CancelToken.Reason.STOP);

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(CancelToken.Cancelled.class)
                .extracting(o -> ((CancelToken.Cancelled) o).reason()).isEqualTo(CancelToken.Reason.STOP);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aCallPastItsTimeIsInterruptedAndTimedOut() throws Exception {
        CancelToken token = new CancelToken();

        Object outcome = onVirtualThread(() -> token.callHere(CancelTokenTest::blockLikeASocketRead, Duration.ofMillis(100)))
                .get(5, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(CancelToken.TimedOut.class);
    }

    @Test
    void aTokenCancelledBeforeTheCallDoesNotRunIt() {
        CancelToken token = new CancelToken();
        token.cancel(CancelToken.Reason.RELEASE);
        boolean[] ran = {false};

        assertThatThrownBy(() -> token.callHere(() -> ran[0] = true, null)).isInstanceOf(CancelToken.Cancelled.class);
        assertThat(ran[0]).isFalse();
    }

    @Test
    void aStopAfterTheCallEndedDoesNotInterruptTheThread() throws Exception {
        CancelToken token = new CancelToken();

        token.callHere(() -> "done", Duration.ofMillis(50));
        token.cancel(CancelToken.Reason.STOP);
        Thread.sleep(150); // the time limit, had it not been cancelled, would have fired meanwhile

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThatThrownBy(token::check).isInstanceOf(CancelToken.Cancelled.class);
    }

    /**
     * Blocks as a virtual thread's socket read does: an interrupt ends it with an IOException and leaves the thread's
     * interrupt status set.
     */
    private static String blockLikeASocketRead() throws java.io.IOException {
        try {
            Thread.sleep(10_000);
            return "read";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("Closed by interrupt");
        }
    }

    /**
     * Runs {@code call} on a virtual thread, as a run does; completes with its value or what it threw, or with
     * "interrupted" when the thread was left interrupted afterwards.
     */
    private static CompletableFuture<Object> onVirtualThread(Callable<Object> call) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            Object result;
            try {
                result = call.call();
            } catch (Exception e) {
                result = e;
            }
            out.complete(Thread.currentThread().isInterrupted() ? "interrupted" : result);
        });
        return out;
    }
}
