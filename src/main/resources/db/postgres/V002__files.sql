CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX files_org ON files(organization_id, created_at);
