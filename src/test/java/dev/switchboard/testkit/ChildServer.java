package dev.switchboard.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server as a separate JVM (the real Main on the test classpath), so a test can kill it without warning
 * ({@link #kill()} sends SIGKILL) and start another on the same database.
 */
public final class ChildServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final long startedNanos;

    private ChildServer(Process process, int port, long startedNanos) {
        this.process = process;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    public static ChildServer start(Path dataDir, Path log, Map<String, String> env) {
        return start(dataDir, log, env, List.of());
    }

    /** With JVM options for the child, e.g. a heap limit for a benchmark. */
    public static ChildServer start(Path dataDir, Path log, Map<String, String> env, List<String> jvmOptions) {
        ChildServer child = launch(dataDir, log, env, jvmOptions);
        try {
            child.awaitHealthy(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            child.kill();
            throw e;
        }
        return child;
    }

    /** Starts the process and returns at once, without waiting for it to answer (a start-up benchmark times that). */
    public static ChildServer launch(Path dataDir, Path log, Map<String, String> env, List<String> jvmOptions) {
        return launch("dev.switchboard.Main", dataDir, log, env, jvmOptions);
    }

    /** The same for another main class on the test classpath that listens on SWITCHBOARD_PORT. */
    public static ChildServer launch(String mainClass, Path dataDir, Path log, Map<String, String> env, List<String> jvmOptions) {
        return launch(List.of("-cp", System.getProperty("java.class.path"), mainClass), dataDir, log, env, jvmOptions);
    }

    /** The built jar as the README starts it ({@code java -jar}), returning at once. */
    public static ChildServer launchJar(Path jar, Path dataDir, Path log, Map<String, String> env, List<String> jvmOptions) {
        return launch(List.of("-jar", jar.toString()), dataDir, log, env, jvmOptions);
    }

    private static ChildServer launch(List<String> what, Path dataDir, Path log, Map<String, String> env, List<String> jvmOptions) {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(what);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SWITCHBOARD_PORT", String.valueOf(port));
        pb.environment().put("SWITCHBOARD_HOST", "127.0.0.1");
        pb.environment().put("SWITCHBOARD_DATA_DIR", dataDir.toString());
        pb.environment().put("SWITCHBOARD_API_KEY", TestServer.ADMIN_KEY);
        pb.environment().putAll(env);
        try {
            long started = System.nanoTime();
            return new ChildServer(pb.start(), port, started);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Http http() { return new Http("http://127.0.0.1:" + port, TestServer.ADMIN_KEY); }

    public int port() { return port; }

    public long pid() { return process.pid(); }

    /** System.nanoTime() just before the process was started. */
    public long startedNanos() { return startedNanos; }

    public boolean isAlive() { return process.isAlive(); }

    /** SIGTERM, as an orchestrator stops a node: the graceful shutdown runs; returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; its exit code, or -1 if it did not exit in time. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL: no shutdown hook runs, no lease is released. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Http http = http();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("The server process exited with " + process.exitValue());
            try {
                if (http.get("/health").status() == 200) return;
            } catch (AssertionError notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("The server did not become healthy in " + timeout);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
