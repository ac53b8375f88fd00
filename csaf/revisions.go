package csaf

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// version is a parsed /$defs/version_t: an integer ("3") or a semantic
// version ("1.2.0-rc.1+build").
type version struct {
	integer             bool
	major, minor, patch uint64
	pre                 []string // pre-release identifiers
	build               string
}

// parseVersion parses a version_t; ok is false for anything else.
func parseVersion(s string) (v version, ok bool) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && (s == "0" || s[0] != '0') {
		return version{integer: true, major: n}, true
	}
	rest, build, hasBuild := strings.Cut(s, "+")
	if hasBuild {
		if build == "" || !validIdentifiers(build, false) {
			return version{}, false
		}
		v.build = build
	}
	core, pre, hasPre := strings.Cut(rest, "-")
	if hasPre {
		if pre == "" || !validIdentifiers(pre, true) {
			return version{}, false
		}
		v.pre = strings.Split(pre, ".")
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return version{}, false
	}
	var nums [3]uint64
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || (len(p) > 1 && p[0] == '0') {
			return version{}, false
		}
		nums[i] = n
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	return v, true
}

// validIdentifiers checks dot-separated SemVer identifiers; numeric
// pre-release identifiers must not have leading zeros.
func validIdentifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		numeric := true
		for _, r := range id {
			switch {
			case r >= '0' && r <= '9':
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-':
				numeric = false
			default:
				return false
			}
		}
		if pre && numeric && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// compareVersions orders versions by SemVer precedence; an integer version
