package dev.switchboard.bench;

import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Scale-out on PostgreSQL (docs/BENCHMARKS.md): async runs completed per second with 1 and with 3 nodes on one
 * database (clients spread round-robin over the nodes), and the failover time after a node is killed with SIGKILL
 * while its runs wait on the model. PostgreSQL is the embedded one of the tests (or SWITCHBOARD_TEST_DATABASE_URL).
 * Command: {@code mvn -B -q test-compile exec:exec -Dbench=ScaleOutBench} ({@code -Dbench.scale.runs=…}).
 */
public final class ScaleOutBench {

    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("scale.runs", 3000);
        int concurrency = Integer.getInteger("scale.concurrency", 64);
        int lease = Integer.getInteger("scale.lease", 10);
        try (FakeLlm llm = FakeLlm.start()) {
            for (String n : System.getProperty("scale.nodes", "1,3").split(",")) {
                int nodes = Integer.parseInt(n.trim());
                double perSecond = throughput(llm, nodes, runs, concurrency);
                System.out.printf("async runs completed per second, %d node(s): %.0f (%d runs, %d clients)%n",
                        nodes, perSecond, runs, concurrency);
            }
            if (!Boolean.getBoolean("scale.skipFailover")) failover(llm, lease);
        }
        System.exit(0);
    }

    private static double throughput(FakeLlm llm, int nodeCount, int runs, int concurrency) throws Exception {
        llm.defaultDelay(Duration.ZERO);
        List<ChildServer> nodes = start(llm, nodeCount, 30);
        try {
            String agent = nodes.getFirst().http().post("/v1/agents", "{\"name\":\"scale\"}").json().path("id").asText();
            // Warm-up, not counted.
            String warm = nodes.getFirst().http().post("/v1/agents", "{\"name\":\"warm-up\"}").json().path("id").asText();
            submit(nodes, warm, Math.min(runs, 1000), concurrency);
            awaitCompleted(nodes.getFirst().http(), warm, Math.min(runs, 1000), Duration.ofMinutes(5));
            long t0 = System.nanoTime();
            submit(nodes, agent, runs, concurrency);
            awaitCompleted(nodes.getFirst().http(), agent, runs, Duration.ofMinutes(5));
            return runs / ((System.nanoTime() - t0) / 1e9);
        } finally {
            nodes.forEach(ChildServer::close);
        }
    }

    /** Runs wait 2 s on the model; one of three nodes dies; how long until the others have finished its runs. */
    private static void failover(FakeLlm llm, int leaseSeconds) throws Exception {
        llm.defaultDelay(Duration.ofSeconds(2));
        List<ChildServer> nodes = start(llm, 3, leaseSeconds);
        try {
            String agent = nodes.getFirst().http().post("/v1/agents", "{\"name\":\"failover\"}").json().path("id").asText();
            submit(List.of(nodes.get(1)), agent, 200, 32);
            nodes.get(1).kill();
            long killed = System.nanoTime();
            awaitCompleted(nodes.get(0).http(), agent, 200, Duration.ofMinutes(2));
            System.out.printf("failover: the 200 runs of the killed node completed %.1f s after the kill "
                    + "(lease %d s, model 2 s)%n", (System.nanoTime() - killed) / 1e9, leaseSeconds);
        } finally {
            nodes.forEach(ChildServer::close);
        }
    }

    private static List<ChildServer> start(FakeLlm llm, int count, int leaseSeconds) throws Exception {
        String db = TestPostgres.asSetting(TestPostgres.freshDatabase());
        Path dir = Files.createTempDirectory("switchboard-scale");
        List<ChildServer> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> env = new HashMap<>();
            env.put("OPENAI_BASE_URL", llm.baseUrl());
            env.put("OPENAI_API_KEY", "bench");
            env.put("SWITCHBOARD_DATABASE_URL", db);
            env.put("SWITCHBOARD_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
            env.put("SWITCHBOARD_LEASE_SECONDS", String.valueOf(leaseSeconds));
            env.put("SWITCHBOARD_NODE_ID", "node-" + i);
            nodes.add(ChildServer.start(dir.resolve("node-" + i), dir.resolve("node-" + i + ".log"), env,
                    BenchServer.jvmOptions("scale-" + i)));
        }
        return nodes;
    }

    private static List<String> submit(List<ChildServer> nodes, String agent, int runs, int concurrency) throws Exception {
        List<Http> clients = nodes.stream().map(ChildServer::http).toList();
        Semaphore inFlight = new Semaphore(concurrency);
        List<Future<String>> sent = new ArrayList<>(runs);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < runs; i++) {
                Http http = clients.get(i % clients.size());
                int n = i;
                inFlight.acquire();
                sent.add(pool.submit(() -> {
                    try {
                        return http.post("/v1/agents/" + agent + "/invoke/async",
                                Http.json("input", Map.of("text", "run " + n))).json().path("id").asText();
                    } finally {
                        inFlight.release();
                    }
                }));
            }
        }
        List<String> ids = new ArrayList<>(runs);
        for (Future<String> f : sent) ids.add(f.get());
        return ids;
    }

    /**
     * Polls the count of the agent's completed tasks (one small query per poll, as the async scenario does) until it
     * reaches {@code expected}.
     */
    private static void awaitCompleted(Http http, String agent, int expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String count = "/v1/tasks?agent_id=" + agent + "&status=completed&per_page=1";
        while (http.get(count).json().path("total").asInt() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + http.get(count).json().path("total").asInt() + " of " + expected
                        + " runs completed");
            }
            Thread.sleep(50);
        }
    }
}
