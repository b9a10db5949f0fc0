package dev.switchboard.llm;

import dev.switchboard.common.Json;
import dev.switchboard.config.ProviderSettings;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The OpenAI-compatible {@code POST /audio/speech}: text in, audio out. */
public final class Speech {
    public static final String MODEL = "gpt-4o-mini-tts";
    public static final String DEFAULT_VOICE = "alloy";

    /** Audio bytes and their media type. */
    public record Audio(byte[] bytes, String contentType) {}

    private final ProviderSettings settings;
    private final HttpClient http;

    Speech(ProviderSettings settings, HttpClient http) {
        this.settings = settings;
        this.http = http;
    }

    public Audio speak(String text, String voice) throws InterruptedException {
        String body = Json.write(Map.of("model", MODEL, "voice", voice == null || voice.isBlank() ? DEFAULT_VOICE : voice,
                "input", text, "response_format", "mp3"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.baseUrl() + "/audio/speech"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        settings.apiKey().ifPresent(k -> b.header("Authorization", "Bearer " + k));
        settings.headers().forEach(b::header);
        try {
            HttpResponse<byte[]> res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() / 100 != 2) {
                String message = new String(res.body(), java.nio.charset.StandardCharsets.UTF_8);
                throw new ModelFailure(Failures.byStatus(res.statusCode(), message),
                        "Speech failed with HTTP " + res.statusCode() + ": " + message);
            }
            return new Audio(res.body(), res.headers().firstValue("content-type").orElse("audio/mpeg"));
        } catch (IOException e) {
            throw new ModelFailure(ModelFailure.Kind.NETWORK, "Speech failed: " + e.getMessage());
        }
    }
}
