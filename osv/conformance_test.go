package osv_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/google/go-cmp/cmp"
)

// The conformance tests read the shared corpus of third-party data (see
// ../shared/data/README.md) from CRADLE_TEST_DATA.
func corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping conformance against ../shared/data")
	}
	return dir
}

// realRejected lists the records of the real archives that the OSV schema
// rejects, with the place: PyPA records whose GIT ranges name abbreviated
// commits or commits with ".patch" appended. Nothing else may be skipped.
var realRejected = map[string]string{
	"PYSEC-2017-27.json":  "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2019-155.json": "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2021-371.json": "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2021-424.json": "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2021-425.json": "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2021-436.json": "/affected/0/ranges/0/events/1/fixed",
	"PYSEC-2023-80.json":  "/affected/0/ranges/0/events/1/fixed",
}

// TestConformanceArchives reads every real all.zip and the GIT-only PSF
// folder, and checks the counts the corpus README gives.
func TestConformanceArchives(t *testing.T) {
	dir := corpus(t)
	tests := []struct {
		ecosystem                            string
		records, withdrawn, gitOnly, skipped int
	}{
		{"Go", 4291, 17, 0, 0},
		{"PyPI", 2654, 10, 0, 7},
		{"crates.io", 1206, 13, 0, 0},
		{"Hackage", 32, 0, 0, 0},
		{"GHC", 3, 0, 0, 0},
		{"PSF-git-ranges", 132, 0, 132, 0},
	}
	for _, tt := range tests {
		t.Run(tt.ecosystem, func(t *testing.T) {
			path := filepath.Join(dir, "osv", tt.ecosystem)
			if tt.ecosystem != "PSF-git-ranges" {
				path = filepath.Join(path, "all.zip")
			}
			ecosystems := map[string]int{}
			stats, err := osv.Read(path, osv.Limits{}, func(v *cradle.Vulnerability) error {
				checkVulnerability(t, v)
				for _, a := range v.Affected {
					ecosystems[a.Ecosystem]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d records (%d withdrawn, %d GIT-only), %d skipped; affected packages per ecosystem %v", tt.ecosystem, stats.Records, stats.Withdrawn, stats.GitOnly, stats.Skipped, ecosystems)
			if stats.Records != tt.records || stats.Withdrawn != tt.withdrawn || stats.GitOnly != tt.gitOnly || stats.Skipped != tt.skipped {
				t.Errorf("stats = %d records, %d withdrawn, %d GIT-only, %d skipped; want %d, %d, %d, %d",
					stats.Records, stats.Withdrawn, stats.GitOnly, stats.Skipped, tt.records, tt.withdrawn, tt.gitOnly, tt.skipped)
			}
			for _, s := range stats.Skips {
				ptr, ok := realRejected[s.Name]
				if !ok || !strings.Contains(s.Err.Error(), s.Name+":"+ptr+": expected a full-length commit hash") {
					t.Errorf("unexpected skip %s: %v", s.Name, s.Err)
				}
			}
		})
	}
}

// checkVulnerability checks what every accepted record must satisfy.
func checkVulnerability(t *testing.T, v *cradle.Vulnerability) {
	t.Helper()
	if v.ID == "" {
		t.Errorf("record without ID: %+v", v)
	}
	if len(v.Affected) == 0 && v.Withdrawn.IsZero() {
		t.Errorf("%s: no affected packages", v.ID)
	}
	for _, a := range v.Affected {
		if a.Ecosystem == "" && len(a.Versions) > 0 {
			t.Errorf("%s: versions without a package", v.ID)
		}
		for _, r := range a.Ranges {
			if !slices.Contains([]string{cradle.RangeSemver, cradle.RangeEcosystem, cradle.RangeGit}, r.Type) {
				t.Errorf("%s: range type %q", v.ID, r.Type)
			}
			if (r.Type == cradle.RangeGit) != (r.Repo != "") {
				t.Errorf("%s: %s range with repo %q", v.ID, r.Type, r.Repo)
			}
			introduced := false
			for _, e := range r.Events {
				set := 0
				for _, s := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
					if s != "" {
						set++
					}
				}
				if set != 1 {
					t.Errorf("%s: event %+v sets %d fields", v.ID, e, set)
				}
				introduced = introduced || e.Introduced != ""
			}
			if !introduced {
				t.Errorf("%s: range without introduced event", v.ID)
			}
		}
	}
	for _, a := range v.Aliases {
		if a == v.ID {
			t.Errorf("%s: aliases itself", v.ID)
		}
	}
}

// TestConformanceLinter runs the OSV linter's test records. The linter
// checks more than the schema; cradle rejects what would make a record
// wrong to import and accepts what only a network lookup or a style rule
// could fault.
func TestConformanceLinter(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance", "osv", "tools", "osv-linter", "testdata")
	tests := map[string]struct {
		location string // of the first problem; "" for accepted records
		message  string
	}{
		"CVE-2018-5407.json":       {},
		"CVE-2023-41045.json":      {},
		"GHSA-9v2f-6vcg-3hgv.json": {},
		"GO-2020-0001.json":        {},
		"GO-2024-2963.json":        {},
		"PYSEC-2023-74.json":       {},
		// The linter faults these for a package that no longer exists on
		// PyPI (a lookup cradle does not make offline): the records are
		// well-formed.
		"MAL-2024-10238.json":                {},
		"nopackage-GHSA-9v2f-6vcg-3hgv.json": {},
		// The linter faults a range whose introduced and fixed events name
		// the same commit: an empty range, which matches nothing and harms
		// nothing. Real RustSec and PyPA records have such ranges too
		// (RUSTSEC-2022-0012, PYSEC-2022-236), so cradle accepts them.
		"nondistinct-CVE-2018-5407.json": {},
		// Broken records.
		"nointroduced-CVE-2023-41045.json": {"/affected/0/ranges/0/events", `expected an "introduced" event in the range`},
		"SUSE-FU-2022_0444-1.json":         {"/affected", "expected at least one affected package or range"},
		"RHSA-2022_0216.json":              {"", `expected the property "affected"`},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	var want []string
	for name := range tests {
		want = append(want, name)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("linter test records differ from the table (-table +corpus):\n%s", diff)
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			v, err := osv.Decode(name, data)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				checkVulnerability(t, v)
				return
			}
			e := wantInvalid(t, err)
			if p := e.Problems[0]; p.Location != strings.TrimSuffix(name+":"+tt.location, ":") || !strings.Contains(p.Message, tt.message) {
				t.Errorf("first problem = %s, want %s:%s: …%s…", p, name, tt.location, tt.message)
			}
		})
	}
}

