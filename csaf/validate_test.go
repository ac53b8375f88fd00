package csaf_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
)

func ptr[T any](v T) *T { return &v }

// advisory builds a valid security advisory the way a generator would: in
// Go, from the model. Each test case below changes one thing.
func advisory() *csaf.Document {
	return &csaf.Document{
		Document: csaf.DocumentMeta{
			Category:     csaf.CategorySecurityAdvisory,
			CSAFVersion:  "2.0",
			Distribution: &csaf.Distribution{TLP: &csaf.TLP{Label: "WHITE", URL: "https://www.first.org/tlp/"}},
			Lang:         "en-US",
			Notes:        []csaf.Note{{Category: "summary", Text: "A flaw in the Example PLC web server."}},
			Publisher:    csaf.Publisher{Category: "vendor", Name: "Example Industrial", Namespace: "https://example.com"},
			References:   []csaf.Reference{{Category: "self", Summary: "Canonical URL", URL: "https://example.com/.well-known/csaf/white/2024/exa-2024-001.json"}},
			Title:        "Example PLC: cross-site scripting",
			Tracking: csaf.Tracking{
				CurrentReleaseDate: "2024-05-02T10:00:00.000Z",
				Generator:          &csaf.Generator{Engine: csaf.Engine{Name: "cradle", Version: "1"}},
				ID:                 "EXA-2024-001",
				InitialReleaseDate: "2024-05-01T10:00:00.000Z",
				RevisionHistory: []csaf.Revision{
					{Date: "2024-05-01T10:00:00.000Z", Number: "1", Summary: "Initial release."},
					{Date: "2024-05-02T10:00:00.000Z", Number: "2", Summary: "Fixed version added."},
				},
				Status:  csaf.StatusFinal,
				Version: "2",
			},
		},
		ProductTree: &csaf.ProductTree{
			Branches: []csaf.Branch{{
				Category: "vendor", Name: "Example Industrial",
				Branches: []csaf.Branch{{
					Category: "product_name", Name: "PLC 3000",
					Branches: []csaf.Branch{
						{Category: "product_version", Name: "4.1", Product: &csaf.FullProductName{
							Name: "Example PLC 3000 4.1", ProductID: "PLC-4.1",
							ProductIdentificationHelper: &csaf.ProductIdentificationHelper{
								PURL:   "pkg:generic/example/plc3000@4.1",
								Hashes: []csaf.Hashes{{Filename: "fw-4.1.bin", FileHashes: []csaf.FileHash{{Algorithm: "sha256", Value: strings.Repeat("ab", 32)}}}},
							},
						}},
						{Category: "product_version", Name: "4.2", Product: &csaf.FullProductName{
							Name: "Example PLC 3000 4.2", ProductID: "PLC-4.2",
							ProductIdentificationHelper: &csaf.ProductIdentificationHelper{CPE: "cpe:2.3:h:example:plc3000:4.2:*:*:*:*:*:*:*"},
						}},
					},
				}},
			}},
			FullProductNames: []csaf.FullProductName{{Name: "Example HMI", ProductID: "HMI", ProductIdentificationHelper: &csaf.ProductIdentificationHelper{SerialNumbers: []string{"H-1"}}}},
			ProductGroups:    []csaf.ProductGroup{{GroupID: "ALL-PLC", ProductIDs: []string{"PLC-4.1", "PLC-4.2"}}},
			Relationships: []csaf.Relationship{{
				Category:                  "installed_on",
				FullProductName:           csaf.FullProductName{Name: "Example HMI on PLC 4.1", ProductID: "HMI-ON-PLC-4.1", ProductIdentificationHelper: &csaf.ProductIdentificationHelper{SKUs: []string{"S-1"}}},
				ProductReference:          "HMI",
				RelatesToProductReference: "PLC-4.1",
			}},
		},
		Vulnerabilities: []csaf.Vulnerability{{
			CVE:           "CVE-2024-0001",
			CWE:           &csaf.CWE{ID: "CWE-79", Name: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"},
			Involvements:  []csaf.Involvement{{Date: "2024-04-01T10:00:00.000Z", Party: "vendor", Status: "completed"}},
			Notes:         []csaf.Note{{Category: "description", Text: "The web server reflects input."}},
			ProductStatus: &csaf.ProductStatus{KnownAffected: []string{"PLC-4.1", "HMI-ON-PLC-4.1"}, Fixed: []string{"PLC-4.2"}, Recommended: []string{"PLC-4.2"}},
			Remediations:  []csaf.Remediation{{Category: "vendor_fix", Details: "Update to 4.2.", ProductIDs: []string{"PLC-4.1", "HMI-ON-PLC-4.1"}}},
			Scores: []csaf.Score{{
				CVSSv3:   &csaf.CVSSv3{Version: "3.1", VectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, BaseSeverity: "CRITICAL", AttackVector: "NETWORK"},
				CVSSv2:   &csaf.CVSSv2{Version: "2.0", VectorString: "AV:N/AC:L/Au:N/C:P/I:P/A:P", BaseScore: 7.5, AccessVector: "NETWORK"},
				Products: []string{"PLC-4.1", "HMI-ON-PLC-4.1"},
			}},
			Threats: []csaf.Threat{{Category: "impact", Details: "Session theft.", GroupIDs: []string{"ALL-PLC"}}},
		}},
	}
}

func validateDoc(t *testing.T, doc *csaf.Document) *csaf.Report {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := csaf.Validate("doc.json", data)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return r
}

// TestGeneratedDocument checks that a document built from the model and
// marshalled with encoding/json is a valid CSAF document without warnings.
func TestGeneratedDocument(t *testing.T) {
	r := validateDoc(t, advisory())
	if !r.Valid() || !r.Tested {
		t.Fatalf("errors: %v", r.Errors)
	}
	if len(r.Warnings) != 0 {
		t.Errorf("warnings: %v", r.Warnings)
	}
	if r.Err() != nil {
		t.Errorf("Err() = %v for a valid document", r.Err())
	}
	if r.Document.Vulnerabilities[0].Scores[0].CVSSv3.BaseScore != 9.8 {
		t.Errorf("decoded document = %+v", r.Document)
	}
}

// TestMandatoryTests changes one thing at a time in a valid document and
// checks that exactly the test it breaks fails, at the place it was
// broken.
func TestMandatoryTests(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *csaf.Document)
		// want lists "test path" pairs that must be among the errors; also
		// lists further tests the change breaks too (nothing else may fail).
		want []string
		also []string
	}{
		{"undefined product in remediation", func(d *csaf.Document) {
			d.Vulnerabilities[0].Remediations[0].ProductIDs = append(d.Vulnerabilities[0].Remediations[0].ProductIDs, "NOPE")
		}, []string{"6.1.1 /vulnerabilities/0/remediations/0/product_ids/2"}, nil},
		{"undefined product in flag (CSAF TC #909)", func(d *csaf.Document) {
			d.Vulnerabilities[0].Flags = []csaf.Flag{{Label: csaf.LabelComponentNotPresent, ProductIDs: []string{"NOPE"}}}
		}, []string{"6.1.1 /vulnerabilities/0/flags/0/product_ids/0"}, nil},
		{"product defined twice", func(d *csaf.Document) {
			d.ProductTree.FullProductNames[0].ProductID = "PLC-4.2"
			d.ProductTree.Relationships[0].ProductReference = "PLC-4.2"
		}, []string{"6.1.2 /product_tree/full_product_names/0/product_id"}, nil},
		{"circular relationship", func(d *csaf.Document) {
			d.ProductTree.Relationships[0].ProductReference = "HMI-ON-PLC-4.1"
		}, []string{"6.1.3 /product_tree/relationships/0/full_product_name/product_id"}, nil},
		{"two-step cycle", func(d *csaf.Document) {
			pt := d.ProductTree
			pt.Relationships = append(pt.Relationships, csaf.Relationship{Category: "installed_on",
				FullProductName:  csaf.FullProductName{Name: "B", ProductID: "B", ProductIdentificationHelper: &csaf.ProductIdentificationHelper{SKUs: []string{"B"}}},
				ProductReference: "HMI-ON-PLC-4.1", RelatesToProductReference: "PLC-4.2"})
			pt.Relationships[0].ProductReference = "B"
			d.Vulnerabilities[0].ProductStatus.KnownAffected = append(d.Vulnerabilities[0].ProductStatus.KnownAffected, "B")
			d.Vulnerabilities[0].Remediations[0].ProductIDs = append(d.Vulnerabilities[0].Remediations[0].ProductIDs, "B", "HMI")
			d.Vulnerabilities[0].Scores[0].Products = append(d.Vulnerabilities[0].Scores[0].Products, "B")
		}, []string{"6.1.3 /product_tree/relationships/0/full_product_name/product_id", "6.1.3 /product_tree/relationships/1/full_product_name/product_id"}, nil},
		{"undefined group", func(d *csaf.Document) {
			d.Vulnerabilities[0].Threats[0].GroupIDs = []string{"NOPE"}
		}, []string{"6.1.4 /vulnerabilities/0/threats/0/group_ids/0"}, nil},
		{"group defined twice", func(d *csaf.Document) {
			d.ProductTree.ProductGroups = append(d.ProductTree.ProductGroups, csaf.ProductGroup{GroupID: "ALL-PLC", ProductIDs: []string{"PLC-4.1", "HMI"}})
		}, []string{"6.1.5 /product_tree/product_groups/1/group_id"}, nil},
		{"affected and not affected", func(d *csaf.Document) {
			d.Vulnerabilities[0].ProductStatus.KnownNotAffected = []string{"PLC-4.1"}
		}, []string{"6.1.6 /vulnerabilities/0/product_status/known_not_affected/0"}, nil},
		{"recommended may overlap", func(d *csaf.Document) {
			d.Vulnerabilities[0].ProductStatus.Recommended = []string{"PLC-4.1"}
		}, nil, nil},
		{"two v3.1 scores for one product", func(d *csaf.Document) {
			v := &d.Vulnerabilities[0]
			v.Scores = append(v.Scores, csaf.Score{CVSSv3: &csaf.CVSSv3{Version: "3.1", VectorString: "CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:U/C:H/I:H/A:H", BaseScore: 6.5, BaseSeverity: "MEDIUM"}, Products: []string{"PLC-4.1"}})
		}, []string{"6.1.7 /vulnerabilities/0/scores/1/products/0"}, nil},
		{"v3.0 and v3.1 scores for one product", func(d *csaf.Document) {
			v := &d.Vulnerabilities[0]
			v.Scores = append(v.Scores, csaf.Score{CVSSv3: &csaf.CVSSv3{Version: "3.0", VectorString: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", BaseScore: 9.8, BaseSeverity: "CRITICAL"}, Products: []string{"PLC-4.1"}})
		}, nil, nil},
		{"CVSS without severity", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.BaseSeverity = ""
		}, []string{"6.1.8 /vulnerabilities/0/scores/0/cvss_v3/baseSeverity"}, nil},
		{"CVSS version and vector disagree", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.Version = "3.0"
		}, []string{"6.1.8 /vulnerabilities/0/scores/0/cvss_v3/vectorString"}, nil},
		{"CVSS vector without base metrics", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.VectorString = "CVSS:3.1/AV:N/AC:L"
		}, []string{"6.1.8 /vulnerabilities/0/scores/0/cvss_v3/vectorString"}, nil},
		{"wrong base score", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.BaseScore = 10
		}, []string{"6.1.9 /vulnerabilities/0/scores/0/cvss_v3/baseScore"}, nil},
		{"wrong severity", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.BaseSeverity = "HIGH"
		}, []string{"6.1.9 /vulnerabilities/0/scores/0/cvss_v3/baseSeverity"}, nil},
		{"wrong v2 base score", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv2.BaseScore = 7.4
		}, []string{"6.1.9 /vulnerabilities/0/scores/0/cvss_v2/baseScore"}, nil},
		{"temporal and environmental scores of a base vector", func(d *csaf.Document) {
			c := d.Vulnerabilities[0].Scores[0].CVSSv3
			c.TemporalScore, c.TemporalSeverity = ptr(9.8), "CRITICAL"
			c.EnvironmentalScore, c.EnvironmentalSeverity = ptr(9.8), "CRITICAL"
			d.Vulnerabilities[0].Scores[0].CVSSv2.TemporalScore = ptr(7.5)
			d.Vulnerabilities[0].Scores[0].CVSSv2.EnvironmentalScore = ptr(7.5)
		}, nil, nil},
		{"wrong temporal score", func(d *csaf.Document) {
			c := d.Vulnerabilities[0].Scores[0].CVSSv3
			c.VectorString += "/E:U"
			c.TemporalScore = ptr(9.8)
		}, []string{"6.1.9 /vulnerabilities/0/scores/0/cvss_v3/temporalScore"}, nil},
		{"property contradicts vector", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.AttackVector = "LOCAL"
		}, []string{"6.1.10 /vulnerabilities/0/scores/0/cvss_v3/attackVector"}, nil},
		{"property for a metric the vector leaves out is not compared", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv3.ModifiedConfidentialityImpact = "NONE"
		}, nil, nil},
		{"property contradicts a Not Defined metric", func(d *csaf.Document) {
			c := d.Vulnerabilities[0].Scores[0].CVSSv3
			c.VectorString += "/E:X"
			c.ExploitCodeMaturity = "HIGH"
		}, []string{"6.1.10 /vulnerabilities/0/scores/0/cvss_v3/exploitCodeMaturity"}, nil},
		{"v2 property contradicts vector", func(d *csaf.Document) {
			d.Vulnerabilities[0].Scores[0].CVSSv2.AccessVector = "LOCAL"
		}, []string{"6.1.10 /vulnerabilities/0/scores/0/cvss_v2/accessVector"}, nil},
		{"wrong CWE name", func(d *csaf.Document) {
			d.Vulnerabilities[0].CWE.Name = "Improper Input Validation"
		}, []string{"6.1.11 /vulnerabilities/0/cwe/name"}, nil},
		{"CWE name with a trailing space", func(d *csaf.Document) {
			d.Vulnerabilities[0].CWE.Name += " "
		}, []string{"6.1.11 /vulnerabilities/0/cwe/name"}, nil},
		{"CWE category instead of a weakness", func(d *csaf.Document) {
			d.Vulnerabilities[0].CWE = &csaf.CWE{ID: "CWE-16", Name: "Configuration"}
		}, []string{"6.1.11 /vulnerabilities/0/cwe/id"}, nil},
		{"another weakness with its list name", func(d *csaf.Document) {
			d.Vulnerabilities[0].CWE = &csaf.CWE{ID: "CWE-1336", Name: "Improper Neutralization of Special Elements Used in a Template Engine"}
		}, nil, nil},
		{"region as language", func(d *csaf.Document) { d.Document.Lang = "EZ" }, []string{"6.1.12 /document/lang"}, nil},
		{"unknown region", func(d *csaf.Document) { d.Document.Lang = "en-JJ" }, []string{"6.1.12 /document/lang"}, nil},
		{"purl without name", func(d *csaf.Document) {
			d.ProductTree.Branches[0].Branches[0].Branches[0].Product.ProductIdentificationHelper.PURL = "pkg:maven/@1.3.4"
		}, []string{"6.1.13 /product_tree/branches/0/branches/0/branches/0/product/product_identification_helper/purl"}, nil},
		{"revision numbers descend", func(d *csaf.Document) {
			rh := d.Document.Tracking.RevisionHistory
			rh[0].Number, rh[1].Number = "2", "1"
		}, []string{"6.1.14 /document/tracking/revision_history"}, []string{"6.1.16", "6.1.21"}},
		{"translator without source language", func(d *csaf.Document) {
			d.Document.Publisher.Category = "translator"
		}, []string{"6.1.15 /document/source_lang"}, nil},
		{"version is not the latest revision", func(d *csaf.Document) {
			d.Document.Tracking.Version = "1"
		}, []string{"6.1.16 /document/tracking/version"}, nil},
		{"draft version in a final document", func(d *csaf.Document) {
			tr := &d.Document.Tracking
			tr.Version, tr.RevisionHistory = "0", tr.RevisionHistory[:1]
			tr.RevisionHistory[0].Number = "0"
		}, []string{"6.1.17 /document/tracking/status"}, []string{"6.1.18"}},
		{"draft revision in a final document", func(d *csaf.Document) {
			d.Document.Tracking.RevisionHistory[0].Number = "0"
			d.Document.Tracking.RevisionHistory[1].Number = "1"
			d.Document.Tracking.Version = "1"
		}, []string{"6.1.18 /document/tracking/revision_history/0/number"}, nil},
		{"pre-release revision", func(d *csaf.Document) {
			tr := &d.Document.Tracking
			tr.Status = csaf.StatusDraft
			tr.Version = "1.0.0"
			tr.RevisionHistory[0].Number, tr.RevisionHistory[1].Number = "1.0.0-rc.1", "1.0.0"
		}, []string{"6.1.19 /document/tracking/revision_history/0/number"}, nil},
		{"pre-release version of an interim document", func(d *csaf.Document) {
			tr := &d.Document.Tracking
			tr.Status, tr.Version = csaf.StatusInterim, "2.0.0-alpha"
			tr.RevisionHistory[0].Number, tr.RevisionHistory[1].Number = "1.0.0", "2.0.0"
		}, []string{"6.1.20 /document/tracking/version"}, []string{"6.1.16", "6.1.17"}},
		{"draft may differ in the pre-release part", func(d *csaf.Document) {
			tr := &d.Document.Tracking
			tr.Status, tr.Version = csaf.StatusDraft, "2.0.0-alpha+build.1"
			tr.RevisionHistory[0].Number, tr.RevisionHistory[1].Number = "1.0.0", "2.0.0"
		}, nil, nil},
		{"missing revision", func(d *csaf.Document) {
			d.Document.Tracking.RevisionHistory[1].Number = "3"
			d.Document.Tracking.Version = "3"
		}, []string{"6.1.21 /document/tracking/revision_history"}, nil},
		{"revision number twice", func(d *csaf.Document) {
			d.Document.Tracking.RevisionHistory[1].Number = "1"
			d.Document.Tracking.Version = "1"
		}, []string{"6.1.22 /document/tracking/revision_history/1/number"}, nil},
		{"CVE in two vulnerabilities", func(d *csaf.Document) {
			v := d.Vulnerabilities[0]
			v.Scores = nil
			d.Vulnerabilities = append(d.Vulnerabilities, v)
		}, []string{"6.1.23 /vulnerabilities/1/cve"}, nil},
		{"party twice at one instant", func(d *csaf.Document) {
			v := &d.Vulnerabilities[0]
			v.Involvements = append(v.Involvements, csaf.Involvement{Date: "2024-04-01T12:00:00+02:00", Party: "vendor", Status: "in_progress"})
		}, []string{"6.1.24 /vulnerabilities/0/involvements/1"}, nil},
		{"hash algorithm twice", func(d *csaf.Document) {
			h := &d.ProductTree.Branches[0].Branches[0].Branches[0].Product.ProductIdentificationHelper.Hashes[0]
			h.FileHashes = append(h.FileHashes, csaf.FileHash{Algorithm: "sha256", Value: strings.Repeat("cd", 32)})
		}, []string{"6.1.25 /product_tree/branches/0/branches/0/branches/0/product/product_identification_helper/hashes/0/file_hashes/1/algorithm"}, nil},
		{"profile name as category", func(d *csaf.Document) { d.Document.Category = "Security  Advisory" }, []string{"6.1.26 /document/category"}, nil},
		{"reserved prefix", func(d *csaf.Document) { d.Document.Category = "Csaf_a" }, []string{"6.1.26 /document/category"}, nil},
		{"other category is CSAF Base", func(d *csaf.Document) { d.Document.Category = "Example Company Advisory" }, nil, nil},
		{"informational advisory with vulnerabilities", func(d *csaf.Document) {
			d.Document.Category = csaf.CategoryInformationalAdvisory
			d.Document.References = append(d.Document.References, csaf.Reference{Summary: "More", URL: "https://example.com/more"})
		}, []string{"6.1.27.3 /vulnerabilities"}, nil},
		{"incident response without notes and external references", func(d *csaf.Document) {
			d.Document.Category = csaf.CategorySecurityIncidentResponse
			d.Document.Notes[0].Category = "legal_disclaimer"
		}, []string{"6.1.27.1 /document/notes", "6.1.27.2 /document/references"}, nil},
		{"security advisory without product tree", func(d *csaf.Document) {
			d.ProductTree = nil
			d.Vulnerabilities[0] = csaf.Vulnerability{CVE: "CVE-2024-0001", Notes: d.Vulnerabilities[0].Notes, ProductStatus: nil}
		}, []string{"6.1.27.4 /product_tree", "6.1.27.6 /vulnerabilities/0/product_status"}, nil},
		{"vulnerability without notes", func(d *csaf.Document) { d.Vulnerabilities[0].Notes = nil }, []string{"6.1.27.5 /vulnerabilities/0/notes"}, nil},
		{"security advisory without vulnerabilities", func(d *csaf.Document) {
			d.Vulnerabilities = nil
		}, []string{"6.1.27.11 /vulnerabilities"}, nil},
		{"VEX: not affected without impact statement, affected without action", func(d *csaf.Document) {
			d.Document.Category = csaf.CategoryVEX
			v := &d.Vulnerabilities[0]
			v.ProductStatus.KnownNotAffected = []string{"HMI"}
			v.Remediations[0].ProductIDs = []string{"PLC-4.1"}
		}, []string{"6.1.27.9 /vulnerabilities/0/product_status/known_not_affected/0", "6.1.27.10 /vulnerabilities/0/product_status/known_affected/1"}, nil},
		{"VEX: impact statement through a flag, action through a group", func(d *csaf.Document) {
			d.Document.Category = csaf.CategoryVEX
			v := &d.Vulnerabilities[0]
			v.ProductStatus = &csaf.ProductStatus{KnownNotAffected: []string{"HMI"}, KnownAffected: []string{"PLC-4.1", "PLC-4.2"}}
			v.Flags = []csaf.Flag{{Label: csaf.LabelVulnerableCodeNotPresent, ProductIDs: []string{"HMI"}}}
			v.Remediations = []csaf.Remediation{{Category: "vendor_fix", Details: "Update.", GroupIDs: []string{"ALL-PLC"}}}
		}, nil, nil},
		{"VEX without status or ID", func(d *csaf.Document) {
			d.Document.Category = csaf.CategoryVEX
			v := &d.Vulnerabilities[0]
			v.CVE = ""
			v.ProductStatus = &csaf.ProductStatus{Recommended: []string{"PLC-4.2"}}
		}, []string{"6.1.27.7 /vulnerabilities/0/product_status", "6.1.27.8 /vulnerabilities/0"}, nil},
		{"translation into the same language", func(d *csaf.Document) {
			d.Document.SourceLang = "en-us"
		}, []string{"6.1.28 /document/source_lang"}, nil},
		{"remediation without products", func(d *csaf.Document) {
			v := &d.Vulnerabilities[0]
			v.Remediations = append(v.Remediations, csaf.Remediation{Category: "no_fix_planned", Details: "None."})
		}, []string{"6.1.29 /vulnerabilities/0/remediations/1"}, nil},
		{"mixed versioning", func(d *csaf.Document) {
			d.Document.Tracking.RevisionHistory[0].Number = "1.0.0"
		}, []string{"6.1.30 /document/tracking/revision_history/0/number"}, nil},
		{"version range as product version", func(d *csaf.Document) {
			d.ProductTree.Branches[0].Branches[0].Branches[1].Name = "4.2 and later"
		}, []string{"6.1.31 /product_tree/branches/0/branches/0/branches/1/name"}, nil},
		{"flag without products", func(d *csaf.Document) {
			d.Vulnerabilities[0].Flags = []csaf.Flag{{Label: csaf.LabelComponentNotPresent}}
		}, []string{"6.1.32 /vulnerabilities/0/flags/0"}, nil},
		{"two justifications for one product", func(d *csaf.Document) {
			v := &d.Vulnerabilities[0]
			v.ProductStatus.KnownNotAffected = []string{"HMI"}
			v.ProductStatus.KnownAffected = []string{"HMI-ON-PLC-4.1"}
			v.Flags = []csaf.Flag{
				{Label: csaf.LabelComponentNotPresent, GroupIDs: []string{"ALL-PLC"}},
				{Label: csaf.LabelVulnerableCodeNotPresent, ProductIDs: []string{"HMI", "PLC-4.2"}},
			}
		}, []string{"6.1.33 /vulnerabilities/0/flags/1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := advisory()
			tt.change(d)
			r := validateDoc(t, d)
			var got []string
			for _, e := range r.Errors {
				got = append(got, e.Test+" "+e.Path)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing error %q; errors: %v", w, r.Errors)
				}
			}
			for _, e := range r.Errors {
				if !slices.Contains(tt.want, e.Test+" "+e.Path) && !slices.Contains(tt.also, e.Test) {
					t.Errorf("unexpected error %s", e)
				}
			}
			for _, a := range tt.also {
				if !r.Failed(a) {
					t.Errorf("expected test %s to fail too", a)
				}
			}
		})
	}
}

