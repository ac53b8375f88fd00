package sbom_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
)

// FuzzDecode feeds Decode mutations of real documents. Whatever the input,
// Decode must not panic and must either reject it with an EInvalid
// *cradle.Error or return an SBOM that holds together and that every
// export format can write in a form Decode accepts again.
//
//	go test -run='^$' -fuzz=FuzzDecode -fuzztime=60s -fuzzminimizetime=3s ./sbom
//
// (Minimising a new input re-runs the exports too; without a short
// -fuzzminimizetime the fuzzer spends most of the minute minimising.)
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	more, _ := filepath.Glob(filepath.Join("testdata", "seed", "*.*"))
	for _, path := range append(seeds, more...) {
		if !strings.HasSuffix(path, ".md") {
			f.Add(readTestdata(f, strings.TrimPrefix(path, "testdata"+string(filepath.Separator))))
		}
	}
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		// The conformance suites and the smaller real SBOMs: large files
		// make every fuzzing iteration slow.
		for _, sub := range []string{"conformance/cyclonedx/tests/1.4", "conformance/cyclonedx/tests/1.5", "conformance/cyclonedx/tests/1.6", "conformance/spdx", "sbom"} {
			filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !isSBOMCandidate(path) {
					return err
				}
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
		s, err := sbom.Decode("fuzz", data)
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("error %v is not an EInvalid *cradle.Error", err)
			}
			return
		}
		checkSBOM(t, s)
		for _, format := range cradle.ExportFormats {
			var buf bytes.Buffer
			if err := sbom.Encode(&buf, s, format); err != nil {
				t.Fatalf("Encode %s: %v", format, err)
			}
			again, err := sbom.Decode("", buf.Bytes())
			if err != nil {
				t.Fatalf("the %s export does not decode: %v\n%s", format, err, buf.Bytes())
			}
			if len(again.Components) != len(s.Components) || len(again.Dependencies) != len(s.Dependencies) {
				t.Fatalf("the %s export has %d components and %d edges, want %d and %d",
					format, len(again.Components), len(again.Dependencies), len(s.Components), len(s.Dependencies))
			}
		}
	})
}

// checkSBOM checks what the domain promises of a decoded SBOM: unique
// refs, edges and root between components, depths from a walk.
func checkSBOM(t *testing.T, s *cradle.SBOM) {
	t.Helper()
	refs := map[string]bool{}
	for _, c := range s.Components {
		if refs[c.Ref] {
			t.Fatalf("ref %q twice", c.Ref)
		}
		refs[c.Ref] = true
		if c.Depth < -1 {
			t.Fatalf("component %q has depth %d", c.Ref, c.Depth)
		}
	}
	if s.Root != "" && !refs[s.Root] {
		t.Fatalf("root %q is not a component", s.Root)
	}
	edges := map[cradle.Dependency]bool{}
	for _, d := range s.Dependencies {
		if !refs[d.From] || !refs[d.To] {
			t.Fatalf("edge %q → %q between unknown refs", d.From, d.To)
		}
		if edges[d] {
			t.Fatalf("edge %q → %q twice", d.From, d.To)
		}
		edges[d] = true
	}
	for _, w := range s.Warnings {
		if w.Message == "" {
			t.Fatalf("empty warning at %q", w.Location)
		}
	}
}
