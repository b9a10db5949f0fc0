package dev.switchboard.tools.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.HttpMcpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import dev.langchain4j.mcp.client.transport.stdio.StdioMcpTransport;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.switchboard.common.Json;
import dev.switchboard.config.Config;
import dev.switchboard.net.NetworkGuard;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MCP server as one run uses it: connected on first need (through LangChain4j's MCP client), its tools listed,
 * its tools called, closed when the run ends. Every failure comes out as an {@link McpFailure} saying what happened
 * in words a model and a person can act on; a 401 or 403 is also told to {@code onAuthFailure} (the run's
 * {@code auth_event}).
 */
public final class McpConnection implements AutoCloseable {
    // The text LangChain4j returns (as a result, not an error) when a call passes its timeout: recognized and turned
    // into a failure.
    private static final String TIMED_OUT = "switchboard:mcp-call-timed-out";
    private static final Pattern STATUS = Pattern.compile("Unexpected status code: (\\d{3})");
    // What a local server inherits from this process: enough to find and run programs, none of our secrets.
    private static final List<String> INHERITED_ENV = List.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "USER",
            "SYSTEMROOT", "COMSPEC");

    /** A tool as the server lists it. */
    public record ToolInfo(String name, String description, JsonNode inputSchema) {}

    private final McpServer server;
    private final Map<String, String> headers;
    private final Config.Mcp settings;
    private final NetworkGuard guard;
    private final ExecutorService executor;
    private final Consumer<McpFailure> onAuthFailure;
    // Set once connected; closing never waits for a connection in progress (a stopped run must not hang on it).
    private volatile McpClient client;
    private volatile boolean closed;

    McpConnection(McpServer server, Map<String, String> headers, Config.Mcp settings, NetworkGuard guard,
                  ExecutorService executor, Consumer<McpFailure> onAuthFailure) {
        this.server = server;
        this.headers = Map.copyOf(headers);
        this.settings = settings;
        this.guard = guard;
        this.executor = executor;
        this.onAuthFailure = onAuthFailure;
    }

    public McpServer server() { return server; }

    /** The server's tools, all of them (the caller filters by allowed_tools). */
    public List<ToolInfo> listTools() throws McpFailure, InterruptedException {
        McpClient c = client();
        try {
            List<ToolInfo> out = new ArrayList<>();
            for (ToolSpecification spec : c.listTools()) {
                JsonNode schema = spec.parameters() == null ? Json.tree("{\"type\":\"object\",\"properties\":{}}")
                        : Json.MAPPER.valueToTree(JsonSchemaElementJsonUtils.toMap(spec.parameters()));
                out.add(new ToolInfo(spec.name(), spec.description() == null ? "" : spec.description(), schema));
            }
            return out;
        } catch (RuntimeException e) {
            throw failure("listing its tools", e);
        }
    }

    /** Calls a tool; the server's own error result (isError) is a failure the model is told. */
    public String call(String tool, JsonNode arguments) throws McpFailure, InterruptedException {
        McpClient c = client();
        ToolExecutionResult result;
        try {
            result = c.executeTool(ToolExecutionRequest.builder().id(tool).name(tool).arguments(Json.write(arguments)).build());
        } catch (ToolExecutionException e) {
            if (!isServersAnswer(e)) throw failure("calling " + tool, e);
            throw new McpFailure(McpFailure.Kind.TOOL_ERROR, e.errorCode() == null ? String.valueOf(e.getMessage())
                    : "The MCP server '" + server.name() + "' refused the call (error " + e.errorCode() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            throw failure("calling " + tool, e);
        }
        String text = result.resultText() == null ? "" : result.resultText();
        if (TIMED_OUT.equals(text)) {
            throw new McpFailure(McpFailure.Kind.TIMEOUT, "The MCP server '" + server.name() + "' did not answer "
                    + tool + " within " + settings.callTimeout().toSeconds() + " s");
        }
        if (result.isError()) throw new McpFailure(McpFailure.Kind.TOOL_ERROR, text);
        return text;
    }

    /**
     * Whether LangChain4j's exception carries the server's own answer (the tool's error result, or a JSON-RPC error):
     * it makes those with a message and a bare RuntimeException of the same message as cause. A failure of the transport
     * is wrapped as the cause itself: an exception of its own kind, or a bare one saying the HTTP status.
     */
    private static boolean isServersAnswer(ToolExecutionException e) {
        Throwable cause = e.getCause();
        if (cause == null) return true;
        String msg = cause.getMessage() == null ? "" : cause.getMessage();
        return cause.getClass() == RuntimeException.class && msg.equals(e.getMessage()) && !STATUS.matcher(msg).find();
    }

    private synchronized McpClient client() throws McpFailure, InterruptedException {
        if (closed) throw new McpFailure(McpFailure.Kind.UNREACHABLE, "The run has ended");
        if (client != null) return client;
        McpTransport transport = transport();
        try {
            McpClient connected = DefaultMcpClient.builder()
                    .transport(transport)
                    .clientName("switchboard")
                    .initializationTimeout(settings.connectTimeout())
                    .toolExecutionTimeout(settings.callTimeout())
                    .toolExecutionTimeoutErrorMessage(TIMED_OUT)
                    // A run's connection lives as long as the run: no background health checks (they would each hold
                    // a platform thread).
                    .autoHealthCheck(false)
                    .build();
            client = connected;
            if (closed) {
                // Closed while connecting: the run is over.
                close();
                throw new McpFailure(McpFailure.Kind.UNREACHABLE, "The run has ended");
            }
            return connected;
        } catch (RuntimeException e) {
            closeQuietly(transport);
            if (Thread.interrupted()) throw new InterruptedException();
            throw failure("connecting", e);
        }
    }

    private McpTransport transport() throws McpFailure {
        return switch (server.endpoint()) {
            case McpServer.Endpoint.Remote r -> {
                try {
                    guard.check(r.url());
                } catch (NetworkGuard.Refused e) {
                    throw new McpFailure(McpFailure.Kind.REFUSED, e.getMessage());
                }
                yield switch (r.transport()) {
                    case SSE -> HttpMcpTransport.builder().sseUrl(r.url().toString()).customHeaders(headers)
                            .timeout(settings.connectTimeout().plus(settings.callTimeout())).build();
                    case STREAMABLE_HTTP, STDIO -> StreamableHttpMcpTransport.builder().url(r.url().toString())
                            .customHeaders(headers).timeout(settings.connectTimeout()).setHttpVersion1_1()
                            .executor(executor).build();
                };
            }
            case McpServer.Endpoint.Local l -> {
                if (!settings.allowLocal()) {
                    throw new McpFailure(McpFailure.Kind.REFUSED, "Local (stdio) MCP servers are disabled on this server "
                            + "(SWITCHBOARD_ALLOW_LOCAL_MCP)");
                }
                yield StdioMcpTransport.builder().command(isolated(l)).environment(Map.of()).executorService(executor).build();
            }
        };
    }

    /**
     * The command run through {@code env -i}, so that the server gets only a few basics of this process's environment
     * (not its API keys) and the env_vars it was given. (Where there is no {@code env}, as on Windows, the command runs
     * as it is, with the whole environment.)
     */
    private static List<String> isolated(McpServer.Endpoint.Local local) {
        String env = Files.isExecutable(Path.of("/usr/bin/env")) ? "/usr/bin/env"
                : Files.isExecutable(Path.of("/bin/env")) ? "/bin/env" : null;
        List<String> cmd = new ArrayList<>();
        if (env == null || File.separatorChar == '\\') {
            cmd.addAll(local.command());
            return cmd;
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (String name : INHERITED_ENV) {
            String v = System.getenv(name);
            if (v != null) vars.put(name, v);
        }
        vars.putAll(local.envVars());
        cmd.add(env);
        cmd.add("-i");
        vars.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(local.command());
        return cmd;
    }

    /** What went wrong, classified from what LangChain4j's client threw. */
    private McpFailure failure(String doing, RuntimeException e) {
        String what = "The MCP server '" + server.name() + "'";
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = t.getMessage() == null ? "" : t.getMessage();
            Matcher m = STATUS.matcher(msg);
            int status = m.find() ? Integer.parseInt(m.group(1)) : msg.contains("The server returned: Unauthorized") ? 401 : 0;
            if (status == 401 || status == 403) {
                McpFailure f = new McpFailure(status == 401 ? McpFailure.Kind.LOGIN_REQUIRED : McpFailure.Kind.TOKEN_REFUSED,
                        what + " answered HTTP " + status + (status == 401
                                ? ": the user must sign in to it (pass their token as user_oidc_token or in user_tokens)"
                                : ": the user's credentials do not allow this"));
                onAuthFailure.accept(f);
                return f;
            }
            if (status != 0) {
                return new McpFailure(McpFailure.Kind.UNREACHABLE, what + " answered HTTP " + status + " while " + doing);
            }
            if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException
                    || t instanceof java.net.SocketTimeoutException) {
                return new McpFailure(McpFailure.Kind.TIMEOUT, what + " did not answer in time while " + doing);
            }
            if (t instanceof java.net.ConnectException || t instanceof java.io.IOException && msg.contains("Cannot run program")) {
                return new McpFailure(McpFailure.Kind.UNREACHABLE, what + " cannot be reached (" + server.location() + ")");
            }
            if (t instanceof dev.langchain4j.mcp.client.McpException mcp) {
                return new McpFailure(McpFailure.Kind.TOOL_ERROR, what + " answered an error while " + doing + ": "
                        + mcp.errorMessage());
            }
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return new McpFailure(McpFailure.Kind.UNREACHABLE, what + " failed while " + doing + ": "
                + root.getClass().getSimpleName() + (root.getMessage() != null ? " (" + root.getMessage() + ")" : ""));
    }

    @Override
    public void close() {
        closed = true;
        McpClient c = client;
        client = null;
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort: the server may already be gone
            }
        }
    }

    private static void closeQuietly(McpTransport transport) {
        try {
            transport.close();
        } catch (Exception ignored) {
            // a transport that failed to start may not close cleanly
        }
    }
}
