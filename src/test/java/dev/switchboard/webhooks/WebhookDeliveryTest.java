package dev.switchboard.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.Receiver;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Deliveries to real receivers on loopback, with a fast retry schedule. */
class WebhookDeliveryTest {
    static FakeLlm llm;
    static TestServer server;
    static Receiver receiver;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        receiver = Receiver.start();
        server = TestServer.start(llm, Map.of(
                "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", "true",
                "SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE", "200ms,400ms,800ms",
                "SWITCHBOARD_WEBHOOK_TIMEOUT_SECONDS", "1",
                "SWITCHBOARD_WEBHOOK_DISABLE_AFTER", "2"));
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
        llm.close();
    }

    /** Each test in its own organization, so that one test's endpoints never receive another's events. */
    private static Http organization() {
        return server.newOrganization("org-" + UUID.randomUUID());
    }

    private static String path() { return "/" + UUID.randomUUID(); }

    private static JsonNode endpoint(Http http, String url, Object... more) {
        Object[] fields = new Object[more.length + 2];
        fields[0] = "url";
        fields[1] = url;
        System.arraycopy(more, 0, fields, 2, more.length);
        Http.Response res = http.post("/v1/webhooks", Http.json(fields));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json();
    }

    private static String agent(Http http, Object... fields) {
        Http.Response res = http.post("/v1/agents", Http.json(fields.length == 0 ? new Object[]{"name", "hooked"} : fields));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return res.json().path("id").asText();
    }

    private static JsonNode invoke(Http http, String agentId, String reply, Object... extra) {
        llm.enqueue(FakeLlm.text(reply));
        Object[] fields = new Object[extra.length + 2];
        fields[0] = "input";
        fields[1] = Map.of("text", "hi");
        System.arraycopy(extra, 0, fields, 2, extra.length);
        Http.Response res = http.post("/v1/agents/" + agentId + "/invoke", Http.json(fields));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    private static List<Receiver.Received> awaitReceived(String path, int count) {
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received(path).size() >= count);
        return receiver.received(path);
    }

    private static JsonNode deliveries(Http http, String query) {
        Http.Response res = http.get("/v1/webhooks/deliveries" + query);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    /** The Standard Webhooks check a receiver does, written from the documentation (README "Webhooks"). */
    static boolean verifies(String secret, Receiver.Received r) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        String signed = r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.text();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        for (String candidate : r.header("webhook-signature").split(" ")) {
            if (candidate.equals(expected)) return true;
        }
        return false;
    }

    @Test
    void aCompletedTaskIsDeliveredSignedToTheOrganizationsEndpoint() throws Exception {
        Http http = organization();
        String path = path();
        JsonNode ep = endpoint(http, receiver.url(path));
        JsonNode task = invoke(http, agent(http), "done!");

        Receiver.Received r = awaitReceived(path, 1).getFirst();
        assertThat(verifies(ep.path("secret").asText(), r)).isTrue();
        assertThat(verifies("whsec_" + Base64.getEncoder().encodeToString(new byte[24]), r)).isFalse();
        assertThat(Long.parseLong(r.header("webhook-timestamp"))).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(30L));
        assertThat(r.header("content-type")).isEqualTo("application/json");
        JsonNode body = r.json();
        assertThat(body.path("type").asText()).isEqualTo("task.completed");
        assertThat(body.path("timestamp").asText()).endsWith("Z");
        assertThat(body.path("data").path("id").asText()).isEqualTo(task.path("id").asText());
        assertThat(body.path("data").path("status").asText()).isEqualTo("completed");
        assertThat(body.path("data").path("result").asText()).isEqualTo("done!");

        await().atMost(Duration.ofSeconds(5)).until(() ->
                deliveries(http, "").path("items").path(0).path("status").asText().equals("succeeded"));
        JsonNode d = deliveries(http, "").path("items").get(0);
        assertThat(d.path("id").asText()).isEqualTo(r.header("webhook-id"));
        assertThat(d.path("endpoint_id").asText()).isEqualTo(ep.path("id").asText());
        assertThat(d.path("source").asText()).isEqualTo("endpoint");
        assertThat(d.path("event_type").asText()).isEqualTo("task.completed");
        assertThat(d.path("attempts")).hasSize(1);
        assertThat(d.path("attempts").get(0).path("status_code").asInt()).isEqualTo(200);
        assertThat(d.path("attempts").get(0).has("latency_ms")).isTrue();
    }

    @Test
    void eventFiltersChooseTheEndpoints() {
        Http http = organization();
        String completedPath = path();
        String errorPath = path();
        endpoint(http, receiver.url(completedPath), "events", List.of("task.completed"));
        endpoint(http, receiver.url(errorPath), "events", List.of("task.error", "task.failed"));
        endpoint(http, receiver.url(errorPath), "enabled", false);
        String agentId = agent(http);

        invoke(http, agentId, "fine");
        llm.enqueue(FakeLlm.error(400, "bad request"));
        Http.Response failed = http.post("/v1/agents/" + agentId + "/invoke", Http.json("input", Map.of("text", "x")));
        assertThat(failed.json().path("status").asText()).isEqualTo("error");

        assertThat(awaitReceived(completedPath, 1).getFirst().json().path("type").asText()).isEqualTo("task.completed");
        assertThat(awaitReceived(errorPath, 1).getFirst().json().path("type").asText()).isEqualTo("task.error");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() ->
                receiver.received(completedPath).size() == 1 && receiver.received(errorPath).size() == 1);
    }

    @Test
    void notificationSettingsAndTheInvokesWebhookUrlAreDeliveredSignedWithTheAgentsSecret() throws Exception {
        Http http = organization();
        String success = path();
        String error = path();
        String invokeUrl = path();
        String agentSecret = "whsec_" + Base64.getEncoder().encodeToString("agent-secret-bytes-24-xx".getBytes(StandardCharsets.UTF_8));
        String agentId = agent(http, "name", "notified", "webhook_secret", agentSecret, "notification_settings", Map.of(
                "on_success", Map.of("webhook", List.of(Map.of("url", receiver.url(success), "headers", Map.of("x-token", "abc")))),
                "on_error", Map.of("webhook", List.of(Map.of("url", receiver.url(error))))));

        invoke(http, agentId, "ok", "webhook_url", receiver.url(invokeUrl));

        Receiver.Received fromSettings = awaitReceived(success, 1).getFirst();
        assertThat(fromSettings.header("x-token")).isEqualTo("abc");
        assertThat(verifies(agentSecret, fromSettings)).isTrue();
        Receiver.Received fromInvoke = awaitReceived(invokeUrl, 1).getFirst();
        assertThat(verifies(agentSecret, fromInvoke)).isTrue();
        assertThat(fromInvoke.json().path("data").path("status").asText()).isEqualTo("completed");
        // The on_error URL is not for a completed task.
        assertThat(receiver.received(error)).isEmpty();
        JsonNode sources = deliveries(http, "").path("items");
        assertThat(sources.findValuesAsText("source")).containsExactlyInAnyOrder("notification_settings", "webhook_url");
    }

    @Test
    void anInvokesWebhookUrlWithoutAnAgentSecretIsSentUnsigned() {
        Http http = organization();
        String p = path();
        invoke(http, agent(http), "ok", "webhook_url", receiver.url(p));
        Receiver.Received r = awaitReceived(p, 1).getFirst();
        assertThat(r.header("webhook-id")).isNotBlank();
        assertThat(r.header("webhook-timestamp")).isNotBlank();
        assertThat(r.header("webhook-signature")).isNull();
    }

    @Test
    void failuresAreRetriedWithBackoffUntilOneSucceeds() throws Exception {
        Http http = organization();
        String p = path();
        JsonNode ep = endpoint(http, receiver.url(p));
        receiverReplies(p, Receiver.Reply.status(500), Receiver.Reply.status(503));
        invoke(http, agent(http), "ok");

        List<Receiver.Received> got = awaitReceived(p, 3);
        assertThat(got).extracting(r -> r.header("webhook-id")).containsOnly(got.getFirst().header("webhook-id"));
        assertThat(got).extracting(Receiver.Received::text).containsOnly(got.getFirst().text());
        for (Receiver.Received r : got) assertThat(verifies(ep.path("secret").asText(), r)).isTrue();
        // Backoff: ~200 ms then ~400 ms (±20 %).
        assertThat(Duration.between(got.get(0).at(), got.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(Duration.between(got.get(1).at(), got.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        await().atMost(Duration.ofSeconds(5)).until(() ->
                deliveries(http, "").path("items").path(0).path("status").asText().equals("succeeded"));
        JsonNode attempts = deliveries(http, "").path("items").get(0).path("attempts");
        assertThat(attempts.findValuesAsText("n")).containsExactly("1", "2", "3");
        assertThat(attempts.findValues("status_code").stream().map(JsonNode::asInt)).containsExactly(500, 503, 200);
        assertThat(attempts.get(0).path("error").asText()).contains("500");
        assertThat(attempts.get(2).path("error").isNull()).isTrue();
    }

    @Test
    void aTimeoutIsRetried() {
        Http http = organization();
        String p = path();
        endpoint(http, receiver.url(p));
        receiverReplies(p, Receiver.Reply.slow(Duration.ofSeconds(3)));
        invoke(http, agent(http), "ok");

        awaitReceived(p, 2);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                deliveries(http, "").path("items").path(0).path("status").asText().equals("succeeded"));
        JsonNode attempts = deliveries(http, "").path("items").get(0).path("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).path("status_code").isNull()).isTrue();
        assertThat(attempts.get(0).path("error").asText()).contains("No answer within 1 s");
        assertThat(attempts.get(0).path("latency_ms").asLong()).isGreaterThanOrEqualTo(900);
    }

    @Test
    void afterTheLastAttemptTheDeliveryFailsAndAnEndpointThatKeepsFailingIsDisabled() {
        Http http = organization();
        // Nothing listens on port 1: every attempt is a refused connection.
        JsonNode ep = endpoint(http, "http://127.0.0.1:1/hook");
        String agentId = agent(http);
        invoke(http, agentId, "one");
        invoke(http, agentId, "two");

        await().atMost(Duration.ofSeconds(15)).until(() -> deliveries(http, "?status=failed").path("total").asInt() == 2);
        JsonNode failed = deliveries(http, "?status=failed").path("items").get(0);
        assertThat(failed.path("attempts")).hasSize(4);
        assertThat(failed.path("attempts").get(3).path("error").asText()).contains("Connection failed");
        JsonNode disabled = http.get("/v1/webhooks/" + ep.path("id").asText()).json();
        assertThat(disabled.path("enabled").asBoolean()).isFalse();
        assertThat(disabled.path("disabled_reason").asText()).contains("Disabled after 2 deliveries");

        // Disabled: the next task end sends nothing to it, and its deliveries cannot be redelivered until enabled.
        invoke(http, agentId, "three");
        assertThat(deliveries(http, "").path("total").asInt()).isEqualTo(2);
        assertThat(http.post("/v1/webhooks/deliveries/" + failed.path("id").asText() + "/redeliver", null).status())
                .isEqualTo(409);
    }

    @Test
    void aFailedDeliveryCanBeRedeliveredWithTheSameId() {
        Http http = organization();
        String p = path();
        endpoint(http, receiver.url(p));
        receiverReplies(p, Receiver.Reply.status(500), Receiver.Reply.status(500), Receiver.Reply.status(500),
                Receiver.Reply.status(500));
        invoke(http, agent(http), "ok");
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(http, "?status=failed").path("total").asInt() == 1);
        String id = deliveries(http, "").path("items").get(0).path("id").asText();

        Http.Response res = http.post("/v1/webhooks/deliveries/" + id + "/redeliver", null);
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        assertThat(res.json().path("status").asText()).isEqualTo("pending");

        List<Receiver.Received> got = awaitReceived(p, 5);
        assertThat(got.get(4).header("webhook-id")).isEqualTo(id);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                deliveries(http, "").path("items").path(0).path("status").asText().equals("succeeded"));
        assertThat(deliveries(http, "").path("items").get(0).path("attempts")).hasSize(5);

        assertThat(http.post("/v1/webhooks/deliveries/nope/redeliver", null).status()).isEqualTo(404);
        assertThat(organization().post("/v1/webhooks/deliveries/" + id + "/redeliver", null).status()).isEqualTo(404);
    }

    @Test
    void deliveriesAreFilteredByEndpointTaskAndStatus() {
        Http http = organization();
        String a = endpoint(http, receiver.url(path())).path("id").asText();
        String b = endpoint(http, receiver.url(path())).path("id").asText();
        String agentId = agent(http);
        String first = invoke(http, agentId, "1").path("id").asText();
        invoke(http, agentId, "2");
        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(http, "?status=succeeded").path("total").asInt() == 4);

        assertThat(deliveries(http, "?endpoint_id=" + a).path("total").asInt()).isEqualTo(2);
        assertThat(deliveries(http, "?endpoint_id=" + b + "&task_id=" + first).path("total").asInt()).isEqualTo(1);
        assertThat(deliveries(http, "?status=failed").path("total").asInt()).isZero();
        JsonNode page = deliveries(http, "?per_page=3&page=2");
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("total_pages").asInt()).isEqualTo(2);
        assertThat(http.get("/v1/webhooks/deliveries?status=lost").status()).isEqualTo(422);
        assertThat(organization().get("/v1/webhooks/deliveries").json().path("total").asInt()).isZero();
    }

    @Test
    void afterARotationBothSecretsSign() throws Exception {
        Http http = organization();
        String p = path();
        JsonNode ep = endpoint(http, receiver.url(p));
        Http.Response rotated = http.post("/v1/webhooks/" + ep.path("id").asText() + "/rotate-secret", null);
        assertThat(rotated.status()).isEqualTo(200);
        String newSecret = rotated.json().path("secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(ep.path("secret").asText());
        assertThat(http.get("/v1/webhooks/" + ep.path("id").asText()).json().path("secret").asText()).isEqualTo("***");

        invoke(http, agent(http), "ok");
        Receiver.Received r = awaitReceived(p, 1).getFirst();
        assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(verifies(newSecret, r)).isTrue();
        assertThat(verifies(ep.path("secret").asText(), r)).isTrue();
    }

    @Test
    void loopbackUrlsAreRefusedWhenPrivateNetworksAreNot() {
        try (TestServer strict = TestServer.start(llm, Map.of("SWITCHBOARD_WEBHOOK_RETRY_SCHEDULE", "100ms"))) {
            Http http = strict.http();
            String p = path();
            // notification_settings are free-form agent JSON: their URLs meet the guard at delivery time.
            String agentId = agent(http, "name", "strict", "notification_settings",
                    Map.of("on_success", Map.of("webhook", List.of(Map.of("url", receiver.url(p))))));

            Http.Response refused = http.post("/v1/agents/" + agentId + "/invoke",
                    Http.json("input", Map.of("text", "hi"), "webhook_url", receiver.url(p)));
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.json().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"webhook_url\"]");
            assertThat(refused.json().path("detail").get(0).path("msg").asText()).contains("SWITCHBOARD_ALLOW_PRIVATE_NETWORK");

            llm.enqueue(FakeLlm.text("ok"));
            http.post("/v1/agents/" + agentId + "/invoke", Http.json("input", Map.of("text", "hi")));
            await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(http, "?status=failed").path("total").asInt() == 1);
            JsonNode attempts = deliveries(http, "").path("items").get(0).path("attempts");
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).path("error").asText()).contains("SWITCHBOARD_ALLOW_PRIVATE_NETWORK");
            assertThat(receiver.received(p)).isEmpty();
        }
    }

    /** Queues replies on the shared receiver; paths are unique per test, and replies are taken in arrival order. */
    private static void receiverReplies(String path, Receiver.Reply... replies) {
        receiver.reply(path, replies);
    }
}
