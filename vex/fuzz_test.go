package vex_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/vex"
)

// FuzzDecode feeds Decode mutations of real documents. Whatever the input,
// Decode must not panic and must either reject it with an EInvalid
// *cradle.Error or return a document that EncodeOpenVEX writes (or refuses
// with EInvalid, for what OpenVEX cannot say) in a form Decode reads back
// with the same meaning; the same for CycloneDX 1.6.
//
//	go test -run='^$' -fuzz=FuzzDecode -fuzztime=60s ./vex
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, path := range seeds {
		f.Add(readFile(f, path))
	}
	f.Add([]byte(csafSynthetic))
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		for _, sub := range corpusDirs {
			filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
					return err
				}
				// Large files make every iteration slow.
				if info, err := d.Info(); err == nil && info.Size() <= 64<<10 {
					if data, err := os.ReadFile(path); err == nil {
						f.Add(data)
					}
				}
				return nil
			})
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := vex.Decode("fuzz.json", data)
		if err != nil {
			wantInvalid(t, err)
			return
		}
		if len(d.Statements) == 0 {
			t.Fatal("decoded a document without statements")
		}
		for _, s := range d.Statements {
			if !s.Status.Valid() || (s.Justification != "" && !s.Justification.Valid()) {
				t.Fatalf("statement with status %q, justification %q", s.Status, s.Justification)
			}
		}
		want := meaning(d, false)
		out, err := vex.EncodeOpenVEX(d)
		if err != nil {
			if code := cradle.ErrorCode(err); code != cradle.EInvalid {
				t.Fatalf("EncodeOpenVEX: %v (code %q)", err, code)
			}
		} else {
			back, err := vex.Decode("fuzz.openvex.json", out)
			if err != nil {
				t.Fatalf("Decode(EncodeOpenVEX): %v\n%s", err, out)
			}
			if got := meaning(back, false); !slices.Equal(got, want) {
				t.Fatalf("OpenVEX changed the meaning:%s", diffLines(got, want))
			}
		}
		out, err = vex.EncodeCycloneDX(d, "1.6")
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("EncodeCycloneDX: %v", err)
			}
			return
		}
		if _, err := sbom.Decode("fuzz.cdx.json", out); err != nil {
			t.Fatalf("the CycloneDX schema rejects EncodeCycloneDX's output: %v\n%s", err, out)
		}
		back, err := vex.Decode("fuzz.cdx.json", out)
		if err != nil {
			t.Fatalf("Decode(EncodeCycloneDX): %v\n%s", err, out)
		}
		if got := meaning(back, true); !slices.Equal(got, meaning(d, true)) {
			t.Fatalf("CycloneDX changed the meaning:%s", diffLines(got, meaning(d, true)))
		}
	})
}
