package dev.switchboard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Write transactions of many callers committed together, for a database that takes one writer at a time (SQLite).
 *
 * <p>Why: every accepted invoke and every finished run is a small write transaction. One at a time, each paid for
 * its own BEGIN and COMMIT and for handing SQLite's write lock to the next writer; when writers met that lock inside
 * SQLite, they waited in its busy handler, which sleeps in native code and pins the virtual thread's carrier. Here
 * each caller queues its work; whoever finds the writer free becomes the writer and runs everything queued so far in
 * one transaction, each caller's work inside a savepoint of its own, so that one caller's failure rolls back only its
 * own statements. Callers still waiting are woken once the batch has committed; a writer whose own work is in writes a
 * little more, then wakes the first caller still queued to write the next batch (see {@link #handOff}). This is the
 * "group commit" of database servers, done with flat combining (no writer thread to hand work to).
 *
 * <p>A caller's work must not start another write transaction (there is no nesting), and its after-commit actions
 * run on its own thread once its batch has committed.
 */
final class GroupCommit {
    private static final int MAX_BATCH = 256;
    // A waiter is woken when its batch commits; it also re-checks at this interval, as a safety net only. (A short
    // interval is not free: with thousands of runs writing at once, 20 ms cost a fifth of the CPU in wake-ups.)
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    // How long a writer whose own work is committed goes on writing others' batches before it hands the writer over.
    private static final long EXTRA_WRITING_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Supplier<Connection> connections;
    private final String begin;
    private final Statements statements;
    private final ReentrantLock writer = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

    GroupCommit(Supplier<Connection> connections, String begin, Statements statements) {
        this.connections = connections;
        this.begin = begin;
        this.statements = statements;
    }

    <T> T run(Db.TxWork<T> work) {
        // A write once asked for is not interruptible: an interrupted thread that became the writer would fail the
        // connection borrow, and with it everyone's batch. The interrupt is kept for the caller, once written.
        boolean interrupted = Thread.interrupted();
        try {
            return write(work);
        } finally {
            if (interrupted || Thread.interrupted()) Thread.currentThread().interrupt();
        }
    }

    private <T> T write(Db.TxWork<T> work) {
        Pending<T> mine = new Pending<>(work, Thread.currentThread());
        queue.add(mine);
        boolean interrupted = false;
        while (!mine.done) {
            if (writer.tryLock()) {
                try {
                    while (!mine.done) writeBatch();
                    // A little more for whoever queued meanwhile (see handOff): waking the next writer costs a wait
                    // for a free carrier on a busy node, during which nobody writes.
                    long until = System.nanoTime() + EXTRA_WRITING_NANOS;
                    while (!queue.isEmpty() && System.nanoTime() - until < 0) writeBatch();
                } finally {
                    writer.unlock();
                }
                handOff();
            } else {
                LockSupport.parkNanos(this, RECHECK_NANOS);
                // An interrupt while waiting would make every park return at once: taken off, put back after.
                if (Thread.interrupted()) interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return mine.outcome();
    }

    /** Something to run while no transaction of ours is open (see {@link #exclusively}). */
    interface WhileNoOneWrites<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code action} while no transaction of ours is open, then writes what queued up meanwhile: for the
     * write-ahead-log checkpoint, which can only finish (and let the log start over) while no new commit adds to it.
     * Callers that queue meanwhile park as they would behind any batch, without pinning a carrier.
     */
    <T> T exclusively(WhileNoOneWrites<T> action) throws SQLException {
        T result;
        writer.lock();
        try {
            result = action.run();
            writeBatch();
        } finally {
            writer.unlock();
        }
        handOff();
        return result;
    }

    /**
     * Wakes the first caller still queued, if any, to become the writer: callers that found the writer busy parked
     * until their batch commits, and only a writer writes it. The thread that just wrote writes their batches itself
     * for 5 ms at most ({@link #EXTRA_WRITING_NANOS}; the checkpointer not at all): it once went on for as long as
     * anything was queued, which under steady load is for ever - for seconds a caller's own answer waited behind the
     * others' batches (sync invokes of up to 0.5 s at 64 callers against a p50 of 17 ms), or the checkpointer did not
     * checkpoint (the log grew to 440 MB). Handing over at once instead made the streaming scenario's writes wait for
     * the woken caller to find a carrier on a busy node; within the noise of this machine, 5 ms kept both.
     * No wake-up is lost: a caller queues before it tries the writer, so one that found it held is in the queue by
     * the time its holder lets go and looks.
     */
    private void handOff() {
        Pending<?> next = queue.peek();
        if (next != null) LockSupport.unpark(next.caller);
    }

    private void writeBatch() {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) batch.add(p);
        if (batch.isEmpty()) return;
        try (Connection c = connections.get()) {
            execute(c, begin);
            try {
                // A caller alone in its batch needs no savepoint: its failure rolls back the whole transaction, which
                // is only its own work (two statements fewer for every write when callers come one at a time).
                if (batch.size() == 1) batch.getFirst().runAlone(c);
                else for (Pending<?> p : batch) p.runIn(c);
                execute(c, "COMMIT");
            } catch (Throwable t) {
                try {
                    execute(c, "ROLLBACK");
                } catch (SQLException suppressed) {
                    t.addSuppressed(suppressed);
                }
                throw t;
            }
        } catch (Throwable t) {
            // The batch did not commit: no caller's work is stored, and each hears why.
            RuntimeException failure = t instanceof SQLException e ? new StorageException(e)
                    : t instanceof RuntimeException r ? r : new StorageException(new SQLException(t));
            for (Pending<?> p : batch) p.failed = p.failed == null ? failure : p.failed;
            for (Pending<?> p : batch) p.afterCommit.clear();
        }
        for (Pending<?> p : batch) p.finish();
    }

    private void execute(Connection c, String sql) throws SQLException {
        statements.with(c, sql, PreparedStatement::execute);
    }

    /** One caller's work, its outcome, and the thread to wake when the outcome is known. */
    private final class Pending<T> {
        private final Db.TxWork<T> work;
        private final Thread caller;
        private final List<Runnable> afterCommit = new ArrayList<>(2);
        private T result;
        private RuntimeException failed;
        private volatile boolean done;

        Pending(Db.TxWork<T> work, Thread caller) {
            this.work = work;
            this.caller = caller;
        }

        void runIn(Connection c) throws SQLException {
            execute(c, "SAVEPOINT w");
            Db.Tx tx = new Db.Tx(c, statements, false);
            try {
                result = work.run(tx);
                afterCommit.addAll(tx.afterCommit());
                execute(c, "RELEASE w");
            } catch (RuntimeException e) {
                failed = e;
                execute(c, "ROLLBACK TO w");
                execute(c, "RELEASE w");
            }
        }

        /** As the batch's only work: a failure is thrown, and rolls back the whole transaction. */
        void runAlone(Connection c) {
            Db.Tx tx = new Db.Tx(c, statements, false);
            result = work.run(tx);
            afterCommit.addAll(tx.afterCommit());
        }

        void finish() {
            done = true;
            if (caller != Thread.currentThread()) LockSupport.unpark(caller);
        }

        T outcome() {
            if (failed != null) throw failed;
            afterCommit.forEach(Runnable::run);
            return result;
        }
    }
}
