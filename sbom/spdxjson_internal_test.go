package sbom

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"

	cradle "github.com/cradle-sdl/cradle"
)

// TestSPDXJSONDecodeMatchesToolsGolang reads every SPDX JSON document of
// testdata and of the corpus (../shared/data through CRADLE_TEST_DATA) both
// ways: with Decode, and as Decode did before the one-pass decode
// (decodeWithToolsGolang). Both must give the same SBOM (components with
// their refs, names, versions, purls, hashes and licences, edges, depths,
// root, warnings) or the same error. Where tools-golang reads a document,
// the one-pass decode must read it too, into the same model; where
// tools-golang refuses it, the one-pass decode must hand it back.
func TestSPDXJSONDecodeMatchesToolsGolang(t *testing.T) {
	var paths []string
	walk := func(dir string) {
		filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(path, ".json") {
				paths = append(paths, path)
			}
			return nil
		})
	}
	walk("testdata")
	corpus := os.Getenv("CRADLE_TEST_DATA")
	if corpus != "" {
		walk(filepath.Join(corpus, "sbom"))
		walk(filepath.Join(corpus, "conformance/spdx"))
	}
	compared, refused := 0, 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimPrefix(path, corpus), func(t *testing.T) {
			switch compareSPDXJSONDecodes(t, filepath.Base(path), data, true) {
			case bothRead:
				compared++
			case bothRefused:
				refused++
			}
		})
	}
	t.Logf("%d SPDX JSON documents read both ways with the same result, %d refused by tools-golang", compared, refused)
	if corpus != "" && compared < 60 {
		t.Errorf("compared %d SPDX JSON documents of the corpus, expected over 60: is CRADLE_TEST_DATA right?", compared)
	}
}

type comparison int

const (
	notCompared comparison = iota // not SPDX JSON, or refused by the schema before either decode
	bothRead
	bothRefused
)

// compareSPDXJSONDecodes compares Decode with decodeWithToolsGolang on
// data, and the one-pass model with tools-golang's; mustRead requires the
// one-pass decode to read whatever tools-golang reads (the corpus) rather
// than only to agree when it does (arbitrary inputs).
func compareSPDXJSONDecodes(t *testing.T, name string, data []byte, mustRead bool) comparison {
	t.Helper()
	want, wantErr := decodeWithToolsGolang(name, data)
	got, gotErr := Decode(name, data)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Decode differs from tools-golang's way (-tools-golang +Decode):\n%s", diff)
	}
	if diff := cmp.Diff(wantErr, gotErr, cmp.Comparer(func(a, b error) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) })); diff != "" {
		t.Fatalf("Decode's error differs from tools-golang's way's (-tools-golang +Decode):\n%s", diff)
	}

	// The models, before normalisation.
	d, err := sniff(name, data)
	if err != nil || d.format != cradle.FormatSPDX || d.encoding != EncodingJSON {
		return notCompared
	}
	vs, err := validateSchema(d)
	if err != nil {
		t.Fatal(err)
	}
	b := newBuilder(d, "SPDXID")
	if fatal := spdxTriage(d, b, vs); len(fatal) > 0 {
		return notCompared // refused before either decode
	}
	if repairSPDXTree(d, b) {
		if data, err = json.Marshal(d.tree); err != nil {
			t.Fatal(err)
		}
	} else {
		data = d.data
	}
	wantDoc, wantErr := decodeSPDXModelRecovered(data)
	var gotDoc *spdx.Document
	ok := false
	if j := decodeSPDXJSON(data); j != nil {
		gotDoc, ok = j.model(modelVersion(data, d.spec))
	}
	switch {
	case wantErr != nil && ok:
		t.Fatalf("tools-golang refuses the document (%v), the one-pass decode reads it", wantErr)
	case wantErr != nil:
		return bothRefused
	case !ok && mustRead:
		t.Fatalf("tools-golang reads the document, the one-pass decode hands it back")
	case !ok:
		return notCompared
	case !reflect.DeepEqual(gotDoc, wantDoc):
		t.Fatalf("models differ:\n%s", modelDiff(gotDoc, wantDoc))
	}
	return bothRead
}

