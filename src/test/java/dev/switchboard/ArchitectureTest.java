package dev.switchboard;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the boundaries of DESIGN.md: which packages may use the web server, the model library and JDBC. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/dev/switchboard");

    @Test
    void helidonOnlyInHttpRoutesTheCompositionRootAndTheProvidersClient() throws IOException {
        assertThat(filesUsing("io.helidon", path -> !inPackage(path, "http") && !named(path, "Routes")
                && !path.endsWith("App.java") && !path.endsWith("llm/ProviderHttp.java")))
                .isEmpty();
    }

    @Test
    void langChain4jOnlyInLlmAndTheMcpClient() throws IOException {
        assertThat(filesUsing("dev.langchain4j", path -> !inPackage(path, "llm") && !inPackage(path, "tools/mcp"))).isEmpty();
    }

    @Test
    void jdbcOnlyInStorageAndTheClassesThatOwnTables() throws IOException {
        assertThat(filesUsing("java.sql", path -> !inPackage(path, "storage") && !named(path, "Store")
                && !path.endsWith("EventLog.java") && !path.endsWith("RunQueue.java"))).isEmpty();
    }

    private static List<Path> filesUsing(String pkg, Predicate<Path> outsideAllowed) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(outsideAllowed)
                    .filter(p -> read(p).contains(pkg + "."))
                    .toList();
        }
    }

    private static boolean inPackage(Path file, String pkg) {
        return MAIN.relativize(file).startsWith(pkg);
    }

    private static boolean named(Path file, String suffix) {
        return file.getFileName().toString().endsWith(suffix + ".java");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
