-- Times are ISO-8601 UTC text with microseconds (fixed width, so they sort as text).
-- JSON documents are TEXT; the columns beside them are what we filter and sort on.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT,
    key_hash        TEXT NOT NULL UNIQUE,
    key_prefix      TEXT NOT NULL,
    is_admin        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX api_keys_org ON api_keys(organization_id);

CREATE TABLE agents (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL DEFAULT 'agent',
    deployed_version    INTEGER NOT NULL,
    has_pending_changes INTEGER NOT NULL DEFAULT 0,
    draft               TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX agents_org ON agents(organization_id, created_at);

CREATE TABLE agent_versions (
    agent_id    TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    config      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (agent_id, version)
);

CREATE TABLE tasks (
    id              TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    status          TEXT NOT NULL,
    user_id         TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    latest_run_id   TEXT NOT NULL,
    last_event_seq  INTEGER NOT NULL DEFAULT 0,
    -- A thread id chosen by a client is unique within its organization only: another organization may use it too.
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX tasks_org_created ON tasks(organization_id, created_at);
CREATE INDEX tasks_org_agent ON tasks(organization_id, agent_id, created_at);

-- One row per turn of a thread.
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    turn            INTEGER NOT NULL,
    status          TEXT NOT NULL,
    stop_requested  TEXT,
    created_at      TEXT NOT NULL,
    finished_at     TEXT,
    request         TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX runs_task ON runs(organization_id, task_id, turn);
CREATE INDEX runs_open ON runs(status);

-- The one durable queue. A row exists while its work is not finished; it is deleted with the final state.
CREATE TABLE run_queue (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id           TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    thread_key       TEXT NOT NULL,
    available_at     TEXT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_queue_thread ON run_queue(thread_key, seq);
CREATE INDEX run_queue_owner ON run_queue(lease_owner);

CREATE TABLE task_events (
    organization_id TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    run_id          TEXT,
    type            TEXT NOT NULL,
    time            TEXT NOT NULL,
    data            TEXT NOT NULL,
    PRIMARY KEY (organization_id, task_id, seq)
);

-- The journal: each completed side effect of a run (a model call, a tool call).
CREATE TABLE run_steps (
    run_id      TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
);

CREATE TABLE idempotency_keys (
    organization_id TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, idem_key)
);
