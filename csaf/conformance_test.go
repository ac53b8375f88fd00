package csaf_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/csaf"
)

// corpus returns the shared corpus of third-party data (see
// ../shared/data/README.md) from CRADLE_TEST_DATA.
func corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping CSAF conformance against ../shared/data")
	}
	return dir
}

// testcases is the OASIS testcases.json: per test, the files that must fail
// it and files that must pass it.
type testcases struct {
	Tests []struct {
		ID       string `json:"id"`
		Group    string `json:"group"`
		Failures []struct {
			Name string `json:"name"`
		} `json:"failures"`
		Valid []struct {
			Name string `json:"name"`
		} `json:"valid"`
	} `json:"tests"`
}

// alsoFails lists the OASIS failure documents that genuinely fail other
// mandatory tests besides the one they are written for, with why. BSI's
// reference validator (csaf-validator-lib 2.0.10) reports the same extra
// failures for every one of them. Nothing else may show up.
var alsoFails = map[string]map[string]string{
	// Revision histories whose numbers descend with the dates: sorted by
	// date, the first item is 2, not 0 or 1 (6.1.21), and in some the
	// latest item's number is not the document version (6.1.16).
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-01.json": {"6.1.21": "earliest item is 2"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-02.json": {"6.1.21": "earliest item is 2", "6.1.16": "version 2, latest item 1"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-03.json": {"6.1.21": "earliest item is 2", "6.1.16": "version 2, latest item 1"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-04.json": {"6.1.21": "earliest item is 2.0.0"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-05.json": {"6.1.21": "earliest item is 2.0.0", "6.1.16": "version 2.0.0, latest item 1.0.0"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-06.json": {"6.1.21": "sorted by date, 10 comes before 9, so 9 is missing when 10 appears"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-14-08.json": {"6.1.21": "sorted by date, the earliest item is 2"},
	// Status final with a revision numbered 0.9.5.
	"oasis_csaf_tc-csaf_2_0-2021-6-1-17-01.json": {"6.1.18": "revision 0.9.5 in a final document"},
	// Status interim with version 1.0.0-alpha: a pre-release version needs
	// status draft (6.1.17), and only drafts may differ from the latest
	// revision (1.0.0) in the pre-release part (6.1.16).
	"oasis_csaf_tc-csaf_2_0-2021-6-1-20-01.json": {"6.1.17": "pre-release version not draft", "6.1.16": "1.0.0-alpha vs latest revision 1.0.0"},
	// The profile test documents leave out the other elements their
	// profile requires.
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-01-01.json": {"6.1.27.2": "no external document reference"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-02-01.json": {"6.1.27.1": "no description, details, general or summary note"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-03-01.json": {"6.1.27.1": "no description note", "6.1.27.2": "no external reference"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-04-01.json": {"6.1.27.5": "vulnerability without notes", "6.1.27.6": "vulnerability without product_status"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-05-01.json": {"6.1.27.4": "no product tree", "6.1.27.6": "vulnerability without product_status"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-06-01.json": {"6.1.27.4": "no product tree", "6.1.27.5": "vulnerability without notes"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-07-01.json": {"6.1.27.5": "vulnerability without notes", "6.1.27.8": "vulnerability without cve or ids"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-08-01.json": {"6.1.27.4": "no product tree", "6.1.27.5": "vulnerability without notes", "6.1.27.7": "product status without fixed, known_affected, known_not_affected, under_investigation"},
	"oasis_csaf_tc-csaf_2_0-2021-6-1-27-10-01.json": {"6.1.27.5": "vulnerability without notes"},
	// Documents of optional tests: the one file hash item lists md5 (or
	// sha1) twice, which 6.1.25 forbids.
	"oasis_csaf_tc-csaf_2_0-2021-6-2-08-02.json": {"6.1.25": "md5 twice in one file_hashes"},
	"oasis_csaf_tc-csaf_2_0-2021-6-2-09-02.json": {"6.1.25": "sha1 twice in one file_hashes"},
}

func isMandatory(test string) bool { return strings.HasPrefix(test, "6.1.") }

func validateFile(t *testing.T, path string) *csaf.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := csaf.Validate(filepath.Base(path), data)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return r
}

// TestConformanceOASIS runs the OASIS CSAF 2.0 test documents: each failure
// document of a mandatory test must fail exactly that test (and pass the
// schema), each valid document of a mandatory test must pass the schema
// and every mandatory test, and each failure document of an optional test
// that cradle runs must give that test's warning.
func TestConformanceOASIS(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance", "csaf", "2.0", "test", "validator", "data")
	data, err := os.ReadFile(filepath.Join(dir, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc testcases
	if err := json.Unmarshal(data, &tc); err != nil {
		t.Fatal(err)
	}
	var failing, extra, valid, optional int
	for _, test := range tc.Tests {
		switch {
		case test.Group == "mandatory":
			for _, f := range test.Failures {
				t.Run(f.Name, func(t *testing.T) {
					r := validateFile(t, filepath.Join(dir, f.Name))
					if !r.Failed(test.ID) {
						t.Errorf("did not fail test %s; errors: %v", test.ID, r.Errors)
						return
					}
					for _, e := range r.Errors {
						if e.Test == test.ID {
							continue
						}
						if _, ok := alsoFails[filepath.Base(f.Name)][e.Test]; ok {
							continue
						}
						t.Errorf("fails test %s besides %s: %s", e.Test, test.ID, e)
					}
					if !t.Failed() {
						failing++
						if len(alsoFails[filepath.Base(f.Name)]) > 0 {
							extra++
						}
					}
				})
			}
			for _, f := range test.Valid {
				t.Run(f.Name, func(t *testing.T) {
					r := validateFile(t, filepath.Join(dir, f.Name))
					if !r.Valid() {
						t.Errorf("valid document (test %s) has errors: %v", test.ID, r.Errors)
						return
					}
					if !r.Tested {
						t.Errorf("the tests were not run")
					}
					valid++
				})
			}
		case test.Group == "optional" && slices.Contains(csaf.OptionalTests, test.ID):
			for _, f := range test.Failures {
				t.Run(f.Name, func(t *testing.T) {
					r := validateFile(t, filepath.Join(dir, f.Name))
					if !r.Failed(test.ID) {
						t.Errorf("no warning of test %s; warnings: %v", test.ID, r.Warnings)
						return
					}
					optional++
				})
			}
			for _, f := range test.Valid {
				t.Run(f.Name, func(t *testing.T) {
					r := validateFile(t, filepath.Join(dir, f.Name))
					for _, w := range r.Warnings {
						if w.Test == test.ID {
							t.Errorf("valid document of test %s has its warning: %s", test.ID, w)
						}
					}
					if !t.Failed() {
						optional++
					}
				})
			}
		}
	}
	// The documents of the optional and informative tests are valid CSAF
	// otherwise: they must pass the schema and the mandatory tests.
	var others int
	for _, group := range []string{"optional", "informative"} {
		files, _ := filepath.Glob(filepath.Join(dir, group, "*.json"))
		for _, path := range files {
			t.Run(group+"/"+filepath.Base(path)+"/mandatory", func(t *testing.T) {
				r := validateFile(t, path)
				for _, e := range r.Errors {
					if _, ok := alsoFails[filepath.Base(path)][e.Test]; !ok {
						t.Errorf("fails %s", e)
					}
				}
				others++
			})
		}
	}
	t.Logf("%d failure documents fail their mandatory test (%d of them also fail the tests listed in alsoFails), %d valid documents pass, %d optional-test documents give (or do not give) their test's warning as listed, %d optional and informative test documents pass the mandatory tests",
		failing, extra, valid, optional, others)
}

// TestConformanceBSI runs the extra CSAF 2.0 fixtures of BSI's
// csaf-validator-lib: tests/<kind>Test_6_x_y/{failing,valid}/*.json. A
// failing fixture must fail its test; a valid one must not fail it (some
// valid fixtures are deliberately broken elsewhere, such as a relationship
// with no members for 6.1.3, to show that the test does not trip over
// them). Tests cradle does not run (informative ones, 6.2.19, 6.2.20) are
// skipped.
func TestConformanceBSI(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance", "csaf", "csaf-validator-lib-tests", "tests")
	folders, err := filepath.Glob(filepath.Join(dir, "*Test_6_*"))
	if err != nil || len(folders) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	var checked int
	for _, folder := range folders {
		kind, number, _ := strings.Cut(filepath.Base(folder), "Test_")
		id := strings.ReplaceAll(number, "_", ".")
		if kind != "mandatory" && !(kind == "optional" && slices.Contains(csaf.OptionalTests, id)) {
			continue
		}
		for _, outcome := range []string{"failing", "valid"} {
			files, _ := filepath.Glob(filepath.Join(folder, outcome, "*.json"))
			for _, path := range files {
				t.Run(id+"/"+outcome+"/"+filepath.Base(path), func(t *testing.T) {
					data, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(string(data), `"csaf_version": "2.0"`) {
						t.Skip("not a CSAF 2.0 document")
					}
					r := validateFile(t, path)
					if failed := r.Failed(id); failed != (outcome == "failing") {
						t.Errorf("failed test %s: %v, want %v; errors %v, warnings %v", id, failed, outcome == "failing", r.Errors, r.Warnings)
					}
					checked++
				})
			}
		}
	}
	t.Logf("%d BSI fixtures checked", checked)
}
