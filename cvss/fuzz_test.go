package cvss_test

import (
	"bufio"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
)

// FuzzParse feeds Parse mutations of real vectors. Whatever the input, Parse
// must not panic and must either reject it with an EInvalid *cradle.Error
// with located problems, or return a Score that holds together: scores on
// the 0.0–10.0 scale with one decimal, the rating of Overall, and a
// canonical Vector, no longer than the input, that parses to the same Score.
//
//	go test -run='^$' -fuzz=FuzzParse -fuzztime=60s ./cvss
func FuzzParse(f *testing.F) {
	for _, v := range sampleVectors(f) {
		f.Add(v)
	}
	for _, v := range []string{
		"", "CVSS:", "CVSS:4.0/", "()", "(AV:N", "AV:N//AC:L", "CVSS:3.1/AV:N/AV:N",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:L/MAV:A/MSI:S/S:P/U:Amber",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/RL:X/RC:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MPR:X/MUI:X/MS:X/MC:X/MI:X/MA:X",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := cvss.Parse(in)
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("Parse(%q): error %v is not an EInvalid *cradle.Error", in, err)
			}
			if len(e.Problems) == 0 || len(e.Problems) > 10 {
				t.Fatalf("Parse(%q): %d problems", in, len(e.Problems))
			}
			for _, p := range e.Problems {
				if p.Location == "" || p.Message == "" {
					t.Fatalf("Parse(%q): problem %+v is not located", in, p)
				}
			}
			return
		}
		for _, x := range []*float64{&s.Base, s.Temporal, s.Environmental, &s.Overall} {
			if x != nil && (*x < 0 || *x > 10 || *x != math.Round(*x*10)/10) {
				t.Fatalf("Parse(%q): score %v is not on the 0.0-10.0 scale", in, *x)
			}
		}
		if s.Rating == "" || s.Rating != cvss.Rating(s.Overall, s.Version) {
			t.Fatalf("Parse(%q): rating %q for %.1f", in, s.Rating, s.Overall)
		}
		if (s.Version == cvss.V40) != (s.Nomenclature != "") {
			t.Fatalf("Parse(%q): nomenclature %q for version %s", in, s.Nomenclature, s.Version)
		}
		if len(s.Vector) > len(in) {
			t.Fatalf("Parse(%q): canonical vector %q is longer", in, s.Vector)
		}
		again, err := cvss.Parse(s.Vector)
		if err != nil {
			t.Fatalf("Parse(%q): canonical vector %q does not parse: %v", in, s.Vector, err)
		}
		if diff := cmp.Diff(s, again); diff != "" {
			t.Fatalf("Parse(%q) and Parse(%q) differ (-first +second):\n%s", in, s.Vector, diff)
		}
	})
}

// sampleVectors returns the vectors of testdata/reference-sample.txt.
func sampleVectors(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "reference-sample.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			vector, _, _ := strings.Cut(line, " - ")
			out = append(out, vector)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
