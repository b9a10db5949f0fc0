package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.ApiException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads a workflow's {@code orchestration_nodes} and checks the graph, collecting every problem (each with its
 * location, as a 422 lists them) rather than stopping at the first: a node without an id or of an unknown type, a
 * definition missing a required field, an agent or nested workflow the organization does not have, an edge to no
 * node, a cycle, no entry node, a condition that cannot be tested where it stands, more than one {@code return_this}.
 * An invalid graph is never stored: {@link #read} gives the nodes only when there is no problem.
 */
public final class WorkflowGraph {
    static final Set<String> TYPES = Set.of("agent", "classifier", "guardrail", "summarizer", "code", "action", "wait",
            "send_to_end", "parallel", "orchestration");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final String FIELD = "orchestration_nodes";

    /** What the organization has, for nodes that point at other assets. */
    public interface Assets {
        boolean agentExists(String id);

        boolean workflowExists(String id);
    }

    private final Assets assets;
    private final List<ApiException.Problem> problems = new ArrayList<>();

    private WorkflowGraph(Assets assets) {
        this.assets = assets;
    }

    /** The nodes, or a 422 listing every problem of the graph. */
    public static List<Node> read(JsonNode nodes, Assets assets) {
        WorkflowGraph g = new WorkflowGraph(assets);
        List<Node> read = g.nodes(nodes, List.of(FIELD));
        if (g.problems.isEmpty()) g.checkGraph(read);
        if (!g.problems.isEmpty()) throw new ApiException.Invalid(List.copyOf(g.problems));
        return read;
    }

    // ---- nodes ----

    private List<Node> nodes(JsonNode array, List<String> at) {
        if (array == null || array.isNull() || array.isMissingNode()) return List.of();
        if (!array.isArray()) {
            problem(at, "Input should be a valid list", "list_type");
            return List.of();
        }
        List<Node> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            List<String> here = with(at, String.valueOf(i));
            Node n = node(array.get(i), here);
            if (n == null) continue;
            if (!ids.add(n.id())) problem(with(here, "id"), "Node id '" + n.id() + "' is used twice", "duplicate");
            out.add(n);
        }
        return out;
    }

    private Node node(JsonNode n, List<String> at) {
        if (!n.isObject()) {
            problem(at, "Input should be a valid dictionary or object", "model_attributes_type");
            return null;
        }
        String id = text(n, "id");
        if (id == null || id.isBlank()) problem(with(at, "id"), "Field required", "missing");
        String type = text(n, "type");
        if (type == null || !TYPES.contains(type)) {
            problem(with(at, "type"), "Node type must be one of " + sorted(TYPES), "enum");
            return null;
        }
        JsonNode def = n.path("definition");
        Definition definition = definition(type, def, with(at, "definition"));
        Condition condition = condition(n.get("condition"), with(at, "condition"));
        List<String> next = strings(n.get("next_node_ids"), with(at, "next_node_ids"));
        Condition endCondition = condition(n.path("iterative_strategy").get("end_condition"),
                with(with(at, "iterative_strategy"), "end_condition"));
        return new Node(id == null ? "" : id, type, text(n, "name"), text(n, "description"), next, condition,
                strategies(n, endCondition), definition, n.path("return_this").asBoolean(false));
    }

    private Definition definition(String type, JsonNode d, List<String> at) {
        return switch (type) {
            case "agent" -> {
                String asset = required(d, "asset_id", at);
                if (asset != null && !assets.agentExists(asset)) {
                    problem(with(at, "asset_id"), "No agent '" + asset + "' in this organization", "unknown_agent");
                }
                String mode = text(d, "instructions_mode");
                if (mode != null && !Set.of("append", "replace").contains(mode)) {
                    problem(with(at, "instructions_mode"), "Input should be 'append' or 'replace'", "enum");
                }
                yield new Definition.AgentStep(asset, text(d, "instructions"), mode == null ? "append" : mode,
                        d.path("persist_thread_id").asBoolean(true), text(d, "output_type"), d.get("output_schema"));
            }
            case "orchestration" -> {
                String asset = required(d, "asset_id", at);
                if (asset != null && !assets.workflowExists(asset)) {
                    problem(with(at, "asset_id"), "No workflow '" + asset + "' in this organization", "unknown_workflow");
                }
                yield new Definition.NestedWorkflow(asset);
            }
            case "classifier" -> new Definition.Classifier(groups(d, at, false), text(d, "instructions"),
                    strings(d.get("examples"), with(at, "examples")));
            case "guardrail" -> new Definition.Guardrail(groups(d, at, true), text(d, "instructions"));
            case "summarizer" -> new Definition.Summarizer(text(d, "instructions"), strings(d.get("examples"), with(at, "examples")));
            case "code" -> new Definition.Code(required(d, "code", at));
            case "action" -> {
                String url = required(d, "url", at);
                String method = text(d, "method") == null ? "POST" : text(d, "method").toUpperCase(java.util.Locale.ROOT);
                if (!METHODS.contains(method)) problem(with(at, "method"), "Method must be one of " + sorted(METHODS), "enum");
                if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
                    problem(with(at, "url"), "Input should be an http or https URL", "url_scheme");
                }
                yield new Definition.Action(method, url, d.get("headers"), text(d, "body"));
            }
            case "wait" -> {
                String kind = text(d, "type");
                if (kind == null || !Set.of("hitl", "webhook").contains(kind)) {
                    problem(with(at, "type"), "A wait node is 'hitl' or 'webhook'", kind == null ? "missing" : "enum");
                }
                Integer timeout = d.hasNonNull("timeout_seconds") ? d.get("timeout_seconds").asInt() : null;
                if (timeout != null && timeout <= 0) problem(with(at, "timeout_seconds"), "Input should be greater than 0", "greater_than");
                String action = text(d, "default_action");
                if (action != null && !Set.of("approve", "reject").contains(action)) {
                    problem(with(at, "default_action"), "Input should be 'approve' or 'reject'", "enum");
                }
                yield new Definition.Wait(kind, text(d, "title"), text(d, "content"), timeout, action);
            }
            case "send_to_end" -> new Definition.SendToEnd(text(d, "message"));
            case "parallel" -> {
                List<Node> children = nodes(d.get("nodes"), with(at, "nodes"));
                if (children.isEmpty()) problem(with(at, "nodes"), "A parallel node needs at least one child node", "missing");
                for (int i = 0; i < children.size(); i++) {
                    Node c = children.get(i);
                    List<String> here = with(with(at, "nodes"), String.valueOf(i));
                    if (!c.nextNodeIds().isEmpty()) {
                        problem(with(here, "next_node_ids"), "A parallel node's children run side by side: they lead nowhere", "not_allowed");
                    }
                    if (c.condition() != null) {
                        problem(with(here, "condition"), "A parallel node's children all run: they take no condition", "not_allowed");
                    }
                }
                yield new Definition.Parallel(children, text(d, "output_type"));
            }
            default -> throw new IllegalStateException(type);
        };
    }

    private List<Definition.Group> groups(JsonNode d, List<String> at, boolean guardrail) {
        JsonNode array = d.get("groups");
        List<Definition.Group> out = new ArrayList<>();
        if (array == null || !array.isArray() || array.isEmpty()) {
            problem(with(at, "groups"), guardrail ? "A guardrail needs the groups 'pass' and 'fail'" : "A classifier needs at least one group", "missing");
            return out;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode g = array.get(i);
            String id = text(g, "id");
            if (id == null || id.isBlank()) {
                problem(with(with(with(at, "groups"), String.valueOf(i)), "id"), "Field required", "missing");
                continue;
            }
            if (!ids.add(id)) problem(with(with(with(at, "groups"), String.valueOf(i)), "id"), "Group id '" + id + "' is used twice", "duplicate");
            out.add(new Definition.Group(id, text(g, "name"), text(g, "evaluation_criteria")));
        }
        if (guardrail && !ids.equals(Set.of("pass", "fail"))) {
            problem(with(at, "groups"), "A guardrail has exactly the groups 'pass' and 'fail'", "guardrail_groups");
        }
        return out;
    }

    private Condition condition(JsonNode c, List<String> at) {
        if (c == null || c.isNull()) return null;
        if (!c.isObject()) {
            problem(at, "Input should be a valid dictionary or object", "model_attributes_type");
            return null;
        }
        Condition condition = new Condition(text(c, "type"), text(c, "term"), text(c, "group_id"), text(c, "path"),
                c.hasNonNull("value") ? c.get("value").asText() : null);
        condition.problem().ifPresent(p -> problem(at, p, "condition"));
        return condition;
    }

    private static Node.Strategies strategies(JsonNode n, Condition endCondition) {
        JsonNode retry = n.path("retry_strategy");
        JsonNode iterate = n.path("iterative_strategy");
        JsonNode stop = n.path("stop_strategy");
        return new Node.Strategies(retry.path("enabled").asBoolean(false), retry.path("max_retries").asInt(3),
                iterate.path("enabled").asBoolean(false), iterate.path("max_iterations").asInt(3), endCondition,
                !stop.path("enabled").asBoolean(false) || stop.path("stop_on_failure").asBoolean(true));
    }

    // ---- the graph ----

    private void checkGraph(List<Node> nodes) {
        Map<String, Node> byId = new LinkedHashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Map<String, List<Node>> predecessors = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            for (int e = 0; e < n.nextNodeIds().size(); e++) {
                String target = n.nextNodeIds().get(e);
                if (!byId.containsKey(target)) {
                    problem(List.of(FIELD, String.valueOf(i), "next_node_ids", String.valueOf(e)),
                            "Edge to '" + target + "', which is no node of this workflow", "dangling_edge");
                } else {
                    predecessors.computeIfAbsent(target, k -> new ArrayList<>()).add(n);
                }
            }
        }
        if (!nodes.isEmpty() && nodes.stream().allMatch(n -> predecessors.containsKey(n.id()))) {
            problem(List.of(FIELD), "No entry node: every node has another before it", "no_entry");
        }
        findCycle(byId).ifPresent(cycle -> problem(List.of(FIELD), "Cycle: " + String.join(" → ", cycle), "cycle"));
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.condition() == null || !n.condition().isGroup()) continue;
            List<Node> before = predecessors.getOrDefault(n.id(), List.of());
            boolean routable = !before.isEmpty() && before.stream().allMatch(p -> groupsOf(p).contains(n.condition().groupId()));
            if (!routable) {
                problem(List.of(FIELD, String.valueOf(i), "condition", "group_id"), "A group_id condition follows only "
                        + "classifier, guardrail or wait nodes that have the group '" + n.condition().groupId() + "'",
                        "condition_placement");
            }
        }
        if (nodes.stream().filter(Node::returnThis).count() > 1) {
            problem(List.of(FIELD), "At most one node is marked return_this", "return_this");
        }
    }

    private static Set<String> groupsOf(Node n) {
        return switch (n.definition()) {
            case Definition.Classifier c -> idsOf(c.groups());
            case Definition.Guardrail g -> idsOf(g.groups());
            case Definition.Wait w -> Set.of(WorkflowEngine.APPROVED, WorkflowEngine.REJECTED);
            default -> Set.of();
        };
    }

    private static Set<String> idsOf(List<Definition.Group> groups) {
        Set<String> out = new HashSet<>();
        groups.forEach(g -> out.add(g.id()));
        return out;
    }

    /** A cycle's node ids, first repeated at the end, if the graph has one (depth-first, white/grey/black). */
    private static java.util.Optional<List<String>> findCycle(Map<String, Node> byId) {
        Map<String, Integer> state = new HashMap<>();
        for (String start : byId.keySet()) {
            List<String> path = new ArrayList<>();
            java.util.Optional<List<String>> found = visit(start, byId, state, path);
            if (found.isPresent()) return found;
        }
        return java.util.Optional.empty();
    }

    private static java.util.Optional<List<String>> visit(String id, Map<String, Node> byId, Map<String, Integer> state,
                                                          List<String> path) {
        int s = state.getOrDefault(id, 0);
        if (s == 2) return java.util.Optional.empty();
        if (s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            return java.util.Optional.of(cycle);
        }
        state.put(id, 1);
        path.add(id);
        for (String next : byId.get(id).nextNodeIds()) {
            if (!byId.containsKey(next)) continue;
            java.util.Optional<List<String>> found = visit(next, byId, state, path);
            if (found.isPresent()) return found;
        }
        path.removeLast();
        state.put(id, 2);
        return java.util.Optional.empty();
    }

    // ---- helpers ----

    private String required(JsonNode d, String field, List<String> at) {
        String v = text(d, field);
        if (v == null || v.isBlank()) {
            problem(with(at, field), "Field required", "missing");
            return null;
        }
        return v;
    }

    private List<String> strings(JsonNode array, List<String> at) {
        if (array == null || array.isNull()) return List.of();
        if (!array.isArray()) {
            problem(at, "Input should be a valid list", "list_type");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual()) problem(with(at, String.valueOf(i)), "Input should be a valid string", "string_type");
            else out.add(array.get(i).asText());
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private void problem(List<String> loc, String msg, String type) {
        problems.add(new ApiException.Problem(loc, msg, type));
    }

    private static List<String> with(List<String> at, String part) {
        return Stream.concat(at.stream(), Stream.of(part)).toList();
    }

    private static String sorted(Set<String> values) {
        return String.join(", ", values.stream().sorted().toList());
    }
}
