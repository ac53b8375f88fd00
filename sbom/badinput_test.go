package sbom_test

import (
	"errors"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
)

// TestDecodeBadInput: every kind of bad input is an EInvalid *cradle.Error
// with a problem located in the file (line and column, or a path) that says
// what was expected and what was found.
func TestDecodeBadInput(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		doc      string
		location string // the problem's location, exactly
		message  string // part of the problem's message
	}{
		{
			name: "empty", file: "x.json", doc: "  \n",
			location: "x.json", message: "found an empty file",
		},
		{
			name: "malformed JSON", file: "x.json", doc: "{\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\" \"version\": 1}",
			location: "x.json:2:24", message: "invalid character '\"' after object key:value pair",
		},
		{
			name: "truncated JSON", file: "x.json", doc: "{\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\"",
			location: "x.json:2:23", message: "unexpected end of JSON: the document is truncated",
		},
		{
			name: "malformed XML", file: "x.xml", doc: "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n  <components>\n</bom>",
			location: "x.xml:4:7", message: "element <components> closed by </bom>",
		},
		{
			name: "schema-invalid CycloneDX", file: "x.json", doc: cdx16(`"components": [{"type": "framework2", "name": "a"}]`),
			location: "x.json:/components/0/type", message: `expected one of 13 allowed values, found "framework2"`,
		},
		{
			name: "schema-invalid SPDX in an imported field", file: "x.json", doc: spdx23(`"packages": [{"SPDXID": "SPDXRef-a", "name": 5, "downloadLocation": "NOASSERTION"}]`),
			location: "x.json:/packages/0/name", message: "expected string, found number",
		},
		{
			name: "unknown JSON", file: "x.json", doc: `{"name": "x", "packages": []}`,
			location: "x.json", message: `found a JSON object with keys "name", "packages"`,
		},
		{
			name: "unknown text", file: "notes.txt", doc: "Hello, this is not an SBOM.",
			location: "notes.txt:1:1", message: `expected JSON, XML or SPDX tag-value, found "Hello, this is not an SBOM."`,
		},
		{
			name: "XML that is not CycloneDX", file: "x.xml", doc: `<project><name>x</name></project>`,
			location: "x.xml:1:1", message: "expected a CycloneDX <bom> element, found <project>",
		},
		{
			name: "CycloneDX XML in an unknown namespace", file: "x.xml", doc: `<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>`,
			location: "x.xml:1:1", message: `found "http://cyclonedx.org/schema/bom/2.0"`,
		},
		{
			name: "unsupported CycloneDX version", file: "x.json", doc: `{"bomFormat": "CycloneDX", "specVersion": "1.7", "version": 1}`,
			location: "x.json:/specVersion", message: `CycloneDX "1.7" JSON is not supported`,
		},
		{
			name: "unsupported SPDX version", file: "x.json", doc: `{"spdxVersion": "SPDX-3.0"}`,
			location: "x.json:/spdxVersion", message: `found "SPDX-3.0"`,
		},
		{
			name: "top-level array", file: "x.json", doc: `[{"bomFormat": "CycloneDX", "specVersion": "1.6"}]`,
			location: "x.json", message: "expected a JSON object (a CycloneDX or SPDX document), found a JSON array",
		},
		{
			name: "trailing garbage", file: "x.json", doc: cdx16("") + "\nContact Us Terms of Use",
			location: "x.json:2:1", message: `expected the end of the document after the top-level JSON value, found "Contact Us Terms of Use"`,
		},
		{
			name: "UTF-16", file: "x.json", doc: "\xff\xfe{\x00}\x00",
			location: "x.json:1:1", message: "found a UTF-16 byte-order mark",
		},
		{
			name: "content does not match the file name", file: "x.json", doc: tagValue(""),
			location: "x.json", message: `expected JSON (the name ends in ".json"), found SPDX 2.3 tag-value document`,
		},
		{
			name: "duplicate bom-ref", file: "x.json", doc: cdx16(`"components": [` + lib("a", "") + `, {"bom-ref": "a", "type": "library", "name": "b"}]`),
			location: "x.json:/components/1/bom-ref", message: `expected a unique bom-ref, found "a" again (first at x.json:/components/0/bom-ref) for a different component`,
		},
		{
			name: "component nested inside itself", file: "x.xml",
			doc: `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library" bom-ref="a"><name>a</name>` +
				`<components><component type="library" bom-ref="a"><name>a</name></component></components></component></components></bom>`,
			location: "x.xml:/bom/components/component[1]/components/component[1]/@bom-ref", message: `found "a", so the component would contain itself`,
		},
		{
			name: "duplicate SPDXID", file: "x.json", doc: spdx23(`"packages": [` + pkg("SPDXRef-a", `"versionInfo": "1"`) + `, ` + pkg("SPDXRef-a", `"versionInfo": "2"`) + `]`),
			location: "x.json:/packages/1/SPDXID", message: `expected a unique SPDXID, found "SPDXRef-a" again`,
		},
		{
			name: "dependency on an unknown bom-ref", file: "x.json", doc: cdx16(`"components": [` + lib("a", "") + `], "dependencies": [{"ref": "a", "dependsOn": ["b"]}]`),
			location: "x.json:/dependencies/0/dependsOn/0", message: `expected the bom-ref of a component in this document, found "b", which is not defined`,
		},
		{
			name: "SPDX relationship to an unknown SPDXID", file: "x.json",
			doc:      spdx23(`"packages": [` + pkg("SPDXRef-a", "") + `], "relationships": [{"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-b"}]`),
			location: "x.json:/relationships/0", message: `found "SPDXRef-b", which is not defined`,
		},
		{
			name: "tag-value relationship to an unknown SPDXID", file: "x.spdx",
			doc:      tagValue("PackageName: a\nSPDXID: SPDXRef-a\nPackageDownloadLocation: NONE\n\nRelationship: SPDXRef-a DEPENDS_ON SPDXRef-b\n"),
			location: "x.spdx:11", message: `found "SPDXRef-b", which is not defined`,
		},
		{
			name: "purl that does not parse", file: "x.json", doc: cdx16(`"components": [` + lib("a", `"purl": "pkg:npm/lodash@%zz"`) + `]`),
			location: "x.json:/components/0/purl", message: `expected a package URL (pkg:type/namespace/name@version), found "pkg:npm/lodash@%zz"`,
		},
		{
			name: "tag-value purl that does not parse", file: "x.spdx",
			doc:      tagValue("PackageName: a\nSPDXID: SPDXRef-a\nPackageDownloadLocation: NONE\nExternalRef: PACKAGE-MANAGER purl pkg:npm/%zz\n"),
			location: "x.spdx:10", message: `found "pkg:npm/%zz"`,
		},
		{
			name: "tag-value line without a colon", file: "x.spdx", doc: tagValue("PackageName: a\nthis line has no tag\n"),
			location: "x.spdx:8", message: `expected "Tag: value", found "this line has no tag"`,
		},
		{
			name: "tag-value text never closed", file: "x.spdx", doc: tagValue("PackageName: a\nSPDXID: SPDXRef-a\nPackageComment: <text>never\nclosed\n"),
			location: "x.spdx:9", message: "expected </text> to close the <text> of PackageComment, found the end of the file",
		},
		{
			name: "tag-value the library refuses", file: "x.spdx", doc: tagValue("PackageName: a\nSPDXID: SPDXRef-a\nPackageChecksum: SHA256 without a colon\n"),
			location: "x.spdx:9", message: "PackageChecksum:",
		},
		{
			name: "SPDX 3", file: "x.json", doc: `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`,
			location: "x.json:/@context", message: "SPDX 3 (JSON-LD) is not supported yet",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sbom.Decode(tt.file, []byte(tt.doc))
			if err == nil {
				t.Fatalf("Decode succeeded with %d components, want an error", len(s.Components))
			}
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("Decode error = %#v, want a *cradle.Error with code %q", err, cradle.EInvalid)
			}
			if !strings.Contains(e.Message, tt.file) {
				t.Errorf("message %q does not name the file %s", e.Message, tt.file)
			}
			for _, p := range e.Problems {
				if p.Location == tt.location && strings.Contains(p.Message, tt.message) {
					return
				}
			}
			t.Errorf("no problem at %q saying %q in:\n%v", tt.location, tt.message, err)
		})
	}
}

// TestDetectNames checks that Detect, which has no file name, still says
// where: positions and paths stand alone.
func TestDetectNames(t *testing.T) {
	_, _, _, err := sbom.Detect([]byte("{\n  \"bomFormat\": 1\n}"))
	var e *cradle.Error
	if !errors.As(err, &e) || len(e.Problems) != 1 {
		t.Fatalf("Detect error = %v, want one problem", err)
	}
	if got, want := e.Problems[0].String(), `/bomFormat: expected "CycloneDX", found 1`; got != want {
		t.Errorf("problem = %q, want %q", got, want)
	}
	_, _, _, err = sbom.Detect([]byte("{\n  \"bomFormat\" 1\n}"))
	if !errors.As(err, &e) || e.Problems[0].Location != "line 2, column 15" {
		t.Errorf("Detect error = %v, want a problem at line 2, column 15", err)
	}
}

func TestEncodeUnknownFormat(t *testing.T) {
	err := sbom.Encode(new(strings.Builder), &cradle.SBOM{}, "spdx-yaml")
	if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "cyclonedx-json, cyclonedx-xml, spdx-json") {
		t.Errorf("Encode error = %v, want EInvalid naming the formats", err)
	}
}
