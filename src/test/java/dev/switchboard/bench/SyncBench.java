package dev.switchboard.bench;

import dev.switchboard.testkit.TestServer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 1, sync invoke with the model answering at once (latency 0, 20 tokens streamed in one go).
 *
 * <ul>
 *   <li>Warm-up: {@code sync.warmup} seconds of load at concurrency 16, not recorded (JIT compilation).</li>
 *   <li>Concurrency 1: {@code sync.samples} invokes ({@code POST /v1/agents/{id}/invoke}, 200 with the completed
 *   task), each followed by the same chat call sent straight to the model (the floor), on the same kind of
 *   keep-alive plain-socket client; latency of each, and what Switchboard adds (its p50/p99 minus the floor's).</li>
 *   <li>Concurrency 16 and 64 ({@code sync.concurrency}): {@code sync.rounds} rounds of {@code sync.seconds} each,
 *   closed loop, alternating with the same rounds straight to the model: requests per second per round, latency
 *   over all rounds, p99/p50 per round.</li>
 *   <li>Server CPU per request: the server process's utime+stime ({@code /proc/<pid>/stat}) over the requests it
 *   answered in the phase (everything it did meanwhile is charged to them), and how it splits over the server's
 *   threads (JIT compiler, GC, the carriers of virtual threads…).</li>
 * </ul>
 */
public final class SyncBench {
    static final String ID = "sync";

    public static void main(String[] args) throws Exception {
        Bench.alone(SyncBench::run);
    }

    static void run(Report report, Fixture fixture) throws Exception {
        int samples = Bench.size("sync.samples", 2000, 200);
        double warmupSeconds = Bench.number("sync.warmup", 30, 3);
        int warmup = Bench.size("sync.warmup.pairs", 50, 50);
        List<Integer> levels = Bench.sizes("sync.concurrency", "16,64", "16,64");
        int rounds = Bench.size("sync.rounds", 5, 2);
        double seconds = Bench.number("sync.seconds", 3, 1);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("samples", samples);
        sizes.put("warmup_seconds_at_c16", warmupSeconds);
        sizes.put("concurrency", levels);
        sizes.put("rounds", rounds);
        sizes.put("seconds_per_round", seconds);
        report.sizes(ID, sizes);

        try (Fixture.Lease lease = fixture.open(ID, new BenchModel.Settings(Duration.ZERO, 20, 0), Map.of())) {
            BenchModel model = lease.model();
            BenchServer server = lease.server();
            model.recording(false);
            String agent = server.agent("bench-sync");
            String path = "/v1/agents/" + agent + "/invoke";
            URI modelUri = URI.create(model.baseUrl());
            String chatPath = modelUri.getPath() + "/chat/completions";
            Load.Call invoke = (http, seq) -> {
                RawHttp.Response r = http.post(path, "{\"input\":{\"text\":\"sync-" + seq + "\"}}");
                return r.status() == 200 && "completed".equals(Bench.field(r.body(), "status"));
            };
            Load.Call direct = (http, seq) -> {
                RawHttp.Response r = http.post(chatPath, Bench.chatBody("direct-" + seq, true));
                return r.status() == 200 && r.body().contains("[DONE]");
            };

            // Warm-up: closed-loop load at concurrency 16 (JIT compilation of the whole path), not recorded.
            List<RawHttp> warm = Load.connections(server.uri(), dev.switchboard.testkit.TestServer.ADMIN_KEY, 16);
            try {
                Load.forSeconds(warm, warmupSeconds, invoke);
            } finally {
                Load.close(warm);
            }
            // Concurrency 1, alternating: the server's call and the floor see the same moments of a noisy machine.
            List<Long> via = new ArrayList<>();
            List<Long> floor = new ArrayList<>();
            long errors = 0;
            long ticks0 = 0;
            Map<String, Long> threads0 = Map.of();
            try (RawHttp s = server.client(); RawHttp m = new RawHttp(modelUri, null)) {
                for (int i = -warmup; i < samples; i++) {
                    if (i == 0) {
                        ticks0 = Bench.cpuTicks(server.pid());
                        threads0 = Bench.cpuTicksByThread(server.pid());
                    }
                    long t0 = System.nanoTime();
                    boolean ok = invoke.send(s, i);
                    long t1 = System.nanoTime();
                    boolean okDirect = direct.send(m, i);
                    long t2 = System.nanoTime();
                    if (i < 0) continue;
                    if (!ok || !okDirect) errors++;
                    via.add(t1 - t0);
                    floor.add(t2 - t1);
                }
            }
            long ticks = Bench.cpuTicks(server.pid()) - ticks0;
            String split = Bench.cpuSplit(threads0, Bench.cpuTicksByThread(server.pid()), 6);
            List<Double> viaMs = Bench.millis(via);
            List<Double> floorMs = Bench.millis(floor);
            List<Double> viaSorted = viaMs.stream().sorted().toList();
            List<Double> floorSorted = floorMs.stream().sorted().toList();
            // Per-pair difference: each invoke minus the direct call right after it.
            List<Double> added = new ArrayList<>();
            for (int i = 0; i < via.size(); i++) added.add((via.get(i) - floor.get(i)) / 1e6);
            List<Report.Row> rows = new ArrayList<>();
            rows.add(Report.Row.of("sync invoke through Switchboard: latency", "ms", viaMs));
            rows.add(Report.Row.of("the same chat call straight to the model (floor)", "ms", floorMs));
            rows.add(Report.Row.value("added at p50 (Switchboard p50 − floor p50)", "ms",
                    Bench.percentile(viaSorted, 50) - Bench.percentile(floorSorted, 50)));
            rows.add(Report.Row.value("added at p99 (Switchboard p99 − floor p99)", "ms",
                    Bench.percentile(viaSorted, 99) - Bench.percentile(floorSorted, 99)));
            rows.add(Report.Row.of("added per pair (invoke − the direct call after it)", "ms", added));
            rows.add(Report.Row.value("server CPU per invoke", "ms", Bench.cpuMsPer(ticks, samples)));
            rows.add(Report.Row.value("errors (not 200 + completed, or floor failed)", "", errors));
            report.table(ID, "1a. Sync invoke, model latency 0, concurrency 1 (" + samples + " sequential pairs, after "
                    + warmupSeconds + " s of load at concurrency 16 and " + warmup + " pairs of warm-up)", rows, List.of("Server CPU by thread in this phase: " + split + "."));

            for (int c : levels) {
                concurrency(report, server, modelUri, c, rounds, seconds, invoke, direct);
            }
            report.table(ID, "1. Sync scenario: server log", List.of(), server.logSummary());
        }
    }

    private static void concurrency(Report report, BenchServer server, URI modelUri, int c, int rounds, double seconds,
                                    Load.Call invoke, Load.Call direct) {
        List<RawHttp> toServer = Load.connections(server.uri(), TestServer.ADMIN_KEY, c);
        List<RawHttp> toModel = Load.connections(modelUri, null, c);
        try {
            Load.forSeconds(toServer, Math.min(2, seconds), invoke); // warm-up (connections, JIT at this concurrency)
            Load.forSeconds(toModel, Math.min(1, seconds), direct);
            List<Double> rate = new ArrayList<>();
            List<Double> floorRate = new ArrayList<>();
            List<Long> latencies = new ArrayList<>();
            List<Long> floorLatencies = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            List<Double> floorRatio = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            Map<String, Long> threads0 = Bench.cpuTicksByThread(server.pid());
            long errors = 0;
            String firstError = null;
            for (int r = 0; r < rounds; r++) {
                long t0 = Bench.cpuTicks(server.pid());
                Load.Round round = Load.forSeconds(toServer, seconds, invoke);
                long ticks = Bench.cpuTicks(server.pid()) - t0;
                Load.Round floor = Load.forSeconds(toModel, seconds, direct);
                rate.add(round.perSecond());
                floorRate.add(floor.perSecond());
                latencies.addAll(round.latencies());
                floorLatencies.addAll(floor.latencies());
                ratio.add(p(round.latencies(), 99) / p(round.latencies(), 50));
                floorRatio.add(p(floor.latencies(), 99) / p(floor.latencies(), 50));
                cpu.add(Bench.cpuMsPer(ticks, round.requests()));
                errors += round.errors() + floor.errors();
                if (firstError == null) firstError = round.firstError() != null ? round.firstError() : floor.firstError();
                report.progress(ID, String.format("c=%d round %d: %.0f req/s (floor %.0f), CPU %.2f ms/req", c, r + 1,
                        round.perSecond(), floor.perSecond(), cpu.getLast()));
            }
            // The floor rounds add nothing to the server's threads: the split is the invoke rounds'.
            String split = Bench.cpuSplit(threads0, Bench.cpuTicksByThread(server.pid()), 6);
            List<Report.Row> rows = new ArrayList<>();
            rows.add(Report.Row.of("sync invokes per second (per round)", "req/s", rate));
            rows.add(Report.Row.of("chat calls per second straight to the model (floor, per round)", "req/s", floorRate));
            rows.add(Report.Row.of("sync invoke latency (all rounds)", "ms", Bench.millis(latencies)));
            rows.add(Report.Row.of("chat call latency straight to the model (floor)", "ms", Bench.millis(floorLatencies)));
            rows.add(Report.Row.of("p99 / p50 of the invoke latency (per round)", "x", ratio));
            rows.add(Report.Row.of("p99 / p50 straight to the model (floor, per round)", "x", floorRatio));
            rows.add(Report.Row.of("server CPU per invoke (per round)", "ms", cpu));
            rows.add(Report.Row.value("errors", "", errors));
            report.table(ID, "1b. Sync invoke, model latency 0, concurrency " + c + " (" + rounds + " rounds of "
                    + seconds + " s each way)", rows, firstError == null ? List.of("Server CPU by thread in these rounds: " + split + ".")
                    : List.of("Server CPU by thread in these rounds: " + split + ".", "first error: " + firstError));
        } finally {
            Load.close(toServer);
            Load.close(toModel);
        }
    }

    private static double p(List<Long> nanos, double p) {
        return Bench.percentile(Bench.millis(nanos).stream().sorted().toList(), p);
    }
}
