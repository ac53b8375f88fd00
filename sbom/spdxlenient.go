package sbom

import (
	"fmt"
	"strconv"
	"strings"

	tvreader "github.com/spdx/tools-golang/tagvalue/reader"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// SPDX generators in wide use do not produce schema-valid SPDX. In the
// corpus, every trivy document omits packages' downloadLocation (and some
// write the relationship type "DESCRIBE"), syft 0.2x–0.3x writes files
// with "name" and lower-case checksum algorithms, and Microsoft's
// sbom-tool writes suppliers without their "Organization:" prefix. SPDX
// is first a licence-compliance format, and most of what those documents
// get wrong are fields for that purpose, which cradle does not import.
//
// The rule cradle applies to SPDX is therefore: a schema violation is an
// error when it is in data cradle imports and cannot do without — the
// document's version and ID, a package's SPDXID, name, version, supplier,
// originator, licences, checksums, external references, purpose and
// description, and the relationships cradle follows — and a located
// warning anywhere else (files, snippets, annotations, other package
// fields, relationships of types cradle ignores). CycloneDX is held to its
// schema in full, because the CycloneDX project defines validity by a
// conformance suite of invalid documents that must be rejected; SPDX
// publishes no such suite.
//
// Separately, the SPDX library refuses some defects whose meaning is not
// in doubt; those are repaired before the library sees them, each with a
// warning: an element ID without its "SPDXRef-" prefix, a supplier or
// originator without its "Person:"/"Organization:" prefix (cradle keeps
// only the name), a snippet placed after a package, and tag-value tags
// the SPDX specification does not define.

// importedPackageFields are the package properties cradle reads.
var importedPackageFields = map[string]bool{
	"SPDXID": true, "name": true, "versionInfo": true, "supplier": true, "originator": true,
	"licenseConcluded": true, "licenseDeclared": true, "checksums": true, "externalRefs": true,
	"primaryPackagePurpose": true, "description": true, "summary": true,
}

// spdxTriage returns the violations that are errors and turns the others
// into warnings.
func spdxTriage(d *document, b *builder, vs []violation) []violation {
	var fatal []violation
	ignored := 0
	for _, v := range vs {
		if spdxFatal(d.tree, v) {
			fatal = append(fatal, v)
			continue
		}
		if ignored < maxSchemaWarnings {
			p := v.problem(d.name)
			b.warn(p.Location, "%s (ignored: cradle does not import this)", p.Message)
		}
		ignored++
	}
	if ignored > maxSchemaWarnings {
		b.warn(atFile(d.name), "%d more schema violations in parts cradle does not import", ignored-maxSchemaWarnings)
	}
	return fatal
}

const maxSchemaWarnings = 20

func spdxFatal(tree map[string]any, v violation) bool {
	path := v.path
	if v.prop != "" {
		path = append(path[:len(path):len(path)], v.prop)
	}
	if len(path) == 0 {
		return true // the document is not an object
	}
	switch path[0] {
	case "spdxVersion", "SPDXID", "documentDescribes":
		return true
	case "packages":
		if len(path) < 3 {
			return v.prop == "" // the list or a package has the wrong type
		}
		return importedPackageFields[path[2]] && (v.prop == "" || len(path) > 3 || required[path[2]])
	case "relationships":
		if len(path) < 2 {
			return true
		}
		i, err := strconv.Atoi(path[1])
		if err != nil {
			return true
		}
		rels, _ := tree["relationships"].([]any)
		if i >= len(rels) {
			return true
		}
		rel, ok := rels[i].(map[string]any)
		if !ok {
			return true
		}
		typ, _ := rel["relationshipType"].(string)
		return followed(relationshipType(typ))
	}
	return false
}

// required are the package properties without which cradle cannot import
// a package.
var required = map[string]bool{"SPDXID": true, "name": true}

// hasElementPrefix reports whether id is a well-formed reference to an
// element: SPDXRef-…, DocumentRef-…:SPDXRef-…, NONE or NOASSERTION.
func hasElementPrefix(id string) bool {
	if id == "NONE" || id == "NOASSERTION" || strings.HasPrefix(id, "SPDXRef-") {
		return true
	}
	if strings.HasPrefix(id, "DocumentRef-") {
		_, el, ok := strings.Cut(id, ":")
		return !ok || strings.HasPrefix(el, "SPDXRef-")
	}
	return false
}

// fixElementID adds the missing "SPDXRef-" prefix.
func fixElementID(id string) string {
	if hasElementPrefix(id) || id == "" {
		return id
	}
	if doc, el, ok := strings.Cut(id, ":"); ok && strings.HasPrefix(doc, "DocumentRef-") {
		return doc + ":SPDXRef-" + el
	}
	return "SPDXRef-" + id
}

// fixActor adds a missing "Organization: " to a supplier or originator;
// cradle keeps the name either way.
func fixActor(v string) (string, bool) {
	t := strings.TrimSpace(v)
	if t == "" || t == "NOASSERTION" || strings.HasPrefix(t, "Person:") || strings.HasPrefix(t, "Organization:") {
		return v, false
	}
	return "Organization: " + t, true
}

// repairs counts repairs of one kind and remembers where the first was.
type repairs struct {
	b     *builder
	n     map[string]int
	first map[string]string
	order []string
}

func newRepairs(b *builder) *repairs {
	return &repairs{b: b, n: map[string]int{}, first: map[string]string{}}
}

func (r *repairs) note(what, loc string) {
	if r.n[what] == 0 {
		r.first[what] = loc
		r.order = append(r.order, what)
	}
	r.n[what]++
}

func (r *repairs) report() {
	for _, what := range r.order {
		n := r.n[what]
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (%d times; the first is here)", n)
		}
		r.b.warn(r.first[what], "%s%s", what, more)
	}
}

