package dev.switchboard;

import dev.switchboard.agents.AgentConfig;
import dev.switchboard.agents.AgentFiles;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.tracing.Tracing;
import dev.switchboard.agents.AgentRoutes;
import dev.switchboard.agents.AgentService;
import dev.switchboard.agents.Kind;
import dev.switchboard.common.Ids;
import dev.switchboard.config.Config;
import dev.switchboard.events.EventLog;
import dev.switchboard.files.Attachments;
import dev.switchboard.files.FileRoutes;
import dev.switchboard.files.FileStore;
import dev.switchboard.knowledge.Knowledge;
import dev.switchboard.knowledge.KnowledgeRoutes;
import dev.switchboard.knowledge.PassageRetrieval;
import dev.switchboard.llm.Embeddings;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.tools.Toolbox;
import dev.switchboard.tools.mcp.McpConnections;
import dev.switchboard.http.Api;
import dev.switchboard.http.PlatformRoutes;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.llm.ProviderRoutes;
import dev.switchboard.orgs.OrgRoutes;
import dev.switchboard.orgs.OrgService;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.StepStore;
import dev.switchboard.runs.Worker;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;
import dev.switchboard.tasks.StreamRoutes;
import dev.switchboard.tasks.TaskRoutes;
import dev.switchboard.tasks.Tasks;
import dev.switchboard.webhooks.WebhookRoutes;
import dev.switchboard.webhooks.Webhooks;
import dev.switchboard.workflows.WorkflowEngine;
import dev.switchboard.workflows.WorkflowRoutes;
import io.helidon.webserver.ConnectionConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Optional;

/**
 * The composition root: every object is built here with {@code new}, started in order and stopped in reverse.
 * Step through {@link #start} to see the whole server come up.
 */
