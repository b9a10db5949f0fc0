package dev.switchboard.llm;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One call to a model: who answers, with which controls, and the whole conversation to send. */
public record ModelRequest(
        String provider,
        String model,
        Optional<String> apiBase,
        Map<String, String> extraHeaders,
        Optional<String> reasoningEffort,
        List<ChatTurn> messages) {}
