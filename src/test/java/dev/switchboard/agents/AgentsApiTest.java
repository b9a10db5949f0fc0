package dev.switchboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Agents and their versions through the real API (CONTRACT §3), with the fake model behind invokes. */
class AgentsApiTest {
    static final String TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";

    static FakeLlm llm;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    // --- create -------------------------------------------------------------------------------------------------

    @Test
    void createWithOnlyANameEchoesTheDefaults() {
        Http.Response res = http.post("/v1/agents", Http.json("name", "defaults"));

        assertThat(res.status()).isEqualTo(201);
        JsonNode a = res.json();
        assertThat(UUID.fromString(a.path("id").asText())).isNotNull();
        assertThat(a.path("organization_id").asText()).isNotBlank();
        assertThat(a.path("name").asText()).isEqualTo("defaults");
        assertThat(a.path("description").asText()).isEmpty();
        assertThat(a.path("icon").asText()).isNotBlank();
        assertThat(a.path("instructions").path("role").isArray()).isTrue();
        assertThat(a.path("instructions").path("role")).isEmpty();
        assertThat(a.path("instructions").path("goal")).isEmpty();
        assertThat(a.path("instructions").path("general").asText()).isEmpty();
        assertThat(a.path("output_format").asText()).isEqualTo("markdown");
        // The only configured provider is the fake OpenAI one: the agent shows the model it got.
        assertThat(a.path("model_provider").asText()).isEqualTo("openai");
        assertThat(a.path("model_name").asText()).isNotBlank();
        assertThat(a.path("agno_settings").path("num_history_runs").asInt()).isEqualTo(10);
        assertThat(a.path("attached_tools").isArray()).isTrue();
        assertThat(a.path("mcp_servers").isArray()).isTrue();
        assertThat(a.path("knowledge_bases").isArray()).isTrue();
        assertThat(a.path("version").asInt()).isEqualTo(1);
        assertThat(a.path("has_pending_changes").asBoolean()).isFalse();
        assertThat(a.path("status").asText()).isNotBlank();
        assertThat(a.path("created_at").asText()).matches(TIME);
        assertThat(a.path("updated_at").asText()).matches(TIME);

        assertThat(http.get("/v1/agents/" + a.path("id").asText()).json()).isEqualTo(a);
    }

    @Test
    void createKeepsEveryFieldGiven() {
        String body = """
                {"name": "full", "description": "does things", "icon": "🤖",
                 "instructions": {"role": ["a helper"], "goal": ["help"], "general": "Be brief."},
                 "model_provider": "openai", "model_name": "gpt-4.1-mini", "llm_reasoning_effort": "high",
                 "output_format": "json", "output_schema": {"type": "object"}, "expected_output": "a JSON object",
                 "knowledge_bases": [{"id": "kb-1"}], "agno_settings": {"num_history_runs": 3, "tool_call_limit": 7}}""";

        JsonNode a = http.post("/v1/agents", body).json();

        assertThat(a.path("description").asText()).isEqualTo("does things");
        assertThat(a.path("icon").asText()).isEqualTo("🤖");
        assertThat(a.path("instructions").path("role").get(0).asText()).isEqualTo("a helper");
        assertThat(a.path("instructions").path("goal").get(0).asText()).isEqualTo("help");
        assertThat(a.path("instructions").path("general").asText()).isEqualTo("Be brief.");
        assertThat(a.path("model_name").asText()).isEqualTo("gpt-4.1-mini");
        assertThat(a.path("llm_reasoning_effort").asText()).isEqualTo("high");
        assertThat(a.path("output_format").asText()).isEqualTo("json");
        assertThat(a.path("output_schema").path("type").asText()).isEqualTo("object");
        assertThat(a.path("expected_output").asText()).isEqualTo("a JSON object");
        assertThat(a.path("knowledge_bases").get(0).path("strategy").asText()).isEqualTo("vanilla");
        assertThat(a.path("agno_settings").path("num_history_runs").asInt()).isEqualTo(3);
        assertThat(a.path("agno_settings").path("tool_call_limit").asInt()).isEqualTo(7);
    }

