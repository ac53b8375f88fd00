package vex

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	packageurl "github.com/package-url/packageurl-go"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

const openVEXContext = "https://openvex.dev/ns/v0.2.0"

// openVEXSchemaJSON is the OpenVEX 0.2.0 schema, embedded so that
// validation never touches the network (schema/README.md).
//
//go:embed schema/openvex_json_schema.json
var openVEXSchemaJSON []byte

const openVEXSchemaURL = "https://github.com/openvex/spec/openvex_json_schema_0.2.0.json"

// openVEXSchema is compiled once per process, on first use.
var openVEXSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openVEXSchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("openvex schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	// Draft 2020-12 leaves "format" to the implementation; cradle asserts
	// it, so that timestamps parse and every @id is an absolute IRI.
	c.AssertFormat()
	if err := c.AddResource(openVEXSchemaURL, doc); err != nil {
		return nil, fmt.Errorf("openvex schema: %w", err)
	}
	s, err := c.Compile(openVEXSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile openvex schema: %w", err)
	}
	return s, nil
})

// The OpenVEX 0.2.0 document as JSON.
type ovDoc struct {
	Context     string        `json:"@context"`
	ID          string        `json:"@id"`
	Author      string        `json:"author"`
	Role        string        `json:"role,omitempty"`
	Timestamp   string        `json:"timestamp"`
	LastUpdated string        `json:"last_updated,omitempty"`
	Version     json.Number   `json:"version"`
	Tooling     string        `json:"tooling,omitempty"`
	Statements  []ovStatement `json:"statements"`
}

type ovStatement struct {
	ID              string        `json:"@id,omitempty"`
	Version         json.Number   `json:"version,omitempty"`
	Vulnerability   ovVuln        `json:"vulnerability"`
	Timestamp       string        `json:"timestamp,omitempty"`
	LastUpdated     string        `json:"last_updated,omitempty"`
	Products        []ovComponent `json:"products,omitempty"`
	Status          string        `json:"status"`
	Supplier        string        `json:"supplier,omitempty"`
	StatusNotes     string        `json:"status_notes,omitempty"`
	Justification   string        `json:"justification,omitempty"`
	ImpactStatement string        `json:"impact_statement,omitempty"`
	ActionStatement string        `json:"action_statement,omitempty"`
	ActionTimestamp string        `json:"action_statement_timestamp,omitempty"`
}

