package dev.switchboard.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A Server-Sent Events answer: {@code id: <seq>} and one {@code data:} line per event, comments for keep-alive.
 * Every event is flushed as it is written, so nothing waits in a buffer; a client that went away makes the next
 * write throw, which ends the stream (and only the stream: the run goes on).
 */
public final class SseStream implements AutoCloseable {
    private final OutputStream out;
    // Counts this stream as open until it closes (the streams-open gauge of /metrics).
    private final AutoCloseable open;

    SseStream(ServerResponse response, AutoCloseable open) {
        this.open = open;
        response.status(Status.OK_200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        // Proxies such as nginx would otherwise buffer the stream.
        response.header("X-Accel-Buffering", "no");
        this.out = response.outputStream();
    }

    public void event(long id, String data) throws IOException {
        // The data is one line of JSON: JSON text has no raw newlines.
        write("id: " + id + "\ndata: " + data + "\n\n");
    }

    /**
     * The stream's last event, without an id (so the client's Last-Event-ID stays the last real event), and a
     * {@code retry} of one second for clients that reconnect by themselves (EventSource).
     */
    public void reconnect(String data) throws IOException {
        write("retry: 1000\ndata: " + data + "\n\n");
    }

    public void comment(String text) throws IOException {
        write(": " + text + "\n\n");
    }

    private void write(String text) throws IOException {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (UncheckedIOException | ServerConnectionException e) {
            // Helidon reports a client that went away as an unchecked exception; the stream treats it as the I/O error it is.
            throw new IOException("The client went away", e);
        }
    }

    @Override
    public void close() {
        try {
            open.close();
        } catch (Exception ignored) {
            // a counter
        }
        try {
            out.close();
        } catch (IOException | UncheckedIOException | ServerConnectionException ignored) {
            // the client is gone already
        }
    }
}
