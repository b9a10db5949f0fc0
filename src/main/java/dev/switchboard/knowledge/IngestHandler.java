package dev.switchboard.knowledge;

import dev.switchboard.common.Times;
import dev.switchboard.files.Attachment;
import dev.switchboard.files.Attachments;
import dev.switchboard.llm.Embeddings;
import dev.switchboard.runs.CancelToken;
import dev.switchboard.runs.QueueItem;
import dev.switchboard.runs.RunQueue;
import dev.switchboard.runs.WorkHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Ingests one document, as queued work of kind {@code kb_document}: fetch and read it (as attachments are), cut it
 * into chunks, embed them, and store chunks and status in one transaction. Queued, it survives a restart; run again,
 * it replaces the chunks it stored before, so it is idempotent.
 */
final class IngestHandler implements WorkHandler {
    static final String KIND = "kb_document";
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);

    private final KnowledgeStore store;
    private final RunQueue queue;
    private final Attachments attachments;
    private final Embeddings embeddings;
    private final Clock clock;

    IngestHandler(KnowledgeStore store, RunQueue queue, Attachments attachments, Embeddings embeddings, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.attachments = attachments;
        this.embeddings = embeddings;
        this.clock = clock;
    }

    @Override
    public void execute(QueueItem item, CancelToken token) {
        Optional<KnowledgeStore.Document> found = store.document(item.runId());
        if (found.isEmpty()) {
            queue.complete(item.runId());
            return;
        }
        KnowledgeStore.Document doc = found.get();
        store.markProcessing(doc.id(), Times.now(clock));
        try {
            Attachment file = token.call(() -> attachments.fetchOne(doc.organizationId(), doc.documentUrl()));
            if (!file.isText()) {
                fail(doc, file.error() != null ? file.error() : "a picture has no text to search");
                return;
            }
            List<String> chunks = Chunker.chunks(file.text());
            if (chunks.isEmpty()) {
                fail(doc, "the document has no text");
                return;
            }
            List<float[]> vectors = token.call(() -> embeddings.embedAll(chunks));
            String name = doc.name() != null ? doc.name() : file.name();
            store.db().inTransaction(tx -> {
                store.completed(tx, doc, name, file.contentType(), file.text(), chunks, vectors, Times.now(clock));
                queue.complete(tx, doc.id());
                return null;
            });
        } catch (CancelToken.Cancelled c) {
            queue.release(doc.id());
        } catch (Exception e) {
            log.warn("Ingesting document {} of knowledge base {} failed", doc.id(), doc.kbId(), e);
            fail(doc, "ingestion failed: " + e.getClass().getSimpleName());
        }
    }

    private void fail(KnowledgeStore.Document doc, String why) {
        store.db().inTransaction(tx -> {
            store.failed(tx, doc, why, Times.now(clock));
            queue.complete(tx, doc.id());
            return null;
        });
    }

    @Override
    public void abandon(QueueItem item) {
        store.document(item.runId()).ifPresentOrElse(
                doc -> fail(doc, "ingestion was lost with its worker too many times"),
                () -> queue.complete(item.runId()));
    }
}
