package sbom_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeFile(t *testing.T, name string) *cradle.SBOM {
	t.Helper()
	s, err := sbom.Decode(name, readTestdata(t, name))
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return s
}

var created = time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)

// The CycloneDX fixtures say the same in JSON and XML: a root with a
// manufacturer, a nested component, one without a bom-ref, licences by
// ID, name and expression, declared and concluded licences, hashes in
// upper case, a service as a dependency target, and a component nobody
// depends on.
func wantCycloneDX(encoding string) *cradle.SBOM {
	return &cradle.SBOM{
		Format:      cradle.FormatCycloneDX,
		Encoding:    encoding,
		SpecVersion: "1.6",
		Name:        "acme-app",
		Serial:      "urn:uuid:1b671687-395b-41f5-a30f-a58921a69b79",
		Created:     created,
		Authors:     []string{"Ada Lovelace"},
		Tools:       []string{"cyclonedx-gomod 1.9.0"},
		Root:        "acme-app",
		Components: []cradle.Component{
			{
				Ref: "acme-app", Type: "application", Group: "com.acme", Name: "acme-app", Version: "2.1.0",
				PURL: "pkg:maven/com.acme/acme-app@2.1.0", Manufacturer: "Acme Corp", Licenses: "Apache-2.0", Depth: 0,
			},
			{
				Ref: "log4j-core", Type: "library", Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
				PURL:     "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
				CPE:      "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
				Supplier: "Apache Software Foundation",
				Licenses: "Apache-2.0 AND LicenseRef-Acme-Internal-Licence",
				Hashes: []cradle.Hash{
					{Algorithm: "SHA-256", Value: "a9b0d5c7f3e2d1c0b9a8f7e6d5c4b3a2918273645546372819a0b1c2d3e4f5a6"},
					{Algorithm: "MD5", Value: "5d2f4c6a1b3e8f90a7c6d5e4f3a2b1c0"},
				},
				Scope: "required", Description: "The Apache Log4j implementation", Depth: 1,
			},
			{
				Ref: "log4j-api", Type: "library", Name: "log4j-api", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", Depth: 2,
			},
			{
				// No bom-ref: one is made up from its place in the document.
				Ref: "component-4", Type: "library", Name: "slf4j-api", Version: "1.7.36",
				PURL: "pkg:maven/org.slf4j/slf4j-api@1.7.36", Manufacturer: "QOS.ch", Licenses: "MIT OR Apache-2.0", Depth: -1,
			},
			{
				// The concluded licence wins over the declared one.
				Ref: "commons-text", Type: "library", Name: "commons-text", Version: "1.9", Scope: "optional", Licenses: "MIT", Depth: 1,
			},
		},
		Dependencies: []cradle.Dependency{
			{From: "acme-app", To: "log4j-core"},
			{From: "acme-app", To: "commons-text"},
			{From: "log4j-core", To: "log4j-api"},
		},
	}
}

