package dev.switchboard.tasks;

import dev.switchboard.agents.Kind;
import dev.switchboard.common.ApiException;
import dev.switchboard.events.EventFollower;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;
import dev.switchboard.http.Call;
import dev.switchboard.http.SseStream;

import java.io.IOException;

/** The streaming endpoints: invoke and follow one turn; follow a whole task, resuming after a sequence number. */
public final class StreamRoutes {
    private StreamRoutes() {}

    public static void register(Api api, InvokeService invokes, TaskStreams streams) {
        api.post("/v1/agents/{id}/invoke/stream", Access.KEY, "Invoke an agent and stream the turn's events (SSE)",
                call -> invokeStreamed(call, invokes, streams, Kind.AGENT));
        api.post("/v1/workflows/{id}/invoke/stream", Access.KEY, "Invoke a workflow and stream the run's events (SSE)",
                call -> invokeStreamed(call, invokes, streams, Kind.WORKFLOW));
        api.get("/v1/tasks/{id}/events", Access.KEY, "A task's event log, then live events (SSE); Last-Event-ID or ?after= resumes",
                call -> {
                    String taskId = call.path("id");
                    long after = after(call);
                    streams.requireTask(call.organizationId(), taskId);
                    stream(call, sink -> streams.followTask(call.organizationId(), taskId, after, sink));
                });
    }

    private static void invokeStreamed(Call call, InvokeService invokes, TaskStreams streams, Kind kind) {
        InvokeRequest body = call.body(InvokeRequest.class);
        // Everything that can be refused is refused above, as JSON; from here on the answer is a stream.
        InvokeService.Started started = invokes.start(kind, call.organizationId(), call.path("id"), call.query("version"),
                body, call.header("Idempotency-Key"));
        try (var following = started.following()) {
            stream(call, sink -> streams.followRun(call.organizationId(), started.taskId(), started.runId(),
                    started.firstSeq(), sink));
        }
    }

    @FunctionalInterface
    private interface Follow {
        void run(EventFollower.Sink sink) throws IOException, InterruptedException;
    }

    private static void stream(Call call, Follow follow) {
        try (SseStream sse = call.sse()) {
            follow.run(new EventFollower.Sink() {
                @Override public void send(long seq, String envelope) throws IOException { sse.event(seq, envelope); }

                @Override public void ping() throws IOException { sse.comment("ping"); }

                @Override public void reconnect(String envelope) throws IOException { sse.reconnect(envelope); }
            });
        } catch (IOException clientGone) {
            // The client went away: the stream ends, the run goes on.
        } catch (InterruptedException shuttingDown) {
            // The server is stopping: the stream ends; the client resumes elsewhere with Last-Event-ID.
            Thread.currentThread().interrupt();
        }
    }

    private static long after(Call call) {
        String raw = call.header("Last-Event-ID").orElse(call.query("after").orElse("0"));
        try {
            long after = Long.parseLong(raw.trim());
            if (after < 0) throw new NumberFormatException();
            return after;
        } catch (NumberFormatException e) {
            throw new ApiException.Invalid(java.util.List.of("query", "after"),
                    "after (or Last-Event-ID) must be a sequence number, 0 or more", "int_parsing");
        }
    }
}
