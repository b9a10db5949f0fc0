package dev.switchboard.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads SWITCHBOARD_PROVIDERS_FILE (YAML or JSON): extra OpenAI-compatible providers, each
 * {@code {kind: openai_compatible, base_url, api_key_env, models, allow_any_model, default_model}}, under
 * {@code providers:} as a map by name or a list with {@code name}. Any problem stops start-up naming the file and field.
 */
final class ProvidersFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ProvidersFile() {}

    static List<ProviderSettings> read(Path file, Function<String, Optional<String>> env) {
        JsonNode root = root(file);
        JsonNode providers = root == null ? null : root.get("providers");
        if (providers == null || !(providers.isObject() || providers.isArray())) {
            throw problem(file, "providers", "must be a map of providers by name, or a list");
        }
        List<ProviderSettings> out = new ArrayList<>();
        if (providers.isObject()) {
            providers.fields().forEachRemaining(e -> out.add(one(file, e.getKey(), e.getValue(), env)));
        } else {
            int i = 0;
            for (JsonNode p : providers) {
                String name = p.path("name").asText("");
                if (name.isBlank()) throw problem(file, "providers[" + i + "].name", "is required");
                out.add(one(file, name, p, env));
                i++;
            }
        }
        return out;
    }

    /**
     * Price overrides: {@code prices: {"openai/gpt-4.1": {input_per_million: 2, output_per_million: 8}}}, keyed by
     * provider/model or by model name alone (any provider).
     */
    static Map<String, Config.ModelPrice> prices(Path file) {
        JsonNode prices = root(file) == null ? null : root(file).get("prices");
        if (prices == null || prices.isNull()) return Map.of();
        if (!prices.isObject()) throw problem(file, "prices", "must be a map of model to prices");
        Map<String, Config.ModelPrice> out = new java.util.HashMap<>();
        prices.fields().forEachRemaining(e -> {
            JsonNode in = e.getValue().path("input_per_million");
            JsonNode outTokens = e.getValue().path("output_per_million");
            if (!in.isNumber() || !outTokens.isNumber() || in.asDouble() < 0 || outTokens.asDouble() < 0) {
                throw problem(file, "prices." + e.getKey(), "needs input_per_million and output_per_million, numbers of 0 or more");
            }
            out.put(e.getKey(), new Config.ModelPrice(in.asDouble(), outTokens.asDouble()));
        });
        return Map.copyOf(out);
    }

    private static JsonNode root(Path file) {
        try {
            return YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("SWITCHBOARD_PROVIDERS_FILE " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static ProviderSettings one(Path file, String name, JsonNode p, Function<String, Optional<String>> env) {
        String at = "providers." + name;
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) throw problem(file, at, "a provider name is 1 to 64 of A-Z a-z 0-9 _ . -");
        String kind = p.path("kind").asText("openai_compatible");
        if (!kind.equals("openai_compatible")) throw problem(file, at + ".kind", "only openai_compatible is supported, got '" + kind + "'");
        String base = p.path("base_url").asText("");
        if (!(base.startsWith("http://") || base.startsWith("https://"))) throw problem(file, at + ".base_url", "must be an http(s) URL");
        Optional<String> key = Optional.empty();
        if (p.hasNonNull("api_key_env")) {
            String var = p.get("api_key_env").asText();
            key = env.apply(var);
            if (key.isEmpty()) throw problem(file, at + ".api_key_env", "names " + var + ", which is not set");
        }
        Optional<List<String>> models = Optional.empty();
        if (p.has("models")) {
            if (!p.get("models").isArray()) throw problem(file, at + ".models", "must be a list of model names");
            List<String> ids = new ArrayList<>();
            p.get("models").forEach(m -> ids.add(m.isObject() ? m.path("id").asText() : m.asText()));
            models = Optional.of(List.copyOf(ids));
        }
        JsonNode any = p.path("allow_any_model");
        if (!any.isMissingNode() && !any.isBoolean()) throw problem(file, at + ".allow_any_model", "must be true or false");
        Optional<String> defaultModel = p.hasNonNull("default_model") ? Optional.of(p.get("default_model").asText()) : Optional.empty();
        return new ProviderSettings(name, ProviderSettings.Kind.OPENAI_COMPATIBLE, base, key, Map.of(), models,
                any.asBoolean(false), defaultModel);
    }

    private static IllegalArgumentException problem(Path file, String field, String message) {
        return new IllegalArgumentException("SWITCHBOARD_PROVIDERS_FILE " + file + ": " + field + " " + message);
    }
}
