package dev.switchboard.llm;

import java.util.List;

/** A configured model provider. One implementation per wire protocol. */
sealed interface Provider permits OpenAiProvider {

    String id();

    /** Sends one request and blocks until the answer; an interrupt of the calling thread cancels the call. */
    ModelReply chat(ModelRequest request) throws InterruptedException;

    /** The models this provider offers, best effort and quick. */
    List<ProviderRegistry.ModelInfo> catalog();

    /** Whether the provider accepts a model outside its catalog (an OpenAI-compatible server names its own). */
    boolean acceptsAnyModel();

    String defaultModel();
}
