package dev.switchboard.llm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PricesTest {
    @Test
    void datedAndVendorPrefixedNamesTakeTheirModelsPrice() {
        assertThat(Prices.of("openai", "gpt-4.1-2025-04-14")).contains(new Prices.Price(2.00, 8.00));
        assertThat(Prices.of("openai", "gpt-4.1-mini")).contains(new Prices.Price(0.40, 1.60));
        assertThat(Prices.of("open_router", "openai/gpt-4o-mini")).contains(new Prices.Price(0.15, 0.60));
        assertThat(Prices.of("anthropic", "claude-sonnet-4-5-20250929")).contains(new Prices.Price(3.00, 15.00));
    }

    @Test
    void localModelsAreFreeAndUnknownOnesHaveNoPrice() {
        assertThat(Prices.of("ollama", "llama3.2").orElseThrow().cost(1000, 1000)).isZero();
        assertThat(Prices.of("openai", "my-finetune")).isEmpty();
    }

    @Test
    void overridesWinByProviderAndModelThenByModel() {
        Prices prices = new Prices(java.util.Map.of("openai/gpt-4.1", new Prices.Price(1, 1), "custom", new Prices.Price(3, 3)));
        assertThat(prices.price("openai", "gpt-4.1")).contains(new Prices.Price(1, 1));
        assertThat(prices.price("azure_ai_foundary", "gpt-4.1")).contains(new Prices.Price(2.00, 8.00));
        assertThat(prices.price("local_vllm", "custom")).contains(new Prices.Price(3, 3));
    }

    @Test
    void answersStayTheSameWhenAskedAgainAndPastTheMemosBound() {
        for (int round = 0; round < 2; round++) {
            assertThat(Prices.of("openai", "GPT-4.1-2025-04-14")).contains(new Prices.Price(2.00, 8.00));
            assertThat(Prices.of("openai", "my-finetune")).isEmpty();
            assertThat(Prices.of("ollama", "gpt-4.1").orElseThrow().cost(1000, 1000)).isZero();
        }
        // More distinct names than the memo keeps: each still gets its own answer.
        for (int i = 0; i < 1_500; i++) {
            assertThat(Prices.of("openai", "gpt-4o-mini-" + i)).contains(new Prices.Price(0.15, 0.60));
            assertThat(Prices.of("openai", "unknown-" + i)).isEmpty();
        }
        assertThat(new Prices(java.util.Map.of()).price("anthropic", "claude-haiku-4-5")).contains(new Prices.Price(1.00, 5.00));
    }

    @Test
    void costIsPerMillionTokens() {
        assertThat(new Prices.Price(2.00, 8.00).cost(1_000_000, 500_000)).isCloseTo(6.0, within(1e-9));
    }
}