    @Test
    void unknownRequestFieldsAreIgnored() {
        Http.Response res = http.post("/v1/agents", Http.json("name", "lenient", "no_such_field", 42));

        assertThat(res.status()).isEqualTo(201);
        assertThat(res.json().has("no_such_field")).isFalse();
    }

    @Test
    void missingNameIs422WithItsLocation() {
        Http.Response res = http.post("/v1/agents", Http.json("description", "no name"));

        assertThat(res.status()).isEqualTo(422);
        JsonNode problem = res.json().path("detail").get(0);
        assertThat(problem.path("loc")).containsExactly(text("body"), text("name"));
        assertThat(problem.path("msg").asText()).isNotBlank();
        assertThat(problem.path("type").asText()).isEqualTo("missing");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"name\": 123}                                                   | name",
            "{\"name\": \"   \"}                                               | name",
            "{\"name\": null}                                                  | name",
            "{\"name\": true}                                                  | name",
            "{\"name\": [\"a\"]}                                               | name",
            "{\"name\": \"x\", \"description\": 5}                             | description",
            "{\"name\": \"x\", \"output_format\": \"pdf\"}                     | output_format",
            "{\"name\": \"x\", \"llm_reasoning_effort\": \"max\"}              | llm_reasoning_effort",
            "{\"name\": \"x\", \"model_provider\": \"no_such_provider\"}       | model_provider",
            "{\"name\": \"x\", \"instructions\": \"be nice\"}                  | instructions",
            "{\"name\": \"x\", \"instructions\": {\"role\": [1]}}              | instructions",
            "{\"name\": \"x\", \"instructions\": {\"general\": 5}}             | instructions",
            "{\"name\": \"x\", \"knowledge_bases\": [{\"id\": \"k\", \"strategy\": \"magic\"}]} | knowledge_bases",
            "{\"name\": \"x\", \"knowledge_bases\": [{\"strategy\": \"vanilla\"}]} | knowledge_bases",
            "{\"name\": \"x\", \"knowledge_bases\": 7}                         | knowledge_bases",
            "{\"name\": \"x\", \"agno_settings\": {\"num_history_runs\": -1}}  | agno_settings",
            "{\"name\": \"x\", \"agno_settings\": {\"num_history_runs\": \"3\"}} | agno_settings",
            "{\"name\": \"x\", \"agno_settings\": {\"tool_call_limit\": 3.5}}  | agno_settings",
            "{\"name\": \"x\", \"agno_settings\": []}                          | agno_settings",
            "{\"name\": \"x\", \"output_schema\": \"object\"}                  | output_schema",
            "{\"name\": \"x\", \"llm_extra_headers\": {\"X-A\": 1}}            | llm_extra_headers",
            "{\"name\": \"x\", \"llm_extra_headers\": [\"X-A\"]}               | llm_extra_headers",
            "{\"name\": \"x\", \"notification_settings\": 5}                   | notification_settings",
    })
    void wrongTypesAndBadValuesAre422AtTheField(String body, String field) {
        Http.Response res = http.post("/v1/agents", body);

        assertThat(res.status()).as(res.toString()).isEqualTo(422);
        JsonNode problem = res.json().path("detail").get(0);
        assertThat(problem.path("loc").path(0).asText()).isEqualTo("body");
        assertThat(problem.path("loc").path(1).asText()).as(res.toString()).isEqualTo(field);
        assertThat(problem.path("msg").asText()).isNotBlank();
        assertThat(problem.path("type").asText()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"name\": \"x\"}]", "\"x\"", "42", "null", "true", "{\"name\": \"x\""})
    void aBodyThatIsNotAnObjectIs422OnTheBody(String body) {
        Http.Response res = http.post("/v1/agents", body);

        assertThat(res.status()).as(res.toString()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc")).containsExactly(text("body"));
    }

    @Test
    void aProblemInsideAListNamesItsFullPath() {
        Http.Response res = http.post("/v1/agents", """
                {"name": "x", "knowledge_bases": [{"id": "kb-1"}, {"id": "kb-2", "strategy": "magic"}]}""");

        assertThat(res.status()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc"))
                .containsExactly(text("body"), text("knowledge_bases"), text("1"), text("strategy"));
    }

    @Test
    void aNameTooLongIs422() {
        Http.Response res = http.post("/v1/agents", Http.json("name", "n".repeat(256)));

        assertThat(res.status()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc")).containsExactly(text("body"), text("name"));
    }

    // --- read, list ---------------------------------------------------------------------------------------------

    @Test
    void unknownAgentIs404Everywhere() {
        String id = UUID.randomUUID().toString();
        for (Http.Response res : List.of(
                http.get("/v1/agents/" + id),
                http.patch("/v1/agents/" + id, Http.json("name", "x")),
                http.put("/v1/agents/" + id, Http.json("name", "x")),
                http.delete("/v1/agents/" + id),
                http.get("/v1/agents/" + id + "/versions"),
                http.get("/v1/agents/" + id + "/versions/1"),
                http.get("/v1/agents/" + id + "/tasks"),
                http.post("/v1/agents/" + id + "/invoke", Http.json("input", Map.of("text", "hi"))),
                http.post("/v1/agents/" + id + "/invoke/async", Http.json("input", Map.of("text", "hi"))),
                http.post("/v1/agents/" + id + "/invoke/stream", Http.json("input", Map.of("text", "hi"))),
                http.get("/v1/agents/not-a-uuid"))) {
            assertThat(res.status()).as(res.toString()).isEqualTo(404);
            assertThat(res.json().path("detail").isTextual()).as(res.toString()).isTrue();
        }
    }

    @Test
    void listIsPaginated() {
        // A fresh organization, so the counts are this test's alone.
        Http org = server.newOrganization("paging");
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            created.add(org.post("/v1/agents", Http.json("name", "agent " + i)).json().path("id").asText());
        }

        JsonNode first = org.get("/v1/agents?page=1&per_page=2").json();
        assertThat(first.path("total").asInt()).isEqualTo(5);
        assertThat(first.path("page").asInt()).isEqualTo(1);
        assertThat(first.path("per_page").asInt()).isEqualTo(2);
        assertThat(first.path("total_pages").asInt()).isEqualTo(3);
        assertThat(first.path("items")).hasSize(2);

        List<String> seen = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            org.get("/v1/agents?page=" + page + "&per_page=2").json().path("items")
                    .forEach(a -> seen.add(a.path("id").asText()));
        }
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);

        JsonNode past = org.get("/v1/agents?page=4&per_page=2").json();
        assertThat(past.path("items")).isEmpty();
        assertThat(past.path("total").asInt()).isEqualTo(5);

        JsonNode defaults = org.get("/v1/agents").json();
        assertThat(defaults.path("page").asInt()).isEqualTo(1);
        assertThat(defaults.path("per_page").asInt()).isEqualTo(20);
        assertThat(defaults.path("items")).hasSize(5);
        assertThat(defaults.path("total_pages").asInt()).isEqualTo(1);
    }

    @Test
    void theListOfAnEmptyOrganizationIsEmpty() {
        JsonNode list = server.newOrganization("empty").get("/v1/agents").json();

        assertThat(list.path("items")).isEmpty();
        assertThat(list.path("total").asInt()).isZero();
        assertThat(list.path("total_pages").asInt()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"page=0, page", "page=-1, page", "page=abc, page", "per_page=0, per_page", "per_page=101, per_page",
            "per_page=1.5, per_page"})
    void badPaginationIs422OnTheQuery(String query, String param) {
        Http.Response res = http.get("/v1/agents?" + query);

        assertThat(res.status()).as(res.toString()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc")).containsExactly(text("query"), text(param));
    }

    @Test
    void perPageOfOneHundredIsAllowed() {
        assertThat(http.get("/v1/agents?per_page=100").status()).isEqualTo(200);
    }

    // --- drafts, deploys, versions ------------------------------------------------------------------------------

    @Test
    void patchChangesTheDraftOnly() {
        String id = server.createAgent("drafty");

        Http.Response res = http.patch("/v1/agents/" + id, Http.json("description", "new words"));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("description").asText()).isEqualTo("new words");
        assertThat(res.json().path("name").asText()).isEqualTo("drafty");
        assertThat(res.json().path("version").asInt()).isEqualTo(1);
        assertThat(res.json().path("has_pending_changes").asBoolean()).isTrue();
        assertThat(http.get("/v1/agents/" + id).json().path("description").asText()).isEqualTo("new words");
        // Version 1 is as it was deployed.
        assertThat(http.get("/v1/agents/" + id + "/versions/1").json().path("description").asText()).isEmpty();
        assertThat(http.get("/v1/agents/" + id + "/versions").json()).hasSize(1);
    }

    @Test
    void patchWithDeployPublishesTheNextVersion() {
        String id = server.createAgent("deploy-on-patch");

        JsonNode a = http.patch("/v1/agents/" + id + "?deploy=true", Http.json("description", "v2")).json();

        assertThat(a.path("version").asInt()).isEqualTo(2);
        assertThat(a.path("has_pending_changes").asBoolean()).isFalse();
        assertThat(http.get("/v1/agents/" + id + "/versions/2").json().path("description").asText()).isEqualTo("v2");
    }

    @Test
    void putDeploysTheDraft() {
        String id = server.createAgent("deploy-on-put");
        http.patch("/v1/agents/" + id, Http.json("description", "pending"));

        Http.Response res = http.put("/v1/agents/" + id, null);

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("version").asInt()).isEqualTo(2);
        assertThat(res.json().path("has_pending_changes").asBoolean()).isFalse();
        assertThat(http.get("/v1/agents/" + id + "/versions/2").json().path("description").asText()).isEqualTo("pending");
    }

    @Test
    void putWithABodyAppliesItThenDeploys() {
        String id = server.createAgent("put-with-body");

        JsonNode a = http.put("/v1/agents/" + id, Http.json("description", "from put")).json();

        assertThat(a.path("version").asInt()).isEqualTo(2);
        assertThat(a.path("description").asText()).isEqualTo("from put");
        assertThat(a.path("name").asText()).isEqualTo("put-with-body");
    }

    @Test
    void putWithNothingPendingKeepsTheVersion() {
        String id = server.createAgent("nothing-pending");

        JsonNode a = http.put("/v1/agents/" + id, null).json();

        assertThat(a.path("version").asInt()).isEqualTo(1);
        assertThat(http.get("/v1/agents/" + id + "/versions").json()).hasSize(1);
    }

    @Test
    void aRejectedPatchOrPutChangesNothing() {
        String id = server.createAgent("atomic");
        JsonNode before = http.get("/v1/agents/" + id).json();

        assertThat(http.patch("/v1/agents/" + id, Http.json("output_format", "pdf")).status()).isEqualTo(422);
        assertThat(http.patch("/v1/agents/" + id, Http.json("name", "")).status()).isEqualTo(422);
        assertThat(http.patch("/v1/agents/" + id, Http.json("name", null)).status()).isEqualTo(422);
        assertThat(http.patch("/v1/agents/" + id, "[]").status()).isEqualTo(422);
        assertThat(http.patch("/v1/agents/" + id, "{").status()).isEqualTo(422);
        assertThat(http.put("/v1/agents/" + id, Http.json("llm_reasoning_effort", "max")).status()).isEqualTo(422);
        assertThat(http.patch("/v1/agents/" + id + "?deploy=maybe", Http.json("description", "x")).status()).isEqualTo(422);

        assertThat(http.get("/v1/agents/" + id).json()).isEqualTo(before);
        assertThat(http.get("/v1/agents/" + id + "/versions").json()).hasSize(1);
    }

    @Test
    void versionsListEveryDeployNewestFirst() {
        String id = server.createAgent("versions");
        http.patch("/v1/agents/" + id + "?deploy=true", Http.json("description", "two"));
        http.put("/v1/agents/" + id, Http.json("description", "three"));

        JsonNode versions = http.get("/v1/agents/" + id + "/versions").json();

        assertThat(versions).hasSize(3);
        assertThat(versions.get(0).path("version").asInt()).isEqualTo(3);
        assertThat(versions.get(0).path("is_latest").asBoolean()).isTrue();
        assertThat(versions.get(2).path("version").asInt()).isEqualTo(1);
        assertThat(versions.get(2).path("is_latest").asBoolean()).isFalse();
        assertThat(versions.get(2).path("created_at").asText()).matches(TIME);

        JsonNode v2 = http.get("/v1/agents/" + id + "/versions/2").json();
        assertThat(v2.path("version").asInt()).isEqualTo(2);
        assertThat(v2.path("description").asText()).isEqualTo("two");
        assertThat(v2.path("is_latest").asBoolean()).isFalse();

        assertThat(http.get("/v1/agents/" + id + "/versions/9").status()).isEqualTo(404);
        assertThat(http.get("/v1/agents/" + id + "/versions/two").status()).isEqualTo(422);
    }

    // --- invoking versions --------------------------------------------------------------------------------------

    @Test
    void invokeRunsTheLatestDeployedVersionUnlessAskedOtherwise() {
        String id = http.post("/v1/agents", """
                {"name": "versioned", "instructions": {"general": "INSTRUCTIONS-ONE"}}""").json().path("id").asText();
        http.patch("/v1/agents/" + id + "?deploy=true", """
                {"instructions": {"general": "INSTRUCTIONS-TWO"}}""");
        http.patch("/v1/agents/" + id, """
                {"instructions": {"general": "INSTRUCTIONS-DRAFT"}}""");

        assertThat(invokeSystemPrompt(id, "", "latest")).contains("INSTRUCTIONS-TWO").doesNotContain("INSTRUCTIONS-ONE");
        assertThat(invokeSystemPrompt(id, "?version=1", "one")).contains("INSTRUCTIONS-ONE").doesNotContain("INSTRUCTIONS-TWO");
        assertThat(invokeSystemPrompt(id, "?version=2", "two")).contains("INSTRUCTIONS-TWO");
        assertThat(invokeSystemPrompt(id, "?version=draft", "draft")).contains("INSTRUCTIONS-DRAFT");
    }

    @Test
    void theTaskRecordsTheVersionThatRan() {
        String id = server.createAgent("version-on-task");
        http.patch("/v1/agents/" + id, Http.json("description", "draft change"));

        assertThat(invoke(id, "", "plain").path("agent_version").asText()).isEqualTo("1");
        assertThat(invoke(id, "?version=draft", "on draft").path("agent_version").asText()).isEqualTo("draft");
    }

    @Test
    void invokingAVersionThatDoesNotExistIs404AndANonsenseVersionIs422() {
        String id = server.createAgent("no-such-version");
        String body = Http.json("input", Map.of("text", "hi"));

        assertThat(http.post("/v1/agents/" + id + "/invoke?version=5", body).status()).isEqualTo(404);
        Http.Response bad = http.post("/v1/agents/" + id + "/invoke?version=latest-ish", body);
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("detail").get(0).path("loc")).containsExactly(text("query"), text("version"));
    }

    // --- secrets --------------------------------------------------------------------------------------------------

    @Test
    void secretsAreMaskedEverywhereAndAMaskSentBackKeepsTheStoredValue() {
        JsonNode a = http.post("/v1/agents", """
                {"name": "secretive", "webhook_secret": "whsec_c2VjcmV0",
                 "llm_extra_headers": {"X-Upstream-Key": "upstream-secret-1"}}""").json();
        String id = a.path("id").asText();

        for (JsonNode shown : List.of(a, http.get("/v1/agents/" + id).json(), http.get("/v1/agents/" + id + "/versions/1").json())) {
            assertThat(shown.path("webhook_secret").asText()).isEqualTo("***");
            assertThat(shown.path("llm_extra_headers").path("X-Upstream-Key").asText()).isEqualTo("***");
            assertThat(shown.toString()).doesNotContain("whsec_c2VjcmV0").doesNotContain("upstream-secret-1");
        }
        assertThat(http.get("/v1/agents?per_page=100").text()).doesNotContain("upstream-secret-1").doesNotContain("whsec_c2VjcmV0");

        // The masked value sent back (as a client that round-trips the agent does) keeps the real one.
        JsonNode patched = http.patch("/v1/agents/" + id + "?deploy=true", """
                {"description": "changed", "webhook_secret": "***", "llm_extra_headers": {"X-Upstream-Key": "***"}}""").json();
        assertThat(patched.path("webhook_secret").asText()).isEqualTo("***");

        invoke(id, "", "header check");
        FakeLlm.Received sent = requestWithUserText("header check");
        assertThat(sent.header("X-Upstream-Key")).isEqualTo("upstream-secret-1");
    }

    // --- delete, tasks --------------------------------------------------------------------------------------------

    @Test
    void deleteAnswers202AndTheAgentIsGone() {
        String id = server.createAgent("doomed");

        Http.Response res = http.delete("/v1/agents/" + id);

        assertThat(res.status()).isEqualTo(202);
        assertThat(res.json().path("id").asText()).isEqualTo(id);
        assertThat(http.get("/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(http.get("/v1/agents/" + id + "/versions").status()).isEqualTo(404);
        assertThat(http.post("/v1/agents/" + id + "/invoke", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(404);
        assertThat(http.delete("/v1/agents/" + id).status()).isEqualTo(404);
    }

    @Test
    void secretsAreStoredEncryptedAndStillReachTheModel() throws Exception {
        String secret = "agent-webhook-secret-" + UUID.randomUUID();
        String headerValue = "header-value-" + UUID.randomUUID();
        String id = http.post("/v1/agents", Http.json("name", "sealed", "webhook_secret", secret,
                "llm_extra_headers", Map.of("X-Sealed", headerValue))).json().path("id").asText();
        llm.enqueue(FakeLlm.text("ok"));
        assertThat(http.post("/v1/agents/" + id + "/invoke", Http.json("input", Map.of("text", "hi"))).status()).isEqualTo(200);

        // The model got the header in clear; the data folder (agents, versions, the run's frozen turn) never has it.
        assertThat(llm.chatRequests().getLast().header("X-Sealed")).isEqualTo(headerValue);
        try (var files = java.nio.file.Files.walk(server.dataDir())) {
            for (java.nio.file.Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String bytes = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes.contains(secret)).as("the webhook secret in clear in " + file).isFalse();
                assertThat(bytes.contains(headerValue)).as("the header value in clear in " + file).isFalse();
            }
        }
    }

    @Test
    void anAgentsTasksListsItsOwnTasksOnly() {
        String mine = server.createAgent("with-tasks");
        String other = server.createAgent("other-tasks");
        String task = invoke(mine, "", "for the list").path("id").asText();
        invoke(other, "", "not for the list");

        JsonNode list = http.get("/v1/agents/" + mine + "/tasks").json();

        assertThat(list.path("total").asInt()).isEqualTo(1);
        assertThat(list.path("items").get(0).path("id").asText()).isEqualTo(task);
        assertThat(list.path("items").get(0).path("agent_id").asText()).isEqualTo(mine);
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static JsonNode invoke(String agentId, String query, String text) {
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke" + query, Http.json("input", Map.of("text", text)));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).as(res.toString()).isEqualTo("completed");
        return res.json();
    }

    /** Invokes with a unique text and returns the system prompt the model received for it. */
    private static String invokeSystemPrompt(String agentId, String query, String label) {
        String text = "which instructions? " + label + " " + UUID.randomUUID();
        invoke(agentId, query, text);
        return requestWithUserText(text).systemText();
    }

    private static FakeLlm.Received requestWithUserText(String text) {
        return llm.chatRequests().stream().filter(r -> r.lastUserText().equals(text)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the model never saw: " + text));
    }

    private static JsonNode text(String s) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(s);
    }
}
