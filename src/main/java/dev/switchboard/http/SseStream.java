package dev.switchboard.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Server-Sent Events answer: {@code id: <seq>} and one {@code data:} line per event, comments for keep-alive.
 * Every event is flushed as it is written, so nothing waits in a buffer; a client that went away makes the next
 * write throw, which ends the stream (and only the stream: the run goes on).
 */
public final class SseStream implements AutoCloseable {
    private final OutputStream out;

    SseStream(ServerResponse response) {
        response.status(Status.OK_200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        // Proxies such as nginx would otherwise buffer the stream.
        response.header("X-Accel-Buffering", "no");
        this.out = response.outputStream();
    }

    public void event(long id, String data) throws IOException {
        // The data is one line of JSON: JSON text has no raw newlines.
        out.write(("id: " + id + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public void comment(String text) throws IOException {
        out.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the client is gone already
        }
    }
}
