package catalog

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// OSCALVersion is the OSCAL release the export follows.
const OSCALVersion = "1.1.3"

// oscalNS qualifies the properties cradle adds that OSCAL does not define.
// It names, it is not fetched.
const oscalNS = "https://github.com/cradle-sdl/cradle/ns/oscal"

// The OSCAL catalog model, as much of it as the export writes
// (https://pages.nist.gov/OSCAL/reference/1.1.3/catalog/json-reference/).
type (
	oscalDocument struct {
		Catalog oscalCatalog `json:"catalog"`
	}
	oscalCatalog struct {
		UUID     string         `json:"uuid"`
		Metadata oscalMetadata  `json:"metadata"`
		Groups   []oscalGroup   `json:"groups,omitempty"`
		Controls []oscalControl `json:"controls,omitempty"`
	}
	oscalMetadata struct {
		Title        string      `json:"title"`
		LastModified string      `json:"last-modified"`
		Version      string      `json:"version"`
		OSCALVersion string      `json:"oscal-version"`
		Props        []oscalProp `json:"props,omitempty"`
		Links        []oscalLink `json:"links,omitempty"`
		Remarks      string      `json:"remarks,omitempty"`
	}
	oscalGroup struct {
		ID       string         `json:"id"`
		Class    string         `json:"class,omitempty"`
		Title    string         `json:"title"`
		Props    []oscalProp    `json:"props,omitempty"`
		Parts    []oscalPart    `json:"parts,omitempty"`
		Groups   []oscalGroup   `json:"groups,omitempty"`
		Controls []oscalControl `json:"controls,omitempty"`
	}
	oscalControl struct {
		ID    string      `json:"id"`
		Class string      `json:"class,omitempty"`
		Title string      `json:"title"`
		Props []oscalProp `json:"props,omitempty"`
		Parts []oscalPart `json:"parts,omitempty"`
	}
	oscalProp struct {
		Name  string `json:"name"`
		NS    string `json:"ns,omitempty"`
		Value string `json:"value"`
	}
	oscalPart struct {
		ID    string `json:"id,omitempty"`
		Name  string `json:"name"`
		Prose string `json:"prose,omitempty"`
	}
	oscalLink struct {
		Href string `json:"href"`
		Rel  string `json:"rel,omitempty"`
		Text string `json:"text,omitempty"`
	}
)

