package sbom_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cradle-sdl/cradle/sbom"
)

// generateCycloneDX returns a CycloneDX 1.6 JSON document with n library
// components (plus the root) and 3n dependency edges, shaped like real
// generator output: purls, hashes, licences, and a layered graph.
func generateCycloneDX(tb testing.TB, n int) []byte {
	tb.Helper()
	type hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	type license struct {
		License struct {
			ID string `json:"id"`
		} `json:"license"`
	}
	type component struct {
		BOMRef   string    `json:"bom-ref"`
		Type     string    `json:"type"`
		Group    string    `json:"group,omitempty"`
		Name     string    `json:"name"`
		Version  string    `json:"version"`
		PURL     string    `json:"purl"`
		Hashes   []hash    `json:"hashes"`
		Licenses []license `json:"licenses"`
	}
	type dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn,omitempty"`
	}
	ref := func(i int) string { return fmt.Sprintf("pkg:npm/%%40scope%d/package-%d@1.%d.%d", i%50, i, i%7, i%13) }
	comps := make([]component, n)
	deps := make([]dependency, 0, n+1)
	var lic license
	lic.License.ID = "MIT"
	root := dependency{Ref: "root"}
	for i := range comps {
		comps[i] = component{
			BOMRef: ref(i), Type: "library", Name: fmt.Sprintf("package-%d", i), Version: fmt.Sprintf("1.%d.%d", i%7, i%13),
			PURL:     ref(i),
			Hashes:   []hash{{"SHA-256", fmt.Sprintf("%064x", i)}},
			Licenses: []license{lic},
		}
		d := dependency{Ref: ref(i)}
		// Three edges per component, to later components (no cycles).
		for k := 1; k <= 3; k++ {
			if j := i + k*7 + 1; j < n {
				d.DependsOn = append(d.DependsOn, ref(j))
			}
		}
		deps = append(deps, d)
		if i < 10 {
			root.DependsOn = append(root.DependsOn, ref(i))
		}
	}
	// Top up to exactly 3n edges with edges from the root.
	edges := len(root.DependsOn)
	for _, d := range deps {
		edges += len(d.DependsOn)
	}
	for i := 10; edges < 3*n; i++ {
		root.DependsOn = append(root.DependsOn, ref(i))
		edges++
	}
	deps = append(deps, root)
	doc := map[string]any{
		"bomFormat":    "CycloneDX",
		"specVersion":  "1.6",
		"serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		"version":      1,
		"metadata": map[string]any{
			"timestamp": "2026-11-01T12:00:00Z",
			"component": map[string]any{"bom-ref": "root", "type": "application", "name": "app", "version": "1.0.0"},
		},
		"components":   comps,
		"dependencies": deps,
	}
	data, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkDecodeCycloneDX10k decodes a CycloneDX 1.6 JSON SBOM of 10,000
// components and 30,000 edges: the size the import budget (2 s including
// the database) is set for.
//
//	go test -run='^$' -bench=DecodeCycloneDX10k -benchmem ./sbom
func BenchmarkDecodeCycloneDX10k(b *testing.B) {
	data := generateCycloneDX(b, 10_000)
	if _, err := sbom.Decode("bench.json", data); err != nil { // compiles the schema outside the timing
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := sbom.Decode("bench.json", data)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Components) != 10_001 || len(s.Dependencies) != 30_000 {
			b.Fatalf("got %d components and %d edges", len(s.Components), len(s.Dependencies))
		}
	}
}

// BenchmarkDecodeSPDX decodes the two largest real SPDX 2.2 JSON SBOMs of
// the corpus (trivy: 3,117 and 3,952 packages), the documents on which
// `cradle scan` spends nearly all its time reading the SBOM.
//
//	CRADLE_TEST_DATA=../shared/data go test -run='^$' -bench=DecodeSPDX -benchmem ./sbom
func BenchmarkDecodeSPDX(b *testing.B) {
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		b.Skip("CRADLE_TEST_DATA not set")
	}
	for _, c := range []struct {
		name, glob string
		components int
	}{
		{"microclimate-3117", "spdx-trivy-ibmcom_microclimate-portal-*.json", 3117},
		{"synthetics-3952", "spdx-trivy-newrelic_synthetics-minion-runner-*.json", 3952},
	} {
		files, _ := filepath.Glob(filepath.Join(dir, "sbom/containers", c.glob))
		if len(files) != 1 {
			b.Fatalf("%s: found %d files", c.glob, len(files))
		}
		data, err := os.ReadFile(files[0])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			if _, err := sbom.Decode("bench.json", data); err != nil { // compiles the schema outside the timing
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s, err := sbom.Decode("bench.json", data)
				if err != nil {
					b.Fatal(err)
				}
				if len(s.Components) != c.components {
					b.Fatalf("got %d components, want %d", len(s.Components), c.components)
				}
			}
		})
	}
}
