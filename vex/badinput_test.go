package vex_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cradle-sdl/cradle/vex"
)

// openVEX wraps statements in a valid OpenVEX 0.2.0 document.
func openVEX(statements string) string {
	return `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "a",
"timestamp": "2024-01-01T00:00:00Z", "version": 1, "statements": [` + statements + `]}`
}

// cycloneDX wraps components and vulnerabilities in a CycloneDX 1.6 BOM.
func cycloneDX(components, vulnerabilities string) string {
	return `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
"metadata": {"timestamp": "2024-01-01T00:00:00Z", "component": {"type": "application", "name": "p", "version": "1", "bom-ref": "p"}},
"components": [` + components + `], "vulnerabilities": [` + vulnerabilities + `]}`
}

// csafVEX wraps a product tree and vulnerabilities in a CSAF 2.0 VEX.
func csafVEX(productTree, vulnerabilities string) string {
	return `{"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
"publisher": {"category": "vendor", "name": "p", "namespace": "https://example.com"},
"tracking": {"id": "X-1", "current_release_date": "2024-01-01T00:00:00Z", "initial_release_date": "2024-01-01T00:00:00Z",
"revision_history": [{"date": "2024-01-01T00:00:00Z", "number": "1", "summary": "s"}], "status": "final", "version": "1"}},
"product_tree": ` + productTree + `, "vulnerabilities": [` + vulnerabilities + `]}`
}

const csafTree = `{"full_product_names": [
  {"name": "A 1", "product_id": "A"}, {"name": "B 1", "product_id": "B"}],
 "product_groups": [{"group_id": "G", "product_ids": ["A", "B"]}]}`

const (
	fixedStatement = `{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "fixed"}`
	cdxFixed       = `{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "p"}]}`
)