public final class App implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(App.class);

    private final Config config;
    private final Db db;
    private final Worker worker;
    private final McpConnections mcp;
    private final Api api;
    private final EventLog events;
    private final Metrics metrics;
    private final Tracing tracing;
    private final WebServer server;
    private final Optional<String> generatedKey;

    private App(Config config, Db db, Worker worker, McpConnections mcp, Api api, EventLog events, Metrics metrics,
                Tracing tracing, WebServer server, Optional<String> generatedKey) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.mcp = mcp;
        this.api = api;
        this.events = events;
        this.config = config;
        this.db = db;
        this.worker = worker;
        this.server = server;
        this.generatedKey = generatedKey;
    }

    public static App start(Config config) {
        // Helidon logs through java.util.logging; send it to SLF4J like everything else.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        // Opening the database (SQLite's native library, the pool, Flyway) is the longest part of start-up: it runs
        // on its own thread while the parts that do not need it are built.
        CompletableFuture<Db> opening = new CompletableFuture<>();
        Thread.ofPlatform().name("switchboard-db-open").start(() -> {
            try {
                opening.complete(config.databaseUrl().map(url -> Db.openPostgres(url, config.databasePoolSize()))
                        .orElseGet(() -> Db.openSqlite(config.dataDir())));
            } catch (Throwable t) {
                opening.completeExceptionally(t);
            }
        });
        Clock clock = Clock.systemUTC();
        Ids ids = Ids.timeOrdered(clock);
        Metrics metrics = new Metrics();
        Tracing tracing = Tracing.fromEnv(config.otel());
        ProviderRegistry providers = new ProviderRegistry(config, clock, metrics, tracing);
        // Secrets that must be used again in clear are stored encrypted with this node's key.
        SecretBox box = SecretBox.open(config.secretKey(), config.dataDir());
        NetworkGuard guard = new NetworkGuard(config.allowPrivateNetwork());
        HttpRouting.Builder routing = HttpRouting.builder();
        Db db = opened(opening);

        OrgService orgs = new OrgService(db, ids, clock);
        OrgService.Bootstrap bootstrap = db.exclusively(() -> orgs.bootstrap(config.bootstrapApiKey()));
        AgentService agents = new AgentService(db, box, providers, ids, clock, config.mcp().allowLocal());
        AgentService workflows = new AgentService(db, box, providers, ids, clock, Kind.WORKFLOW, agents::exists,
                config.mcp().allowLocal());
        EventLog events = new EventLog(db);
        RunQueue queue = new RunQueue(db, clock, config.nodeId(), config.lease());
        StepStore steps = new StepStore(db, clock);
        Worker worker = new Worker(queue, config.maxConcurrentRuns(), config.lease());
        FileStore files = new FileStore(db, config.dataDir(), ids, clock);
        Webhooks webhooks = new Webhooks(db, box, queue, worker, guard, config.webhooks(), ids, clock, metrics);
        db.bindMetrics(metrics.registry());
        metrics.gauge("switchboard_runs_in_flight", "Runs executing on this node", worker::inFlight);
        metrics.gauge("switchboard_queue_depth", "Work items in the queue (all nodes): queued, waiting or executing", queue::depth);
        Attachments attachments = new Attachments(files, guard, config.files());
        Embeddings embeddings = providers.embeddings(config.embeddingModel());
        Knowledge knowledge = new Knowledge(db, queue, worker, files, attachments, embeddings, ids, clock);
        McpConnections mcp = new McpConnections(config.mcp(), guard, clock);
        Toolbox toolbox = new Toolbox(guard, knowledge.service(), mcp, clock);
        WorkflowEngine engine = new WorkflowEngine(providers, guard, steps, new WorkflowEngine.Assets() {
            @Override
            public AgentConfig agent(String org, String id) {
                return agents.resolve(org, id, Optional.empty()).config();
            }

            @Override
            public AgentConfig workflow(String org, String id) {
                return workflows.resolve(org, id, Optional.empty()).config();
            }
        });
        Tasks tasks = new Tasks(db, events, queue, steps, worker, agents, workflows, engine, providers, toolbox, files,
                attachments, new PassageRetrieval(embeddings), guard, webhooks.taskEnds(), box, ids, clock,
                config.syncWait(), config.ssePing(), metrics, tracing, config.mcp().allowLocal());

        // Agents as code: applied before the node serves, once even when several nodes start together.
        config.configDir().ifPresent(dir -> {
            int applied = db.exclusively(() -> AgentFiles.apply(dir, bootstrap.organizationId(), agents, workflows));
            log.info("Applied {} agent and workflow file(s) from {}", applied, dir);
        });
        Api api = new Api(routing, orgs::authenticate, config.maxBodyBytes(), metrics, tracing);
        PlatformRoutes.register(api, db, metrics);
        OrgRoutes.register(api, orgs);
        AgentRoutes.register(api, agents);
        WorkflowRoutes.register(api, workflows, ids);
        TaskRoutes.register(api, tasks.invokes(), tasks.tasks());
        StreamRoutes.register(api, tasks.invokes(), tasks.streams());
        ProviderRoutes.register(api, providers);
        FileRoutes.register(api, files, config.files().maxBytes());
        KnowledgeRoutes.register(api, knowledge.service(), config.files().maxBytes());
        WebhookRoutes.register(api, webhooks.service());
        api.finish();

        worker.start();
        WebServer server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                // Requests Helidon refuses before routing get the contract's JSON error body too.
                .directHandlers(Api.directHandlers())
                // No maxPayloadSize: Helidon would answer 413 itself with an empty body (or fail a chunked read
                // mid-handler). Call enforces SWITCHBOARD_MAX_BODY_BYTES and answers in the contract's JSON shape.
                .shutdownHook(false)
                // Events and chunks are small writes that must leave at once: with Nagle's algorithm each would wait
                // for the client's delayed ACK (about 40 ms on Linux).
                .connectionConfig(ConnectionConfig.builder().tcpNoDelay(true).build())
                .routing(routing)
                .build()
                .start();
        log.info("Switchboard listening on {}:{} (node {}, data in {})", config.host(), server.port(), config.nodeId(),
                config.dataDir().toAbsolutePath().normalize());
        return new App(config, db, worker, mcp, api, events, metrics, tracing, server, bootstrap.generatedKey());
    }

    private static Db opened(CompletableFuture<Db> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    public int port() { return server.port(); }

    /** The admin key generated on this start, if none existed: shown once, never stored in clear. */
    public Optional<String> generatedKey() { return generatedKey; }

    /**
     * A graceful stop (SIGTERM): new requests are answered 503 (readiness fails, so load balancers go elsewhere),
     * event streams end with a {@code reconnect} event, runs may finish within the grace period and the rest are
     * handed back to the queue for another node (or the next start) to resume; then the server and the database close.
     */
    @Override
    public void close() {
        log.info("Shutting down: no new work; runs have {} s to finish", config.shutdownGrace().toSeconds());
        api.drain();
        events.closeFollowers();
        worker.stop(config.shutdownGrace());
        server.stop();
        mcp.close();
        db.close();
        metrics.close();
        // The last spans are sent before the process exits.
        tracing.close();
    }
}
