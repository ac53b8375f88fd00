package sbom_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
)

// The conformance tests read the shared corpus of third-party documents
// (see ../shared/data/README.md) from CRADLE_TEST_DATA.
func corpus(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping conformance against ../shared/data")
	}
	return dir
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantInvalid checks that err is an EInvalid *cradle.Error with at least
// one located problem, and returns it.
func wantInvalid(t *testing.T, err error) *cradle.Error {
	t.Helper()
	var e *cradle.Error
	if !errors.As(err, &e) || e.Code != cradle.EInvalid {
		t.Fatalf("error = %v, want a *cradle.Error with code %q", err, cradle.EInvalid)
	}
	if len(e.Problems) == 0 || e.Problems[0].Location == "" {
		t.Errorf("error %q has no located problem", e)
	}
	return e
}

// TestConformanceCycloneDX runs the CycloneDX specification's own test
// resources: every valid-* document must be imported and every invalid-*
// one rejected. None is exempt.
func TestConformanceCycloneDX(t *testing.T) {
	dir := corpus(t)
	n := 0
	for _, version := range []string{"1.4", "1.5", "1.6"} {
		files, err := filepath.Glob(filepath.Join(dir, "conformance/cyclonedx/tests", version, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			name := filepath.Base(path)
			ext := filepath.Ext(name)
			if ext != ".json" && ext != ".xml" {
				continue // .textproto: protobuf, not a format cradle reads
			}
			n++
			t.Run(version+"/"+name, func(t *testing.T) {
				s, err := sbom.Decode(name, readFile(t, path))
				switch {
				case strings.HasPrefix(name, "valid-"):
					if err != nil {
						t.Fatalf("valid document rejected: %v", err)
					}
					if s.SpecVersion != version {
						t.Errorf("SpecVersion = %q, want %q", s.SpecVersion, version)
					}
				case strings.HasPrefix(name, "invalid-"):
					if err == nil {
						t.Fatalf("invalid document imported (%d components)", len(s.Components))
					}
					wantInvalid(t, err)
				default:
					t.Fatalf("neither valid- nor invalid-: %s", name)
				}
			})
		}
	}
	if n < 300 {
		t.Errorf("ran %d test resources, expected the suite's 300 or more: is CRADLE_TEST_DATA right?", n)
	}
}

// TestConformanceSPDX imports the SPDX specification's 2.2 and 2.3
// examples and the spdx-examples documents for those versions, in JSON
// and tag-value, and checks each has one component per package.
func TestConformanceSPDX(t *testing.T) {
	dir := filepath.Join(corpus(t), "conformance/spdx")
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		spdx2 := regexp.MustCompile(`^spdx-spec/v2\.[23]/|/spdx2\.[23]/|-v2\.3\.spdx\.json$`).MatchString(rel)
		if spdx2 && !strings.Contains(rel, "/schemas/") && (strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".spdx")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("found %d SPDX 2.2/2.3 examples, expected 25 or more: is CRADLE_TEST_DATA right?", len(files))
	}
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		t.Run(rel, func(t *testing.T) {
			data := readFile(t, path)
			s, err := sbom.Decode(filepath.Base(path), data)
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if want := countSPDXPackages(t, data); len(s.Components) != want {
				t.Errorf("%d components, want %d (one per package)", len(s.Components), want)
			}
		})
	}
}

// notSBOMs are files under sbom/ that are not SBOMs: test inputs of the
// projects the corpus was taken from, and JSON in other formats.
var notSBOMs = map[string]string{
	"in-the-wild/cyclonedx/bashrc2-sbom-cdx.json":      "scanoss's own scan-result format (file name → matches), not CycloneDX",
	"in-the-wild/spdx/maubot-spdx.json":                "the SPDX licence list as JSON (licence ID → details), not an SBOM",
	"debian/tests/data/openvex_json_schema_0.2.0.json": "the OpenVEX JSON schema",
	"debian/tests/data/security-tracker.fake.json":     "a fake Debian security-tracker response",
}

