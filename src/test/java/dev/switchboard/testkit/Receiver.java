package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A webhook receiver on loopback: records every request it gets and answers with the replies queued for its path
 * (then 200).
 * A reply may be delayed, to make the sender time out.
 */
public final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received ({@code nanos}: System.nanoTime at arrival). Header names are lower case. */
    public record Received(Instant at, long nanos, String path, Map<String, String> headers, byte[] body) {
        public String text() { return new String(body, StandardCharsets.UTF_8); }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        public String header(String name) { return headers.get(name.toLowerCase()); }
    }

    /** What to answer: a status, after a delay. */
    public record Reply(int status, Duration delay) {
        public static Reply status(int status) { return new Reply(status, Duration.ZERO); }
        public static Reply slow(Duration delay) { return new Reply(200, delay); }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<Reply>> replies = new java.util.concurrent.ConcurrentHashMap<>();

    private Receiver(HttpServer server) { this.server = server; }

    public static Receiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            Receiver r = new Receiver(server);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                long nanos = System.nanoTime();
                Map<String, String> headers = new java.util.HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
                r.received.add(new Received(Instant.now(), nanos, exchange.getRequestURI().getPath(), Map.copyOf(headers), body));
                var queued = r.replies.get(exchange.getRequestURI().getPath());
                Reply reply = queued == null ? null : queued.poll();
                if (reply == null) reply = Reply.status(200);
                try {
                    Thread.sleep(reply.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    exchange.sendResponseHeaders(reply.status(), -1);
                } catch (IOException closedBySender) {
                    // the sender gave up (a timeout test)
                }
                exchange.close();
            });
            server.start();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers the next requests to the path with these replies, in order; 200 once they are used up. */
    public Receiver reply(String path, Reply... next) {
        replies.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
        return this;
    }

    public String url(String path) { return "http://127.0.0.1:" + server.getAddress().getPort() + path; }

    public List<Received> received() { return List.copyOf(received); }

    public List<Received> received(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() { server.stop(0); }
}
