package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// SPDX JSON is read into tools-golang's model in one pass of encoding/json
// instead of through tools-golang's reader, which on a large document takes
// five times as long as the schema check: spdxjson.Read parses the document
// generically to find spdxVersion, then Document.UnmarshalJSON and every
// Package.UnmarshalJSON unmarshal their bytes twice (once for the fields,
// once for documentDescribes, hasFiles and filesAnalyzed), and an SPDX 2.2
// document is then copied field by field into the 2.3 model by reflection
// (anchore/go-struct-converter).
//
// spdxJSON is the SPDX 2.3 document as those unmarshallers see it: the same
// fields with the same JSON names and the same Go types (tools-golang's own
// types below the package level, so IDs, suppliers, originators and
// creators are parsed by tools-golang's code from the raw JSON, as before),
// plus the fields of the second pass. encoding/json therefore matches the
// same keys (case-insensitively, as it does) to the same fields and fails
// on the same values. An SPDX 2.2 document is decoded with the 2.3 types,
// which are 2.2's plus primaryPackagePurpose, releaseDate, builtDate,
// validUntilDate and, in files, artifactOfs and fileDependencies: a value
// there that the 2.3 types refuse but 2.2 ignores only sends the document
// back to tools-golang.
//
// Whenever the one pass fails, tools-golang reads the document as before,
// so that a document tools-golang refuses is refused with the same message.
// TestSPDXJSONDecodeMatchesToolsGolang compares the two on every SPDX JSON
// document of the corpus, TestSPDXJSONDecodeEdgeCases on the cases where
// an imitation could go wrong, FuzzSPDXJSONDecode on mutations of both,
// and TestSPDXJSONMirrorsToolsGolang checks the field lists below against
// tools-golang's.
type spdxJSON struct {
	SPDXVersion                string                     `json:"spdxVersion"`
	DataLicense                string                     `json:"dataLicense"`
	SPDXIdentifier             common.ElementID           `json:"SPDXID"`
	DocumentName               string                     `json:"name"`
	DocumentNamespace          string                     `json:"documentNamespace"`
	ExternalDocumentReferences []v2_3.ExternalDocumentRef `json:"externalDocumentRefs"`
	DocumentComment            string                     `json:"comment"`
	CreationInfo               *v2_3.CreationInfo         `json:"creationInfo"`
	Packages                   []*spdxJSONPackage         `json:"packages"`
	Files                      []*v2_3.File               `json:"files"`
	OtherLicenses              []*v2_3.OtherLicense       `json:"hasExtractedLicensingInfos"`
	Relationships              []*v2_3.Relationship       `json:"relationships"`
	Annotations                []*v2_3.Annotation         `json:"annotations"`
	Snippets                   []v2_3.Snippet             `json:"snippets"`

	DocumentDescribes []common.DocElementID `json:"documentDescribes"` // Document.UnmarshalJSON's second pass
}

// spdxPackageFields is the SPDX 2.3 package without its UnmarshalJSON.
type spdxPackageFields v2_3.Package

// spdxJSONPackage is a package with the fields of Package.UnmarshalJSON's
// second pass.
type spdxJSONPackage struct {
	spdxPackageFields
	HasFiles      []common.DocElementID `json:"hasFiles"`
	FilesAnalyzed *bool                 `json:"filesAnalyzed"` // hides the bool of spdxPackageFields, as the second pass's *bool
}

// decodeSPDXJSON decodes data in one pass, or returns nil where that fails
// (or panics) and tools-golang must decide.
//
// The top-level object is walked key by key so that each "packages" value
// can be decoded into a fresh list: tools-golang's Package.UnmarshalJSON
// replaces a package it decodes a second time (a document with two
// "packages" keys) rather than merging into it, as plain encoding/json
// would. Every other key is decoded into its field as encoding/json would
// decode it as part of the object, found as encoding/json finds it.
func decodeSPDXJSON(data []byte) (doc *spdxJSON) {
	defer func() {
		if recover() != nil {
			doc = nil
		}
	}()
	var d spdxJSON
	fields := reflect.ValueOf(&d).Elem()
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := t.(string)
		i, known := spdxJSONFields().find(key)
		switch {
		case !known:
			err = dec.Decode(new(ignoredJSON))
		case i == spdxJSONPackages:
			var packages []*spdxJSONPackage
			err = dec.Decode(&packages)
			d.Packages = packages
		default:
			err = dec.Decode(fields.Field(i).Addr().Interface())
		}
		if err != nil {
			return nil
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil // json.Unmarshal refuses anything after the document
	}
	for _, p := range d.Packages {
		if p == nil {
			return nil // tools-golang's Document.UnmarshalJSON dereferences it
		}
	}
	return &d
}

