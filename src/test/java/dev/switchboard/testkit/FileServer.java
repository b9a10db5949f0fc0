package dev.switchboard.testkit;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on loopback serving files put into it (path → bytes and content type); 404 for the rest. */
public final class FileServer implements AutoCloseable {
    private record Served(byte[] bytes, String contentType, java.time.Duration delay) {}

    private final HttpServer server;
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    private FileServer(HttpServer server) { this.server = server; }

    public static FileServer start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            FileServer fs = new FileServer(s);
            s.createContext("/", exchange -> {
                fs.requests.incrementAndGet();
                Served f = fs.files.get(exchange.getRequestURI().getPath());
                if (f == null) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                if (!f.delay().isZero()) {
                    try {
                        Thread.sleep(f.delay());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (f.contentType() != null) exchange.getResponseHeaders().add("Content-Type", f.contentType());
                exchange.sendResponseHeaders(200, f.bytes().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(f.bytes());
                }
            });
            s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            s.start();
            return fs;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serves the bytes at {@code path}; returns the file's full URL. {@code contentType} may be null (none sent). */
    public String put(String path, byte[] bytes, String contentType) {
        return put(path, bytes, contentType, java.time.Duration.ZERO);
    }

    /** The same, answered only after {@code delay}. */
    public String put(String path, byte[] bytes, String contentType, java.time.Duration delay) {
        files.put(path, new Served(bytes, contentType, delay));
        return url(path);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int requests() { return requests.get(); }

    @Override
    public void close() {
        server.stop(0);
    }
}
