package dev.switchboard.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a model can take, known before calling it: its context window in tokens, whether it takes images, and how
 * many tokens a prompt is. Token counts use OpenAI's o200k encoding for every provider: exact for OpenAI's current
 * models, an estimate within about 10–20 % for the others, which is what deciding "does it fit" needs.
 */
public final class ModelLimits {
    /** When a model is unknown: the smallest window of the current mainstream models. */
    public static final int DEFAULT_CONTEXT = 128_000;
    // Tokens kept free for the answer when deciding whether a prompt fits.
    public static final int ANSWER_RESERVE = 4_096;
    // What an image costs in the prompt, about (OpenAI: 85 + 170 per 512 px tile; a typical picture is 4–6 tiles).
    public static final int TOKENS_PER_IMAGE = 1_000;

    // Model name prefixes (lower case), longest first where they overlap.
    private static final List<Map.Entry<String, Integer>> WINDOWS = List.of(
            Map.entry("gpt-4.1", 1_047_576), Map.entry("gpt-5", 400_000), Map.entry("gpt-4o", 128_000),
            Map.entry("gpt-4-turbo", 128_000), Map.entry("gpt-4", 8_192), Map.entry("gpt-3.5", 16_385),
            Map.entry("o1-mini", 128_000), Map.entry("o1", 200_000), Map.entry("o3", 200_000), Map.entry("o4", 200_000),
            Map.entry("claude", 200_000), Map.entry("gemini-1.5-pro", 2_097_152), Map.entry("gemini", 1_048_576),
            Map.entry("llama3.2", 128_000), Map.entry("llama3.1", 128_000), Map.entry("llama3", 8_192),
            Map.entry("qwen3", 40_960), Map.entry("mistral", 32_768), Map.entry("gpt-oss", 131_072));
    private static final List<String> VISION = List.of("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "gpt-4-turbo",
            "claude-3", "claude-sonnet", "claude-opus", "claude-haiku", "gemini", "llava", "llama3.2-vision", "pixtral");

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private ModelLimits() {}

    public static int contextWindow(String model) {
        String m = bare(model);
        for (var e : WINDOWS) {
            if (m.startsWith(e.getKey())) return e.getValue();
        }
        return DEFAULT_CONTEXT;
    }

    public static boolean takesImages(String model) {
        String m = bare(model);
        return VISION.stream().anyMatch(m::startsWith);
    }

    public static int tokens(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** The prompt's size: each message's text, a few tokens of framing per message, and each image. */
    public static int tokens(List<ChatTurn> messages) {
        int total = 0;
        for (ChatTurn t : messages) {
            total += 4;
            total += switch (t) {
                case ChatTurn.System s -> tokens(s.text());
                case ChatTurn.User u -> tokens(u.text()) + u.images().size() * TOKENS_PER_IMAGE;
                case ChatTurn.Assistant a -> tokens(a.text());
                case ChatTurn.ToolResult r -> tokens(r.content());
            };
        }
        return total;
    }

    /** The model's own name: providers and routers prefix it ({@code openai/gpt-4o}, {@code anthropic.claude-…}). */
    private static String bare(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) m = m.substring(slash + 1);
        if (m.startsWith("anthropic.")) m = m.substring("anthropic.".length());
        return m;
    }
}
