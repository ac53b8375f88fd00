package results

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cradle-sdl/cradle/internal/locate"
)

func locateAt(name string, data []byte, off int64) string {
	return locate.AtOffset(name, data, off)
}

// hashParts returns the hex SHA-256 of the parts, each length-prefixed so
// that ("ab","c") and ("a","bc") differ.
func hashParts(parts ...string) string {
	h := sha256.New()
	var n [20]byte
	for _, p := range parts {
		h.Write(strconv.AppendInt(n[:0], int64(len(p)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// preferredPartial lists partialFingerprints keys in the order they are
// preferred. primaryLocationLineHash is what CodeQL and GitHub code
// scanning compute (a hash of the line's text, so stable when the line
// moves); the others are what other well-known tools emit.
var preferredPartial = []string{
	"primaryLocationLineHash",
	"primaryLocationStartColumnFingerprint",
	"InstanceId", // Fortify
	"UniqueId",   // FxCop
}

// toolFingerprint picks the tool's own identity for a result, "" if it
// gives none: the fingerprints entry with the smallest key (keys are
// versioned, "stableId/v1"), else the first preferred partialFingerprints
// key present, else all partialFingerprints as sorted key=value pairs.
func toolFingerprint(full, partial map[string]string) string {
	if len(full) > 0 {
		keys := sortedKeys(full)
		return "fingerprints:" + keys[0] + "=" + full[keys[0]]
	}
	if len(partial) == 0 {
		return ""
	}
	for _, k := range preferredPartial {
		if v, ok := partial[k]; ok && v != "" {
			return "partialFingerprints:" + k + "=" + v
		}
	}
	var b strings.Builder
	b.WriteString("partialFingerprints:")
	for _, k := range sortedKeys(partial) {
		b.WriteString(k + "=" + partial[k] + ";")
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lineRef matches references to lines and columns in a message: "line
// 12", "lines 3-5", "L42", "main.go:12:5", "file.cs(12,5)". They are
// removed before hashing a message, so that a finding that only moved
// keeps its fingerprint. Bare numbers are kept: they are often what
// tells two findings apart (CVE-2024-1234, version 1.2.3).
var lineRef = regexp.MustCompile(`(?i)\b(?:lines?|ln|col(?:umn)?s?)\s*[:#]?\s*\d+(?:\s*(?:-|–|to|and|,)\s*\d+)*|\bL\d+(?:-L?\d+)?\b|(\.\w+)(?::\d+){1,2}\b|(\.\w+)\(\d+(?:,\d+)*\)`)

func stripLineRefs(msg string) string {
	if !strings.ContainsAny(msg, "0123456789") {
		return msg
	}
	return lineRef.ReplaceAllString(msg, "$1$2")
}

// fingerprint computes a result's fingerprint (see the package
// documentation). rawURI is the artifact URI as written, before
// resolution against a base: it does not depend on where the build ran.
func fingerprint(r *Result, own, rawURI, logical string) string {
	if own != "" {
		return hashParts("tool", r.Tool, r.RuleID, own)
	}
	where := rawURI
	if where == "" {
		where = logical
	}
	return hashParts("content", r.Tool, r.RuleID, where, stripLineRefs(r.Message))
}

// disambiguate gives results that share a fingerprint distinct ones: the
// first (by URI, line, column, then order in the file) keeps it, the n-th
// gets the hash of it and n. Two identical messages in one file stay two
// findings, and keep their fingerprints when both move.
func disambiguate(rs []Result) {
	groups := make(map[string][]int, len(rs))
	dup := false
	for i := range rs {
		g := groups[rs[i].Fingerprint]
		if len(g) > 0 {
			dup = true
		}
		groups[rs[i].Fingerprint] = append(g, i)
	}
	if !dup {
		return
	}
	for fp, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			x, y := &rs[a], &rs[b]
			return cmp.Or(strings.Compare(x.URI, y.URI), cmp.Compare(x.Line, y.Line), cmp.Compare(x.Column, y.Column), cmp.Compare(a, b))
		})
		for n, i := range idx[1:] {
			rs[i].Fingerprint = hashParts("occurrence", fp, strconv.Itoa(n+2))
		}
	}
}

// severityFromScore maps a CVSS-like security-severity to a severity.
func severityFromScore(s float64) string {
	switch {
	case s >= 9:
		return SeverityCritical
	case s >= 7:
		return SeverityHigh
	case s >= 4:
		return SeverityMedium
	case s > 0:
		return SeverityLow
	}
	return SeverityInfo
}

// severityFromLevel maps a SARIF level to a severity.
func severityFromLevel(level string) string {
	switch level {
	case "error":
		return SeverityHigh
	case "warning":
		return SeverityMedium
	case "note":
		return SeverityLow
	}
	return SeverityInfo
}
