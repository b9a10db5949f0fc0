package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real MCP server over stdio (one JSON-RPC message per line), run as a child process by the server under test:
 * {@link #command()} is how to start it. Its tools report the environment variables {@code MCP_TEST_VALUE} (given in
 * the server's env_vars) and {@code MCP_TEST_INHERITED} (set on the test JVM by the POM; a local server must
 * not inherit it) as they see them.
 */
public final class StdioMcpServer {
    private StdioMcpServer() {}

    /** The command line that runs this server with the tests' own JVM and class path. */
    public static List<String> command() {
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(javaBin, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                StdioMcpServer.class.getName());
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        // Anything else printed to stdout would corrupt the protocol.
        System.setOut(System.err);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MCP_TEST_VALUE", System.getenv("MCP_TEST_VALUE"));
        env.put("MCP_TEST_INHERITED", System.getenv("MCP_TEST_INHERITED"));
        McpProtocol.Context context = new McpProtocol.Context(null, env);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            JsonNode message = McpProtocol.JSON.readTree(line);
            ObjectNode response = McpProtocol.handle(message, context);
            if (response != null) {
                synchronized (out) {
                    out.println(response.toString());
                }
            }
        }
    }
}
