package dev.switchboard.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookEndpointsApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(null, Map.of("SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode create(Http http, Object... fields) {
        Http.Response res = http.post("/v1/webhooks", Http.json(fields));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json();
    }

    @Test
    void theSecretIsShownOnceAtCreation() {
        JsonNode created = create(server.http(), "url", "http://127.0.0.1:9/hook", "events", List.of("task.completed"));

        String secret = created.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(24);
        assertThat(created.path("enabled").asBoolean()).isTrue();
        assertThat(created.path("events")).hasSize(1);

        JsonNode got = server.http().get("/v1/webhooks/" + created.path("id").asText()).json();
        assertThat(got.path("secret").asText()).isEqualTo("***");
        assertThat(got.path("url").asText()).isEqualTo("http://127.0.0.1:9/hook");
        JsonNode list = server.http().get("/v1/webhooks").json();
        assertThat(list.path("items").findValuesAsText("secret")).containsOnly("***");
        assertThat(list.path("total").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theSecretIsStoredEncrypted() throws Exception {
        JsonNode created = create(server.http(), "url", "http://127.0.0.1:9/enc", "events", List.of("task.completed"));
        String secret = created.path("secret").asText();
        String rotated = server.http().post("/v1/webhooks/" + created.path("id").asText() + "/rotate-secret", "{}")
                .json().path("secret").asText();
        assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);

        // Neither secret, nor its random part, is anywhere in the data folder in clear (database, WAL, key file aside).
        try (var files = java.nio.file.Files.walk(server.dataDir())) {
            for (java.nio.file.Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String bytes = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String s : List.of(secret, rotated, secret.substring(6), rotated.substring(6))) {
                    assertThat(bytes.contains(s)).as("a webhook secret in clear in " + file).isFalse();
                }
            }
        }
    }

    @Test
    void patchChangesOnlyTheGivenFieldsAndDeleteRemoves() {
        String id = create(server.http(), "url", "http://127.0.0.1:9/a", "description", "mine").path("id").asText();

        Http.Response patched = server.http().patch("/v1/webhooks/" + id,
                Http.json("events", List.of("task.failed", "task.error"), "enabled", false));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.json().path("events").toString()).isEqualTo("[\"task.failed\",\"task.error\"]");
        assertThat(patched.json().path("enabled").asBoolean()).isFalse();
        assertThat(patched.json().path("url").asText()).isEqualTo("http://127.0.0.1:9/a");
        assertThat(patched.json().path("description").asText()).isEqualTo("mine");
        assertThat(patched.json().path("secret").asText()).isEqualTo("***");

        JsonNode enabled = server.http().patch("/v1/webhooks/" + id, Http.json("enabled", true)).json();
        assertThat(enabled.path("enabled").asBoolean()).isTrue();
        assertThat(enabled.path("disabled_reason").isNull()).isTrue();

        assertThat(server.http().delete("/v1/webhooks/" + id).status()).isEqualTo(204);
        assertThat(server.http().get("/v1/webhooks/" + id).status()).isEqualTo(404);
        assertThat(server.http().delete("/v1/webhooks/" + id).status()).isEqualTo(404);
    }

    @Test
    void invalidEndpointsAre422() {
        Http http = server.http();
        assertThat(http.post("/v1/webhooks", Http.json("events", List.of())).json().path("detail").get(0).path("loc").toString())
                .isEqualTo("[\"body\",\"url\"]");
        Http.Response ftp = http.post("/v1/webhooks", Http.json("url", "ftp://example.com/x"));
        assertThat(ftp.status()).isEqualTo(422);
        assertThat(ftp.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"url\"]");
        Http.Response event = http.post("/v1/webhooks", Http.json("url", "http://127.0.0.1:9/", "events", List.of("task.done")));
        assertThat(event.status()).isEqualTo(422);
        assertThat(event.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"events\",\"0\"]");
        assertThat(http.post("/v1/webhooks", Http.json("url", 42)).status()).isEqualTo(422);

        String id = create(http, "url", "http://127.0.0.1:9/").path("id").asText();
        assertThat(http.patch("/v1/webhooks/" + id, "{}").status()).isEqualTo(422);
        assertThat(http.patch("/v1/webhooks/" + id, Http.json("url", "not a url")).status()).isEqualTo(422);
        assertThat(http.patch("/v1/webhooks/" + id, Http.json("enabled", "yes")).status()).isEqualTo(422);
    }

    @Test
    void anotherOrganizationsEndpointIsNotFound() {
        String id = create(server.http(), "url", "http://127.0.0.1:9/mine").path("id").asText();
        Http other = server.newOrganization("other-" + id);

        assertThat(other.get("/v1/webhooks/" + id).status()).isEqualTo(404);
        assertThat(other.patch("/v1/webhooks/" + id, Http.json("enabled", false)).status()).isEqualTo(404);
        assertThat(other.delete("/v1/webhooks/" + id).status()).isEqualTo(404);
        assertThat(other.post("/v1/webhooks/" + id + "/rotate-secret", null).status()).isEqualTo(404);
        assertThat(other.get("/v1/webhooks").json().path("total").asLong()).isZero();
        assertThat(server.http().get("/v1/webhooks/" + id).status()).isEqualTo(200);
    }

    @Test
    void unknownIdsAre404AndListsArePaginated() {
        assertThat(server.http().get("/v1/webhooks/nope").status()).isEqualTo(404);
        assertThat(server.http().get("/v1/webhooks?per_page=0").status()).isEqualTo(422);
        JsonNode page = server.http().get("/v1/webhooks?per_page=1").json();
        assertThat(page.path("per_page").asInt()).isEqualTo(1);
        assertThat(page.path("items").size()).isLessThanOrEqualTo(1);
    }

    @Test
    void aLoopbackUrlIsRefusedWhenPrivateNetworksAreNot() {
        try (TestServer strict = TestServer.start(null, Map.of())) {
            Http.Response res = strict.http().post("/v1/webhooks", Http.json("url", "http://127.0.0.1:8080/hook"));
            assertThat(res.status()).isEqualTo(422);
            JsonNode problem = res.json().path("detail").get(0);
            assertThat(problem.path("type").asText()).isEqualTo("url_refused");
            assertThat(problem.path("msg").asText()).contains("SWITCHBOARD_ALLOW_PRIVATE_NETWORK");
        }
    }
}
