package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// cdxBOM is the part of a CycloneDX BOM that cradle reads, in the
// library's types. Decoding only this part is faster, and it keeps the
// library's gaps in parts cradle ignores (valid-attestation-1.6.json has a
// data classification the library cannot decode) from rejecting documents
// the schema accepts.
type cdxBOM struct {
	XMLName      xml.Name          `json:"-" xml:"bom"`
	SerialNumber string            `json:"serialNumber,omitempty" xml:"serialNumber,attr,omitempty"`
	Metadata     *cdx.Metadata     `json:"metadata,omitempty" xml:"metadata,omitempty"`
	Components   *[]cdx.Component  `json:"components,omitempty" xml:"components>component,omitempty"`
	Services     *[]cdxService     `json:"services,omitempty" xml:"services>service,omitempty"`
	Dependencies *[]cdx.Dependency `json:"dependencies,omitempty" xml:"dependencies>dependency,omitempty"`
}

// cdxService is what cradle needs of a service: its ref, which dependencies
// may name.
type cdxService struct {
	BOMRef   string        `json:"bom-ref,omitempty" xml:"bom-ref,attr,omitempty"`
	Services *[]cdxService `json:"services,omitempty" xml:"services>service,omitempty"`
}

func decodeCycloneDX(d *document) (*cradle.SBOM, error) {
	var bom cdxBOM
	paths := cdxPaths{xml: d.encoding == EncodingXML}
	var problems []cradle.Problem
	switch d.encoding {
	case EncodingJSON:
		vs, err := validateSchema(d)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			return nil, invalid(d.name, d.what(), problemsOf(d.name, vs))
		}
		if err := json.Unmarshal(d.data, &bom); err != nil {
			return nil, invalid(d.name, d.what(), []cradle.Problem{jsonDecodeProblem(d, err)})
		}
	case EncodingXML:
		dec := xml.NewDecoder(bytes.NewReader(d.data))
		if err := dec.Decode(&bom); err != nil {
			line, col := dec.InputPos()
			var syn *xml.SyntaxError
			if errors.As(err, &syn) {
				return nil, syntaxError(d.name, "XML", cradle.Problem{Location: locate.AtPos(d.name, line, col), Message: xmlMessage(err)})
			}
			return nil, invalid(d.name, d.what(), []cradle.Problem{{Location: locate.AtPos(d.name, line, col), Message: err.Error()}})
		}
		problems = checkXML(d)
	}

	at := func(path string) string { return locate.AtPath(d.name, path) }
	b := newBuilder(d, "bom-ref")
	b.problems = problems
	s := b.s
	if m := bom.Metadata; m != nil {
		s.Created = parseTimestamp(m.Timestamp)
		if m.Authors != nil {
			for _, a := range *m.Authors {
				if n := firstNonEmpty(a.Name, a.Email); n != "" {
					s.Authors = append(s.Authors, n)
				}
			}
		}
		s.Tools = cdxTools(m.Tools)
	}
	s.Serial = bom.SerialNumber

	// Flatten metadata.component (the root) and the components tree, in
	// document order, remembering where each one is.
	type found struct {
		c   *cdx.Component
		loc string
	}
	var all []found
	var outer []string // bom-refs of the components being walked
	var walk func(c *cdx.Component, loc string)
	walk = func(c *cdx.Component, loc string) {
		if c.BOMRef != "" && slices.Contains(outer, c.BOMRef) {
			// Not a repeat but a contradiction: a component inside itself.
			b.problem(at(paths.attr(loc, "bom-ref")), "expected a bom-ref different from the components this one is nested in, found %s, so the component would contain itself", locate.Quote(c.BOMRef))
		}
		all = append(all, found{c, loc})
		if c.Components != nil {
			outer = append(outer, c.BOMRef)
			for i := range *c.Components {
				walk(&(*c.Components)[i], paths.child(loc, "components", "component", i))
			}
			outer = outer[:len(outer)-1]
		}
	}
	var root *cdx.Component
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		root = bom.Metadata.Component
		walk(root, paths.field(paths.root(), "metadata/component"))
	}
	if bom.Components != nil {
		for i := range *bom.Components {
			walk(&(*bom.Components)[i], paths.child(paths.root(), "components", "component", i))
		}
	}

	// Components without a bom-ref get one that is unique in the document
	// and stable across imports of the same file.
	taken := make(map[string]bool, len(all))
	for _, f := range all {
		if f.c.BOMRef != "" {
			taken[f.c.BOMRef] = true
		}
	}
	unique := func(base string) string {
		ref := base
		for n := 2; taken[ref]; n++ {
			ref = base + "-" + strconv.Itoa(n)
		}
		taken[ref] = true
		return ref
	}
	for i, f := range all {
		c := cdxComponent(f.c)
		if c.Ref == "" {
			if f.c == root {
				c.Ref = unique("root")
			} else {
				c.Ref = unique("component-" + strconv.Itoa(i+1))
			}
		}
		if f.c == root {
			s.Root = c.Ref
			s.Name = c.Name
			if c.Manufacturer == "" && bom.Metadata.Manufacturer != nil {
				c.Manufacturer = bom.Metadata.Manufacturer.Name // 1.6: the BOM's subject's manufacturer
			}
			if c.Manufacturer == "" && bom.Metadata.Manufacture != nil {
				c.Manufacturer = bom.Metadata.Manufacture.Name // the same before 1.6
			}
			if c.Supplier == "" && bom.Metadata.Supplier != nil {
				c.Supplier = bom.Metadata.Supplier.Name
			}
		}
		b.add(c, func() string { return at(paths.attr(f.loc, "bom-ref")) }, func() string { return at(paths.field(f.loc, "purl")) })
	}

	// Services can be dependency targets; they are not components.
	var services func(ss *[]cdxService)
	services = func(ss *[]cdxService) {
		if ss == nil {
			return
		}
		for _, sv := range *ss {
			if sv.BOMRef != "" {
				b.defineOther(sv.BOMRef)
			}
			services(sv.Services)
		}
	}
	services(bom.Services)

	if bom.Dependencies != nil {
		for i, dep := range *bom.Dependencies {
			entry := func() string { return paths.child(paths.root(), "dependencies", "dependency", i) }
			refLoc := func() string { return at(paths.attr(entry(), "ref")) }
			if dep.Dependencies == nil || len(*dep.Dependencies) == 0 {
				b.mentioned(dep.Ref, refLoc)
				continue
			}
			for j, to := range *dep.Dependencies {
				b.edge(dep.Ref, to, refLoc, func() string { return at(paths.dependsOn(entry(), j)) })
			}
		}
	}
	return b.finish()
}

