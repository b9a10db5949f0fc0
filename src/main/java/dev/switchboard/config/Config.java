package dev.switchboard.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every setting of a node, read once from the environment at start. An invalid value stops start-up with a message
 * naming the variable; nothing else reads the environment.
 */
public record Config(
        Optional<dev.switchboard.storage.PostgresUrl> databaseUrl,
        int databasePoolSize,
        String host,
        int port,
        Path dataDir,
        Optional<String> bootstrapApiKey,
        Optional<String> secretKey,
        String nodeId,
        int maxConcurrentRuns,
        Duration syncWait,
        Duration lease,
        Duration shutdownGrace,
        Duration ssePing,
        long maxBodyBytes,
        boolean allowPrivateNetwork,
        Optional<String> defaultModel,
        Optional<String> embeddingModel,
        Providers providers,
        Webhooks webhooks,
        Files files,
        Mcp mcp,
        String logFormat,
        Optional<Path> configDir,
        Map<String, String> otel) {

    /**
     * MCP servers: whether local (stdio) ones may run commands on this host; how long connecting (initialize) may
     * take, and how long listing tools or one tool call may take.
     */
    public record Mcp(boolean allowLocal, Duration connectTimeout, Duration callTimeout) {}

    /** Attached and uploaded files: the largest accepted, and how long fetching one may take. */
    public record Files(long maxBytes, Duration fetchTimeout) {}

    /**
     * How webhooks are delivered: the delays between attempts (jitter is added to each), the time one attempt may
     * take, and after how many deliveries in a row that finally failed an endpoint is disabled.
     */
    public record Webhooks(List<Duration> retrySchedule, Duration timeout, int disableAfterFailures) {
        // About 24 h in all; the first retry within 10 s (CONTRACT §7).
        public static final String DEFAULT_SCHEDULE = "5s,30s,2m,10m,30m,1h,2h,4h,8h,8h";
    }

    /**
     * The model providers configured by environment (each present when its settings are), the providers file, and
     * how model calls are retried.
     */
    public record Providers(List<ProviderSettings> configured, Optional<Path> file, int retries, Duration retryBase,
                            Map<String, ModelPrice> prices) {}

    /** A model's price in US dollars per million tokens, as the providers file may set it. */
    public record ModelPrice(double inputPerMillion, double outputPerMillion) {}

    public static Config fromEnv(Map<String, String> env) {
        Reader r = new Reader(env);
        Config config = new Config(
                r.text("SWITCHBOARD_DATABASE_URL").map(dev.switchboard.storage.PostgresUrl::parse),
                r.integer("SWITCHBOARD_DATABASE_POOL_SIZE", 10, 1, 1000),
                r.text("SWITCHBOARD_HOST").orElse("0.0.0.0"),
                r.integer("SWITCHBOARD_PORT", 8080, 0, 65535),
                Path.of(r.text("SWITCHBOARD_DATA_DIR").orElse("./data")),
                r.text("SWITCHBOARD_API_KEY"),
                r.text("SWITCHBOARD_SECRET_KEY"),
                r.text("SWITCHBOARD_NODE_ID").orElseGet(Config::defaultNodeId),
                r.integer("SWITCHBOARD_MAX_CONCURRENT_RUNS", 1000, 1, 1_000_000),
                Duration.ofSeconds(r.integer("SWITCHBOARD_SYNC_WAIT_SECONDS", 600, 0, 86_400)),
                Duration.ofSeconds(r.integer("SWITCHBOARD_LEASE_SECONDS", 20, 3, 3600)),
                Duration.ofSeconds(r.integer("SWITCHBOARD_SHUTDOWN_GRACE_SECONDS", 20, 0, 3600)),
                Duration.ofSeconds(r.integer("SWITCHBOARD_SSE_PING_SECONDS", 15, 1, 3600)),
                r.integer("SWITCHBOARD_MAX_BODY_BYTES", 10 * 1024 * 1024, 1024, Integer.MAX_VALUE),
                r.bool("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", false),
                r.text("SWITCHBOARD_DEFAULT_MODEL"),
                embeddingModel(r.text("SWITCHBOARD_EMBEDDING_MODEL")),
                new Providers(providers(r), r.text("SWITCHBOARD_PROVIDERS_FILE").map(Path::of),
                        r.integer("SWITCHBOARD_MODEL_RETRIES", 3, 0, 10),
                        Duration.ofMillis(r.integer("SWITCHBOARD_MODEL_RETRY_BASE_MS", 1000, 1, 60_000)),
                        r.text("SWITCHBOARD_PROVIDERS_FILE").map(f -> ProvidersFile.prices(Path.of(f))).orElse(Map.of())),
                new Webhooks(durations("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE",
                        r.text("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE").orElse(Webhooks.DEFAULT_SCHEDULE)),
                        Duration.ofSeconds(r.integer("SWITCHBOARD_WEBHOOK_TIMEOUT_SECONDS", 15, 1, 300)),
                        r.integer("SWITCHBOARD_WEBHOOK_DISABLE_AFTER", 5, 1, 1_000_000)),
                new Files(r.integer("SWITCHBOARD_MAX_FILE_BYTES", 50 * 1024 * 1024, 1024, Integer.MAX_VALUE),
                        Duration.ofSeconds(r.integer("SWITCHBOARD_FILE_FETCH_TIMEOUT_SECONDS", 60, 1, 3600))),
                new Mcp(r.bool("SWITCHBOARD_ALLOW_LOCAL_MCP", false),
                        Duration.ofSeconds(r.integer("SWITCHBOARD_MCP_CONNECT_TIMEOUT_SECONDS", 10, 1, 600)),
                        Duration.ofSeconds(r.integer("SWITCHBOARD_MCP_CALL_TIMEOUT_SECONDS", 60, 1, 3600))),
                logFormat(r.text("SWITCHBOARD_LOG_FORMAT")),
                r.text("SWITCHBOARD_CONFIG_DIR").map(Path::of),
                otel(env));
        r.rejectUnknown();
        return config;
    }

    /** OpenTelemetry's standard variables that tracing reads (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, …). */
    private static Map<String, String> otel(Map<String, String> env) {
        Map<String, String> out = new java.util.TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) out.put(k, v);
        });
        String delay = out.get("OTEL_BSP_SCHEDULE_DELAY");
        if (delay != null && !delay.matches("\\d{1,7}")) {
            throw new IllegalArgumentException("OTEL_BSP_SCHEDULE_DELAY must be a number of milliseconds, got '" + delay + "'");
        }
        return Map.copyOf(out);
    }

    /** {@code text} (one readable line per event, the default) or {@code json} (one JSON object per line). */
    private static String logFormat(Optional<String> v) {
        String f = v.orElse("text").toLowerCase(java.util.Locale.ROOT);
        if (!f.equals("text") && !f.equals("json")) {
            throw new IllegalArgumentException("SWITCHBOARD_LOG_FORMAT must be 'text' or 'json', got '" + v.get() + "'");
        }
        return f;
    }

    /** {@code local} (or unset): the in-process model; else {@code <provider>/<model>} of a configured provider. */
    static Optional<String> embeddingModel(Optional<String> value) {
        if (value.isEmpty() || value.get().equals("local")) return Optional.empty();
        String v = value.get();
        int slash = v.indexOf('/');
        if (slash <= 0 || slash == v.length() - 1) {
            throw new IllegalArgumentException("SWITCHBOARD_EMBEDDING_MODEL must be 'local' or '<provider>/<model>' "
                    + "(e.g. openai/text-embedding-3-small), got '" + v + "'");
        }
        return value;
    }

    /** A comma-separated list of durations such as {@code 500ms,5s,2m,1h}. */
    static List<Duration> durations(String name, String text) {
        List<Duration> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (p.isEmpty()) continue;
            try {
                Duration d;
                if (p.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(p.substring(0, p.length() - 2)));
                else if (p.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(p.substring(0, p.length() - 1)));
                else if (p.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(p.substring(0, p.length() - 1)));
                else if (p.endsWith("h")) d = Duration.ofHours(Long.parseLong(p.substring(0, p.length() - 1)));
                else throw new NumberFormatException();
                if (d.isNegative()) throw new NumberFormatException();
                out.add(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be durations such as 5s,30s,2m,1h separated by commas, got '"
                        + part.trim() + "'");
            }
        }
        return List.copyOf(out);
    }

    /** Each provider of the contract whose settings are present in the environment. */
    private static List<ProviderSettings> providers(Reader r) {
        List<ProviderSettings> out = new ArrayList<>();
        Optional<String> openAiKey = r.text("OPENAI_API_KEY");
        Optional<String> openAiBase = r.text("OPENAI_BASE_URL");
        if (openAiKey.isPresent() || openAiBase.isPresent()) {
            // A custom base URL is any OpenAI-compatible server, which names its own models.
            out.add(new ProviderSettings("openai", ProviderSettings.Kind.OPENAI_COMPATIBLE,
                    openAiBase.orElse("https://api.openai.com/v1"), openAiKey, Map.of(), Optional.empty(), false, Optional.empty()));
        }
        Optional<String> anthropicKey = r.text("ANTHROPIC_API_KEY");
        Optional<String> anthropicBase = r.text("ANTHROPIC_BASE_URL");
        if (anthropicKey.isPresent() || anthropicBase.isPresent()) {
            out.add(new ProviderSettings("anthropic", ProviderSettings.Kind.ANTHROPIC,
                    anthropicBase.orElse("https://api.anthropic.com/v1"), anthropicKey, Map.of(), Optional.empty(), false, Optional.empty()));
        }
        Optional<String> geminiKey = r.text("GEMINI_API_KEY").or(() -> r.text("GOOGLE_API_KEY"));
        Optional<String> geminiBase = r.text("GEMINI_BASE_URL");
        if (geminiKey.isPresent() || geminiBase.isPresent()) {
            out.add(new ProviderSettings("gemini", ProviderSettings.Kind.GEMINI,
                    geminiBase.orElse("https://generativelanguage.googleapis.com/v1beta"), geminiKey, Map.of(), Optional.empty(), false, Optional.empty()));
        }
        r.text("OLLAMA_BASE_URL").ifPresent(base -> out.add(new ProviderSettings("ollama", ProviderSettings.Kind.OLLAMA,
                base, Optional.empty(), Map.of(), Optional.empty(), false, Optional.empty())));
        Optional<String> routerKey = r.text("OPENROUTER_API_KEY");
        if (routerKey.isPresent()) {
            out.add(new ProviderSettings("open_router", ProviderSettings.Kind.OPENAI_COMPATIBLE,
                    r.text("OPENROUTER_BASE_URL").orElse("https://openrouter.ai/api/v1"), routerKey, Map.of(),
                    Optional.empty(), false, Optional.empty()));
        }
        Optional<String> azureKey = r.text("AZURE_OPENAI_API_KEY");
        Optional<String> azureEndpoint = r.text("AZURE_OPENAI_ENDPOINT");
        if (azureKey.isPresent() && azureEndpoint.isPresent()) {
            // Azure OpenAI's v1 API speaks the OpenAI protocol; the key goes in the api-key header.
            String base = azureEndpoint.get().replaceAll("/+$", "") + "/openai/v1";
            out.add(new ProviderSettings("azure_ai_foundary", ProviderSettings.Kind.OPENAI_COMPATIBLE, base, azureKey,
                    Map.of("api-key", azureKey.get()), r.list("AZURE_OPENAI_DEPLOYMENTS"), false, Optional.empty()));
        } else if (azureKey.isPresent() || azureEndpoint.isPresent()) {
            throw new IllegalArgumentException("Azure OpenAI needs both AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT");
        }
        Optional<String> bedrockToken = r.text("AWS_BEARER_TOKEN_BEDROCK");
        if (bedrockToken.isPresent()) {
            // Bedrock's OpenAI-compatible endpoint, with a Bedrock API key as the bearer.
            String region = r.text("AWS_REGION").or(() -> r.text("AWS_DEFAULT_REGION")).orElse("us-east-1");
            out.add(new ProviderSettings("amazon_bedrock", ProviderSettings.Kind.OPENAI_COMPATIBLE,
                    r.text("BEDROCK_BASE_URL").orElse("https://bedrock-runtime." + region + ".amazonaws.com/openai/v1"),
                    bedrockToken, Map.of(), Optional.empty(), false, Optional.empty()));
        }
        r.text("SWITCHBOARD_PROVIDERS_FILE").ifPresent(f -> {
            for (ProviderSettings declared : ProvidersFile.read(Path.of(f), r::text)) {
                if (out.stream().anyMatch(p -> p.id().equals(declared.id()))) {
                    throw new IllegalArgumentException("SWITCHBOARD_PROVIDERS_FILE " + f + ": provider '" + declared.id()
                            + "' is already configured by the environment");
                }
                out.add(declared);
            }
        });
        return List.copyOf(out);
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public Config withPort(int newPort) {
        return new Config(databaseUrl, databasePoolSize, host, newPort, dataDir, bootstrapApiKey, secretKey, nodeId, maxConcurrentRuns, syncWait, lease,
                shutdownGrace, ssePing, maxBodyBytes, allowPrivateNetwork, defaultModel, embeddingModel, providers, webhooks,
                files, mcp, logFormat, configDir, otel);
    }

    /** Reads settings and remembers which it read, so that a setting nobody reads (a typo) can be refused. */
    private record Reader(Map<String, String> env, java.util.Set<String> read) {
        Reader(Map<String, String> env) { this(env, new java.util.HashSet<>()); }

        /**
         * Refuses {@code SWITCHBOARD_*} variables that are no setting: a misspelt one would otherwise be ignored in
         * silence. ({@code SWITCHBOARD_TEST_*} belong to the tests.)
         */
        void rejectUnknown() {
            List<String> unknown = env.keySet().stream().filter(k -> k.startsWith("SWITCHBOARD_"))
                    .filter(k -> !k.startsWith("SWITCHBOARD_TEST_")).filter(k -> !read.contains(k)).sorted().toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("Unknown setting" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                        + "; the settings are listed in the README (known: " + String.join(", ", read.stream().filter(
                        k -> k.startsWith("SWITCHBOARD_")).sorted().toList()) + ")");
            }
        }

        Optional<String> text(String name) {
            read.add(name);
            String v = env.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        int integer(String name, int fallback, int min, int max) {
            Optional<String> v = text(name);
            if (v.isEmpty()) return fallback;
            try {
                int n = Integer.parseInt(v.get());
                if (n < min || n > max) {
                    throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, got '" + v.get() + "'");
            }
        }

        Optional<List<String>> list(String name) {
            return text(name).map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
        }

        boolean bool(String name, boolean fallback) {
            Optional<String> v = text(name);
            if (v.isEmpty()) return fallback;
            return switch (v.get().toLowerCase()) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v.get() + "'");
            };
        }
    }
}
