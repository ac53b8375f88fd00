-- +goose Up
-- Notifications: events about findings, the webhooks that want them, and
-- an outbox of deliveries written in the same transaction as the event.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    kind       TEXT NOT NULL,
    release_id INTEGER,
    finding_id INTEGER,
    group_id   TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_at ON events(at);

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    kinds      TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    failed_at       TIMESTAMP,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX outbox_due ON outbox(next_attempt_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE webhooks;
DROP TABLE events;