// cdxPaths renders locations inside a CycloneDX document: JSON pointers for
// JSON, and XPath-like paths for XML, where "/components/3" is
// "/bom/components/component[4]".
type cdxPaths struct{ xml bool }

func (p cdxPaths) root() string {
	if p.xml {
		return "/bom"
	}
	return ""
}

func (p cdxPaths) child(base, list, elem string, i int) string {
	if p.xml {
		return fmt.Sprintf("%s/%s/%s[%d]", base, list, elem, i+1)
	}
	return fmt.Sprintf("%s/%s/%d", base, list, i)
}

func (p cdxPaths) field(base, name string) string { return base + "/" + name }

func (p cdxPaths) attr(base, name string) string {
	if p.xml {
		return base + "/@" + name
	}
	return base + "/" + name
}

func (p cdxPaths) dependsOn(dep string, j int) string {
	if p.xml {
		return fmt.Sprintf("%s/dependency[%d]/@ref", dep, j+1)
	}
	return fmt.Sprintf("%s/dependsOn/%d", dep, j)
}

func cdxComponent(c *cdx.Component) cradle.Component {
	out := cradle.Component{
		Ref:         c.BOMRef,
		Type:        string(c.Type),
		Group:       c.Group,
		Name:        c.Name,
		Version:     c.Version,
		PURL:        strings.TrimSpace(c.PackageURL),
		CPE:         strings.TrimSpace(c.CPE),
		Scope:       string(c.Scope),
		Description: c.Description,
		Licenses:    cdxLicenses(c.Licenses),
	}
	if c.Supplier != nil {
		out.Supplier = c.Supplier.Name
	}
	switch {
	case c.Manufacturer != nil && c.Manufacturer.Name != "":
		out.Manufacturer = c.Manufacturer.Name
	case c.Author != "":
		out.Manufacturer = c.Author
	case c.Authors != nil && len(*c.Authors) > 0:
		out.Manufacturer = firstNonEmpty((*c.Authors)[0].Name, (*c.Authors)[0].Email)
	}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			out.Hashes = appendHash(out.Hashes, string(h.Algorithm), h.Value)
		}
	}
	return out
}

// cdxLicenses joins a component's licences into one SPDX expression. Like
// SPDX's concluded-before-declared rule, licences acknowledged as
// "concluded" (CycloneDX 1.6) win over the others when both are present.
func cdxLicenses(ls *cdx.Licenses) string {
	if ls == nil {
		return ""
	}
	var all, concluded []string
	for _, lc := range *ls {
		var term string
		var ack cdx.LicenseAcknowledgement
		switch {
		case strings.TrimSpace(lc.Expression) != "":
			term = strings.TrimSpace(lc.Expression)
			if lc.Acknowledgement != nil {
				ack = *lc.Acknowledgement
			}
		case lc.License != nil:
			term = licenseTerm(lc.License.ID, lc.License.Name)
			ack = lc.License.Acknowledgement
		}
		if term == "" {
			continue
		}
		all = append(all, term)
		if ack == cdx.LicenseAcknowledgementConcluded {
			concluded = append(concluded, term)
		}
	}
	if len(concluded) > 0 {
		return joinLicenses(concluded)
	}
	return joinLicenses(all)
}

func cdxTools(t *cdx.ToolsChoice) []string {
	if t == nil {
		return nil
	}
	var out []string
	add := func(name, version string) {
		if s := strings.TrimSpace(name + " " + version); s != "" {
			out = append(out, s)
		}
	}
	if t.Tools != nil {
		for _, x := range *t.Tools {
			add(x.Name, x.Version)
		}
	}
	if t.Components != nil {
		for _, x := range *t.Components {
			add(x.Name, x.Version)
		}
	}
	if t.Services != nil {
		for _, x := range *t.Services {
			add(x.Name, x.Version)
		}
	}
	return out
}

// parseTimestamp accepts RFC 3339 and, because XML Schema's dateTime makes
// the time zone optional, a local time (taken as UTC). Invalid timestamps
// have been reported by the schema or checkXML by then.
func parseTimestamp(ts string) time.Time {
	ts = strings.TrimSpace(ts)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, ts); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// jsonDecodeProblem locates an error from decoding JSON into a library's
// model. The schema check has passed by then, so these are rare: values the
// schema allows but the library cannot represent.
func jsonDecodeProblem(d *document, err error) cradle.Problem {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return cradle.Problem{Location: locate.AtOffset(d.name, d.data, te.Offset),
			Message: fmt.Sprintf("expected %s, found a JSON %s", te.Type, te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return cradle.Problem{Location: locate.AtOffset(d.name, d.data, se.Offset-1), Message: se.Error()}
	}
	return cradle.Problem{Location: atFile(d.name), Message: err.Error()}
}
