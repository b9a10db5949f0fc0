package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP/1.1 request on a plain socket (TCP_NODELAY, no client library in between), read line by line: the
 * moment a line arrives is the moment its bytes reached this process.
 */
final class RawSse {
    private RawSse() {}

    /** Receives each line of an answer as it arrives; returns false to stop reading. */
    @FunctionalInterface
    interface Lines {
        boolean line(String line, long nanos);
    }

    /** Sends the request and hands every line of the answer (head and body) to {@code lines} as it arrives. */
    static void stream(URI base, String method, String path, Map<String, String> headers, String body, Lines lines)
            throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setTcpNoDelay(true);
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (!lines.line(line, System.nanoTime())) return;
                if (line.equals("0")) return; // the last chunk of a chunked answer
            }
        }
    }

    /** Sends the request and returns System.nanoTime() when the first line containing {@code containing} arrived. */
    static long firstLine(URI base, String method, String path, Map<String, String> headers, String body, String containing)
            throws IOException {
        long[] at = {-1};
        stream(base, method, path, headers, body, (line, nanos) -> {
            if (at[0] < 0 && line.contains(containing)) at[0] = nanos;
            return true; // read to the end: the response is complete before the next request
        });
        if (at[0] < 0) throw new IOException("no line containing " + containing);
        return at[0];
    }
}
