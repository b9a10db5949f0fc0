package dev.switchboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Ids;
import dev.switchboard.common.Json;
import dev.switchboard.common.Page;
import dev.switchboard.common.Times;
import dev.switchboard.llm.ProviderRegistry;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;
import dev.switchboard.tools.mcp.McpSecrets;
import dev.switchboard.tools.mcp.McpServers;
import dev.switchboard.workflows.WorkflowGraph;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/** Agents: create, edit the draft, deploy versions, and resolve the configuration an invoke runs. */
public final class AgentService {
    static final String SECRET_MASK = "***";

    private final AgentStore store;
    private final ProviderRegistry providers;
    private final Ids ids;
    private final Clock clock;
    private final Kind kind;
    // Workflows only: whether an agent of the organization exists, for agent nodes.
    private final BiPredicate<String, String> agentExists;
    // Whether agents may name local (stdio) MCP servers: they run commands on this host.
    private final boolean allowLocalMcp;

    /** The agents. */
    public AgentService(Db db, SecretBox box, ProviderRegistry providers, Ids ids, Clock clock, boolean allowLocalMcp) {
        this(db, box, providers, ids, clock, Kind.AGENT, (org, id) -> false, allowLocalMcp);
    }

    /** The agents or the workflows; a workflow's nodes may name agents that {@code agentExists} knows. */
    public AgentService(Db db, SecretBox box, ProviderRegistry providers, Ids ids, Clock clock, Kind kind,
                        BiPredicate<String, String> agentExists, boolean allowLocalMcp) {
        this.allowLocalMcp = allowLocalMcp;
        this.store = new AgentStore(db, box, kind);
        this.providers = providers;
        this.ids = ids;
        this.clock = clock;
        this.kind = kind;
        this.agentExists = agentExists;
    }

    public Kind kind() { return kind; }

    /** Creates an agent, deployed at once as version 1. */
    public Map<String, Object> create(String organizationId, AgentConfig config) {
        config = withDefaultModel(checkMcp(checkProvider(checkNodes(organizationId, config))));
        String now = Times.now(clock);
        var row = new AgentStore.Row(ids.next(), organizationId, 1, false, config, now, now);
        store.insert(row);
        return view(row);
    }

    public Map<String, Object> get(String organizationId, String id) {
        return view(find(organizationId, id));
    }

    public Page<Map<String, Object>> list(String organizationId, Page.Request page) {
        List<Map<String, Object>> items = store.list(organizationId, page.perPage(), page.offset()).stream()
                .map(this::view).toList();
        return Page.of(items, store.count(organizationId), page);
    }

    /** Applies the given fields to the draft; with deploy, publishes the result as the next version. */
    public Map<String, Object> update(String organizationId, String id, ObjectNode patch, boolean deploy) {
        AgentStore.Row current = find(organizationId, id);
        AgentConfig draft = current.draft();
        if (!patch.isEmpty()) {
            draft = checkMcp(checkProvider(checkNodes(organizationId, merge(draft, patch))));
        } else if (!deploy) {
            throw ApiException.invalidBody("At least one field is required", "missing");
        }
        if (!deploy && draft.equals(current.draft())) {
            return view(current);
        }
        // Deploying with nothing pending leaves the versions as they are.
        boolean publish = deploy && (current.hasPendingChanges() || !draft.equals(current.draft()));
        if (deploy && !publish) {
            return view(current);
        }
        return view(store.saveDraft(current, draft, publish, Times.now(clock)));
    }

    /**
     * Agents as code: the configuration becomes the deployed version of the agent of that name (created when there is
     * none; a new version only when something changed). Returns the agent's id.
     */
    public String applyByName(String organizationId, AgentConfig config) {
        Optional<AgentStore.Row> existing = store.findByName(organizationId, config.name());
        if (existing.isEmpty()) return (String) create(organizationId, config).get("id");
        AgentStore.Row row = existing.get();
        // Every field as the file says (absent ones at their defaults); a masked secret (an exported file) keeps the
        // stored one.
        ObjectNode whole = Json.MAPPER.valueToTree(config);
        AgentConfig wanted = withDefaultModel(checkMcp(checkProvider(checkNodes(organizationId, merge(row.draft(), whole)))));
        if (!wanted.equals(row.draft()) || row.hasPendingChanges()) {
            store.saveDraft(row, wanted, true, Times.now(clock));
        }
        return row.id();
    }

