package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark kit works: every scenario of the suite runs at a tiny size (one shared server, no heap probes) and
 * prints its tables with figures, and the JSON holds the same. No timing is checked: this is not a benchmark.
 */
class BenchKitSmokeTest {
    private static final Map<String, String> TINY = Map.ofEntries(
            Map.entry("heap", "false"),
            Map.entry("startup.rounds", "1"), Map.entry("startup.idle.ms", "0"),
            Map.entry("sync.samples", "20"), Map.entry("sync.warmup", "0.2"), Map.entry("sync.warmup.pairs", "5"),
            Map.entry("sync.concurrency", "4"), Map.entry("sync.rounds", "2"), Map.entry("sync.seconds", "0.2"),
            Map.entry("async.runs", "20"), Map.entry("async.rounds", "2"), Map.entry("async.concurrency", "4"),
            Map.entry("async.poll.ms", "20"), Map.entry("async.warmup", "10"), Map.entry("held.warmup", "10"), Map.entry("held.warmup.max", "10"),
            Map.entry("held.runs", "20"), Map.entry("held.rounds", "1"), Map.entry("held.latency", "200"),
            Map.entry("held.concurrency", "4"), Map.entry("held.poll.ms", "20"),
            Map.entry("samples", "5"), Map.entry("warmup", "2"), Map.entry("streams", "10"), Map.entry("tasks", "2"),
            Map.entry("rate.streams", "10"), Map.entry("rate.tokens", "5"), Map.entry("rate.tps", "50"),
            Map.entry("rate.sample.ms", "50"),
            Map.entry("kb.documents", "1"), Map.entry("kb.pages", "1"), Map.entry("kb.chunks", "300"), Map.entry("kb.queries", "3"));
    private static final Map<String, String> saved = new HashMap<>();

    @BeforeAll
    static void tinySizes() {
        TINY.forEach((k, v) -> {
            saved.put(k, System.getProperty(k));
            System.setProperty(k, v);
        });
    }

    @AfterAll
    static void restore() {
        saved.forEach((k, v) -> {
            if (v == null) System.clearProperty(k);
            else System.setProperty(k, v);
        });
    }

    @Test
    void everyScenarioPrintsItsFiguresAndTheJsonHoldsThem(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report report = new Report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try (Fixture fixture = Fixture.shared()) {
            Suite.run(report, fixture, List.copyOf(Suite.SCENARIOS.keySet()));
        }
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(report.failures()).as(out).isEmpty();
        for (String title : List.of("1a. Sync invoke", "1b. Sync invoke, model latency 0, concurrency 4", "2. Async invoke",
                "3. Held concurrency", "4a. First chunk", "4b. Open streams", "4c. Chunk rate", "5. Start-up")) {
            assertThat(out).as(out).contains("### " + title);
        }
        // Figures, not placeholders: a number in the median column (distributions have every column), for each kind.
        for (String measure : List.of("sync invoke through Switchboard: latency", "sync invokes per second",
                "runs completed per second", "per run: accept → completion", "model's first token → client's first `chunk`",
                "tokens received per second by all clients, through Switchboard", "process start → first 200 of /health",
                "floor: the same 20 streamed calls straight to the model")) {
            assertThat(out).as(out).containsPattern(Pattern.compile(
                    "\\| " + Pattern.quote(measure) + "[^|]*\\| \\d+ \\| [^|]*\\| [\\d.,]+ [^|]*\\|"));
        }
        assertThat(out).contains("| server CPU per invoke | 1 | |").contains("| errors | 1 | | 0 |");

        Path json = dir.resolve("bench.json");
        report.writeJson(json);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("machine").path("cores").asInt()).isPositive();
        assertThat(root.path("failures")).isEmpty();
        assertThat(root.path("tables").findValuesAsText("scenario")).contains("startup", "sync", "async", "held", "streaming", "knowledge");
        JsonNode first = root.path("tables").get(1).path("rows").get(0);
        assertThat(first.path("measure").asText()).isEqualTo("sync invoke through Switchboard: latency");
        assertThat(first.path("n").asInt()).isEqualTo(20);
        assertThat(first.path("median").isNumber()).isTrue();
    }
}
