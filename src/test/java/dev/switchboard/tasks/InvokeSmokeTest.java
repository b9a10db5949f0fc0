package dev.switchboard.tasks;

import dev.switchboard.testkit.FakeLlm;
import dev.switchboard.testkit.Http;
import dev.switchboard.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InvokeSmokeTest {
    static FakeLlm llm;
    static TestServer server;

    @BeforeAll
    static void start() {
        llm = FakeLlm.start();
        server = TestServer.start(llm);
    }

    @AfterAll
    static void stop() {
        server.close();
        llm.close();
    }

    @Test
    void syncInvokeAnswersWithTheCompletedTask() {
        String agent = server.createAgent("smoke");
        llm.enqueue(FakeLlm.text("hello back"));

        Http.Response res = server.http().post("/v1/agents/" + agent + "/invoke", Http.json("input", java.util.Map.of("text", "hello")));

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("completed");
        assertThat(res.json().path("result").asText()).isEqualTo("hello back");
        assertThat(llm.chatRequests().getLast().lastUserText()).isEqualTo("hello");
    }
}
