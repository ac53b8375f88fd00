package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	"github.com/spdx/tools-golang/convert"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_1"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	tvreader "github.com/spdx/tools-golang/tagvalue/reader"
)

func decodeSPDX(d *document) (*cradle.SBOM, error) {
	b := newBuilder(d, "SPDXID")
	if d.encoding == EncodingJSON {
		return readSPDXJSON(d, b)
	}
	tv, err := readTagValue(d, b)
	if err != nil {
		return nil, err
	}
	return normaliseSPDX(b, tv.doc, tv, tv.snippets)
}

// readSPDXJSON validates the document, repairs what the SPDX library
// cannot read but cradle can (see spdxlenient.go), reads it and
// normalises it.
//
// Decoding and normalising take about as long as the schema check of a
// large document, so on two cores they run while it runs, from a decode
// of the original bytes started even before the document was detected
// (Decode), and their result is used unless the document needs repairs
// first. What they report is merged after what the schema check
// reported, as if they had run after it.
func readSPDXJSON(d *document, b *builder) (*cradle.SBOM, error) {
	decoded := d.spdx
	if decoded == nil {
		decoded = startSPDXDecode(d.data)
	}
	loc := newJSONLocator(d)
	early := make(chan spdxNormalised, 1)
	go func() { early <- normaliseSPDXJSON(d, decoded, loc) }()

	vs, err := validateSchema(d)
	if err != nil {
		return nil, err
	}
	if fatal := spdxTriage(d, b, vs); len(fatal) > 0 {
		return nil, invalid(d.name, d.what(), problemsOf(d.name, fatal))
	}
	if repairSPDXTree(d, b) {
		data, err := json.Marshal(d.tree)
		if err != nil {
			return nil, fmt.Errorf("re-encode repaired %s: %w", d.what(), err)
		}
		doc, err := readSPDXModel(data, d.spec)
		if err != nil {
			return nil, invalid(d.name, d.what(), []cradle.Problem{spdxJSONProblem(d, err, true)})
		}
		return normaliseSPDX(b, doc, loc, nil)
	}
	n := <-early
	if n.panic != nil {
		panic(n.panic) // Decode reports it, as if it had happened here
	}
	if n.decodeErr != nil {
		return nil, invalid(d.name, d.what(), []cradle.Problem{spdxJSONProblem(d, n.decodeErr, false)})
	}
	if n.err != nil {
		return nil, n.err
	}
	// The warnings of the schema check come first, and the cap on their
	// number holds for both together.
	n.s.Warnings = append(b.s.Warnings, n.s.Warnings...)[:min(len(b.s.Warnings)+len(n.s.Warnings), maxProblems)]
	return n.s, nil
}

// spdxNormalised is the outcome of normalising the speculative decode.
type spdxNormalised struct {
	s         *cradle.SBOM
	err       error // from normalising
	decodeErr error // from decoding
	panic     any
}

func normaliseSPDXJSON(d *document, decoded <-chan spdxDecoded, loc spdxLocator) (n spdxNormalised) {
	defer func() {
		if r := recover(); r != nil {
			n = spdxNormalised{panic: r}
		}
	}()
	doc, err := (<-decoded).model(d.data, d.spec)
	if err != nil {
		return spdxNormalised{decodeErr: err}
	}
	s, err := normaliseSPDX(newBuilder(d, "SPDXID"), doc, loc, nil)
	return spdxNormalised{s: s, err: err}
}

// spdxDecoded is the outcome of a speculative decode: the one-pass decode
// (spdxjson.go), or tools-golang's where that failed.
type spdxDecoded struct {
	json *spdxJSON
	doc  *spdx.Document
	err  error
}

// startSPDXDecode decodes data as SPDX JSON in the background: in one pass
// where it can, else with tools-golang, whose panic (on a document the
// schema would have refused) is caught and becomes the error.
func startSPDXDecode(data []byte) <-chan spdxDecoded {
	ch := make(chan spdxDecoded, 1)
	go func() {
		if j := decodeSPDXJSON(data); j != nil {
			ch <- spdxDecoded{json: j}
			return
		}
		doc, err := decodeSPDXModelRecovered(data)
		ch <- spdxDecoded{doc: doc, err: err}
	}()
	return ch
}

// model returns the decoded document of data, whose detected version is
// spec.
func (p spdxDecoded) model(data []byte, spec string) (*spdx.Document, error) {
	if p.json == nil {
		return p.doc, p.err
	}
	if doc, ok := p.json.model(modelVersion(data, spec)); ok {
		return doc, nil
	}
	return decodeSPDXModelRecovered(data)
}