    /** The id of the agent of that name, if any (for workflow files that name their agents). */
    public Optional<String> idByName(String organizationId, String name) {
        return store.findByName(organizationId, name).map(AgentStore.Row::id);
    }

    /** The agent's draft as a file of agents as code: its configuration, secrets masked, without identity or state. */
    public Map<String, Object> exported(String organizationId, String id) {
        Map<String, Object> view = new LinkedHashMap<>(get(organizationId, id));
        for (String state : List.of("id", "organization_id", "type", "status", "version", "has_pending_changes",
                "created_at", "updated_at")) {
            view.remove(state);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", kind == Kind.WORKFLOW ? "workflow" : "agent");
        out.putAll(view);
        return out;
    }

    public void delete(String organizationId, String id) {
        if (!store.delete(organizationId, id)) {
            throw notFound();
        }
    }

    public List<Map<String, Object>> versions(String organizationId, String id) {
        AgentStore.Row row = find(organizationId, id);
        return store.versions(row.id()).stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", v.version());
            m.put("name", v.config().name());
            m.put("model_provider", v.config().modelProvider());
            m.put("model_name", v.config().modelName());
            m.put("is_latest", v.version() == row.deployedVersion());
            m.put("created_at", v.createdAt());
            return m;
        }).toList();
    }

    public Map<String, Object> version(String organizationId, String id, int version) {
        AgentStore.Row row = find(organizationId, id);
        AgentStore.VersionRow v = store.version(row.id(), version)
                .orElseThrow(() -> new ApiException.NotFound(kind.noun() + " version " + version + " not found"));
        Map<String, Object> m = view(new AgentStore.Row(row.id(), row.organizationId(), v.version(), false, v.config(),
                row.createdAt(), v.createdAt()));
        m.put("is_latest", v.version() == row.deployedVersion());
        return m;
    }

    /**
     * The configuration an invoke runs: the latest deployed version, a given version number, or the draft.
     * A version that is not a number or "draft" is the client's error (422); one that does not exist is 404.
     */
    public ResolvedAgent resolve(String organizationId, String id, Optional<String> version) {
        if (version.isPresent() && version.get().equals("draft")) {
            AgentStore.Row row = find(organizationId, id);
            return new ResolvedAgent(row.id(), "draft", row.draft(), kind == Kind.WORKFLOW);
        }
        int deployed = store.deployedVersion(organizationId, id).orElseThrow(this::notFound);
        if (version.isEmpty()) {
            return new ResolvedAgent(id, String.valueOf(deployed), store.version(id, deployed).orElseThrow().config(),
                    kind == Kind.WORKFLOW);
        }
        int n;
        try {
            n = Integer.parseInt(version.get());
        } catch (NumberFormatException e) {
            throw ApiException.invalidQuery("version", "version must be a version number or 'draft'");
        }
        AgentStore.VersionRow v = store.version(id, n)
                .orElseThrow(() -> new ApiException.NotFound(kind.noun() + " version " + n + " not found"));
        return new ResolvedAgent(id, String.valueOf(n), v.config(), kind == Kind.WORKFLOW);
    }

    /** True when the agent exists in this organization. */
    public boolean exists(String organizationId, String id) {
        return store.find(organizationId, id).isPresent();
    }

    private AgentStore.Row find(String organizationId, String id) {
        return store.find(organizationId, id).orElseThrow(this::notFound);
    }

    private ApiException.NotFound notFound() {
        return new ApiException.NotFound(kind.noun() + " not found");
    }

    private AgentConfig withDefaultModel(AgentConfig config) {
        if (config.modelProvider() != null) {
            return config.modelName() != null ? config
                    : config.withModel(config.modelProvider(), providers.defaultModelFor(config.modelProvider()));
        }
        ProviderRegistry.ModelChoice d = providers.defaultModel();
        return config.withModel(d.provider(), config.modelName() != null ? config.modelName() : d.model());
    }

    /**
     * A workflow's nodes must form a valid graph (every problem listed in one 422); an agent has none (they are what
     * makes a workflow).
     */
    private AgentConfig checkNodes(String organizationId, AgentConfig config) {
        if (kind == Kind.AGENT) {
            if (!config.orchestrationNodes().isEmpty()) {
                throw ApiException.invalidBody("orchestration_nodes belong to workflows: create one with POST /v1/workflows",
                        "not_allowed", "orchestration_nodes");
            }
            return config;
        }
        WorkflowGraph.read(Json.MAPPER.valueToTree(config.orchestrationNodes()), new WorkflowGraph.Assets() {
            @Override public boolean agentExists(String id) { return agentExists.test(organizationId, id); }

            @Override public boolean workflowExists(String id) { return exists(organizationId, id); }
        });
        return config;
    }

    /** Every MCP server well formed, and local ones only where the operator allows them (one 422 for all problems). */
    private AgentConfig checkMcp(AgentConfig config) {
        McpServers.readOrThrow(config.mcpServers(), "mcp_servers", allowLocalMcp);
        return config;
    }

    private AgentConfig checkProvider(AgentConfig config) {
        if (config.modelProvider() != null && !providers.isKnown(config.modelProvider())) {
            throw ApiException.invalidBody("Unknown model provider '" + config.modelProvider() + "'; known: "
                    + String.join(", ", ProviderRegistry.KNOWN), "value_error", "model_provider");
        }
        return config;
    }

    /** The draft with the patch's fields laid over it; a masked secret in the patch keeps the stored one. */
    static AgentConfig merge(AgentConfig draft, ObjectNode patch) {
        ObjectNode merged = Json.MAPPER.valueToTree(draft);
        patch.fields().forEachRemaining(e -> {
            String field = e.getKey();
            JsonNode value = e.getValue();
            if (field.equals("webhook_secret") && SECRET_MASK.equals(value.asText(null))) {
                return;
            }
            if (field.equals("llm_extra_headers") && value.isObject() && merged.get(field) instanceof ObjectNode old) {
                ObjectNode headers = ((ObjectNode) value).deepCopy();
                headers.fields().forEachRemaining(h -> {
                    if (SECRET_MASK.equals(h.getValue().asText(null)) && old.has(h.getKey())) {
                        headers.set(h.getKey(), old.get(h.getKey()));
                    }
                });
                merged.set(field, headers);
                return;
            }
            if (field.equals("mcp_servers") && value.isArray()) {
                List<JsonNode> updated = new java.util.ArrayList<>();
                value.forEach(updated::add);
                merged.set(field, Json.MAPPER.valueToTree(McpSecrets.keepMasked(updated, draft.mcpServers())));
                return;
            }
            merged.set(field, value);
        });
        return Json.bind(merged, AgentConfig.class);
    }

    /** The agent as the API shows it: its configuration with secrets masked, plus identity and version state. */
    Map<String, Object> view(AgentStore.Row row) {
        ObjectNode config = Json.MAPPER.valueToTree(row.draft());
        if (row.draft().webhookSecret() != null) {
            config.put("webhook_secret", SECRET_MASK);
        }
        if (config.get("llm_extra_headers") instanceof ObjectNode headers) {
            headers.fieldNames().forEachRemaining(h -> headers.put(h, SECRET_MASK));
        }
        config.set("mcp_servers", Json.MAPPER.valueToTree(McpSecrets.masked(row.draft().mcpServers())));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", row.id());
        m.put("organization_id", row.organizationId());
        config.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        m.put("type", kind.wireType());
        m.put("status", "ACTIVE");
        m.put("version", row.deployedVersion());
        m.put("has_pending_changes", row.hasPendingChanges());
        m.put("created_at", row.createdAt());
        m.put("updated_at", row.updatedAt());
        return m;
    }
}
