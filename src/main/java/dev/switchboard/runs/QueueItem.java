package dev.switchboard.runs;

/**
 * A claimed piece of queued work. {@code attempts} counts claims, this one included; a run whose earlier claims all
 * ended with a lost worker shows it here.
 */
public record QueueItem(long seq, String runId, String kind, String threadKey, int attempts) {}
