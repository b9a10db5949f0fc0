package dev.switchboard.tools;

import java.util.List;

/**
 * Semantic search over an organization's knowledge bases, as runs use it: the knowledge feature provides it, the
 * {@code search_knowledge_base} tool and the prompt's retrieval ({@code vanilla}) call it.
 */
public interface KnowledgeSearch {
    /** A passage found, with its similarity to the query (cosine, -1 to 1). */
    record Hit(String content, double score, String documentId, String documentName) {}

    /** The {@code topK} best passages across the given knowledge bases; ids the organization does not have are skipped. */
    List<Hit> search(String organizationId, List<String> knowledgeBaseIds, String query, int topK);

    /** Passages as the model reads them: numbered, each with its document. */
    static String format(List<Hit> hits) {
        if (hits.isEmpty()) return "No passage found.";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hits.size(); i++) {
            Hit h = hits.get(i);
            if (i > 0) sb.append("\n\n");
            sb.append('[').append(i + 1).append("] (document: ").append(h.documentName()).append(")\n").append(h.content());
        }
        return sb.toString();
    }
}
