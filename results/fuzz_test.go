package results

import (
	"os"
	"path/filepath"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

// FuzzDecode checks that no input panics, that every rejection is a
// located cradle error, and that what is accepted is consistent.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(minimal))
	f.Add(generateSARIF(20, 5))
	f.Add([]byte(`<testsuites><testsuite><testsuite><testcase name="a"><failure/></testcase></testsuite></testsuite></testsuites>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Decode("f", data)
		if err != nil {
			code := cradle.ErrorCode(err)
			if code != cradle.EInvalid && code != cradle.ETooLarge {
				t.Fatalf("not a user-input error (%s): %v", code, err)
			}
			if code == cradle.EInvalid && len(cradle.ErrorProblems(err)) == 0 {
				t.Fatalf("unlocated: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rep.Results {
			if len(r.Fingerprint) != 64 || seen[r.Fingerprint] {
				t.Fatalf("bad or duplicate fingerprint %q", r.Fingerprint)
			}
			seen[r.Fingerprint] = true
			switch r.Severity {
			case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo:
			default:
				t.Fatalf("severity %q", r.Severity)
			}
		}
		if rep.Tests != nil && rep.Tests.Passed < 0 {
			t.Fatalf("summary %+v", *rep.Tests)
		}
	})
}
