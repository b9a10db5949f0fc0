package dev.switchboard.http;

/** A route's work: read what it needs from the call, call one service method, answer. */
@FunctionalInterface
public interface Handler {
    void handle(Call call) throws Exception;
}
