package dev.switchboard.tasks;

import dev.switchboard.agents.AgentService;
import dev.switchboard.common.Ids;
import dev.switchboard.events.EventLog;
import dev.switchboard.files.Attachments;
import dev.switchboard.files.FileStore;
import dev.switchboard.knowledge.PassageRetrieval;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.StepStore;
import dev.switchboard.runs.Worker;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;
import dev.switchboard.tools.Toolbox;
import dev.switchboard.tracing.Tracing;
import dev.switchboard.workflows.WorkflowEngine;

import java.time.Clock;
import java.time.Duration;

/** Builds the tasks feature from its parts and registers its run handler with the worker. */
public final class Tasks {
    private final InvokeService invokes;
    private final TaskService tasks;
    private final TaskStreams streams;

    public Tasks(Db db, EventLog events, RunQueue queue, StepStore steps, Worker worker, AgentService agents,
                 AgentService workflows, WorkflowEngine engine, ProviderRegistry providers, Toolbox toolbox,
                 FileStore files, Attachments attachments, PassageRetrieval retrieval, NetworkGuard guard,
                 TaskEnds ends, SecretBox box, Ids ids, Clock clock, Duration syncWait, Duration ssePing,
                 Metrics metrics, Tracing tracing, boolean allowLocalMcp) {
        TaskStore store = new TaskStore(db, box);
        LocalEnds localEnds = new LocalEnds();
        RunTransitions transitions = new RunTransitions(store, events, queue, steps, ends, localEnds, clock, metrics);
        AgentLoop loop = new AgentLoop(store, steps, providers, toolbox, attachments, retrieval, metrics, tracing);
        engine.runAgentsWith(new SubAgents(store, steps, loop, transitions));
        AcceptedRuns acceptedRuns = new AcceptedRuns();
        worker.register(AgentRunHandler.KIND, new AgentRunHandler(store, acceptedRuns, transitions, queue, loop, engine,
                providers, files, tracing));
        this.invokes = new InvokeService(store, transitions, events, agents, workflows, providers, worker, acceptedRuns,
                localEnds, guard, ids, clock, syncWait, allowLocalMcp);
        this.tasks = new TaskService(store, transitions, events, worker, agents, steps);
        this.streams = new TaskStreams(store, events, ssePing);
    }

    public InvokeService invokes() { return invokes; }

    public TaskService tasks() { return tasks; }

    public TaskStreams streams() { return streams; }
}
