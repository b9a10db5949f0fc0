package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole benchmark suite of docs/BENCHMARKS.md, each scenario on its own fresh server and fake model, all tables
 * printed as they complete; {@code -Djson=path} also writes every figure as JSON. {@code -Dquick=true} runs every
 * scenario at small sizes; {@code -Donly=sync,held} runs some of them. A scenario that fails is reported and the
 * others still run; the exit status is then 1.
 */
public final class Suite {
    /** A scenario of the suite. */
    @FunctionalInterface
    interface Scenario {
        void run(Report report, Fixture fixture) throws Exception;
    }

    static final Map<String, Scenario> SCENARIOS = scenarios();

    private static Map<String, Scenario> scenarios() {
        Map<String, Scenario> m = new LinkedHashMap<>();
        // Start-up first, on a machine not yet warm from the other scenarios' processes.
        m.put(StartupBench.ID, StartupBench::run);
        m.put(SyncBench.ID, SyncBench::run);
        m.put(AsyncBench.ID, AsyncBench::run);
        m.put(HeldBench.ID, HeldBench::run);
        m.put(StreamingBench.ID, StreamingBench::run);
        m.put(KnowledgeBench.ID, KnowledgeBench::run);
        return m;
    }

    public static void main(String[] args) throws Exception {
        Report report = Report.toStdout();
        try (Fixture fixture = Fixture.fresh()) {
            run(report, fixture, selected());
        }
        report.writeJsonIfAsked();
        if (!report.failures().isEmpty()) {
            System.out.println("Failed: " + report.failures());
            System.exit(1);
        }
    }

    static List<String> selected() {
        String only = System.getProperty("only", "").trim();
        if (only.isEmpty()) return List.copyOf(SCENARIOS.keySet());
        List<String> ids = new ArrayList<>();
        for (String id : only.split(",")) {
            if (!SCENARIOS.containsKey(id.trim())) {
                throw new IllegalArgumentException("No scenario " + id + "; there are " + SCENARIOS.keySet());
            }
            ids.add(id.trim());
        }
        return ids;
    }

    static void run(Report report, Fixture fixture, List<String> ids) {
        for (String id : ids) {
            long t0 = System.nanoTime();
            try {
                SCENARIOS.get(id).run(report, fixture);
            } catch (Exception | Error e) {
                report.failed(id, e);
            }
            report.progress(id, String.format("done in %.0f s", (System.nanoTime() - t0) / 1e9));
        }
    }
}
