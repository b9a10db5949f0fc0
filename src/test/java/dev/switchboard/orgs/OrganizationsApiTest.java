package dev.switchboard.orgs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Authentication, organizations, API keys, and the isolation between organizations (CONTRACT §2). */
class OrganizationsApiTest {
    static FakeLlm llm;
    static TestServer server;
    static Http admin;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
        admin = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    // --- authentication ---------------------------------------------------------------------------------------------

    @Test
    void noKeyIs401() {
        Http.Response res = admin.withKey(null).get("/v1/agents");

        assertThat(res.status()).isEqualTo(401);
        assertThat(res.json().path("detail").asText()).isEqualTo("API key not specified");
    }

    @Test
    void anEmptyKeyOrAnotherSchemeCountsAsNoKey() {
        Http anonymous = admin.withKey(null);

        assertThat(anonymous.send("GET", "/v1/agents", null, Map.of("x-api-key", " ")).status()).isEqualTo(401);
        assertThat(anonymous.send("GET", "/v1/agents", null, Map.of("Authorization", "Basic dXNlcjpwYXNz")).status())
                .isEqualTo(401);
        assertThat(anonymous.send("GET", "/v1/agents", null, Map.of("Authorization", "Bearer ")).status()).isEqualTo(401);
    }

    @Test
    void anUnknownKeyIs403() {
        Http.Response res = admin.withKey("sb-not-a-real-key").get("/v1/agents");

        assertThat(res.status()).isEqualTo(403);
        assertThat(res.json().path("detail").asText()).isEqualTo("Invalid API key");
    }

    @Test
    void theKeyIsAcceptedAsXApiKeyOrBearer() {
        Http anonymous = admin.withKey(null);

        assertThat(admin.get("/v1/agents").status()).isEqualTo(200);
        assertThat(anonymous.send("GET", "/v1/agents", null, Map.of("Authorization", "Bearer " + TestServer.ADMIN_KEY))
                .status()).isEqualTo(200);
        assertThat(anonymous.send("GET", "/v1/agents", null, Map.of("Authorization", "bearer " + TestServer.ADMIN_KEY))
                .status()).isEqualTo(200);
        Http.Response badBearer = anonymous.send("GET", "/v1/agents", null, Map.of("Authorization", "Bearer sb-wrong"));
        assertThat(badBearer.status()).isEqualTo(403);
        assertThat(badBearer.json().path("detail").asText()).isEqualTo("Invalid API key");
    }

    @Test
    void everyKeyedRouteNeedsAKey() {
        Http anonymous = admin.withKey(null);
        String id = UUID.randomUUID().toString();
        for (Http.Response res : List.of(
                anonymous.post("/v1/agents", Http.json("name", "x")),
                anonymous.get("/v1/agents/" + id),
                anonymous.post("/v1/agents/" + id + "/invoke", Http.json("input", Map.of("text", "hi"))),
                anonymous.get("/v1/tasks"),
                anonymous.post("/v1/tasks/" + id + "/stop", null),
                anonymous.post("/v1/organizations", Http.json("name", "x")),
                anonymous.get("/v1/api_keys"),
                anonymous.post("/v1/api_keys", "{}"),
                anonymous.delete("/v1/api_keys/" + id))) {
            assertThat(res.status()).as(res.toString()).isEqualTo(401);
        }
    }

    // --- organizations ---------------------------------------------------------------------------------------------

