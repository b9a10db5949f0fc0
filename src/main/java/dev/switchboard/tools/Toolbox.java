package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.net.NetworkGuard;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which tools a run gets. Built-in tools are attached to an agent by id in {@code attached_tools}
 * ({@code [{"id":"current_time"}, {"id":"http_fetch"}]}); an agent with none is sent no tools at all.
 */
public final class Toolbox {
    private final Map<String, Tool> builtIns = new LinkedHashMap<>();
    private final KnowledgeSearch knowledge;

    public Toolbox(NetworkGuard guard, KnowledgeSearch knowledge, Clock clock) {
        builtIns.put(CurrentTimeTool.NAME, new CurrentTimeTool(clock));
        builtIns.put(HttpFetchTool.NAME, new HttpFetchTool(guard));
        this.knowledge = knowledge;
    }

    /**
     * A run's tools: those named by its agent's attached_tools, and {@code search_knowledge_base} over the agent's
     * knowledge bases whose strategy is {@code agentic_rag}, if any.
     */
    public List<Tool> forRun(String organizationId, List<JsonNode> attachedTools, List<String> agenticKnowledgeBases) {
        List<Tool> out = forAgent(attachedTools);
        if (!agenticKnowledgeBases.isEmpty()) {
            out.add(new KnowledgeSearchTool(knowledge, organizationId, List.copyOf(agenticKnowledgeBases)));
        }
        return out;
    }

    public KnowledgeSearch knowledge() { return knowledge; }

    /** The tools named by an agent's attached_tools, in order; unknown ids are ignored (they belong to later features). */
    public List<Tool> forAgent(List<JsonNode> attachedTools) {
        List<Tool> out = new ArrayList<>();
        for (JsonNode t : attachedTools) {
            String id = t.isTextual() ? t.asText() : t.path("id").asText("");
            Tool tool = builtIns.get(id);
            if (tool != null && !out.contains(tool)) out.add(tool);
        }
        return out;
    }

    public Optional<Tool> builtIn(String name) {
        return Optional.ofNullable(builtIns.get(name));
    }
}