// TestModelRoundTrip decodes valid CSAF documents into the model and
// encodes them again: the result must be the same JSON, so the model
// covers every member of the schema and omits exactly what is absent.
func TestModelRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "conformance", "csaf", "2.0", "examples", "csaf", "*", "*.json"))
		files = append(files, more...)
		more, _ = filepath.Glob(filepath.Join(dir, "conformance", "csaf", "2.0", "examples", "csaf", "*.json"))
		files = append(files, more...)
	}
	var n int
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := csaf.Validate(path, data)
		if err != nil || !r.Valid() {
			continue // the invalid samples are for other tests
		}
		out, err := json.Marshal(r.Document)
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(want, got) {
			t.Errorf("%s: the model does not round-trip:\n got %.400s\nwant %.400s", path, out, data)
		}
		n++
	}
	if n < 2 {
		t.Fatalf("only %d documents round-tripped", n)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestNotJSON checks that input that is not one JSON value is rejected with
// an EInvalid error that says where.
func TestNotJSON(t *testing.T) {
	tests := []struct {
		name, data, where, what string
	}{
		{"empty", "", "x.json", "empty document"},
		{"syntax", `{"document": }`, "x.json:1:", "invalid JSON"},
		{"truncated", `{"document": {`, "x.json:1:", "truncated"},
		{"trailing data", `{} {}`, "x.json:1:", "invalid JSON"},
		{"byte order mark", "\xef\xbb\xbf{}", "x.json:1:1", "byte order mark"},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", "x.json:1:8", "UTF-8"},
		{"duplicate key", `{"document": {"title": "a", "title": "b"}}`, "x.json:/document/title", "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csaf.Validate("x.json", []byte(tt.data))
			var e *cradle.Error
			if r != nil || !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("Validate = %v, %v; want an EInvalid error", r, err)
			}
			if len(e.Problems) != 1 || !strings.HasPrefix(e.Problems[0].Location, tt.where) || !strings.Contains(e.Problems[0].Message, tt.what) {
				t.Errorf("problems = %v, want %q at %q", e.Problems, tt.what, tt.where)
			}
		})
	}
}