// ignoredJSON takes any JSON value, as encoding/json does for a key that
// names no field.
type ignoredJSON struct{}

func (*ignoredJSON) UnmarshalJSON([]byte) error { return nil }

// jsonFields finds the field a key of a JSON object is decoded into, as
// encoding/json finds it: the field of that name, else the first whose
// name is equal under Unicode case folding.
type jsonFields struct {
	exact, folded map[string]int
}

var spdxJSONFields = sync.OnceValue(func() jsonFields { return fieldsOf(reflect.TypeFor[spdxJSON]()) })

// spdxJSONPackages is the index of spdxJSON.Packages.
var spdxJSONPackages = func() int {
	f, _ := reflect.TypeFor[spdxJSON]().FieldByName("Packages")
	return f.Index[0]
}()

func fieldsOf(t reflect.Type) jsonFields {
	fs := jsonFields{exact: map[string]int{}, folded: map[string]int{}}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fs.exact[name] = i
		if _, ok := fs.folded[foldJSONName(name)]; !ok {
			fs.folded[foldJSONName(name)] = i
		}
	}
	return fs
}

func (fs jsonFields) find(key string) (int, bool) {
	if i, ok := fs.exact[key]; ok {
		return i, true
	}
	i, ok := fs.folded[foldJSONName(key)]
	return i, ok
}

// foldJSONName is encoding/json's foldName: ASCII letters upper-cased,
// every other rune mapped to the smallest rune of its case-folding orbit.
func foldJSONName(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return string(out)
}

// model returns the document as tools-golang's reader returns a document of
// the given version ("SPDX-2.2" or "SPDX-2.3", as decodeSPDXModel chooses
// it), or false for another version. The model shares d's values and may
// change them: call it once.
func (d *spdxJSON) model(version string) (*spdx.Document, bool) {
	if version != v2_2.Version && version != v2_3.Version {
		return nil, false
	}
	doc := &spdx.Document{
		SPDXVersion:                d.SPDXVersion,
		DataLicense:                d.DataLicense,
		SPDXIdentifier:             d.SPDXIdentifier,
		DocumentName:               d.DocumentName,
		DocumentNamespace:          d.DocumentNamespace,
		ExternalDocumentReferences: d.ExternalDocumentReferences,
		DocumentComment:            d.DocumentComment,
		CreationInfo:               d.CreationInfo,
		Files:                      d.Files,
		OtherLicenses:              d.OtherLicenses,
		Relationships:              d.Relationships,
		Annotations:                d.Annotations,
		Snippets:                   d.Snippets,
	}
	if d.Packages != nil {
		doc.Packages = make([]*spdx.Package, len(d.Packages))
	}
	for i, jp := range d.Packages {
		p := spdx.Package(jp.spdxPackageFields)
		p.FilesAnalyzed = jp.FilesAnalyzed == nil || *jp.FilesAnalyzed // true when omitted
		p.IsFilesAnalyzedTagPresent = jp.FilesAnalyzed != nil
		doc.Packages[i] = &p
	}
	d.impliedRelationships(doc)
	if version == v2_2.Version {
		as22(doc)
	}
	return doc, true
}

// impliedRelationships does what Document.UnmarshalJSON does after
// decoding: drop null relationships, then add a DESCRIBES relationship for
// each documentDescribes entry and a CONTAINS relationship for each hasFiles
// entry, unless the document states it already.
func (d *spdxJSON) impliedRelationships(doc *spdx.Document) {
	var rels []*spdx.Relationship
	if doc.Relationships != nil {
		rels = make([]*spdx.Relationship, 0, len(doc.Relationships))
	}
	for _, r := range doc.Relationships {
		if r != nil {
			rels = append(rels, r)
		}
	}
	exists := make(map[string]bool, len(rels))
	for _, r := range rels {
		exists[relationshipKey(r)] = true
	}
	add := func(r *spdx.Relationship) {
		if k := relationshipKey(r); !exists[k] {
			rels = append(rels, r)
			exists[k] = true
		}
	}
	for _, id := range d.DocumentDescribes {
		add(&spdx.Relationship{RefA: common.DocElementID{ElementRefID: doc.SPDXIdentifier}, RefB: id, Relationship: common.TypeRelationshipDescribe})
	}
	for _, p := range d.Packages {
		for _, f := range p.HasFiles {
			add(&spdx.Relationship{RefA: common.DocElementID{ElementRefID: p.PackageSPDXIdentifier}, RefB: f, Relationship: common.TypeRelationshipContains})
		}
	}
	doc.Relationships = rels
}

