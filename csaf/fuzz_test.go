package csaf_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
)

// FuzzValidate feeds Validate mutations of real CSAF documents: the
// samples in testdata and, with CRADLE_TEST_DATA, every OASIS CSAF 2.0
// test document and example. Whatever the input, Validate must not panic,
// must give the same answer twice, must reject what it cannot read with an
// EInvalid *cradle.Error with a located problem, and must otherwise return
// a report whose findings name a test and a JSON pointer.
//
//	CRADLE_TEST_DATA=../../shared/data go test -run='^$' -fuzz=FuzzValidate -fuzztime=60s ./csaf
func FuzzValidate(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		base := filepath.Join(dir, "conformance", "csaf", "2.0")
		for _, pattern := range []string{"test/validator/data/*/*.json", "examples/csaf/*.json", "examples/csaf/*/*.json"} {
			more, _ := filepath.Glob(filepath.Join(base, pattern))
			seeds = append(seeds, more...)
		}
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"document": {"title": 5}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := csaf.Validate("fuzz.json", data)
		r2, err2 := csaf.Validate("fuzz.json", data)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Validate is not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("error %v is not an EInvalid *cradle.Error", err)
			}
			if len(e.Problems) == 0 || e.Problems[0].Location == "" {
				t.Fatalf("error %q has no located problem", e)
			}
			if err.Error() != err2.Error() {
				t.Fatalf("errors differ:\n%v\n%v", err, err2)
			}
			return
		}
		if !reflect.DeepEqual(r.Errors, r2.Errors) || !reflect.DeepEqual(r.Warnings, r2.Warnings) {
			t.Fatalf("reports differ:\n%v\n%v", r.Errors, r2.Errors)
		}
		for _, fs := range [][]csaf.Finding{r.Errors, r.Warnings} {
			for _, x := range fs {
				if x.Test == "" || x.Message == "" || (x.Path != "" && !strings.HasPrefix(x.Path, "/")) {
					t.Fatalf("malformed finding %+v", x)
				}
			}
		}
		if (r.Err() == nil) != r.Valid() {
			t.Fatalf("Err() = %v, Valid() = %v", r.Err(), r.Valid())
		}
		if err := r.Err(); err != nil && cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("Err() = %v, not EInvalid", err)
		}
	})
}
