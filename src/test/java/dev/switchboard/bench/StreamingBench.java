package dev.switchboard.bench;

import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streaming benchmark of docs/BENCHMARKS.md: the server runs as its own JVM (heap capped at 1 GiB) on a fresh
 * SQLite folder, the fake model and the clients run here, all on loopback.
 *
 * <ol>
 *   <li>First chunk: the time from the model sending its first token to the client receiving the first
 *   {@code chunk} event, through {@code invoke/stream}, next to the same token read straight from the model.</li>
 *   <li>Open streams: N clients following running tasks at once; the server's heap (after a full GC) and RSS while
 *   they are open, then the time for every client to get {@code task_finished} once the tasks are stopped.</li>
 * </ol>
 * Options as system properties: {@code -Dsamples=300 -Dstreams=10000 -Dtasks=100}.
 */
public final class StreamingBench {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        int samples = Integer.getInteger("samples", 300);
        int streams = Integer.getInteger("streams", 10_000);
        int tasks = Integer.getInteger("tasks", 100);
        Path dir = Files.createTempDirectory("switchboard-bench");
        try (BenchModel model = BenchModel.start(new BenchModel.Settings(Duration.ZERO, 20, 0));
             ChildServer server = ChildServer.start(dir, dir.resolve("server.log"),
                     Map.of("OPENAI_BASE_URL", model.baseUrl(), "OPENAI_API_KEY", "bench"), List.of("-Xmx1g"))) {
            String base = "http://127.0.0.1:" + server.port();
            String agent = server.http().post("/v1/agents", "{\"name\":\"bench\"}").json().path("id").asText();
            System.out.printf("Switchboard streaming benchmark, %d cores, %s%n%n", Runtime.getRuntime().availableProcessors(),
                    java.time.LocalDate.now());
            firstChunk(model, base, agent, samples);
            openStreams(model, server, base, agent, streams, tasks);
        }
    }

    private static void firstChunk(BenchModel model, String base, String agent, int samples) throws Exception {
        List<Long> viaServer = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        List<Long> requestToChunk = new ArrayList<>();
        URI server = URI.create(base);
        URI modelUri = URI.create(model.baseUrl());
        for (int i = -50; i < samples; i++) {
            String marker = "first-chunk-" + i;
            long sent = System.nanoTime();
            long received = RawSse.firstLine(server, "POST", "/v1/agents/" + agent + "/invoke/stream",
                    Map.of("x-api-key", TestServer.ADMIN_KEY), "{\"input\":{\"text\":\"" + marker + "\"}}", "\"type\":\"chunk\"");
            long token = model.firstTokenNanos(marker);
            String directMarker = "direct-" + i;
            long directReceived = RawSse.firstLine(modelUri, "POST", modelUri.getPath() + "/chat/completions", Map.of(),
                    "{\"model\":\"gpt-4.1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + directMarker + "\"}]}",
                    "data: ");
            long directToken = model.firstTokenNanos(directMarker);
            if (i < 0) continue; // warm-up
            viaServer.add(received - token);
            direct.add(directReceived - directToken);
            requestToChunk.add(received - sent);
        }
        System.out.println("1. First chunk (model latency 0; " + samples + " sequential runs after 50 warm-up)");
        System.out.println("| measure | min | p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|");
        row("model's first token → client, straight from the model (floor)", direct);
        row("model's first token → client's first `chunk`, through Switchboard", viaServer);
        row("request sent → first `chunk` (whole turn start: task stored, queued, claimed, model called)", requestToChunk);
        System.out.println();
    }

    private static void openStreams(BenchModel model, ChildServer server, String base, String agent, int streams, int tasks)
            throws Exception {
        model.settings(new BenchModel.Settings(Duration.ofMinutes(10), 1, 0));
        Http http = server.http();
        List<String> taskIds = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            taskIds.add(http.post("/v1/agents/" + agent + "/invoke/async", "{\"input\":{\"text\":\"held-" + i + "\"}}").json().path("id").asText());
        }
        for (String id : taskIds) {
            while (!http.get("/v1/tasks/" + id).json().path("status").asText().equals("executing")) Thread.sleep(20);
        }
        long heapBefore = heapAfterGc(server.pid());
        CountDownLatch opened = new CountDownLatch(streams);
        CountDownLatch finished = new CountDownLatch(streams);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                String taskId = taskIds.get(i % tasks);
                clients.submit(() -> follow(base, taskId, opened, finished, failures));
            }
            if (!opened.await(5, TimeUnit.MINUTES)) throw new IllegalStateException(opened.getCount() + " streams never opened");
            double openSeconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(2000); // let the streams sit idle a moment, as open streams do
            long heap = heapAfterGc(server.pid());
            if (Boolean.getBoolean("histogram")) {
                jcmd(server.pid(), "GC.class_histogram").lines().limit(25).forEach(System.out::println);
            }
            long rss = rssKb(server.pid());
            long stopStart = System.nanoTime();
            try (ExecutorService stoppers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String id : taskIds) stoppers.submit(() -> http.post("/v1/tasks/" + id + "/stop", "{}"));
            }
            if (!finished.await(5, TimeUnit.MINUTES)) throw new IllegalStateException(finished.getCount() + " streams never finished");
            double drainSeconds = (System.nanoTime() - stopStart) / 1e9;
            System.out.println("2. Open streams (" + streams + " clients following " + tasks + " running tasks; server heap capped at 1 GiB)");
            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            System.out.printf("| streams open at once | %d (failed: %d) |%n", streams, failures.get());
            System.out.printf("| time to open them all (each has its first events) | %.1f s |%n", openSeconds);
            System.out.printf("| server heap after full GC, before → with the streams open | %d MiB → %d MiB |%n", heapBefore / 1024, heap / 1024);
            System.out.printf("| server RSS with the streams open | %d MiB |%n", rss / 1024);
            System.out.printf("| stop all tasks → every client has task_finished | %.1f s |%n", drainSeconds);
        }
    }

    /** Follows a task's events until task_finished; counts the stream as open once it has the executing event. */
    private static void follow(String base, String taskId, CountDownLatch opened, CountDownLatch finished, AtomicInteger failures) {
        boolean counted = false;
        try {
            HttpResponse<InputStream> res = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + taskId + "/events"))
                    .header("x-api-key", TestServer.ADMIN_KEY).timeout(Duration.ofMinutes(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!counted && line.equals("id: 2")) {
                        counted = true;
                        opened.countDown();
                    }
                    if (line.contains("\"type\":\"task_finished\"")) {
                        finished.countDown();
                        return;
                    }
                }
            }
            failures.incrementAndGet();
        } catch (IOException | InterruptedException | RuntimeException e) {
            failures.incrementAndGet();
        }
        if (!counted) opened.countDown();
        finished.countDown();
    }

    /** Used heap in KiB after a full GC, as jcmd reports it. */
    private static long heapAfterGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** One table row: min, p50, p99 and max of the given durations (nanoseconds). */
    static void row(String name, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf("| %s | %s | %s | %s | %s |%n", name, ms(sorted.getFirst()), ms(percentile(sorted, 50)),
                ms(percentile(sorted, 99)), ms(sorted.getLast()));
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }
}
