package dev.switchboard.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.Json;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.McpTestServer;
import dev.switchboard.testkit.SseClient;
import dev.switchboard.testkit.StdioMcpServer;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MCP servers through the API, against real MCP servers of the test kit (streamable HTTP, legacy SSE, stdio): the
 * model is scripted to call their tools, and the assertions are on what the MCP servers received.
 */
class McpApiTest {
    static FakeLlm llm;
    static McpTestServer mcp;
    static McpTestServer other;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        mcp = McpTestServer.start();
        other = McpTestServer.start();
        server = TestServer.start(llm, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true",
                "SWITCHBOARD_ALLOW_LOCAL_MCP", "true", "SWITCHBOARD_MCP_CALL_TIMEOUT_SECONDS", "2"));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
        mcp.close();
        other.close();
        llm.close();
    }

    @BeforeEach
    void reset() {
        llm.reset();
        mcp.reset();
        other.reset();
    }

    @Test
    void theModelCallsAnMcpToolUnderItsServersNameAndGetsItsAnswer() {
        String agent = agent("""
                {"name":"docs","url":"%s"}""".formatted(mcp.url()));
        llm.enqueue(new FakeLlm.Reply.ToolCall("docs__echo", "{\"text\":\"hello mcp\"}"), FakeLlm.text("It echoed."));

        JsonNode task = invoke(agent, Map.of("events_streaming", true));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(task.path("result").asText()).isEqualTo("It echoed.");
        assertThat(toolNames(0)).containsExactly("docs__echo", "docs__whoami", "docs__slow", "docs__fail");
        JsonNode call = mcp.received("tools/call").getFirst().message().path("params");
        assertThat(call.path("name").asText()).isEqualTo("echo");
        assertThat(call.path("arguments").path("text").asText()).isEqualTo("hello mcp");
        assertThat(lastToolResult()).contains("\"text\":\"hello mcp\"");
        List<SseClient.Event> events = events(task);
        JsonNode request = only(events, "tool_call_request");
        assertThat(request.path("tool_name").asText()).isEqualTo("docs__echo");
        assertThat(request.path("payload").path("text").asText()).isEqualTo("hello mcp");
        JsonNode result = only(events, "tool_call_result");
        assertThat(result.path("is_error").asBoolean()).isFalse();
        assertThat(result.path("result").asText()).contains("hello mcp");
    }

    @Test
    void theUsersOidcTokenIsTheBearerOfAnOauth2ServerAndIsNeverShownNorStoredInClear() throws IOException {
        mcp.requireBearer("user-oidc-token-123");
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2"}""".formatted(mcp.url()));
        // (Not whoami or echo: their answers, which the run journals, would hold the token.)
        llm.enqueue(new FakeLlm.Reply.ToolCall("crm__fail", "{}"), FakeLlm.text("You are known."));

        JsonNode task = invoke(agent, Map.of("user_oidc_token", "user-oidc-token-123"));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(mcp.received()).extracting(McpTestServer.Received::method)
                .contains("initialize", "notifications/initialized", "tools/list", "tools/call");
        assertThat(mcp.received()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer user-oidc-token-123"));
        assertThat(task.path("user_oidc_token").asText()).isEqualTo("***");
        assertThat(http.get("/v1/tasks/" + task.path("id").asText()).text()).doesNotContain("user-oidc-token-123");
        assertThat(storedText()).doesNotContain("user-oidc-token-123");
    }

    @Test
    void aUserTokensEntryForTheServerWinsOverTheOidcToken() {
        mcp.requireBearer("crm-specific");
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2"}""".formatted(mcp.url()));
        llm.enqueue(new FakeLlm.Reply.ToolCall("crm__whoami", "{}"), FakeLlm.text("ok"));

        invoke(agent, Map.of("user_oidc_token", "general", "user_tokens", Map.of("crm", "crm-specific")));

        assertThat(lastToolResult()).isEqualTo("Bearer crm-specific");
    }

    @Test
    void apiKeysAndCustomHeadersAreSentMaskedWhenShownAndSealedWhenStored() throws IOException {
        mcp.requireBearer("sk-mcp-secret-1");
        Http.Response created = http.post("/v1/agents", """
                {"name":"keyed","model_provider":"openai","model_name":"gpt-4.1",
                 "mcp_servers":[{"name":"keyed","url":"%s","auth_type":"api_key","api_key":"sk-mcp-secret-1",
                                 "headers":{"X-Team":"team-secret-2"}}]}""".formatted(mcp.url()));
        assertThat(created.status()).isEqualTo(201);
        String agent = created.json().path("id").asText();
        assertThat(created.text()).doesNotContain("sk-mcp-secret-1").doesNotContain("team-secret-2");
        assertThat(created.json().path("mcp_servers").get(0).path("api_key").asText()).isEqualTo("***");

        // Sending back what was shown keeps the stored secrets.
        JsonNode shown = http.get("/v1/agents/" + agent).json();
        assertThat(http.patch("/v1/agents/" + agent + "?deploy=true",
                "{\"mcp_servers\":" + shown.path("mcp_servers") + ",\"description\":\"changed\"}").status()).isEqualTo(200);
        llm.enqueue(FakeLlm.text("ok"));

        invoke(agent, Map.of());

        assertThat(mcp.received("tools/list")).singleElement().satisfies(r -> {
            assertThat(r.authorization()).isEqualTo("Bearer sk-mcp-secret-1");
            assertThat(r.headers()).containsEntry("x-team", "team-secret-2");
        });
        assertThat(toolNames(0)).contains("keyed__whoami");
        assertThat(storedText()).doesNotContain("sk-mcp-secret-1").doesNotContain("team-secret-2");
    }

    @Test
    void allowedToolsFiltersWhatTheModelSees() {
        String agent = agent("""
                {"name":"docs","url":"%s","allowed_tools":["echo","fail"]}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("nothing to do"));

        invoke(agent, Map.of());

        assertThat(toolNames(0)).containsExactly("docs__echo", "docs__fail");
    }

    @Test
    void twoServersWithTheSameToolsDoNotCollide() {
        String agent = agent("""
                {"name":"alpha","url":"%s"}""".formatted(mcp.url()), """
                {"name":"alpha","url":"%s","allowed_tools":["echo"]}""".formatted(other.url()));
        llm.enqueue(new FakeLlm.Reply.ToolCall("alpha_2__echo", "{\"text\":\"to the second\"}"), FakeLlm.text("ok"));

        invoke(agent, Map.of());

        assertThat(toolNames(0)).containsExactly("alpha__echo", "alpha__whoami", "alpha__slow", "alpha__fail", "alpha_2__echo");
        assertThat(mcp.received("tools/call")).isEmpty();
        assertThat(other.received("tools/call")).hasSize(1);
    }

    @Test
    void serversGivenWithTheInvokeJoinTheAgents() {
        String agent = agent("""
                {"name":"docs","url":"%s","allowed_tools":["echo"]}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("ok"));

        JsonNode task = invoke(agent, Map.of("mcp_servers", List.of(Map.of("name", "extra", "url", other.url(),
                "transport", "streamable-http", "auth_type", "custom_headers", "headers", Map.of("X-Key", "hidden-value")))));

        assertThat(toolNames(0)).contains("docs__echo", "extra__echo");
        assertThat(task.path("mcp_servers").get(0).path("headers").path("X-Key").asText()).isEqualTo("***");
    }

    @Test
    void aServerThatAnswers401ProducesALoginRequiredAuthEventAndTheModelIsTold() {
        mcp.requireBearer("the-right-one");
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2"}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("Please sign in to crm first."));

        JsonNode task = invoke(agent, Map.of("user_oidc_token", "an-expired-one"));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        JsonNode auth = only(events(task), "auth_event");
        assertThat(auth.path("type").asText()).isEqualTo("login_required");
        assertThat(auth.path("data").path("server_name").asText()).isEqualTo("crm");
        assertThat(auth.path("data").path("server_url").asText()).isEqualTo(mcp.url());
        assertThat(auth.toString()).doesNotContain("an-expired-one");
        assertThat(llm.chatRequests().getFirst().systemText()).contains("crm").contains("401");
        assertThat(llm.chatRequests().getFirst().body().has("tools")).isFalse();
    }

    @Test
    void aServerThatRefusesTheTokenWith403ProducesATokenIssueAuthEvent() {
        mcp.forbid();
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"api_key","api_key":"k","api_key_header":"X-Api-Key"}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("No access."));

        JsonNode task = invoke(agent, Map.of());

        assertThat(task.path("status").asText()).isEqualTo("completed");
        JsonNode auth = only(events(task), "auth_event");
        assertThat(auth.path("type").asText()).isEqualTo("token_issue");
        assertThat(auth.path("data").path("message").asText()).contains("403");
    }

    @Test
    void anApiKeyGoesInTheHeaderItNames() {
        String agent = agent("""
                {"name":"keyed","url":"%s","auth_type":"api_key","api_key":"k-2","api_key_header":"X-Api-Key"}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("ok"));

        invoke(agent, Map.of());

        assertThat(mcp.received("tools/list")).singleElement().satisfies(r -> {
            assertThat(r.headers()).containsEntry("x-api-key", "k-2");
            assertThat(r.authorization()).isNull();
        });
    }

    @Test
    void anOauth2ServerWithoutAnyTokenAsksForALoginWithoutBeingCalled() {
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2"}""".formatted(mcp.url()));
        llm.enqueue(FakeLlm.text("Sign in please."));

        JsonNode task = invoke(agent, Map.of());

        assertThat(only(events(task), "auth_event").path("type").asText()).isEqualTo("login_required");
        assertThat(mcp.received()).isEmpty();
    }

    @Test
    void aTokenExpiringMidRunIsAToolErrorAndAnAuthEventNotACrash() {
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2"}""".formatted(mcp.url()));
        // The tools are listed with the token; it is revoked before the call.
        mcp.requireBearer("old").rotateTokenAfterListing("rotated");
        llm.enqueue(new FakeLlm.Reply.ToolCall("crm__whoami", "{}"), FakeLlm.text("The token expired."));

        JsonNode task = invoke(agent, Map.of("user_oidc_token", "old"));

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(lastToolResult()).contains("Error:").contains("401").contains("sign in");
        assertThat(only(events(task), "auth_event").path("type").asText()).isEqualTo("login_required");
    }

    @Test
    void aSlowToolHitsTheCallTimeoutAndTheModelHearsIt() {
        String agent = agent("""
                {"name":"docs","url":"%s"}""".formatted(mcp.url()));
        llm.enqueue(new FakeLlm.Reply.ToolCall("docs__slow", "{\"seconds\":10}"), FakeLlm.text("It was too slow."));

        long started = System.nanoTime();
        JsonNode task = invoke(agent, Map.of());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(lastToolResult()).contains("Error:").contains("did not answer").contains("2 s");
    }

    @Test
    void aToolErrorOfTheServerGoesBackToTheModel() {
        String agent = agent("""
                {"name":"docs","url":"%s"}""".formatted(mcp.url()));
        llm.enqueue(new FakeLlm.Reply.ToolCall("docs__fail", "{}"), FakeLlm.text("It failed."));

        invoke(agent, Map.of());

        assertThat(lastToolResult()).isEqualTo("Error: the tool failed on purpose");
    }

    @Test
    void anUnreachableServerLeavesItsToolsOutAndTheRunGoesOn() {
        String agent = agent("""
                {"name":"gone","url":"http://127.0.0.1:1/mcp"}""");
        llm.enqueue(FakeLlm.text("I cannot reach it."));

        JsonNode task = invoke(agent, Map.of());

        assertThat(task.path("status").asText()).isEqualTo("completed");
        assertThat(llm.chatRequests().getFirst().systemText()).contains("'gone' are unavailable");
    }

    @Test
    void anonymousToolListsAreSharedBetweenRunsAndRunsThatDoNotCallThemDoNotConnect() {
        // A server of its own: the shared lists outlive a test, and another test's list must not be found here.
        try (McpTestServer alone = McpTestServer.start()) {
            sharedListsOf(alone);
        }
    }

    private static void sharedListsOf(McpTestServer other) {
        String agent = agent("""
                {"name":"shared","url":"%s"}""".formatted(other.url()));
        llm.enqueue(FakeLlm.text("one"));
        invoke(agent, Map.of());
        int listsAfterFirst = other.received("tools/list").size();
        int initsAfterFirst = other.received("initialize").size();
        llm.enqueue(FakeLlm.text("two"));

        invoke(agent, Map.of());

        assertThat(listsAfterFirst).isEqualTo(1);
        assertThat(other.received("tools/list")).hasSize(1);
        assertThat(other.received("initialize")).hasSize(initsAfterFirst);
        assertThat(toolNames(1)).contains("shared__echo");
    }

    @Test
    void theLegacySseTransportWorksToo() {
        String agent = agent("""
                {"name":"old","url":"%s","transport":"sse","auth_type":"api_key","api_key":"k-1"}""".formatted(mcp.sseUrl()));
        mcp.requireBearer("k-1");
        llm.enqueue(new FakeLlm.Reply.ToolCall("old__echo", "{\"text\":\"via sse\"}"), FakeLlm.text("ok"));

        invoke(agent, Map.of());

        assertThat(lastToolResult()).contains("via sse").contains("Bearer k-1");
    }

    @Test
    void aLocalStdioServerRunsWithItsEnvVarsAndNotTheServersEnvironment() {
        Map<String, Object> local = Map.of("type", "local", "name", "local", "transport", "stdio",
                "command", StdioMcpServer.command(), "env_vars", Map.of("MCP_TEST_VALUE", "from-env-vars"));
        String agent = http.post("/v1/agents", Json.write(Map.of("name", "local", "model_provider", "openai",
                "model_name", "gpt-4.1", "mcp_servers", List.of(local)))).json().path("id").asText();
        llm.enqueue(new FakeLlm.Reply.ToolCall("local__echo", "{\"text\":\"over stdio\"}"), FakeLlm.text("ok"));

        JsonNode task = invoke(agent, Map.of());

        assertThat(task.path("status").asText()).isEqualTo("completed");
        JsonNode echoed = Json.tree(lastToolResult());
        assertThat(echoed.path("arguments").path("text").asText()).isEqualTo("over stdio");
        assertThat(echoed.path("env").path("MCP_TEST_VALUE").asText()).isEqualTo("from-env-vars");
        assertThat(echoed.path("env").path("MCP_TEST_INHERITED").isNull()).isTrue();
    }

    @Test
    void aWorkflowsAgentNodeUsesItsAgentsServersWithTheInvokersToken() {
        mcp.requireBearer("wf-user-token");
        String agent = agent("""
                {"name":"crm","url":"%s","auth_type":"oauth2","allowed_tools":["fail"]}""".formatted(mcp.url()));
        Http.Response wf = http.post("/v1/workflows", """
                {"name":"flow","model_name":"gpt-4.1","orchestration_nodes":[
                  {"id":"ask","type":"agent","definition":{"asset_id":"%s"}}]}""".formatted(agent));
        assertThat(wf.status()).as(wf.text()).isEqualTo(201);
        llm.enqueue(new FakeLlm.Reply.ToolCall("crm__fail", "{}"), FakeLlm.text("The CRM failed."));

        Http.Response res = http.post("/v1/workflows/" + wf.json().path("id").asText() + "/invoke",
                Json.write(Map.of("input", Map.of("text", "ask the crm"), "user_oidc_token", "wf-user-token")));

        assertThat(res.json().path("result").asText()).isEqualTo("The CRM failed.");
        assertThat(mcp.received("tools/call")).singleElement()
                .satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer wf-user-token"));
    }

    @Test
    void badServerDefinitionsAre422ListingEveryProblem() {
        Http.Response res = http.post("/v1/agents", """
                {"name":"bad","mcp_servers":[{"type":"remote"},{"url":"ftp://x"},{"url":"http://x","transport":"carrier-pigeon"},
                 {"url":"http://x","auth_type":"api_key"},{"type":"local"},"not an object"]}""");
        assertThat(res.status()).isEqualTo(422);
        assertThat(res.text()).contains("[\"body\",\"mcp_servers\",\"0\",\"url\"]")
                .contains("[\"body\",\"mcp_servers\",\"1\",\"url\"]")
                .contains("[\"body\",\"mcp_servers\",\"2\",\"transport\"]")
                .contains("[\"body\",\"mcp_servers\",\"3\",\"api_key\"]")
                .contains("[\"body\",\"mcp_servers\",\"4\",\"command\"]")
                .contains("[\"body\",\"mcp_servers\",\"5\"]");

        String agent = agent("""
                {"name":"docs","url":"%s"}""".formatted(mcp.url()));
        Http.Response invoke = http.post("/v1/agents/" + agent + "/invoke", """
                {"input":{"text":"hi"},"mcp_servers":[{"url":"nope"}],"user_tokens":"not an object"}""");
        assertThat(invoke.status()).isEqualTo(422);
        assertThat(invoke.text()).contains("user_tokens");
        assertThat(llm.chatCalls()).isZero();
    }

    @Test
    void withoutTheOperatorsConsentLocalServersAreRefusedAndPrivateUrlsAreGuarded() {
        try (TestServer strict = TestServer.start(llm)) {
            Http h = strict.http();
            Http.Response agent = h.post("/v1/agents", Json.write(Map.of("name", "local", "mcp_servers",
                    List.of(Map.of("type", "local", "command", "echo hi")))));
            assertThat(agent.status()).isEqualTo(422);
            assertThat(agent.text()).contains("SWITCHBOARD_ALLOW_LOCAL_MCP");

            String remote = h.post("/v1/agents", Json.write(Map.of("name", "remote", "model_provider", "openai",
                    "model_name", "gpt-4.1", "mcp_servers", List.of(Map.of("name", "inside", "url", mcp.url())))))
                    .json().path("id").asText();
            Http.Response invoke = h.post("/v1/agents/" + remote + "/invoke", Json.write(Map.of("input", Map.of("text", "hi"),
                    "mcp_servers", List.of(Map.of("type", "local", "command", "echo hi")))));
            assertThat(invoke.status()).isEqualTo(422);

            llm.enqueue(FakeLlm.text("no tools"));
            JsonNode task = h.post("/v1/agents/" + remote + "/invoke", "{\"input\":{\"text\":\"hi\"}}").json();
            assertThat(task.path("status").asText()).isEqualTo("completed");
            assertThat(llm.chatRequests().getLast().systemText()).contains("private networks are refused");
            assertThat(mcp.received()).isEmpty();
        }
    }

    // --- helpers

    private static String agent(String... servers) {
        Http.Response res = http.post("/v1/agents", """
                {"name":"mcp agent","model_provider":"openai","model_name":"gpt-4.1","mcp_servers":[%s]}"""
                .formatted(String.join(",", servers)));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json().path("id").asText();
    }

    private static JsonNode invoke(String agent, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("input", Map.of("text", "use the tools"));
        body.putAll(extra);
        Http.Response res = http.post("/v1/agents/" + agent + "/invoke", Json.write(body));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    /** The tool names offered in the given model call. */
    private static List<String> toolNames(int call) {
        List<String> names = new ArrayList<>();
        llm.chatRequests().get(call).body().path("tools").forEach(t -> names.add(t.path("function").path("name").asText()));
        return names;
    }

    /** What the model was told by the last tool call. */
    private static String lastToolResult() {
        JsonNode messages = llm.chatRequests().getLast().body().path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).path("role").asText().equals("tool")) return messages.get(i).path("content").asText();
        }
        throw new AssertionError("no tool result in " + messages);
    }

    private static List<SseClient.Event> events(JsonNode task) {
        try (SseClient log = SseClient.get(http.base(), "/v1/tasks/" + task.path("id").asText() + "/events",
                TestServer.ADMIN_KEY, Map.of())) {
            return log.all(Duration.ofSeconds(10));
        }
    }

    private static JsonNode only(List<SseClient.Event> events, String type) {
        List<JsonNode> found = events.stream().filter(e -> e.type().equals(type)).map(SseClient.Event::data).toList();
        assertThat(found).as(type + " events").hasSize(1);
        return found.getFirst();
    }

    /** Everything the server stored, as text: the database and its write-ahead log. */
    private static String storedText() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(server.dataDir())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
