package dev.switchboard.llm;

import java.util.Optional;

/**
 * How our reasoning-effort levels (low, medium, high, xhigh) map onto each provider's own control. One table, so
 * that a change of mapping is a change here only. A model without such a control gets nothing: sending it would be
 * rejected.
 */
final class Efforts {
    private Efforts() {}

    /** OpenAI's reasoning_effort, for the models that take one; it has no xhigh, so xhigh asks for high. */
    static Optional<String> openAi(String effort, String model) {
        if (effort == null || !openAiReasons(model)) return Optional.empty();
        return Optional.of(effort.equals("xhigh") ? "high" : effort);
    }

    /** Anthropic's extended-thinking budget in tokens, for the models that think. */
    static Optional<Integer> anthropicBudget(String effort, String model) {
        if (effort == null || !anthropicThinks(model)) return Optional.empty();
        return Optional.of(switch (effort) {
            case "low" -> 1024;
            case "medium" -> 4096;
            case "high" -> 16_384;
            default -> 32_768;
        });
    }

    /** Gemini's thinking budget in tokens, for the 2.5 and later models. */
    static Optional<Integer> geminiBudget(String effort, String model) {
        if (effort == null || !geminiThinks(model)) return Optional.empty();
        return Optional.of(switch (effort) {
            case "low" -> 1024;
            case "medium" -> 8192;
            case "high" -> 16_384;
            default -> 24_576;
        });
    }

    /** Ollama has an on/off switch: any effort turns thinking on. */
    static Optional<Boolean> ollamaThink(String effort) {
        return effort == null ? Optional.empty() : Optional.of(true);
    }

    static boolean openAiReasons(String model) {
        String m = model.toLowerCase();
        return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("gpt-5")
                || m.contains("/o1") || m.contains("/o3") || m.contains("/o4") || m.contains("/gpt-5");
    }

    static boolean anthropicThinks(String model) {
        String m = model.toLowerCase();
        return m.startsWith("claude-3-7") || m.matches("claude-(sonnet|opus|haiku)-4.*") || m.matches("claude-4.*");
    }

    static boolean geminiThinks(String model) {
        String m = model.toLowerCase();
        return m.startsWith("gemini-2.5") || m.startsWith("gemini-3");
    }
}
