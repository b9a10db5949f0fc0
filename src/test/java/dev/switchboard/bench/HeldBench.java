package dev.switchboard.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 3, held concurrency: {@code held.runs} async invokes (default 10,000) sent as fast as
 * {@code held.concurrency} clients can, against a model that takes {@code held.latency} ms (default 5 s) to answer
 * each, on a server allowed that many runs at once ({@code SWITCHBOARD_MAX_CONCURRENT_RUNS}) with a 1 GiB heap.
 * The drain is the time from the first invoke sent to the poll that sees every run completed, minus the model's
 * latency; its floor is the same calls sent straight to the model ({@link HeldFloor}), once per round, before the
 * rounds. Per run, matching the k-th completion seen to the k-th accept, accept → completion minus the model's
 * latency is the server's own delay for that run. The fake model counts the calls in progress: their peak is the
 * number of runs really in flight at once. The server's RSS is sampled at each poll; its heap after a full GC is read
 * once, in the last round (the probe's pause lengthens that round's drain), when every run is in its model call or
 * else just before the first model calls end, when the most calls are in progress.
 */
public final class HeldBench {
    static final String ID = "held";

    public static void main(String[] args) throws Exception {
        Bench.alone(HeldBench::run);
    }

    static void run(Report report, Fixture fixture) throws Exception {
        int runs = Bench.size("held.runs", 10_000, 200);
        int rounds = Bench.size("held.rounds", 3, 1);
        int latencyMs = Bench.size("held.latency", 5000, 500);
        int concurrency = Bench.size("held.concurrency", 200, 16);
        int pollMillis = Bench.size("held.poll.ms", 100, 50);
        int warmup = Bench.size("held.warmup", 5000, 200);
        int warmupMax = Bench.size("held.warmup.max", 60_000, 200);
        double quietShare = Bench.number("held.jit.quiet", 0.10, 0.10);
        boolean withFloor = Bench.flag("held.floor", true);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("warmup_batch_runs", warmup);
        sizes.put("warmup_max_runs", warmupMax);
        sizes.put("jit_quiet_share", quietShare);
        sizes.put("runs", runs);
        sizes.put("rounds", rounds);
        sizes.put("model_latency_ms", latencyMs);
        sizes.put("concurrency", concurrency);
        sizes.put("poll_ms", pollMillis);
        sizes.put("floor", withFloor);
        report.sizes(ID, sizes);

        try (Fixture.Lease lease = fixture.open(ID, new BenchModel.Settings(Duration.ofMillis(latencyMs), 20, 0),
                Map.of("SWITCHBOARD_MAX_CONCURRENT_RUNS", Integer.toString(Math.max(runs, 1000))))) {
            BenchModel model = lease.model();
            BenchServer server = lease.server();
            model.recording(false);
            // Warm-up with the model answering at once (class loading, the model client's first connections), in
            // batches until the JIT compilers are quiet: on 2 cores one C2 thread works through its queue for the
            // first ~30 s of load (a backlog that raises the compile thresholds as it grows), and a round measured
            // meanwhile measures that backlog, not the server a long-running node is. held.warmup.max = held.warmup
            // measures the young server instead (one batch).
            model.settings(new BenchModel.Settings(Duration.ZERO, 20, 0));
            String warmAgent = server.agent("bench-held-warmup");
            int warmed = 0;
            double jitShare;
            do {
                Map<String, Long> before = Bench.cpuTicksByThread(server.pid());
                Batch.run(server, warmAgent, warmup, concurrency, pollMillis, 120, null);
                warmed += warmup;
                jitShare = Bench.compilerShare(before, Bench.cpuTicksByThread(server.pid()));
                report.progress(ID, String.format("warm-up: %d runs, JIT compilers %.0f%% of the server's CPU in the last %d",
                        warmed, 100 * jitShare, warmup));
            } while (jitShare > quietShare && warmed + warmup <= warmupMax);
            model.settings(new BenchModel.Settings(Duration.ofMillis(latencyMs), 20, 0));
            // The floor of each round, measured here, on the warmed-up kit, before the server's rounds.
            List<HeldFloor.Result> floors = List.of();
            if (withFloor) {
                // Its process's output is kept beside the server's log.
                floors = HeldFloor.inChild(model, runs, concurrency, latencyMs, rounds, Path.of("target", "bench-logs", "held-floor.log"));
                for (HeldFloor.Result f : floors) {
                    report.progress(ID, String.format("floor: %d calls straight to the model sent in %.2f s, all answered %.2f s "
                            + "after the first was sent (drain %.2f s), errors %d%s", runs, f.sendSeconds(),
                            f.drainSeconds() + latencyMs / 1000.0, f.drainSeconds(), f.errors(),
                            f.firstError() != null ? " (first: " + f.firstError() + ")" : ""));
                }
            }
            // The idle heap is read after the rounds: its full GC here shrank the committed heap to ~90 MiB, and the
            // first round then spent its time growing it back under G1 (five concurrent cycles in 7 s).
            long rssIdle = Bench.rssKb(server.pid());
            double latencyS = latencyMs / 1000.0;
            List<Double> drain = new ArrayList<>();
            List<Double> drainAfterLastAccept = new ArrayList<>();
            List<Double> acceptSeconds = new ArrayList<>();
            List<Double> perRunDelay = new ArrayList<>();
            List<Double> peakInFlight = new ArrayList<>();
            List<Double> peakRss = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            long[] heapAtPeak = {-1};
            long[] probeMillis = {-1};
            long[] inProgressAtProbe = {-1};
            List<Double> startedByLastAccept = new ArrayList<>();
            List<Double> peakModelCalls = new ArrayList<>();
            long overflows0 = Bench.listenOverflows();
            long errors = 0;
            List<String> notes = new ArrayList<>();
            Map<String, Long> threads0 = Bench.cpuTicksByThread(server.pid());
            for (int r = 0; r < rounds; r++) {
                boolean probe = r == rounds - 1;
                long callsBefore = model.chatCalls();
                model.resetPeak();
                long[] startedAtLastAccept = {0};
                java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
                // The heap probe: once every run is in its model call, or just before the first calls end (the model
                // calls in progress then are near their most, as calls start and none has ended yet).
                Thread prober = !probe ? null : Thread.ofVirtual().start(() -> {
                    while (!over.get()) {
                        long first = model.firstCallNanos();
                        boolean allIn = model.inProgress() >= runs;
                        boolean firstEnding = first > 0 && System.nanoTime() - first >= latencyMs * 900_000L;
                        if (allIn || firstEnding) {
                            inProgressAtProbe[0] = model.inProgress();
                            long t0 = System.nanoTime();
                            heapAtPeak[0] = Bench.heapAfterGcKb(server.pid());
                            probeMillis[0] = (System.nanoTime() - t0) / 1_000_000;
                            return;
                        }
                        Bench.sleep(20);
                    }
                });
                Batch.Result b;
                try {
                    b = Batch.run(server, server.agent("bench-held-" + r), runs, concurrency, pollMillis,
                            Math.max(60, latencyMs / 1000 * 4), () -> startedAtLastAccept[0] = model.chatCalls() - callsBefore);
                } finally {
                    over.set(true);
                    if (prober != null) prober.join();
                }
                startedByLastAccept.add((double) startedAtLastAccept[0]);
                peakModelCalls.add((double) model.peakInProgress());
                if (!b.finished()) {
                    notes.add("round " + (r + 1) + " did not finish: " + (b.unfinished() != null ? b.unfinished() : "")
                            + (b.firstError() != null ? " first error: " + b.firstError() : "") + ", errors " + b.errors());
                }
                errors += b.errors();
                double d = b.finished() ? b.totalSeconds() - latencyS : Double.NaN;
                drain.add(d);
                drainAfterLastAccept.add(b.finished() ? (b.done() - b.lastAccepted()) / 1e9 - latencyS : Double.NaN);
                acceptSeconds.add(b.acceptSeconds());
                peakInFlight.add((double) b.peakInFlight());
                peakRss.add(b.peakRssKb() / 1024.0);
                cpu.add(Bench.cpuMsPer(b.cpuTicks(), runs));
                if (b.finished()) {
                    for (int k = 0; k < b.acceptTimes().size(); k++) {
                        long at = b.completedAt(k);
                        if (at > 0) perRunDelay.add((at - b.acceptTimes().get(k)) / 1e6 - latencyMs);
                    }
                }
                report.progress(ID, String.format("round %d: %d runs accepted in %.2f s, all completed %.2f s after "
                                + "the first was sent (drain %.2f s), most model calls at once %d, model calls started by "
                                + "the last accept %d, peak RSS %d MiB%s", r + 1, runs, b.acceptSeconds(), b.totalSeconds(), d,
                        model.peakInProgress(), startedAtLastAccept[0], b.peakRssKb() / 1024,
                        probe ? ", heap after GC " + heapAtPeak[0] / 1024 + " MiB with " + inProgressAtProbe[0]
                                + " model calls in progress" : ""));
            }
            long heapIdle = Bench.heapAfterGcKb(server.pid());
            long overflows = Bench.listenOverflows() - overflows0;
            notes.add("Server CPU by thread over the rounds: " + Bench.cpuSplit(threads0, Bench.cpuTicksByThread(server.pid()), 6) + ".");
            List<Report.Row> rows = new ArrayList<>();
            rows.add(Report.Row.of("drain: first invoke sent → all completed, minus the model's " + latencyS + " s (per round)", "s", drain));
            if (withFloor) {
                List<Double> floorDrain = floors.stream().map(HeldFloor.Result::drainSeconds).toList();
                double floorMedian = Bench.percentile(floorDrain.stream().sorted().toList(), 50);
                rows.add(Report.Row.of("floor: the same " + runs + " streamed calls straight to the model, each on its own connection, "
                        + "from " + concurrency + " senders in a process of their own: first sent → all answered, minus the model's "
                        + latencyS + " s (per round)", "s", floorDrain));
                rows.add(Report.Row.of("floor: time to send all " + runs + " calls (per round)", "s",
                        floors.stream().map(HeldFloor.Result::sendSeconds).toList()));
                rows.add(Report.Row.of("drain beyond the floor's median (per round)", "s",
                        drain.stream().map(d -> d - floorMedian).toList()));
                long floorErrors = floors.stream().mapToLong(HeldFloor.Result::errors).sum();
                if (floorErrors > 0) notes.add("The floor's calls failed " + floorErrors + " times.");
            } else {
                rows.add(Report.Row.value("floor of the drain (not measured: held.floor=false; the model's latency is subtracted)", "s", 0));
            }
            rows.add(Report.Row.of("time to accept all " + runs + " invokes (per round)", "s", acceptSeconds));
            rows.add(Report.Row.of("last invoke accepted → all completed, minus the model's latency (per round)", "s", drainAfterLastAccept));
            rows.add(Report.Row.of("per run: accept → completion minus the model's latency (k-th accept to k-th completion seen)", "ms", perRunDelay));
            rows.add(Report.Row.of("most runs accepted and not completed at a poll (per round)", "", peakInFlight));
            rows.add(Report.Row.of("most model calls in progress at once: runs really in flight (per round)", "", peakModelCalls));
            rows.add(Report.Row.of("model calls started by the time the last invoke was accepted (per round)", "", startedByLastAccept));
            rows.add(Report.Row.value("warm-up runs (batches until the JIT compilers took at most " + Math.round(100 * quietShare)
                    + " % of the server's CPU, or " + warmupMax + ")", "", warmed));
            rows.add(Report.Row.value("JIT compilers' share of the server's CPU in the last warm-up batch", "%", Math.round(1000 * jitShare) / 10.0));
            rows.add(Report.Row.value("server heap after full GC, idle (after the rounds)", "MiB", Bench.mib(heapIdle)));
            rows.add(Report.Row.value("server heap after full GC with " + inProgressAtProbe[0] + " model calls in progress (last round)",
                    "MiB", Bench.mib(heapAtPeak[0])));
            rows.add(Report.Row.value("server RSS, idle (after the warm-up)", "MiB", Bench.mib(rssIdle)));
            rows.add(Report.Row.of("server RSS, peak of the polls (per round)", "MiB", peakRss));
            rows.add(Report.Row.of("server CPU per run (per round)", "ms", cpu));
            rows.add(Report.Row.value("errors", "", errors));
            notes.add("The heap probe (jcmd GC.run + GC.heap_info) took " + probeMillis[0] + " ms in the last round; "
                    + "that round's drain includes it" + (rounds > 1 ? ", the others' do not." : "."));
            if (overflows > 0) {
                notes.add("Listen-queue overflows on this machine during the scenario: " + overflows
                        + " (some connections waited for a SYN retransmit).");
            }
            notes.addAll(server.logSummary());
            report.table(ID, "3. Held concurrency: " + runs + " runs in flight against a model taking " + latencyS
                    + " s (server -Xmx1g, " + rounds + " round" + (rounds > 1 ? "s" : "") + ")", rows, notes);
        }
    }
}
