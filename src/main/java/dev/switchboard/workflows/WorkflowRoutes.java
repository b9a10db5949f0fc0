package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentRoutes;
import dev.switchboard.agents.AgentService;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Json;
import dev.switchboard.http.Access;
import dev.switchboard.http.Api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Workflows (CONTRACT §9): the same create/list/get/PATCH/PUT/DELETE/versions routes as agents under
 * {@code /v1/workflows}, and {@code POST /v1/workflows/{id}/nodes}, which adds one node to the draft and wires its
 * edges (the whole graph is checked again: a cycle, like any other problem, is a 422 and nothing is stored).
 */
public final class WorkflowRoutes {
    private WorkflowRoutes() {}

    public static void register(Api api, AgentService workflows, Ids ids) {
        AgentRoutes.register(api, workflows, "/v1/workflows");
        api.post("/v1/workflows/{id}/nodes", Access.KEY,
                "Add a node (an agent by agent_id + instructions, or any node as 'advanced') and wire after_node_ids / next_node_ids",
                call -> {
                    String org = call.organizationId();
                    String id = call.path("id");
                    ObjectNode body = call.bodyObject();
                    JsonNode current = Json.MAPPER.valueToTree(workflows.get(org, id)).path("orchestration_nodes");
                    List<JsonNode> nodes = withNode(current, body, ids);
                    ObjectNode patch = Json.object();
                    patch.set("orchestration_nodes", Json.MAPPER.valueToTree(nodes));
                    Map<String, Object> saved = workflows.update(org, id, patch, call.queryBool("deploy").orElse(false));
                    call.ok(summary(Json.MAPPER.valueToTree(saved).path("orchestration_nodes")));
                });
    }

    /** The draft's nodes with the new one added and its edges wired. */
    static List<JsonNode> withNode(JsonNode current, ObjectNode body, Ids ids) {
        ObjectNode node;
        if (body.get("advanced") instanceof ObjectNode advanced) {
            node = advanced.deepCopy();
        } else if (body.hasNonNull("agent_id")) {
            node = Json.object();
            node.put("type", "agent");
            ObjectNode def = node.putObject("definition");
            def.put("asset_id", body.get("agent_id").asText());
            if (body.hasNonNull("instructions")) def.put("instructions", body.get("instructions").asText());
        } else if (body.hasNonNull("connection_id") || body.hasNonNull("operation_id")) {
            throw ApiException.invalidBody("Connector operations are not available here; use an 'action' node "
                    + "(an HTTP call) as 'advanced'", "not_supported", "connection_id");
        } else {
            throw ApiException.invalidBody("Give agent_id (an agent node) or advanced (any node)", "missing", "advanced");
        }
        if (!node.hasNonNull("id")) node.put("id", ids.next());
        if (body.hasNonNull("name")) node.put("name", body.get("name").asText());
        String newId = node.get("id").asText();
        ArrayNode next = node.withArray("next_node_ids");
        for (JsonNode target : body.path("next_node_ids")) next.add(target.asText());
        List<String> after = new ArrayList<>();
        body.path("after_node_ids").forEach(a -> after.add(a.asText()));
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : current) {
            ObjectNode copy = n.deepCopy();
            if (after.contains(copy.path("id").asText())) copy.withArray("next_node_ids").add(newId);
            out.add(copy);
        }
        // An after_node_ids entry that names no node: the graph check reports it as a dangling edge of the new node.
        for (String a : after) {
            if (out.stream().noneMatch(n -> n.path("id").asText().equals(a))) {
                throw new ApiException.Invalid(List.of("after_node_ids"), "No node '" + a + "' in this workflow", "dangling_edge");
            }
        }
        out.add(node);
        return out;
    }

    /** xpander's answer: each node as {id, type, name, next_node_ids, asset_id, connection_id, operation_id, target_agent_id}. */
    private static List<Map<String, Object>> summary(JsonNode nodes) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode n : nodes) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", n.path("id").asText());
            m.put("type", n.path("type").asText());
            m.put("name", n.path("name").isNull() || n.path("name").isMissingNode() ? null : n.path("name").asText());
            m.put("next_node_ids", n.path("next_node_ids"));
            String asset = n.path("definition").path("asset_id").asText(null);
            m.put("asset_id", asset);
            m.put("connection_id", null);
            m.put("operation_id", null);
            m.put("target_agent_id", "agent".equals(n.path("type").asText()) ? asset : null);
            out.add(m);
        }
        return out;
    }
}
