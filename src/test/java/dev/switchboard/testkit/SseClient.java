package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Server-Sent Events client for tests: real HTTP, one background reader, events handed over as they arrive. */
public final class SseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Object END = new Object();

    /** One event: its id (the task's sequence number) and its envelope. */
    public record Event(long id, JsonNode envelope) {
        public String type() { return envelope.path("type").asText(); }

        public JsonNode data() { return envelope.path("data"); }
    }

    private final int status;
    private final InputStream body;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final List<String> comments = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = Thread.ofVirtual().start(this::read);
    }

    public static SseClient get(String base, String path, String key, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("x-api-key", key).GET();
        headers.forEach(b::header);
        return open(b.build());
    }

    public static SseClient post(String base, String path, String key, String json) {
        return post(base, path, key, json, Map.of());
    }

    public static SseClient post(String base, String path, String key, String json, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("x-api-key", key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return open(b.build());
    }

    private static SseClient open(HttpRequest request) {
        try {
            return new SseClient(CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public int status() { return status; }

    public List<String> comments() { return comments; }

    /** The next event, or null when the stream ended or nothing came within the timeout. */
    public Event next(Duration timeout) {
        try {
            Object o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (o == END) {
                queue.add(END);
                return null;
            }
            return (Event) o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Every event until the server ends the stream (fails when it does not end in time). */
    public List<Event> all(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Event> events = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("The stream did not end in " + timeout + "; got " + events.size() + " events");
            try {
                Object o = queue.poll(left, TimeUnit.NANOSECONDS);
                if (o == null) continue;
                if (o == END) {
                    queue.add(END);
                    return events;
                }
                events.add((Event) o);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return events;
            }
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            long id = -1;
            String data = null;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) queue.add(new Event(id, JSON.readTree(data)));
                    id = -1;
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                }
            }
        } catch (IOException ignored) {
            // closed by the test or the server
        } finally {
            queue.add(END);
        }
    }

    /** Drops the connection, as a client that goes away would. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // already closed
        }
        reader.interrupt();
    }
}