// relationshipKey is tools-golang's serializeRel: CONTAINED_BY and
// DESCRIBED_BY are keyed as the CONTAINS and DESCRIBES they mirror.
func relationshipKey(r *spdx.Relationship) string {
	a, b, rel := r.RefA, r.RefB, r.Relationship
	switch rel {
	case common.TypeRelationshipContainedBy:
		a, b, rel = b, a, common.TypeRelationshipContains
	case common.TypeRelationshipDescribeBy:
		a, b, rel = b, a, common.TypeRelationshipDescribe
	}
	return common.RenderDocElementID(a) + "-" + rel + "->" + common.RenderDocElementID(b)
}

// as22 makes a document decoded with the 2.3 types what tools-golang's
// 2.2 → 2.3 conversion makes of the 2.2 model: no 2.3-only values, a
// package verification code always present (2.2 holds it by value), and
// every pointer to a zero value nil (the converter drops those). Only the
// last matters to cradle, and only in principle: a zero file, relationship,
// external reference, supplier or originator adds nothing either way.
func as22(doc *spdx.Document) {
	doc.SPDXVersion = v2_3.Version
	doc.CreationInfo = nilIfZero(doc.CreationInfo)
	files22(doc.Files)
	for i, r := range doc.Relationships {
		doc.Relationships[i] = nilIfZero(r)
	}
	for i, l := range doc.OtherLicenses {
		doc.OtherLicenses[i] = nilIfZero(l)
	}
	for i, a := range doc.Annotations {
		doc.Annotations[i] = nilIfZero(a)
	}
	for _, p := range doc.Packages {
		p.PrimaryPackagePurpose, p.ReleaseDate, p.BuiltDate, p.ValidUntilDate = "", "", "", ""
		if p.PackageVerificationCode == nil {
			p.PackageVerificationCode = &common.PackageVerificationCode{}
		}
		p.PackageSupplier = nilIfZero(p.PackageSupplier)
		p.PackageOriginator = nilIfZero(p.PackageOriginator)
		for i, r := range p.PackageExternalReferences {
			p.PackageExternalReferences[i] = nilIfZero(r)
		}
		files22(p.Files)
	}
}

func files22(files []*spdx.File) {
	for i, f := range files {
		if f != nil {
			f.ArtifactOfProjects, f.FileDependencies = nil, nil
		}
		files[i] = nilIfZero(f)
	}
}

func nilIfZero[T any](p *T) *T {
	if p == nil || reflect.ValueOf(p).Elem().IsZero() {
		return nil
	}
	return p
}

// modelVersion is the model decodeSPDXModel would decode data with: the
// spdxVersion near the start of the document, else the document's own
// (spec, as detected).
func modelVersion(data []byte, spec string) string {
	if m := spdxVersionRE.FindSubmatch(data[:min(len(data), 64<<10)]); m != nil {
		return string(m[1])
	}
	return "SPDX-" + spec
}

// readSPDXModel reads data, of the detected version spec, into
// tools-golang's model: in one pass where it can, else with tools-golang.
func readSPDXModel(data []byte, spec string) (*spdx.Document, error) {
	if j := decodeSPDXJSON(data); j != nil {
		if doc, ok := j.model(modelVersion(data, spec)); ok {
			return doc, nil
		}
	}
	return decodeSPDXModel(data)
}

// decodeSPDXModelRecovered is decodeSPDXModel with a panic (on a document
// the schema would have refused) turned into the error.
func decodeSPDXModelRecovered(data []byte) (doc *spdx.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("decode: %v", r)
		}
	}()
	return decodeSPDXModel(data)
}
