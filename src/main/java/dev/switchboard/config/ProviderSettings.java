package dev.switchboard.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One configured model provider: its identifier, which wire protocol it speaks, where, and with which key.
 * {@code models} is a declared catalog (from the providers file), which then wins over the provider's own listing.
 */
public record ProviderSettings(
        String id,
        Kind kind,
        String baseUrl,
        Optional<String> apiKey,
        Map<String, String> headers,
        Optional<List<String>> models,
        boolean allowAnyModel,
        Optional<String> defaultModel) {

    public enum Kind { OPENAI_COMPATIBLE, ANTHROPIC, GEMINI, OLLAMA }

    public ProviderSettings {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }
}
