package dev.switchboard.tasks;

import dev.switchboard.storage.Db;

/**
 * Told of every end of a turn inside the transaction that stores it, so that what follows from the end (webhook
 * deliveries) is stored with it: a crash can never keep the end and drop its consequences.
 */
@FunctionalInterface
public interface TaskEnds {
    /** The task as it ends (the same snapshot as its task_finished event), and the run and turn that ended. */
    void ended(Db.Tx tx, String runId, Task task, Turn turn);
}
