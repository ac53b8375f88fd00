-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE TABLE products (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    description       TEXT NOT NULL DEFAULT '',
    manufacturer      TEXT NOT NULL DEFAULT '',
    intended_purpose  TEXT NOT NULL DEFAULT '',
    cra_class         TEXT NOT NULL DEFAULT 'default',
    support_start     TEXT NOT NULL DEFAULT '',
    support_end       TEXT NOT NULL DEFAULT '',
    support_rationale TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE releases (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products(id),
    version         TEXT NOT NULL,
    release_date    TEXT NOT NULL DEFAULT '',
    lifecycle       TEXT NOT NULL DEFAULT 'development',
    current_sbom_id INTEGER,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (product_id, version)
);
CREATE INDEX releases_current_sbom ON releases(current_sbom_id);

CREATE TABLE sbom_documents (
    id              INTEGER PRIMARY KEY,
    release_id      INTEGER NOT NULL REFERENCES releases(id),
    format          TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    spec_version    TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL,
    content         BLOB NOT NULL,
    component_count INTEGER NOT NULL,
    edge_count      INTEGER NOT NULL,
    imported_at     TIMESTAMP NOT NULL,
    imported_by     TEXT NOT NULL,
    UNIQUE (release_id, sha256)
);

CREATE TABLE components (
    id           INTEGER PRIMARY KEY,
    sbom_id      INTEGER NOT NULL REFERENCES sbom_documents(id),
    ref          TEXT NOT NULL,
    type         TEXT NOT NULL DEFAULT '',
    grp          TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    name_lower   TEXT NOT NULL,
    version      TEXT NOT NULL DEFAULT '',
    purl         TEXT NOT NULL DEFAULT '',
    cpe          TEXT NOT NULL DEFAULT '',
    supplier     TEXT NOT NULL DEFAULT '',
    manufacturer TEXT NOT NULL DEFAULT '',
    licenses     TEXT NOT NULL DEFAULT '',
    hashes       TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    depth        INTEGER NOT NULL DEFAULT -1,
    UNIQUE (sbom_id, ref)
);
CREATE INDEX components_sbom_name ON components(sbom_id, name_lower);
CREATE INDEX components_purl ON components(purl, sbom_id);
CREATE INDEX components_name ON components(name_lower, sbom_id);

CREATE TABLE dependencies (
    sbom_id INTEGER NOT NULL REFERENCES sbom_documents(id),
    from_id INTEGER NOT NULL,
    to_id   INTEGER NOT NULL,
    PRIMARY KEY (sbom_id, from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX dependencies_to ON dependencies(sbom_id, to_id);

-- The audit trail is append-only: rows are stored in append order (id) and
-- each carries the hash of the previous one (seq - 1). audit_head holds the
-- last seq and hash so that appends serialise and truncation is visible.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE dependencies;
DROP TABLE components;
DROP TABLE sbom_documents;
DROP TABLE releases;
DROP TABLE products;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
