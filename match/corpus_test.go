package match_test

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
)

// osvRecord is the little of an OSV record these tests read. The real
// importer is package osv's.
type osvRecord struct {
	ID       string `json:"id"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Repo   string              `json:"repo"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
		Versions []string `json:"versions"`
	} `json:"affected"`
}

// affected returns the i-th affected package of r as a cradle.Affected.
func (r osvRecord) affected(i int) cradle.Affected {
	a := r.Affected[i]
	out := cradle.Affected{Ecosystem: a.Package.Ecosystem, Name: a.Package.Name, Versions: a.Versions}
	for _, rg := range a.Ranges {
		cr := cradle.Range{Type: rg.Type, Repo: rg.Repo}
		for _, e := range rg.Events {
			cr.Events = append(cr.Events, cradle.Event{
				Introduced: e["introduced"], Fixed: e["fixed"], LastAffected: e["last_affected"], Limit: e["limit"],
			})
		}
		out.Ranges = append(out.Ranges, cr)
	}
	return out
}

func readZip(t testing.TB, path string) []osvRecord {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var out []osvRecord
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		var r osvRecord
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// knownMismatches are the checks the corpus records themselves get wrong
// or leave open, each investigated against the record: key
// "ID check version", value the reason.
var knownMismatches = map[string]string{
	// Equal versions in one range. We take an introduced event directly
	// followed by a fixed of the same version as an empty interval, and
	// otherwise close before opening, joining touching intervals (see
	// compileRange).
	"RUSTSEC-2022-0012 introduced 0.10.0": "introduced 0.10.0 directly followed by fixed 0.10.0: an empty interval (RustSec's way of writing \">= 0.10.0 is patched\")",
	"RUSTSEC-2023-0039 introduced 1.2.0":  "introduced 1.2.0 directly followed by fixed 1.2.0: an empty interval",
	"RUSTSEC-2024-0399 introduced 0.23.0": "introduced 0.23.0 directly followed by fixed 0.23.0: an empty interval",
	"RUSTSEC-2026-0149 introduced 45.0.0": "introduced 45.0.0 directly followed by fixed 45.0.0: an empty interval",
	"PYSEC-2022-236 fixed 3.1.1":          "fixed 3.1.1 ends [0, 3.1.1) and introduced 3.1.1 starts [3.1.1, 3.1.3): 3.1.1 is affected, and the record's versions[] lists it",
	"PYSEC-2023-72 fixed 3.1.1":           "fixed 3.1.1 ends [0, 3.1.1) and introduced 3.1.1 starts [3.1.1, 3.2.0): 3.1.1 is affected, and the record's versions[] lists it",
	"PYSEC-2023-72 fixed 3.2.0": "fixed 3.2.0 ends [3.1.1, 3.2.0) and introduced 3.2.0 starts [3.2.0, 3.2.2): we say 3.2.0 is affected; the record's versions[] " +
		"(OSV.dev's enumeration, which takes equal versions in record order) leaves out 3.2.0 and 3.2.1. Deliberate: the record's three pairs cover [0, 3.2.2)",
	"PYSEC-2022-42972 fixed 0.13.0": "fixed 0.13.0 ends [0.12.2, 0.13.0) and introduced 0.13.0 starts [0.13.0, 0.14.0rc1): we say 0.13.0 is affected; " +
		"record order would drop the whole [0.13.0, 0.14.0rc1) interval",

	// versions[] names versions that the ranges leave out.
	"PYSEC-2021-114 listed-in-ranges 2.11.6": "the record's ranges overlap ([0, 2.11.6) and [2.11, 2.11.7)); OSV's walk closes at the first fixed, " +
		"so only versions[] makes 2.11.6 affected (and Affects reports it so)",
	"PYSEC-2023-61 listed-in-ranges 3.2a1":                             "pre-release of 3.2, below introduced 3.2; versions[] is more inclusive than the ranges",
	"PYSEC-2023-61 listed-in-ranges 3.2b1":                             "pre-release of 3.2, below introduced 3.2",
	"PYSEC-2023-61 listed-in-ranges 3.2rc1":                            "pre-release of 3.2, below introduced 3.2",
	"PYSEC-2023-61 listed-in-ranges 4.2a1":                             "pre-release of 4.2, below introduced 4.2",
	"PYSEC-2023-61 listed-in-ranges 4.2b1":                             "pre-release of 4.2, below introduced 4.2",
	"PYSEC-2023-61 listed-in-ranges 4.2rc1":                            "pre-release of 4.2, below introduced 4.2",
	"PYSEC-2023-177 listed-in-ranges 23.9.0":                           "listed from the record's GIT range (fix commit after the 23.9.0 tag); the ECOSYSTEM range says fixed 23.9.0",
	"PYSEC-2023-177 listed-in-ranges 23.9.0.post1":                     "listed from the record's GIT range; the ECOSYSTEM range says fixed 23.9.0",
	"PYSEC-2020-341 listed-in-ranges -class.-jw.util.version.Version-": "not a version (no number): the ranges cannot place it, so Affects answers from versions[] alone",
	"PYSEC-2021-121 listed-in-ranges trunk":                            "not a version (no number): the ranges cannot place it, so Affects answers from versions[] alone",
}

// TestOSVCorpus evaluates every affected package of the shared OSV
// exports: each version its versions[] list names must be inside its
// ranges, and the versions its events name must fall where the events say.
func TestOSVCorpus(t *testing.T) {
	dir := filepath.Join(testData(t), "osv")
	for _, eco := range []string{"Go", "PyPI", "crates.io", "Hackage", "GHC"} {
		t.Run(eco, func(t *testing.T) {
			records := readZip(t, filepath.Join(dir, eco, "all.zip"))
			var c corpusCounts
			for _, r := range records {
				for i := range r.Affected {
					c.check(t, r, r.affected(i))
				}
			}
			t.Logf("%s: %d records, %d affected packages (%d with GIT ranges only, skipped); compile errors %d",
				eco, len(records), c.affected, c.gitOnly, c.compileErrors)
			t.Logf("%s: versions[] entries checked %d (through ranges alone), mismatches %d (%d explained)",
				eco, c.versions, c.versionMismatches, c.versionExplained)
			t.Logf("%s: event boundaries checked %d, mismatches %d (%d explained)",
				eco, c.bounds, c.boundMismatches, c.boundExplained)
			for _, s := range c.notes {
				t.Log("  " + s)
			}
		})
	}
}

type corpusCounts struct {
	affected, gitOnly, compileErrors              int
	versions, versionMismatches, versionExplained int
	bounds, boundMismatches, boundExplained       int
	notes                                         []string
}

func (c *corpusCounts) mismatch(t *testing.T, id, check, version string, explained *int, mismatches *int, detail string) {
	t.Helper()
	*mismatches++
	key := id + " " + check + " " + version
	if why, ok := knownMismatches[key]; ok {
		*explained++
		c.notes = append(c.notes, fmt.Sprintf("known: %s: %s", key, why))
		return
	}
	t.Errorf("%s: %s %s: %s", id, check, version, detail)
}

func (c *corpusCounts) check(t *testing.T, r osvRecord, a cradle.Affected) {
	t.Helper()
	c.affected++
	git := 0
	for _, rg := range a.Ranges {
		if rg.Type == cradle.RangeGit {
			git++
		}
	}
	if git == len(a.Ranges) && git > 0 {
		c.gitOnly++
		res, err := match.Affects(a, "0.0.0")
		if err == nil && res.Unevaluated != git {
			t.Errorf("%s: Unevaluated = %d, want %d GIT ranges", r.ID, res.Unevaluated, git)
		}
		return
	}
	whole, err := match.Compile(a)
	if err != nil {
		c.compileErrors++
		t.Errorf("%s: Compile: %v", r.ID, err)
		return
	}
	rangesOnly := a
	rangesOnly.Versions = nil
	ranges, err := match.Compile(rangesOnly)
	if err != nil {
		t.Fatalf("%s: Compile without versions: %v", r.ID, err)
	}

	for _, v := range a.Versions {
		c.versions++
		res, err := whole.Affects(v)
		if err != nil || !res.Affected {
			c.mismatch(t, r.ID, "listed", v, &c.versionExplained, &c.versionMismatches, fmt.Sprintf("not affected through its own versions[]: %+v, %v", res, err))
			continue
		}
		if len(a.Ranges) == 0 {
			continue // no ranges to agree with
		}
		res, err = ranges.Affects(v)
		if err != nil || !res.Affected {
			c.mismatch(t, r.ID, "listed-in-ranges", v, &c.versionExplained, &c.versionMismatches,
				fmt.Sprintf("listed in versions[] but outside the ranges (GIT ranges: %d): %+v, %v", git, res, err))
		}
	}

	// Each range alone: its events say where its boundaries are.
	for i, rg := range a.Ranges {
		if rg.Type == cradle.RangeGit {
			continue
		}
		one, err := match.Compile(cradle.Affected{Ecosystem: a.Ecosystem, Name: a.Name, Ranges: []cradle.Range{rg}})
		if err != nil {
			t.Fatalf("%s: Compile range %d: %v", r.ID, i, err)
		}
		expect := func(check, v string, want bool) {
			c.bounds++
			res, err := one.Affects(v)
			if err != nil || res.Affected != want {
				c.mismatch(t, r.ID, check, v, &c.boundExplained, &c.boundMismatches,
					fmt.Sprintf("range %d %v: affected = %v, want %v (err %v)", i, rg.Events, res.Affected, want, err))
			}
		}
		zero := false
		lowest := ""
		for _, e := range rg.Events {
			switch {
			case e.Introduced == "0":
				zero = true
			case e.Introduced != "":
				expect("introduced", e.Introduced, true)
				if lowest == "" || order(t, a.Ecosystem, rg.Type, e.Introduced, lowest) < 0 {
					lowest = e.Introduced
				}
			case e.Fixed != "":
				expect("fixed", e.Fixed, false)
			case e.LastAffected != "":
				expect("last_affected", e.LastAffected, true)
			}
		}
		if !zero && lowest != "" {
			if below := justBelow(a.Ecosystem, rg.Type, lowest); below != "" {
				if order(t, a.Ecosystem, rg.Type, below, lowest) >= 0 {
					t.Fatalf("%s: justBelow(%q) = %q is not below it", r.ID, lowest, below)
				}
				expect("below-first-introduced", below, false)
			}
		}
	}
}

func order(t *testing.T, ecosystem, typ, a, b string) int {
	t.Helper()
	if typ == cradle.RangeSemver {
		return match.CompareSemver(a, b)
	}
	n, err := match.Compare(ecosystem, a, b)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var plainRelease = regexp.MustCompile(`^\d+(\.\d+)*$`)

// justBelow constructs a version just below v: one that sorts below it and
// above every version released before it. "" when it cannot.
func justBelow(ecosystem, typ, v string) string {
	if !plainRelease.MatchString(v) {
		return ""
	}
	switch {
	case typ == cradle.RangeSemver || ecosystem == "GHC" || ecosystem == "crates.io" || ecosystem == "Go":
		return v + "-0" // the lowest pre-release of v
	case ecosystem == "PyPI":
		return v + ".dev0" // the lowest pre-release of v
	case ecosystem == "Hackage":
		// Hackage has no pre-releases: decrement the last part.
		parts := strings.Split(v, ".")
		n, _ := strconv.Atoi(parts[len(parts)-1])
		if n == 0 {
			return ""
		}
		parts[len(parts)-1] = strconv.Itoa(n - 1)
		return strings.Join(parts, ".") + ".999999"
	}
	return ""
}

// TestGitOnlyRanges checks that the PSF records, which have GIT ranges
// only, are reported as unevaluated rather than as not affected.
func TestGitOnlyRanges(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testData(t), "osv", "PSF-git-ranges", "*.json"))
	if len(files) == 0 {
		t.Fatal("no PSF records")
	}
	ranges := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r osvRecord
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i := range r.Affected {
			a := r.affected(i)
			res, err := match.Affects(a, "3.12.0")
			if err != nil {
				t.Errorf("%s: %v", r.ID, err)
				continue
			}
			ranges += res.Unevaluated
			if res.Unevaluated != len(a.Ranges) || (!res.Affected && !res.Uncertain()) {
				t.Errorf("%s: %+v: want %d unevaluated GIT ranges and an uncertain verdict", r.ID, res, len(a.Ranges))
			}
		}
	}
	t.Logf("%d PSF records, %d GIT ranges reported unevaluated", len(files), ranges)
}
