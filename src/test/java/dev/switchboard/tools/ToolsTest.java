package dev.switchboard.tools;

import dev.switchboard.common.Json;
import dev.switchboard.net.NetworkGuard;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolsTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:15:30Z"), ZoneOffset.UTC);
    private final Toolbox toolbox = new Toolbox(new NetworkGuard(false), (org, kbs, query, k) -> List.of(),
            new dev.switchboard.tools.mcp.McpConnections(new dev.switchboard.config.Config.Mcp(false,
                    java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1)), new NetworkGuard(false), clock), clock);

    @Test
    void currentTimeInAGivenZone() throws Exception {
        Tool t = toolbox.builtIn("current_time").orElseThrow();
        assertThat(t.call(Json.tree("{\"timezone\":\"Europe/Paris\"}"))).startsWith("2026-11-22T11:15:30+01:00");
        assertThat(t.call(Json.tree("{}"))).startsWith("2026-11-22T10:15:30Z");
        assertThatThrownBy(() -> t.call(Json.tree("{\"timezone\":\"Mars/Olympus\"}"))).isInstanceOf(Tool.ToolError.class);
    }

    @Test
    void httpFetchObeysTheNetworkGuard() {
        Tool t = toolbox.builtIn("http_fetch").orElseThrow();
        assertThatThrownBy(() -> t.call(Json.tree("{\"url\":\"http://169.254.169.254/latest/meta-data/\"}")))
                .isInstanceOf(Tool.ToolError.class).hasMessageContaining("link-local");
        assertThatThrownBy(() -> t.call(Json.tree("{}"))).hasMessageContaining("url");
    }

    @Test
    void agentsGetOnlyTheToolsTheyAttach() {
        assertThat(toolbox.forAgent(List.of())).isEmpty();
        assertThat(toolbox.forAgent(List.of(Json.tree("{\"id\":\"http_fetch\"}"), Json.tree("{\"id\":\"some-connector\"}"))))
                .extracting(tool -> tool.spec().name()).containsExactly("http_fetch");
    }

    @Test
    void mcpToolNamesStayWithinWhatProvidersAcceptAndDistinct() {
        assertThat(McpTool.shownName("crm", "find_customer")).isEqualTo("crm__find_customer");
        String long1 = McpTool.shownName("a_server_prefix_24_chars", "x".repeat(80) + "1");
        String long2 = McpTool.shownName("a_server_prefix_24_chars", "x".repeat(80) + "2");
        assertThat(long1).hasSizeLessThanOrEqualTo(64).matches("[A-Za-z0-9_-]+").isNotEqualTo(long2);
        assertThat(McpTool.shownName("crm", "find.customer")).matches("crm__find_customer_[0-9a-f]{6}");
    }
}
