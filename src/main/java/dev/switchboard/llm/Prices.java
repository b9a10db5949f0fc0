package dev.switchboard.llm;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What models cost, in US dollars per million tokens, for usage reports and max_cost_usd. A dated model name
 * (gpt-4.1-2025-04-14) takes the price of its longest listed prefix. Local models (Ollama) cost nothing; a model
 * not listed has no known cost.
 */
public final class Prices {

    public record Price(double inputPerMillion, double outputPerMillion) {
        public double cost(int inputTokens, int outputTokens) {
            return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1_000_000.0;
        }
    }

    private static final Map<String, Price> BUILT_IN = Map.ofEntries(
            Map.entry("gpt-4.1", new Price(2.00, 8.00)), Map.entry("gpt-4.1-mini", new Price(0.40, 1.60)),
            Map.entry("gpt-4.1-nano", new Price(0.10, 0.40)), Map.entry("gpt-4o", new Price(2.50, 10.00)),
            Map.entry("gpt-4o-mini", new Price(0.15, 0.60)), Map.entry("gpt-5", new Price(1.25, 10.00)),
            Map.entry("gpt-5-mini", new Price(0.25, 2.00)), Map.entry("gpt-5-nano", new Price(0.05, 0.40)),
            Map.entry("o3", new Price(2.00, 8.00)), Map.entry("o3-mini", new Price(1.10, 4.40)),
            Map.entry("o4-mini", new Price(1.10, 4.40)),
            Map.entry("claude-opus-4", new Price(15.00, 75.00)), Map.entry("claude-sonnet-4", new Price(3.00, 15.00)),
            Map.entry("claude-haiku-4", new Price(1.00, 5.00)), Map.entry("claude-3-7-sonnet", new Price(3.00, 15.00)),
            Map.entry("claude-3-5-haiku", new Price(0.80, 4.00)),
            Map.entry("gemini-2.5-pro", new Price(1.25, 10.00)), Map.entry("gemini-2.5-flash", new Price(0.30, 2.50)),
            Map.entry("gemini-2.5-flash-lite", new Price(0.10, 0.40)), Map.entry("gemini-2.0-flash", new Price(0.10, 0.40)));

    private static final Price FREE = new Price(0, 0);
    // Prices found per model name (see of()); model names come from requests, so it stops growing at a bound.
    private static final int MAX_REMEMBERED = 1_000;
    private static final ConcurrentHashMap<String, Optional<Price>> BY_MODEL_NAME = new ConcurrentHashMap<>();

    private final Map<String, Price> overrides;

    /** Prices with the providers file's overrides, keyed "provider/model" or by model alone. */
    public Prices(Map<String, Price> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    /** What a model costs: an override first, then the built-in table. */
    public Optional<Price> price(String provider, String model) {
        if (overrides.isEmpty()) return of(provider, model);
        Price exact = overrides.get(provider + "/" + model);
        if (exact != null) return Optional.of(exact);
        Price byModel = overrides.get(model);
        if (byModel != null) return Optional.of(byModel);
        return of(provider, model);
    }

    public static Optional<Price> of(String provider, String model) {
        if ("ollama".equals(provider)) return Optional.of(FREE);
        // Asked at the end of every model call: the search below (a lower-cased copy, a pass over the table) was 3-4 %
        // of a held run's completion.
        Optional<Price> known = BY_MODEL_NAME.get(model);
        if (known != null) return known;
        Optional<Price> found = search(model);
        if (BY_MODEL_NAME.size() < MAX_REMEMBERED) BY_MODEL_NAME.put(model, found);
        return found;
    }

    private static Optional<Price> search(String model) {
        String m = model.toLowerCase();
        // OpenRouter and Bedrock prefix the vendor: openai/gpt-4.1, anthropic.claude-…
        int slash = Math.max(m.lastIndexOf('/'), m.indexOf("anthropic.") == 0 ? "anthropic.".length() - 1 : -1);
        String bare = slash >= 0 ? m.substring(slash + 1) : m;
        return BUILT_IN.entrySet().stream()
                .filter(e -> bare.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(Map.Entry::getValue);
    }
}
