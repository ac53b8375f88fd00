package vex_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/vex"
)

// corpus is the shared folder of third-party documents
// (../shared/data/README.md), from CRADLE_TEST_DATA.
func corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping conformance against ../shared/data")
	}
	return dir
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeTestdata(t testing.TB, name string) *vex.Document {
	t.Helper()
	d, err := vex.Decode(name, readFile(t, filepath.Join("testdata", name)))
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return d
}

// wantInvalid checks that err is an EInvalid *cradle.Error whose problems
// are all located, and returns it.
func wantInvalid(t testing.TB, err error) *cradle.Error {
	t.Helper()
	var e *cradle.Error
	if !errors.As(err, &e) || e.Code != cradle.EInvalid {
		t.Fatalf("error = %v, want a *cradle.Error with code %q", err, cradle.EInvalid)
	}
	if len(e.Problems) == 0 {
		t.Fatalf("error %q has no problems", e)
	}
	for _, p := range e.Problems {
		if p.Location == "" {
			t.Errorf("problem %q has no location", p.Message)
		}
	}
	return e
}

// meaning lists what a document says, one line per vulnerability, product
// and subcomponent, sorted, so that two documents can be compared whatever
// format carried them and however statements were grouped. The core is
// what every format keeps (vulnerability and aliases, product and
// subcomponent identity, status, justification); full adds the words and
// the effective time of each statement.
func meaning(d *vex.Document, full bool) []string {
	var out []string
	for _, s := range d.Statements {
		as := slices.Clone(s.Vulnerability.Aliases)
		slices.Sort(as)
		head := fmt.Sprintf("%s %v", s.Vulnerability.ID, as)
		tail := fmt.Sprintf("%s %s", s.Status, s.Justification)
		if full {
			at := s.Timestamp
			if at.IsZero() {
				at = d.Timestamp
			}
			tail += fmt.Sprintf(" cdx=%s impact=%q action=%q detail=%q response=%v at=%s",
				s.CycloneDXJustification, s.ImpactStatement, s.ActionStatement, s.Detail, s.Response, at.UTC().Format(time.RFC3339Nano))
		}
		if len(s.Products) == 0 {
			out = append(out, head+" (no product) "+tail)
		}
		for _, p := range s.Products {
			if len(p.Subcomponents) == 0 {
				out = append(out, head+" "+p.Key()+" "+tail)
			}
			for _, c := range p.Subcomponents {
				out = append(out, head+" "+p.Key()+" > "+c.Key()+" "+tail)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// diffLines shows how two meanings differ.
func diffLines(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "\n  + %s", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "\n  - %s", w)
		}
	}
	return b.String()
}

// findStatement returns the statement about vuln with status, failing the
// test if there is not exactly one.
func findStatement(t testing.TB, d *vex.Document, vuln string, status vex.Status) vex.Statement {
	t.Helper()
	var found []vex.Statement
	for _, s := range d.Statements {
		if s.Vulnerability.ID == vuln && s.Status == status {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d statements for %s %s, want 1", len(found), vuln, status)
	}
	return found[0]
}

// wantInvalidUnlocated checks that err is an EInvalid *cradle.Error (about
// the call, not a document, so without locations) and returns its text.
func wantInvalidUnlocated(t testing.TB, err error) string {
	t.Helper()
	if code := cradle.ErrorCode(err); code != cradle.EInvalid {
		t.Fatalf("error = %v (code %q), want code %q", err, code, cradle.EInvalid)
	}
	return err.Error()
}

var someTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
