package dev.switchboard.tasks;

import dev.switchboard.agents.AgentConfig;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.StepStore;
import dev.switchboard.workflows.Definition;
import dev.switchboard.workflows.WorkflowEngine;

import java.util.List;

/**
 * Runs an agent as a workflow's node through the same agent loop as an invoke: its instructions (with the step's,
 * appended or replacing), its model, tools and knowledge bases, on the node's input, without thread history. Its
 * steps are journaled under {@code <workflow run>/<node>}, so a resumed workflow does not repeat its calls. With
 * {@code events_streaming}, a {@code sub_agent_trigger} event and the agent's chunks go into the workflow's log.
 */
final class SubAgents implements WorkflowEngine.SubAgent {
    private final TaskStore store;
    private final StepStore steps;
    private final AgentLoop loop;
    private final RunTransitions transitions;

    SubAgents(TaskStore store, StepStore steps, AgentLoop loop, RunTransitions transitions) {
        this.store = store;
        this.steps = steps;
        this.loop = loop;
        this.transitions = transitions;
    }

    @Override
    public WorkflowEngine.Answer run(String org, String parentRunId, String nodeKey, AgentConfig agent,
                                     Definition.AgentStep step, String input, CancelToken token) throws Exception {
        TaskStore.RunRow parent = store.run(parentRunId).orElseThrow();
        // An input needs text; an empty node input is said so.
        String text = input == null || input.isBlank() ? "(no input)" : input;
        Turn turn = new Turn(step.assetId(), new InvokeRequest.Input(text, List.of(), null), null, "workflow", "agent",
                "default", false, "auto", step.instructions(), step.instructionsMode(), null, null, agent.outputFormat(),
                agent.outputSchema(), agent.modelProvider(), agent.modelName(), agent.llmReasoningEffort(),
                parent.spec().agentVersion(), null, false, parent.spec().mcpServers(), null, parent.spec().hasUserOidcToken(),
                parent.spec().hasUserTokens(), parent.spec().credentials(), new Turn.Budgets(null, null, null, null), 0, agent, false,
                parent.spec().traceparent());
        String subRunId = parentRunId + "/" + nodeKey;
        TaskStore.RunRow sub = new TaskStore.RunRow(subRunId, org, parent.taskId(), parent.turn(), null, turn, parent.state());
        // With events_streaming, the workflow's stream shows the agent starting and its answer as it comes.
        boolean streamed = parent.spec().eventsStreaming();
        if (streamed) transitions.subAgentTriggered(parent, nodeKey, step.assetId(), text);
        RunEvents events = streamed ? transitions.eventsOf(parent) : transitions.authEventsOf(parent);
        AgentLoop.Outcome outcome = loop.run(sub, false, transitions.now(), token, events, files -> { });
        return switch (outcome) {
            case AgentLoop.Outcome.Answered a -> {
                a.last().ifPresent(last -> {
                    steps.record(subRunId, last.index(), AgentLoop.MODEL_CALL, last.reply());
                    // The answer's last piece, which an invoke stores with the run's end.
                    if (!last.lastChunk().isEmpty()) events.chunk(last.lastChunk());
                });
                java.util.Map<String, int[]> tokens = new java.util.LinkedHashMap<>();
                a.usage().perModel().forEach((model, u) -> tokens.put(model, new int[]{u.promptTokens(), u.completionTokens()}));
                yield new WorkflowEngine.Answer(a.text(), tokens);
            }
            case AgentLoop.Outcome.Failed f -> throw new IllegalStateException(f.message());
            case AgentLoop.Outcome.Paused p -> throw new IllegalStateException("an agent node cannot pause");
        };
    }
}
