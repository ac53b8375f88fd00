package cradle

import (
	"encoding/json"
	"strings"
	"time"
)

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

// PackageKey identifies a package in OSV's terms.
type PackageKey struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// Finding is a vulnerability matched to a component version shipped in a
// release's current SBOM.
type Finding struct {
	ID          int64     `json:"id"`
	Product     string    `json:"product"`
	Release     string    `json:"release"`
	ReleaseID   int64     `json:"release_id"`
	Lifecycle   Lifecycle `json:"lifecycle"`
	ComponentID int64     `json:"component_id"`
	Component   string    `json:"component"`
	Version     string    `json:"version"`
	PURL        string    `json:"purl,omitempty"`

	VulnID  string   `json:"vuln_id"`  // the OSV record that matched
	GroupID string   `json:"group_id"` // the merged vulnerability's canonical ID
	Aliases []string `json:"aliases,omitempty"`
	Summary string   `json:"summary,omitempty"`
	Matched string   `json:"matched"`         // which range or list matched
	Fixed   string   `json:"fixed,omitempty"` // fixed versions, comma-separated
	Score   float64  `json:"cvss_score,omitempty"`
	Vector  string   `json:"cvss_vector,omitempty"`
	Rating  string   `json:"severity"` // critical, high, medium, low, none, unknown

	KEV         bool    `json:"kev"`
	KEVAdded    string  `json:"kev_date_added,omitempty"`
	EPSS        float64 `json:"epss,omitempty"`
	EPSSPercent float64 `json:"epss_percentile,omitempty"`

	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`

	// The VEX decision for this component version in this product, if
	// any (inherited by every release that ships the same version).
	VEXStatus        string `json:"vex_status,omitempty"`
	VEXJustification string `json:"vex_justification,omitempty"`
	VEXImpact        string `json:"vex_impact_statement,omitempty"`
	VEXAction        string `json:"vex_action_statement,omitempty"`
	VEXCase          string `json:"vex_case,omitempty"`
}

// Severity ratings in order of decreasing urgency.
var Ratings = []string{"critical", "high", "medium", "low", "none", "unknown"}

// RatingRank orders ratings: critical 0 ... unknown 5.
func RatingRank(r string) int {
	for i, x := range Ratings {
		if x == r {
			return i
		}
	}
	return len(Ratings) - 1
}

// GroupIDs decides which records describe the same vulnerability: two
// records are one vulnerability when they share an ID (their own or an
// alias), transitively. ids maps each record ID to its aliases; the result
// maps each record ID to its group's canonical ID, the lowest CVE ID of the
// group, or its lowest ID when it has no CVE.
func GroupIDs(ids map[string][]string) map[string]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if _, ok := parent[x]; !ok {
			parent[x] = x
		}
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for id, aliases := range ids {
		for _, a := range aliases {
			if ra, rb := find(id), find(a); ra != rb {
				parent[ra] = rb
			}
		}
		find(id)
	}
	better := func(a, b string) bool {
		ca, cb := strings.HasPrefix(a, "CVE-"), strings.HasPrefix(b, "CVE-")
		if ca != cb {
			return ca
		}
		return a < b
	}
	canon := map[string]string{}
	for x := range parent {
		r := find(x)
		if c, ok := canon[r]; !ok || better(x, c) {
			canon[r] = x
		}
	}
	out := make(map[string]string, len(ids))
	for id := range ids {
		out[id] = canon[find(id)]
	}
	return out
}

// Notification kinds.
const (
	NoticeNewFindings  = "findings.new"       // a release has new findings
	NoticeKEV          = "finding.kev"        // a finding's vulnerability was added to the KEV catalog
	NoticeSeverity     = "vuln.severity"      // an advisory's severity changed while it has open findings
	NoticeAdvisory     = "advisory.published" // a CSAF advisory revision was published
	NoticeUpdate       = "update.released"    // a release was marked as a security update
	NoticeArt14DueSoon = "art14.due_soon"     // a CRA Art. 14 report is due soon
	NoticeArt14Overdue = "art14.overdue"      // a CRA Art. 14 deadline passed without a submission
)

// NoticeKinds lists every notice kind (webhooks subscribe to them).
var NoticeKinds = []string{NoticeNewFindings, NoticeKEV, NoticeSeverity, NoticeAdvisory, NoticeUpdate, NoticeArt14DueSoon, NoticeArt14Overdue}

// Notice is an event worth telling people about, kept on the events page
// and sent to webhooks.
type Notice struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Kind      string          `json:"kind"`
	ReleaseID int64           `json:"release_id,omitempty"`
	GroupID   string          `json:"vulnerability,omitempty"`
	Summary   string          `json:"summary"`
	Payload   json.RawMessage `json:"payload"`
}