// TestDecodeBadInput feeds Decode broken documents: each must be an
// EInvalid error whose first problem is where the defect is and says what
// was expected.
func TestDecodeBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, doc, location, message string
	}{
		// Not JSON, or not one JSON object.
		{"empty", ``, "bad.json", "found an empty document"},
		{"truncated", "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"statements\": [", "bad.json:2:17", "truncated"},
		{"syntax", "{\n  \"a\": 1,\n}", "bad.json:3:1", "invalid JSON"},
		{"trailing data", `{"a": 1} {"b": 2}`, "bad.json:1:10", "found more data"},
		{"byte order mark", "\xef\xbb\xbf{}", "bad.json:1:1", "byte order mark"},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", "bad.json:1:8", "invalid byte 0xff"},
		{"array", `[{"bomFormat": "CycloneDX"}]`, "bad.json", "expected a JSON object, found an array"},
		{"too deep", strings.Repeat("[", 300) + strings.Repeat("]", 300), "bad.json:1:257", "levels of nesting"},
		{"no format", `{"bomFormat2": "CycloneDX"}`, "bad.json", "found none of their keys"},
		{"duplicate key", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "fixed", "status": "affected"}`),
			"bad.json:/statements/0/status", `found "status" twice`},

		// OpenVEX.
		{"openvex 0.0.1", `{"@context": "https://openvex.dev/ns", "statements": []}`, "bad.json:/@context", "other OpenVEX versions are not supported"},
		{"openvex other context", `{"@context": "https://www.w3.org/ns/credentials/v2"}`, "bad.json:/@context", "expected an OpenVEX context"},
		{"openvex unknown status", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "maybe"}`),
			"bad.json:/statements/0/status", `expected one of "not_affected", "affected", "fixed", "under_investigation", found "maybe"`},
		{"openvex unknown justification", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "not_affected", "justification": "code_not_reachable"}`),
			"bad.json:/statements/0/justification", `found "code_not_reachable"`},
		{"openvex not_affected without justification", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "not_affected"}`),
			"bad.json:/statements/0", "justification or impact_statement"},
		{"openvex affected without action", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "affected"}`),
			"bad.json:/statements/0", `expected the required property "action_statement"`},
		{"openvex contradiction", openVEX(fixedStatement + `, {"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "affected", "action_statement": "update"}`),
			"bad.json:/statements/1/products/0", `expected one status for "CVE-1" and "pkg:npm/x@1", found affected here and fixed at bad.json:/statements/0/products/0`},
		{"openvex contradiction through an alias", openVEX(`{"vulnerability": {"name": "CVE-1", "aliases": ["GHSA-1"]}, "products": [{"@id": "pkg:npm/x@1"}], "status": "fixed"},
			{"vulnerability": {"name": "GHSA-1"}, "products": [{"@id": "pkg:npm/x@1"}], "status": "under_investigation"}`),
			"bad.json:/statements/1/products/0", `expected one status for "GHSA-1"`},
		{"openvex contradiction in a subcomponent", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:oci/app@1", "subcomponents": [{"@id": "pkg:npm/x@1"}]}], "status": "fixed"},
			{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:oci/app@1", "subcomponents": [{"@id": "pkg:npm/y@1"}, {"@id": "pkg:npm/x@1"}]}], "status": "under_investigation"}`),
			"bad.json:/statements/1/products/0", `"pkg:npm/x@1" in "pkg:oci/app@1"`},
		{"openvex no products", openVEX(`{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}`), "bad.json:/statements/0", "expected products"},
		{"openvex empty vulnerability name", openVEX(`{"vulnerability": {"name": " "}, "products": [{"@id": "pkg:npm/x@1"}], "status": "fixed"}`),
			"bad.json:/statements/0/vulnerability/name", "found an empty string"},
		{"openvex bad purl", openVEX(`{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm"}], "status": "fixed"}`),
			"bad.json:/statements/0/products/0/@id", "expected a valid purl"},
		{"openvex bad timestamp", strings.Replace(openVEX(fixedStatement), "2024-01-01T00:00:00Z", "yesterday", 1), "bad.json:/timestamp", "expected a valid date-time"},
		{"openvex relative @id", strings.Replace(openVEX(fixedStatement), "https://example.com/vex/1", "vex-1", 1), "bad.json:/@id", "expected a valid iri"},
		{"openvex version string", strings.Replace(openVEX(fixedStatement), `"version": 1`, `"version": "1"`, 1), "bad.json:/version", "expected integer, found string"},
		{"openvex no statements", openVEX(``), "bad.json:/statements", "expected at least 1 items"},

		// CycloneDX.
		{"cyclonedx unknown state", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "maybe"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/analysis/state", `found "maybe"`},
		{"cyclonedx no state", cycloneDX(``, `{"id": "CVE-1", "analysis": {"justification": "code_not_present"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/analysis", "expected the analysis state"},
		{"cyclonedx unknown justification", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "component_not_present"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/analysis/justification", `found "component_not_present"`},
		{"cyclonedx unknown response", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "exploitable", "response": ["update", "pray"]}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/analysis/response/1", `found "pray"`},
		{"cyclonedx no id", cycloneDX(``, `{"analysis": {"state": "resolved"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/id", "expected the ID"},
		{"cyclonedx unknown ref", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "q"}]}`),
			"bad.json:/vulnerabilities/0/affects/0/ref", `found "q", which names none`},
		{"cyclonedx bad BOM-Link", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "urn:cdx:not-a-serial/1#p"}]}`),
			"bad.json:/vulnerabilities/0/affects/0/ref", "expected a BOM-Link"},
		{"cyclonedx contradiction", cycloneDX(``, cdxFixed+`, {"id": "CVE-1", "analysis": {"state": "in_triage"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/1/affects/0", "found under_investigation here and fixed at bad.json:/vulnerabilities/0/affects/0"},
		{"cyclonedx version contradicts state", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_present"}, "affects": [{"ref": "p", "versions": [{"version": "1", "status": "affected"}]}]}`),
			"bad.json:/vulnerabilities/0/affects/0/versions/0/status", `agrees with the analysis state "not_affected"`},
		{"cyclonedx duplicate bom-ref", cycloneDX(`{"type": "library", "name": "x", "bom-ref": "p"}`, cdxFixed),
			"bad.json:/components/0/bom-ref", `found "p" again`},
		{"cyclonedx bad purl", cycloneDX(`{"type": "library", "name": "x", "bom-ref": "x", "purl": "pkg:npm"}`, `{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "x"}]}`),
			"bad.json:/components/0/purl", "expected a valid purl"},
		{"cyclonedx bad timestamp", cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "resolved", "lastUpdated": "now"}, "affects": [{"ref": "p"}]}`),
			"bad.json:/vulnerabilities/0/analysis/lastUpdated", "RFC 3339"},
		{"cyclonedx wrong type", strings.Replace(cycloneDX(``, cdxFixed), `"vulnerabilities": [`, `"vulnerabilities": {"x": [`, 1) + "}",
			"bad.json:3:", "expected an array"},
		{"cyclonedx no analysis", cycloneDX(``, `{"id": "CVE-1", "affects": [{"ref": "p"}]}`), "bad.json:/vulnerabilities", "expected at least one vulnerability with an analysis"},
		{"cyclonedx 1.3", strings.Replace(cycloneDX(``, cdxFixed), `"1.6"`, `"1.3"`, 1), "bad.json:/specVersion", "expected CycloneDX 1.4 to 1.7"},
		{"cyclonedx not CycloneDX", `{"bomFormat": "SPDX"}`, "bad.json:/bomFormat", `expected "CycloneDX"`},

		// CSAF.
		{"csaf unknown product", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_affected": ["C"]}, "remediations": [{"category": "vendor_fix", "details": "d", "product_ids": ["A"]}]}`),
			"bad.json:/vulnerabilities/0/product_status/known_affected/0", `found "C", which is not (CSAF 6.1.1)`},
		{"csaf unknown product in a flag", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_not_affected": ["A"]}, "flags": [{"label": "component_not_present", "product_ids": ["A", "Z"]}]}`),
			"bad.json:/vulnerabilities/0/flags/0/product_ids/1", `found "Z"`},
		{"csaf unknown group", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"fixed": ["A"]}, "remediations": [{"category": "vendor_fix", "details": "d", "group_ids": ["H"]}]}`),
			"bad.json:/vulnerabilities/0/remediations/0/group_ids/0", "CSAF 6.1.4"},
		{"csaf contradicting status", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_affected": ["A"], "fixed": ["B", "A"]}, "remediations": [{"category": "vendor_fix", "details": "d", "product_ids": ["A"]}]}`),
			"bad.json:/vulnerabilities/0/product_status/fixed/1", `"A" fixed here and affected at bad.json:/vulnerabilities/0/product_status/known_affected/0 (CSAF 6.1.6)`},
		{"csaf not affected without impact", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_not_affected": ["A", "B"]}, "threats": [{"category": "impact", "details": "d", "product_ids": ["A"]}]}`),
			"bad.json:/vulnerabilities/0/product_status/known_not_affected/1", "CSAF 6.1.27.9"},
		{"csaf affected without remediation", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_affected": ["A"]}}`),
			"bad.json:/vulnerabilities/0/product_status/known_affected/0", "CSAF 6.1.27.10"},
		{"csaf unknown status", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"fixed": ["A"], "maybe_affected": ["B"]}}`),
			"bad.json:/vulnerabilities/0/product_status/maybe_affected", `found "maybe_affected"`},
		{"csaf no VEX status", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"recommended": ["A"]}}`),
			"bad.json:/vulnerabilities/0/product_status", "CSAF 6.1.27.7"},
		{"csaf no vulnerability ID", csafVEX(csafTree, `{"product_status": {"fixed": ["A"]}}`), "bad.json:/vulnerabilities/0", "CSAF 6.1.27.8"},
		{"csaf bad flag", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_not_affected": ["A"]}, "flags": [{"label": "code_not_present", "product_ids": ["A"]}]}`),
			"bad.json:/vulnerabilities/0/flags/0/label", `found "code_not_present"`},
		{"csaf two justifications", csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"known_not_affected": ["A"]}, "flags": [{"label": "component_not_present", "product_ids": ["A"]}, {"label": "vulnerable_code_not_present", "group_ids": ["G"]}]}`),
			"bad.json:/vulnerabilities/0/flags/1", "CSAF 6.1.33"},
		{"csaf duplicate product", csafVEX(`{"full_product_names": [{"name": "A", "product_id": "A"}, {"name": "A again", "product_id": "A"}]}`, `{"cve": "CVE-1", "product_status": {"fixed": ["A"]}}`),
			"bad.json:/product_tree/full_product_names/1/product_id", "CSAF 6.1.2"},
		{"csaf circular relationship", csafVEX(`{"full_product_names": [{"name": "A", "product_id": "A"}], "relationships": [
			{"category": "default_component_of", "product_reference": "A", "relates_to_product_reference": "R2", "full_product_name": {"name": "r1", "product_id": "R1"}},
			{"category": "default_component_of", "product_reference": "A", "relates_to_product_reference": "R1", "full_product_name": {"name": "r2", "product_id": "R2"}}]}`,
			`{"cve": "CVE-1", "product_status": {"fixed": ["R1"]}}`),
			"bad.json:/product_tree/relationships/0/full_product_name", "CSAF 6.1.3"},
		{"csaf bad purl", csafVEX(`{"full_product_names": [{"name": "A", "product_id": "A", "product_identification_helper": {"purl": "npm/x@1"}}]}`, `{"cve": "CVE-1", "product_status": {"fixed": ["A"]}}`),
			"bad.json:/product_tree/full_product_names/0/product_identification_helper/purl", "CSAF 6.1.13"},
		{"csaf base profile", strings.Replace(csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"fixed": ["A"]}}`), "csaf_vex", "csaf_base", 1),
			"bad.json:/document/category", `found "csaf_base"`},
		{"csaf 2.1", strings.Replace(csafVEX(csafTree, `{"cve": "CVE-1", "product_status": {"fixed": ["A"]}}`), `"2.0"`, `"2.1"`, 1),
			"bad.json:/document/csaf_version", "expected CSAF 2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := vex.Decode("bad.json", []byte(tc.doc))
			if err == nil {
				t.Fatalf("decoded %d statements, want an error at %s saying %q", len(d.Statements), tc.location, tc.message)
			}
			e := wantInvalid(t, err)
			p := e.Problems[0]
			if !strings.HasPrefix(p.Location, tc.location) || !strings.Contains(p.Message, tc.message) {
				t.Errorf("first problem = %s: %s\nwant %s: …%s…\n(all: %v)", p.Location, p.Message, tc.location, tc.message, e)
			}
		})
	}
}