// decodeWithToolsGolang is Decode as it was before the one-pass decode:
// SPDX JSON validated, triaged and repaired, then read by tools-golang and
// normalised, one step after the other. Other documents are Decode's.
func decodeWithToolsGolang(name string, data []byte) (s *cradle.SBOM, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, cradle.Invalid(subject(name)+" could not be read",
				cradle.Problem{Location: atFile(name), Message: fmt.Sprintf("the parser failed: %v", r)})
		}
	}()
	d, err := sniff(name, data)
	if err != nil {
		return nil, err
	}
	if err := checkExtension(d); err != nil {
		return nil, err
	}
	if d.format != cradle.FormatSPDX || d.encoding != EncodingJSON {
		return Decode(name, data)
	}
	b := newBuilder(d, "SPDXID")
	vs, err := validateSchema(d)
	if err != nil {
		return nil, err
	}
	if fatal := spdxTriage(d, b, vs); len(fatal) > 0 {
		return nil, invalid(d.name, d.what(), problemsOf(d.name, fatal))
	}
	data, repaired := d.data, repairSPDXTree(d, b)
	var doc *spdx.Document
	if repaired {
		if data, err = json.Marshal(d.tree); err != nil {
			return nil, err
		}
		doc, err = decodeSPDXModel(data)
	} else {
		doc, err = decodeSPDXModelRecovered(data)
	}
	if err != nil {
		return nil, invalid(d.name, d.what(), []cradle.Problem{spdxJSONProblem(d, err, repaired)})
	}
	return normaliseSPDX(b, doc, newJSONLocator(d), nil)
}

// modelDiff shows where two models differ, as JSON (the models have
// unexported fields, which cmp will not look at without being told).
func modelDiff(got, want *spdx.Document) string {
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if diff := cmp.Diff(string(w), string(g)); diff != "" {
		return diff
	}
	return fmt.Sprintf("(equal as JSON)\none-pass:    %#v\ntools-golang: %#v", got, want)
}

// FuzzSPDXJSONDecode checks the one-pass decode against tools-golang on
// mutations of real SPDX JSON: whenever it reads a document as SPDX 2.2 or
// 2.3, tools-golang must read it too, into the same model.
//
//	go test -run='^$' -fuzz=FuzzSPDXJSONDecode -fuzztime=60s ./sbom
func FuzzSPDXJSONDecode(f *testing.F) {
	add := func(path string) {
		if info, err := os.Stat(path); err == nil && info.Size() <= 64<<10 {
			if data, err := os.ReadFile(path); err == nil && looksLikeSPDXJSON(data) {
				f.Add(data)
			}
		}
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "seed", "*.json"))
	for _, path := range append(seeds, more...) {
		add(path)
	}
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		for _, sub := range []string{"conformance/spdx", "sbom"} {
			filepath.WalkDir(filepath.Join(dir, sub), func(path string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() && strings.HasSuffix(path, ".json") {
					add(path)
				}
				return nil
			})
		}
	}
	for _, c := range spdxJSONEdgeCases {
		f.Add([]byte(c.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOnePassDecode(t, data)
	})
}

// checkOnePassDecode checks that whenever the one-pass decode reads data,
// tools-golang reads it too, as SPDX 2.2 and as 2.3, into the same model,
// and that readSPDXJSON's steps give the same result either way; it
// reports whether the one-pass decode read data.
func checkOnePassDecode(t *testing.T, data []byte) bool {
	t.Helper()
	compareSPDXJSONDecodes(t, "x.json", data, false)
	if decodeSPDXJSON(data) == nil {
		return false
	}
	for _, version := range []string{v2_2.Version, v2_3.Version} {
		want, err := decodeSPDXModelAsRecovered(data, version)
		if err != nil {
			t.Fatalf("%s: tools-golang refuses the document (%v), the one-pass decode reads it", version, err)
		}
		// model changes what it was given: decode again for each version.
		got, ok := decodeSPDXJSON(data).model(version)
		if !ok {
			t.Fatalf("%s: no model", version)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: models differ:\n%s", version, modelDiff(got, want))
		}
	}
	return true
}

