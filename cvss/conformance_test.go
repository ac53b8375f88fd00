package cvss_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/cvss"
)

// The reference scores are Red Hat's test vectors (LGPL-3.0 data from
// RedHatProductSecurity/cvss), one line per vector:
//
//	VECTOR - (base, temporal, environmental)   v2.0 and v3.x; None when absent
//	VECTOR - (score,)                          v4.0
//	VECTOR - score                             v4.0
//
// The conformance test reads the whole corpus from CRADLE_TEST_DATA
// (../shared/data); TestReferenceSample reads the sample in testdata/,
// which needs nothing else.

// refFiles are the corpus files, each of which must be read in full.
var refFiles = []string{
	"vectors_simple2", "vectors_calculator2", "vectors_cvsslib2",
	"vectors_simple3", "vectors_calculator3", "vectors_cvsslib3", "vectors_simple31",
	"vectors_simple4", "vectors_supplemental4", "vectors_security4", "vectors_threat4",
}

func TestConformanceRedHat(t *testing.T) {
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping CVSS conformance against ../shared/data")
	}
	dir = filepath.Join(dir, "conformance", "cvss", "redhat-cvss", "tests")
	total := 0
	for _, name := range refFiles {
		t.Run(name, func(t *testing.T) {
			lines, bad := checkReferenceFile(t, filepath.Join(dir, name))
			t.Logf("%s: %d lines checked, %d disagreements", name, lines, bad)
			if lines == 0 {
				t.Errorf("%s: no vectors read", name)
			}
			total += lines
		})
	}
	t.Logf("%d reference vectors checked", total)
}

// TestReferenceSample checks the sample of the reference files kept in
// testdata, which includes the v4.0 vectors whose score a plain
// round-half-up of the float64 value gets 0.1 low.
func TestReferenceSample(t *testing.T) {
	lines, _ := checkReferenceFile(t, filepath.Join("testdata", "reference-sample.txt"))
	if lines < 30 {
		t.Errorf("only %d sample vectors", lines)
	}
}

// checkReferenceFile scores every vector of a reference file and reports
// each disagreement. It returns the number of vectors and disagreements.
func checkReferenceFile(t *testing.T, path string) (lines, bad int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines++
		if msg := checkReferenceLine(line); msg != "" {
			bad++
			t.Errorf("%s:%d: %s: %s", filepath.Base(path), n, line, msg)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, bad
}

// checkReferenceLine returns what is wrong with our score of one reference
// line, or "".
func checkReferenceLine(line string) string {
	vector, scores, ok := strings.Cut(line, " - ")
	if !ok {
		return "no \" - \" between vector and scores"
	}
	want, err := parseScores(scores)
	if err != nil {
		return err.Error()
	}
	s, err := cvss.Parse(vector)
	if err != nil {
		return fmt.Sprintf("Parse: %v", err)
	}
	if s.Rating != cvss.Rating(s.Overall, s.Version) {
		return fmt.Sprintf("rating %q of %.1f", s.Rating, s.Overall)
	}
	switch s.Version {
	case cvss.V40:
		if len(want) != 1 || want[0] == nil {
			return "expected one score for a v4.0 vector"
		}
		if s.Overall != *want[0] {
			return fmt.Sprintf("score %.1f, want %.1f", s.Overall, *want[0])
		}
		return ""
	case cvss.V20:
		if len(want) != 3 || want[0] == nil {
			return "expected three scores for a v2.0 vector"
		}
		// Red Hat's library, like this package, gives v2.0 temporal and
		// environmental scores only when the vector has such metrics.
		return compareScores(s, want[0], want[1], want[2])
	default:
		if len(want) != 3 || want[0] == nil || want[1] == nil || want[2] == nil {
			return "expected three scores for a v3.x vector"
		}
		// Red Hat's library gives v3.x temporal and environmental scores
		// always, computed with Not Defined metrics; this package only when
		// the vector defines one. Score the vector again with the group
		// defined by a metric value that weighs as Not Defined (E:H is 1
		// like E:X; CR:M is 1 like CR:X) to compare those too.
		if s.Temporal == nil {
			t, err := cvss.Parse(withNeutral(vector, "E", "H"))
			if err != nil || t.Temporal == nil {
				return fmt.Sprintf("rescoring with E:H: %v", err)
			}
			s.Temporal = t.Temporal
		}
		if s.Environmental == nil {
			e, err := cvss.Parse(withNeutral(vector, "CR", "M"))
			if err != nil || e.Environmental == nil {
				return fmt.Sprintf("rescoring with CR:M: %v", err)
			}
			s.Environmental = e.Environmental
		}
		return compareScores(s, want[0], want[1], want[2])
	}
}

func compareScores(s *cvss.Score, base, temporal, env *float64) string {
	var diffs []string
	if s.Base != *base {
		diffs = append(diffs, fmt.Sprintf("base %.1f, want %.1f", s.Base, *base))
	}
	if d := comparePtr("temporal", s.Temporal, temporal); d != "" {
		diffs = append(diffs, d)
	}
	if d := comparePtr("environmental", s.Environmental, env); d != "" {
		diffs = append(diffs, d)
	}
	return strings.Join(diffs, "; ")
}

func comparePtr(name string, got, want *float64) string {
	switch {
	case got == nil && want == nil:
		return ""
	case got == nil:
		return fmt.Sprintf("%s absent, want %.1f", name, *want)
	case want == nil:
		return fmt.Sprintf("%s %.1f, want None", name, *got)
	case *got != *want:
		return fmt.Sprintf("%s %.1f, want %.1f", name, *got, *want)
	}
	return ""
}

// parseScores parses "(1.0, 2.0, None)", "(1.0,)" or "1.0"; None is nil.
func parseScores(s string) ([]*float64, error) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "("), ")")
	var out []*float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch f {
		case "":
			continue
		case "None":
			out = append(out, nil)
			continue
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("score %q: %v", f, err)
		}
		out = append(out, &x)
	}
	return out, nil
}

// withNeutral sets metric name of a v3.x vector to value, replacing it if
// present (it can only be Not Defined when its group scored as absent).
func withNeutral(vector, name, value string) string {
	var out []string
	for _, f := range strings.Split(vector, "/") {
		if !strings.HasPrefix(f, name+":") {
			out = append(out, f)
		}
	}
	return strings.Join(append(out, name+":"+value), "/")
}
