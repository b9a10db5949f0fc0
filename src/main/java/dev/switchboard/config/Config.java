package dev.switchboard.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Every setting of a node, read once from the environment at start. An invalid value stops start-up with a message
 * naming the variable; nothing else reads the environment.
 */
public record Config(
        String host,
        int port,
        Path dataDir,
        Optional<String> bootstrapApiKey,
        String nodeId,
        int maxConcurrentRuns,
        Duration syncWait,
        Duration lease,
        Duration shutdownGrace,
        long maxBodyBytes,
        boolean allowPrivateNetwork,
        Optional<String> defaultModel,
        Providers providers) {

    /** Settings of the model providers; a provider is configured when its settings are present. */
    public record Providers(Optional<OpenAi> openai) {}

    public record OpenAi(Optional<String> apiKey, Optional<String> baseUrl) {}

    public static Config fromEnv(Map<String, String> env) {
        Reader r = new Reader(env);
        if (r.text("SWITCHBOARD_DATABASE_URL").isPresent()) {
            throw new IllegalArgumentException("SWITCHBOARD_DATABASE_URL is set, but this build serves SQLite only "
                    + "(PostgreSQL arrives with the scale-out work); unset it to use the embedded database");
        }
        Optional<String> openAiKey = r.text("OPENAI_API_KEY");
        Optional<String> openAiBase = r.text("OPENAI_BASE_URL");
        Optional<OpenAi> openAi = openAiKey.isPresent() || openAiBase.isPresent()
                ? Optional.of(new OpenAi(openAiKey, openAiBase))
                : Optional.empty();
        return new Config(
                r.text("SWITCHBOARD_HOST").orElse("0.0.0.0"),
                r.integer("SWITCHBOARD_PORT", 8080, 0, 65535),
                Path.of(r.text("SWITCHBOARD_DATA_DIR").orElse("./data")),
                r.text("SWITCHBOARD_API_KEY"),
                r.text("SWITCHBOARD_NODE_ID").orElseGet(Config::defaultNodeId),
                r.integer("SWITCHBOARD_MAX_CONCURRENT_RUNS", 1000, 1, 1_000_000),
                Duration.ofSeconds(r.integer("SWITCHBOARD_SYNC_WAIT_SECONDS", 600, 0, 86_400)),
                Duration.ofSeconds(r.integer("SWITCHBOARD_LEASE_SECONDS", 30, 3, 3600)),
                Duration.ofSeconds(r.integer("SWITCHBOARD_SHUTDOWN_GRACE_SECONDS", 20, 0, 3600)),
                r.integer("SWITCHBOARD_MAX_BODY_BYTES", 10 * 1024 * 1024, 1024, Integer.MAX_VALUE),
                r.bool("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", false),
                r.text("SWITCHBOARD_DEFAULT_MODEL"),
                new Providers(openAi));
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
        return new Config(host, newPort, dataDir, bootstrapApiKey, nodeId, maxConcurrentRuns, syncWait, lease,
                shutdownGrace, maxBodyBytes, allowPrivateNetwork, defaultModel, providers);
    }

    private record Reader(Map<String, String> env) {
        Optional<String> text(String name) {
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
