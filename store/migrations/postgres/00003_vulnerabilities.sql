-- +goose Up
-- Vulnerability intelligence: advisories (OSV), their affected packages,
-- CISA KEV, FIRST EPSS, feed state, and findings per release.

-- Components get the OSV package key their purl maps to ("" when none):
-- eco is the ecosystem without its release ("Debian", not "Debian:12")
-- and pkg the name folded as the ecosystem folds names, so that one index
-- look-up finds every candidate advisory; the release is compared after.
ALTER TABLE components ADD COLUMN eco TEXT NOT NULL DEFAULT '';
ALTER TABLE components ADD COLUMN pkg TEXT NOT NULL DEFAULT '';
-- Covering, so that matching reads (eco, pkg) → current SBOM, version, purl off the index.
CREATE INDEX components_eco_pkg ON components(eco, pkg, sbom_id) INCLUDE (id, version, purl);

CREATE TABLE vulnerabilities (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL,
    aliases      TEXT NOT NULL DEFAULT '[]',
    summary      TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    published    TIMESTAMPTZ,
    modified     TIMESTAMPTZ,
    withdrawn    TIMESTAMPTZ,
    severity     TEXT NOT NULL DEFAULT '[]',
    refs         TEXT NOT NULL DEFAULT '[]',
    cvss_score   DOUBLE PRECISION,
    cvss_vector  TEXT NOT NULL DEFAULT '',
    rating       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    imported_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX vulnerabilities_group ON vulnerabilities(group_id);

-- Every ID a record is known by (its own and its aliases), for look-ups
-- and for merging records that describe the same vulnerability.
CREATE TABLE vuln_ids (
    alias   TEXT NOT NULL,
    vuln_id TEXT NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
    PRIMARY KEY (alias, vuln_id)
);
CREATE INDEX vuln_ids_vuln ON vuln_ids(vuln_id);

CREATE TABLE affected (
    id         BIGSERIAL PRIMARY KEY,
    vuln_id    TEXT NOT NULL REFERENCES vulnerabilities(id) ON DELETE CASCADE,
    eco        TEXT NOT NULL,
    pkg        TEXT NOT NULL,
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,
    purl       TEXT NOT NULL DEFAULT '',
    ranges     TEXT NOT NULL DEFAULT '[]',
    versions   TEXT NOT NULL DEFAULT '[]',
    git_ranges INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX affected_key ON affected(eco, pkg);
CREATE INDEX affected_vuln ON affected(vuln_id);

CREATE TABLE kev (
    cve         TEXT PRIMARY KEY,
    date_added  TEXT NOT NULL,
    due_date    TEXT NOT NULL DEFAULT '',
    vendor      TEXT NOT NULL DEFAULT '',
    product     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    ransomware  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE epss (
    cve        TEXT PRIMARY KEY,
    score      DOUBLE PRECISION NOT NULL,
    percentile DOUBLE PRECISION NOT NULL,
    score_date TEXT NOT NULL DEFAULT ''
);

CREATE TABLE feeds (
    source        TEXT PRIMARY KEY,
    url           TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    checked_at    TIMESTAMPTZ,
    imported_at   TIMESTAMPTZ,
    records       BIGINT NOT NULL DEFAULT 0,
    skipped       BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT ''
);

-- A finding: a vulnerability matched to a package version in a release's
-- current SBOM. Rows are kept when they stop matching (resolved_at), so
-- first_seen survives re-matching and SBOM replacement.
CREATE TABLE findings (
    id            BIGSERIAL PRIMARY KEY,
    release_id    BIGINT NOT NULL REFERENCES releases(id),
    component_id  BIGINT NOT NULL,
    vuln_id       TEXT NOT NULL,
    group_id      TEXT NOT NULL,
    eco           TEXT NOT NULL,
    pkg           TEXT NOT NULL,
    version       TEXT NOT NULL,
    matched       TEXT NOT NULL DEFAULT '',
    fixed         TEXT NOT NULL DEFAULT '',
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    resolved_at   TIMESTAMPTZ,
    UNIQUE (release_id, eco, pkg, version, vuln_id)
);
CREATE INDEX findings_key ON findings(eco, pkg);
CREATE INDEX findings_group ON findings(group_id);
CREATE INDEX findings_vuln ON findings(vuln_id);
CREATE INDEX findings_first_seen ON findings(first_seen);

-- +goose Down
DROP TABLE findings;
DROP TABLE feeds;
DROP TABLE epss;
DROP TABLE kev;
DROP TABLE affected;
DROP TABLE vuln_ids;
DROP TABLE vulnerabilities;
DROP INDEX components_eco_pkg;
ALTER TABLE components DROP COLUMN pkg;
ALTER TABLE components DROP COLUMN eco;
