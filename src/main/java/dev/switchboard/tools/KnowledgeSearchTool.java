package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.llm.ToolSpec;

import java.util.List;

/** {@code search_knowledge_base}: the model searches the agent's {@code agentic_rag} knowledge bases itself. */
public record KnowledgeSearchTool(KnowledgeSearch search, String organizationId, List<String> knowledgeBaseIds) implements Tool {
    public static final String NAME = "search_knowledge_base";
    private static final int DEFAULT_TOP_K = 5;
    private static final int MAX_TOP_K = 20;

    @Override
    public ToolSpec spec() {
        return new ToolSpec(NAME, "Search the agent's knowledge bases for passages relevant to a query (semantic search). "
                + "Use it for facts the knowledge bases may hold; ask in plain words.",
                Json.tree("""
                        {"type":"object","properties":{
                          "query":{"type":"string","description":"What to look for, in plain words"},
                          "top_k":{"type":"integer","description":"How many passages (1 to 20, default 5)"}},
                         "required":["query"]}"""));
    }

    @Override
    public String call(JsonNode arguments) throws ToolError {
        String query = arguments.path("query").asText("");
        if (query.isBlank()) throw new ToolError("Give a query to search for");
        int k = arguments.path("top_k").asInt(DEFAULT_TOP_K);
        if (k < 1 || k > MAX_TOP_K) throw new ToolError("top_k is 1 to " + MAX_TOP_K);
        return KnowledgeSearch.format(search.search(organizationId, knowledgeBaseIds, query, k));
    }
}