// The SPDX fixtures say the same in JSON and tag-value: every kind of
// relationship cradle follows, one it ignores, one to a file and one to
// another document, NOASSERTION and NONE, cpe22 and cpe23, and the
// PACKAGE_MANAGER spelling.
func wantSPDX(encoding string) *cradle.SBOM {
	return &cradle.SBOM{
		Format:      cradle.FormatSPDX,
		Encoding:    encoding,
		SpecVersion: "2.3",
		Name:        "acme-app-2.1.0",
		Serial:      "https://acme.example/spdx/acme-app-2.1.0-1b671687",
		Created:     created,
		Authors:     []string{"Acme Corp", "Ada Lovelace"},
		Tools:       []string{"syft-1.18.0"},
		Root:        "SPDXRef-acme-app",
		Components: []cradle.Component{
			{
				Ref: "SPDXRef-acme-app", Type: "application", Name: "acme-app", Version: "2.1.0",
				PURL: "pkg:maven/com.acme/acme-app@2.1.0", Manufacturer: "Acme Corp", Licenses: "Apache-2.0", Depth: 0,
			},
			{
				Ref: "SPDXRef-log4j-core", Type: "library", Name: "log4j-core", Version: "2.14.1",
				PURL:     "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
				CPE:      "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
				Supplier: "Apache Software Foundation",
				Licenses: "Apache-2.0", // concluded is NOASSERTION, so the declared one
				Hashes: []cradle.Hash{
					{Algorithm: "SHA-256", Value: "a9b0d5c7f3e2d1c0b9a8f7e6d5c4b3a2918273645546372819a0b1c2d3e4f5a6"},
					{Algorithm: "MD5", Value: "5d2f4c6a1b3e8f90a7c6d5e4f3a2b1c0"},
				},
				Description: "The Apache Log4j implementation", Depth: 1,
			},
			{
				Ref: "SPDXRef-log4j-api", Name: "log4j-api", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", Depth: 2,
			},
			{
				Ref: "SPDXRef-junit", Name: "junit", Version: "4.13.2", CPE: "cpe:/a:junit:junit:4.13.2", Licenses: "EPL-1.0", Depth: 1,
			},
			{
				Ref: "SPDXRef-commons-text", Name: "commons-text", Version: "1.9", Description: "Apache Commons Text", Depth: 1,
			},
		},
		Dependencies: []cradle.Dependency{
			{From: "SPDXRef-acme-app", To: "SPDXRef-log4j-core"},
			{From: "SPDXRef-log4j-core", To: "SPDXRef-log4j-api"},
			{From: "SPDXRef-acme-app", To: "SPDXRef-junit"},
			{From: "SPDXRef-acme-app", To: "SPDXRef-commons-text"},
		},
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		file string
		want *cradle.SBOM
	}{
		{"acme-cdx16.json", wantCycloneDX("json")},
		{"acme-cdx16.xml", wantCycloneDX("xml")},
		{"acme-spdx23.json", wantSPDX("json")},
		{"acme-spdx23.spdx", wantSPDX("tag-value")},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := decodeFile(t, tt.file)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Decode(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		file                      string
		format, encoding, specVer string
	}{
		{"acme-cdx16.json", cradle.FormatCycloneDX, "json", "1.6"},
		{"acme-cdx16.xml", cradle.FormatCycloneDX, "xml", "1.6"},
		{"acme-spdx23.json", cradle.FormatSPDX, "json", "2.3"},
		{"acme-spdx23.spdx", cradle.FormatSPDX, "tag-value", "2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			format, encoding, spec, err := sbom.Detect(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := []string{format, encoding, spec}, []string{tt.format, tt.encoding, tt.specVer}; !cmp.Equal(got, want) {
				t.Errorf("Detect = %q, want %q", got, want)
			}
		})
	}
}