const (
	repairedID    = "element ID without the \"SPDXRef-\" prefix: read as if it had it"
	repairedActor = "supplier or originator without \"Person:\" or \"Organization:\": read as the name"
)

// repairSPDXTree repairs, in the parsed JSON, what the library would
// refuse, and reports whether it changed anything.
func repairSPDXTree(d *document, b *builder) bool {
	r := newRepairs(b)
	at := func(tokens ...string) string { return locate.AtPath(d.name, locate.Pointer(tokens...)) }
	fixID := func(obj map[string]any, key string, tokens ...string) {
		if s, ok := obj[key].(string); ok {
			if f := fixElementID(s); f != s {
				obj[key] = f
				r.note(repairedID, at(append(tokens, key)...))
			}
		}
	}
	fixIDs := func(obj map[string]any, key string, tokens ...string) {
		list, _ := obj[key].([]any)
		for i, x := range list {
			if s, ok := x.(string); ok {
				if f := fixElementID(s); f != s {
					list[i] = f
					r.note(repairedID, at(append(tokens, key, strconv.Itoa(i))...))
				}
			}
		}
	}
	objects := func(key string) []map[string]any {
		list, _ := d.tree[key].([]any)
		out := make([]map[string]any, len(list))
		for i, x := range list {
			out[i], _ = x.(map[string]any)
		}
		return out
	}
	fixID(d.tree, "SPDXID")
	fixIDs(d.tree, "documentDescribes")
	for i, p := range objects("packages") {
		if p == nil {
			continue
		}
		n := strconv.Itoa(i)
		fixID(p, "SPDXID", "packages", n)
		fixIDs(p, "hasFiles", "packages", n)
		for _, key := range []string{"supplier", "originator"} {
			if s, ok := p[key].(string); ok {
				if f, changed := fixActor(s); changed {
					p[key] = f
					r.note(repairedActor, at("packages", n, key))
				}
			}
		}
	}
	for _, list := range []string{"files", "snippets"} {
		for i, f := range objects(list) {
			if f != nil {
				fixID(f, "SPDXID", list, strconv.Itoa(i))
			}
		}
	}
	for i, rel := range objects("relationships") {
		if rel != nil {
			fixID(rel, "spdxElementId", "relationships", strconv.Itoa(i))
			fixID(rel, "relatedSpdxElement", "relationships", strconv.Itoa(i))
		}
	}
	r.report()
	return len(r.order) > 0
}

