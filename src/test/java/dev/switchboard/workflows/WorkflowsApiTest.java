package dev.switchboard.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Defining workflows through the API (CONTRACT §9): CRUD with the agents' draft/deploy/version rules, every node type
 * accepted in xpander's shape, every graph problem listed at once in one 422 with nothing stored, and adding nodes.
 */
class WorkflowsApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http http;
    static String agent;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
        http = server.http();
        agent = http.post("/v1/agents", "{\"name\":\"helper\"}").json().path("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    @Test
    void aWorkflowNeedsOnlyANameAndIsNoAgent() {
        Http.Response created = http.post("/v1/workflows", "{\"name\":\"empty flow\"}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode wf = created.json();
        String id = wf.path("id").asText();
        assertThat(wf.path("type").asText()).isEqualTo("orchestration");
        assertThat(wf.path("version").asInt()).isEqualTo(1);
        assertThat(wf.path("orchestration_nodes")).isEmpty();
        assertThat(http.get("/v1/workflows?per_page=100").json().path("items").findValuesAsText("id")).contains(id);
        assertThat(http.get("/v1/agents?per_page=100").json().path("items").findValuesAsText("id")).doesNotContain(id);
        assertThat(http.get("/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(http.get("/v1/workflows/" + agent).status()).isEqualTo(404);
        assertThat(http.post("/v1/agents/" + id + "/invoke", "{\"input\":{\"text\":\"x\"}}").status()).isEqualTo(404);
        assertThat(http.delete("/v1/workflows/" + id).status()).isEqualTo(202);
        assertThat(http.get("/v1/workflows/" + id).status()).isEqualTo(404);
    }

    @Test
    void everyNodeTypeIsAcceptedInXpandersShape() {
        String nested = http.post("/v1/workflows", "{\"name\":\"nested\"}").json().path("id").asText();
        String body = """
                {"name":"all nodes","orchestration_nodes":[
                  {"id":"triage","type":"classifier","next_node_ids":["bill","chat"],
                   "definition":{"groups":[{"id":"billing","name":"Billing"},{"id":"other","name":"Other"}],"instructions":"Sort it"}},
                  {"id":"bill","type":"agent","condition":{"type":"group","group_id":"billing"},"next_node_ids":["check"],
                   "definition":{"asset_id":"%s","instructions":"Handle billing","instructions_mode":"append"}},
                  {"id":"chat","type":"summarizer","condition":{"type":"else"},"definition":{"instructions":"Summarize"}},
                  {"id":"check","type":"guardrail","next_node_ids":["calc","end"],
                   "definition":{"groups":[{"id":"pass"},{"id":"fail"}]}},
                  {"id":"calc","type":"code","condition":{"group_id":"pass"},"next_node_ids":["notify"],
                   "definition":{"code":"$sum(items.price)"}},
                  {"id":"end","type":"send_to_end","condition":{"group_id":"fail"},"definition":{"message":"Refused"}},
                  {"id":"notify","type":"action","next_node_ids":["approve"],
                   "definition":{"method":"POST","url":"https://example.com/hook","body":"{{output}}"}},
                  {"id":"approve","type":"wait","next_node_ids":["fan"],
                   "definition":{"type":"hitl","title":"Approve?","timeout_seconds":3600,"default_action":"reject"}},
                  {"id":"fan","type":"parallel","next_node_ids":["sub"],
                   "definition":{"nodes":[{"id":"p1","type":"summarizer","definition":{}},
                                          {"id":"p2","type":"agent","definition":{"asset_id":"%s"}}]}},
                  {"id":"sub","type":"orchestration","return_this":true,"definition":{"asset_id":"%s"},
                   "condition":{"type":"gte","path":"score","value":"0.5"}}
                ]}""".formatted(agent, agent, nested);

        Http.Response res = http.post("/v1/workflows", body);

        assertThat(res.status()).as(res.text()).isEqualTo(201);
        JsonNode nodes = res.json().path("orchestration_nodes");
        assertThat(nodes).hasSize(10);
        List<String> types = new ArrayList<>();
        nodes.forEach(n -> types.add(n.path("type").asText()));
        assertThat(types).containsExactly("classifier", "agent", "summarizer", "guardrail", "code",
                "send_to_end", "action", "wait", "parallel", "orchestration");
        assertThat(http.get("/v1/workflows/" + res.json().path("id").asText()).json().path("orchestration_nodes")).isEqualTo(nodes);
    }

    @Test
    void anInvalidGraphGetsEveryProblemAtOnceAndNothingIsStored() {
        String id = http.post("/v1/workflows", "{\"name\":\"stable\"}").json().path("id").asText();
        String body = """
                {"orchestration_nodes":[
                  {"id":"a","type":"agent","next_node_ids":["b","ghost"],"definition":{"asset_id":"no-such-agent"}},
                  {"id":"b","type":"code","next_node_ids":["c"],"definition":{}},
                  {"id":"c","type":"summarizer","next_node_ids":["b"],"condition":{"group_id":"yes"},"definition":{}},
                  {"id":"d","type":"orchestration","definition":{"asset_id":"no-such-flow"},"return_this":true},
                  {"id":"e","type":"guardrail","definition":{"groups":[{"id":"ok"}]},"return_this":true},
                  {"id":"f","type":"action","definition":{"method":"FETCH"}},
                  {"id":"g","type":"wait","definition":{"timeout_seconds":0}},
                  {"id":"h","type":"summarizer","condition":{"type":"regex","value":"(["},"definition":{}},
                  {"id":"i","type":"summarizer","condition":{"type":"gt","path":"n","value":"many"},"definition":{}},
                  {"id":"j","type":"parallel","definition":{"nodes":[{"id":"j1","type":"summarizer","next_node_ids":["a"],"definition":{}}]}},
                  {"id":"k","type":"teleport"},
                  {"type":"summarizer","definition":{}},
                  {"id":"a","type":"summarizer","definition":{}}
                ]}""";

        Http.Response res = http.patch("/v1/workflows/" + id, body);

        assertThat(res.status()).isEqualTo(422);
        List<String> problems = new ArrayList<>();
        for (JsonNode d : res.json().path("detail")) problems.add(d.path("loc").toString() + " " + d.path("type").asText());
        assertThat(problems).as(res.text()).contains(
                "[\"orchestration_nodes\",\"0\",\"definition\",\"asset_id\"] unknown_agent",
                "[\"orchestration_nodes\",\"1\",\"definition\",\"code\"] missing",
                "[\"orchestration_nodes\",\"3\",\"definition\",\"asset_id\"] unknown_workflow",
                "[\"orchestration_nodes\",\"4\",\"definition\",\"groups\"] guardrail_groups",
                "[\"orchestration_nodes\",\"5\",\"definition\",\"url\"] missing",
                "[\"orchestration_nodes\",\"5\",\"definition\",\"method\"] enum",
                "[\"orchestration_nodes\",\"6\",\"definition\",\"type\"] missing",
                "[\"orchestration_nodes\",\"6\",\"definition\",\"timeout_seconds\"] greater_than",
                "[\"orchestration_nodes\",\"7\",\"condition\"] condition",
                "[\"orchestration_nodes\",\"8\",\"condition\"] condition",
                "[\"orchestration_nodes\",\"9\",\"definition\",\"nodes\",\"0\",\"next_node_ids\"] not_allowed",
                "[\"orchestration_nodes\",\"10\",\"type\"] enum",
                "[\"orchestration_nodes\",\"11\",\"id\"] missing",
                "[\"orchestration_nodes\",\"12\",\"id\"] duplicate");
        assertThat(http.get("/v1/workflows/" + id).json().path("orchestration_nodes")).isEmpty();
    }

    @Test
    void graphLevelProblemsAreFoundOnceTheNodesAreWellFormed() {
        String id = http.post("/v1/workflows", "{\"name\":\"loops\"}").json().path("id").asText();
        String body = """
                {"orchestration_nodes":[
                  {"id":"a","type":"summarizer","next_node_ids":["b","ghost"],"definition":{}},
                  {"id":"b","type":"summarizer","next_node_ids":["a"],"condition":{"group_id":"yes"},"definition":{}},
                  {"id":"c","type":"summarizer","definition":{},"return_this":true},
                  {"id":"d","type":"summarizer","definition":{},"return_this":true}
                ]}""";

        Http.Response res = http.patch("/v1/workflows/" + id, body);

        assertThat(res.status()).isEqualTo(422);
        List<String> types = res.json().path("detail").findValuesAsText("type");
        assertThat(types).contains("dangling_edge", "cycle", "condition_placement", "return_this");
        assertThat(res.text()).contains("a → b → a");
        Http.Response noEntry = http.patch("/v1/workflows/" + id, """
                {"orchestration_nodes":[{"id":"a","type":"summarizer","next_node_ids":["b"],"definition":{}},
                                        {"id":"b","type":"summarizer","next_node_ids":["a"],"definition":{}}]}""");
        assertThat(noEntry.json().path("detail").findValuesAsText("type")).contains("no_entry", "cycle");
    }

    @Test
    void draftsDeployAsVersionsLikeAgents() {
        String id = http.post("/v1/workflows", "{\"name\":\"versioned\"}").json().path("id").asText();
        String nodes = "{\"orchestration_nodes\":[{\"id\":\"s\",\"type\":\"summarizer\",\"definition\":{}}]}";

        JsonNode draft = http.patch("/v1/workflows/" + id, nodes).json();
        assertThat(draft.path("has_pending_changes").asBoolean()).isTrue();
        assertThat(draft.path("version").asInt()).isEqualTo(1);

        JsonNode deployed = http.put("/v1/workflows/" + id, "").json();
        assertThat(deployed.path("version").asInt()).isEqualTo(2);
        assertThat(deployed.path("has_pending_changes").asBoolean()).isFalse();
        assertThat(http.get("/v1/workflows/" + id + "/versions").json()).hasSize(2);
        assertThat(http.get("/v1/workflows/" + id + "/versions/2").json().path("orchestration_nodes")).hasSize(1);
    }

    @Test
    void nodesAreAddedAndWiredAndACycleIsRefused() {
        String id = http.post("/v1/workflows", """
                {"name":"built","orchestration_nodes":[{"id":"first","type":"summarizer","definition":{}}]}""")
                .json().path("id").asText();

        Http.Response added = http.post("/v1/workflows/" + id + "/nodes?deploy=true", """
                {"name":"helper step","agent_id":"%s","instructions":"Help","after_node_ids":["first"]}""".formatted(agent));

        assertThat(added.status()).as(added.text()).isEqualTo(200);
        JsonNode nodes = added.json();
        assertThat(nodes).hasSize(2);
        String second = nodes.get(1).path("id").asText();
        assertThat(nodes.get(0).path("next_node_ids").get(0).asText()).isEqualTo(second);
        assertThat(nodes.get(1).path("type").asText()).isEqualTo("agent");
        assertThat(nodes.get(1).path("target_agent_id").asText()).isEqualTo(agent);
        assertThat(http.get("/v1/workflows/" + id).json().path("version").asInt()).isEqualTo(2);

        Http.Response cycle = http.post("/v1/workflows/" + id + "/nodes", """
                {"advanced":{"id":"back","type":"summarizer","definition":{}},"after_node_ids":["%s"],"next_node_ids":["first"]}"""
                .formatted(second));
        assertThat(cycle.status()).isEqualTo(422);
        assertThat(cycle.json().path("detail").findValuesAsText("type")).contains("cycle");
        assertThat(http.get("/v1/workflows/" + id).json().path("orchestration_nodes")).hasSize(2);

        assertThat(http.post("/v1/workflows/" + id + "/nodes", "{\"name\":\"nothing\"}").status()).isEqualTo(422);
        assertThat(http.post("/v1/workflows/" + id + "/nodes", "{\"agent_id\":\"" + agent + "\",\"after_node_ids\":[\"nope\"]}")
                .status()).isEqualTo(422);
        assertThat(http.post("/v1/workflows/" + id + "/nodes", "{\"agent_id\":\"unknown\"}").status()).isEqualTo(422);
    }

    @Test
    void agentsDoNotTakeWorkflowNodes() {
        Http.Response res = http.post("/v1/agents", "{\"name\":\"confused\",\"orchestration_nodes\":[{\"id\":\"x\"}]}");
        assertThat(res.status()).isEqualTo(422);
        assertThat(res.text()).contains("orchestration_nodes");
    }
}