// TestDecodeHistory accepts what looks like a contradiction but is not:
// the same product and vulnerability at different times (OpenVEX keeps a
// statement's history in one document), and the same vulnerability in
// different version ranges of one product (CycloneDX).
func TestDecodeHistory(t *testing.T) {
	for name, doc := range map[string]string{
		"openvex history": openVEX(`{"vulnerability": {"name": "CVE-1"}, "timestamp": "2024-01-01T00:00:00Z", "products": [{"@id": "pkg:npm/x@1"}], "status": "under_investigation"},
			{"vulnerability": {"name": "CVE-1"}, "timestamp": "2024-01-02T00:00:00Z", "products": [{"@id": "pkg:npm/x@1"}], "status": "fixed"}`),
		"cyclonedx ranges": cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "exploitable"}, "affects": [{"ref": "p", "versions": [{"range": "vers:semver/<2"}]}]},
			{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "p", "versions": [{"range": "vers:semver/>=2"}]}]}`),
		"cyclonedx resolved with affected versions": cycloneDX(``, `{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "p", "versions": [{"range": "vers:semver/<2", "status": "affected"}, {"version": "2", "status": "unaffected"}]}]}`),
	} {
		t.Run(name, func(t *testing.T) {
			d, err := vex.Decode("ok.json", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Statements) != 2 {
				t.Errorf("%d statements, want 2", len(d.Statements))
			}
		})
	}
}

// TestDecodeCycloneDXSubject checks how affects refs become products: a
// component of the BOM's subject is a subcomponent of it.
func TestDecodeCycloneDXSubject(t *testing.T) {
	doc := cycloneDX(`{"type": "library", "name": "log4j-core", "bom-ref": "l", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}`,
		`{"id": "CVE-2021-44228", "analysis": {"state": "not_affected", "justification": "requires_environment", "detail": "d"}, "affects": [{"ref": "l"}, {"ref": "p"}]}`)
	d, err := vex.Decode("ok.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := findStatement(t, d, "CVE-2021-44228", vex.StatusNotAffected)
	if len(s.Products) != 2 {
		t.Fatalf("products = %+v, want p with log4j-core and p itself", s.Products)
	}
	if p := s.Products[0]; p.Name != "p" || p.Version != "1" || len(p.Subcomponents) != 1 || p.Subcomponents[0].PURL != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" {
		t.Errorf("first product = %+v", p)
	}
	if p := s.Products[1]; p.Name != "p" || len(p.Subcomponents) != 0 {
		t.Errorf("second product = %+v", p)
	}
	if s.Justification != "" || s.CycloneDXJustification != "requires_environment" || s.ImpactStatement != "d" {
		t.Errorf("statement = %+v", s)
	}
	// OpenVEX has no label for requires_environment: it is said in words.
	out, err := vex.EncodeOpenVEX(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"impact_statement": "d"`) {
		t.Errorf("OpenVEX lost the impact statement:\n%s", out)
	}
}