// TestDecodeLineEndings: some generators end tag-value lines with a bare
// carriage return (pub.dev's sbom tool in the corpus), others with CRLF.
func TestDecodeLineEndings(t *testing.T) {
	data := string(readTestdata(t, "acme-spdx23.spdx"))
	for name, eol := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
		t.Run(name, func(t *testing.T) {
			got, err := sbom.Decode("acme.spdx", []byte(strings.ReplaceAll(data, "\n", eol)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantSPDX("tag-value"), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeWarnings covers what is imported with a warning instead of
// rejected, and checks that the warning is located and says what it is
// about.
func TestDecodeWarnings(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		wantComps int
		wantWarn  []string // location and the start of the message, per warning
	}{
		{
			name: "dependency cycle",
			doc: cdx16(`"components": [` + lib("a", `"purl": "pkg:npm/a@1"`) + `,` + lib("b", `"purl": "pkg:npm/b@1"`) + `],
				"dependencies": [{"ref": "a", "dependsOn": ["b"]}, {"ref": "b", "dependsOn": ["a"]}]`),
			wantComps: 2,
			wantWarn:  []string{`x.json:/dependencies/0/dependsOn/0: dependency cycle: "a" → "b" → "a"`},
		},
		{
			name:      "self dependency",
			doc:       cdx16(`"components": [` + lib("a", "") + `], "dependencies": [{"ref": "a", "dependsOn": ["a"]}]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/dependencies/0/dependsOn/0: dependency cycle: "a" → "a"`},
		},
		{
			name:      "purl template without a name",
			doc:       cdx16(`"components": [` + lib("a", `"purl": "pkg:pypi/"`) + `]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/components/0/purl: ignored the purl "pkg:pypi/" of "a": it has no package name`},
		},
		{
			name:      "URL in a purl field",
			doc:       cdx16(`"components": [` + lib("a", `"purl": "https://github.com/actions/virtual-environments"`) + `]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/components/0/purl: ignored the purl "https://github.com/actions/virtual-environments" of "a": it is not a package URL`},
		},
		{
			name: "same component listed twice",
			doc: spdx23(`"packages": [` + pkg("SPDXRef-a", `"sourceInfo": "found in go.mod"`) + `,` +
				pkg("SPDXRef-a", `"sourceInfo": "found in the binary"`) + `]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/packages/1/SPDXID: duplicate SPDXID "SPDXRef-a": the same component as at x.json:/packages/0/SPDXID, kept once`},
		},
		{
			name: "edges from an element the document does not define",
			doc: spdx23(`"packages": [` + pkg("SPDXRef-a", "") + `], "relationships": [
				{"spdxElementId": "SPDXRef-image", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-a"}]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/relationships/0: ignored an edge from "SPDXRef-image", which the document does not define`},
		},
		{
			name: "SPDX schema violation in a field cradle does not import",
			doc: spdx23(`"packages": [{"SPDXID": "SPDXRef-a", "name": "a", "filesAnalyzed": false}],
				"files": [{"SPDXID": "SPDXRef-f", "name": "f", "checksums": [{"algorithm": "sha256", "checksumValue": "00"}]}]`),
			wantComps: 1,
			wantWarn: []string{
				`x.json:/files/0: expected the required property "fileName", found none (ignored`,
				`x.json:/files/0: expected no property "name" here`,
				`x.json:/files/0/checksums/0/algorithm: expected one of 17 allowed values, found "sha256" (ignored`,
				`x.json:/packages/0: expected the required property "downloadLocation", found none (ignored`,
			},
		},
		{
			name:      "SPDX supplier without its type",
			doc:       spdx23(`"packages": [` + pkg("SPDXRef-a", `"supplier": "Microsoft/GitHub"`) + `]`),
			wantComps: 1,
			wantWarn:  []string{`x.json:/packages/0/supplier: supplier or originator without "Person:" or "Organization:": read as the name`},
		},
		{
			name:      "tag-value element ID without its prefix and an undefined tag",
			doc:       tagValue("PackageName: a\nSPDXID: a\nPackageDownloadLocation: NOASSERTION\nPackageVersin: 1\n"),
			wantComps: 1,
			wantWarn: []string{
				`x.spdx:8: element ID without the "SPDXRef-" prefix: read as if it had it`,
				`x.spdx:10: ignored the tag "PackageVersin", which SPDX does not define`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sbom.Decode(nameFor(tt.doc), []byte(tt.doc))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(s.Components) != tt.wantComps {
				t.Errorf("got %d components, want %d", len(s.Components), tt.wantComps)
			}
			var got []string
			for _, w := range s.Warnings {
				got = append(got, w.String())
			}
			if len(got) != len(tt.wantWarn) {
				t.Fatalf("got warnings\n  %s\nwant %d", strings.Join(got, "\n  "), len(tt.wantWarn))
			}
			for i, w := range tt.wantWarn {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("warning %d = %q, want it to start with %q", i, got[i], w)
				}
			}
		})
	}
}

func nameFor(doc string) string {
	if strings.HasPrefix(doc, "SPDXVersion") {
		return "x.spdx"
	}
	return "x.json"
}

// Builders for small documents in tests.

func cdx16(body string) string {
	return `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1` + comma(body) + `}`
}

func lib(ref, extra string) string {
	return `{"bom-ref": "` + ref + `", "type": "library", "name": "` + ref + `"` + comma(extra) + `}`
}

func spdx23(body string) string {
	return `{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
		"documentNamespace": "https://example.com/x", "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: x"]}` + comma(body) + `}`
}

func pkg(id, extra string) string {
	return `{"SPDXID": "` + id + `", "name": "` + strings.TrimPrefix(id, "SPDXRef-") + `", "downloadLocation": "NOASSERTION", "filesAnalyzed": false` + comma(extra) + `}`
}

func tagValue(body string) string {
	return "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\nDocumentNamespace: https://example.com/x\nCreator: Tool: x\n" + body
}

func comma(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}
