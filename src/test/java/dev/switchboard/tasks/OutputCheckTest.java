package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputCheckTest {
    private static final JsonNode SCHEMA = Json.tree("""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},
             "required":["name","age"],"additionalProperties":false}""");

    @Test
    void aValidAnswerPasses() {
        var r = OutputCheck.check("{\"name\":\"Ada\",\"age\":36}", SCHEMA);
        assertThat(r.valid()).isTrue();
        assertThat(r.value().orElseThrow().path("age").asInt()).isEqualTo(36);
    }

    @Test
    void aFencedAnswerIsReadInsideItsFence() {
        assertThat(OutputCheck.check("```json\n{\"name\":\"Ada\",\"age\":36}\n```", SCHEMA).valid()).isTrue();
    }

    @Test
    void schemaViolationsAreListed() {
        var r = OutputCheck.check("{\"name\":\"Ada\",\"age\":-1,\"extra\":true}", SCHEMA);
        assertThat(r.valid()).isFalse();
        assertThat(r.errors()).hasSize(2);
        assertThat(String.join(" ", r.errors())).contains("age").contains("extra");
    }

    @Test
    void textThatIsNotJsonIsReported() {
        var r = OutputCheck.check("Sure! Here is the person: Ada, 36", SCHEMA);
        assertThat(r.valid()).isFalse();
        assertThat(r.errors().getFirst()).startsWith("The answer is not valid JSON");
    }

    @Test
    void jsonFollowedByProseIsNotAJsonAnswer() {
        OutputCheck.Result r = OutputCheck.check("{\"a\":1} and that is my answer", null);
        assertThat(r.valid()).isFalse();
        assertThat(r.errors().getFirst()).startsWith("The answer is not valid JSON");
    }

    @Test
    void theSchemasOwnDraftIsHonoured() {
        JsonNode draft7 = Json.tree("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"array\",\"items\":{\"type\":\"number\"}}");
        assertThat(OutputCheck.check("[1, 2.5]", draft7).valid()).isTrue();
        assertThat(OutputCheck.check("[1, \"x\"]", draft7).valid()).isFalse();
    }
}
