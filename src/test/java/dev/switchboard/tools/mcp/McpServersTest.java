package dev.switchboard.tools.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading MCP server definitions: names, prefixes, commands, and the problems listed. */
class McpServersTest {

    @Test
    void namesComeFromTheDefinitionOrItsUrlOrCommandAndPrefixesAreUnique() {
        List<McpServer> servers = McpServers.read(List.of(
                Json.tree("{\"url\":\"https://mcp.example.com/mcp\"}"),
                Json.tree("{\"name\":\"My CRM (prod)\",\"url\":\"https://crm.example.com/mcp\"}"),
                Json.tree("{\"name\":\"my crm prod\",\"url\":\"https://other.example.com/mcp\"}"),
                Json.tree("{\"type\":\"local\",\"command\":\"/usr/local/bin/files-server --root '/srv/my files'\"}")),
                "mcp_servers", true).servers();

        assertThat(servers).extracting(McpServer::name)
                .containsExactly("mcp.example.com", "My CRM (prod)", "my crm prod", "files-server");
        assertThat(servers).extracting(McpServer::toolPrefix)
                .containsExactly("mcp_example_com", "My_CRM_prod", "my_crm_prod_2", "files-server");
        assertThat(((McpServer.Endpoint.Local) servers.get(3).endpoint()).command())
                .containsExactly("/usr/local/bin/files-server", "--root", "/srv/my files");
    }

    @Test
    void theQueryOfAUrlIsNotShown() {
        McpServer s = McpServers.read(List.of(Json.tree("{\"url\":\"https://h.example.com:8443/mcp?key=secret\"}")),
                "mcp_servers", true).servers().getFirst();
        assertThat(s.location()).isEqualTo("https://h.example.com:8443/mcp");
    }

    @Test
    void everyProblemIsListedWithWhereItIs() {
        List<JsonNode> bad = List.of(Json.tree("{\"transport\":\"stdio\",\"url\":\"http://x\"}"),
                Json.tree("{\"url\":\"http://x\",\"auth_type\":\"custom_headers\",\"headers\":{\"a\":{}}}"),
                Json.tree("{\"url\":\"http://x\",\"allowed_tools\":\"echo\"}"));
        assertThatThrownBy(() -> McpServers.readOrThrow(bad, "mcp_servers", false))
                .isInstanceOfSatisfying(ApiException.Invalid.class, e -> assertThat(e.problems())
                        .extracting(ApiException.Problem::loc)
                        .contains(List.of("body", "mcp_servers", "0", "command"),
                                List.of("body", "mcp_servers", "0", "type"),
                                List.of("body", "mcp_servers", "1", "headers"),
                                List.of("body", "mcp_servers", "2", "allowed_tools")));
    }
}
