-- Webhooks: the organization's endpoints, one delivery per (event, URL), and every attempt of a delivery.
-- The secret is kept in clear because signing needs it; it is shown once, at creation or rotation, and never again.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    organization_id            TEXT NOT NULL,
    url                        TEXT NOT NULL,
    description                TEXT,
    events                     TEXT NOT NULL,   -- JSON list of event types; empty = every event
    enabled                    INTEGER NOT NULL,
    disabled_reason            TEXT,
    secret                     TEXT NOT NULL,
    previous_secret            TEXT,            -- still signed with until previous_secret_expires_at (rotation)
    previous_secret_expires_at TEXT,
    failed_in_a_row            INTEGER NOT NULL DEFAULT 0,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints(organization_id, created_at);

-- A delivery's id is the webhook-id header: the same on every attempt. Its queue work is a run_queue row of kind
-- 'webhook' with run_id = the delivery's id, present while the delivery is pending.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    endpoint_id     TEXT,                   -- null for notification_settings and webhook_url deliveries
    source          TEXT NOT NULL,          -- endpoint | notification_settings | webhook_url
    url             TEXT NOT NULL,
    headers         TEXT NOT NULL,          -- JSON object of extra headers (notification_settings)
    signing_secret  TEXT,                   -- the agent's webhook_secret for non-endpoint deliveries
    task_id         TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,          -- the exact body, the same on every attempt
    status          TEXT NOT NULL,          -- pending | succeeded | failed
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    round_start     INTEGER NOT NULL DEFAULT 0, -- attempt_count when the retry schedule (re)started: a redeliver starts over
    next_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_org ON webhook_deliveries(organization_id, created_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);
CREATE INDEX webhook_deliveries_task ON webhook_deliveries(organization_id, task_id);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status_code INTEGER,
    latency_ms  INTEGER NOT NULL,
    error       TEXT,
    PRIMARY KEY (delivery_id, n)
);
