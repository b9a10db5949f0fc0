package dev.switchboard.bench;

import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.Receiver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The webhook benchmark of docs/BENCHMARKS.md: for each of {@code samples} sequential async invokes, the time from
 * the model answering to the task's webhook arriving at a receiver on loopback (the run storing its end, the
 * delivery queued in that transaction, claimed, signed and posted). The model and the receiver share this JVM, so
 * both instants are on the same clock; the server is its own JVM.
 */
public final class WebhookBench {

    public static void main(String[] args) throws Exception {
        int samples = Integer.getInteger("samples", 300);
        Path dir = Files.createTempDirectory("switchboard-bench");
        try (BenchModel model = BenchModel.start(new BenchModel.Settings(Duration.ZERO, 20, 0));
             Receiver receiver = Receiver.start();
             ChildServer server = ChildServer.start(dir, dir.resolve("server.log"),
                     Map.of("OPENAI_BASE_URL", model.baseUrl(), "OPENAI_API_KEY", "bench",
                             "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true"), List.of("-Xmx1g"))) {
            Http http = server.http();
            String agent = http.post("/v1/agents", "{\"name\":\"bench\"}").json().path("id").asText();
            http.post("/v1/webhooks", Http.json("url", receiver.url("/hook")));
            System.out.printf("Switchboard webhook benchmark, %d cores, %s%n%n", Runtime.getRuntime().availableProcessors(),
                    java.time.LocalDate.now());
            List<Long> endToArrival = new ArrayList<>();
            for (int i = -50; i < samples; i++) {
                String marker = "hook-" + i;
                int before = receiver.received("/hook").size();
                http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", marker)));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (receiver.received("/hook").size() == before) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("No webhook for " + marker);
                    Thread.onSpinWait();
                }
                Receiver.Received got = receiver.received("/hook").getLast();
                Long answered = model.firstTokenNanos(marker);
                if (i < 0 || answered == null) continue; // warm-up
                endToArrival.add(got.nanos() - answered);
            }
            System.out.println("| measure | min | p50 | p99 | max |");
            System.out.println("|---|---|---|---|---|");
            row("model's answer → the task's webhook at the receiver", endToArrival);
        }
    }

    private static void row(String name, List<Long> nanos) {
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
