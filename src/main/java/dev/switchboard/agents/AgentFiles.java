package dev.switchboard.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Agents as code: every {@code *.yaml} / {@code *.yml} file of {@code SWITCHBOARD_CONFIG_DIR} holds one agent or one
 * workflow (the API's fields, plus {@code kind: agent | workflow}), applied at start to the default organization by
 * name: created, or updated and deployed when it changed. Agents go first, so a workflow's agent nodes may name their
 * agent ({@code definition.asset_name}) instead of giving its id. A file that is invalid stops start-up with a message
 * naming the file and the field.
 */
public final class AgentFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private record Definition(Path file, boolean workflow, ObjectNode fields) {}

    private AgentFiles() {}

    /** Applies every file; returns how many agents and workflows it applied. */
    public static int apply(Path dir, String organizationId, AgentService agents, AgentService workflows) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("SWITCHBOARD_CONFIG_DIR " + dir + " is not a folder");
        }
        List<Definition> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(AgentFiles::isYaml).sorted().toList()) all.add(read(f));
        } catch (IOException e) {
            throw new IllegalArgumentException("SWITCHBOARD_CONFIG_DIR " + dir + " cannot be read: " + e.getMessage());
        }
        for (Definition d : all) {
            if (!d.workflow()) applyOne(d, organizationId, agents, agents);
        }
        for (Definition d : all) {
            if (d.workflow()) applyOne(d, organizationId, workflows, agents);
        }
        return all.size();
    }

    /** The agent (or workflow) as a file of agents as code. */
    public static String export(Map<String, Object> exported) {
        try {
            return YAML.writeValueAsString(exported);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }

    private static Definition read(Path file) {
        JsonNode tree;
        try {
            tree = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw problem(file, "is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(tree instanceof ObjectNode fields)) throw problem(file, "should hold one agent or workflow (a mapping)");
        String kind = fields.path("kind").asText(fields.has("orchestration_nodes") ? "workflow" : "agent");
        if (!kind.equals("agent") && !kind.equals("workflow")) {
            throw problem(file, "kind: should be 'agent' or 'workflow', not '" + kind + "'");
        }
        fields.remove("kind");
        return new Definition(file, kind.equals("workflow"), fields);
    }

    private static void applyOne(Definition d, String organizationId, AgentService target, AgentService agents) {
        try {
            if (d.workflow()) namedAgents(d, organizationId, agents);
            AgentConfig config = Json.bind(d.fields(), AgentConfig.class);
            target.applyByName(organizationId, config);
        } catch (ApiException.Invalid e) {
            throw problem(d.file(), e.problems().stream()
                    .map(p -> String.join(".", p.loc().stream().filter(l -> !l.equals("body")).toList()) + ": " + p.msg())
                    .collect(Collectors.joining("; ")));
        } catch (ApiException e) {
            throw problem(d.file(), e.getMessage());
        }
    }

    /** {@code definition.asset_name} of agent nodes becomes the id of the agent of that name. */
    private static void namedAgents(Definition d, String organizationId, AgentService agents) {
        JsonNode nodes = d.fields().get("orchestration_nodes");
        if (nodes == null || !nodes.isArray()) return;
        for (int n = 0; n < nodes.size(); n++) {
            final int i = n;
            if (!(nodes.get(i).get("definition") instanceof ObjectNode def) || !def.hasNonNull("asset_name")) continue;
            String name = def.get("asset_name").asText();
            String id = agents.idByName(organizationId, name).orElseThrow(() -> new ApiException.Invalid(
                    List.of("orchestration_nodes", String.valueOf(i), "definition", "asset_name"), "No agent is named '" + name + "'",
                    "not_found"));
            def.remove("asset_name");
            def.put("asset_id", id);
        }
    }

    private static IllegalArgumentException problem(Path file, String what) {
        return new IllegalArgumentException("SWITCHBOARD_CONFIG_DIR: " + file.getFileName() + ": " + what);
    }
}
