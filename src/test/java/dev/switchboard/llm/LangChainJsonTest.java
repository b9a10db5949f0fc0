package dev.switchboard.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The tuning reaches into LangChain4j's internals: an upgrade that moves them must fail here, not slow calls quietly. */
class LangChainJsonTest {

    @Test
    void theOpenAiClientsMapperGetsBlackbird() throws Exception {
        assertThat(LangChainJson.tuneOpenAi()).isTrue();
        var field = Class.forName("dev.langchain4j.model.openai.internal.Json").getDeclaredField("OBJECT_MAPPER");
        field.setAccessible(true);
        assertThat(((ObjectMapper) field.get(null)).getRegisteredModuleIds())
                .anySatisfy(id -> assertThat(id.toString()).containsIgnoringCase("blackbird"));
    }
}
