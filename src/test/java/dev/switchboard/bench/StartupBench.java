package dev.switchboard.bench;

import dev.switchboard.testkit.ChildServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 5, start-up: {@code startup.rounds} times, a server process on a fresh data folder (a new SQLite file,
 * migrated at start), timed from just before the process is started to the first 200 of {@code GET /health} (polled
 * every 2 ms on a new socket), then its RSS and heap after {@code startup.idle.ms} idle. The floor is a JVM with the
 * same classpath and options that only serves {@code /health} from the JDK's HTTP server ({@link HealthFloor}).
 */
public final class StartupBench {
    static final String ID = "startup";

    public static void main(String[] args) throws Exception {
        Bench.alone(StartupBench::run);
    }

    static void run(Report report, Fixture unused) throws Exception {
        int rounds = Bench.size("startup.rounds", 10, 2);
        int idleMs = Bench.size("startup.idle.ms", 2000, 300);
        boolean heap = Bench.flag("heap", true);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("rounds", rounds);
        sizes.put("idle_ms", idleMs);
        report.sizes(ID, sizes);
        List<Double> startMs = new ArrayList<>();
        List<Double> floorMs = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> floorRss = new ArrayList<>();
        List<Double> heapMiB = new ArrayList<>();
        List<Double> cpuMs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (BenchModel model = BenchModel.start(new BenchModel.Settings(Duration.ZERO, 20, 0))) {
            for (int r = 0; r < rounds; r++) {
                Path dir = Files.createTempDirectory("switchboard-bench-startup");
                try {
                    ChildServer server = ChildServer.launch(dir.resolve("data"), dir.resolve("server.log"),
                            BenchServer.env(model), BenchServer.JVM_OPTIONS);
                    try {
                        long healthy = awaitHealth(server);
                        startMs.add((healthy - server.startedNanos()) / 1e6);
                        cpuMs.add(Bench.cpuMsPer(Bench.cpuTicks(server.pid()), 1));
                        if (r == rounds - 1) {
                            notes.add("Start-up CPU by thread (last start, live threads only): "
                                    + Bench.cpuSplit(Map.of(), Bench.cpuTicksByThread(server.pid()), 6) + ".");
                        }
                        Bench.sleep(idleMs);
                        rss.add(Bench.rssKb(server.pid()) / 1024.0);
                        if (heap) heapMiB.add(Bench.mib(Bench.heapAfterGcKb(server.pid())));
                    } finally {
                        server.close();
                    }
                    if (r == rounds - 1) notes.addAll(BenchServer.summarize(dir.resolve("server.log")));

                    ChildServer floor = ChildServer.launch("dev.switchboard.bench.HealthFloor", dir.resolve("floor"),
                            dir.resolve("floor.log"), Map.of(), BenchServer.JVM_OPTIONS);
                    try {
                        long healthy = awaitHealth(floor);
                        floorMs.add((healthy - floor.startedNanos()) / 1e6);
                        Bench.sleep(idleMs);
                        floorRss.add(Bench.rssKb(floor.pid()) / 1024.0);
                    } finally {
                        floor.close();
                    }
                } finally {
                    BenchServer.deleteTree(dir);
                }
                report.progress(ID, String.format("round %d: %.0f ms to /health (floor %.0f ms), idle RSS %.0f MiB",
                        r + 1, startMs.getLast(), floorMs.getLast(), rss.getLast()));
            }
        }
        List<Double> jarFresh = new ArrayList<>();
        List<Double> jarRestart = new ArrayList<>();
        Path jar = Path.of("target", "switchboard.jar");
        if (builtFromTheseClasses(jar)) {
            timeTheJar(jar, rounds, jarFresh, jarRestart);
        } else {
            notes.add("The start command's own rows are missing: target/switchboard.jar is absent or older than the "
                    + "compiled classes (run `mvn -B -q -DskipTests package` first).");
        }
        List<Report.Row> rows = new ArrayList<>();
        rows.add(Report.Row.of("process start → first 200 of /health, fresh data folder", "ms", startMs));
        if (!jarFresh.isEmpty()) {
            rows.add(Report.Row.of("the README's start command (java -jar, class-data archive), fresh data folder", "ms", jarFresh));
            rows.add(Report.Row.of("the same, restart on an existing data folder", "ms", jarRestart));
        }
        rows.add(Report.Row.of("the same for a JVM serving only /health (floor)", "ms", floorMs));
        rows.add(Report.Row.of("server CPU spent by the first 200 (all threads)", "ms", cpuMs));
        rows.add(Report.Row.of("server RSS after " + idleMs + " ms idle", "MiB", rss));
        rows.add(Report.Row.of("RSS of the floor JVM after " + idleMs + " ms idle", "MiB", floorRss));
        if (heap) rows.add(Report.Row.of("server heap after full GC, idle", "MiB", heapMiB));
        report.table(ID, "5. Start-up (" + rounds + " starts, server -Xmx1g)", rows, notes);
    }

    /**
     * The README's start command: {@code java -jar} with the JDK's automatic class-data archive. One start trains the
     * archive (not counted); then each round starts on a fresh data folder, stops, and starts again on it.
     */
    private static void timeTheJar(Path jar, int rounds, List<Double> fresh, List<Double> restart) throws IOException {
        Path dir = Files.createTempDirectory("switchboard-bench-jar");
        try {
            List<String> options = new ArrayList<>(BenchServer.JVM_OPTIONS);
            options.add("-XX:+AutoCreateSharedArchive");
            options.add("-XX:SharedArchiveFile=" + dir.resolve("switchboard.jsa"));
            startAndStop(jar, dir.resolve("training"), dir, options);
            for (int r = 0; r < rounds; r++) {
                Path data = dir.resolve("data-" + r);
                fresh.add(startAndStop(jar, data, dir, options));
                restart.add(startAndStop(jar, data, dir, options));
            }
        } finally {
            BenchServer.deleteTree(dir);
        }
    }

    private static double startAndStop(Path jar, Path data, Path dir, List<String> options) throws IOException {
        ChildServer server = ChildServer.launchJar(jar, data, dir.resolve("jar.log"), Map.of(), options);
        try {
            return (awaitHealth(server) - server.startedNanos()) / 1e6;
        } finally {
            server.close();
        }
    }

    /** True when the jar exists and is newer than every compiled class (so it holds the code being measured). */
    private static boolean builtFromTheseClasses(Path jar) throws IOException {
        if (!Files.exists(jar)) return false;
        Path classes = Path.of("target", "classes");
        if (!Files.isDirectory(classes)) return true;
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (var files = Files.walk(classes)) {
            return files.filter(Files::isRegularFile).allMatch(f -> {
                try {
                    return Files.getLastModifiedTime(f).toMillis() <= built;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    /** Polls GET /health every 2 ms until a 200; returns System.nanoTime() when its status line arrived. */
    private static long awaitHealth(ChildServer server) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        byte[] request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) throw new IOException("the process exited before answering /health");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
                s.setTcpNoDelay(true);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
                InputStream in = s.getInputStream();
                byte[] head = in.readNBytes(12); // "HTTP/1.1 200"
                long at = System.nanoTime();
                if (head.length == 12 && new String(head, StandardCharsets.US_ASCII).endsWith("200")) return at;
            } catch (IOException notYet) {
                // not listening yet
            }
            LockSupport.parkNanos(2_000_000);
        }
        throw new IOException("no 200 from /health within 60 s");
    }
}
