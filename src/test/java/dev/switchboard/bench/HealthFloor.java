package dev.switchboard.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The floor of the start-up scenario: a JVM on the same classpath and options that only answers {@code GET /health}
 * with the JDK's own HTTP server, on {@code SWITCHBOARD_PORT}. What is left of Switchboard's start-up above it is
 * Switchboard's.
 */
public final class HealthFloor {
    private HealthFloor() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv("SWITCHBOARD_PORT"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
        server.createContext("/health", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, ok.length);
                ex.getResponseBody().write(ok);
            }
        });
        server.start();
    }
}
