package dev.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection on a plain socket (TCP_NODELAY), for request/response load: it reads a whole
 * answer (Content-Length or chunked) and returns when its last byte has arrived, so a streamed answer (the fake
 * model's) and a plain one (the server's) are timed the same way, with no client library's buffering in between.
 * Not thread-safe: one connection per load thread. Reconnects if the server closed the connection.
 */
final class RawHttp implements AutoCloseable {
    /** A whole answer. */
    record Response(int status, String body) {}

    private final String host;
    private final int port;
    private final String apiKey;
    private Socket socket;
    private BufferedInputStream in;
    private OutputStream out;

    RawHttp(URI base, String apiKey) {
        this.host = base.getHost();
        this.port = base.getPort();
        this.apiKey = apiKey;
    }

    Response get(String path) throws IOException { return send("GET", path, null); }

    Response post(String path, String json) throws IOException { return send("POST", path, json); }

    Response send(String method, String path, String json) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(method, path, json);
        } catch (StaleConnection stale) {
            // A kept-alive connection the server had closed before it answered (an idle connection it dropped):
            // once more, on a new one.
            close();
            if (!reused) throw stale;
            return exchange(method, path, json);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private static final class StaleConnection extends EOFException {
        StaleConnection() { super("connection closed before the answer"); }
    }

    private Response exchange(String method, String path, String json) throws IOException {
        request(method, path, json);
        return answer();
    }

    /**
     * Sends a request without waiting for its answer ({@link #answer} reads it): a caller that holds many calls open
     * at once sends each from one thread and reads it on another.
     */
    void request(String method, String path, String json) throws IOException {
        if (socket == null) connect();
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\n");
        if (apiKey != null) head.append("x-api-key: ").append(apiKey).append("\r\n");
        if (json != null) head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (java.net.SocketException closed) {
            throw new StaleConnection();
        }
    }

    /** The answer to the request sent last, read whole. */
    Response answer() throws IOException {
        String status;
        try {
            status = line();
        } catch (java.net.SocketException reset) {
            throw new StaleConnection();
        }
        if (status == null) throw new StaleConnection();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String h;
        while ((h = line()) != null && !h.isEmpty()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
            else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            else if (lower.startsWith("connection:") && lower.contains("close")) close = true;
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream(length > 0 ? (int) length : 512);
        if (chunked) {
            while (true) {
                String size = line();
                if (size == null) throw new EOFException("connection closed inside a chunked answer");
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while ((h = line()) != null && !h.isEmpty()) { /* trailers */ }
                    break;
                }
                answer.write(in.readNBytes(n));
                line(); // the CRLF after the chunk
            }
        } else if (length >= 0) {
            answer.write(in.readNBytes((int) length));
        } else {
            answer.write(in.readAllBytes());
            close = true;
        }
        if (close) close();
        return new Response(code, answer.toString(StandardCharsets.UTF_8));
    }

    private void connect() throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(600_000);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    /** One CRLF-terminated line, without the CRLF; null at the end of the stream. */
    private String line() throws IOException {
        StringBuilder s = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int len = s.length();
                if (len > 0 && s.charAt(len - 1) == '\r') s.setLength(len - 1);
                return s.toString();
            }
            s.append((char) c);
        }
        return s.isEmpty() ? null : s.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
    }
}
