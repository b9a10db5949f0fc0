package dev.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The held scenario's floor: the same number of streamed chat calls sent straight to the fake model by as many
 * senders as the scenario has clients, each call on a connection of its own (the server, too, opens one per call it
 * holds) and held open until its answer is read whole. Its drain (first call sent → last answer read, minus the
 * model's latency) is what the kit's load generator and the fake model take on their own on this machine, for work
 * the server's drain also contains: no server could drain in less.
 *
 * <p>The calls are sent from a process of their own ({@link #inChild}): a connection takes a file descriptor at each
 * end, and 10,000 calls with both ends in the kit's process pass the 20,000 descriptors a process may have here. The
 * child warms up first (one batch of a fifth of the calls), so that its own JIT compiler is not what the floor measures.
 */
final class HeldFloor {
    /** {@code sendSeconds}: first call sent → last call sent; {@code drainSeconds}: NaN when a call failed. */
    record Result(double sendSeconds, double drainSeconds, long errors, String firstError) {}

    private static final String RESULT = "held-floor ";

    private HeldFloor() {}

    /**
     * Runs {@code rounds} floors, after a warm-up, in a new JVM on the kit's classpath; one result per round. Its
     * output goes to {@code log} (replaced).
     */
    static List<Result> inChild(BenchModel model, int calls, int senders, int latencyMs, int rounds, Path log)
            throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Xmx1g", "-cp", System.getProperty("java.class.path"), HeldFloor.class.getName(),
                model.baseUrl(), Integer.toString(calls), Integer.toString(senders), Integer.toString(latencyMs),
                Integer.toString(rounds))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!child.waitFor(rounds * (latencyMs / 1000L + 120) + 120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IOException("the floor's process did not finish; see " + log);
        }
        List<Result> results = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (!line.startsWith(RESULT)) continue;
            String[] f = line.substring(RESULT.length()).split(" ", 4);
            results.add(new Result(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]),
                    f.length > 3 ? f[3] : null));
        }
        if (results.size() != rounds) throw new IOException("the floor's process gave " + results.size() + " results; see " + log);
        return results;
    }

    /** {@code <model base URL> <calls> <senders> <latency ms> <rounds>}: prints one result line per round. */
    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int calls = Integer.parseInt(args[1]);
        int senders = Integer.parseInt(args[2]);
        int latencyMs = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        run(base, Math.max(calls / 5, 1), senders, latencyMs);
        for (int r = 0; r < rounds; r++) {
            Result f = run(base, calls, senders, latencyMs);
            System.out.println(RESULT + f.sendSeconds() + " " + f.drainSeconds() + " " + f.errors()
                    + (f.firstError() != null ? " " + f.firstError().replace('\n', ' ') : ""));
        }
    }

    static Result run(URI base, int calls, int senders, int latencyMs) throws InterruptedException {
        String path = base.getPath() + "/chat/completions";
        AtomicInteger next = new AtomicInteger();
        AtomicLong lastSent = new AtomicLong();
        AtomicLong lastAnswered = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> readers = Collections.synchronizedList(new ArrayList<>(calls));
        long first = System.nanoTime();
        List<Thread> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            sending.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                    RawHttp call = new RawHttp(base, null);
                    try {
                        call.request("POST", path, Bench.chatBody("held-floor-" + i, true));
                    } catch (IOException e) {
                        call.close();
                        failed(errors, firstError, e.toString());
                        continue;
                    }
                    lastSent.accumulateAndGet(System.nanoTime(), Math::max);
                    readers.add(Thread.ofVirtual().start(() -> {
                        try (call) {
                            RawHttp.Response r = call.answer();
                            if (r.status() == 200 && r.body().contains("[DONE]")) {
                                lastAnswered.accumulateAndGet(System.nanoTime(), Math::max);
                            } else {
                                failed(errors, firstError, "status " + r.status());
                            }
                        } catch (IOException e) {
                            failed(errors, firstError, e.toString());
                        }
                    }));
                }
            }));
        }
        for (Thread t : sending) t.join();
        // Every sender is done: the list no longer changes.
        for (Thread t : readers) t.join();
        double drain = errors.get() > 0 ? Double.NaN : (lastAnswered.get() - first) / 1e9 - latencyMs / 1000.0;
        return new Result((lastSent.get() - first) / 1e9, drain, errors.get(), firstError.get());
    }

    private static void failed(AtomicLong errors, AtomicReference<String> firstError, String what) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, what);
    }
}
