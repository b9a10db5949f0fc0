package dev.switchboard.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 2, async invoke + completion, model latency 0: per round, {@code async.runs} invokes
 * ({@code POST /v1/agents/{id}/invoke/async}, 200 with the pending task) from {@code async.concurrency} clients to a
 * fresh agent, and the time from the first invoke sent to the poll that sees every one of them completed (stored in
 * SQLite: the server answers the poll from the database). The floor is the same number of chat calls sent straight to
 * the model from as many clients.
 */
public final class AsyncBench {
    static final String ID = "async";

    public static void main(String[] args) throws Exception {
        Bench.alone(AsyncBench::run);
    }

    static void run(Report report, Fixture fixture) throws Exception {
        int runs = Bench.size("async.runs", 5000, 300);
        int rounds = Bench.size("async.rounds", 3, 2);
        int concurrency = Bench.size("async.concurrency", 64, 16);
        int pollMillis = Bench.size("async.poll.ms", 100, 50);
        int warmup = Bench.size("async.warmup", 10000, 300);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("warmup_runs", warmup);
        sizes.put("runs_per_round", runs);
        sizes.put("rounds", rounds);
        sizes.put("concurrency", concurrency);
        sizes.put("poll_ms", pollMillis);
        report.sizes(ID, sizes);

        try (Fixture.Lease lease = fixture.open(ID, new BenchModel.Settings(Duration.ZERO, 20, 0), Map.of())) {
            BenchModel model = lease.model();
            BenchServer server = lease.server();
            model.recording(false);
            URI modelUri = URI.create(model.baseUrl());
            String chatPath = modelUri.getPath() + "/chat/completions";
            // Warm-up, not counted: long enough for the JIT compiler to settle (a server runs for days; its first
            // thousands of runs, compiled as they go, are not what it costs).
            Batch.run(server, server.agent("bench-async-warmup"), warmup, concurrency, pollMillis, 120, null);

            List<Double> completedPerSecond = new ArrayList<>();
            List<Double> acceptedPerSecond = new ArrayList<>();
            List<Double> floorPerSecond = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> peakInFlight = new ArrayList<>();
            List<Double> afterLastAccept = new ArrayList<>();
            List<Double> startedByLastAccept = new ArrayList<>();
            List<Long> acceptLatencies = new ArrayList<>();
            long errors = 0;
            List<String> notes = new ArrayList<>();
            Map<String, Long> threads0 = Bench.cpuTicksByThread(server.pid());
            for (int r = 0; r < rounds; r++) {
                long callsBefore = model.chatCalls();
                long[] started = {0};
                Batch.Result b = Batch.run(server, server.agent("bench-async-" + r), runs, concurrency, pollMillis, 60,
                        () -> started[0] = model.chatCalls() - callsBefore);
                startedByLastAccept.add((double) started[0]);
                afterLastAccept.add(b.finished() ? (b.done() - b.lastAccepted()) / 1e9 : Double.NaN);
                List<RawHttp> toModel = Load.connections(modelUri, null, concurrency);
                Load.Round floor;
                try {
                    floor = Load.count(toModel, runs, (http, seq) -> {
                        RawHttp.Response res = http.post(chatPath, Bench.chatBody("direct-" + seq, true));
                        return res.status() == 200 && res.body().contains("[DONE]");
                    });
                } finally {
                    Load.close(toModel);
                }
                if (floor.errors() > 0) notes.add("round " + (r + 1) + ", floor: " + floor.errors() + " errors, first: " + floor.firstError());
                if (!b.finished()) {
                    notes.add("round " + (r + 1) + " did not finish: " + (b.unfinished() != null ? b.unfinished() : "")
                            + (b.firstError() != null ? " first error: " + b.firstError() : ""));
                }
                completedPerSecond.add(b.finished() ? runs / b.totalSeconds() : Double.NaN);
                acceptedPerSecond.add(runs / b.acceptSeconds());
                floorPerSecond.add(floor.perSecond());
                cpu.add(Bench.cpuMsPer(b.cpuTicks(), runs));
                peakInFlight.add((double) b.peakInFlight());
                acceptLatencies.addAll(b.acceptLatencies());
                errors += b.errors() + floor.errors();
                report.progress(ID, String.format("round %d: %d runs accepted in %.2f s, all completed after %.2f s "
                                + "(%.0f runs/s; floor %.0f calls/s), CPU %.2f ms/run", r + 1, runs, b.acceptSeconds(),
                        b.totalSeconds(), completedPerSecond.getLast(), floor.perSecond(), cpu.getLast()));
            }
            notes.add("Server CPU by thread over the rounds: " + Bench.cpuSplit(threads0, Bench.cpuTicksByThread(server.pid()), 6) + ".");
            List<Report.Row> rows = new ArrayList<>();
            rows.add(Report.Row.of("runs completed per second, first invoke sent → all seen completed (per round)", "runs/s", completedPerSecond));
            rows.add(Report.Row.of("chat calls per second straight to the model, same count and clients (floor)", "req/s", floorPerSecond));
            rows.add(Report.Row.of("async invokes accepted per second (per round)", "req/s", acceptedPerSecond));
            rows.add(Report.Row.of("async invoke latency (200 with the pending task)", "ms", Bench.millis(acceptLatencies)));
            rows.add(Report.Row.of("last invoke accepted → all seen completed (per round)", "s", afterLastAccept));
            rows.add(Report.Row.of("model calls started by the time the last invoke was accepted (per round)", "", startedByLastAccept));
            rows.add(Report.Row.of("most runs accepted but not yet completed, at a poll (per round)", "", peakInFlight));
            rows.add(Report.Row.of("server CPU per run, accept to completion, polls included (per round)", "ms", cpu));
            rows.add(Report.Row.value("errors", "", errors));
            notes.add("Completion is seen by polling GET /v1/tasks?agent_id=…&status=completed&per_page=1 every "
                    + pollMillis + " ms (one count per poll, whatever the number of runs).");
            notes.addAll(server.logSummary());
            report.table(ID, "2. Async invoke + completion, model latency 0 (" + rounds + " rounds of " + runs
                    + " runs from " + concurrency + " clients)", rows, notes);
        }
    }
}