// rejected are the real SBOMs cradle must refuse, with why and a part of
// the message that must say so. The first three are the corpus's
// deliberately malformed files; the others are malformed by accident, and
// each is refused by a rule that also refuses a test case of the
// CycloneDX suite or of TestDecodeBadInput.
var rejected = map[string]struct{ why, message string }{
	"in-the-wild/spdx/powershell-2.2.6.spdx.json": {
		"a web page's footer after the JSON", `expected the end of the document after the top-level JSON value, found "Contact Us`},
	"in-the-wild/spdx/grype-sbom-modified.spdx.json": {
		"tag-value under a .json name", `expected JSON (the name ends in ".json"), found SPDX 2.2 tag-value document`},
	"in-the-wild/cyclonedx/scanoss-sbom-cdx.json": {
		"a top-level JSON list of scanoss records", "expected a JSON object (a CycloneDX or SPDX document), found a JSON array"},
	"in-the-wild/spdx/istio-source.spdx": {
		"truncated at 3,407,872 bytes (exactly 0x340000) inside a <text> value; importing it would silently lose the packages and relationships after the cut",
		"expected </text> to close the <text> of PackageCopyrightText, found the end of the file"},
	"in-the-wild/spdx/vast-sbom.spdx": {
		"hand-written: tags of other sections in file sections, and every package SPDXRef-Package and every file SPDXRef-File, each SPDXID placed before the PackageName or FileName it is meant for, so no package has an identity of its own",
		"vast-sbom.spdx:71: LicenseComment: received unknown tag LicenseComment in File section"},
	"in-the-wild/cyclonedx/obsidian-sailboat-sbom-cdx.json": {
		"140 licences with neither id nor name, which the CycloneDX 1.2 schema forbids (the defect of the suite's invalid-license-missing-id-and-name test)",
		"/components/0/licenses/0/license: expected a value matching one of the allowed forms"},
	"osv-scanner-fixtures/sbom-insecure/alpine-zlib-16.cdx.json": {
		`metadata.component has the type "", not a CycloneDX component type (the defect of the suite's invalid-component-type test)`,
		`/metadata/component/type: expected one of 13 allowed values, found ""`},
	"debian/tests/data/merge-minimal.cdx.json": {
		"debsbom's merge-test fixture: the root depends on a bom-ref no component has (…?arch=amd64, the component is …?arch=amd64-different)",
		"/dependencies/0/dependsOn/0: expected the bom-ref of a component in this document"},
}

// isSBOMCandidate says which files under sbom/ are meant to be SBOMs: by
// name, as a person uploading them would judge.
func isSBOMCandidate(rel string) bool {
	switch filepath.Ext(rel) {
	case ".json", ".xml", ".spdx", ".sbom":
		return true
	}
	return false
}