type ovVuln struct {
	ID          string   `json:"@id,omitempty"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
}

type ovComponent struct {
	ID            string            `json:"@id,omitempty"`
	Identifiers   *ovIdentifiers    `json:"identifiers,omitempty"`
	Hashes        map[string]string `json:"hashes,omitempty"`
	Subcomponents []ovComponent     `json:"subcomponents,omitempty"`
}

type ovIdentifiers struct {
	PURL  string `json:"purl,omitempty"`
	CPE22 string `json:"cpe22,omitempty"`
	CPE23 string `json:"cpe23,omitempty"`
}

func decodeOpenVEX(name string, data []byte, tree any) (*Document, error) {
	r := &report{name: name, what: "OpenVEX document"}
	s, err := openVEXSchema()
	if err != nil {
		return nil, err
	}
	if err := s.Validate(tree); err != nil {
		schemaProblems(r, err)
		return nil, r.err()
	}
	var ov ovDoc
	if err := json.Unmarshal(data, &ov); err != nil {
		r.typeError(data, err)
		return nil, r.err()
	}
	d := &Document{Format: FormatOpenVEX, ID: ov.ID, Author: ov.Author}
	d.Timestamp = parseTime(r, "/timestamp", ov.Timestamp)
	d.Version = smallInt(r, "/version", ov.Version)
	for i, in := range ov.Statements {
		at := ptr("statements", i)
		st := Statement{
			Vulnerability: Vulnerability{
				ID:          in.Vulnerability.Name,
				Aliases:     uniqueAliases(in.Vulnerability.Name, in.Vulnerability.Aliases),
				Description: in.Vulnerability.Description,
			},
			Status:          Status(in.Status),
			Justification:   Justification(in.Justification),
			ImpactStatement: in.ImpactStatement,
			ActionStatement: in.ActionStatement,
			Detail:          in.StatusNotes,
			Timestamp:       parseTime(r, at+"/timestamp", in.Timestamp),
		}
		if strings.TrimSpace(st.Vulnerability.ID) == "" {
			r.at(at+"/vulnerability/name", "expected the name of the vulnerability, found an empty string")
		}
		if len(in.Products) == 0 {
			// The schema leaves products out so that an encapsulating
			// document can supply them; a document on its own has none.
			r.at(at, "expected products: a statement must identify the products it is about (OpenVEX \"Product Data Structure\"), found none")
		}
		for j, op := range in.Products {
			pat := at + ptr("products", j)
			p := Product{Component: fromOpenVEX(r, pat, op)}
			for k, sub := range op.Subcomponents {
				p.Subcomponents = append(p.Subcomponents, fromOpenVEX(r, pat+ptr("subcomponents", k), sub))
			}
			st.Products = append(st.Products, p)
		}
		d.Statements = append(d.Statements, st)
	}
	checkContradictions(r, d, func(i, j int) string { return locate.AtPath(name, ptr("statements", i, "products", j)) })
	if err := r.err(); err != nil {
		return nil, err
	}
	return d, nil
}

// smallInt reads a version number the schema has checked to be an integer.
func smallInt(r *report, at string, n json.Number) int {
	if n == "" {
		return 0
	}
	f, err := n.Float64()
	if err != nil || f != float64(int64(f)) || f < 0 || f > 1<<31-1 {
		r.at(at, "expected a version number up to %d, found %s", 1<<31-1, n)
		return 0
	}
	return int(f)
}

// fromOpenVEX reads an OpenVEX component. The @id names it (a purl, a CPE,
// a CycloneDX BOM link or another IRI); identifiers add a purl and CPEs.
// A purl's "vers" qualifier (the purl specification's way to give a version
// range) becomes the version range.
func fromOpenVEX(r *report, at string, oc ovComponent) Component {
	var c Component
	purlAt := at + "/identifiers/purl"
	if oc.Identifiers != nil {
		c.PURL = oc.Identifiers.PURL
		c.CPE = cmp.Or(oc.Identifiers.CPE23, oc.Identifiers.CPE22)
	}
	switch id := oc.ID; {
	case id == "":
	case hasPrefixFold(id, "pkg:") && c.PURL == "":
		c.PURL, purlAt = id, at+"/@id"
	case hasPrefixFold(id, "cpe:") && c.CPE == "":
		c.CPE = id
	case cdx.IsBOMLink(id):
		c.BOMLink = id
	case id != c.PURL && id != c.CPE:
		c.ID = id
	}
	if c.PURL != "" {
		c.PURL, c.VersionRange = splitVers(r, purlAt, c.PURL)
	}
	return c
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// splitVers checks a purl and takes its "vers" qualifier out as a version
// range.
func splitVers(r *report, at, s string) (purl, versionRange string) {
	p, err := packageurl.FromString(s)
	if err != nil {
		r.at(at, "expected a valid purl, found %s: %v", locate.Quote(s), err)
		return s, ""
	}
	m := p.Qualifiers.Map()
	v, ok := m["vers"]
	if !ok {
		return s, ""
	}
	delete(m, "vers")
	p.Qualifiers = packageurl.QualifiersFromMap(m)
	return p.ToString(), v
}

// EncodeOpenVEX writes d as an OpenVEX 0.2.0 document that is valid against
// the OpenVEX schema. What OpenVEX requires and d lacks is an EInvalid
// error: a statement without products, a not_affected one with neither a
// justification nor an impact statement, an affected one with no action
// statement (the CycloneDX detail or responses stand in for one), a document
// without a timestamp, a version range on a product named other than by
// purl or name, a range that is not a vers: range. A missing author is
// written as "Unknown Author", a missing version as 1, an ID that is not an
// absolute IRI is replaced by https://openvex.dev/docs/public/vex-<sha256 of
// the document>, the convention of the OpenVEX tools.
func EncodeOpenVEX(d *Document) ([]byte, error) {
	if d == nil {
		return nil, cradle.Invalid("there is no document to write as OpenVEX")
	}
	r := &report{what: "OpenVEX", cannot: true}
	ov := ovDoc{
		Context: openVEXContext,
		ID:      d.ID,
		Author:  cmp.Or(strings.TrimSpace(d.Author), "Unknown Author"),
		Version: json.Number(fmt.Sprint(max(d.Version, 1))),
	}
	ts := d.Timestamp
	if ts.IsZero() {
		// A document's issue time is at least its latest statement's.
		for _, s := range d.Statements {
			if s.Timestamp.After(ts) {
				ts = s.Timestamp
			}
		}
	}
	if ts.IsZero() {
		r.at("/timestamp", "expected the time the document was issued, found none (OpenVEX requires one)")
	} else {
		ov.Timestamp = formatTime(ts)
	}
	if len(d.Statements) == 0 {
		r.at("/statements", "expected at least one statement, found none")
	}
	seen := map[string]bool{}
	for i, s := range d.Statements {
		st, ok := toOpenVEX(r, ptr("statements", i), s)
		if !ok {
			continue
		}
		// The schema wants unique statements; a repeat says nothing new.
		b, _ := json.Marshal(st)
		if seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		ov.Statements = append(ov.Statements, st)
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	if !absoluteIRI(ov.ID) {
		ov.ID = ""
		b, err := json.Marshal(ov)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ov.ID = "https://openvex.dev/docs/public/vex-" + hex.EncodeToString(sum[:])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "Name <mail>" authors stay readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(ov); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	// The output is checked like any input: a purl or IRI in d that is not
	// one would otherwise produce a document other tools reject.
	s, err := openVEXSchema()
	if err != nil {
		return nil, err
	}
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	if err := s.Validate(tree); err != nil {
		schemaProblems(r, err)
		return nil, r.err()
	}
	return out, nil
}

func formatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func absoluteIRI(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

func toOpenVEX(r *report, at string, s Statement) (ovStatement, bool) {
	n := len(r.problems)
	out := ovStatement{
		Vulnerability: ovVuln{
			Name:        s.Vulnerability.ID,
			Description: s.Vulnerability.Description,
			Aliases:     uniqueAliases(s.Vulnerability.ID, s.Vulnerability.Aliases),
		},
		Status:          string(s.Status),
		Justification:   string(s.Justification),
		ImpactStatement: s.ImpactStatement,
		ActionStatement: s.ActionStatement,
		StatusNotes:     s.Detail,
	}
	if !s.Timestamp.IsZero() {
		out.Timestamp = formatTime(s.Timestamp)
	}
	if strings.TrimSpace(s.Vulnerability.ID) == "" {
		r.at(at+"/vulnerability", "expected a vulnerability ID, found none")
	}
	if !s.Status.Valid() {
		r.at(at+"/status", "expected one of not_affected, affected, fixed, under_investigation, found %s", locate.Quote(string(s.Status)))
	}
	if s.Justification != "" && !s.Justification.Valid() {
		r.at(at+"/justification", "expected one of the five VEX justifications, found %s", locate.Quote(string(s.Justification)))
	}
	switch s.Status {
	case StatusNotAffected:
		if out.Justification == "" && out.ImpactStatement == "" {
			if s.CycloneDXJustification != "" {
				// The CycloneDX label has no OpenVEX equivalent; said in
				// words it is still the reason.
				out.ImpactStatement = "CycloneDX justification: " + s.CycloneDXJustification
			} else {
				r.at(at, "expected a justification or an impact statement for not_affected (OpenVEX requires one), found neither")
			}
		}
	case StatusAffected:
		if out.ActionStatement == "" {
			// A CycloneDX analysis has no action statement; its detail,
			// else its responses, are what it says to do.
			out.ActionStatement = s.Detail
		}
		if out.ActionStatement == "" && len(s.Response) > 0 {
			out.ActionStatement = "CycloneDX response: " + strings.Join(s.Response, ", ")
		}
		if out.ActionStatement == "" {
			r.at(at, "expected an action statement for affected (OpenVEX requires one), found none")
		}
	}
	if len(s.Products) == 0 {
		r.at(at+"/products", "expected products (OpenVEX statements must identify them), found none")
	}
	seen := map[string]bool{}
	for j, p := range s.Products {
		pat := at + ptr("products", j)
		oc := toOpenVEXComponent(r, pat, p.Component)
		subSeen := map[string]bool{}
		for k, sub := range p.Subcomponents {
			sc := toOpenVEXComponent(r, pat+ptr("subcomponents", k), sub)
			sc.Subcomponents = nil
			b, _ := json.Marshal(sc)
			if !subSeen[string(b)] {
				subSeen[string(b)] = true
				oc.Subcomponents = append(oc.Subcomponents, sc)
			}
		}
		b, _ := json.Marshal(oc)
		if !seen[string(b)] {
			seen[string(b)] = true
			out.Products = append(out.Products, oc)
		}
	}
	return out, len(r.problems) == n
}

// toOpenVEXComponent names c by an IRI: its purl (with the version and a
// vers qualifier for a range), else its IRI or BOM link, else (when it has
// neither a purl nor a CPE) the generic purl of its vendor, name and
// version. CPEs go to identifiers.
func toOpenVEXComponent(r *report, at string, c Component) ovComponent {
	var oc ovComponent
	ids := ovIdentifiers{}
	if strings.HasPrefix(c.CPE, "cpe:2.3:") {
		ids.CPE23 = c.CPE
	} else {
		ids.CPE22 = c.CPE
	}
	if c.VersionRange != "" {
		if !strings.HasPrefix(c.VersionRange, "vers:") {
			r.at(at, "expected a vers: version range (the only kind a purl can carry), found %s", locate.Quote(c.VersionRange))
			return oc
		}
		if c.PURL == "" && (c.ID != "" || c.BOMLink != "" || c.CPE != "" || c.Name == "") {
			r.at(at, "expected a purl or a name for a component with a version range (OpenVEX can give a range only in a purl), found %s", locate.Quote(c.Key()))
			return oc
		}
	}
	switch {
	case c.PURL != "":
		p, err := packageurl.FromString(c.PURL)
		if err != nil {
			r.at(at, "expected a valid purl, found %s: %v", locate.Quote(c.PURL), err)
			return oc
		}
		oc.ID = purlWith(p, c.Version, c.VersionRange, c.PURL)
	case c.ID != "" || c.BOMLink != "":
		if c.Version != "" {
			r.at(at, "expected no version on a component named by an IRI or BOM-Link (OpenVEX has no field for it), found %s", locate.Quote(c.Version))
			return oc
		}
		oc.ID = cmp.Or(c.ID, c.BOMLink)
	case c.CPE == "" && c.Name != "":
		oc.ID = purlWith(genericPackageURL(c), "", c.VersionRange, "")
	case c.CPE == "":
		r.at(at, "expected a purl, CPE, IRI or name to identify the component, found none")
		return oc
	}
	if ids != (ovIdentifiers{}) {
		oc.Identifiers = &ids
	}
	return oc
}

// purlWith returns p pinned to version (when it has none) or widened to a
// vers range; orig, when nothing changes, is kept as the author wrote it.
func purlWith(p packageurl.PackageURL, version, versionRange, orig string) string {
	switch {
	case versionRange != "":
		m := p.Qualifiers.Map()
		m["vers"] = versionRange
		p.Qualifiers = packageurl.QualifiersFromMap(m)
		p.Version = ""
	case version != "" && p.Version == "":
		p.Version = version
	case orig != "":
		return orig
	}
	return p.ToString()
}

// schemaProblems turns a JSON Schema failure into located problems.
func schemaProblems(r *report, err error) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		r.at("", "cannot validate the document: %v", err)
		return
	}
	type item struct {
		path []string
		msg  string
	}
	var items []item
	seen := map[string]bool{}
	for _, leaf := range locate.SchemaLeaves(ve, nil) {
		var msgs []string
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, p := range k.Missing {
				msgs = append(msgs, "expected the required property "+locate.Quote(p)+", found none")
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				msgs = append(msgs, "expected no property "+locate.Quote(p)+" here (the schema does not define it)")
			}
		case *kind.Type:
			msgs = append(msgs, fmt.Sprintf("expected %s, found %s", strings.Join(k.Want, " or "), k.Got))
		case *kind.Enum:
			want := make([]string, len(k.Want))
			for i, w := range k.Want {
				want[i] = jsonValue(w)
			}
			msgs = append(msgs, fmt.Sprintf("expected one of %s, found %s", strings.Join(want, ", "), jsonValue(k.Got)))
		case *kind.Format:
			msgs = append(msgs, fmt.Sprintf("expected a valid %s, found %s", k.Want, jsonValue(k.Got)))
		case *kind.MinItems:
			msgs = append(msgs, fmt.Sprintf("expected at least %d items, found %d", k.Want, k.Got))
		case *kind.Minimum:
			msgs = append(msgs, fmt.Sprintf("expected at least %v, found %v", k.Want, k.Got))
		case *kind.UniqueItems:
			msgs = append(msgs, fmt.Sprintf("expected unique items, found items %d and %d equal", k.Duplicates[0], k.Duplicates[1]))
		case *kind.AnyOf, *kind.OneOf:
			msgs = append(msgs, "expected a value matching one of the allowed forms (for a not_affected statement a justification or impact_statement; for a component an @id or identifiers), found one that matches none")
		default:
			msgs = append(msgs, leaf.Error())
		}
		for _, m := range msgs {
			key := locate.Pointer(leaf.InstanceLocation...) + "\x00" + m
			if !seen[key] {
				seen[key] = true
				items = append(items, item{leaf.InstanceLocation, m})
			}
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return locate.ComparePaths(a.path, b.path) })
	for _, it := range items {
		r.at(locate.Pointer(it.path...), "%s", it.msg)
	}
}
