-- +goose Up
-- Engineering evidence and the release gate (issue 6): threat models as
-- code with their reviews, scan and test results (SARIF, JUnit) tracked per
-- release, per-product gate policies, gate exceptions and the stored gate
-- decisions with the inputs they judged.

-- Every import or edit of a product's threat model is a new version. A
-- model imported for a release is that release's model; a release without
-- one uses the product's newest.
CREATE TABLE threat_models (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products(id),
    release_id   INTEGER REFERENCES releases(id),
    version      INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    filename     TEXT NOT NULL,
    source       TEXT NOT NULL,
    threats      INTEGER NOT NULL DEFAULT 0,
    open_threats INTEGER NOT NULL DEFAULT 0,
    imported_by  TEXT NOT NULL,
    imported_at  TIMESTAMP NOT NULL,
    UNIQUE (product_id, version)
);
CREATE INDEX threat_models_release ON threat_models(release_id);

CREATE TABLE threat_model_reviews (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    model_id    INTEGER NOT NULL REFERENCES threat_models(id),
    outcome     TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    reviewer    TEXT NOT NULL,
    reviewed_at TIMESTAMP NOT NULL
);
CREATE INDEX threat_model_reviews_product ON threat_model_reviews(product_id, reviewed_at);

-- One row per imported file; the file itself is kept in blobs.
CREATE TABLE result_imports (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases(id),
    format       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    tool         TEXT NOT NULL,
    tool_version TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL,
    category     TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    results      INTEGER NOT NULL,
    new_results  INTEGER NOT NULL,
    fixed        INTEGER NOT NULL,
    tests        INTEGER NOT NULL DEFAULT 0,
    tests_failed INTEGER NOT NULL DEFAULT 0,
    passed_tests TEXT NOT NULL DEFAULT '',
    imported_by  TEXT NOT NULL,
    imported_at  TIMESTAMP NOT NULL
);
CREATE INDEX result_imports_release ON result_imports(release_id, imported_at);

-- A result of one tool in one release, by fingerprint: deduplicated across
-- imports; status open, fixed (gone from a later import of the same tool
-- and category: CodeQL per language, unit and integration test reports)
-- or suppressed (by the tool's SARIF suppression or a product suppression).
CREATE TABLE scan_results (
    id            INTEGER PRIMARY KEY,
    release_id    INTEGER NOT NULL REFERENCES releases(id),
    tool          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    fingerprint   TEXT NOT NULL,
    rule_id       TEXT NOT NULL DEFAULT '',
    rule_name     TEXT NOT NULL DEFAULT '',
    severity      TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    test_name     TEXT NOT NULL DEFAULT '',
    since_version TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    first_seen    TIMESTAMP NOT NULL,
    last_import   INTEGER NOT NULL REFERENCES result_imports(id),
    fixed_at      TIMESTAMP,
    UNIQUE (release_id, tool, fingerprint)
);
CREATE INDEX scan_results_status ON scan_results(release_id, status, severity);

-- A result a person has judged not to need a fix, for every release of the
-- product.
CREATE TABLE result_suppressions (
    product_id  INTEGER NOT NULL REFERENCES products(id),
    fingerprint TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (product_id, fingerprint)
);

CREATE TABLE gate_policies (
    product_id INTEGER PRIMARY KEY REFERENCES products(id),
    source     TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE gate_exceptions (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    release_id INTEGER REFERENCES releases(id),
    check_id   TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    approver   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gate_exceptions_product ON gate_exceptions(product_id);

-- A gate decision keeps the policy and inputs it judged, so it can be
-- re-evaluated and its hash checked (cradle gate verify). override: the
-- policy was given for this run rather than the product's; evaluator: the
-- version of the gate's rules that decided.
CREATE TABLE gate_decisions (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases(id),
    pass         BOOLEAN NOT NULL,
    failures     INTEGER NOT NULL,
    hash         TEXT NOT NULL,
    inputs_hash  TEXT NOT NULL,
    policy_hash  TEXT NOT NULL,
    override     BOOLEAN NOT NULL DEFAULT FALSE,
    evaluator    TEXT NOT NULL DEFAULT '',
    policy       TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    result       TEXT NOT NULL,
    evaluated_by TEXT NOT NULL,
    evaluated_at TIMESTAMP NOT NULL
);
CREATE INDEX gate_decisions_release ON gate_decisions(release_id, evaluated_at);

-- +goose Down
DROP TABLE gate_decisions;
DROP TABLE gate_exceptions;
DROP TABLE gate_policies;
DROP TABLE result_suppressions;
DROP TABLE scan_results;
DROP TABLE result_imports;
DROP TABLE threat_model_reviews;
DROP TABLE threat_models;
