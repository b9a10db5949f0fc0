-- Knowledge bases: an organization's collections of documents, their chunks and the chunks' embeddings.
CREATE TABLE knowledge_bases (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    version         INTEGER NOT NULL DEFAULT 0, -- bumped whenever its searchable chunks change (search caches by it)
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX knowledge_bases_org ON knowledge_bases(organization_id, created_at);

-- A document's ingestion is queued work: a run_queue row of kind 'kb_document' with run_id = the document's id,
-- present while the document is pending or processing.
CREATE TABLE kb_documents (
    id              TEXT PRIMARY KEY,
    kb_id           TEXT NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    position        INTEGER NOT NULL,       -- insertion order within the knowledge base
    name            TEXT,
    document_url    TEXT NOT NULL,
    status          TEXT NOT NULL,          -- pending | processing | completed | failed
    error           TEXT,
    content_type    TEXT,
    chunks_count    INTEGER NOT NULL DEFAULT 0,
    raw_data        TEXT,                   -- the extracted text
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX kb_documents_kb ON kb_documents(kb_id, position);

-- Embeddings are little-endian float32 vectors, normalized to length 1 (cosine = dot product).
CREATE TABLE kb_chunks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kb_id       TEXT NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    content     TEXT NOT NULL,
    embedding   BLOB NOT NULL
);
CREATE INDEX kb_chunks_kb ON kb_chunks(kb_id);
CREATE INDEX kb_chunks_document ON kb_chunks(document_id);
