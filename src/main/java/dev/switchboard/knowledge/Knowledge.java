package dev.switchboard.knowledge;

import dev.switchboard.common.Ids;
import dev.switchboard.files.Attachments;
import dev.switchboard.files.FileStore;
import dev.switchboard.llm.Embeddings;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.Worker;
import dev.switchboard.storage.Db;

import java.time.Clock;

/** Builds the knowledge feature from its parts and registers its ingestion with the worker. */
public final class Knowledge {
    private final KnowledgeService service;

    public Knowledge(Db db, RunQueue queue, Worker worker, FileStore files, Attachments attachments, Embeddings embeddings,
                     Ids ids, Clock clock) {
        KnowledgeStore store = new KnowledgeStore(db);
        worker.register(IngestHandler.KIND, new IngestHandler(store, queue, attachments, embeddings, clock));
        this.service = new KnowledgeService(store, new VectorIndex(store), queue, worker, files, embeddings, ids, clock);
    }

    public KnowledgeService service() { return service; }
}