// spdxJSONEdgeCases are documents where a decode that only looked like
// tools-golang's would go wrong; read says whether the one-pass decode
// reads them (else it hands them to tools-golang).
var spdxJSONEdgeCases = []struct {
	name string
	doc  string
	read bool
}{
	{"plain", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"supplier": "Organization: X", "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1"}]`) + `]`), true},
	{"packages twice: the second replaces the first, not merged into it",
		spdxEdge(`"packages": [` + spdxEdgePkg("a", `"supplier": "Organization: X", "versionInfo": "1"`) + `], "packages": [` + spdxEdgePkg("a", "") + `]`), true},
	{"packages under a key of another case, twice",
		spdxEdge(`"Packages": [` + spdxEdgePkg("a", `"originator": "Person: P"`) + `, ` + spdxEdgePkg("b", "") + `], "PACKAGES": [` + spdxEdgePkg("c", "") + `]`), true},
	{"packages under a key folded through Unicode (ſ is s, K is k)", spdxEdge(`"pacKageſ": [` + spdxEdgePkg("a", "") + `]`), true},
	{"externalRefs twice", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"}], "externalRefs": [{"referenceLocator": "pkg:npm/a@1"}]`) + `]`), true},
	{"supplier twice, NOASSERTION last", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"supplier": "Organization: X", "supplier": "NOASSERTION"`) + `]`), true},
	{"escapes in IDs, suppliers and creators are kept as written", strings.Replace(spdxEdge(`"packages": [{"SPDXID": "SPDXRef-a\u0062", "name": "a", "supplier": "Organization: \"Q\" \u00e9"}], "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-a\u0062"}]`), `"Tool: t"`, `"Tool: t\u00e9", "Person: \"p\""`, 1), true},
	{"a null package", spdxEdge(`"packages": [null]`), false},
	{"a null package under another case", spdxEdge(`"packages": [` + spdxEdgePkg("a", "") + `], "PACKAGES": [null]`), false},
	{"null relationships, files, external references", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"externalRefs": [null], "files": [null], "hasFiles": ["SPDXRef-f"]`) + `], "files": [null, {"SPDXID": "SPDXRef-f", "fileName": "f"}], "relationships": [null, {}]`), true},
	{"empty objects", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"supplier": ":", "originator": ":", "externalRefs": [{}], "files": [{}], "checksums": [{}]`) + `], "files": [{}], "snippets": [{}], "relationships": [{}], "creationInfo": {}, "annotations": [{}], "hasExtractedLicensingInfos": [{}]`), true},
	{"implied relationships: documentDescribes and hasFiles, some stated, some repeated",
		spdxEdge(`"documentDescribes": ["SPDXRef-a", "SPDXRef-a", "SPDXRef-b"], "packages": [` + spdxEdgePkg("a", `"hasFiles": ["SPDXRef-f", "SPDXRef-f"]`) + `, ` + spdxEdgePkg("b", `"hasFiles": ["SPDXRef-g"]`) + `], "files": [{"SPDXID": "SPDXRef-f", "fileName": "f"}, {"SPDXID": "SPDXRef-g", "fileName": "g"}], "relationships": [{"spdxElementId": "SPDXRef-b", "relationshipType": "DESCRIBED_BY", "relatedSpdxElement": "SPDXRef-DOCUMENT"}, {"spdxElementId": "SPDXRef-g", "relationshipType": "CONTAINED_BY", "relatedSpdxElement": "SPDXRef-b"}]`), true},
	{"filesAnalyzed: absent, false, null after false", spdxEdge(`"packages": [` + spdxEdgePkg("a", "") + `, ` + spdxEdgePkg("b", `"filesAnalyzed": false`) + `, ` + spdxEdgePkg("c", `"filesAnalyzed": false, "FilesAnalyzed": null`) + `]`), true},
	{"2.3 fields in SPDX 2.2", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"primaryPackagePurpose": "LIBRARY", "releaseDate": "2020-01-01T00:00:00Z"`) + `], "files": [{"SPDXID": "SPDXRef-f", "fileName": "f", "fileDependencies": ["x"], "artifactOfs": [{"name": "n"}]}]`), true},
	{"a 2.3 field of the wrong type", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"primaryPackagePurpose": 1`) + `]`), false},
	{"a field cradle ignores of the wrong type", spdxEdge(`"packages": [` + spdxEdgePkg("a", "") + `], "files": [{"SPDXID": "SPDXRef-f", "fileName": 1}]`), false},
	{"an ID without its prefix", spdxEdge(`"packages": [` + spdxEdgePkg("a", "") + `], "relationships": [{"spdxElementId": "a", "relationshipType": "OTHER", "relatedSpdxElement": "SPDXRef-a"}]`), false},
	{"a supplier without its type", spdxEdge(`"packages": [` + spdxEdgePkg("a", `"supplier": "X"`) + `]`), false},
	{"a creator of the wrong type", strings.Replace(spdxEdge(""), `"Tool: t"`, `{"a": "b"}`, 1), true},
	{"spdxVersion 2.1 nested near the start", strings.Replace(spdxEdge(""), `"creationInfo": {`, `"annotations": [{"spdxVersion": "SPDX-2.1"}], "creationInfo": {`, 1), true},
	{"not an object", `["spdxVersion"]`, false},
	{"over 100 warnings, from the schema and from normalising", spdxEdge(`"files": [` + strings.Repeat(`{"SPDXID": "SPDXRef-f", "fileName": "f", "x": 1}, `, 30) + `{"SPDXID": "SPDXRef-f", "fileName": "f"}], "packages": [` + strings.Repeat(spdxEdgePkg("a", "")+", ", 99) + spdxEdgePkg("a", "") + `]`), true},
}

// spdxEdge is a small SPDX 2.2 document with body (comma-separated
// members, or "") after the document's own properties.
func spdxEdge(body string) string {
	if body != "" {
		body = ", " + body
	}
	return `{"spdxVersion": "SPDX-2.2", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "d",
		"documentNamespace": "https://example.com/d", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]}` + body + "}"
}

func spdxEdgePkg(id, extra string) string {
	if extra != "" {
		extra = ", " + extra
	}
	return `{"SPDXID": "SPDXRef-` + id + `", "name": "` + id + `", "downloadLocation": "NOASSERTION"` + extra + "}"
}

func TestSPDXJSONDecodeEdgeCases(t *testing.T) {
	for _, c := range spdxJSONEdgeCases {
		t.Run(c.name, func(t *testing.T) {
			for _, doc := range []string{c.doc, strings.Replace(c.doc, "SPDX-2.2", "SPDX-2.3", 1)} {
				if read := checkOnePassDecode(t, []byte(doc)); read != c.read {
					t.Errorf("one-pass decode read the document: %v, want %v\n%s", read, c.read, doc)
				}
			}
		})
	}
}

func decodeSPDXModelAsRecovered(data []byte, version string) (doc *spdx.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("decode: %v", r)
		}
	}()
	return decodeSPDXModelAs(data, version)
}

// TestSPDXJSONMirrorsToolsGolang checks that spdxJSON still has the JSON
// fields of tools-golang's 2.3 document and package, with the same types,
// plus those of their second pass: what the one-pass decode's equivalence
// rests on, should tools-golang change.
func TestSPDXJSONMirrorsToolsGolang(t *testing.T) {
	var fields func(typ reflect.Type) map[string]reflect.Type
	fields = func(typ reflect.Type) map[string]reflect.Type {
		m := map[string]reflect.Type{}
		var walk func(reflect.Type)
		walk = func(typ reflect.Type) {
			// Outer fields first: they hide the embedded ones of the same name.
			for i := range typ.NumField() {
				f := typ.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if f.Anonymous || !f.IsExported() || name == "-" {
					continue
				}
				m[name] = f.Type
			}
			for i := range typ.NumField() {
				if f := typ.Field(i); f.Anonymous {
					for name, typ := range fields(f.Type) {
						if _, hidden := m[name]; !hidden {
							m[name] = typ
						}
					}
				}
			}
		}
		walk(typ)
		return m
	}
	docFields := fields(reflect.TypeFor[v2_3.Document]())
	docFields["documentDescribes"] = reflect.TypeFor[[]spdx.DocElementID]()
	docFields["packages"] = reflect.TypeFor[[]*spdxJSONPackage]()
	if diff := cmp.Diff(docFields, fields(reflect.TypeFor[spdxJSON]()), cmp.Comparer(func(a, b reflect.Type) bool { return a == b })); diff != "" {
		t.Errorf("spdxJSON does not mirror v2_3.Document (-want +got):\n%s", diff)
	}
	pkgFields := fields(reflect.TypeFor[v2_3.Package]())
	pkgFields["hasFiles"] = reflect.TypeFor[[]spdx.DocElementID]()
	pkgFields["filesAnalyzed"] = reflect.TypeFor[*bool]()
	if diff := cmp.Diff(pkgFields, fields(reflect.TypeFor[spdxJSONPackage]()), cmp.Comparer(func(a, b reflect.Type) bool { return a == b })); diff != "" {
		t.Errorf("spdxJSONPackage does not mirror v2_3.Package (-want +got):\n%s", diff)
	}
	// The 2.2 model must have no field the 2.3 types lack.
	for _, c := range []struct{ v22, v23 reflect.Type }{
		{reflect.TypeFor[v2_2.Document](), reflect.TypeFor[v2_3.Document]()},
		{reflect.TypeFor[v2_2.Package](), reflect.TypeFor[v2_3.Package]()},
		{reflect.TypeFor[v2_2.File](), reflect.TypeFor[v2_3.File]()},
		{reflect.TypeFor[v2_2.Snippet](), reflect.TypeFor[v2_3.Snippet]()},
		{reflect.TypeFor[v2_2.Relationship](), reflect.TypeFor[v2_3.Relationship]()},
		{reflect.TypeFor[v2_2.CreationInfo](), reflect.TypeFor[v2_3.CreationInfo]()},
		{reflect.TypeFor[v2_2.Annotation](), reflect.TypeFor[v2_3.Annotation]()},
		{reflect.TypeFor[v2_2.OtherLicense](), reflect.TypeFor[v2_3.OtherLicense]()},
		{reflect.TypeFor[v2_2.ExternalDocumentRef](), reflect.TypeFor[v2_3.ExternalDocumentRef]()},
		{reflect.TypeFor[v2_2.PackageExternalReference](), reflect.TypeFor[v2_3.PackageExternalReference]()},
	} {
		f23 := fields(c.v23)
		for name := range fields(c.v22) {
			if _, ok := f23[name]; !ok {
				t.Errorf("%s has the JSON field %q, %s does not", c.v22, name, c.v23)
			}
		}
	}
}
