package dev.switchboard.agents;

/**
 * What an agents-table entry is: an agent, or a workflow (xpander's agents of type {@code orchestration}). Both have
 * the same drafts, deployed versions and invoke body; each kind is served by its own {@link AgentService}.
 */
public enum Kind {
    AGENT("agent", "Agent", "manager"),
    WORKFLOW("workflow", "Workflow", "orchestration");

    private final String stored;
    private final String noun;
    private final String wireType;

    Kind(String stored, String noun, String wireType) {
        this.stored = stored;
        this.noun = noun;
        this.wireType = wireType;
    }

    /** The value of the {@code kind} column. */
    String stored() { return stored; }

    /** "Agent" or "Workflow", for messages. */
    public String noun() { return noun; }

    /** xpander's {@code type} of the object. */
    String wireType() { return wireType; }
}