// TestRealSBOMs imports every real SBOM in the corpus and checks that each
// has one component per component (CycloneDX, the root included) or
// package (SPDX) in the document, counted here from the raw document.
func TestRealSBOMs(t *testing.T) {
	dir := filepath.Join(corpus(t), "sbom")
	imported := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !isSBOMCandidate(rel) {
			return nil
		}
		t.Run(rel, func(t *testing.T) {
			data := readFile(t, path)
			s, err := sbom.Decode(filepath.Base(path), data)
			if why, ok := notSBOMs[rel]; ok {
				if err == nil {
					t.Fatalf("imported, but it is not an SBOM: %s", why)
				}
				wantInvalid(t, err)
				return
			}
			if len(data) == 0 {
				// syft wrote nothing for four of the plug-fest XML outputs.
				if err == nil || !strings.Contains(err.Error(), "found an empty file") {
					t.Fatalf("empty file: error = %v, want one saying it is empty", err)
				}
				return
			}
			if r, ok := rejected[rel]; ok {
				if err == nil {
					t.Fatalf("imported, but it should be rejected: %s", r.why)
				}
				if e := wantInvalid(t, err); !strings.Contains(e.Error(), r.message) {
					t.Errorf("error does not say %q:\n%v", r.message, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			imported++
			var want int
			if s.Format == cradle.FormatCycloneDX {
				want = countCycloneDXComponents(t, data, s.Encoding)
			} else {
				want = countSPDXPackages(t, data)
			}
			if len(s.Components) != want {
				t.Errorf("%d components, want %d", len(s.Components), want)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if imported < 100 {
		t.Errorf("imported %d real SBOMs, expected over 100: is CRADLE_TEST_DATA right?", imported)
	}
}

// Independent counts, from the raw documents. Entries sharing a ref are
// counted once: a document that lists one component twice has one
// component (see TestDecodeWarnings).

func countCycloneDXComponents(t *testing.T, data []byte, encoding string) int {
	t.Helper()
	refs := map[string]bool{}
	n := 0
	count := func(ref string) {
		if ref == "" {
			n++
		} else if !refs[ref] {
			refs[ref] = true
			n++
		}
	}
	if encoding == "xml" {
		// A component counts when it is metadata's or in the components
		// tree: /bom/metadata/component or /bom/components/component, then
		// any number of /components/component. Tools' components do not.
		counted := regexp.MustCompile(`^/bom/(metadata/component|components/component)(/components/component)*$`)
		dec := xml.NewDecoder(bytes.NewReader(data))
		var path []string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return n
			}
			if err != nil {
				t.Fatal(err)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				path = append(path, e.Name.Local)
				if counted.MatchString("/" + strings.Join(path, "/")) {
					ref := ""
					for _, a := range e.Attr {
						if a.Name.Local == "bom-ref" {
							ref = a.Value
						}
					}
					count(ref)
				}
			case xml.EndElement:
				path = path[:len(path)-1]
			}
		}
	}
	var doc struct {
		Metadata struct {
			Component *json.RawMessage `json:"component"`
		} `json:"metadata"`
		Components []json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var c struct {
			Ref        string            `json:"bom-ref"`
			Components []json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		count(c.Ref)
		for _, sub := range c.Components {
			walk(sub)
		}
	}
	if doc.Metadata.Component != nil {
		walk(*doc.Metadata.Component)
	}
	for _, c := range doc.Components {
		walk(c)
	}
	return n
}

func countSPDXPackages(t *testing.T, data []byte) int {
	t.Helper()
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		var doc struct {
			Packages []struct {
				SPDXID string `json:"SPDXID"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, p := range doc.Packages {
			ids[p.SPDXID] = true
		}
		return len(ids)
	}
	// Tag-value: PackageName lines outside <text> values; lines may end
	// in \r, \r\n or \n.
	n, inText := 0, false
	for _, line := range strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' || r == '\r' }) {
		if inText {
			inText = !strings.Contains(line, "</text>")
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "PackageName:") {
			n++
		}
		if i := strings.Index(line, "<text>"); i >= 0 && !strings.Contains(line[i:], "</text>") {
			inText = true
		}
	}
	return n
}

// roundTripSample covers both formats and every encoding, old and new
// specification versions, cycles, merged duplicates, dropped purls and
// edges from undefined elements.
var roundTripSample = []string{
	"cyclonedx-examples/SBOM/keycloak-10.0.2/bom.json",
	"cyclonedx-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.xml",
	"cyclonedx-examples/SBOM/juice-shop/via_npm/bare/bom.1.4.json",
	"cyclonedx-examples/SBOM/laravel-7.12.0/bom.1.1.xml",
	"cyclonedx-examples/HBOM/PCIe-SATA-adapter-board/bom.json",
	"plugfest/source-sharkdp_hexyl_cyclonedx-json.json",
	"plugfest/source-sharkdp_hexyl_cyclonedx-xml.xml",
	"plugfest/source-sharkdp_hexyl_spdx-json.json",
	"plugfest/binary-dependency-track_dependencytrackfrontend_spdx-json.json",
	"in-the-wild/cyclonedx/harp-darwin-amd64.sbom.json",
	"in-the-wild/cyclonedx/text-statistician-cdx.json",
	"in-the-wild/cyclonedx/archivist-shell-cdx.xml",
	"in-the-wild/cyclonedx/jx-darwin-arm64.tar.gz.sbom",
	"in-the-wild/spdx/julia.spdx.json",
	"in-the-wild/spdx/julia.spdx",
	"in-the-wild/spdx/k8s-release-sbom.spdx",
	"in-the-wild/spdx/microsoft-sbom-tool.spdx.json",
	"in-the-wild/spdx/chronicle-sbom.spdx.json",
	"containers/spdx-trivy-newrelic_cli-sha256_fae73bbdb237e19c9ed828ae24c22820ff45647b38861f3a5103d9a6f570d753.json",
	"containers/spdx-syft-hashicorp_consul-k8s-control-plane-sha256_538a3436398d13a3a14c52aa264ca4533f980ef540070a5e203056e7d0a6195d.json",
	"debian/tests/data/merge-full.cdx.json",
	"debian/tests/data/merge-full.spdx.json",
	"osv-scanner-fixtures/sbom-insecure/bad-purls.cdx.xml",
	"osv-scanner-fixtures/sbom-insecure/with-duplicates.cdx.xml",
}

// TestRoundTrip decodes real SBOMs, encodes each in every export format,
// decodes the result (which validates it against its schema), and checks
// that the components, the edges and the root survived.
func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(corpus(t), "sbom")
	for _, rel := range roundTripSample {
		orig, err := sbom.Decode(filepath.Base(rel), readFile(t, filepath.Join(dir, rel)))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for _, format := range cradle.ExportFormats {
			t.Run(rel+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := sbom.Encode(&buf, orig, format); err != nil {
					t.Fatal(err)
				}
				got, err := sbom.Decode("export."+exportExt(format), buf.Bytes())
				if err != nil {
					t.Fatalf("the export does not validate: %v", err)
				}
				for _, w := range got.Warnings {
					if !strings.Contains(w.Message, "dependency cycle") {
						t.Errorf("the export has a defect: %s", w)
					}
				}
				compareRoundTrip(t, orig, got, format)
			})
		}
	}
}

func exportExt(format string) string {
	if format == cradle.ExportCycloneDXXML {
		return "xml"
	}
	return "json"
}

// compareRoundTrip pairs the components (the root with the root, the
// others in order, which every export keeps) and compares them and the
// edges through that pairing.
func compareRoundTrip(t *testing.T, orig, got *cradle.SBOM, format string) {
	t.Helper()
	if len(got.Components) != len(orig.Components) {
		t.Fatalf("%d components, want %d", len(got.Components), len(orig.Components))
	}
	if (orig.Root == "") != (got.Root == "") {
		t.Fatalf("root %q, want one exactly when the original has one (%q)", got.Root, orig.Root)
	}
	others := func(s *cradle.SBOM) []cradle.Component {
		var out []cradle.Component
		for _, c := range s.Components {
			if c.Ref != s.Root {
				out = append(out, c)
			}
		}
		return out
	}
	ref := map[string]string{orig.Root: got.Root}
	a, b := others(orig), others(got)
	pairs := [][2]cradle.Component{}
	for i := range a {
		ref[a[i].Ref] = b[i].Ref
		pairs = append(pairs, [2]cradle.Component{a[i], b[i]})
	}
	for _, c := range orig.Components {
		if c.Ref == orig.Root {
			for _, d := range got.Components {
				if d.Ref == got.Root {
					pairs = append(pairs, [2]cradle.Component{c, d})
				}
			}
		}
	}
	for _, p := range pairs {
		want, have := exported(p[0], format), p[1]
		for _, f := range []struct{ name, want, got string }{
			{"name", want.Name, have.Name},
			{"version", want.Version, have.Version},
			{"purl", want.PURL, have.PURL},
			{"cpe", want.CPE, have.CPE},
			{"licences", want.Licenses, have.Licenses},
			{"type", want.Type, have.Type},
			{"supplier", want.Supplier, have.Supplier},
		} {
			if f.want != f.got {
				t.Errorf("component %q: %s %q, want %q", p[0].Ref, f.name, f.got, f.want)
			}
		}
		if !slices.Equal(want.Hashes, have.Hashes) {
			t.Errorf("component %q: hashes %v, want %v", p[0].Ref, have.Hashes, want.Hashes)
		}
	}
	edges := map[cradle.Dependency]bool{}
	for _, d := range got.Dependencies {
		edges[d] = true
	}
	for _, d := range orig.Dependencies {
		if e := (cradle.Dependency{From: ref[d.From], To: ref[d.To]}); !edges[e] {
			t.Errorf("edge %q → %q lost", d.From, d.To)
		}
	}
	if len(got.Dependencies) != len(orig.Dependencies) {
		t.Errorf("%d edges, want %d", len(got.Dependencies), len(orig.Dependencies))
	}
}

// exported is what a component becomes in a format, by the documented
// losses: CycloneDX has no type for SPDX's purposes source, archive,
// install and other and requires one (library), nor hash algorithms beyond
// its twelve; SPDX has no purpose for CycloneDX's newer types (OTHER) nor
// Streebog hashes.
func exported(c cradle.Component, format string) cradle.Component {
	cdxTypes := []string{"application", "framework", "library", "container", "platform", "operating-system", "device",
		"device-driver", "firmware", "file", "machine-learning-model", "data", "cryptographic-asset"}
	spdxTypes := []string{"application", "framework", "library", "container", "operating-system", "device",
		"firmware", "file", "source", "archive", "install", "other"}
	cdxHashes := regexp.MustCompile(`^(MD5|SHA-1|SHA-256|SHA-384|SHA-512|SHA3-256|SHA3-384|SHA3-512|BLAKE2b-256|BLAKE2b-384|BLAKE2b-512|BLAKE3)$`)
	cdxDigest := regexp.MustCompile(`^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$`)
	var hashes []cradle.Hash
	for _, h := range c.Hashes {
		switch {
		case format == cradle.ExportSPDXJSON && !strings.HasPrefix(h.Algorithm, "Streebog"):
			hashes = append(hashes, h)
		case format != cradle.ExportSPDXJSON && cdxHashes.MatchString(h.Algorithm) && cdxDigest.MatchString(h.Value):
			hashes = append(hashes, h)
		}
	}
	c.Hashes = hashes
	switch {
	case format == cradle.ExportSPDXJSON && c.Type != "" && !slices.Contains(spdxTypes, c.Type):
		c.Type = "other"
	case format != cradle.ExportSPDXJSON && !slices.Contains(cdxTypes, c.Type):
		c.Type = "library"
	}
	return c
}