// TestSchemaErrors checks that schema violations are located and that a
// value of the wrong type stops the tests from running on a model that
// would not reflect the document.
func TestSchemaErrors(t *testing.T) {
	r, err := csaf.Validate("x.json", []byte(`{"document": {"category": "csaf_base", "csaf_version": "2.1", "extra": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.Errors {
		got = append(got, e.Test+" "+e.Path)
	}
	for _, want := range []string{"schema /document/csaf_version", "schema /document"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q in %v", want, r.Errors)
		}
	}
	if !r.Tested {
		t.Error("the tests were not run on a document of the right shape")
	}
	// The schema allows members it does not define: 6.2.20 warns.
	if !slices.ContainsFunc(r.Warnings, func(f csaf.Finding) bool { return f.Test == "6.2.20" && f.Path == "/document/extra" }) {
		t.Errorf("no 6.2.20 warning for /document/extra: %v", r.Warnings)
	}
	err = r.Err()
	if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "x.json:/document/csaf_version: [schema]") {
		t.Errorf("Err() = %v", err)
	}

	r, err = csaf.Validate("x.json", []byte(`{"document": {"title": 5}}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Tested || !r.Failed(csaf.TestSchema) {
		t.Errorf("Tested = %v, errors %v; want the schema error only", r.Tested, r.Errors)
	}
}

// TestCVSSNull checks that a CVSS object that is null, which the model
// cannot hold, still fails 6.1.8, and that CVSS errors are schema errors
// when the tests cannot run.
func TestCVSSNull(t *testing.T) {
	d := advisory()
	d.Vulnerabilities[0].Scores[0].CVSSv2 = nil
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	withNull := strings.Replace(string(data), `"cvss_v3":{`, `"cvss_v2":null,"cvss_v3":{`, 1)
	r, err := csaf.Validate("x.json", []byte(withNull))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.FailedTests(); !slices.Equal(got, []string{"6.1.8"}) || r.Errors[0].Path != "/vulnerabilities/0/scores/0/cvss_v2" {
		t.Errorf("errors = %v, want 6.1.8 at /vulnerabilities/0/scores/0/cvss_v2", r.Errors)
	}
	wrongType := strings.Replace(withNull, `"title":"Example PLC: cross-site scripting"`, `"title":7`, 1)
	r, err = csaf.Validate("x.json", []byte(wrongType))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.Errors {
		got = append(got, e.Test+" "+e.Path)
	}
	if r.Tested || !slices.Equal(got, []string{"schema /document/title", "schema /vulnerabilities/0/scores/0/cvss_v2"}) {
		t.Errorf("Tested = %v, errors = %v", r.Tested, r.Errors)
	}
}

// TestDecode checks the convenience wrapper.
func TestDecode(t *testing.T) {
	data, err := json.Marshal(advisory())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := csaf.Decode("a.json", data)
	if err != nil || doc.Document.Tracking.ID != "EXA-2024-001" {
		t.Fatalf("Decode = %v, %v", doc, err)
	}
	bad := advisory()
	bad.Document.Lang = "EZ"
	data, _ = json.Marshal(bad)
	if _, err := csaf.Decode("a.json", data); cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "a.json:/document/lang: [6.1.12]") {
		t.Errorf("Decode of an invalid document: %v", err)
	}
}

func TestFilename(t *testing.T) {
	tests := map[string]string{
		"cisco-sa-20190513-secureboot":  "cisco-sa-20190513-secureboot.json",
		"Example Company - 2019-YH3234": "example_company_-_2019-yh3234.json",
		"RHBA-2019:0024":                "rhba-2019_0024.json",
		"2022_#01-A":                    "2022_01-a.json",
		"a+b__c":                        "a+b_c.json",
		"Ärger":                         "_rger.json",
	}
	for id, want := range tests {
		if got := csaf.Filename(id); got != want {
			t.Errorf("Filename(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestConformanceFilenames runs the OASIS file name test documents: a
// valid one is named after its tracking ID, an invalid one is not.
func TestConformanceFilenames(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance", "csaf", "2.0", "test", "filenames", "data")
	var n int
	for _, outcome := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join(dir, outcome, "*.json"))
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var doc csaf.Document
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			want := filepath.Base(path)
			if got := csaf.Filename(doc.Document.Tracking.ID); (got == want) != (outcome == "valid") {
				t.Errorf("%s/%s: Filename(%q) = %q", outcome, want, doc.Document.Tracking.ID, got)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no file name test documents in %s", dir)
	}
}

// TestSamples validates the samples in testdata, which need no corpus.
func TestSamples(t *testing.T) {
	tests := map[string][]string{
		"bsi-2022-0001.json":                         nil,
		"cisco-sa-20180328-smi2.json":                nil,
		"2022-evd-uc-01-na-001.json":                 nil,
		"oasis_csaf_tc-csaf_2_0-2021-6-1-09-01.json": {"6.1.9"},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r, err := csaf.Validate(name, data)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.FailedTests(); !slices.Equal(got, want) {
				t.Errorf("fails %v, want %v: %v", got, want, r.Errors)
			}
		})
	}
}