// TestConformanceConverters decodes the OSV output of the OSV project's
// GitHub-advisory and Red Hat converters (their inputs, GitHub API JSON and
// CSAF, must be rejected as not OSV).
func TestConformanceConverters(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance", "osv", "tools")
	osvFiles, _ := filepath.Glob(filepath.Join(dir, "ghsa", "testdata", "*.osv.json"))
	redhat, _ := filepath.Glob(filepath.Join(dir, "redhat", "testdata", "OSV", "*.json"))
	osvFiles = append(osvFiles, redhat...)
	if len(osvFiles) < 13 {
		t.Fatalf("found %d converter outputs, want 13: is CRADLE_TEST_DATA right?", len(osvFiles))
	}
	for _, path := range osvFiles {
		v, err := osv.ReadFile(path, osv.Limits{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		checkVulnerability(t, v)
		if strings.HasSuffix(path, "withdrawn.osv.json") && v.Withdrawn.IsZero() {
			t.Errorf("%s: not withdrawn", path)
		}
	}
	inputs, _ := filepath.Glob(filepath.Join(dir, "redhat", "testdata", "CSAF", "*.json"))
	ghsa, _ := filepath.Glob(filepath.Join(dir, "ghsa", "testdata", "*.json"))
	for _, p := range ghsa {
		if !strings.HasSuffix(p, ".osv.json") {
			inputs = append(inputs, p)
		}
	}
	for _, path := range inputs {
		_, err := osv.ReadFile(path, osv.Limits{})
		e := wantInvalid(t, err)
		if !strings.Contains(e.Error(), `required property "id"`) && !strings.Contains(e.Error(), "the OSV schema does not define it") {
			t.Errorf("%s rejected for an unexpected reason: %v", path, e)
		}
	}
}
