package dev.switchboard.tasks;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The changing part of a run: its status, timing, outcome and usage. */
public record RunState(
        TaskStatus status,
        String internalStatus,
        String result,
        String createdAt,
        String startedAt,
        String pausedAt,
        String finishedAt,
        String updatedAt,
        int executionAttempts,
        boolean isManuallyStopped,
        JsonNode hitlRequest,
        Tokens tokens,
        StopReason stopReason,
        ErrorInfo error,
        List<JsonNode> files,
        RunUsage usage,
        String voice) {

    public RunState {
        files = files == null ? List.of() : files;
        usage = usage == null ? RunUsage.empty() : usage;
    }

    public record Tokens(int promptTokens, int completionTokens, int totalTokens) {
        public static final Tokens ZERO = new Tokens(0, 0, 0);

        public Tokens plus(Tokens o) {
            return new Tokens(promptTokens + o.promptTokens, completionTokens + o.completionTokens, totalTokens + o.totalTokens);
        }
    }

    public record ErrorInfo(String code, String message) {}

    public static RunState pending(String now) {
        return new RunState(TaskStatus.PENDING, null, null, now, null, null, null, now, 0, false, null, Tokens.ZERO,
                null, null, List.of(), RunUsage.empty(), null);
    }

    public RunState executing(String now, int attempts) {
        return new RunState(TaskStatus.EXECUTING, internalStatus, result, createdAt, startedAt == null ? now : startedAt,
                pausedAt, null, now, attempts, isManuallyStopped, hitlRequest, tokens, stopReason, error, files, usage, voice);
    }

    public RunState finished(TaskStatus end, String text, StopReason reason, ErrorInfo err, Tokens used,
                             boolean manuallyStopped, String now) {
        if (!status.canMoveTo(end)) {
            throw new IllegalStateException("A run cannot move from " + status + " to " + end);
        }
        return new RunState(end, internalStatus, text, createdAt, startedAt, pausedAt, now, now, executionAttempts,
                manuallyStopped, hitlRequest, used, reason, err, files, usage, voice);
    }

    /** The same state with the run's usage per model (and its token totals). */
    RunState withUsage(RunUsage used) {
        return new RunState(status, internalStatus, result, createdAt, startedAt, pausedAt, finishedAt, updatedAt,
                executionAttempts, isManuallyStopped, hitlRequest, used.tokens(), stopReason, error, files, used, voice);
    }

    /** Paused at a wait node: no thread runs it until a decision (or the node's timeout) resumes it. */
    RunState paused(String now, JsonNode request) {
        if (!status.canMoveTo(TaskStatus.PAUSED)) {
            throw new IllegalStateException("A run cannot move from " + status + " to paused");
        }
        return new RunState(TaskStatus.PAUSED, internalStatus, result, createdAt, startedAt, now, null, now,
                executionAttempts, isManuallyStopped, request, tokens, stopReason, error, files, usage, voice);
    }

    /** The same state with another hitl_request (a decision recorded on it). */
    RunState withHitl(JsonNode request, String now) {
        return new RunState(status, internalStatus, result, createdAt, startedAt, pausedAt, finishedAt, now,
                executionAttempts, isManuallyStopped, request, tokens, stopReason, error, files, usage, voice);
    }

    /** The same state with the task's view of the run's attached files. */
    RunState withFiles(List<JsonNode> attached) {
        return new RunState(status, internalStatus, result, createdAt, startedAt, pausedAt, finishedAt, updatedAt,
                executionAttempts, isManuallyStopped, hitlRequest, tokens, stopReason, error, attached, usage, voice);
    }

    /** The same state with the URL of the answer's audio (voice output). */
    RunState withVoice(String url) {
        return new RunState(status, internalStatus, result, createdAt, startedAt, pausedAt, finishedAt, updatedAt,
                executionAttempts, isManuallyStopped, hitlRequest, tokens, stopReason, error, files, usage, url);
    }
}
