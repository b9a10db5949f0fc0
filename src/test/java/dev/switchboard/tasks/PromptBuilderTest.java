package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agents.AgentConfig;
import dev.switchboard.common.Json;
import dev.switchboard.llm.ChatTurn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the model is sent, and in which order (PromptBuilder's one order). */
class PromptBuilderTest {

    static final AgentConfig.Instructions INSTRUCTIONS = new AgentConfig.Instructions(
            List.of("ROLE-1", "ROLE-2"), List.of("GOAL-1"), "GENERAL");
    static final InvokeRequest.User ADA = new InvokeRequest.User("u-1", "ada@example.com", "Ada", "Lovelace",
            Json.MAPPER.valueToTree(Map.of("plan", "gold")), "Europe/London");

    @Test
    void everythingInItsOrder() {
        Turn turn = turn(agent(INSTRUCTIONS, null), input("THE QUESTION", ADA), "OVERRIDE", null, "CONTEXT", "EXPECTED", "markdown", null);
        List<PromptBuilder.PastTurn> history = List.of(new PromptBuilder.PastTurn("Q1", "A1"), new PromptBuilder.PastTurn("Q2", "A2"));

        List<ChatTurn> messages = PromptBuilder.build(turn, history);

        assertThat(messages).hasSize(6);
        assertThat(messages.get(0)).isInstanceOf(ChatTurn.System.class);
        assertThat(messages.subList(1, 6)).containsExactly(ChatTurn.user("Q1"), ChatTurn.assistant("A1"),
                ChatTurn.user("Q2"), ChatTurn.assistant("A2"), ChatTurn.user("THE QUESTION"));
        String system = ((ChatTurn.System) messages.get(0)).text();
        assertInOrder(system, "ROLE-1", "ROLE-2", "GOAL-1", "GENERAL", "OVERRIDE", "CONTEXT", "EXPECTED", "ada@example.com");
    }

    @Test
    void theOverrideIsAppendedToTheAgentsInstructions() {
        String system = PromptBuilder.systemPrompt(turn(agent(INSTRUCTIONS, null), input("q", null), "OVERRIDE", null, null, null, "markdown", null));
        assertInOrder(system, "ROLE-1", "GOAL-1", "GENERAL", "OVERRIDE");

        String appended = PromptBuilder.systemPrompt(turn(agent(INSTRUCTIONS, null), input("q", null), "OVERRIDE", "append", null, null, "markdown", null));
        assertThat(appended).isEqualTo(system);
    }

    @Test
    void replaceModeReplacesTheAgentsInstructionsOnlyWhenThereIsAnOverride() {
        String replaced = PromptBuilder.systemPrompt(turn(agent(INSTRUCTIONS, null), input("q", null), "ONLY THIS", "replace", "CONTEXT", null, "markdown", null));
        assertThat(replaced).doesNotContain("ROLE-1", "GOAL-1", "GENERAL");
        assertInOrder(replaced, "ONLY THIS", "CONTEXT");

        String kept = PromptBuilder.systemPrompt(turn(agent(INSTRUCTIONS, null), input("q", null), "  ", "replace", null, null, "markdown", null));
        assertThat(kept).contains("ROLE-1", "GOAL-1", "GENERAL");
    }

    @Test
    void theRunsExpectedOutputWinsOverTheAgents() {
        AgentConfig agent = agent(INSTRUCTIONS, "AGENT-EXPECTED");
        assertThat(PromptBuilder.systemPrompt(turn(agent, input("q", null), null, null, null, null, "markdown", null)))
                .contains("AGENT-EXPECTED");
        assertThat(PromptBuilder.systemPrompt(turn(agent, input("q", null), null, null, null, "RUN-EXPECTED", "markdown", null)))
                .contains("RUN-EXPECTED").doesNotContain("AGENT-EXPECTED");
    }

    @Test
    void theOutputFormatAndThinkModeComeAfterExpectedOutputAndBeforeTheUser() {
        ObjectNode schema = Json.MAPPER.valueToTree(Map.of("type", "object", "required", List.of("total")));
        Turn json = withThinkMode(turn(agent(INSTRUCTIONS, null), input("q", ADA), null, null, "CONTEXT", "EXPECTED", "json", schema), "harder");

        String system = PromptBuilder.systemPrompt(json);

        assertInOrder(system, "GENERAL", "CONTEXT", "EXPECTED", "JSON Schema", "\"required\":[\"total\"]", "plan", "ada@example.com");
        assertThat(PromptBuilder.systemPrompt(turn(agent(INSTRUCTIONS, null), input("q", null), null, null, null, null, "text", null)))
                .contains("plain text");
    }

    @Test
    void userDetailsAreTheFieldsGivenAsJson() {
        String system = PromptBuilder.systemPrompt(turn(agent(null, null), input("q", ADA), null, null, null, null, "markdown", null));
        assertThat(system).startsWith("User details: ").contains("\"id\":\"u-1\"", "\"email\":\"ada@example.com\"",
                "\"first_name\":\"Ada\"", "\"last_name\":\"Lovelace\"", "\"timezone\":\"Europe/London\"", "\"plan\":\"gold\"");

        InvokeRequest.User bare = new InvokeRequest.User(null, "bob@example.com", null, null, null, null);
        String minimal = PromptBuilder.systemPrompt(turn(agent(null, null), input("q", bare), null, null, null, null, "markdown", null));
        assertThat(minimal).isEqualTo("User details: {\"email\":\"bob@example.com\"}");
    }

    @Test
    void withNothingToSayThereIsNoSystemMessage() {
        List<ChatTurn> messages = PromptBuilder.build(turn(agent(null, null), input("just this", null), " ", null, "", null, "markdown", null), List.of());
        assertThat(messages).containsExactly(ChatTurn.user("just this"));
    }

    @Test
    void attachedFilesFollowTheUsersText() {
        InvokeRequest.Input withFiles = new InvokeRequest.Input("read these", List.of("https://x.test/a.pdf", "/v1/files/f-1"), null);
        assertThat(PromptBuilder.userMessage(withFiles)).isEqualTo("read these\nFiles: https://x.test/a.pdf, /v1/files/f-1");
        assertThat(PromptBuilder.userMessage(input("plain", null))).isEqualTo("plain");
    }

    // ---- helpers ----

    static void assertInOrder(String text, String... parts) {
        int at = -1;
        for (String part : parts) {
            int next = text.indexOf(part, at + 1);
            assertThat(next).as("'%s' after position %d in:\n%s", part, at, text).isGreaterThan(at);
            at = next;
        }
    }

    static InvokeRequest.Input input(String text, InvokeRequest.User user) {
        return new InvokeRequest.Input(text, List.of(), user);
    }

    static AgentConfig agent(AgentConfig.Instructions instructions, String expectedOutput) {
        return new AgentConfig("prompted", null, null, instructions, "openai", "gpt-4.1", null, null, null, null, null,
                expectedOutput, null, null, null, null, null, null, null, null, null);
    }

    static Turn turn(AgentConfig agent, InvokeRequest.Input input, String override, String mode, String context,
                     String expected, String format, ObjectNode schema) {
        return new Turn("agent-1", input, null, "api", null, "default", false, "auto", override, mode, context, expected, format,
                schema, "openai", "gpt-4.1", null, "1", null, false, List.of(), null, false, false, null,
                new Turn.Budgets(null, null, null, null), null, agent, false, null);
    }

    static Turn withThinkMode(Turn t, String thinkMode) {
        return new Turn(t.agentId(), t.input(), t.title(), t.source(), t.sourceNodeType(), thinkMode,
                t.disableAttachmentInjection(), t.attachmentMode(), t.instructionsOverride(), t.instructionsMode(), t.additionalContext(),
                t.expectedOutput(), t.outputFormat(), t.outputSchema(), t.llmModelProvider(), t.llmModelName(),
                t.llmReasoningEffort(), t.agentVersion(), t.payloadExtension(), t.eventsStreaming(), t.mcpServers(),
                t.webhookUrl(), t.hasUserOidcToken(), t.hasUserTokens(), t.credentials(), t.budgets(), t.historyBeforeTurn(), t.agent(), t.workflow(), t.traceparent());
    }
}