// TestEncodeBadDocument checks what the encoders refuse.
func TestEncodeBadDocument(t *testing.T) {
	at := func(s string) vex.Statement {
		return vex.Statement{Vulnerability: vex.Vulnerability{ID: "CVE-1"}, Status: vex.Status(s),
			Products: []vex.Product{{Component: vex.Component{PURL: "pkg:npm/x@1"}}}}
	}
	ok := at("fixed")
	for _, tc := range []struct {
		name    string
		doc     *vex.Document
		openVEX string // "" if EncodeOpenVEX must succeed
		cdx     string // "" if EncodeCycloneDX must succeed
	}{
		{"nil", nil, "no document", "no document"},
		{"no statements", &vex.Document{Timestamp: someTime}, "/statements: expected at least one statement", "/statements: expected at least one statement"},
		{"no timestamp", &vex.Document{Statements: []vex.Statement{ok}}, "/timestamp: expected the time", ""},
		{"unknown status", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{at("maybe")}}, "/statements/0/status", "/statements/0/status"},
		{"not_affected without reason", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{at("not_affected")}}, "/statements/0: expected a justification or an impact statement", ""},
		{"affected without action", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{at("affected")}}, "/statements/0: expected an action statement", ""},
		{"bad justification", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{func() vex.Statement {
			s := at("not_affected")
			s.Justification = "code_not_present"
			return s
		}()}}, "/statements/0/justification", "/statements/0/justification"},
		{"no product", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{func() vex.Statement {
			s := at("fixed")
			s.Products = []vex.Product{{}}
			return s
		}()}}, "/statements/0/products/0: expected a purl, CPE, IRI or name", "/statements/0/products/0: expected a purl, CPE, IRI, BOM-Link or name"},
		{"bad purl", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{func() vex.Statement {
			s := at("fixed")
			s.Products[0].PURL = "pkg:npm"
			return s
		}()}}, "/statements/0/products/0: expected a valid purl", ""},
		{"range on a CPE", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{func() vex.Statement {
			s := at("fixed")
			s.Products[0].Component = vex.Component{CPE: "cpe:/a:x:y", VersionRange: "vers:generic/<2"}
			return s
		}()}}, "OpenVEX can give a range only in a purl", ""},
		{"no vulnerability", &vex.Document{Timestamp: someTime, Statements: []vex.Statement{func() vex.Statement {
			s := at("fixed")
			s.Vulnerability.ID = ""
			return s
		}()}}, "/statements/0/vulnerability", "/statements/0/vulnerability"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, out []byte, err error, want string) {
				t.Helper()
				if want == "" {
					if err != nil {
						t.Errorf("%s: %v", what, err)
					}
					return
				}
				if err == nil {
					t.Errorf("%s succeeded, want an error saying %q:\n%s", what, want, out)
					return
				}
				if msg := wantInvalidUnlocated(t, err); !strings.Contains(msg, want) {
					t.Errorf("%s: %v\nwant an error saying %q", what, msg, want)
				}
			}
			out, err := vex.EncodeOpenVEX(tc.doc)
			check("EncodeOpenVEX", out, err, tc.openVEX)
			out, err = vex.EncodeCycloneDX(tc.doc, "1.6")
			check("EncodeCycloneDX", out, err, tc.cdx)
		})
	}
}

