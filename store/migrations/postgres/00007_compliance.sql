-- +goose Up
-- Compliance (issue 5): custom catalogues and cross-walks, which products
-- the SDL covers (SM-3) and which requirements apply to each (SM-5, CRA
-- Art. 13(3)), assessments of requirements with evidence, maturity
-- overrides and the daily maturity history.
CREATE TABLE custom_catalogs (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE product_scope (
    product_id    BIGINT PRIMARY KEY REFERENCES products(id),
    in_scope      BOOLEAN NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    approver      TEXT NOT NULL DEFAULT '',
    approved_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE applicability (
    product_id     BIGINT NOT NULL REFERENCES products(id),
    catalog_id     TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    applies        BOOLEAN NOT NULL,
    justification  TEXT NOT NULL DEFAULT '',
    approver       TEXT NOT NULL DEFAULT '',
    approved_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, catalog_id, requirement_id)
);

-- scope_key is "org" for the organisation's process or "p:<product id>".
CREATE TABLE assessments (
    id             BIGSERIAL PRIMARY KEY,
    scope_key      TEXT NOT NULL,
    product_id     BIGINT REFERENCES products(id),
    catalog_id     TEXT NOT NULL,
    requirement_id TEXT NOT NULL,
    status         TEXT NOT NULL,
    owner          TEXT NOT NULL DEFAULT '',
    review_date    TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    updated_by     TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (scope_key, catalog_id, requirement_id)
);

CREATE TABLE evidence (
    id            BIGSERIAL PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    sha256        TEXT REFERENCES blobs(sha256),
    filename      TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    url           TEXT NOT NULL DEFAULT '',
    record_type   TEXT NOT NULL DEFAULT '',
    record_ref    TEXT NOT NULL DEFAULT '',
    expires_at    TIMESTAMPTZ,
    added_by      TEXT NOT NULL,
    added_at      TIMESTAMPTZ NOT NULL,
    removed_at    TIMESTAMPTZ,
    removed_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_assessment ON evidence(assessment_id);

CREATE TABLE maturity_overrides (
    scope_key  TEXT NOT NULL,
    catalog_id TEXT NOT NULL,
    practice   TEXT NOT NULL,
    level      INTEGER NOT NULL,
    rationale  TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    set_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope_key, catalog_id, practice)
);

CREATE TABLE maturity_history (
    day        TEXT NOT NULL,
    scope_key  TEXT NOT NULL,
    catalog_id TEXT NOT NULL,
    practice   TEXT NOT NULL,
    level      INTEGER NOT NULL,
    overridden BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (day, scope_key, catalog_id, practice)
);

-- +goose Down
DROP TABLE maturity_history;
DROP TABLE maturity_overrides;
DROP TABLE evidence;
DROP TABLE assessments;
DROP TABLE applicability;
DROP TABLE product_scope;
DROP TABLE custom_catalogs;
