package quality

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/cradle-sdl/cradle"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTestdata runs without the shared corpus.
func TestTestdata(t *testing.T) {
	for name, wants := range map[string][]want{
		"validFullyCompliantBsiV21.cdx16.json":         {{"", "conforms", "yes"}, {"acme-library", "component.deployable_hash", Present}},
		"brokenTargetComponentDependencies.cdx16.json": {{"my-app", "component.dependencies", Invalid}, {"", "sbom.dependencies", Invalid}, {"", "conforms", "no"}},
		"withVulnerabilities.cdx16.json":               {{"", "sbom.no_vulnerabilities", Invalid}},
		"invalidMetadataCreatorEmail.spdx23.json":      {{"", "sbom.creator", Invalid}, {"", "sbom.timestamp", Present}},
		"v2.1.0-two-comps-one-with-filename.json":      {{"PrimaryPackage", "component.filename", Present}, {"DependencyPackage", "component.filename", Missing}, {"", "sbom.spec_version", Present}},
	} {
		t.Run(name, func(t *testing.T) {
			checkWants(t, name, readTestdata(t, name), profileFor(map[bool]string{true: "spdx/"}[strings.Contains(name, "spdx")]), wants)
		})
	}
}

func TestProfilesDiffer(t *testing.T) {
	data := readTestdata(t, "validFullyCompliantBsiV21.cdx16.json")
	// v2.0 allows the same document; NTIA needs a supplier on every component
	// (all have one) and conforms too.
	for _, p := range []string{ProfileBSI20, ProfileNTIA} {
		r, err := Check("x.json", data, p)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Conforms {
			var b bytes.Buffer
			_ = r.WriteText(&b, false)
			t.Errorf("%s: does not conform:\n%s", p, b.String())
		}
	}
	// SPDX 2.3 is not allowed by v2.1
	r, err := Check("x.spdx.json", readTestdata(t, "invalidMetadataCreatorEmail.spdx23.json"), ProfileBSI21)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Document[0]; f.ID != "sbom.spec_version" || f.State != Invalid {
		t.Errorf("spec version under v2.1: %+v", f)
	}
	// CycloneDX 1.4 is not allowed by v2.0
	old := bytes.Replace(data, []byte(`"specVersion": "1.6"`), []byte(`"specVersion": "1.4"`), 1)
	r, err = Check("old.json", old, ProfileBSI20)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Document[0]; f.State != Invalid || !strings.Contains(f.Message, "1.5") {
		t.Errorf("spec version 1.4 under v2.0: %+v", f)
	}
	if len(Profiles()) != 3 {
		t.Errorf("Profiles: %v", Profiles())
	}
}

func TestErrors(t *testing.T) {
	data := readTestdata(t, "withVulnerabilities.cdx16.json")
	for _, tc := range []struct {
		name, profile string
		data          []byte
		want          string
	}{
		{"unknown profile", "bsi-v9", data, "unknown SBOM quality profile"},
		{"empty", ProfileNTIA, []byte("  \n"), "empty input"},
		{"garbage", ProfileNTIA, []byte("hello world"), "unrecognised input"},
		{"json other", ProfileNTIA, []byte(`{"a":1}`), "unrecognised JSON"},
		{"broken json", ProfileNTIA, []byte(`{"bomFormat":"CycloneDX",`), "cannot read the CycloneDX JSON"},
		{"spdx3", ProfileBSI21, []byte(`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":{}}`), "cannot read the SPDX 3"},
		{"xml other", ProfileNTIA, []byte(`<html></html>`), "not a CycloneDX BOM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check("in.json", tc.data, tc.profile)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if cradle.ErrorCode(err) != cradle.EInvalid || len(cradle.ErrorProblems(err)) == 0 {
				t.Errorf("want a located invalid error, got code %q problems %v", cradle.ErrorCode(err), cradle.ErrorProblems(err))
			}
		})
	}
}