// specTags are the tags SPDX 2.1–2.3 define for tag-value, snippets
// excepted (they are dropped before parsing anyway).
var specTags = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(`
		SPDXVersion DataLicense SPDXID DocumentName DocumentNamespace ExternalDocumentRef
		LicenseListVersion Creator Created CreatorComment DocumentComment
		PackageName PackageVersion PackageFileName PackageSupplier PackageOriginator
		PackageDownloadLocation FilesAnalyzed PackageVerificationCode PackageChecksum
		PackageHomePage PackageSourceInfo PackageLicenseConcluded PackageLicenseInfoFromFiles
		PackageLicenseDeclared PackageLicenseComments PackageCopyrightText PackageSummary
		PackageDescription PackageComment ExternalRef ExternalRefComment PackageAttributionText
		PrimaryPackagePurpose ReleaseDate BuiltDate ValidUntilDate
		FileName FileType FileChecksum LicenseConcluded LicenseInfoInFile LicenseComments
		FileCopyrightText FileComment FileNotice FileContributor FileAttributionText
		FileDependency ArtifactOfProjectName ArtifactOfProjectHomePage ArtifactOfProjectURI
		LicenseID ExtractedText LicenseName LicenseCrossReference LicenseComment
		Relationship RelationshipComment
		Annotator AnnotationDate AnnotationType SPDXREF AnnotationComment
		Reviewer ReviewDate ReviewComment`) {
		m[t] = true
	}
	return m
}()

// prepare drops and repairs pairs before the library parses them,
// keeping tv.pairs (which know the lines) in step with the library's pairs.
func (tv *tagValue) prepare(lib []tvreader.TagValuePair, b *builder) []tvreader.TagValuePair {
	aligned := len(lib) == len(tv.pairs)
	line := func(i int) string {
		if aligned {
			return locate.AtLine(tv.name, tv.pairs[i].line)
		}
		return atFile(tv.name)
	}
	r := newRepairs(b)
	keptLib := lib[:0]
	var kept []tvPair
	for i, p := range lib {
		switch {
		case snippetTags[p.Tag]:
			// The library only accepts a snippet after a file, but the
			// SPDX specification's own examples (SPDXTagExample-v2.2.spdx
			// and -v2.3.spdx) put one after a package. Snippets are not
			// components; cradle needs nothing from them but their IDs,
			// which relationships may name.
			if p.Tag == "SnippetSPDXID" {
				tv.snippets = append(tv.snippets, fixElementID(strings.TrimSpace(p.Value)))
			}
			continue
		case !specTags[p.Tag]:
			r.note(fmt.Sprintf("ignored the tag %s, which SPDX does not define", locate.Quote(p.Tag)), line(i))
			continue
		case p.Tag == "SPDXID" || p.Tag == "SPDXREF":
			if f := fixElementID(strings.TrimSpace(p.Value)); f != strings.TrimSpace(p.Value) {
				p.Value = f
				r.note(repairedID, line(i))
			}
		case p.Tag == "Relationship":
			if f := strings.Fields(p.Value); len(f) == 3 {
				a, c := fixElementID(f[0]), fixElementID(f[2])
				if a != f[0] || c != f[2] {
					p.Value = a + " " + f[1] + " " + c
					r.note(repairedID, line(i))
				}
			}
		case p.Tag == "PackageSupplier" || p.Tag == "PackageOriginator":
			if f, changed := fixActor(p.Value); changed {
				p.Value = f
				r.note(repairedActor, line(i))
			}
		}
		keptLib = append(keptLib, p)
		if aligned {
			kept = append(kept, tv.pairs[i])
		}
	}
	tv.pairs = kept // nil when not aligned: locations fall back to the file
	tv.index()
	r.report()
	return keptLib
}