var spdxVersionRE = regexp.MustCompile(`"spdxVersion"\s*:\s*"(SPDX-2\.[123])"`)

// decodeSPDXModel decodes SPDX JSON into tools-golang's current model
// with tools-golang: the reference the one-pass decode (spdxjson.go) is
// held to, and what reads the documents that decode hands back. It does
// what spdxjson.Read does — unmarshal into the document's version of the
// model, then convert — without Read's first step, a generic parse of the
// whole document only to find spdxVersion, where a look at the start of
// the document answers.
func decodeSPDXModel(data []byte) (*spdx.Document, error) {
	m := spdxVersionRE.FindSubmatch(data[:min(len(data), 64<<10)])
	if m == nil {
		return spdxjson.Read(bytes.NewReader(data))
	}
	return decodeSPDXModelAs(data, string(m[1]))
}

// decodeSPDXModelAs decodes data with tools-golang as SPDX of the given
// version ("SPDX-2.1", "SPDX-2.2" or "SPDX-2.3").
func decodeSPDXModelAs(data []byte, version string) (*spdx.Document, error) {
	var doc spdx.Document
	switch version {
	case v2_3.Version:
		err := json.Unmarshal(data, &doc)
		return &doc, err
	case v2_2.Version:
		var old v2_2.Document
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, err
		}
		return &doc, convert.Document(old, &doc)
	default:
		var old v2_1.Document
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, err
		}
		return &doc, convert.Document(old, &doc)
	}
}

// looksLikeSPDXJSON is a cheap guess, before detection, that data is SPDX
// JSON: an object that names spdxVersion near its start.
func looksLikeSPDXJSON(data []byte) bool {
	head := data[:min(len(data), 4096)]
	i := bytes.IndexFunc(head, func(r rune) bool { return !isSpace(r) })
	return i >= 0 && head[i] == '{' && bytes.Contains(head, []byte(`"spdxVersion"`))
}

// spdxLocator says where things are in an SPDX document.
type spdxLocator interface {
	pkg(i int) string                            // the i-th package's SPDXID
	externalRef(i, j int, locator string) string // the j-th external reference of the i-th package
	relationship(i int) string                   // the i-th relationship of the model
}

// normaliseSPDX turns the model into a cradle.SBOM; snippets are the IDs of
// snippets that are not in the model.
func normaliseSPDX(b *builder, doc *spdx.Document, loc spdxLocator, snippets []string) (*cradle.SBOM, error) {
	s := b.s
	s.Name = doc.DocumentName
	s.Serial = doc.DocumentNamespace
	if ci := doc.CreationInfo; ci != nil {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(ci.Created)); err == nil {
			s.Created = t.UTC()
		}
		for _, c := range ci.Creators {
			name := strings.TrimSpace(c.Creator)
			switch {
			case name == "":
			case c.CreatorType == "Tool":
				s.Tools = append(s.Tools, name)
			case c.CreatorType == "Person" || c.CreatorType == "Organization":
				s.Authors = append(s.Authors, name)
			}
		}
	}

	b.reserve(len(doc.Packages), len(doc.Relationships))
	document := elementRef(doc.SPDXIdentifier)
	b.defineOther(document)
	for _, f := range doc.Files {
		if f != nil {
			b.defineOther(elementRef(f.FileSPDXIdentifier))
		}
	}
	for _, sn := range doc.Snippets {
		b.defineOther(elementRef(sn.SnippetSPDXIdentifier))
	}
	for _, id := range snippets {
		b.defineOther(id)
	}
	for i, p := range doc.Packages {
		if p == nil {
			continue
		}
		for _, f := range p.Files {
			if f != nil {
				b.defineOther(elementRef(f.FileSPDXIdentifier))
			}
		}
		c := spdxComponent(p)
		purlLoc := func() string {
			for j, r := range p.PackageExternalReferences {
				if r != nil && strings.TrimSpace(r.Locator) == c.PURL && c.PURL != "" {
					return loc.externalRef(i, j, r.Locator)
				}
			}
			return loc.pkg(i)
		}
		b.add(c, func() string { return loc.pkg(i) }, purlLoc)
	}

	var described []string
	for i, r := range doc.Relationships {
		if r == nil {
			continue
		}
		typ := relationshipType(r.Relationship)
		from, to := docElementRef(r.RefA), docElementRef(r.RefB)
		if from == "" || to == "" {
			continue // NONE, NOASSERTION or another document's element
		}
		where := func() string { return loc.relationship(i) }
		switch {
		case typ == "DESCRIBES" && from == document:
			described = b.describes(described, to, where)
		case typ == "DESCRIBED_BY" && to == document:
			described = b.describes(described, from, where)
		case from == document || to == document:
			// The document is not a component; what it contains is the
			// packages and files it lists.
		case typ == "DEPENDS_ON" || typ == "CONTAINS":
			b.edge(from, to, where, where)
		case isReverseDependency(typ):
			b.edge(to, from, where, where)
		}
	}
	if len(described) > 0 {
		s.Root = described[0]
		if len(described) > 1 {
			b.warn(atFile(b.name), "the document describes %d packages; %s is taken as the root", len(described), locate.Quote(s.Root))
		}
	}
	return b.finish()
}