// n counts as n.0.0.
func compareVersions(a, b version) int {
	if c := cmp.Or(cmp.Compare(a.major, b.major), cmp.Compare(a.minor, b.minor), cmp.Compare(a.patch, b.patch)); c != 0 {
		return c
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := range min(len(a.pre), len(b.pre)) {
		x, y := a.pre[i], b.pre[i]
		nx, errX := strconv.ParseUint(x, 10, 64)
		ny, errY := strconv.ParseUint(y, 10, 64)
		var c int
		switch {
		case errX == nil && errY == nil:
			c = cmp.Compare(nx, ny)
		case errX == nil:
			c = -1
		case errY == nil:
			c = 1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.pre), len(b.pre))
}

// parseTime parses an RFC 3339 date-time as the schema's format requires.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// instant returns a date-time in one canonical form, so that
// "2021-04-23T10:00:00.000Z" and "2021-04-23T12:00:00+02:00" compare equal;
// a value that does not parse is returned as it is.
func instant(s string) string {
	if t, ok := parseTime(s); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return s
}

// revision is a revision history item with its parsed date and number.
type revision struct {
	index  int
	date   time.Time
	number version
}

// sortedRevisions returns the revision history sorted ascending by date,
// items of the same date by number, or ok false when a date or number
// does not parse (the schema reports those).
func (c *checker) sortedRevisions() (revs []revision, ok bool) {
	for i, r := range c.doc.Document.Tracking.RevisionHistory {
		d, okD := parseTime(r.Date)
		n, okN := parseVersion(r.Number)
		if !okD || !okN {
			return nil, false
		}
		revs = append(revs, revision{i, d, n})
	}
	slices.SortStableFunc(revs, func(a, b revision) int {
		return cmp.Or(a.date.Compare(b.date), compareVersions(a.number, b.number))
	})
	return revs, true
}

// withoutBuild strips build metadata and, when draft is set, the
// pre-release part from a version string.
func normalizeVersion(s string, draft bool) string {
	s, _, _ = strings.Cut(s, "+")
	if draft {
		s, _, _ = strings.Cut(s, "-")
	}
	return s
}

// revisions runs the tests on /document/tracking: 6.1.14, 6.1.16–6.1.22
// and 6.1.30.
func (c *checker) revisions() {
	tr := &c.doc.Document.Tracking
	rh := tr.RevisionHistory
	final := tr.Status == StatusFinal || tr.Status == StatusInterim
	docVersion, docVersionOK := parseVersion(tr.Version)

	// 6.1.14 Sorted Revision History and 6.1.21 Missing Item in Revision
	// History look at the items sorted by date; items of the same date
	// have no order among themselves.
	revs, sortable := c.sortedRevisions()
	if sortable && len(revs) > 0 {
		for k := 1; k < len(revs); k++ {
			prev, cur := revs[k-1], revs[k]
			if compareVersions(prev.number, cur.number) > 0 {
				c.fail("6.1.14", "/document/tracking/revision_history",
					"item %d (number %s, %s) is dated after item %d (number %s, %s) but has a lower number: numbers must ascend with the dates",
					cur.index, rh[cur.index].Number, rh[cur.index].Date, prev.index, rh[prev.index].Number, rh[prev.index].Date)
				break
			}
		}
		if first := revs[0].number.major; first > 1 {
			c.fail("6.1.21", "/document/tracking/revision_history",
				"the earliest item (%d) has number %s: the history must start with version 0 or 1", revs[0].index, rh[revs[0].index].Number)
		}
		highest := revs[0].number.major
		for _, r := range revs[1:] {
			if m := r.number.major; m > highest+1 {
				c.fail("6.1.21", "/document/tracking/revision_history",
					"version %d is missing: item %d has number %s, the versions before it go up to %d", highest+1, r.index, rh[r.index].Number, highest)
			}
			highest = max(highest, r.number.major)
		}

		// 6.1.16 Latest Document Version.
		last := rh[revs[len(revs)-1].index].Number
		draft := tr.Status == StatusDraft
		if docVersionOK && normalizeVersion(last, draft) != normalizeVersion(tr.Version, draft) {
			c.fail("6.1.16", "/document/tracking/version", "expected %s, the number of the latest revision history item, found %s", locate.Quote(last), locate.Quote(tr.Version))
		}
	}

	if docVersionOK {
		// 6.1.17 Document Status Draft.
		if tr.Status != StatusDraft && tr.Status != "" && (docVersion.major == 0 || len(docVersion.pre) > 0) {
			c.fail("6.1.17", "/document/tracking/status", "expected draft for version %s, found %s", locate.Quote(tr.Version), locate.Quote(tr.Status))
		}
		// 6.1.20 Non-draft Document Version.
		if final && len(docVersion.pre) > 0 {
			c.fail("6.1.20", "/document/tracking/version", "version %s has a pre-release part, but the document status is %s", locate.Quote(tr.Version), tr.Status)
		}
	}

	numbers := map[string]int{}
	for i, r := range rh {
		p := fmt.Sprintf("/document/tracking/revision_history/%d", i)
		n, ok := parseVersion(r.Number)
		if ok {
			// 6.1.18 Released Revision History.
			if final && n.major == 0 {
				c.fail("6.1.18", p+"/number", "number %s is a draft version (0 or 0.y.z), but the document status is %s", locate.Quote(r.Number), tr.Status)
			}
			// 6.1.19 Revision History Entries for Pre-release Versions.
			if len(n.pre) > 0 {
				c.fail("6.1.19", p+"/number", "number %s has a pre-release part", locate.Quote(r.Number))
			}
		}
		// 6.1.22 Multiple Definition in Revision History.
		if prev, dup := numbers[r.Number]; dup {
			c.fail("6.1.22", p+"/number", "number %s is already used by item %d", locate.Quote(r.Number), prev)
		} else {
			numbers[r.Number] = i
		}
	}

	// 6.1.30 Mixed Integer and Semantic Versioning: every version_t takes
	// the kind of the document's version.
	if docVersionOK {
		for i, r := range rh {
			if n, ok := parseVersion(r.Number); ok && n.integer != docVersion.integer {
				c.fail("6.1.30", fmt.Sprintf("/document/tracking/revision_history/%d/number", i),
					"number %s is %s, but the document version %s is %s: use one kind of versioning throughout",
					locate.Quote(r.Number), versionKind(n), locate.Quote(tr.Version), versionKind(docVersion))
			}
		}
	}
}

func versionKind(v version) string {
	if v.integer {
		return "an integer version"
	}
	return "a semantic version"
}
