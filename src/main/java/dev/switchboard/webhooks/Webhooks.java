package dev.switchboard.webhooks;

import dev.switchboard.common.Ids;
import dev.switchboard.config.Config;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.net.NetworkGuard;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.Worker;
import dev.switchboard.storage.Db;
import dev.switchboard.storage.SecretBox;
import dev.switchboard.tasks.TaskEnds;

import java.time.Clock;

/** Builds the webhooks feature and registers its delivery handler with the worker. */
public final class Webhooks {
    private final WebhookService service;
    private final TaskEnds taskEnds;

    public Webhooks(Db db, SecretBox box, RunQueue queue, Worker worker, NetworkGuard guard, Config.Webhooks settings, Ids ids,
                    Clock clock, Metrics metrics) {
        WebhookStore store = new WebhookStore(db, box);
        worker.register(DeliveryHandler.KIND, new DeliveryHandler(store, queue, guard,
                new Backoff(settings.retrySchedule()), settings.timeout(), settings.disableAfterFailures(), clock, metrics));
        this.service = new WebhookService(store, queue, worker, guard, ids, clock);
        this.taskEnds = new Notifier(store, queue, worker, ids, clock);
    }

    public WebhookService service() { return service; }

    /** What the tasks feature tells of every task end. */
    public TaskEnds taskEnds() { return taskEnds; }
}
