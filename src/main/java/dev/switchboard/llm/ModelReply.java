package dev.switchboard.llm;

/** A model's answer and what it cost in tokens. */
public record ModelReply(String text, int promptTokens, int completionTokens, int totalTokens) {}
