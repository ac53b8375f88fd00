package sbom

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	packageurl "github.com/package-url/packageurl-go"
)

// builder assembles a normalised cradle.SBOM from either format and applies
// the checks JSON Schema cannot express: unique refs, edges between known
// refs, parsable purls, and cycles (which are reported, not rejected).
type builder struct {
	name  string
	what  string // "CycloneDX 1.6 JSON document"
	refID string // what the format calls a ref: "bom-ref" or "SPDXID"
	s     *cradle.SBOM

	index map[string]int  // ref → index in s.Components
	where []lazyLoc       // location of each component's ref
	other map[string]bool // refs of things that are not components (services, files, the document)

	edges    map[cradle.Dependency]bool
	edgeLoc  map[cradle.Dependency]lazyLoc
	problems []cradle.Problem

	// Edges from refs the document does not define, by ref: how many, and
	// where the first one is.
	orphans     map[string]int
	orphanLoc   map[string]lazyLoc
	orphanOrder []string
}

func newBuilder(d *document, refID string) *builder {
	return &builder{
		name:  d.name,
		what:  d.what(),
		refID: refID,
		s: &cradle.SBOM{
			Format:       d.format,
			Encoding:     d.encoding,
			SpecVersion:  d.spec,
			Components:   []cradle.Component{},
			Dependencies: []cradle.Dependency{},
		},
		index:     map[string]int{},
		other:     map[string]bool{},
		edges:     map[cradle.Dependency]bool{},
		edgeLoc:   map[cradle.Dependency]lazyLoc{},
		orphans:   map[string]int{},
		orphanLoc: map[string]lazyLoc{},
	}
}

// reserve makes room for about the given numbers of components and
// edges, so that a large document does not grow the lists and maps of
// the builder step by step.
func (b *builder) reserve(components, edges int) {
	b.s.Components = slices.Grow(b.s.Components, components)
	b.where = slices.Grow(b.where, components)
	b.s.Dependencies = slices.Grow(b.s.Dependencies, edges)
	if len(b.index) == 0 {
		b.index = make(map[string]int, components)
	}
	if len(b.edges) == 0 {
		b.edges = make(map[cradle.Dependency]bool, edges)
		b.edgeLoc = make(map[cradle.Dependency]lazyLoc, edges)
	}
}

func (b *builder) problem(loc, format string, args ...any) {
	p := cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)}
	if len(b.problems) < maxProblems && !slices.Contains(b.problems, p) {
		b.problems = append(b.problems, p)
	}
}

