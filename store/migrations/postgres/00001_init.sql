-- +goose Up
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE products (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    description       TEXT NOT NULL DEFAULT '',
    manufacturer      TEXT NOT NULL DEFAULT '',
    intended_purpose  TEXT NOT NULL DEFAULT '',
    cra_class         TEXT NOT NULL DEFAULT 'default',
    support_start     TEXT NOT NULL DEFAULT '',
    support_end       TEXT NOT NULL DEFAULT '',
    support_rationale TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE releases (
    id              BIGSERIAL PRIMARY KEY,
    product_id      BIGINT NOT NULL REFERENCES products(id),
    version         TEXT NOT NULL,
    release_date    TEXT NOT NULL DEFAULT '',
    lifecycle       TEXT NOT NULL DEFAULT 'development',
    current_sbom_id BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, version)
);
CREATE INDEX releases_current_sbom ON releases(current_sbom_id);

CREATE TABLE sbom_documents (
    id              BIGSERIAL PRIMARY KEY,
    release_id      BIGINT NOT NULL REFERENCES releases(id),
    format          TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    spec_version    TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    content         BYTEA NOT NULL,
    component_count INTEGER NOT NULL,
    edge_count      INTEGER NOT NULL,
    imported_at     TIMESTAMPTZ NOT NULL,
    imported_by     TEXT NOT NULL,
    UNIQUE (release_id, sha256)
);

-- purl and name_lower use the "C" collation so that prefix searches are
-- byte-range scans on the index, as they are in SQLite.
CREATE TABLE components (
    id           BIGSERIAL PRIMARY KEY,
    sbom_id      BIGINT NOT NULL REFERENCES sbom_documents(id),
    ref          TEXT NOT NULL,
    type         TEXT NOT NULL DEFAULT '',
    grp          TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    name_lower   TEXT COLLATE "C" NOT NULL,
    version      TEXT NOT NULL DEFAULT '',
    purl         TEXT COLLATE "C" NOT NULL DEFAULT '',
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
    sbom_id BIGINT NOT NULL REFERENCES sbom_documents(id),
    from_id BIGINT NOT NULL,
    to_id   BIGINT NOT NULL,
    PRIMARY KEY (sbom_id, from_id, to_id)
);
CREATE INDEX dependencies_to ON dependencies(sbom_id, to_id);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    seq         BIGINT NOT NULL UNIQUE,
    at          TIMESTAMPTZ NOT NULL,
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
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE dependencies;
DROP TABLE components;
DROP TABLE sbom_documents;
DROP TABLE releases;
DROP TABLE products;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
