package dev.switchboard.agents;

/** The configuration a run executes: an agent (or a workflow) at one version ("1", "2", … or "draft"). */
public record ResolvedAgent(String agentId, String version, AgentConfig config, boolean workflow) {}
