-- +goose Up
-- Results of the periodic audit-chain verification job.
CREATE TABLE audit_checks (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL UNIQUE,
    checked_at TIMESTAMP NOT NULL,
    checked_by TEXT NOT NULL,
    entries    INTEGER NOT NULL,
    intact     BOOLEAN NOT NULL,
    break_seq  INTEGER,
    reason     TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_checks;
