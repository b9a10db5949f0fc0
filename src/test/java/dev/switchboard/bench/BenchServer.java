package dev.switchboard.bench;

import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.TestServer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fresh server for one scenario: its own JVM (heap capped at 1 GiB, production logging), SQLite in a new temporary
 * folder, the fake model as its OpenAI provider. On close the folder is deleted and the server's log kept in
 * {@code target/bench-logs/}, with a summary of its warnings and errors for the report.
 */
final class BenchServer implements AutoCloseable {
    static final List<String> JVM_OPTIONS = List.of("-Xmx1g",
            // The test classpath holds logback-test.xml (WARN); the benchmark measures the production configuration.
            "-Dlogback.configurationFile=logback.xml");

    private final String scenario;
    private final ChildServer child;
    private final Path dir;
    private final Path log;

    private BenchServer(String scenario, ChildServer child, Path dir, Path log) {
        this.scenario = scenario;
        this.child = child;
        this.dir = dir;
        this.log = log;
    }

    static BenchServer start(String scenario, BenchModel model, Map<String, String> env) throws IOException {
        Path dir = Files.createTempDirectory("switchboard-bench-" + scenario);
        Path log = dir.resolve("server.log");
        Map<String, String> all = new HashMap<>(env(model));
        all.putAll(env);
        return new BenchServer(scenario, ChildServer.start(dir.resolve("data"), log, all, jvmOptions(scenario)), dir, log);
    }

    /**
     * The server's JVM options: the defaults, then {@code -Dserver.jvm=...} (space-separated, e.g. a flight recording
     * to profile the server under a scenario; {@code {scenario}} in it is replaced by the scenario's name).
     */
    static List<String> jvmOptions(String scenario) {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        String extra = System.getProperty("server.jvm", "").trim();
        if (!extra.isEmpty()) {
            for (String o : extra.split("\\s+")) options.add(o.replace("{scenario}", scenario));
        }
        return options;
    }

    /**
     * The environment every benchmarked server gets: the fake model as OpenAI, and private networks allowed (the kit
     * serves documents for knowledge bases on loopback).
     */
    static Map<String, String> env(BenchModel model) {
        return Map.of("OPENAI_BASE_URL", model.baseUrl(), "OPENAI_API_KEY", "bench", "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true");
    }

    URI uri() { return URI.create("http://127.0.0.1:" + child.port()); }

    String base() { return "http://127.0.0.1:" + child.port(); }

    long pid() { return child.pid(); }

    /** The server's data folder (its SQLite file is {@code switchboard.db} in it). */
    Path dataDir() { return dir.resolve("data"); }

    ChildServer child() { return child; }

    RawHttp client() { return new RawHttp(uri(), TestServer.ADMIN_KEY); }

    /** Creates an agent and returns its id. */
    String agent(String name) throws IOException {
        try (RawHttp http = client()) {
            RawHttp.Response r = http.post("/v1/agents", "{\"name\":\"" + name + "\"}");
            if (r.status() / 100 != 2) throw new IOException("creating an agent: " + r.status() + " " + r.body());
            return Bench.field(r.body(), "id");
        }
    }

    /** The WARN and ERROR lines of the server's log so far: how many of each, and the first distinct messages. */
    List<String> logSummary() {
        return summarize(log);
    }

    static List<String> summarize(Path log) {
        Map<String, Integer> firstSeen = new LinkedHashMap<>();
        int warn = 0;
        int error = 0;
        int exceptions = 0;
        try (Stream<String> lines = Files.lines(log)) {
            for (String line : (Iterable<String>) lines::iterator) {
                boolean w = line.contains(" WARN ");
                boolean e = line.contains(" ERROR ");
                if (line.startsWith("Exception") || line.startsWith("Caused by:")) exceptions++;
                if (!w && !e) continue;
                if (w) warn++;
                if (e) error++;
                // Drop the time and the thread (a run's thread is named after the run) to group alike lines.
                String key = line.replaceFirst("^\\S+ ", "").replaceFirst("\\[[^]]*] ", "")
                        .replaceAll("[0-9a-f]{8,}|\\d+", "#");
                if (key.length() > 200) key = key.substring(0, 200) + "…";
                firstSeen.merge(key, 1, Integer::sum);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("server log unreadable: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        out.add(String.format("server log: %d WARN, %d ERROR lines%s", warn, error,
                exceptions > 0 ? " (" + exceptions + " exception/cause lines)" : ""));
        firstSeen.entrySet().stream().limit(5).forEach(en -> out.add("  " + en.getValue() + " × " + en.getKey()));
        return out;
    }

    @Override
    public void close() {
        child.close();
        try {
            Path keep = Path.of("target", "bench-logs");
            Files.createDirectories(keep);
            if (Files.exists(log)) {
                Files.copy(log, keep.resolve(scenario + "-server.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the log is a courtesy
        }
        deleteTree(dir);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
