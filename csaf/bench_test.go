package csaf_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cradle-sdl/cradle/csaf"
)

// cisaAdvisories reads CISA's advisories from the shared corpus: every
// *.json under csaf_files in a folder named after a year (the ROLIE feeds
// beside the year folders are not CSAF documents).
func cisaAdvisories(t testing.TB) (names []string, data [][]byte) {
	t.Helper()
	root := filepath.Join(corpus(t), "csaf", "cisa", "csaf_files")
	year := regexp.MustCompile(`^[0-9]{4}$`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") || !year.MatchString(filepath.Base(filepath.Dir(path))) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		names = append(names, rel)
		data = append(data, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no advisories under %s", root)
	}
	return names, data
}

// validateAll validates documents on GOMAXPROCS workers.
func validateAll(names []string, data [][]byte) ([]*csaf.Report, []error) {
	reports := make([]*csaf.Report, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				reports[i], errs[i] = csaf.Validate(names[i], data[i])
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	return reports, errs
}

// cisaFailures lists the CISA advisories that fail a mandatory test, with
// the tests. Everything else in the set must be valid. BSI's reference
// validator (csaf-validator-lib 2.0.10) fails exactly these too.
var cisaFailures = map[string][]string{
	// CWE-280 named "Improper Handling of Insufficient Permissions or
	// Privileges " with a trailing space, which the CWE list's name lacks.
	"OT/white/2019/icsa-19-099-04.json": {"6.1.11"},
	"OT/white/2021/icsa-21-068-10.json": {"6.1.11"},
	"OT/white/2021/icsa-21-259-01.json": {"6.1.11"},
}

// TestCISA validates every real advisory of CISA's CSAF provider
// directory (2,383 documents) and checks that exactly the known ones fail,
// and fail the tests given.
func TestCISA(t *testing.T) {
	if testing.Short() {
		t.Skip("validating 2,383 advisories")
	}
	names, data := cisaAdvisories(t)
	reports, errs := validateAll(names, data)
	failing := map[string][]string{}
	for i, name := range names {
		if errs[i] != nil {
			t.Errorf("%s: %v", name, errs[i])
			continue
		}
		r := reports[i]
		if !r.Tested {
			t.Errorf("%s: the tests were not run: %v", name, r.Errors)
		}
		if !r.Valid() {
			failing[filepath.ToSlash(name)] = r.FailedTests()
			for _, e := range r.Errors {
				t.Logf("%s: %s", name, e)
			}
		}
	}
	for name, tests := range failing {
		if want, ok := cisaFailures[name]; !ok || !slices.Equal(tests, want) {
			t.Errorf("%s fails %v, want %v", name, tests, want)
		}
	}
	for name, want := range cisaFailures {
		if _, ok := failing[name]; !ok {
			t.Errorf("%s passes, want it to fail %v", name, want)
		}
	}
	t.Logf("%d advisories, %d fail a mandatory test", len(names), len(failing))
}

// BenchmarkValidateCISA validates all of CISA's advisories (78 MB of
// JSON) on GOMAXPROCS workers, as a provider's mirror would.
//
//	CRADLE_TEST_DATA=../../shared/data go test -run='^$' -bench=CISA -benchtime=3x ./csaf
func BenchmarkValidateCISA(b *testing.B) {
	names, data := cisaAdvisories(b)
	var size int64
	for _, d := range data {
		size += int64(len(d))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		validateAll(names, data)
	}
	b.ReportMetric(float64(len(names)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkValidate validates one document: the OASIS example of a
// security advisory in testdata.
func BenchmarkValidate(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "cisco-sa-20180328-smi2.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := csaf.Validate("d.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
