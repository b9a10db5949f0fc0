package dev.switchboard.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator: {@code c} virtual threads, each with its own keep-alive connection, each sending its
 * next request as soon as the previous one is answered, for a fixed time or a fixed number of requests in all.
 */
final class Load {
    private Load() {}

    /** One request on a worker's connection; true when its answer was the expected one. */
    @FunctionalInterface
    interface Call {
        boolean send(RawHttp http, long seq) throws IOException;
    }

    /** A round: requests answered (ok or not), those that were not ok, its wall time, and each request's latency. */
    record Round(long requests, long errors, double seconds, List<Long> latencies, String firstError) {
        double perSecond() { return requests / seconds; }
    }

    /** Runs {@code connections.size()} workers until {@code seconds} have passed (each finishes its request in flight). */
    static Round forSeconds(List<RawHttp> connections, double seconds, Call call) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        return run(connections, Long.MAX_VALUE, deadline, call);
    }

    /** Runs the workers until {@code total} requests have been sent in all. */
    static Round count(List<RawHttp> connections, long total, Call call) {
        return run(connections, total, Long.MAX_VALUE, call);
    }

    private static Round run(List<RawHttp> connections, long total, long deadline, Call call) {
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        CountDownLatch ready = new CountDownLatch(connections.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        long start;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RawHttp http : connections) {
                futures.add(pool.submit(() -> {
                    List<Long> latencies = new ArrayList<>(4096);
                    ready.countDown();
                    go.await();
                    long seq;
                    while (System.nanoTime() < deadline && (seq = next.getAndIncrement()) < total) {
                        long t0 = System.nanoTime();
                        boolean ok;
                        String problem = null;
                        try {
                            ok = call.send(http, seq);
                        } catch (IOException | RuntimeException e) {
                            ok = false;
                            problem = e.toString();
                        }
                        latencies.add(System.nanoTime() - t0);
                        if (!ok) {
                            errors.incrementAndGet();
                            synchronized (firstError) {
                                if (firstError[0] == null) firstError[0] = problem != null ? problem : "unexpected answer";
                            }
                        }
                    }
                    return latencies;
                }));
            }
            await(ready);
            start = System.nanoTime();
            go.countDown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : futures) {
            try {
                all.addAll(f.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new Round(all.size(), errors.get(), seconds, all, firstError[0]);
    }

    static List<RawHttp> connections(java.net.URI base, String apiKey, int n) {
        List<RawHttp> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(new RawHttp(base, apiKey));
        return list;
    }

    static void close(List<RawHttp> connections) {
        connections.forEach(RawHttp::close);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
