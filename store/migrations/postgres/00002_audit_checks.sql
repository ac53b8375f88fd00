-- +goose Up
-- Results of the periodic audit-chain verification job.
CREATE TABLE audit_checks (
    id         BIGSERIAL PRIMARY KEY,
    job_id     BIGINT NOT NULL UNIQUE,
    checked_at TIMESTAMPTZ NOT NULL,
    checked_by TEXT NOT NULL,
    entries    BIGINT NOT NULL,
    intact     BOOLEAN NOT NULL,
    break_seq  BIGINT,
    reason     TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit_checks;
