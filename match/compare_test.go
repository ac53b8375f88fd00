package match_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/match"
)

// testData returns the shared corpus folder, or skips the test.
func testData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA is not set: skipping the test against the shared corpus")
	}
	return dir
}

// assertion is one line "A < B", "A = B" or "A > B" of osv-scalibr's
// version ordering test data.
type assertion struct {
	line int
	a, b string
	want int
}

func readAssertions(t *testing.T, path string) []assertion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []assertion
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 3 {
			t.Fatalf("%s:%d: not \"A op B\": %q", path, n, line)
		}
		op := map[string]int{"<": -1, "=": 0, ">": +1}
		want, ok := op[f[1]]
		if !ok {
			t.Fatalf("%s:%d: unknown operator %q", path, n, f[1])
		}
		out = append(out, assertion{n, f[0], f[2], want})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCompareConformance checks every ordering assertion of the shared
// version-compare corpus through Compare, for every ecosystem that uses
// the file's ordering, both ways round.
func TestCompareConformance(t *testing.T) {
	dir := filepath.Join(testData(t), "conformance", "version-compare")
	orderings := map[string][]string{
		"alpine":    {"Alpine", "Wolfi", "Chainguard"},
		"cran":      {"CRAN"},
		"debian":    {"Debian", "Ubuntu"},
		"hackage":   {"Hackage"},
		"maven":     {"Maven"},
		"nuget":     {"NuGet"},
		"packagist": {"Packagist"},
		"pub":       {"Pub"},
		"pypi":      {"PyPI"},
		"redhat":    {"Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", "Mageia"},
		"rubygems":  {"RubyGems"},
		"semver":    {"npm", "crates.io", "Go", "Hex", "GHC"},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*-versions*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no version-compare files in %s (%v)", dir, err)
	}
	for _, path := range files {
		file := filepath.Base(path)
		ecosystems, ok := orderings[strings.SplitN(file, "-", 2)[0]]
		if !ok {
			t.Errorf("%s: no ecosystem mapped to this file", file)
			continue
		}
		asserts := readAssertions(t, path)
		for _, eco := range ecosystems {
			t.Run(file+"/"+eco, func(t *testing.T) {
				failed := 0
				for _, a := range asserts {
					for _, c := range []struct {
						a, b string
						want int
					}{{a.a, a.b, a.want}, {a.b, a.a, -a.want}} {
						got, err := match.Compare(eco, c.a, c.b)
						if err != nil || got != c.want {
							failed++
							if failed <= 10 {
								t.Errorf("line %d: Compare(%q, %q, %q) = %d, %v; want %d", a.line, eco, c.a, c.b, got, err, c.want)
							}
						}
					}
				}
				t.Logf("%s as %s: %d assertions, %d comparisons, %d failed", file, eco, len(asserts), 2*len(asserts), failed)
			})
		}
		if file == "semver-versions.txt" {
			t.Run(file+"/SEMVER", func(t *testing.T) {
				failed := 0
				for _, a := range asserts {
					if got := match.CompareSemver(a.a, a.b); got != a.want {
						failed++
						t.Errorf("line %d: CompareSemver(%q, %q) = %d; want %d", a.line, a.a, a.b, got, a.want)
					}
					if got := match.CompareSemver(a.b, a.a); got != -a.want {
						failed++
						t.Errorf("line %d: CompareSemver(%q, %q) = %d; want %d", a.line, a.b, a.a, got, -a.want)
					}
				}
				t.Logf("%s as SEMVER ranges: %d assertions, %d failed", file, len(asserts), failed)
			})
		}
		if strings.HasPrefix(file, "pypi-") {
			// Two PEP 440 versions are equal exactly when their normal
			// forms are: the versions[] list relies on it.
			t.Run(file+"/NormalisePyPI", func(t *testing.T) {
				checked, failed := 0, 0
				for _, a := range asserts {
					if !match.IsPEP440(a.a) || !match.IsPEP440(a.b) {
						continue
					}
					checked++
					if same := match.NormalisePyPI(a.a) == match.NormalisePyPI(a.b); same != (a.want == 0) {
						failed++
						t.Errorf("line %d: NormalisePyPI(%q) = %q, NormalisePyPI(%q) = %q; the ordering says %d",
							a.line, a.a, match.NormalisePyPI(a.a), a.b, match.NormalisePyPI(a.b), a.want)
					}
				}
				t.Logf("%s: %d PEP 440 pairs, %d failed", file, checked, failed)
			})
		}
	}
}
