package osv_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/osv"
)

// FuzzDecode feeds Decode mutations of real records. Whatever the input,
// Decode must not panic, must reject it with an EInvalid *cradle.Error
// with located problems or return a vulnerability that holds together, and
// must give the same answer twice.
//
//	go test -run='^$' -fuzz=FuzzDecode -fuzztime=45s -fuzzminimizetime=3s ./osv
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "conformance", "osv", "tools", "*", "testdata", "*.json"))
		for _, path := range more {
			if data, err := os.ReadFile(path); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
		// Every 50th record of each real archive: all their shapes, few
		// enough to keep each fuzzing round fast.
		for _, eco := range []string{"Go", "PyPI", "crates.io", "Hackage", "GHC"} {
			zr, err := zip.OpenReader(filepath.Join(dir, "osv", eco, "all.zip"))
			if err != nil {
				continue
			}
			for i, zf := range zr.File {
				if i%50 != 0 {
					continue
				}
				rc, err := zf.Open()
				if err != nil {
					continue
				}
				if data, err := io.ReadAll(rc); err == nil {
					f.Add(data)
				}
				rc.Close()
			}
			zr.Close()
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := osv.Decode("fuzz.json", data)
		v2, err2 := osv.Decode("fuzz.json", data)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(v, v2) {
			t.Fatalf("Decode is not deterministic: %v / %v", err, err2)
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
		checkVulnerability(t, v)
		for _, a := range v.Affected {
			for _, r := range a.Ranges {
				if r.Type != cradle.RangeGit && a.Ecosystem == "" {
					t.Fatalf("%s range without a package", r.Type)
				}
			}
		}
		if slices.Contains(v.Aliases, "") {
			t.Fatalf("empty alias in %q", v.Aliases)
		}
	})
}

// FuzzReadZip feeds ReadZip mutations of small archives: it reads the end
// of the central directory itself before archive/zip does, and a zip is the
// first thing an attacker controls.
//
//	go test -run='^$' -fuzz=FuzzReadZip -fuzztime=45s -fuzzminimizetime=3s ./osv
func FuzzReadZip(f *testing.F) {
	f.Add(buildZip(f, records(f)[:2]...))
	f.Add(buildZip(f, entry{"../x.json", []byte("{}")}))
	f.Add(buildZip(f, entry{"a.json", []byte(`{"id":"GO-1"}`)}, entry{"b/", nil}))
	var z64 bytes.Buffer
	w := zip.NewWriter(&z64)
	for i := range 3 {
		fw, _ := w.CreateHeader(&zip.FileHeader{Name: string(rune('a'+i)) + ".json", Method: zip.Store})
		fw.Write(readTestdata(f, "records/PSF-2023-3.json"))
	}
	w.SetComment("comment PK\x05\x06 inside")
	w.Close()
	f.Add(z64.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := osv.Limits{MaxRecordSize: 64 << 10, MaxTotalSize: 1 << 20, MaxRecords: 100}
		stats, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), limits, func(v *cradle.Vulnerability) error {
			checkVulnerability(t, v)
			return nil
		})
		if err != nil {
			if code := cradle.ErrorCode(err); code != cradle.EInvalid && code != cradle.ETooLarge {
				t.Fatalf("error %v has code %s", err, code)
			}
			return
		}
		if len(stats.Skips) > stats.Skipped {
			t.Fatalf("stats %+v keep more skips than counted", stats)
		}
	})
}
