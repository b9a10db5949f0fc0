package dev.switchboard.llm;

/**
 * Which models take a reasoning-effort control, and how our four levels map onto it. Models without one ignore
 * the setting: sending it would be rejected by the provider.
 */
final class ReasoningModels {
    private ReasoningModels() {}

    static boolean takesEffort(String model) {
        String m = model.toLowerCase();
        return m.startsWith("o1") || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("gpt-5");
    }

    /** OpenAI has low, medium and high; our xhigh asks for its highest. */
    static String openAiEffort(String effort) {
        return "xhigh".equals(effort) ? "high" : effort;
    }
}