func TestReportJSONAndText(t *testing.T) {
	r, err := Check("b.json", readTestdata(t, "brokenTargetComponentDependencies.cdx16.json"), ProfileBSI21)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"profile":"bsi-tr-03183-2-v2.1"`, `"format":"cyclonedx-json"`, `"spec_version":"1.6"`, `"conforms":false`,
		`"components_conforming":0`, `"failing":[`, `"id":"component.dependencies"`, `"path":"/dependencies/1"`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("JSON lacks %s:\n%s", key, js)
		}
	}
	var short, long bytes.Buffer
	if err := r.WriteText(&short, false); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(&long, true); err != nil {
		t.Fatal(err)
	}
	s := short.String()
	for _, want := range []string{"does NOT conform", "Failing fields:", "invalid  component.dependencies", "/dependencies/1", "pkg:generic/nonexistent-lib@9.9.9"} {
		if !strings.Contains(s, want) {
			t.Errorf("text lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "present  component.name") || !strings.Contains(long.String(), "present  component.name") {
		t.Errorf("verbose should add present fields, terse should not")
	}
}

func TestLicenseExpr(t *testing.T) {
	for expr, ok := range map[string]bool{
		"MIT": true, "Apache-2.0 OR MIT": true, "(MIT AND BSD-3-Clause) OR GPL-2.0-or-later WITH Classpath-exception-2.0": true,
		"GPL-2.0+": true, "LicenseRef-acme-1": true, "DocumentRef-x:LicenseRef-y": true, "mit": true,
		"": false, "NONE": false, "NOASSERTION": false, "Apache-2.0 OR": false, "Apache-9999": false, "(MIT": false,
		"MIT)": false, "MIT WITH": false, "MIT WITH Nope-exception": false, "AND MIT": false, "MIT MIT": false,
	} {
		if got := checkLicenseExpr(expr) == ""; got != ok {
			t.Errorf("%q: valid=%v, want %v (%s)", expr, got, ok, checkLicenseExpr(expr))
		}
	}
}

func TestSyntax(t *testing.T) {
	for s, ok := range map[string]bool{"a@b.example": true, "Jo <jo@x.example>": true, "Jo": false, "": false} {
		if authorEmail(s) != ok {
			t.Errorf("author %q: want %v", s, ok)
		}
	}
	for s, ok := range map[string]bool{"a@b.example": true, "ironman": false, "professional.services": false, "x@y": false, "A <a@b.c>": false} {
		if validEmail(s) != ok {
			t.Errorf("email %q: want %v", s, ok)
		}
	}
	for s, ok := range map[string]bool{"https://x.example/a": true, "git+https://github.com/a/b": true, "not-a-valid-url": false, "invalid-url-repo": false, "not-a-valid-url/.well-known/security.txt": false} {
		if validURL(s) != ok {
			t.Errorf("url %q: want %v", s, ok)
		}
	}
	for s, ok := range map[string]bool{"2025-01-01T00:00:00Z": true, "2025-01-01T00:00:00+02:00": true, "2025-01-01 00:00:00": false, "2025-01-01": false} {
		if validTimestamp(s) != ok {
			t.Errorf("timestamp %q: want %v", s, ok)
		}
	}
}

// libraryAccepts says whether the format libraries themselves read data.
func libraryAccepts(data []byte) bool {
	t := bytes.TrimSpace(data)
	if len(t) == 0 {
		return false
	}
	switch t[0] {
	case '{':
		if bytes.Contains(t, []byte(`"bomFormat"`)) {
			var b cdx.BOM
			return cdx.NewBOMDecoder(bytes.NewReader(t), cdx.BOMFileFormatJSON).Decode(&b) == nil
		}
		_, err := spdxjson.Read(bytes.NewReader(t))
		return err == nil
	case '<':
		var b cdx.BOM
		return cdx.NewBOMDecoder(bytes.NewReader(t), cdx.BOMFileFormatXML).Decode(&b) == nil
	}
	_, err := tagvalue.Read(bytes.NewReader(t))
	return err == nil
}

// TestRealSBOMs runs every profile over every SBOM of the corpus: no panic,
// and no error for any file the format libraries read.
func TestRealSBOMs(t *testing.T) {
	dir := corpus(t, "sbom")
	n, checked := 0, 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".json" && ext != ".xml" && ext != ".spdx" && ext != ".cdx" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		accepted := libraryAccepts(data)
		for _, prof := range []string{ProfileBSI21, ProfileBSI20, ProfileNTIA} {
			r, err := Check(p, data, prof)
			switch {
			case err != nil && accepted:
				t.Errorf("%s (%s): library reads it but Check fails: %v", p, prof, err)
			case err == nil:
				checked++
				if len(r.Document) == 0 {
					t.Errorf("%s: empty report", p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d reports", n, checked)
	if checked == 0 {
		t.Error("no SBOM was checked")
	}
}

func FuzzCheck(f *testing.F) {
	ents, _ := os.ReadDir("testdata")
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") {
			data, _ := os.ReadFile(filepath.Join("testdata", e.Name()))
			f.Add(data)
		}
	}
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n"))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components/></bom>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range []string{ProfileBSI21, ProfileNTIA} {
			r, err := Check("fuzz", data, p)
			if err != nil {
				if cradle.ErrorCode(err) != cradle.EInvalid {
					t.Fatalf("error code %q: %v", cradle.ErrorCode(err), err)
				}
				continue
			}
			var b bytes.Buffer
			if err := r.WriteText(&b, true); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// largest returns the SBOM under containers/ with the most packages (the
// 3,952-package SPDX JSON; by bytes another file is slightly larger).
func largest(b testing.TB) string {
	dir := corpus(b, "sbom", "containers")
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	best, most := "", -1
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			Packages []json.RawMessage `json:"packages"`
		}
		if json.Unmarshal(data, &doc) == nil && len(doc.Packages) > most {
			best, most = filepath.Join(dir, e.Name()), len(doc.Packages)
		}
	}
	return best
}

// BenchmarkCheckLargest measures Check (read + all BSI v2.1 checks) on the
// largest container SBOM. QUALITY_BENCH_FILE overrides the file (used by
// bench/compare-sbomqs.sh for the CycloneDX comparison).
func BenchmarkCheckLargest(b *testing.B) {
	p := os.Getenv("QUALITY_BENCH_FILE")
	if p == "" {
		p = largest(b)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var r *Report
	for b.Loop() {
		r, err = Check(p, data, ProfileBSI21)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(r.Components)), "components")
}
