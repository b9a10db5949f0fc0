package dev.switchboard.llm;

import com.fasterxml.jackson.databind.JsonNode;

/** A tool as the model sees it: a name, what it does, and the JSON Schema of its arguments. */
public record ToolSpec(String name, String description, JsonNode parameters) {}
