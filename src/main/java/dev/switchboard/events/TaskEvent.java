package dev.switchboard.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a task's event log, as streamed: {@code id: seq} and the envelope {type, task_id, organization_id,
 * time, data}. The run id is ours, to tell which turn an event belongs to; it is not part of the envelope.
 */
public record TaskEvent(long seq, String runId, String type, String taskId, String organizationId, String time, JsonNode data) {

    public static final String TASK_CREATED = "task_created";
    public static final String TASK_UPDATED = "task_updated";
    public static final String TASK_FINISHED = "task_finished";
}
