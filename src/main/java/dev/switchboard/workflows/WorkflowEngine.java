package dev.switchboard.workflows;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentConfig;
import dev.switchboard.common.Json;
import dev.switchboard.llm.ChatTurn;
import dev.switchboard.llm.ModelReply;
import dev.switchboard.llm.ModelRequest;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.StepStore;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a workflow's DAG on an input. From the entry nodes on, each node runs on the output of the node that led to
 * it; its outgoing edges are followed when the target's condition holds (a {@code group_id} condition holds for the
 * group a classifier or guardrail chose; {@code else} when no sibling's condition held). A node reached from several
 * nodes runs once, on the first output that reaches it. Each node's completion is journaled ({@code node} steps):
 * a resumed run takes journaled outputs instead of running the node again. The result is the output of the node marked
 * {@code return_this}, else of the last node that ran ({@code send_to_end} ends the walk at once).
 */
public final class WorkflowEngine {
    static final String NODE = "node";
    /** A person's (or a webhook's) answer to a wait node, journaled by the approve/reject/resume routes. */
    public static final String DECISION = "hitl_decision";
    /** The groups a wait node's edges route on. */
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";
    private static final Duration CODE_TIME_LIMIT = Duration.ofSeconds(1);
    private static final int CODE_MAX_DEPTH = 200;
    private static final long ACTION_MAX_BYTES = 10L * 1024 * 1024;
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(input|output)(?:\\.([A-Za-z0-9_.]+))?\\s*}}");

    /** A node that failed, after its retries, with a strategy that stops the workflow. */
    public static final class NodeFailed extends Exception {
        public NodeFailed(String message) { super(message, null, false, false); }
    }

    /**
     * The walk stopped at a wait node with no decision yet: the run pauses (no thread, no lease) until one is
     * journaled or, with a timeout, until {@code resumeAt}, when the node's default action applies.
     */
    public static final class Paused extends Exception {
        private final String nodeKey;
        private final Definition.Wait wait;
        private final Optional<java.time.Instant> resumeAt;

        Paused(String nodeKey, Definition.Wait wait, Optional<java.time.Instant> resumeAt) {
            super("paused at " + nodeKey, null, false, false);
            this.nodeKey = nodeKey;
            this.wait = wait;
            this.resumeAt = resumeAt;
        }

        /** The task's {@code hitl_request}. */
        public ObjectNode request() {
            ObjectNode r = Json.object();
            r.put("wait_node_id", nodeKey);
            r.put("type", wait.kind());
            r.put("title", wait.title());
            r.put("content", wait.content());
            r.put("timeout_seconds", wait.timeoutSeconds());
            r.put("default_action", wait.defaultAction() == null ? "reject" : wait.defaultAction());
            return r;
        }

        public Optional<java.time.Instant> resumeAt() { return resumeAt; }
    }

    /** Told when each node starts and finishes (the run's stream carries them as node_started / node_finished). */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override public void started(String nodeId, String name, String type) {}

            @Override public void finished(String nodeId, String name, String type, String output) {}
        };

        void started(String nodeId, String name, String type);

        void finished(String nodeId, String name, String type, String output);
    }

    /** What approve, reject or resume journals for a wait node: the decision, why, the data, and who. */
    public record Decision(String nodeId, String decision, String comment, JsonNode data, String decidedBy) {}

    /** How a walk ended: its output and what its model calls used, per {@code provider/model}. */
    public record Result(String output, Map<String, int[]> tokensByModel) {}

    /** What a node's completion stores: its output, and for classifiers and guardrails the group chosen. */
    record Done(String nodeId, String output, String group) {}

    /**
     * Runs an agent as a workflow node: the whole agent (its instructions, tools, knowledge), with the step's
     * instructions, on the node's input; its own steps journaled under {@code <run>/<node>}. Its answer, or a failure.
     */
    public interface SubAgent {
        Answer run(String organizationId, String parentRunId, String nodeKey, AgentConfig agent, Definition.AgentStep step,
                   String input, CancelToken token) throws Exception;
    }

    /** An agent node's answer, and the tokens ({prompt, completion}) its model calls used, per {@code provider/model}. */
    public record Answer(String text, Map<String, int[]> tokensByModel) {}

    /** The organization's agents and workflows, resolved for node definitions (their deployed versions). */
    public interface Assets {
        AgentConfig agent(String organizationId, String id);

        AgentConfig workflow(String organizationId, String id);
    }

    private final ProviderRegistry providers;
    private final NetworkGuard guard;
    private final StepStore steps;
    private final Assets assets;
    private volatile SubAgent subAgent;

    public WorkflowEngine(ProviderRegistry providers, NetworkGuard guard, StepStore steps, Assets assets) {
        this.providers = providers;
        this.guard = guard;
        this.steps = steps;
        this.assets = assets;
    }

    /** Set by the tasks feature, which owns the agent loop (built after the engine). */
    public void runAgentsWith(SubAgent runner) {
        this.subAgent = runner;
    }

    /** One run of a workflow: where it journals, what it may call, and what it has used. */
    private final class Run {
        final String org;
        final String runId;
        final CancelToken token;
        final AgentConfig workflow;
        final Map<String, Done> journal = new HashMap<>();
        final Map<String, Decision> decisions = new HashMap<>();
        Listener listener = Listener.NONE;
        Optional<java.time.Instant> pausedAt = Optional.empty();
        final AtomicInteger nextStep;
        final Map<String, int[]> tokens = new java.util.concurrent.ConcurrentHashMap<>();

        Run(String org, String runId, CancelToken token, AgentConfig workflow, int firstStep) {
            this.org = org;
            this.runId = runId;
            this.token = token;
            this.workflow = workflow;
            this.nextStep = new AtomicInteger(firstStep);
        }
    }

    /** {@code pausedAt}: when the run last paused, if it did (a wait node's timeout counts from there). */
    public Result run(String org, String runId, AgentConfig workflow, String input, CancelToken token,
                      Optional<java.time.Instant> pausedAt, Listener listener)
            throws NodeFailed, Paused, CancelToken.Cancelled, Exception {
        List<StepStore.Step> stored = steps.steps(runId);
        Run run = new Run(org, runId, token, workflow, stored.isEmpty() ? 0 : stored.getLast().index() + 1);
        run.pausedAt = pausedAt;
        run.listener = listener;
        for (StepStore.Step s : stored) {
            if (s.kind().equals(NODE)) {
                Done d = Json.read(s.data(), Done.class);
                run.journal.put(d.nodeId(), d);
            } else if (s.kind().equals(DECISION)) {
                Decision d = Json.read(s.data(), Decision.class);
                run.decisions.put(d.nodeId(), d);
            }
        }
        List<Node> nodes = WorkflowGraph.read(Json.MAPPER.valueToTree(workflow.orchestrationNodes()), ANY_ASSET);
        String output = walk(run, nodes, "", input);
        return new Result(output, run.tokens);
    }

    // The graph was checked when it was stored; its assets are looked up when its nodes run.
    private static final WorkflowGraph.Assets ANY_ASSET = new WorkflowGraph.Assets() {
        @Override public boolean agentExists(String id) { return true; }

        @Override public boolean workflowExists(String id) { return true; }
    };

    /** Walks one graph (the workflow's, or a nested one's, its journal keys under {@code scope}). */
    private String walk(Run run, List<Node> nodes, String scope, String input) throws Exception {
        if (nodes.isEmpty()) return input;
        Map<String, Node> byId = new LinkedHashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Set<String> targets = new HashSet<>();
        nodes.forEach(n -> targets.addAll(n.nextNodeIds()));
        ArrayDeque<Map.Entry<Node, String>> ready = new ArrayDeque<>();
        for (Node n : nodes) {
            boolean entry = !targets.contains(n.id());
            if (entry && (n.condition() == null || n.condition().test(input))) ready.add(Map.entry(n, input));
        }
        Set<String> ran = new HashSet<>();
        String last = input;
        String returned = null;
        while (!ready.isEmpty()) {
            var next = ready.poll();
            Node node = next.getKey();
            if (!ran.add(node.id())) continue;
            Done done = runNode(run, node, scope, next.getValue());
            last = done.output();
            if (node.returnThis()) returned = done.output();
            if (node.definition() instanceof Definition.SendToEnd) break;
            boolean anyHeld = false;
            List<Node> elses = new ArrayList<>();
            for (String id : node.nextNodeIds()) {
                Node target = byId.get(id);
                Condition c = target.condition();
                if (c != null && "else".equals(c.type()) && !c.isGroup()) {
                    elses.add(target);
                    continue;
                }
                boolean holds = c == null || (c.isGroup() ? c.groupId().equals(done.group()) : c.test(done.output()));
                if (holds) {
                    if (c != null) anyHeld = true;
                    ready.add(Map.entry(target, done.output()));
                }
            }
            if (!anyHeld) elses.forEach(e -> ready.add(Map.entry(e, done.output())));
            if (REJECTED.equals(done.group()) && node.definition() instanceof Definition.Wait && !anyHeld) {
                Decision d = run.decisions.get(scope + node.id());
                throw new NodeFailed("Rejected at '" + label(node) + "'" + (d != null && d.decidedBy() != null
                        ? " by " + d.decidedBy() : "") + (d != null && d.comment() != null ? ": " + d.comment() : ""));
            }
        }
        return returned != null ? returned : last;
    }

    /** A node's journaled completion, or its run (with its retries) and the journal entry of it. */
    private Done runNode(Run run, Node node, String scope, String input) throws Exception {
        String key = scope + node.id();
        Done journaled = run.journal.get(key);
        if (journaled != null) return journaled;
        run.token.check();
        run.listener.started(key, node.name(), node.type());
        Done done = attempts(run, node, key, input);
        run.listener.finished(key, node.name(), node.type(), done.output());
        return done;
    }

    private Done attempts(Run run, Node node, String key, String input) throws Exception {
        if (node.definition() instanceof Definition.Wait) {
            Done done = execute(run, node, key, input);
            steps.record(run.runId, run.nextStep.getAndIncrement(), NODE, done);
            return done;
        }
        int attempts = node.strategies().retry() ? 1 + Math.max(0, node.strategies().maxRetries()) : 1;
        Exception failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                Done done = iterated(run, node, key, input);
                steps.record(run.runId, run.nextStep.getAndIncrement(), NODE, done);
                return done;
            } catch (CancelToken.Cancelled | Paused c) {
                throw c;
            } catch (Exception e) {
                failure = e;
            }
        }
        String why = "Node '" + label(node) + "' failed" + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": "
                + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
        if (node.strategies().stopOnFailure()) throw new NodeFailed(why);
        // stop_strategy says go on: the node passes its input along.
        Done passed = new Done(key, input, null);
        steps.record(run.runId, run.nextStep.getAndIncrement(), NODE, passed);
        return passed;
    }

    /**
     * iterative_strategy: the node runs again on its own output until its end condition holds on that output, at
     * most {@code max_iterations} times in all (journaled once, as a whole).
     */
    private Done iterated(Run run, Node node, String key, String input) throws Exception {
        Done done = execute(run, node, key, input);
        Node.Strategies s = node.strategies();
        if (!s.iterate()) return done;
        for (int i = 1; i < Math.max(1, s.maxIterations()); i++) {
            if (s.endCondition() != null && s.endCondition().test(done.output())) break;
            run.token.check();
            done = execute(run, node, key, done.output());
        }
        return done;
    }

    private Done execute(Run run, Node node, String key, String input) throws Exception {
        return switch (node.definition()) {
            case Definition.AgentStep a -> new Done(key, agent(run, a, key, input), null);
            case Definition.Classifier c -> new Done(key, input, choose(run, c.groups(), c.instructions(), input));
            case Definition.Guardrail g -> new Done(key, input, choose(run, g.groups(),
                    g.instructions() != null ? g.instructions() : "Does the input pass the checks? pass or fail.", input));
            case Definition.Summarizer s -> new Done(key, summarize(run, s, input), null);
            case Definition.Code c -> new Done(key, code(c, input), null);
            case Definition.Action a -> new Done(key, action(run, a, input), null);
            case Definition.SendToEnd s -> new Done(key, s.message() != null ? s.message() : input, null);
            case Definition.Parallel p -> new Done(key, parallel(run, p, key, input), null);
            case Definition.NestedWorkflow w -> new Done(key, nested(run, w, key, input), null);
            case Definition.Wait w -> waited(run, w, key, input);
        };
    }

    // ---- the node types ----

    /**
     * A wait node: its journaled decision (approve or a webhook's payload: the data, else the input, goes on, group
     * {@code approved}; reject: group {@code rejected}), its default action once its timeout has passed, else a pause.
     */
    private Done waited(Run run, Definition.Wait w, String key, String input) throws Paused {
        Decision d = run.decisions.get(key);
        if (d == null && w.timeoutSeconds() != null && run.pausedAt.isPresent()
                && !java.time.Instant.now().isBefore(run.pausedAt.get().plusSeconds(w.timeoutSeconds()))) {
            String action = "approve".equals(w.defaultAction()) ? "approve" : "reject";
            d = new Decision(key, action, "no decision within " + w.timeoutSeconds() + " s: default action", null, "timeout");
            steps.record(run.runId, run.nextStep.getAndIncrement(), DECISION, d);
            run.decisions.put(key, d);
        }
        if (d == null) {
            Optional<java.time.Instant> at = Optional.ofNullable(w.timeoutSeconds())
                    .map(s -> java.time.Instant.now().plusSeconds(s));
            throw new Paused(key, w, at);
        }
        if (d.decision().equals("reject")) return new Done(key, input, REJECTED);
        String output = d.data() == null || d.data().isNull() ? input : d.data().isTextual() ? d.data().asText() : d.data().toString();
        return new Done(key, output, APPROVED);
    }

    private String agent(Run run, Definition.AgentStep a, String key, String input) throws Exception {
        AgentConfig agent = assets.agent(run.org, a.assetId());
        Answer answer = subAgent.run(run.org, run.runId, key, agent, a, input, run.token);
        answer.tokensByModel().forEach((model, used) -> count(run, model, used[0], used[1]));
        return answer.text();
    }

    /** The group the model picks for the input (a group id it names in its answer; the first group if none). */
    private String choose(Run run, List<Definition.Group> groups, String instructions, String input) throws Exception {
        StringBuilder system = new StringBuilder("Classify the input into exactly one of these groups. Answer with the "
                + "group's id only.\n");
        for (Definition.Group g : groups) {
            system.append("- ").append(g.id());
            if (g.name() != null) system.append(": ").append(g.name());
            if (g.evaluationCriteria() != null) system.append(" (").append(g.evaluationCriteria()).append(')');
            system.append('\n');
        }
        if (instructions != null) system.append('\n').append(instructions);
        String answer = call(run, run.workflow.modelProvider(), run.workflow.modelName(), null, Map.of(),
                system.toString(), input).strip().toLowerCase(Locale.ROOT);
        for (Definition.Group g : groups) if (answer.equals(g.id().toLowerCase(Locale.ROOT))) return g.id();
        for (Definition.Group g : groups) if (answer.contains(g.id().toLowerCase(Locale.ROOT))) return g.id();
        return groups.getFirst().id();
    }

    private String summarize(Run run, Definition.Summarizer s, String input) throws Exception {
        String system = "Summarize the input." + (s.instructions() != null ? "\n" + s.instructions() : "");
        return call(run, run.workflow.modelProvider(), run.workflow.modelName(), null, Map.of(), system, input);
    }

    private String call(Run run, String provider, String model, String apiBase, Map<String, String> headers,
                        String system, String input) throws Exception {
        List<ChatTurn> messages = new ArrayList<>();
        if (!system.isBlank()) messages.add(new ChatTurn.System(system));
        messages.add(new ChatTurn.User(input, List.of()));
        ModelRequest request = new ModelRequest(provider, model, Optional.ofNullable(apiBase), headers, Optional.empty(),
                messages, List.of(), Optional.empty());
        // On this thread, as an agent's model call (CancelToken.callHere): a stop interrupts the call's socket read.
        ModelReply reply = run.token.callHere(() -> providers.chat(request), null);
        count(run, provider + "/" + model, reply.promptTokens(), reply.completionTokens());
        return reply.text();
    }

    private static void count(Run run, String model, int prompt, int completion) {
        run.tokens.merge(model, new int[]{prompt, completion}, (x, y) -> new int[]{x[0] + y[0], x[1] + y[1]});
    }

    /** JSONata over the input (parsed as JSON when it is JSON), within a time and depth limit. */
    private static String code(Definition.Code c, String input) {
        Object data;
        try {
            data = Json.MAPPER.convertValue(Json.strictTree(input), Object.class);
        } catch (Exception notJson) {
            data = input;
        }
        Jsonata expression = Jsonata.jsonata(c.expression());
        Jsonata.Frame frame = expression.createFrame();
        frame.setRuntimeBounds(CODE_TIME_LIMIT.toMillis(), CODE_MAX_DEPTH);
        Object result = expression.evaluate(data, frame);
        if (result == null) return "";
        return result instanceof String s ? s : Json.write(result);
    }

    private String action(Run run, Definition.Action a, String input) throws Exception {
        URI uri = URI.create(fill(a.url(), input, true));
        Map<String, String> headers = new LinkedHashMap<>();
        if (a.headers() instanceof ObjectNode h) {
            h.fields().forEachRemaining(e -> headers.put(e.getKey(), fill(e.getValue().asText(), input, false)));
        }
        NetworkGuard.Limits limits = new NetworkGuard.Limits(Duration.ofSeconds(10), Duration.ofSeconds(60), ACTION_MAX_BYTES);
        NetworkGuard.Response res = run.token.call(() -> a.method().equals("GET")
                ? guard.get(uri, headers, limits)
                : guard.post(uri, withJsonType(headers), fill(a.body() == null ? "{{input}}" : a.body(), input, false)
                        .getBytes(StandardCharsets.UTF_8), limits));
        if (res.status() / 100 != 2) throw new IllegalStateException("the call answered HTTP " + res.status());
        return new String(res.body(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> withJsonType(Map<String, String> headers) {
        if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
            Map<String, String> out = new LinkedHashMap<>(headers);
            out.put("Content-Type", "application/json");
            return out;
        }
        return headers;
    }

    /** {@code {{input}}} (or {@code {{output}}}) and {@code {{input.a.b}}} replaced from the input. */
    private static String fill(String template, String input, boolean inUrl) {
        Matcher m = TEMPLATE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(2) == null ? input
                    : Optional.ofNullable(Condition.valueAt(input, m.group(2))).orElse("");
            String filled = inUrl ? URLEncoder.encode(value, StandardCharsets.UTF_8) : value;
            m.appendReplacement(out, Matcher.quoteReplacement(filled));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The children on the same input, concurrently; JSON objects merged by child name, texts joined under headings. */
    private String parallel(Run run, Definition.Parallel p, String key, String input) throws Exception {
        try (var each = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Done>> futures = new ArrayList<>();
            for (Node child : p.nodes()) futures.add(each.submit(() -> execute(run, child, key + "/" + child.id(), input)));
            Map<String, String> outputs = new LinkedHashMap<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    outputs.put(label(p.nodes().get(i)), futures.get(i).get().output());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
            return merge(outputs);
        }
    }

    private static String merge(Map<String, String> outputs) {
        ObjectNode merged = Json.object();
        boolean allObjects = true;
        for (var e : outputs.entrySet()) {
            try {
                JsonNode n = Json.strictTree(e.getValue());
                if (n instanceof ObjectNode o) merged.set(e.getKey(), o);
                else allObjects = false;
            } catch (Exception notJson) {
                allObjects = false;
            }
        }
        if (allObjects) return Json.write(merged);
        StringBuilder sb = new StringBuilder();
        outputs.forEach((name, out) -> sb.append(sb.isEmpty() ? "" : "\n\n").append("## ").append(name).append('\n').append(out));
        return sb.toString();
    }

    private String nested(Run run, Definition.NestedWorkflow w, String key, String input) throws Exception {
        AgentConfig nested = assets.workflow(run.org, w.assetId());
        List<Node> nodes = WorkflowGraph.read(Json.MAPPER.valueToTree(nested.orchestrationNodes()), ANY_ASSET);
        return walk(run, nodes, key + "/", input);
    }

    private static String label(Node n) {
        return n.name() != null && !n.name().isBlank() ? n.name() : n.id();
    }
}
