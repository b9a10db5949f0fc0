package dev.switchboard.llm;

import dev.switchboard.config.ProviderSettings;

/** A configured model provider. One implementation per wire protocol. */
sealed interface Provider permits OpenAiProvider, AnthropicProvider, GeminiProvider, OllamaProvider {

    ProviderSettings settings();

    /**
     * Sends one request and blocks until the whole answer, handing what streams in to {@code stream} as it comes
     * ({@link ModelStream#NONE}: no streaming). An interrupt of the calling thread cancels the call.
     */
    ModelReply chat(ModelRequest request, ModelStream stream) throws InterruptedException;

    Catalog catalog();

    /** The model used when an agent names this provider without a model. */
    String defaultModel();

    /** Text to speech, where the provider has it (the OpenAI-compatible audio/speech endpoint). */
    default java.util.Optional<Speech> speech() {
        return java.util.Optional.empty();
    }

    static Provider of(ProviderSettings s, java.time.Clock clock) {
        return switch (s.kind()) {
            case OPENAI_COMPATIBLE -> new OpenAiProvider(s, clock);
            case ANTHROPIC -> new AnthropicProvider(s, clock);
            case GEMINI -> new GeminiProvider(s, clock);
            case OLLAMA -> new OllamaProvider(s, clock);
        };
    }
}
