package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.switchboard.common.Json;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real answers of the API, validated against the schemas /openapi.json gives for their route and status (JSON Schema
 * 2020-12, as OpenAPI 3.1 uses); and /docs renders it with files served by the node.
 */
class OpenApiConformanceTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;
    static JsonNode doc;
    static final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
        http = server.http();
        doc = http.withKey(null).get("/openapi.json").json();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    @Test
    void realAnswersMatchTheDocumentedSchemas() {
        Http.Response agent = check("POST", "/v1/agents", http.post("/v1/agents", """
                {"name":"documented","instructions":{"general":"Be brief."},
                 "mcp_servers":[{"name":"crm","url":"https://mcp.example.com/mcp","auth_type":"api_key","api_key":"k"}]}"""));
        String id = agent.json().path("id").asText();
        check("GET", "/v1/agents", http.get("/v1/agents"));
        check("GET", "/v1/agents/{id}", http.get("/v1/agents/" + id));
        check("PATCH", "/v1/agents/{id}", http.patch("/v1/agents/" + id + "?deploy=true", "{\"description\":\"v2\"}"));
        check("GET", "/v1/agents/{id}/versions", http.get("/v1/agents/" + id + "/versions"));
        check("GET", "/v1/agents/{id}/versions/{n}", http.get("/v1/agents/" + id + "/versions/1"));
        // Without its MCP server reachable the run still answers; the agent's server is not contacted in this test.
        http.patch("/v1/agents/" + id + "?deploy=true", "{\"mcp_servers\":[]}");
        llm.enqueue(FakeLlm.text("hello"));
        Http.Response task = check("POST", "/v1/agents/{id}/invoke",
                http.post("/v1/agents/" + id + "/invoke", Http.json("input", Map.of("text", "hi"), "user_oidc_token", "t")));
        String taskId = task.json().path("id").asText();
        check("POST", "/v1/agents/{id}/invoke/async", http.post("/v1/agents/" + id + "/invoke/async",
                Http.json("input", Map.of("text", "again"))));
        check("GET", "/v1/tasks", http.get("/v1/tasks"));
        check("GET", "/v1/agents/{id}/tasks", http.get("/v1/agents/" + id + "/tasks"));
        check("GET", "/v1/tasks/{id}", http.get("/v1/tasks/" + taskId));
        check("GET", "/v1/tasks/{id}/runs", http.get("/v1/tasks/" + taskId + "/runs"));
        check("GET", "/v1/tasks/{id}/thread", http.get("/v1/tasks/" + taskId + "/thread"));
        check("POST", "/v1/tasks/{id}/stop", http.post("/v1/tasks/" + taskId + "/stop", "{}"));
        check("POST", "/v1/tasks/{id}/hitl/approve", http.post("/v1/tasks/" + taskId + "/hitl/approve", "{}"));
        check("GET", "/v1/llm_providers", http.get("/v1/llm_providers"));
        check("GET", "/v1/llm_providers/{provider}/models", http.get("/v1/llm_providers/openai/models"));
        Http.Response kb = check("POST", "/v1/knowledge", http.post("/v1/knowledge", "{\"name\":\"docs\"}"));
        check("GET", "/v1/knowledge/{id}", http.get("/v1/knowledge/" + kb.json().path("id").asText()));
        check("GET", "/v1/knowledge", http.get("/v1/knowledge"));
        check("POST", "/v1/webhooks", http.post("/v1/webhooks", "{\"url\":\"https://hooks.example.com/x\"}"));
        check("POST", "/v1/api_keys", http.post("/v1/api_keys", "{\"name\":\"ci\"}"));
        check("POST", "/v1/organizations", http.post("/v1/organizations", "{\"name\":\"other\"}"));
        check("GET", "/readyz", http.withKey(null).get("/readyz"));
        check("GET", "/health", http.withKey(null).get("/health"));
        // Errors in the contract's shapes.
        check("GET", "/v1/agents/{id}", http.get("/v1/agents/no-such-agent"));
        check("POST", "/v1/agents", http.post("/v1/agents", "{\"output_format\":\"xml\"}"));
        check("GET", "/v1/tasks/{id}", http.withKey("wrong").get("/v1/tasks/x"));

        assertThat(problems).isEmpty();
    }

    @Test
    void everyRouteHasItsRequestAndAnswerDescribed() {
        java.util.Set<String> routes = new java.util.TreeSet<>();
        doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> routes.add(m.toUpperCase() + " " + p.getKey())));
        assertThat(routes).allSatisfy(r -> assertThat(OpenApi.OPERATIONS).as("OpenApi.OPERATIONS").containsKey(r));
        assertThat(OpenApi.OPERATIONS.keySet()).as("described but not served").isSubsetOf(routes);
    }

    @Test
    void theDocsPageRendersTheDocumentWithFilesServedByTheNode() {
        Http.Response page = http.withKey(null).get("/docs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("/openapi.json").contains("/docs/swagger-ui-bundle.js").doesNotContain("https://");
        Http.Response script = http.withKey(null).get("/docs/swagger-ui-bundle.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.text()).contains("SwaggerUIBundle");
        assertThat(http.withKey(null).get("/docs/swagger-ui.css").status()).isEqualTo(200);
        assertThat(http.withKey(null).get("/docs/../../secret.key").status()).isEqualTo(404);
        assertThat(http.withKey(null).get("/docs/index.html").status()).isEqualTo(404);
    }

    /** Validates an answer against the schema documented for its route and status; a mismatch is collected. */
    private static Http.Response check(String method, String template, Http.Response res) {
        JsonNode op = doc.path("paths").path(template).path(method.toLowerCase());
        if (op.isMissingNode()) {
            problems.add(method + " " + template + ": not documented");
            return res;
        }
        JsonNode response = op.path("responses").path(String.valueOf(res.status()));
        if (response.isMissingNode()) {
            problems.add(method + " " + template + ": status " + res.status() + " not documented (" + res.text() + ")");
            return res;
        }
        JsonNode schema = response.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) return res;
        ObjectNode full = Json.object();
        full.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        full.set("$defs", refsToDefs(doc.path("components").path("schemas")));
        refsToDefs(schema).fields().forEachRemaining(e -> full.set(e.getKey(), e.getValue()));
        Set<ValidationMessage> errors = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(full)
                .validate(res.json());
        if (!errors.isEmpty()) problems.add(method + " " + template + " " + res.status() + ": " + errors + " in " + res.text());
        return res;
    }

    private static ObjectNode refsToDefs(JsonNode node) {
        return (ObjectNode) Json.tree(node.toString().replace("#/components/schemas/", "#/$defs/"));
    }
}
