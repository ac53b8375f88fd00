package sbom_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestEncodeGolden writes the CycloneDX fixture in every export format and
// compares the result with the golden files.
func TestEncodeGolden(t *testing.T) {
	s := decodeFile(t, "acme-cdx16.json")
	for format, golden := range map[string]string{
		cradle.ExportCycloneDXJSON: "acme.cdx.json",
		cradle.ExportCycloneDXXML:  "acme.cdx.xml",
		cradle.ExportSPDXJSON:      "acme.spdx.json",
	} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sbom.Encode(&buf, s, format); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run the test with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("Encode(%s) differs from %s (-want +got):\n%s", format, path, diff)
			}
		})
	}
}

// TestEncodeRoundTrip exports each fixture in every format and imports it
// again: the result must validate and keep components, edges and root.
func TestEncodeRoundTrip(t *testing.T) {
	for _, file := range []string{"acme-cdx16.json", "acme-cdx16.xml", "acme-spdx23.json", "acme-spdx23.spdx"} {
		orig := decodeFile(t, file)
		for _, format := range cradle.ExportFormats {
			t.Run(file+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := sbom.Encode(&buf, orig, format); err != nil {
					t.Fatal(err)
				}
				got, err := sbom.Decode("export."+exportExt(format), buf.Bytes())
				if err != nil {
					t.Fatalf("the export does not validate: %v", err)
				}
				if len(got.Warnings) > 0 {
					t.Errorf("the export has defects: %v", got.Warnings)
				}
				compareRoundTrip(t, orig, got, format)
			})
		}
	}
}
