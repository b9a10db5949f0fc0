package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.llm.ToolSpec;
import dev.switchboard.net.NetworkGuard;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Fetches a URL (GET) for the model, through the network guard, and returns the start of its text. */
public record HttpFetchTool(NetworkGuard guard) implements Tool {
    public static final String NAME = "http_fetch";
    // What the model is given of a page: enough to read, not enough to flood its context.
    private static final int MAX_CHARS = 20_000;
    private static final NetworkGuard.Limits LIMITS = new NetworkGuard.Limits(Duration.ofSeconds(5), Duration.ofSeconds(20), 2L * 1024 * 1024);

    @Override
    public ToolSpec spec() {
        return new ToolSpec(NAME, "Fetch a web page or API URL with GET and return its status and text.",
                Json.tree("""
                        {"type":"object","properties":{"url":{"type":"string","description":"An http or https URL"}},"required":["url"]}"""));
    }

    @Override
    public String call(JsonNode arguments) throws ToolError, InterruptedException {
        String url = arguments.path("url").asText("");
        if (url.isBlank()) throw new ToolError("The argument 'url' is required");
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new ToolError("'" + url + "' is not a valid URL");
        }
        try {
            NetworkGuard.Response res = guard.get(uri, Map.of("User-Agent", "Switchboard/1"), LIMITS);
            String text = new String(res.body(), StandardCharsets.UTF_8);
            if (text.length() > MAX_CHARS) text = text.substring(0, MAX_CHARS) + "\n[truncated]";
            return "HTTP " + res.status() + "\n" + text;
        } catch (NetworkGuard.Refused e) {
            throw new ToolError(e.getMessage());
        } catch (IOException e) {
            throw new ToolError("Fetching " + url + " failed: " + e.getMessage());
        }
    }
}
