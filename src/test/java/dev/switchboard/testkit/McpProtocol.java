package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The MCP server side of the test kit's MCP servers (streamable HTTP, legacy SSE, stdio): JSON-RPC 2.0 with
 * {@code initialize}, {@code tools/list}, {@code tools/call} and {@code ping}, and these tools:
 * <ul>
 *   <li>{@code echo {text}}: answers what it received, as JSON: {@code {tool, arguments, authorization, env}};</li>
 *   <li>{@code whoami}: the Authorization header it received;</li>
 *   <li>{@code slow {seconds}}: answers after that long;</li>
 *   <li>{@code fail}: answers a tool error ({@code isError: true}).</li>
 * </ul>
 */
public final class McpProtocol {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What a request came with: its Authorization header (HTTP) and the environment values the tools report. */
    public record Context(String authorization, Map<String, String> env) {}

    private McpProtocol() {}

    /** The response to a message, or null for a notification. */
    public static ObjectNode handle(JsonNode message, Context context) throws InterruptedException {
        if (!message.has("id") || message.get("id").isNull()) return null;
        ObjectNode res = JSON.createObjectNode();
        res.put("jsonrpc", "2.0");
        res.set("id", message.get("id"));
        String method = message.path("method").asText();
        switch (method) {
            case "initialize" -> {
                ObjectNode r = res.putObject("result");
                r.put("protocolVersion", message.path("params").path("protocolVersion").asText("2025-06-18"));
                r.putObject("capabilities").putObject("tools");
                r.putObject("serverInfo").put("name", "switchboard-test-mcp").put("version", "1");
            }
            case "ping" -> res.putObject("result");
            case "tools/list" -> res.putObject("result").set("tools", tools());
            case "tools/call" -> res.set("result", call(message.path("params"), context));
            default -> res.putObject("error").put("code", -32601).put("message", "Method not found: " + method);
        }
        return res;
    }

    private static ArrayNode tools() {
        ArrayNode tools = JSON.createArrayNode();
        tools.add(tool("echo", "Echoes its arguments and what the request carried",
                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}"));
        tools.add(tool("whoami", "Tells the Authorization header it received", "{\"type\":\"object\",\"properties\":{}}"));
        tools.add(tool("slow", "Answers after some seconds",
                "{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"number\"}}}"));
        tools.add(tool("fail", "Always reports a tool error", "{\"type\":\"object\",\"properties\":{}}"));
        return tools;
    }

    private static ObjectNode tool(String name, String description, String schema) {
        ObjectNode t = JSON.createObjectNode();
        t.put("name", name);
        t.put("description", description);
        try {
            t.set("inputSchema", JSON.readTree(schema));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    private static ObjectNode call(JsonNode params, Context context) throws InterruptedException {
        String name = params.path("name").asText();
        JsonNode args = params.path("arguments");
        boolean error = false;
        String text;
        switch (name) {
            case "echo" -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("tool", "echo");
                o.set("arguments", args);
                o.put("authorization", context.authorization());
                o.set("env", JSON.valueToTree(context.env()));
                text = o.toString();
            }
            case "whoami" -> text = String.valueOf(context.authorization());
            case "slow" -> {
                Thread.sleep((long) (args.path("seconds").asDouble(1) * 1000));
                text = "slept";
            }
            case "fail" -> {
                error = true;
                text = "the tool failed on purpose";
            }
            default -> {
                error = true;
                text = "Unknown tool: " + name;
            }
        }
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.put("isError", error);
        return result;
    }
}
