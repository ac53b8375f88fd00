-- +goose Up
-- Vulnerability handling (issue 4): intake reports, cases with per-release
-- VEX statuses, component-level VEX decisions inherited by later SBOMs,
-- CRA Art. 14 submissions, security updates, advisories and their
-- revisions, customer subscriptions with an e-mail outbox, and settings.
ALTER TABLE products ADD COLUMN member_states TEXT NOT NULL DEFAULT '';

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- Content-addressed files (intake attachments now, evidence later).
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    content    BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE cases (
    id                   INTEGER PRIMARY KEY,
    type                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL,
    component            TEXT NOT NULL DEFAULT '',
    vuln_id              TEXT NOT NULL DEFAULT '',
    validity             TEXT NOT NULL,
    cvss3                TEXT NOT NULL DEFAULT '',
    cvss3_score          REAL NOT NULL DEFAULT 0,
    cvss4                TEXT NOT NULL DEFAULT '',
    cvss4_score          REAL NOT NULL DEFAULT 0,
    rating               TEXT NOT NULL DEFAULT 'unknown',
    cwe                  TEXT NOT NULL DEFAULT '',
    root_cause           TEXT NOT NULL DEFAULT '',
    decision             TEXT NOT NULL DEFAULT '',
    decision_rationale   TEXT NOT NULL DEFAULT '',
    decided_by           TEXT NOT NULL DEFAULT '',
    decided_at           TIMESTAMP,
    state                TEXT NOT NULL,
    owner                TEXT NOT NULL DEFAULT '',
    aware_at             TIMESTAMP NOT NULL,
    due_at               TIMESTAMP,
    closed_at            TIMESTAMP,
    exploited            BOOLEAN NOT NULL DEFAULT 0,
    exploited_at         TIMESTAMP,
    malicious            BOOLEAN NOT NULL DEFAULT 0,
    malicious_actor      TEXT NOT NULL DEFAULT '',
    fix_available_at     TIMESTAMP,
    upstream_notified_at TIMESTAMP,
    upstream_channel     TEXT NOT NULL DEFAULT '',
    upstream_ref         TEXT NOT NULL DEFAULT '',
    upstream_note        TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX cases_state_due ON cases(state, due_at);

CREATE TABLE case_releases (
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    release_id    INTEGER NOT NULL REFERENCES releases(id),
    status        TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    impact        TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, release_id)
);
CREATE INDEX case_releases_release ON case_releases(release_id);

-- A VEX decision for one component version of one product and one
-- vulnerability: every release of the product that ships that version,
-- now or in a later SBOM, inherits it.
CREATE TABLE vex_decisions (
    id            INTEGER PRIMARY KEY,
    product_id    INTEGER NOT NULL REFERENCES products(id),
    group_id      TEXT NOT NULL,
    eco           TEXT NOT NULL,
    pkg           TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    impact        TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL DEFAULT '',
    case_id       INTEGER REFERENCES cases(id),
    source        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL,
    decided_at    TIMESTAMP NOT NULL,
    UNIQUE (product_id, group_id, eco, pkg, version)
);
CREATE INDEX vex_decisions_key ON vex_decisions(group_id, eco, pkg);

CREATE TABLE intake_reports (
    id          INTEGER PRIMARY KEY,
    tracking_id TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL,
    product     TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    status_note TEXT NOT NULL DEFAULT '',
    case_id     INTEGER REFERENCES cases(id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX intake_reports_created ON intake_reports(created_at);

CREATE TABLE intake_attachments (
    report_id    INTEGER NOT NULL REFERENCES intake_reports(id),
    seq          INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    size         INTEGER NOT NULL,
    PRIMARY KEY (report_id, seq)
);

ALTER TABLE cases ADD COLUMN intake_id INTEGER REFERENCES intake_reports(id);

CREATE TABLE art14_submissions (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    stage        TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    submitted_by TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL DEFAULT '{}',
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX art14_case ON art14_submissions(case_id);

CREATE TABLE case_reviews (
    id         INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    reviewer   TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    open_cases INTEGER NOT NULL,
    overdue    INTEGER NOT NULL,
    cases      TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE security_updates (
    id            INTEGER PRIMARY KEY,
    release_id    INTEGER NOT NULL UNIQUE REFERENCES releases(id),
    available_at  TIMESTAMP NOT NULL,
    summary       TEXT NOT NULL,
    install       TEXT NOT NULL,
    verify        TEXT NOT NULL,
    impact        TEXT NOT NULL DEFAULT '',
    qualification TEXT NOT NULL,
    artifact      TEXT NOT NULL DEFAULT '',
    artifact_hash TEXT NOT NULL DEFAULT '',
    signature_url TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE security_update_cases (
    update_id INTEGER NOT NULL REFERENCES security_updates(id),
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (update_id, case_id)
);

CREATE TABLE advisories (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    tracking_id  TEXT NOT NULL UNIQUE,
    category     TEXT NOT NULL,
    title        TEXT NOT NULL,
    tlp          TEXT NOT NULL,
    status       TEXT NOT NULL,
    version      TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    workaround   TEXT NOT NULL DEFAULT '',
    refs         TEXT NOT NULL DEFAULT '[]',
    acks         TEXT NOT NULL DEFAULT '[]',
    initial_at   TIMESTAMP,
    current_at   TIMESTAMP,
    published_at TIMESTAMP,
    document     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE advisory_revisions (
    advisory_id INTEGER NOT NULL REFERENCES advisories(id),
    number      TEXT NOT NULL,
    date        TIMESTAMP NOT NULL,
    summary     TEXT NOT NULL,
    status      TEXT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

CREATE TABLE subscribers (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    product_id INTEGER REFERENCES products(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (email, product_id)
);

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER REFERENCES events(id),
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    attach_name     TEXT NOT NULL DEFAULT '',
    attach_type     TEXT NOT NULL DEFAULT '',
    attach_data     TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    failed_at       TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE subscribers;
DROP TABLE advisory_revisions;
DROP TABLE advisories;
DROP TABLE security_update_cases;
DROP TABLE security_updates;
DROP TABLE case_reviews;
DROP TABLE art14_submissions;
ALTER TABLE cases DROP COLUMN intake_id;
DROP TABLE intake_attachments;
DROP TABLE intake_reports;
DROP TABLE vex_decisions;
DROP TABLE case_releases;
DROP TABLE cases;
DROP TABLE blobs;
DROP TABLE settings;
ALTER TABLE products DROP COLUMN member_states;