func relationshipType(t string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(t), "-", "_"))
}

func isReverseDependency(typ string) bool {
	return typ == "DEPENDENCY_OF" || typ == "CONTAINED_BY" || strings.HasSuffix(typ, "_DEPENDENCY_OF")
}

// followed reports whether cradle acts on relationships of this type.
func followed(typ string) bool {
	switch typ {
	case "DESCRIBES", "DESCRIBED_BY", "DEPENDS_ON", "CONTAINS":
		return true
	}
	return isReverseDependency(typ)
}

// describes adds ref to the described packages. A described file is not a
// component, and a described element the document does not define cannot
// be the root; both are passed over, the latter with a warning.
func (b *builder) describes(described []string, ref string, where lazyLoc) []string {
	if b.isComponent(ref) {
		if !slices.Contains(described, ref) {
			described = append(described, ref)
		}
		return described
	}
	if !b.other[ref] {
		b.warn(where(), "the document describes %s, which it does not define; it cannot be the root", locate.Quote(ref))
	}
	return described
}

func (b *builder) isComponent(ref string) bool {
	_, ok := b.index[ref]
	return ok
}

func elementRef(id common.ElementID) string { return "SPDXRef-" + string(id) }

// docElementRef is the ref of an element of this document, or "" for NONE,
// NOASSERTION and elements of other documents, which cradle cannot follow.
func docElementRef(id common.DocElementID) string {
	if id.SpecialID != "" || id.DocumentRefID != "" || id.ElementRefID == "" {
		return ""
	}
	return elementRef(id.ElementRefID)
}

func spdxComponent(p *spdx.Package) cradle.Component {
	c := cradle.Component{
		Ref:          elementRef(p.PackageSPDXIdentifier),
		Type:         purposeType(p.PrimaryPackagePurpose),
		Name:         p.PackageName,
		Version:      p.PackageVersion,
		Licenses:     spdxLicense(p.PackageLicenseConcluded, p.PackageLicenseDeclared),
		Description:  firstNonEmpty(p.PackageDescription, p.PackageSummary),
		Supplier:     "",
		Manufacturer: "",
	}
	if p.PackageSupplier != nil && p.PackageSupplier.Supplier != "NOASSERTION" {
		c.Supplier = p.PackageSupplier.Supplier
	}
	if p.PackageOriginator != nil && p.PackageOriginator.Originator != "NOASSERTION" {
		c.Manufacturer = p.PackageOriginator.Originator
	}
	cpe22 := ""
	for _, r := range p.PackageExternalReferences {
		if r == nil {
			continue
		}
		cat := strings.ToUpper(strings.ReplaceAll(r.Category, "_", "-"))
		locator := strings.TrimSpace(r.Locator)
		switch {
		case cat == "PACKAGE-MANAGER" && r.RefType == "purl" && c.PURL == "":
			c.PURL = locator
		case cat == "SECURITY" && r.RefType == "cpe23Type" && c.CPE == "":
			c.CPE = locator
		case cat == "SECURITY" && r.RefType == "cpe22Type" && cpe22 == "":
			cpe22 = locator
		}
	}
	if c.CPE == "" {
		c.CPE = cpe22
	}
	for _, h := range p.PackageChecksums {
		c.Hashes = appendHash(c.Hashes, string(h.Algorithm), h.Value)
	}
	return c
}

// jsonLocator locates SPDX JSON elements by JSON pointer.
type jsonLocator struct {
	name string
	rels int // relationships in the document; the model appends the ones implied by documentDescribes and hasFiles
}

func newJSONLocator(d *document) jsonLocator {
	n := 0
	if rs, ok := d.tree["relationships"].([]any); ok {
		for _, r := range rs {
			if r != nil {
				n++
			}
		}
	}
	return jsonLocator{name: d.name, rels: n}
}

