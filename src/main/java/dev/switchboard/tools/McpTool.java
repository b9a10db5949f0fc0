package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.llm.ToolSpec;
import dev.switchboard.tools.mcp.McpConnection;
import dev.switchboard.tools.mcp.McpFailure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A tool of an MCP server, shown to the model as {@code <server prefix>__<tool name>} so that two servers' tools
 * cannot collide, and called on the server under its own name.
 */
public record McpTool(ToolSpec spec, String remoteName, McpConnection connection) implements Tool {
    // Providers take tool names of at most 64 characters of A-Z a-z 0-9 _ -.
    private static final int MAX_NAME = 64;

    public static McpTool of(McpConnection connection, McpConnection.ToolInfo info) {
        String name = shownName(connection.server().toolPrefix(), info.name());
        String description = "[" + connection.server().name() + "] " + info.description();
        return new McpTool(new ToolSpec(name, description, info.inputSchema()), info.name(), connection);
    }

    static String shownName(String prefix, String tool) {
        String clean = tool.replaceAll("[^A-Za-z0-9_-]", "_");
        String name = prefix + "__" + clean;
        if (name.length() <= MAX_NAME && clean.equals(tool)) return name;
        // Too long, or changed by cleaning (two tools could then meet): a short hash of the real name keeps it unique.
        String hash = hash(tool);
        int room = MAX_NAME - prefix.length() - 2 - hash.length() - 1;
        return prefix + "__" + clean.substring(0, Math.min(clean.length(), Math.max(room, 1))) + "_" + hash;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String call(JsonNode arguments) throws ToolError, InterruptedException {
        try {
            return connection.call(remoteName, arguments);
        } catch (McpFailure f) {
            throw new ToolError(f.getMessage());
        }
    }
}
