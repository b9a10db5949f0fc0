package dev.switchboard.common;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {
    record Inner(String name, Integer size) {}

    record Document(String title, Integer count, boolean flag, Inner inner, JsonNode given, Map<String, Object> extra,
                    List<String> tags) {}

    @Test
    void aStoredDocumentLeavesOutItsNullFieldsAndReadsBackTheSame() {
        Map<String, Object> extra = new HashMap<>();
        extra.put("kept", null);
        JsonNode given = Json.tree("{\"schema\":null,\"type\":\"object\"}");
        Document doc = new Document(null, 3, false, new Inner("x", null), given, extra, List.of());

        String stored = Json.writeStored(doc);

        assertThat(stored).doesNotContain("\"title\"").doesNotContain("\"size\"")
                // What users gave is written as it came, nulls included; so are false and empty values.
                .contains("\"given\":{\"schema\":null,\"type\":\"object\"}").contains("\"extra\":{\"kept\":null}")
                .contains("\"flag\":false").contains("\"tags\":[]");
        assertThat(Json.read(stored, Document.class)).isEqualTo(doc);
        // The same document for clients keeps every field.
        assertThat(Json.write(doc)).contains("\"title\":null").contains("\"size\":null");
    }
}
