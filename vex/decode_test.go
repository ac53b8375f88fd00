package vex_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cradle-sdl/cradle/vex"
)

// TestDecodeRealDocuments checks what a handful of real documents say,
// statement by statement, as their authors wrote it.
func TestDecodeRealDocuments(t *testing.T) {
	root := filepath.Join(corpus(t), "conformance")
	decode := func(t *testing.T, rel string) *vex.Document {
		t.Helper()
		d, err := vex.Decode(filepath.Base(rel), readFile(t, filepath.Join(root, rel)))
		if err != nil {
			t.Fatalf("Decode(%s): %v", rel, err)
		}
		return d
	}

	t.Run("openvex go-vex v0.2.0", func(t *testing.T) {
		d := decode(t, "vex/go-vex/pkg/vex/testdata/v0.2.0.json")
		if d.Format != vex.FormatOpenVEX || d.Author != "The OpenVEX Project <openvex@openssf.org>" || d.Version != 1 || len(d.Statements) != 5 {
			t.Fatalf("document = %s by %q v%d with %d statements", d.Format, d.Author, d.Version, len(d.Statements))
		}
		s := findStatement(t, d, "CVE-2023-1255", vex.StatusFixed)
		want := []vex.Product{{
			Component: vex.Component{PURL: "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126"},
			Subcomponents: []vex.Component{
				{PURL: "pkg:apk/alpine/libssl3@3.0.8-r3"},
				{PURL: "pkg:apk/alpine/libcrypto3@3.0.8-r3"},
			},
		}}
		if diff := cmp.Diff(want, s.Products); diff != "" {
			t.Errorf("products (-want +got):\n%s", diff)
		}
		s = findStatement(t, d, "CVE-2023-3446", vex.StatusNotAffected)
		if s.Justification != vex.VulnerableCodeNotPresent || s.ImpactStatement != "affected functions were removed before packaging" {
			t.Errorf("CVE-2023-3446: %s %q", s.Justification, s.ImpactStatement)
		}
		if want := time.Date(2023, 7, 17, 18, 28, 47, 696004345, time.FixedZone("", -6*3600)); !d.Timestamp.Equal(want) {
			t.Errorf("timestamp = %v, want %v", d.Timestamp, want)
		}
	})

	t.Run("openvex vexctl template", func(t *testing.T) {
		d := decode(t, "vex/vexctl/pkg/ctl/testdata/templates/oci-vexctl.openvex.json")
		s := findStatement(t, d, "CVE-2014-12345678", vex.StatusNotAffected)
		if s.Justification != vex.VulnerableCodeNotPresent || len(s.Products) != 1 || s.Products[0].PURL != "pkg:oci/vexctl" {
			t.Errorf("statement = %+v", s)
		}
	})

	t.Run("cyclonedx CISA case 1 not affected", func(t *testing.T) {
		d := decode(t, "vex/cyclonedx-vex/CISA-Use-Cases/Case-1/vex-not_affected.json")
		s := findStatement(t, d, "CVE-2021-44228", vex.StatusNotAffected)
		want := vex.Statement{
			Vulnerability:   vex.Vulnerability{ID: "CVE-2021-44228"},
			Products:        []vex.Product{{Component: vex.Component{Name: "ABC", Version: "4.2"}}},
			Status:          vex.StatusNotAffected,
			Justification:   vex.VulnerableCodeNotPresent, // code_not_present
			ImpactStatement: "This version of Product ABC is not affected by the vulnerability. Class with vulnerable code was removed before shipping.",
			Response:        []string{"will_not_fix"},
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("statement (-want +got):\n%s", diff)
		}
	})

	t.Run("cyclonedx native justification", func(t *testing.T) {
		d := decode(t, "vex/cyclonedx-vex/Use-Cases/Case-12/vex.json")
		s := findStatement(t, d, "CVE-2020-14195", vex.StatusNotAffected)
		if s.Justification != "" || s.CycloneDXJustification != "protected_by_mitigating_control" {
			t.Errorf("justification %q, CycloneDX %q; want none and protected_by_mitigating_control", s.Justification, s.CycloneDXJustification)
		}
		s = findStatement(t, d, "CVE-2020-25649", vex.StatusNotAffected)
		if s.Justification != vex.VulnerableCodeNotInExecutePath || s.CycloneDXJustification != "" {
			t.Errorf("code_not_reachable read as %q / %q", s.Justification, s.CycloneDXJustification)
		}
		s = findStatement(t, d, "CVE-2020-35491", vex.StatusAffected)
		if s.Detail != "Update to Acme Product v2.4.0 or higher" || !slices.Equal(s.Response, []string{"will_not_fix", "update"}) {
			t.Errorf("exploitable: detail %q, response %v", s.Detail, s.Response)
		}
	})

	t.Run("cyclonedx BOM-Link", func(t *testing.T) {
		d := decode(t, "vex/cyclonedx-vex/vex.json")
		s := findStatement(t, d, "CVE-2020-25649", vex.StatusNotAffected)
		want := []vex.Product{{Component: vex.Component{BOMLink: "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"}}}
		if diff := cmp.Diff(want, s.Products); diff != "" {
			t.Errorf("products (-want +got):\n%s", diff)
		}
		if !slices.Equal(s.Vulnerability.Aliases, []string{"SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"}) {
			t.Errorf("aliases = %v", s.Vulnerability.Aliases)
		}
	})

	t.Run("cyclonedx CISA case 6 version ranges", func(t *testing.T) {
		d := decode(t, "vex/cyclonedx-vex/CISA-Use-Cases/Case-6/vex.json")
		abc := func(version, versionRange string) vex.Product {
			return vex.Product{Component: vex.Component{Name: "ABC", Version: version, VersionRange: versionRange}}
		}
		s := findStatement(t, d, "CVE-2021-44228", vex.StatusAffected)
		if diff := cmp.Diff([]vex.Product{abc("2.4", ""), abc("2.6", ""), abc("", "vers:generic/>=2.9|<=4.1")}, s.Products); diff != "" {
			t.Errorf("affected products (-want +got):\n%s", diff)
		}
		s = findStatement(t, d, "CVE-2021-44228", vex.StatusNotAffected)
		if diff := cmp.Diff([]vex.Product{abc("", "vers:generic/>=1.0|<=2.3"), abc("2.5", ""), abc("", "vers:generic/>=2.7|<=2.8"), abc("4.2", "")}, s.Products); diff != "" {
			t.Errorf("not affected products (-want +got):\n%s", diff)
		}
	})

	t.Run("csaf use case 3 multiple statuses", func(t *testing.T) {
		d := decode(t, "csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-03-ms-001.json")
		if d.Format != vex.FormatCSAF || d.ID != "2022-EVD-UC-03-MS-001" || d.Author != "Example Company ProductCERT" {
			t.Errorf("document %s %q by %q", d.Format, d.ID, d.Author)
		}
		ghi := []vex.Product{{Component: vex.Component{Vendor: "Example Company", Name: "GHI", Version: "17.4"}}}
		s := findStatement(t, d, "CVE-2020-11898", vex.StatusAffected)
		if diff := cmp.Diff(ghi, s.Products); diff != "" || s.ActionStatement != "We are working to integrate the upstream patches in our code." {
			t.Errorf("CVE-2020-11898: action %q, products (-want +got):\n%s", s.ActionStatement, diff)
		}
		s = findStatement(t, d, "CVE-2020-11897", vex.StatusNotAffected)
		if s.ImpactStatement != "IPv6 is not supported and code is not present." {
			t.Errorf("CVE-2020-11897 impact = %q", s.ImpactStatement)
		}
		findStatement(t, d, "CVE-2020-11901", vex.StatusFixed)
		findStatement(t, d, "CVE-2020-11896", vex.StatusUnderInvestigation)
	})

	t.Run("csaf secvisogram flag", func(t *testing.T) {
		d := decode(t, "csaf/2.0/examples/csaf/csaf_vex/sec-vex-2022-0001.json")
		s := findStatement(t, d, "CVE-2021-45046", vex.StatusNotAffected)
		want := vex.Statement{
			Vulnerability:   s.Vulnerability,
			Products:        []vex.Product{{Component: vex.Component{Vendor: "Secvisogram", Name: "Secvisogram", VersionRange: "<=1.14.0"}}},
			Status:          vex.StatusNotAffected,
			Justification:   vex.ComponentNotPresent,
			ImpactStatement: "Secvisogram is written in JavaScript. No Java is included.",
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("statement (-want +got):\n%s", diff)
		}
	})

	t.Run("csaf family and mixed statuses", func(t *testing.T) {
		d := decode(t, "csaf/2.0/examples/csaf/csaf_vex/2022-evd-uc-09-001.json")
		s := findStatement(t, d, "CVE-2021-45105", vex.StatusNotAffected)
		if len(s.Products) != 1 || s.Products[0].Name != "Example Company PROD_ALPHA" || s.ImpactStatement != "These products do not use Java at all." {
			t.Errorf("not affected: %+v", s)
		}
		s = findStatement(t, d, "CVE-2021-45105", vex.StatusAffected)
		if len(s.Products) != 1 || s.Products[0].Name != "Example Company PROD_BETA" {
			t.Errorf("affected: %+v", s.Products)
		}
	})

	t.Run("csaf red hat relationships", func(t *testing.T) {
		d := decode(t, "vex/go-vex/pkg/csaf/testdata/rhsa-2020_1358.json")
		if d.ID != "RHSA-2020:1358" || len(d.Statements) != 2 {
			t.Fatalf("document %q with %d statements", d.ID, len(d.Statements))
		}
		s := findStatement(t, d, "CVE-2020-7039", vex.StatusFixed)
		pairs := 0
		var appStream *vex.Product
		for i, p := range s.Products {
			pairs += len(p.Subcomponents)
			if p.CPE == "cpe:/a:redhat:enterprise_linux:8::appstream" {
				appStream = &s.Products[i]
			}
		}
		// 737 relationships "package default_component_of product".
		if pairs != 737 || len(s.Products) != 2 || appStream == nil {
			t.Fatalf("%d products with %d subcomponents, want AppStream and CRB with 737", len(s.Products), pairs)
		}
		if !slices.ContainsFunc(appStream.Subcomponents, func(c vex.Component) bool {
			return c.Name == "SLOF-0:20171214-6.gitfa98132.module+el8.1.0+4066+0f1aadab.noarch"
		}) {
			t.Error("AppStream lacks its SLOF subcomponent")
		}
		if s.ActionStatement == "" {
			t.Error("the vendor_fix remediation is not the action statement")
		}
	})

	t.Run("csaf with purl", func(t *testing.T) {
		d := decode(t, "vex/vexctl/examples/csaf/csaf.json")
		s := findStatement(t, d, "CVE-2009-4487", vex.StatusNotAffected)
		if len(s.Products) != 1 || s.Products[0].PURL != "pkg:generic/component1@1.3.4" || s.ImpactStatement != "Class with vulnerable code was removed before shipping." {
			t.Errorf("statement = %+v", s)
		}
	})
}
