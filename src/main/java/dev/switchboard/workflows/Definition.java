package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What a node does, one record per node type (xpander's {@code definition}, by the node's {@code type}). The engine
 * switches over this family; adding a node type is adding a record here, and the compiler then names every place
 * that must handle it.
 */
public sealed interface Definition {

    /** {@code agent}: runs an agent of the organization on the input, the step's instructions appended or replacing. */
    record AgentStep(String assetId, String instructions, String instructionsMode, boolean persistThreadId,
                     String outputType, JsonNode outputSchema) implements Definition {}

    /** One group a classifier (or guardrail) may choose; nodes route on it with a {@code group_id} condition. */
    record Group(String id, String name, String evaluationCriteria) {}

    /** {@code classifier}: the model picks one of the groups for the input. */
    record Classifier(List<Group> groups, String instructions, List<String> examples) implements Definition {}

    /** {@code guardrail}: a classifier with exactly the groups {@code pass} and {@code fail}. */
    record Guardrail(List<Group> groups, String instructions) implements Definition {}

    /** {@code summarizer}: the model condenses the input, following the instructions. */
    record Summarizer(String instructions, List<String> examples) implements Definition {}

    /** {@code code}: a JSONata expression over the JSON input; a data transform, no arbitrary code. */
    record Code(String expression) implements Definition {}

    /** {@code action}: an HTTP call through the network guard, its URL and body templated from the input. */
    record Action(String method, String url, JsonNode headers, String body) implements Definition {}

    /** {@code wait}: pauses the task until a person decides ({@code hitl}) or a payload arrives ({@code webhook}). */
    record Wait(String kind, String title, String content, Integer timeoutSeconds, String defaultAction)
            implements Definition {}

    /** {@code send_to_end}: ends the workflow here, with the message (or the input) as its result. */
    record SendToEnd(String message) implements Definition {}

    /** {@code parallel}: the children run on the same input, concurrently; their outputs are merged. */
    record Parallel(List<Node> nodes, String outputType) implements Definition {}

    /** {@code orchestration}: runs another workflow of the organization on the input. */
    record NestedWorkflow(String assetId) implements Definition {}
}
