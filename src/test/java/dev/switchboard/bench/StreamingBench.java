package dev.switchboard.bench;

import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 4, streaming, of docs/BENCHMARKS.md: the server runs as its own JVM (heap capped at 1 GiB) on a fresh
 * SQLite folder, the fake model and the clients run here, all on loopback.
 *
 * <ol>
 *   <li>First chunk: the time from the model sending its first token to the client receiving the first
 *   {@code chunk} event, through {@code invoke/stream}, next to the same token read straight from the model.</li>
 *   <li>Open streams: N clients following running tasks at once; the server's heap (after a full GC) and RSS while
 *   they are open, then the time for every client to get {@code task_finished} once the tasks are stopped.</li>
 *   <li>Chunk rate: N concurrent {@code invoke/stream} calls against a model streaming tokens at a fixed rate; tokens
 *   and chunk events received per second across all clients next to the tokens the model sent, and the same streams
 *   read straight from the model (the floor).</li>
 * </ol>
 * Options as system properties: {@code -Dsamples=300 -Dstreams=10000 -Dtasks=100 -Drate.streams=1000
 * -Drate.tokens=100 -Drate.tps=20}.
 */
public final class StreamingBench {
    static final String ID = "streaming";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Bench.alone(StreamingBench::run);
    }

    static void run(Report report, Fixture fixture) throws Exception {
        int samples = Bench.size("samples", 300, 50);
        int warmup = Bench.size("warmup", 50, 10);
        int streams = Bench.size("streams", 10_000, 200);
        int tasks = Bench.size("tasks", 100, 10);
        int rateStreams = Bench.size("rate.streams", 1000, 50);
        int rateTokens = Bench.size("rate.tokens", 100, 20);
        double rateTps = Bench.number("rate.tps", 20, 20);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("first_chunk_samples", samples);
        sizes.put("first_chunk_warmup", warmup);
        sizes.put("open_streams", streams);
        sizes.put("open_streams_tasks", tasks);
        sizes.put("rate_streams", rateStreams);
        sizes.put("rate_tokens_per_stream", rateTokens);
        sizes.put("rate_tokens_per_second_per_stream", rateTps);
        report.sizes(ID, sizes);
        try (Fixture.Lease lease = fixture.open(ID, new BenchModel.Settings(Duration.ZERO, 20, 0), Map.of())) {
            BenchModel model = lease.model();
            BenchServer server = lease.server();
            String agent = server.agent("bench-streaming");
            if (samples > 0) firstChunk(report, model, server.base(), agent, samples, warmup);
            if (streams > 0) openStreams(report, model, server, agent, streams, tasks);
            if (rateStreams > 0) chunkRate(report, model, server, agent, rateStreams, rateTokens, rateTps);
            report.table(ID, "4. Streaming scenario: server log", List.of(), server.logSummary());
        }
    }

    private static void firstChunk(Report report, BenchModel model, String base, String agent, int samples, int warmup)
            throws Exception {
        model.settings(new BenchModel.Settings(Duration.ZERO, 20, 0));
        List<Long> viaServer = new ArrayList<>();
        List<Long> direct = new ArrayList<>();
        List<Long> requestToChunk = new ArrayList<>();
        URI server = URI.create(base);
        URI modelUri = URI.create(model.baseUrl());
        for (int i = -warmup; i < samples; i++) {
            String marker = "first-chunk-" + i;
            long sent = System.nanoTime();
            long received = RawSse.firstLine(server, "POST", "/v1/agents/" + agent + "/invoke/stream",
                    Map.of("x-api-key", TestServer.ADMIN_KEY), "{\"input\":{\"text\":\"" + marker + "\"}}", "\"type\":\"chunk\"");
            long token = model.firstTokenNanos(marker);
            String directMarker = "direct-" + i;
            long directReceived = RawSse.firstLine(modelUri, "POST", modelUri.getPath() + "/chat/completions", Map.of(),
                    Bench.chatBody(directMarker, true), "data: ");
            long directToken = model.firstTokenNanos(directMarker);
            if (i < 0) continue; // warm-up
            viaServer.add(received - token);
            direct.add(directReceived - directToken);
            requestToChunk.add(received - sent);
        }
        List<Report.Row> rows = List.of(
                Report.Row.of("model's first token → client, straight from the model (floor)", "ms", Bench.millis(direct)),
                Report.Row.of("model's first token → client's first `chunk`, through Switchboard", "ms", Bench.millis(viaServer)),
                Report.Row.of("request sent → first `chunk` (task stored, queued, claimed, model called, first token streamed back)",
                        "ms", Bench.millis(requestToChunk)));
        report.table(ID, "4a. First chunk (model latency 0; " + samples + " sequential runs after " + warmup + " warm-up)", rows, List.of());
    }

    private static void openStreams(Report report, BenchModel model, BenchServer server, String agent, int streams,
                                    int tasks) throws Exception {
        model.settings(new BenchModel.Settings(Duration.ofMinutes(10), 1, 0));
        String base = server.base();
        Http http = server.child().http();
        List<String> taskIds = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            taskIds.add(http.post("/v1/agents/" + agent + "/invoke/async", "{\"input\":{\"text\":\"held-" + i + "\"}}").json().path("id").asText());
        }
        for (String id : taskIds) {
            while (!http.get("/v1/tasks/" + id).json().path("status").asText().equals("executing")) Thread.sleep(20);
        }
        long heapBefore = Bench.heapAfterGcKb(server.pid());
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
            long heap = Bench.heapAfterGcKb(server.pid());
            if (Boolean.getBoolean("histogram")) {
                Bench.jcmd(server.pid(), "GC.class_histogram").lines().limit(25).forEach(System.out::println);
            }
            long rss = Bench.rssKb(server.pid());
            long stopStart = System.nanoTime();
            try (ExecutorService stoppers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String id : taskIds) stoppers.submit(() -> http.post("/v1/tasks/" + id + "/stop", "{}"));
            }
            if (!finished.await(5, TimeUnit.MINUTES)) throw new IllegalStateException(finished.getCount() + " streams never finished");
            double drainSeconds = (System.nanoTime() - stopStart) / 1e9;
            List<Report.Row> rows = List.of(
                    Report.Row.text("streams open at once", String.format("%,d (failed: %d)", streams, failures.get())),
                    Report.Row.value("time to open them all (each has its first events)", "s", openSeconds),
                    Report.Row.value("server heap after full GC, before the streams", "MiB", Bench.mib(heapBefore)),
                    Report.Row.value("server heap after full GC, with the streams open", "MiB", Bench.mib(heap)),
                    Report.Row.value("server RSS with the streams open", "MiB", rss / 1024.0),
                    Report.Row.value("stop all tasks → every client has task_finished", "s", drainSeconds));
            report.table(ID, "4b. Open streams (" + streams + " clients following " + tasks
                    + " running tasks; server heap capped at 1 GiB)", rows, List.of());
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

    /** What the clients of one chunk-rate pass saw. */
    private record RatePass(List<Double> tokensPerSecond, List<Double> chunksPerSecond, List<Double> sentPerSecond,
                            long tokensReceived, long chunks, long tokensSent, List<Long> firstChunk, List<Long> lag,
                            int finished, int failed, String firstError, double seconds) {}

    private static void chunkRate(Report report, BenchModel model, BenchServer server, String agent, int streams,
                                  int tokens, double tps) throws Exception {
        URI modelUri = URI.create(model.baseUrl());
        model.settings(new BenchModel.Settings(Duration.ZERO, tokens, tps));
        model.recording(true);
        // Through Switchboard: each client invokes with a stream and reads until task_finished.
        RatePass via = ratePass(model, streams, "rate-", (marker, onLine) -> RawSse.stream(server.uri(), "POST",
                "/v1/agents/" + agent + "/invoke/stream", Map.of("x-api-key", TestServer.ADMIN_KEY),
                "{\"input\":{\"text\":\"" + marker + "\"}}", onLine), "\"type\":\"chunk\"", "\"type\":\"task_finished\"");
        report.progress(ID, String.format("chunk rate through Switchboard: %d of %d streams finished in %.1f s", via.finished(),
                streams, via.seconds()));
        // The floor: the same streams read straight from the model.
        RatePass floor = ratePass(model, streams, "rate-direct-", (marker, onLine) -> RawSse.stream(modelUri, "POST",
                modelUri.getPath() + "/chat/completions", Map.of(), Bench.chatBody(marker, true), onLine),
                "\"content\":\"tok", "data: [DONE]");
        report.progress(ID, String.format("chunk rate straight from the model: %d of %d streams finished in %.1f s",
                floor.finished(), streams, floor.seconds()));
        double expected = streams * tps;
        List<Report.Row> rows = new ArrayList<>();
        rows.add(Report.Row.value("tokens the model sends per second with every stream open (streams × rate)", "tok/s", expected));
        rows.add(Report.Row.of("tokens sent by the model per second (each second of the pass through Switchboard)", "tok/s", via.sentPerSecond()));
        rows.add(Report.Row.of("tokens received per second by all clients, through Switchboard", "tok/s", via.tokensPerSecond()));
        rows.add(Report.Row.of("`chunk` events received per second by all clients, through Switchboard", "ev/s", via.chunksPerSecond()));
        rows.add(Report.Row.of("tokens received per second by all clients, straight from the model (floor)", "tok/s", floor.tokensPerSecond()));
        rows.add(Report.Row.value("tokens received / tokens sent, through Switchboard", "%",
                via.tokensSent() == 0 ? Double.NaN : 100.0 * via.tokensReceived() / via.tokensSent()));
        rows.add(Report.Row.value("tokens per `chunk` event, through Switchboard", "tok/ev",
                via.chunks() == 0 ? Double.NaN : (double) via.tokensReceived() / via.chunks()));
        rows.add(Report.Row.of("per stream: model's last token → client's task_finished, through Switchboard", "ms", Bench.millis(via.lag())));
        rows.add(Report.Row.of("per stream: model's last token → client's [DONE], straight from the model (floor)", "ms", Bench.millis(floor.lag())));
        rows.add(Report.Row.of("per stream: request sent → first `chunk`, through Switchboard", "ms", Bench.millis(via.firstChunk())));
        rows.add(Report.Row.of("per stream: request sent → first token, straight from the model (floor)", "ms", Bench.millis(floor.firstChunk())));
        rows.add(Report.Row.value("pass duration, first request → last stream done, through Switchboard", "s", via.seconds()));
        rows.add(Report.Row.value("pass duration straight from the model (floor)", "s", floor.seconds()));
        rows.add(Report.Row.text("streams finished / failed, through Switchboard", via.finished() + " / " + via.failed()));
        rows.add(Report.Row.text("streams finished / failed, floor", floor.finished() + " / " + floor.failed()));
        List<String> notes = new ArrayList<>();
        if (via.firstError() != null) notes.add("first failure through Switchboard: " + via.firstError());
        if (floor.firstError() != null) notes.add("first failure of the floor: " + floor.firstError());
        notes.add("Per-second rates are counted each second from the first request to the last stream's end (ramp-up and"
                + " tail included); the server writes a `chunk` event at most every ~50 ms per run, so events/s is"
                + " below tokens/s by design.");
        report.table(ID, "4c. Chunk rate: " + streams + " concurrent invoke/stream calls, the model streaming " + tokens
                + " tokens at " + tps + " tokens/s each", rows, notes);
    }

    @FunctionalInterface
    private interface Opener {
        void open(String marker, RawSse.Lines onLine) throws IOException;
    }

    private static RatePass ratePass(BenchModel model, int streams, String prefix, Opener opener, String chunkMark,
                                     String endMark) throws InterruptedException {
        AtomicLong tokens = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        ConcurrentLinkedQueue<Long> firstChunk = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<long[]> ends = new ConcurrentLinkedQueue<>(); // {stream index, nanos}
        String[] firstError = {null};
        long sent0 = model.tokensSent();
        long sampleMs = Bench.size("rate.sample.ms", 1000, 1000);
        CountDownLatch done = new CountDownLatch(streams);
        List<Double> tokensPerSecond = new ArrayList<>();
        List<Double> chunksPerSecond = new ArrayList<>();
        List<Double> sentPerSecond = new ArrayList<>();
        long start = System.nanoTime();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            long t = tokens.get(), c = chunks.get(), s = model.tokensSent();
            long last = System.nanoTime();
            boolean stopping = false;
            while (!stopping) {
                try {
                    Thread.sleep(sampleMs);
                } catch (InterruptedException e) {
                    stopping = true;
                }
                long now = System.nanoTime();
                double secs = (now - last) / 1e9;
                if (stopping && secs < sampleMs / 4000.0) return; // too short a tail to be a rate
                long t2 = tokens.get(), c2 = chunks.get(), s2 = model.tokensSent();
                tokensPerSecond.add((t2 - t) / secs);
                chunksPerSecond.add((c2 - c) / secs);
                sentPerSecond.add((s2 - s) / secs);
                t = t2;
                c = c2;
                s = s2;
                last = now;
            }
        });
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                int index = i;
                clients.submit(() -> {
                    long sent = System.nanoTime();
                    boolean[] first = {false};
                    boolean[] ended = {false};
                    try {
                        opener.open(prefix + index, (line, nanos) -> {
                            if (line.contains(chunkMark)) {
                                if (!first[0]) {
                                    first[0] = true;
                                    firstChunk.add(nanos - sent);
                                }
                                chunks.incrementAndGet();
                                tokens.addAndGet(count(line, "tok "));
                            }
                            if (line.contains(endMark)) {
                                ends.add(new long[]{index, nanos});
                                ended[0] = true;
                                return false;
                            }
                            return true;
                        });
                    } catch (IOException | RuntimeException e) {
                        synchronized (firstError) {
                            if (firstError[0] == null) firstError[0] = e.toString();
                        }
                    } finally {
                        if (ended[0]) finished.incrementAndGet();
                        else failed.incrementAndGet();
                        done.countDown();
                    }
                });
            }
            done.await();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        List<Long> lag = new ArrayList<>();
        for (long[] end : ends) {
            Long last = model.lastTokenNanos(prefix + end[0]);
            if (last != null) lag.add(end[1] - last);
        }
        for (int i = 0; i < streams; i++) model.firstTokenNanos(prefix + i); // forget what nobody asked for
        return new RatePass(tokensPerSecond, chunksPerSecond, sentPerSecond, tokens.get(), chunks.get(),
                model.tokensSent() - sent0, List.copyOf(firstChunk), lag, finished.get(), failed.get(), firstError[0], seconds);
    }

    private static int count(String line, String what) {
        int n = 0;
        for (int at = line.indexOf(what); at >= 0; at = line.indexOf(what, at + what.length())) n++;
        return n;
    }
}
