package dev.switchboard.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The tuning reaches into LangChain4j's internals: an upgrade that moves them must fail here, not slow calls quietly. */
class LangChainJsonTest {

    @Test
    void theOpenAiClientsMapperGetsBlackbirdAndTheSharedBufferPool() throws Exception {
        assertThat(LangChainJson.tuneOpenAi()).isTrue();
        var field = Class.forName("dev.langchain4j.model.openai.internal.Json").getDeclaredField("OBJECT_MAPPER");
        field.setAccessible(true);
        ObjectMapper mapper = (ObjectMapper) field.get(null);
        assertThat(mapper.getRegisteredModuleIds())
                .anySatisfy(id -> assertThat(id.toString()).containsIgnoringCase("blackbird"));
        assertThat(mapper.getFactory()._getRecyclerPool())
                .isSameAs(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool());
    }
}
