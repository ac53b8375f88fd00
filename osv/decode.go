package osv

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Decode reads one OSV record. name is used in error locations (a file or
// zip entry name; it may be empty). The returned vulnerability has every
// domain field filled from the record except Source, which the caller sets
// (for example "osv:PyPI"); database_specific and ecosystem_specific are
// ignored. A record that cradle cannot accept gives an EInvalid
// *cradle.Error with located problems (see the package documentation).
func Decode(name string, data []byte) (*cradle.Vulnerability, error) {
	tree, p := parseStrict(name, data)
	if p != nil {
		return nil, invalid(name, []cradle.Problem{*p})
	}
	own := checkTree(tree)
	schemaViolations, err := validateSchema(tree)
	if err != nil {
		return nil, err
	}
	if len(own) > 0 || len(schemaViolations) > 0 {
		// Where cradle's own check has a clearer word for a value (an
		// unknown ecosystem), the schema's pattern error is left out.
		skip := make(map[string]bool, len(own))
		for _, v := range own {
			skip[locate.Pointer(v.path...)] = true
		}
		all := own
		for _, v := range schemaViolations {
			if !skip[locate.Pointer(v.path...)] {
				all = append(all, v)
			}
		}
		return nil, invalid(name, problemsOf(name, all))
	}
	v, vs := convert(tree.(map[string]any))
	if len(vs) > 0 {
		return nil, invalid(name, problemsOf(name, vs))
	}
	return v, nil
}

func problemsOf(name string, vs []violation) []cradle.Problem {
	slices.SortStableFunc(vs, func(a, b violation) int { return locate.ComparePaths(a.path, b.path) })
	ps := make([]cradle.Problem, 0, min(len(vs), maxProblems))
	for _, v := range vs {
		if len(ps) == maxProblems {
			break
		}
		ps = append(ps, cradle.Problem{Location: locate.AtPath(name, locate.Pointer(v.path...)), Message: v.message})
	}
	return ps
}

// checkTree applies the checks that need no valid schema first: every
// package ecosystem must be one OSV defines. It walks the tree defensively,
// since the schema has not been checked yet.
func checkTree(tree any) []violation {
	root, _ := tree.(map[string]any)
	affected, _ := root["affected"].([]any)
	var vs []violation
	for i, a := range affected {
		obj, _ := a.(map[string]any)
		pkg, _ := obj["package"].(map[string]any)
		eco, ok := pkg["ecosystem"].(string)
		if !ok {
			continue
		}
		if msg := checkEcosystem(eco); msg != "" {
			vs = append(vs, violation{path: []string{"affected", strconv.Itoa(i), "package", "ecosystem"}, message: msg})
		}
	}
	return vs
}

// convert builds the domain value from a record that satisfies the schema,
// and applies the rules the schema cannot express.
func convert(root map[string]any) (*cradle.Vulnerability, []violation) {
	var vs []violation
	bad := func(msg string, path ...string) { vs = append(vs, violation{path: path, message: msg}) }
	timestamp := func(key string) time.Time {
		s, ok := root[key].(string)
		if !ok {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			bad(fmt.Sprintf(`expected an RFC 3339 UTC timestamp such as "2024-05-01T12:00:00Z", found %s`, locate.Quote(s)), key)
			return time.Time{}
		}
		return t.UTC()
	}
	v := &cradle.Vulnerability{
		ID:        str(root, "id"),
		Summary:   str(root, "summary"),
		Details:   str(root, "details"),
		Published: timestamp("published"),
		Modified:  timestamp("modified"),
		Withdrawn: timestamp("withdrawn"),
	}
	v.Aliases = aliases(v.ID, strs(root, "aliases"))
	v.Severity = severities(objs(root, "severity"))

	for i, a := range objs(root, "affected") {
		at := strconv.Itoa(i)
		var af cradle.Affected
		pkg, hasPkg := a["package"].(map[string]any)
		if hasPkg {
			af.Ecosystem, af.Name, af.PURL = str(pkg, "ecosystem"), str(pkg, "name"), str(pkg, "purl")
		}
		for j, r := range objs(a, "ranges") {
			rg := cradle.Range{Type: str(r, "type"), Repo: str(r, "repo")}
			for _, e := range objs(r, "events") {
				rg.Events = append(rg.Events, cradle.Event{
					Introduced:   str(e, "introduced"),
					Fixed:        str(e, "fixed"),
					LastAffected: str(e, "last_affected"),
					Limit:        str(e, "limit"),
				})
			}
			if rg.Type != cradle.RangeGit && !hasPkg {
				// SEMVER and ECOSYSTEM versions are versions of a package
				// in an ecosystem; without one nothing can be ordered.
				bad(fmt.Sprintf("expected a package for a %s range (its versions are a package's versions), found none", rg.Type), "affected", at, "ranges", strconv.Itoa(j), "type")
			}
			af.Ranges = append(af.Ranges, rg)
		}
		af.Versions = strs(a, "versions")
		if !hasPkg && len(af.Versions) > 0 {
			bad("expected a package for the explicit versions, found none", "affected", at, "versions")
		}
		if !hasPkg && len(af.Ranges) == 0 && len(af.Versions) == 0 {
			bad("expected a package or a GIT range in the affected entry, found neither", "affected", at)
		}
		if len(v.Severity) == 0 {
			// The schema allows a severity per package only when the
			// record has none; the domain has one list per record.
			for _, s := range severities(objs(a, "severity")) {
				if !slices.Contains(v.Severity, s) {
					v.Severity = append(v.Severity, s)
				}
			}
		}
		v.Affected = append(v.Affected, af)
	}
	if len(v.Affected) == 0 && v.Withdrawn.IsZero() {
		if _, ok := root["affected"]; ok {
			bad("expected at least one affected package or range (only a withdrawn record may have none), found none", "affected")
		} else {
			bad(`expected the property "affected" (only a withdrawn record may leave it out), found none`)
		}
	}

	for _, r := range objs(root, "references") {
		if u := str(r, "url"); u != "" && !slices.Contains(v.References, u) {
			v.References = append(v.References, u)
		}
	}
	return v, vs
}

// aliases returns the record's other IDs without repeats and without its
// own ID, CVE IDs first (the domain's convention), otherwise in the
// record's order.
func aliases(id string, in []string) []string {
	var out []string
	for _, a := range in {
		if a != "" && a != id && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return cmp.Compare(rank(a), rank(b))
	})
	return out
}

func rank(id string) int {
	if strings.HasPrefix(id, "CVE-") {
		return 0
	}
	return 1
}

func severities(in []map[string]any) []cradle.Severity {
	var out []cradle.Severity
	for _, s := range in {
		sv := cradle.Severity{Type: str(s, "type"), Score: str(s, "score")}
		if !slices.Contains(out, sv) {
			out = append(out, sv)
		}
	}
	return out
}

// Accessors for a tree the schema has checked: values of the wrong type
// cannot occur there, and read as zero values.

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func strs(m map[string]any, key string) []string {
	a, _ := m[key].([]any)
	if len(a) == 0 {
		return nil
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func objs(m map[string]any, key string) []map[string]any {
	a, _ := m[key].([]any)
	if len(a) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(a))
	for _, x := range a {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