    @Test
    void anAdminCreatesAnOrganizationWithItsFirstKeyShownOnce() {
        Http.Response res = admin.post("/v1/organizations", Http.json("name", "Acme"));

        assertThat(res.status()).isEqualTo(201);
        JsonNode org = res.json();
        assertThat(UUID.fromString(org.path("id").asText())).isNotNull();
        assertThat(org.path("name").asText()).isEqualTo("Acme");
        String key = org.path("api_key").asText();
        assertThat(key).isNotBlank();

        Http acme = admin.withKey(key);
        assertThat(acme.get("/v1/agents").status()).isEqualTo(200);
        JsonNode keys = acme.get("/v1/api_keys").json();
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).has("api_key")).isFalse();
        assertThat(keys.get(0).toString()).doesNotContain(key);
        // A new agent lands in the new organization.
        String agent = acme.post("/v1/agents", Http.json("name", "acme agent")).json().path("organization_id").asText();
        assertThat(agent).isEqualTo(org.path("id").asText());
    }

    @Test
    void onlyAdminKeysCreateOrganizations() {
        Http other = server.newOrganization("not admin");
        String plainKey = admin.post("/v1/api_keys", Http.json("name", "plain")).json().path("api_key").asText();

        for (Http notAdmin : List.of(other, admin.withKey(plainKey))) {
            Http.Response res = notAdmin.post("/v1/organizations", Http.json("name", "sneaky"));
            assertThat(res.status()).as(res.toString()).isEqualTo(403);
            assertThat(res.json().path("detail").isTextual()).isTrue();
        }
    }

    @Test
    void anOrganizationNeedsAName() {
        assertThat(admin.post("/v1/organizations", "{}").status()).isEqualTo(422);
        assertThat(admin.post("/v1/organizations", Http.json("name", " ")).status()).isEqualTo(422);
        assertThat(admin.post("/v1/organizations", Http.json("name", 7)).status()).isEqualTo(422);
        Http.Response res = admin.post("/v1/organizations", null);
        assertThat(res.status()).isEqualTo(422);
        assertThat(res.json().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("body");
    }

    // --- API keys --------------------------------------------------------------------------------------------------

    @Test
    void aNewKeyIsShownOnceWorksAndIsListedWithoutItsValue() {
        Http org = server.newOrganization("keys");

        Http.Response created = org.post("/v1/api_keys", Http.json("name", "ci"));

        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("api_key").asText();
        String keyId = created.json().path("id").asText();
        assertThat(key).isNotBlank();
        assertThat(created.json().path("name").asText()).isEqualTo("ci");

        assertThat(admin.withKey(key).get("/v1/agents").status()).isEqualTo(200);
        Http.Response list = org.get("/v1/api_keys");
        assertThat(list.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.json().forEach(k -> ids.add(k.path("id").asText()));
        assertThat(ids).hasSize(2).contains(keyId);
        assertThat(list.text()).doesNotContain(key);
        list.json().forEach(k -> assertThat(k.has("api_key")).isFalse());
    }

    @Test
    void aKeyNeedsNoBody() {
        Http.Response res = server.newOrganization("bodyless").post("/v1/api_keys", null);

        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        assertThat(res.json().path("api_key").asText()).isNotBlank();
    }

    @Test
    void keysAreStoredHashed() {
        String key = admin.post("/v1/api_keys", Http.json("name", "hashed")).json().path("api_key").asText();
        String orgKey = admin.post("/v1/organizations", Http.json("name", "hashed org")).json().path("api_key").asText();

        byte[][] secrets = {key.getBytes(StandardCharsets.UTF_8), orgKey.getBytes(StandardCharsets.UTF_8),
                TestServer.ADMIN_KEY.getBytes(StandardCharsets.UTF_8)};
        try (var files = Files.walk(server.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                for (byte[] secret : secrets) {
                    assertThat(indexOf(bytes, secret)).as("a key in clear in " + file).isEqualTo(-1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDeletedKeyStopsWorkingAtOnce() {
        Http org = server.newOrganization("revoke");
        JsonNode created = org.post("/v1/api_keys", Http.json("name", "short-lived")).json();
        Http holder = admin.withKey(created.path("api_key").asText());
        assertThat(holder.get("/v1/agents").status()).isEqualTo(200);

        assertThat(org.delete("/v1/api_keys/" + created.path("id").asText()).status()).isEqualTo(204);

        Http.Response after = holder.get("/v1/agents");
        assertThat(after.status()).isEqualTo(403);
        assertThat(after.json().path("detail").asText()).isEqualTo("Invalid API key");
        assertThat(org.get("/v1/api_keys").json()).hasSize(1);
        assertThat(org.delete("/v1/api_keys/" + created.path("id").asText()).status()).isEqualTo(404);
    }

    @Test
    void anotherOrganizationsKeyCannotBeDeletedOrSeen() {
        Http first = server.newOrganization("first");
        Http second = server.newOrganization("second");
        JsonNode key = first.post("/v1/api_keys", Http.json("name", "mine")).json();

        Http.Response res = second.delete("/v1/api_keys/" + key.path("id").asText());

        assertThat(res.status()).isEqualTo(404);
        assertThat(admin.withKey(key.path("api_key").asText()).get("/v1/agents").status()).isEqualTo(200);
        assertThat(second.get("/v1/api_keys").text()).doesNotContain(key.path("id").asText());
    }

    // --- isolation -------------------------------------------------------------------------------------------------

    @Test
    void anotherOrganizationsAgentAnswers404() {
        Http owner = server.newOrganization("owner");
        Http stranger = server.newOrganization("stranger");
        String agent = owner.post("/v1/agents", Http.json("name", "private")).json().path("id").asText();
        String invoke = Http.json("input", Map.of("text", "hi"));

        for (Http.Response res : List.of(
                stranger.get("/v1/agents/" + agent),
                stranger.patch("/v1/agents/" + agent, Http.json("name", "taken")),
                stranger.patch("/v1/agents/" + agent + "?deploy=true", Http.json("name", "taken")),
                stranger.put("/v1/agents/" + agent, Http.json("name", "taken")),
                stranger.delete("/v1/agents/" + agent),
                stranger.get("/v1/agents/" + agent + "/versions"),
                stranger.get("/v1/agents/" + agent + "/versions/1"),
                stranger.get("/v1/agents/" + agent + "/tasks"),
                stranger.post("/v1/agents/" + agent + "/invoke", invoke),
                stranger.post("/v1/agents/" + agent + "/invoke?version=draft", invoke),
                stranger.post("/v1/agents/" + agent + "/invoke/async", invoke),
                stranger.post("/v1/agents/" + agent + "/invoke/stream", invoke))) {
            assertThat(res.status()).as(res.toString()).isEqualTo(404);
        }
        // Untouched, and no task was started for it.
        JsonNode still = owner.get("/v1/agents/" + agent).json();
        assertThat(still.path("name").asText()).isEqualTo("private");
        assertThat(still.path("version").asInt()).isEqualTo(1);
        assertThat(still.path("has_pending_changes").asBoolean()).isFalse();
        assertThat(owner.get("/v1/agents/" + agent + "/tasks").json().path("total").asInt()).isZero();
    }

    @Test
    void anotherOrganizationsTaskAnswers404() {
        Http owner = server.newOrganization("task owner");
        Http stranger = server.newOrganization("task stranger");
        String agent = owner.post("/v1/agents", Http.json("name", "worker")).json().path("id").asText();
        // A slow answer keeps the task running while the stranger tries to stop it.
        llm.enqueue(FakeLlm.slow("finished in peace", Duration.ofMillis(700)));
        JsonNode task = owner.post("/v1/agents/" + agent + "/invoke/async", Http.json("input", Map.of("text", "work"))).json();
        String id = task.path("id").asText();

        for (Http.Response res : List.of(
                stranger.get("/v1/tasks/" + id),
                stranger.post("/v1/tasks/" + id + "/stop", null),
                stranger.delete("/v1/tasks/" + id),
                stranger.get("/v1/tasks/" + id + "/thread"),
                stranger.get("/v1/tasks/" + id + "/thread/full"),
                stranger.get("/v1/tasks/" + id + "/runs"),
                stranger.get("/v1/tasks/" + id + "/events"),
                stranger.post("/v1/tasks/" + id + "/retry", null))) {
            assertThat(res.status()).as(res.toString()).isEqualTo(404);
            assertThat(res.json().path("detail").isTextual()).isTrue();
        }

        JsonNode finished = waitForEnd(owner, id);
        assertThat(finished.path("status").asText()).isEqualTo("completed");
        assertThat(finished.path("result").asText()).isEqualTo("finished in peace");
        assertThat(finished.path("is_manually_stopped").asBoolean()).isFalse();
    }

    @Test
    void listsShowOnlyTheCallersOrganization() {
        Http first = server.newOrganization("list one");
        Http second = server.newOrganization("list two");
        String firstAgent = first.post("/v1/agents", Http.json("name", "one")).json().path("id").asText();
        String secondAgent = second.post("/v1/agents", Http.json("name", "two")).json().path("id").asText();
        String firstTask = first.post("/v1/agents/" + firstAgent + "/invoke", Http.json("input", Map.of("text", "a")))
                .json().path("id").asText();

        JsonNode agents = second.get("/v1/agents").json();
        assertThat(agents.path("total").asInt()).isEqualTo(1);
        assertThat(agents.path("items").get(0).path("id").asText()).isEqualTo(secondAgent);

        JsonNode tasks = second.get("/v1/tasks").json();
        assertThat(tasks.path("total").asInt()).isZero();
        assertThat(second.get("/v1/tasks?agent_id=" + firstAgent).json().path("total").asInt()).isZero();
        assertThat(first.get("/v1/tasks").json().path("items").get(0).path("id").asText()).isEqualTo(firstTask);
        // The admin key is an admin of the default organization, not a window onto every organization.
        assertThat(admin.get("/v1/agents/" + firstAgent).status()).isEqualTo(404);
        assertThat(admin.get("/v1/tasks/" + firstTask).status()).isEqualTo(404);
    }

    @Test
    void aThreadIdOfAnotherOrganizationIsANewThreadHere() {
        Http first = server.newOrganization("thread one");
        Http second = server.newOrganization("thread two");
        String firstAgent = first.post("/v1/agents", Http.json("name", "one")).json().path("id").asText();
        String secondAgent = second.post("/v1/agents", Http.json("name", "two")).json().path("id").asText();
        String thread = "shared-thread-" + UUID.randomUUID();
        first.post("/v1/agents/" + firstAgent + "/invoke",
                Http.json("id", thread, "input", Map.of("text", "FIRST-ORG-SECRET-WORDS")));

        Http.Response res = second.post("/v1/agents/" + secondAgent + "/invoke",
                Http.json("id", thread, "input", Map.of("text", "hello from two")));

        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.json().path("id").asText()).isEqualTo(thread);
        assertThat(res.json().path("agent_id").asText()).isEqualTo(secondAgent);
        FakeLlm.Received sent = llm.chatRequests().stream()
                .filter(r -> r.lastUserText().equals("hello from two")).findFirst().orElseThrow();
        assertThat(sent.messages().toString()).doesNotContain("FIRST-ORG-SECRET-WORDS");
        // Both threads live on, each in its own organization.
        assertThat(first.get("/v1/tasks/" + thread).json().path("agent_id").asText()).isEqualTo(firstAgent);
        assertThat(second.get("/v1/tasks/" + thread).json().path("agent_id").asText()).isEqualTo(secondAgent);
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    private static JsonNode waitForEnd(Http http, String taskId) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25))
                .until(() -> http.get("/v1/tasks/" + taskId).json(),
                        t -> !List.of("pending", "executing").contains(t.path("status").asText()));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
