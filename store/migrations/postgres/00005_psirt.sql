-- +goose Up
-- Vulnerability handling (issue 4): intake reports, cases with per-release
-- VEX statuses, component-level VEX decisions inherited by later SBOMs,
-- CRA Art. 14 submissions, security updates, advisories and their
-- revisions, customer subscriptions with an e-mail outbox, and settings.
ALTER TABLE products ADD COLUMN member_states TEXT NOT NULL DEFAULT '';

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);

-- Content-addressed files (intake attachments now, evidence later).
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    content    BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE cases (
    id                   BIGSERIAL PRIMARY KEY,
    type                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL,
    component            TEXT NOT NULL DEFAULT '',
    vuln_id              TEXT NOT NULL DEFAULT '',
    validity             TEXT NOT NULL,
    cvss3                TEXT NOT NULL DEFAULT '',
    cvss3_score          DOUBLE PRECISION NOT NULL DEFAULT 0,
    cvss4                TEXT NOT NULL DEFAULT '',
    cvss4_score          DOUBLE PRECISION NOT NULL DEFAULT 0,
    rating               TEXT NOT NULL DEFAULT 'unknown',
    cwe                  TEXT NOT NULL DEFAULT '',
    root_cause           TEXT NOT NULL DEFAULT '',
    decision             TEXT NOT NULL DEFAULT '',
    decision_rationale   TEXT NOT NULL DEFAULT '',
    decided_by           TEXT NOT NULL DEFAULT '',
    decided_at           TIMESTAMPTZ,
    state                TEXT NOT NULL,
    owner                TEXT NOT NULL DEFAULT '',
    aware_at             TIMESTAMPTZ NOT NULL,
    due_at               TIMESTAMPTZ,
    closed_at            TIMESTAMPTZ,
    exploited            BOOLEAN NOT NULL DEFAULT FALSE,
    exploited_at         TIMESTAMPTZ,
    malicious            BOOLEAN NOT NULL DEFAULT FALSE,
    malicious_actor      TEXT NOT NULL DEFAULT '',
    fix_available_at     TIMESTAMPTZ,
    upstream_notified_at TIMESTAMPTZ,
    upstream_channel     TEXT NOT NULL DEFAULT '',
    upstream_ref         TEXT NOT NULL DEFAULT '',
    upstream_note        TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_state_due ON cases(state, due_at);

CREATE TABLE case_releases (
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    release_id    BIGINT NOT NULL REFERENCES releases(id),
    status        TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    impact        TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, release_id)
);
CREATE INDEX case_releases_release ON case_releases(release_id);

-- A VEX decision for one component version of one product and one
-- vulnerability: every release of the product that ships that version,
-- now or in a later SBOM, inherits it.
CREATE TABLE vex_decisions (
    id            BIGSERIAL PRIMARY KEY,
    product_id    BIGINT NOT NULL REFERENCES products(id),
    group_id      TEXT NOT NULL,
    eco           TEXT NOT NULL,
    pkg           TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT '',
    impact        TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL DEFAULT '',
    case_id       BIGINT REFERENCES cases(id),
    source        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (product_id, group_id, eco, pkg, version)
);
CREATE INDEX vex_decisions_key ON vex_decisions(group_id, eco, pkg);

CREATE TABLE intake_reports (
    id          BIGSERIAL PRIMARY KEY,
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
    case_id     BIGINT REFERENCES cases(id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX intake_reports_created ON intake_reports(created_at);

CREATE TABLE intake_attachments (
    report_id    BIGINT NOT NULL REFERENCES intake_reports(id),
    seq          INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL REFERENCES blobs(sha256),
    size         BIGINT NOT NULL,
    PRIMARY KEY (report_id, seq)
);

ALTER TABLE cases ADD COLUMN intake_id BIGINT REFERENCES intake_reports(id);

CREATE TABLE art14_submissions (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    stage        TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    submitted_by TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL DEFAULT '{}',
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX art14_case ON art14_submissions(case_id);

CREATE TABLE case_reviews (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    reviewer   TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    open_cases INTEGER NOT NULL,
    overdue    INTEGER NOT NULL,
    cases      TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE security_updates (
    id            BIGSERIAL PRIMARY KEY,
    release_id    BIGINT NOT NULL UNIQUE REFERENCES releases(id),
    available_at  TIMESTAMPTZ NOT NULL,
    summary       TEXT NOT NULL,
    install       TEXT NOT NULL,
    verify        TEXT NOT NULL,
    impact        TEXT NOT NULL DEFAULT '',
    qualification TEXT NOT NULL,
    artifact      TEXT NOT NULL DEFAULT '',
    artifact_hash TEXT NOT NULL DEFAULT '',
    signature_url TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE security_update_cases (
    update_id BIGINT NOT NULL REFERENCES security_updates(id),
    case_id   BIGINT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (update_id, case_id)
);

CREATE TABLE advisories (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
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
    initial_at   TIMESTAMPTZ,
    current_at   TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    document     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE advisory_revisions (
    advisory_id BIGINT NOT NULL REFERENCES advisories(id),
    number      TEXT NOT NULL,
    date        TIMESTAMPTZ NOT NULL,
    summary     TEXT NOT NULL,
    status      TEXT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (advisory_id, number)
);

CREATE TABLE subscribers (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    product_id BIGINT REFERENCES products(id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (email, product_id)
);

CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT REFERENCES events(id),
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    attach_name     TEXT NOT NULL DEFAULT '',
    attach_type     TEXT NOT NULL DEFAULT '',
    attach_data     TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    failed_at       TIMESTAMPTZ,
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
