package dev.switchboard;

import dev.switchboard.config.Config;

/** Reads the configuration, starts the App, and stops it gracefully on SIGTERM or Ctrl-C. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Config config;
        try {
            config = Config.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Switchboard cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        App app;
        try {
            app = App.start(config);
        } catch (IllegalArgumentException e) {
            System.err.println("Switchboard cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        app.generatedKey().ifPresent(key -> System.out.println("""

                ================================================================
                 Admin API key (shown once; store it now, it is kept hashed):
                 %s
                ================================================================
                """.formatted(key)));
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "switchboard-shutdown"));
    }
}