// OSCAL writes the catalogue as an OSCAL catalog (JSON, OSCAL 1.1.3) for
// tools that read OSCAL: groups become groups, requirements controls with
// a "statement" part (the description) and a "guidance" part; the
// original ID is kept as the "label" property, the kind, clause and
// freshness as properties in cradle's namespace. now is the
// last-modified time.
//
// OSCAL IDs are tokens, so item IDs are lower-cased ("SM-1" → "sm-1") and
// an ID starting with a digit gets a leading "_" ("5.1" → "_5.1"); IDs are
// unique ignoring case and never contain "_", so the results are unique.
// The catalog UUID is a name-based (version 5) UUID of the catalogue ID and
// version: exporting the same catalogue version twice gives the same UUID,
// and a new version of the data gets a new one, as OSCAL asks of a revised
// document.
func (c *Catalog) OSCAL(now time.Time) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if now.IsZero() {
		return nil, cradle.Errorf(cradle.EInvalid, "export catalogue %s as OSCAL: no last-modified time given", c.ID)
	}
	doc := oscalDocument{Catalog: oscalCatalog{
		UUID: uuid5(oscalNamespace, "catalog:"+c.ID+"@"+c.Version),
		Metadata: oscalMetadata{
			Title:        c.Title,
			LastModified: now.UTC().Truncate(time.Second).Format(time.RFC3339),
			Version:      c.Version,
			OSCALVersion: OSCALVersion,
			Props:        []oscalProp{{Name: "catalog-id", NS: oscalNS, Value: c.ID}},
		},
	}}
	md := &doc.Catalog.Metadata
	if c.Publisher != "" {
		md.Props = append(md.Props, oscalProp{Name: "publisher", NS: oscalNS, Value: c.Publisher})
	}
	if c.URL != "" {
		md.Links = []oscalLink{{Href: c.URL, Rel: "reference", Text: c.Title}}
	}
	md.Remarks = strings.TrimSpace(c.Source + "\n\n" + c.Licence)

	var group func(g *Group) oscalGroup
	group = func(g *Group) oscalGroup {
		og := oscalGroup{ID: oscalID(g.ID), Title: g.Title, Props: []oscalProp{{Name: "label", Value: g.ID}}}
		if g.Clause != "" {
			og.Props = append(og.Props, oscalProp{Name: "clause", NS: oscalNS, Value: g.Clause})
		}
		if g.Description != "" {
			og.Parts = []oscalPart{{ID: oscalID(g.ID) + "_ovw", Name: "overview", Prose: g.Description}}
		}
		for i := range c.Groups {
			if c.Groups[i].Parent == g.ID {
				og.Groups = append(og.Groups, group(&c.Groups[i]))
			}
		}
		for _, r := range c.In(g.ID) {
			og.Controls = append(og.Controls, control(r))
		}
		return og
	}
	for i := range c.Groups {
		if c.Groups[i].Parent == "" {
			doc.Catalog.Groups = append(doc.Catalog.Groups, group(&c.Groups[i]))
		}
	}
	for _, r := range c.In("") {
		doc.Catalog.Controls = append(doc.Catalog.Controls, control(r))
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export catalogue %s as OSCAL: %w", c.ID, err)
	}
	return append(b, '\n'), nil
}

func control(r *Requirement) oscalControl {
	id := oscalID(r.ID)
	oc := oscalControl{ID: id, Title: r.Title, Props: []oscalProp{
		{Name: "label", Value: r.ID},
		{Name: "kind", NS: oscalNS, Value: string(r.Kind)},
	}}
	if r.Clause != "" {
		oc.Props = append(oc.Props, oscalProp{Name: "clause", NS: oscalNS, Value: r.Clause})
	}
	if f := r.Freshness; f != nil {
		oc.Props = append(oc.Props, oscalProp{Name: "evidence-max-age-days", NS: oscalNS, Value: fmt.Sprint(f.MaxAgeDays)})
		for _, l := range f.Lifecycle {
			oc.Props = append(oc.Props, oscalProp{Name: "evidence-max-age-lifecycle", NS: oscalNS, Value: string(l)})
		}
	}
	if r.Description != "" {
		oc.Parts = append(oc.Parts, oscalPart{ID: id + "_smt", Name: "statement", Prose: r.Description})
	}
	if r.Guidance != "" {
		oc.Parts = append(oc.Parts, oscalPart{ID: id + "_gdn", Name: "guidance", Prose: r.Guidance})
	}
	return oc
}

// oscalID turns an item ID into an OSCAL token (a letter or "_" first, then
// letters, digits, ".", "-", "_").
func oscalID(id string) string {
	id = strings.ToLower(id)
	if id != "" && id[0] >= '0' && id[0] <= '9' {
		id = "_" + id
	}
	return id
}

// oscalNamespace is the namespace of cradle's name-based UUIDs: itself the
// version 5 UUID of cradle's catalogue URL in the RFC 9562 URL namespace.
var oscalNamespace = uuid5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "https://github.com/cradle-sdl/cradle/catalog")

// uuid5 computes a name-based UUID with SHA-1 (RFC 9562, section 5.5).
// ns must be a well-formed UUID; it is one of the constants above.
func uuid5(ns, name string) string {
	nsBytes, err := hex.DecodeString(strings.ReplaceAll(ns, "-", ""))
	if err != nil || len(nsBytes) != 16 {
		panic("catalog: bad UUID namespace " + ns)
	}
	h := sha1.New()
	h.Write(nsBytes)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // variant 10 (RFC 9562)
	s := hex.EncodeToString(u)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}
