package dev.switchboard.llm;

/** A tool call the model asked for; {@code arguments} is the JSON text the model wrote. */
public record ToolCall(String id, String name, String arguments) {}
