package dev.switchboard.llm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The effort table: each of our levels onto each provider's control, and nothing for models without one. */
class EffortsTest {

    @ParameterizedTest
    @CsvSource({
            "low,o4-mini,low", "medium,o3,medium", "high,gpt-5,high", "xhigh,gpt-5-mini,high",
            "high,gpt-4.1,", "low,gpt-4o,"})
    void openAi(String effort, String model, String expected) {
        assertThat(Efforts.openAi(effort, model)).isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest
    @CsvSource({
            "low,claude-sonnet-4-5,1024", "medium,claude-opus-4-1,4096", "high,claude-3-7-sonnet-latest,16384",
            "xhigh,claude-haiku-4-5,32768", "high,claude-3-5-haiku-latest,"})
    void anthropic(String effort, String model, Integer expected) {
        assertThat(Efforts.anthropicBudget(effort, model)).isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest
    @CsvSource({"low,gemini-2.5-flash,1024", "medium,gemini-2.5-pro,8192", "high,gemini-2.5-flash,16384",
            "xhigh,gemini-2.5-pro,24576", "high,gemini-2.0-flash,"})
    void gemini(String effort, String model, Integer expected) {
        assertThat(Efforts.geminiBudget(effort, model)).isEqualTo(Optional.ofNullable(expected));
    }

    @ParameterizedTest
    @CsvSource({"low,true", "xhigh,true"})
    void ollama(String effort, boolean expected) {
        assertThat(Efforts.ollamaThink(effort)).contains(expected);
        assertThat(Efforts.ollamaThink(null)).isEmpty();
    }
}
