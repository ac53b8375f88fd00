package cradle

import "time"

// Vulnerability is an advisory normalised from OSV: one vulnerability with
// every ID it is known by. Aliases (CVE, GHSA, PYSEC, RUSTSEC, GO-...) of
// records that describe the same vulnerability are merged into one.
type Vulnerability struct {
	ID        string     `json:"id"`                // the OSV record's own ID
	Aliases   []string   `json:"aliases,omitempty"` // every other ID (CVE first)
	Summary   string     `json:"summary,omitempty"`
	Details   string     `json:"details,omitempty"`
	Published time.Time  `json:"published,omitzero"`
	Modified  time.Time  `json:"modified,omitzero"`
	Withdrawn time.Time  `json:"withdrawn,omitzero"`
	Severity  []Severity `json:"severity,omitempty"`
	Affected  []Affected `json:"affected,omitempty"`
	// References are URLs (advisories, fixes, reports).
	References []string `json:"references,omitempty"`
	// Source names where the record came from, e.g. "osv:PyPI".
	Source string `json:"source,omitempty"`
}

// Severity is one severity statement of an advisory.
type Severity struct {
	Type  string `json:"type"`  // CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ...
	Score string `json:"score"` // the vector (or a qualitative value)
}

// Affected is one affected package of an advisory: which versions of it
// are vulnerable, as explicit versions and as ranges.
type Affected struct {
	Ecosystem string   `json:"ecosystem"` // OSV ecosystem name, e.g. "PyPI", "Go", "Debian:12"
	Name      string   `json:"name"`
	PURL      string   `json:"purl,omitempty"`
	Ranges    []Range  `json:"ranges,omitempty"`
	Versions  []string `json:"versions,omitempty"`
}

// Range types of OSV.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Range is a list of events over a version ordering. A version is in the
// range when the last event at or below it (in the ordering) introduces
// it and no later fixed/last_affected/limit event excludes it.
type Range struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo,omitempty"` // GIT ranges
	Events []Event `json:"events"`
}

// Event is one point of a Range; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}