// TestDecodeLimits checks the bounds on what a small CSAF document can make
// Decode build: nested relationships and product group expansion.
func TestDecodeLimits(t *testing.T) {
	t.Run("relationship depth", func(t *testing.T) {
		// R<n> is A<n> in R<n-1>, R0 the product B.
		var rels, names []string
		for i := 1; i <= 20; i++ {
			names = append(names, fmt.Sprintf(`{"name": "a%d", "product_id": "A%d"}`, i, i))
			rels = append(rels, fmt.Sprintf(`{"category": "default_component_of", "product_reference": "A%d", "relates_to_product_reference": "R%d", "full_product_name": {"name": "r", "product_id": "R%d"}}`, i, i-1, i))
		}
		doc := csafVEX(`{"full_product_names": [`+strings.Join(names, ",")+`, {"name": "B", "product_id": "R0"}], "relationships": [`+strings.Join(rels, ",")+`]}`,
			`{"cve": "CVE-1", "product_status": {"fixed": ["R20"]}}`)
		_, err := vex.Decode("deep.json", []byte(doc))
		e := wantInvalid(t, err)
		if !strings.Contains(e.Error(), "expected relationships nested at most 16 deep") {
			t.Errorf("error = %v", e)
		}
		// 16 levels are fine.
		doc = strings.Replace(doc, `"fixed": ["R20"]`, `"fixed": ["R16"]`, 1)
		doc = strings.Replace(doc, `"relationships": [`+strings.Join(rels, ","), `"relationships": [`+strings.Join(rels[:16], ","), 1)
		d, err := vex.Decode("deep.json", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if subs := len(d.Statements[0].Products[0].Subcomponents); subs != 16 {
			t.Errorf("%d subcomponents, want 16", subs)
		}
	})
	t.Run("product references", func(t *testing.T) {
		const members = 1 << 14
		var names, ids []string
		for i := range members {
			names = append(names, fmt.Sprintf(`{"name": "p", "product_id": "P%d"}`, i))
			ids = append(ids, fmt.Sprintf(`"P%d"`, i))
		}
		var rems []string
		for range (1<<20)/members + 1 {
			rems = append(rems, `{"category": "vendor_fix", "details": "d", "group_ids": ["G"]}`)
		}
		doc := csafVEX(`{"full_product_names": [`+strings.Join(names, ",")+`], "product_groups": [{"group_id": "G", "product_ids": [`+strings.Join(ids, ",")+`]}]}`,
			`{"cve": "CVE-1", "product_status": {"fixed": ["P0"]}, "remediations": [`+strings.Join(rems, ",")+`]}`)
		_, err := vex.Decode("groups.json", []byte(doc))
		e := wantInvalid(t, err)
		if !strings.Contains(e.Error(), "product references after expanding product groups") {
			t.Errorf("error = %v", e)
		}
	})
}

// TestCSAFNestedRelationship resolves a relationship whose component is
// itself a relationship: (lib in app) installed_on platform is the
// platform with app and lib inside.
func TestCSAFNestedRelationship(t *testing.T) {
	doc := csafVEX(`{"full_product_names": [
		{"name": "lib", "product_id": "LIB", "product_identification_helper": {"purl": "pkg:npm/lib@1"}},
		{"name": "app", "product_id": "APP", "product_identification_helper": {"purl": "pkg:npm/app@2"}},
		{"name": "platform", "product_id": "OS", "product_identification_helper": {"cpe": "cpe:/o:example:os:9"}}],
	 "relationships": [
		{"category": "default_component_of", "product_reference": "LIB", "relates_to_product_reference": "APP", "full_product_name": {"name": "lib in app", "product_id": "APP:LIB"}},
		{"category": "installed_on", "product_reference": "APP:LIB", "relates_to_product_reference": "OS", "full_product_name": {"name": "app on os", "product_id": "OS:APP:LIB"}}]}`,
		`{"cve": "CVE-1", "product_status": {"under_investigation": ["OS:APP:LIB"]}}`)
	d, err := vex.Decode("nested.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []vex.Product{{Component: vex.Component{CPE: "cpe:/o:example:os:9", Name: "platform"},
		Subcomponents: []vex.Component{{PURL: "pkg:npm/app@2", Name: "app"}, {PURL: "pkg:npm/lib@1", Name: "lib"}}}}
	if diff := cmp.Diff(want, d.Statements[0].Products); diff != "" {
		t.Errorf("products (-want +got):\n%s", diff)
	}
}
