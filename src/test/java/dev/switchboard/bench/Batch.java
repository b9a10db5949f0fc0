package dev.switchboard.bench;

import dev.switchboard.testkit.TestServer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submits {@code runs} async invokes to one agent from {@code concurrency} keep-alive clients, and watches them
 * complete by polling {@code GET /v1/tasks?agent_id=..&status=completed&per_page=1} for its {@code total}: one small
 * query per poll, whatever the number of runs (polling each task would cost the server a request per run, as much
 * as the invokes themselves). Used by the async and the held-concurrency scenarios.
 */
final class Batch {
    /** One poll: when its answer arrived, how many had been accepted by then, how many were completed. */
    record Sample(long nanos, long accepted, long completed, long rssKb) {}

    /**
     * What happened: when the first invoke was sent, the last accepted, the poll that saw them all completed (its
     * answer's arrival), each accept's latency and arrival, the polls, the server's CPU ticks over the whole batch.
     */
    record Result(int runs, long firstSent, long lastAccepted, long done, long errors, String firstError,
                  List<Long> acceptLatencies, List<Long> acceptTimes, List<Sample> samples, long cpuTicks,
                  long peakRssKb, boolean finished, String unfinished) {
        double acceptSeconds() { return (lastAccepted - firstSent) / 1e9; }

        double totalSeconds() { return (done - firstSent) / 1e9; }

        long peakInFlight() {
            return samples.stream().mapToLong(s -> s.accepted() - s.completed()).max().orElse(0);
        }

        /** When the k-th run (0-based) was seen completed: the first poll whose count exceeded k. */
        long completedAt(int k) {
            for (Sample s : samples) if (s.completed() > k) return s.nanos();
            return -1;
        }
    }

    private Batch() {}

    /**
     * Runs the batch. {@code whenAllAccepted} runs on the submitting thread once the last invoke is accepted, while the
     * polls go on (the held-concurrency scenario reads the heap there).
     */
    static Result run(BenchServer server, String agent, int runs, int concurrency, long pollMillis, long stallSeconds,
                      Runnable whenAllAccepted) throws IOException {
        String path = "/v1/agents/" + agent + "/invoke/async";
        String count = "/v1/tasks?agent_id=" + agent + "&status=completed&per_page=1";
        ConcurrentLinkedQueue<Long> acceptTimes = new ConcurrentLinkedQueue<>();
        AtomicLong accepted = new AtomicLong();
        List<RawHttp> clients = Load.connections(server.uri(), TestServer.ADMIN_KEY, concurrency);
        // Open the connections first: connecting is not part of what an invoke costs.
        for (RawHttp c : clients) c.get("/health");
        // The agent's runs completed before this batch: a batch after another on the same agent (the held scenario's
        // warm-up) counts only its own. Counting them all ended such a batch at its first poll, its runs still going.
        long completedBefore = completed(clients.getFirst(), count);
        if (completedBefore < 0) throw new IOException("could not count the agent's completed runs");
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        long[] done = {-1};
        String[] unfinished = {null};
        long[] peakRss = {0};
        long ticks0 = Bench.cpuTicks(server.pid());
        long firstSent = System.nanoTime();
        Thread poller = Thread.ofVirtual().start(() -> {
            try (RawHttp http = server.client()) {
                long lastProgress = System.nanoTime();
                long last = -1;
                while (!stop.get()) {
                    Bench.sleep(pollMillis);
                    long acc = accepted.get();
                    long total = completed(http, count);
                    long now = System.nanoTime();
                    long completed = total < 0 ? -1 : total - completedBefore;
                    long rss = Bench.rssKb(server.pid());
                    peakRss[0] = Math.max(peakRss[0], rss);
                    synchronized (samples) {
                        samples.add(new Sample(now, acc, completed, rss));
                    }
                    if (completed >= runs) {
                        done[0] = now;
                        return;
                    }
                    if (completed > last) {
                        last = completed;
                        lastProgress = now;
                    } else if (now - lastProgress > stallSeconds * 1_000_000_000L) {
                        unfinished[0] = stalled(http, agent, completed, runs, stallSeconds);
                        done[0] = now;
                        return;
                    }
                }
            } catch (IOException e) {
                unfinished[0] = "polling failed: " + e;
            }
        });
        Load.Round round;
        try {
            round = Load.count(clients, runs, (http, seq) -> {
                RawHttp.Response r = http.post(path, "{\"input\":{\"text\":\"run-" + seq + "\"}}");
                boolean ok = r.status() == 200 && "pending".equals(Bench.field(r.body(), "status"));
                if (ok) {
                    acceptTimes.add(System.nanoTime());
                    accepted.incrementAndGet();
                }
                return ok;
            });
        } finally {
            Load.close(clients);
        }
        long lastAccepted = acceptTimes.stream().mapToLong(Long::longValue).max().orElse(firstSent);
        if (whenAllAccepted != null) whenAllAccepted.run();
        try {
            poller.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        }
        long ticks = Bench.cpuTicks(server.pid()) - ticks0;
        List<Long> times = acceptTimes.stream().sorted().toList();
        boolean finished = unfinished[0] == null && round.errors() == 0;
        return new Result(runs, firstSent, lastAccepted, done[0], round.errors(), round.firstError(), round.latencies(),
                times, List.copyOf(samples), ticks, peakRss[0], finished, unfinished[0]);
    }

    /** The agent's completed runs as the count query answers, or -1. */
    private static long completed(RawHttp http, String countPath) throws IOException {
        RawHttp.Response r = http.get(countPath);
        return r.status() == 200 ? Long.parseLong(Bench.field(r.body(), "total")) : -1;
    }

    private static String stalled(RawHttp http, String agent, long completed, int runs, long stallSeconds) throws IOException {
        StringBuilder s = new StringBuilder("no run completed for " + stallSeconds + " s at " + completed + " of " + runs + ";");
        for (String status : List.of("pending", "executing", "failed", "error", "stopped")) {
            RawHttp.Response r = http.get("/v1/tasks?agent_id=" + agent + "&status=" + status + "&per_page=1");
            s.append(' ').append(status).append(' ').append(Bench.field(r.body(), "total"));
        }
        return s.toString();
    }
}