func (l jsonLocator) pkg(i int) string {
	return locate.AtPath(l.name, fmt.Sprintf("/packages/%d/SPDXID", i))
}

func (l jsonLocator) externalRef(i, j int, _ string) string {
	return locate.AtPath(l.name, fmt.Sprintf("/packages/%d/externalRefs/%d/referenceLocator", i, j))
}

func (l jsonLocator) relationship(i int) string {
	if i < l.rels {
		return locate.AtPath(l.name, fmt.Sprintf("/relationships/%d", i))
	}
	return locate.AtPath(l.name, "/documentDescribes")
}

// The SPDX library's JSON errors name the offending value but not where it
// is ("failed to parse ElementID: Package-1"); the value is looked up in the
// parsed tree to give the problem a JSON pointer.
var quotedInError = regexp.MustCompile(`(?:: '?|')([^']+)'?$`)

func spdxJSONProblem(d *document, err error, repaired bool) cradle.Problem {
	msg := err.Error()
	if m := quotedInError.FindStringSubmatch(msg); m != nil {
		if p, ok := findString(d.tree, m[1], nil); ok {
			return cradle.Problem{Location: locate.AtPath(d.name, locate.Pointer(p...)), Message: msg}
		}
	}
	if !repaired {
		// Offsets refer to d.data, not to a re-encoded repaired copy.
		return jsonDecodeProblem(d, err)
	}
	return cradle.Problem{Location: atFile(d.name), Message: msg}
}

// findString returns the path to the first string equal to s.
func findString(v any, s string, path []string) ([]string, bool) {
	switch v := v.(type) {
	case string:
		return path, v == s
	case []any:
		for i, x := range v {
			if p, ok := findString(x, s, append(path, fmt.Sprint(i))); ok {
				return p, true
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if p, ok := findString(v[k], s, append(path, k)); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// tagValue is a parsed tag-value document plus the line of every tag, for
// locations.
type tagValue struct {
	name     string
	doc      *spdx.Document
	snippets []string // SPDXIDs of the snippets dropped before parsing
	pairs    []tvPair
	pkgs     []int // index into pairs of each PackageName
	rels     []int // index into pairs of each Relationship
}

func readTagValue(d *document, b *builder) (*tagValue, error) {
	// The SPDX library splits lines on \n only; some generators end lines
	// with a bare \r, which would turn the file into one line.
	data := d.data
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	tv := &tagValue{name: d.name}
	pairs, lexProblem := lexTagValue(d.name, data)
	if lexProblem != nil {
		return nil, syntaxError(d.name, "SPDX tag-value", *lexProblem)
	}
	tv.pairs = pairs
	tv.index()
	libPairs, err := tvreader.ReadTagValues(bytes.NewReader(data))
	if err != nil {
		return nil, syntaxError(d.name, "SPDX tag-value", cradle.Problem{Location: atFile(d.name), Message: err.Error()})
	}
	libPairs = tv.prepare(libPairs, b)
	parse := tagValueParser(d.spec)
	model, err := parse(libPairs)
	if err != nil {
		return nil, invalid(d.name, d.what(), []cradle.Problem{tv.locateError(libPairs, parse, err)})
	}
	doc := &spdx.Document{}
	if err := convert.Document(model, doc); err != nil {
		return nil, invalid(d.name, d.what(), []cradle.Problem{{Location: atFile(d.name), Message: err.Error()}})
	}
	tv.doc = doc
	return tv, nil
}

func (tv *tagValue) line(pair int) string {
	if pair < 0 || pair >= len(tv.pairs) {
		return atFile(tv.name)
	}
	return locate.AtLine(tv.name, tv.pairs[pair].line)
}

func (tv *tagValue) pkg(i int) string {
	if i < len(tv.pkgs) {
		return tv.line(tv.pkgs[i])
	}
	return atFile(tv.name)
}

func (tv *tagValue) externalRef(i, _ int, locator string) string {
	if i >= len(tv.pkgs) {
		return atFile(tv.name)
	}
	for k := tv.pkgs[i] + 1; k < len(tv.pairs); k++ {
		p := tv.pairs[k]
		if p.tag == "PackageName" {
			break
		}
		if p.tag == "ExternalRef" && strings.Contains(p.value, locator) {
			return tv.line(k)
		}
	}
	return tv.pkg(i)
}

func (tv *tagValue) relationship(i int) string {
	if i < len(tv.rels) {
		return tv.line(tv.rels[i])
	}
	return atFile(tv.name)
}
