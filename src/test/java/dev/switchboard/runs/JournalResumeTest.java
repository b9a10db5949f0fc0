package dev.switchboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.testkit.ChildServer;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.FileServer;
import dev.switchboard.testkit.McpTestServer;
import dev.switchboard.testkit.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run killed between steps resumes from its journal: the model call that had completed is not made again; the
 * tool call that was in flight is.
 */
class JournalResumeTest {

    @Test
    void aResumedRunDoesNotCallTheModelAgainForAJournaledStep(@TempDir Path dir) throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        AtomicBoolean slow = new AtomicBoolean(true);
        HttpServer site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        site.createContext("/page", ex -> {
            fetches.incrementAndGet();
            try {
                if (slow.get()) Thread.sleep(30_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "the page".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        site.start();
        try (FakeLlm llm = FakeLlm.start()) {
            String url = "http://127.0.0.1:" + site.getAddress().getPort() + "/page";
            llm.enqueue(new FakeLlm.Reply.ToolCall("http_fetch", "{\"url\":\"" + url + "\"}"), FakeLlm.text("The page says hi."));
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");

            String task;
            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            String agent = http.post("/v1/agents", "{\"name\":\"fetcher\",\"attached_tools\":[{\"id\":\"http_fetch\"}]}")
                    .json().path("id").asText();
            task = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "read the page")))
                    .json().path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> fetches.get() == 1);
            first.kill();
            assertThat(llm.chatCalls()).isEqualTo(1);
            slow.set(false);

            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        again.get("/v1/tasks/" + task).json().path("status").asText().equals("completed"));
                JsonNode done = again.get("/v1/tasks/" + task).json();
                assertThat(done.path("result").asText()).isEqualTo("The page says hi.");
                assertThat(done.path("execution_attempts").asInt()).isEqualTo(2);
            }
            assertThat(llm.chatCalls()).as("model calls: the journaled first one is not repeated").isEqualTo(2);
            assertThat(fetches.get()).as("the tool call in flight at the kill ran again").isEqualTo(2);
            assertThat(llm.chatRequests().getLast().body().path("messages").toString()).contains("the page");
        } finally {
            site.stop(0);
        }
    }

    @Test
    void aResumedRunDoesNotCallAnMcpToolAgainAndStillHasTheUsersToken(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start(); McpTestServer mcp = McpTestServer.start()) {
            mcp.requireBearer("user-token");
            llm.enqueue(new FakeLlm.Reply.ToolCall("crm__echo", "{\"text\":\"once\"}"),
                    FakeLlm.slow("never sent", Duration.ofSeconds(30)), FakeLlm.text("Echoed once."));
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");

            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            String agent = http.post("/v1/agents", """
                    {"name":"crm user","mcp_servers":[{"name":"crm","url":"%s","auth_type":"oauth2"}]}""".formatted(mcp.url()))
                    .json().path("id").asText();
            String task = http.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "echo"),
                    "user_oidc_token", "user-token")).json().path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatCalls() == 2);
            first.kill();

            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        again.get("/v1/tasks/" + task).json().path("status").asText().equals("completed"));
                assertThat(again.get("/v1/tasks/" + task).json().path("result").asText()).isEqualTo("Echoed once.");
            }
            assertThat(mcp.received("tools/call")).as("the journaled MCP call is not made again").hasSize(1);
            assertThat(mcp.received("tools/list")).as("each attempt lists the tools, with the user's token").hasSize(2)
                    .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer user-token"));
            assertThat(llm.chatRequests().getLast().body().path("messages").toString()).contains("once");
        }
    }

    @Test
    void aResumedRunDoesNotFetchItsAttachedFilesAgain(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start(); FileServer files = FileServer.start()) {
            String url = files.put("/notes.txt", "the attached notes".getBytes(StandardCharsets.UTF_8), "text/plain");
            llm.enqueue(FakeLlm.slow("never sent", Duration.ofSeconds(30)), FakeLlm.text("Read the notes."));
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true");
            Path data = dir.resolve("data");
            Path log = dir.resolve("server.log");

            ChildServer first = ChildServer.start(data, log, env);
            Http http = first.http();
            String agent = http.post("/v1/agents", "{\"name\":\"reader\"}").json().path("id").asText();
            String task = http.post("/v1/agents/" + agent + "/invoke/async",
                    Http.json("input", Map.of("text", "summarize", "files", java.util.List.of(url)))).json().path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatCalls() == 1);
            first.kill();

            try (ChildServer second = ChildServer.start(data, log, env)) {
                Http again = second.http();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        again.get("/v1/tasks/" + task).json().path("status").asText().equals("completed"));
                assertThat(again.get("/v1/tasks/" + task).json().path("files").get(0).path("status").asText()).isEqualTo("ok");
            }
            assertThat(files.requests()).as("the file was fetched once, before the kill").isEqualTo(1);
            assertThat(llm.chatRequests().getLast().lastUserText()).contains("the attached notes");
        }
    }

    @Test
    void aResumedWorkflowRunStartsAtTheFirstNodeNotDone(@TempDir Path dir) throws Exception {
        try (FakeLlm llm = FakeLlm.start(); FileServer files = FileServer.start()) {
            String data = files.put("/data.txt", "fetched once".getBytes(StandardCharsets.UTF_8), "text/plain");
            llm.enqueue(FakeLlm.slow("never sent", Duration.ofSeconds(30)), FakeLlm.text("Summary after the restart."));
            Map<String, String> env = Map.of("OPENAI_BASE_URL", llm.baseUrl(), "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true");
            Path data0 = dir.resolve("data");
            Path log = dir.resolve("server.log");

            ChildServer first = ChildServer.start(data0, log, env);
            Http http = first.http();
            String wf = http.post("/v1/workflows", """
                    {"name":"two steps","model_name":"gpt-4.1","orchestration_nodes":[
                      {"id":"fetch","type":"action","next_node_ids":["sum"],"definition":{"method":"GET","url":"%s"}},
                      {"id":"sum","type":"summarizer","definition":{}}]}""".formatted(data)).json().path("id").asText();
            String task = http.post("/v1/workflows/" + wf + "/invoke/async", Http.json("input", Map.of("text", "go")))
                    .json().path("id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> llm.chatCalls() == 1);
            first.kill();

            try (ChildServer second = ChildServer.start(data0, log, env)) {
                Http again = second.http();
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        again.get("/v1/tasks/" + task).json().path("status").asText().equals("completed"));
                assertThat(again.get("/v1/tasks/" + task).json().path("result").asText()).isEqualTo("Summary after the restart.");
            }
            assertThat(files.requests()).as("the finished action node is not run again").isEqualTo(1);
            assertThat(llm.chatRequests().getLast().lastUserText()).isEqualTo("fetched once");
        }
    }
}
