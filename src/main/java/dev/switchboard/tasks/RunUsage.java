package dev.switchboard.tasks;

import java.util.LinkedHashMap;
import java.util.Map;

/** Tokens and cost of a run, per model ("provider/model"); cost is null for a model whose price is unknown. */
record RunUsage(Map<String, ModelUsage> perModel) {

    record ModelUsage(int promptTokens, int completionTokens, int totalTokens, Double costUsd) {
        ModelUsage plus(int in, int out, int total, Double cost) {
            Double sum = costUsd == null || cost == null ? (costUsd == null ? cost : costUsd) : costUsd + cost;
            return new ModelUsage(promptTokens + in, completionTokens + out, totalTokens + total, sum);
        }
    }

    static RunUsage empty() { return new RunUsage(Map.of()); }

    RunUsage plus(String model, int in, int out, int total, Double cost) {
        Map<String, ModelUsage> next = new LinkedHashMap<>(perModel);
        next.merge(model, new ModelUsage(in, out, total, cost), (a, b) -> a.plus(in, out, total, cost));
        return new RunUsage(next);
    }

    RunState.Tokens tokens() {
        int in = 0, out = 0, total = 0;
        for (ModelUsage u : perModel.values()) {
            in += u.promptTokens();
            out += u.completionTokens();
            total += u.totalTokens();
        }
        return new RunState.Tokens(in, out, total);
    }

    double costUsd() {
        return perModel.values().stream().mapToDouble(u -> u.costUsd() == null ? 0 : u.costUsd()).sum();
    }
}
