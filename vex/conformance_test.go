package vex_test

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/vex"
)

// corpusDirs are the folders of real documents under CRADLE_TEST_DATA
// that Decode is run on, every .json and .yaml file in them.
var corpusDirs = []string{
	"conformance/vex/openvex-spec",
	"conformance/vex/go-vex",
	"conformance/vex/vexctl",
	"conformance/vex/cyclonedx-vex",
	"conformance/csaf/2.0/examples/csaf", // the 13 CSAF-VEX use cases and 6 advisories
}

// expected is what must happen to one file of the corpus: reject is a
// phrase of the rejection ("" means it decodes); openVEX and cycloneDX are
// phrases of the error writing the decoded document in that format ("" means
// it is written, and reads back with the same meaning).
type expected struct {
	reject, openVEX, cycloneDX string
}

const (
	notVEX       = "is not a VEX document cradle can read"
	openVEX001   = "other OpenVEX versions are not supported"
	noAnalysis   = "expected at least one vulnerability with an analysis"
	noTimestamp  = "expected the time the document was issued"
	linkVersions = "expected no version on a component named by an IRI or BOM-Link"
)

// Every file in corpusDirs must be listed: a new file fails the test until
// someone decides what it should do.
var corpusExpectations = map[string]expected{
	// OpenVEX 0.2.0 that satisfies the schema.
	"vex/go-vex/pkg/vex/testdata/v0.2.0.json":                       {},
	"vex/vexctl/examples/csaf/openvex.json":                         {},
	"vex/vexctl/examples/openvex/demo.vex.json":                     {},
	"vex/vexctl/examples/openvex/document1.vex.json":                {},
	"vex/vexctl/examples/openvex/document2.vex.json":                {},
	"vex/vexctl/pkg/ctl/testdata/templates/oci-vexctl.openvex.json": {},
	// vexctl merge inputs: no document timestamp and no version, both
	// required by the 0.2.0 schema and the specification's field table.
	"vex/go-vex/pkg/vex/testdata/v020-1.vex.json": {reject: `expected the required property "timestamp"`},
	"vex/go-vex/pkg/vex/testdata/v020-2.vex.json": {reject: `expected the required property "version"`},
	"vex/vexctl/pkg/ctl/testdata/v020-1.vex.json": {reject: `expected the required property "timestamp"`},
	"vex/vexctl/pkg/ctl/testdata/v020-2.vex.json": {reject: `expected the required property "version"`},
	// vexctl's SARIF samples put the text in "statement", a field OpenVEX
	// does not have (additionalProperties: false).
	"vex/vexctl/examples/sarif/sample-1statement.openvex.json": {reject: `expected no property "statement"`},
	"vex/vexctl/examples/sarif/sample-2vulns.openvex.json":     {reject: `expected no property "statement"`},
	"vex/vexctl/examples/sarif/sample-history.openvex.json":    {reject: `expected no property "statement"`},
	"vex/vexctl/pkg/ctl/testdata/sarif/sample.openvex.json":    {reject: `expected no property "statement"`},
	"vex/vexctl/pkg/ctl/testdata/sarif/sample-2vulns.json":     {reject: `expected no property "statement"`},
	"vex/vexctl/pkg/ctl/testdata/sarif/sample-history.json":    {reject: `expected no property "statement"`},
	// OpenVEX v0.0.1 (context https://openvex.dev/ns or .../v0.0.1): plain
	// string vulnerabilities and products; only 0.2.0 is read.
	"vex/go-vex/pkg/csaf/testdata/openvex.json":         {reject: openVEX001},
	"vex/go-vex/pkg/vex/testdata/v0.0.1-noversion.json": {reject: openVEX001},
	"vex/go-vex/pkg/vex/testdata/v0.0.1.json":           {reject: openVEX001},
	"vex/go-vex/pkg/vex/testdata/v001-1.vex.json":       {reject: openVEX001},
	"vex/go-vex/pkg/vex/testdata/v001-2.vex.json":       {reject: openVEX001},
	"vex/vexctl/pkg/ctl/testdata/images.vex.json":       {reject: openVEX001},
	"vex/vexctl/pkg/ctl/testdata/test.vex.json":         {reject: openVEX001},
	"vex/vexctl/pkg/ctl/testdata/v001-1.vex.json":       {reject: openVEX001},
	"vex/vexctl/pkg/ctl/testdata/v001-2.vex.json":       {reject: openVEX001},
	// Not VEX documents at all.
	"vex/openvex-spec/ns/v0.2.0/context.json":                  {reject: notVEX},
	"vex/openvex-spec/openvex_json_schema.json":                {reject: notVEX},
	"vex/vexctl/examples/csaf/sbom.spdx.json":                  {reject: notVEX},
	"vex/vexctl/examples/sarif/nginx-grype.sarif.json":         {reject: notVEX},
	"vex/vexctl/examples/sarif/nginx-snyk.sarif.json":          {reject: notVEX},
	"vex/vexctl/examples/sarif/nginx-trivy.sarif.json":         {reject: notVEX},
	"vex/vexctl/pkg/ctl/testdata/nginx.sarif.json":             {reject: notVEX},
	"vex/vexctl/pkg/ctl/testdata/sarif/nginx-grype.sarif.json": {reject: notVEX},
	"vex/vexctl/pkg/ctl/testdata/sarif/nginx-snyk.sarif.json":  {reject: notVEX},
	"vex/vexctl/pkg/ctl/testdata/sarif/nginx-trivy.sarif.json": {reject: notVEX},
	"vex/go-vex/pkg/vex/testdata/vex.yaml":                     {reject: "is not valid JSON"},

	// CSAF VEX.
	"vex/go-vex/pkg/csaf/testdata/rhsa-2020_1358.json": {},
	"vex/go-vex/pkg/vex/testdata/csaf.json":            {},
	"vex/vexctl/examples/csaf/csaf.json":               {},
	// A purl without a name and two product IDs the tree never defines.
	"vex/go-vex/pkg/csaf/testdata/csaf.json":                     {reject: `found "pkg:maven/@1.3.4": purl is missing name (CSAF 6.1.13)`},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-01-a-001.json":  {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-01-f-001.json":  {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-01-na-001.json": {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-01-ui-001.json": {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-02-na-001.json": {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-03-ms-001.json": {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-04-001.json":    {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-05-001.json":    {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-06-001.json":    {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-07-001.json":    {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-08-001.json":    {},
	"csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-09-001.json":    {},
	// The range "<=1.14.0" is no vers: range; neither a purl nor
	// CycloneDX affects can carry it.
	"csaf/2.0/examples/csaf/csaf_vex/sec-vex-2022-0001.json": {openVEX: "expected a vers: version range", cycloneDX: "expected a vers: version range"},
	// CSAF security advisories: their product status is read too.
	"csaf/2.0/examples/csaf/bsi-2022-0001.json":  {},
	"csaf/2.0/examples/csaf/rhsa-2021_5217.json": {},
	"csaf/2.0/examples/csaf/rhsa-2022_0011.json": {},
	// known_not_affected without a flag or impact threat is fine in an
	// advisory but not in OpenVEX.
	"csaf/2.0/examples/csaf/rhsa-2021_5186.json": {openVEX: "expected a justification or an impact statement for not_affected"},
	// Profiles without VEX: csaf_base ("Cisco Security Advisory") and
	// csaf_informational_advisory.
	"csaf/2.0/examples/csaf/cisco-sa-20180328-smi2.json": {reject: `expected csaf_vex`},
	"csaf/2.0/examples/csaf/rhsa-2019_1862.json":         {reject: `expected csaf_vex`},

	// CycloneDX VEX.
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-1/vex-affected.json":            {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-1/vex-fixed.json":               {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-1/vex-not_affected.json":        {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-1/vex-under_investigation.json": {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-2/vex.json":                     {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-3/vex.json":                     {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-4/vex.json":                     {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-5/vex.json":                     {},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-6/vex.json":                     {},
	// Versions of products in other BOMs: OpenVEX has no field for a
	// version of a BOM-Link, and this file has no timestamp.
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-7/vex.json": {openVEX: linkVersions},
	// JKL 5.2 is both not_affected (vulnerabilities/5) and fixed
	// (vulnerabilities/7) for CVE-2021-45105; the CSAF twin of this case
	// (uc-08) lists it as fixed only.
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-8/vex.json": {reject: `found fixed here and not_affected at`},
	"vex/cyclonedx-vex/Use-Cases/Case-1/vex.json":      {},
	"vex/cyclonedx-vex/Use-Cases/Case-2/vex.json":      {},
	"vex/cyclonedx-vex/Use-Cases/Case-3/vex.json":      {},
	"vex/cyclonedx-vex/Use-Cases/Case-4/vex.json":      {},
	// Its first analysis is exploitable with neither detail, response nor
	// recommendation: nothing to put in OpenVEX's required action statement.
	"vex/cyclonedx-vex/Use-Cases/Case-5/vex.json":  {openVEX: "expected an action statement for affected"},
	"vex/cyclonedx-vex/Use-Cases/Case-6/vex.json":  {openVEX: noTimestamp},
	"vex/cyclonedx-vex/Use-Cases/Case-8/vex.json":  {},
	"vex/cyclonedx-vex/Use-Cases/Case-9/vex.json":  {openVEX: noTimestamp},
	"vex/cyclonedx-vex/Use-Cases/Case-10/vex.json": {},
	"vex/cyclonedx-vex/Use-Cases/Case-11/vex.json": {},
	"vex/cyclonedx-vex/Use-Cases/Case-12/vex.json": {},
	"vex/cyclonedx-vex/Use-Cases/Case-13/vex.json": {openVEX: noTimestamp},
	// No affects: "any product of the supplier", which OpenVEX cannot say.
	"vex/cyclonedx-vex/Use-Cases/Case-7/vex.json": {openVEX: "expected products"},
	"vex/cyclonedx-vex/vex.json":                  {openVEX: noTimestamp},
	// The BOMs the VEX documents link to: no analyses, so no statements.
	"vex/cyclonedx-vex/bom.json":                         {reject: "expected CycloneDX 1.4 to 1.7"},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-7/bom-1.json": {reject: noAnalysis},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-7/bom-2.json": {reject: noAnalysis},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-8/bom-1.json": {reject: noAnalysis},
	"vex/cyclonedx-vex/CISA-Use-Cases/Case-8/bom-2.json": {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-13/bom-1.json":     {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-13/bom-2.json":     {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-13/bom-3.json":     {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-6/bom-1.json":      {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-6/bom-2.json":      {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-6/bom-3.json":      {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-9/bom-1.json":      {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-9/bom-2.json":      {reject: noAnalysis},
	"vex/cyclonedx-vex/Use-Cases/Case-9/bom-3.json":      {reject: noAnalysis},
}

// TestConformance decodes every real document of the corpus, checks the
// outcome listed above, and writes each decoded one as OpenVEX and as
// CycloneDX 1.5 and 1.6: the output must validate (OpenVEX against its
// schema inside the encoder, CycloneDX against the official schemas through
// sbom.Decode) and read back with the same meaning.
func TestConformance(t *testing.T) {
	root := corpus(t)
	var files []string
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".yaml")) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	decoded, rejected := 0, 0
	formats := map[string]int{}
	seen := map[string]bool{}
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Join(root, "conformance"), path)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		want, listed := corpusExpectations[rel]
		t.Run(rel, func(t *testing.T) {
			if !listed {
				t.Fatalf("%s is not in corpusExpectations: decide what Decode should do with it", rel)
			}
			d, err := vex.Decode(filepath.Base(path), readFile(t, path))
			if want.reject != "" {
				if err == nil {
					t.Fatalf("decoded %d statements, want the rejection %q", len(d.Statements), want.reject)
				}
				e := wantInvalid(t, err)
				if !strings.Contains(e.Error(), want.reject) {
					t.Fatalf("error = %v\nwant one saying %q", e, want.reject)
				}
				rejected++
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			decoded++
			formats[d.Format]++
			if len(d.Statements) == 0 {
				t.Fatal("no statements")
			}
			checkOpenVEXRoundTrip(t, d, want.openVEX)
			for _, spec := range []string{"1.5", "1.6"} {
				checkCycloneDXRoundTrip(t, d, spec, want.cycloneDX)
			}
		})
	}
	for rel := range corpusExpectations {
		if !seen[rel] {
			t.Errorf("%s is listed in corpusExpectations but not in the corpus", rel)
		}
	}
	t.Logf("%d documents: %d decoded (%v), %d rejected as expected", len(files), decoded, formats, rejected)
}

// checkOpenVEXRoundTrip writes d as OpenVEX and reads it back: the core
// meaning must survive (the words may not: OpenVEX fills its required
// statements from CycloneDX details), or the encoder must fail saying
// wantErr.
func checkOpenVEXRoundTrip(t *testing.T, d *vex.Document, wantErr string) {
	t.Helper()
	out, err := vex.EncodeOpenVEX(d)
	if wantErr != "" {
		if err == nil {
			t.Fatalf("EncodeOpenVEX succeeded, want an error saying %q", wantErr)
		}
		if e := wantInvalid(t, err); !strings.Contains(e.Error(), wantErr) {
			t.Fatalf("EncodeOpenVEX: %v\nwant an error saying %q", e, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("EncodeOpenVEX: %v", err)
	}
	back, err := vex.Decode("out.openvex.json", out)
	if err != nil {
		t.Fatalf("Decode(EncodeOpenVEX): %v\n%s", err, out)
	}
	if got, want := meaning(back, false), meaning(d, false); !slices.Equal(got, want) {
		t.Errorf("OpenVEX round trip changed the meaning:%s", diffLines(got, want))
	}
}

// checkCycloneDXRoundTrip writes d as CycloneDX: the BOM must pass the
// sbom package's schema validation, and read back with the full meaning.
func checkCycloneDXRoundTrip(t *testing.T, d *vex.Document, spec, wantErr string) {
	t.Helper()
	out, err := vex.EncodeCycloneDX(d, spec)
	if wantErr != "" {
		if err == nil {
			t.Fatalf("EncodeCycloneDX(%s) succeeded, want an error saying %q", spec, wantErr)
		}
		if e := wantInvalid(t, err); !strings.Contains(e.Error(), wantErr) {
			t.Fatalf("EncodeCycloneDX(%s): %v\nwant an error saying %q", spec, e, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("EncodeCycloneDX(%s): %v", spec, err)
	}
	if _, err := sbom.Decode("out.cdx.json", out); err != nil {
		t.Fatalf("EncodeCycloneDX(%s) wrote a BOM the CycloneDX schema rejects: %v", spec, err)
	}
	back, err := vex.Decode("out.cdx.json", out)
	if err != nil {
		t.Fatalf("Decode(EncodeCycloneDX(%s)): %v", spec, err)
	}
	if got, want := meaning(back, true), meaning(d, true); !slices.Equal(got, want) {
		t.Errorf("CycloneDX %s round trip changed the meaning:%s", spec, diffLines(got, want))
	}
	if back.ID != d.ID || back.Author != d.Author || !back.Timestamp.Equal(d.Timestamp) || back.Version != max(d.Version, 1) {
		t.Errorf("CycloneDX %s round trip: document %q by %q at %v version %d, want %q by %q at %v version %d",
			spec, back.ID, back.Author, back.Timestamp, back.Version, d.ID, d.Author, d.Timestamp, d.Version)
	}
}