func (b *builder) warn(loc, format string, args ...any) {
	if len(b.s.Warnings) < maxProblems {
		b.s.Warnings = append(b.s.Warnings, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
}

// add appends a component whose ref is at refLoc and purl at purlLoc.
//
// Two entries with the same ref are an error, unless cradle would store
// the very same component for both: then the document lists one component
// twice and the copy is dropped with a warning. Real generators do that:
// syft repeats a package once per place it found it, differing only in
// where (chronicle's SPDX has 60 such packages, differing in sourceInfo;
// osv-scanner's with-duplicates fixture repeats components verbatim).
// Different components sharing a ref make every edge to that ref
// ambiguous, so that is rejected.
func (b *builder) add(c cradle.Component, refLoc, purlLoc lazyLoc) {
	purl, perr := c.PURL, checkPURL(c.PURL)
	if perr == errNotAPURL {
		c.PURL = ""
	}
	if i, ok := b.index[c.Ref]; ok {
		if reflect.DeepEqual(b.s.Components[i], c) {
			b.warn(refLoc(), "duplicate %s %s: the same component as at %s, kept once", b.refID, locate.Quote(c.Ref), b.where[i]())
			return
		}
		b.problem(refLoc(), "expected a unique %s, found %s again (first at %s) for a different component", b.refID, locate.Quote(c.Ref), b.where[i]())
		return
	}
	switch {
	case perr == errNotAPURL && !hasPURLScheme(purl):
		b.warn(purlLoc(), "ignored the purl %s of %s: it is not a package URL (no pkg: scheme), so it identifies no package", locate.Quote(purl), locate.Quote(c.Ref))
	case perr == errNotAPURL:
		b.warn(purlLoc(), "ignored the purl %s of %s: it has no package name, so it identifies no package", locate.Quote(purl), locate.Quote(c.Ref))
	case perr != nil:
		b.problem(purlLoc(), "expected a package URL (pkg:type/namespace/name@version), found %s: %v", locate.Quote(purl), perr)
	}
	b.index[c.Ref] = len(b.s.Components)
	b.where = append(b.where, refLoc)
	b.s.Components = append(b.s.Components, c)
}

var errNotAPURL = errors.New("not a package URL")

// checkPURL returns nil for a purl that parses (or is absent),
// errNotAPURL for a value that identifies no package, and the parser's
// error for a package URL that is malformed.
//
// Rule: a purl field is rejected only when it holds a package URL — the
// pkg: scheme, a type and a name — that the purl specification does not
// accept: the generator tried to identify the package and got it wrong,
// and dropping it would silently hide the component from vulnerability
// matching. Anything else in a purl field identifies no package, so
// dropping it loses nothing; the component is kept without a purl and a
// located warning says why. In the corpus that is syft's templates with
// an empty name in osv-scanner's bad-purls fixture ("pkg:pypi/",
// "pkg:///", "/", "pkg:apk/alpine/@1.36.1-r27?…"), trivy's "pkg:maven/",
// and Microsoft sbom-tool's repository URL in a purl reference
// ("https://github.com/actions/virtual-environments").
func checkPURL(p string) error {
	if p == "" {
		return nil
	}
	_, err := packageurl.FromString(p)
	if err == nil {
		return nil
	}
	if !hasPURLScheme(p) || purlWithoutName(p) {
		return errNotAPURL
	}
	return err
}

func hasPURLScheme(p string) bool {
	p = strings.TrimSpace(p)
	return len(p) >= 4 && strings.EqualFold(p[:4], "pkg:")
}

// purlWithoutName reports whether the name segment of a purl-shaped string
// is empty: what is left of "[pkg:]type/namespace/name" once the
// qualifiers, subpath and version are cut off ends in "/" or is empty.
func purlWithoutName(p string) bool {
	p = strings.TrimSpace(p)
	if hasPURLScheme(p) {
		p = p[4:]
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if at := strings.LastIndexByte(p, '@'); at >= 0 && at > strings.LastIndexByte(p, '/') {
		p = p[:at]
	}
	p = strings.TrimLeft(p, "/")
	return !strings.Contains(p, "/") || strings.HasSuffix(p, "/")
}

// defineOther records a ref that exists but is not a component: an edge to
// it is dropped rather than rejected.
func (b *builder) defineOther(ref string) { b.other[ref] = true }

// lazyLoc renders a location when one is needed. Most refs and edges are
// fine, and formatting tens of thousands of paths nobody reads costs more
// than checking them.
type lazyLoc func() string

func fixedLoc(loc string) lazyLoc { return func() string { return loc } }

// checkRef reports a ref that names nothing in the document.
func (b *builder) checkRef(ref string, loc lazyLoc) bool {
	if _, ok := b.index[ref]; ok || b.other[ref] {
		return true
	}
	if ref == "" {
		b.problem(loc(), "expected the %s of a component in this document, found an empty one", b.refID)
		return false
	}
	b.problem(loc(), "expected the %s of a component in this document, found %s, which is not defined", b.refID, locate.Quote(ref))
	return false
}

// mentioned checks a ref named without edges: a CycloneDX dependency entry
// with no dependsOn. Like an edge from an undefined ref, an entry for one
// adds nothing and is dropped with a warning.
func (b *builder) mentioned(ref string, loc lazyLoc) {
	if ref == "" {
		b.checkRef(ref, loc)
		return
	}
	if _, ok := b.index[ref]; !ok && !b.other[ref] {
		b.warn(loc(), "ignored the dependency entry for %s, which the document does not define", locate.Quote(ref))
	}
}

// edge records that from depends on (or contains) to. The locations are
// where the two refs appear in the document.
//
// An edge to a ref the document does not define is an error: a component
// depends on something the SBOM does not list, so the inventory is
// incomplete, which is what a person importing it must know. An edge from
// an undefined ref says only that something outside the document contains
// a component; it adds nothing cradle can store, so it is dropped with one
// warning per undefined ref. syft 0.59 and 0.60 wrote exactly that, a
// CONTAINS from the scanned image to every package without defining the
// image (jx's and constellation's SBOMs).
func (b *builder) edge(from, to string, fromLoc, toLoc lazyLoc) {
	toOK := b.checkRef(to, toLoc)
	_, fromComponent := b.index[from]
	if !fromComponent && !b.other[from] {
		if from == "" {
			b.checkRef(from, fromLoc)
			return
		}
		if b.orphans[from] == 0 {
			b.orphanOrder = append(b.orphanOrder, from)
			b.orphanLoc[from] = fromLoc
		}
		b.orphans[from]++
		return
	}
	if !toOK || !fromComponent {
		return // from a service or a file
	}
	if _, ok := b.index[to]; !ok {
		return // to a service or a file
	}
	e := cradle.Dependency{From: from, To: to}
	if b.edges[e] {
		return
	}
	b.edges[e] = true
	b.edgeLoc[e] = toLoc
	b.s.Dependencies = append(b.s.Dependencies, e)
}

// finish returns the SBOM, or the problems found as one EInvalid error.
func (b *builder) finish() (*cradle.SBOM, error) {
	if len(b.problems) > 0 {
		return nil, invalid(b.name, b.what, b.problems)
	}
	for _, ref := range b.orphanOrder {
		n := b.orphans[ref]
		edges := "an edge"
		if n > 1 {
			edges = fmt.Sprintf("%d edges", n)
		}
		b.warn(b.orphanLoc[ref](), "ignored %s from %s, which the document does not define", edges, locate.Quote(ref))
	}
	b.reportCycles()
	b.s.ComputeDepths()
	return b.s, nil
}
