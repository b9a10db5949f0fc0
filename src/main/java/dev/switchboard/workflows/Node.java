package dev.switchboard.workflows;

/**
 * One node of a workflow's DAG in xpander's {@code OrchestrationNode} shape: its id and type, the nodes it leads to,
 * the condition under which it runs (tested on its input), its per-node strategies, and its definition.
 */
public record Node(String id, String type, String name, String description, java.util.List<String> nextNodeIds,
                   Condition condition, Strategies strategies, Definition definition, boolean returnThis) {

    /** xpander's per-node strategies: retries of a failed node, repeats until a condition, and stopping on failure. */
    public record Strategies(boolean retry, int maxRetries, boolean iterate, int maxIterations, Condition endCondition,
                             boolean stopOnFailure) {
        public static final Strategies DEFAULT = new Strategies(false, 3, false, 3, null, true);
    }
}
