package dev.switchboard.llm;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speeds up the JSON of LangChain4j's OpenAI client, which parses every streamed chunk of every answer with a mapper
 * of its own (a package-private field). That mapper reads its builders through reflection, which in Java 21+ runs on
 * method handles that are not constants in Jackson's code: a slow path per field (the same we fixed for our own mapper
 * in {@code common/Json}). Blackbird generates the accessors instead. And its parse buffers come from one shared pool,
 * as ours do: Jackson's default pool keeps them per thread, and every run and model call has a thread of its own, so
 * each call allocated them anew (and a held run kept them while its model call waited). The mapper is reached by
 * reflection because LangChain4j offers no way to configure it; if a later version moves it, calls stay correct, only
 * slower (logged once).
 */
final class LangChainJson {
    private static final Logger log = LoggerFactory.getLogger(LangChainJson.class);
    private static final String OPENAI_JSON = "dev.langchain4j.model.openai.internal.Json";

    private LangChainJson() {}

    /**
     * Registers Blackbird on the OpenAI client's mapper and gives it the shared buffer pool (once, before the first
     * model call: class init); whether it could. Registering the same module twice is a no-op for Jackson.
     */
    static boolean tuneOpenAi() {
        try {
            var field = Class.forName(OPENAI_JSON).getDeclaredField("OBJECT_MAPPER");
            field.setAccessible(true);
            ObjectMapper mapper = (ObjectMapper) field.get(null);
            mapper.registerModule(new BlackbirdModule());
            mapper.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("LangChain4j's OpenAI JSON mapper was not tuned ({}); model calls work, with slower JSON", e.toString());
            return false;
        }
    }
}
