package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.llm.ToolSpec;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The current date and time, in UTC or a given IANA time zone. */
public record CurrentTimeTool(Clock clock) implements Tool {
    public static final String NAME = "current_time";

    @Override
    public ToolSpec spec() {
        return new ToolSpec(NAME, "The current date and time. Give an IANA time zone (e.g. Europe/Paris) or none for UTC.",
                Json.tree("""
                        {"type":"object","properties":{"timezone":{"type":"string","description":"IANA time zone, e.g. America/New_York"}}}"""));
    }

    @Override
    public String call(JsonNode arguments) throws ToolError {
        String zone = arguments.path("timezone").asText("UTC");
        try {
            ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneId.of(zone.isBlank() ? "UTC" : zone)));
            return now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " (" + now.getDayOfWeek() + ", " + now.getZone() + ")";
        } catch (DateTimeException e) {
            throw new ToolError("Unknown time zone '" + zone + "'");
        }
    }
}
