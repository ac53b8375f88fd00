package vex

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cradle-sdl/cradle/internal/locate"
	packageurl "github.com/package-url/packageurl-go"
)

// The CSAF 2.0 JSON that VEX needs. The csaf package owns the full model;
// this one reads only product tree and product status, so that the two can
// change apart.
type csafDoc struct {
	Document struct {
		Category    string `json:"category"`
		CSAFVersion string `json:"csaf_version"`
		Publisher   struct {
			Name string `json:"name"`
		} `json:"publisher"`
		Tracking struct {
			ID                 string            `json:"id"`
			CurrentReleaseDate string            `json:"current_release_date"`
			Version            string            `json:"version"`
			RevisionHistory    []json.RawMessage `json:"revision_history"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree *struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
		Relationships    []struct {
			Category         string      `json:"category"`
			FullProductName  csafProduct `json:"full_product_name"`
			ProductReference string      `json:"product_reference"`
			RelatesTo        string      `json:"relates_to_product_reference"`
		} `json:"relationships"`
		ProductGroups []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
	} `json:"product_tree"`
	Vulnerabilities []csafVuln `json:"vulnerabilities"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
	Helper    *struct {
		PURL string `json:"purl"`
		CPE  string `json:"cpe"`
	} `json:"product_identification_helper"`
}

// csafRefs are the products a flag, threat or remediation applies to.
type csafRefs struct {
	ProductIDs []string `json:"product_ids"`
	GroupIDs   []string `json:"group_ids"`
}

type csafVuln struct {
	CVE string `json:"cve"`
	IDs []struct {
		Text string `json:"text"`
	} `json:"ids"`
	Title string `json:"title"`
	Notes []struct {
		Category string `json:"category"`
		Text     string `json:"text"`
	} `json:"notes"`
	ProductStatus map[string][]string `json:"product_status"`
	Flags         []struct {
		Label string `json:"label"`
		csafRefs
	} `json:"flags"`
	Threats []struct {
		Category string `json:"category"`
		Details  string `json:"details"`
		csafRefs
	} `json:"threats"`
	Remediations []struct {
		Category string `json:"category"`
		Details  string `json:"details"`
		csafRefs
	} `json:"remediations"`
}

// csafStatuses maps CSAF product status groups to VEX statuses, in the
// order statements are made. The group name says which ones may not
// overlap for one product (CSAF 6.1.6).
type csafStatus struct {
	key, group string
	status     Status
}

var csafStatuses = []csafStatus{
	{"known_affected", "affected", StatusAffected},
	{"first_affected", "affected", StatusAffected},
	{"last_affected", "affected", StatusAffected},
	{"known_not_affected", "not affected", StatusNotAffected},
	{"fixed", "fixed", StatusFixed},
	{"first_fixed", "fixed", StatusFixed},
	{"under_investigation", "under investigation", StatusUnderInvestigation},
	{"recommended", "", ""}, // a recommendation, not a status
}

// Limits on what a document can make cradle build: relationship nesting
// (real advisories nest one or two levels) and product references after
// expanding product groups.
const (
	maxRelationDepth = 16
	maxProductRefs   = 1 << 20
)

var csafRelationships = []string{"default_component_of", "external_component_of", "installed_on", "installed_with", "optional_component_of"}

// csafDef is a product ID's definition: a product of the tree, or a
// relationship that combines two.
type csafDef struct {
	c          Component
	ptr        string
	relation   bool
	ref, relTo string
	// resolution, memoised: 0 not yet, 1 in progress (a cycle if met
	// again), 2 done.
	state    int
	resolved Product
	ok       bool
	height   int // how many relationships deep it is built
}

func (d *csafDef) heightOrZero() int {
	if d == nil {
		return 0
	}
	return d.height
}

func decodeCSAF(name string, data []byte, root map[string]any) (*Document, error) {
	r := &report{name: name, what: "CSAF VEX document"}
	doc, _ := root["document"].(map[string]any)
	category, _ := doc["category"].(string)
	if category != "csaf_vex" && category != "csaf_security_advisory" {
		r.at("/document/category", "expected csaf_vex (or csaf_security_advisory, whose product status cradle reads too), found %s", jsonValue(doc["category"]))
		return nil, r.err()
	}
	vexProfile := category == "csaf_vex"
	var c csafDoc
	if err := json.Unmarshal(data, &c); err != nil {
		r.typeError(data, err)
		return nil, r.err()
	}
	if v := c.Document.CSAFVersion; v != "2.0" {
		r.at("/document/csaf_version", "expected CSAF 2.0, found %s", locate.Quote(v))
		return nil, r.err()
	}
	tr := c.Document.Tracking
	d := &Document{Format: FormatCSAF, ID: tr.ID, Author: c.Document.Publisher.Name}
	d.Timestamp = parseTime(r, "/document/tracking/current_release_date", tr.CurrentReleaseDate)
	if n, err := strconv.Atoi(tr.Version); err == nil && n >= 0 {
		d.Version = n
	} else {
		// Semantic versioning: the revision count orders versions too.
		d.Version = len(tr.RevisionHistory)
	}

	// Every product ID the tree defines (CSAF 6.1.1, 6.1.2).
	defs := map[string]*csafDef{}
	define := func(id, at string, def *csafDef) {
		def.ptr = at
		if id == "" {
			r.at(at+"/product_id", "expected a product_id, found none")
			return
		}
		if prev, dup := defs[id]; dup {
			r.at(at+"/product_id", "expected each product_id defined once, found %s again (first at %s; CSAF 6.1.2)", locate.Quote(id), prev.ptr)
			return
		}
		defs[id] = def
	}
	groups := map[string][]string{}
	if pt := c.ProductTree; pt != nil {
		var walk func(bs []csafBranch, at string, ctx branchPath)
		walk = func(bs []csafBranch, at string, ctx branchPath) {
			for i, b := range bs {
				bat := at + ptr(i)
				here := ctx.with(b.Category, b.Name)
				if b.Product != nil {
					define(b.Product.ProductID, bat+"/product", &csafDef{c: csafComponent(r, bat+"/product", here, *b.Product)})
				}
				walk(b.Branches, bat+"/branches", here)
			}
		}
		walk(pt.Branches, "/product_tree/branches", branchPath{})
		for i, p := range pt.FullProductNames {
			at := ptr("product_tree", "full_product_names", i)
			define(p.ProductID, at, &csafDef{c: csafComponent(r, at, branchPath{}, p)})
		}
		for i, rel := range pt.Relationships {
			at := ptr("product_tree", "relationships", i)
			if !slices.Contains(csafRelationships, rel.Category) {
				r.at(at+"/category", "expected one of %s, found %s", strings.Join(csafRelationships, ", "), locate.Quote(rel.Category))
			}
			define(rel.FullProductName.ProductID, at+"/full_product_name", &csafDef{relation: true, ref: rel.ProductReference, relTo: rel.RelatesTo})
		}
		for i, g := range pt.ProductGroups {
			at := ptr("product_tree", "product_groups", i)
			if _, dup := groups[g.GroupID]; dup {
				r.at(at+"/group_id", "expected each group_id defined once, found %s again (CSAF 6.1.5)", locate.Quote(g.GroupID))
				continue
			}
			groups[g.GroupID] = g.ProductIDs
		}
	}

	// resolve turns a product ID into the product it names; a relationship
	// "A default_component_of B" is product B with subcomponent A (and so
	// for the other relationship kinds: the statement is about A as part
	// of, installed on or with, B).
	var resolve func(id, at string, depth int) (Product, bool)
	resolve = func(id, at string, depth int) (Product, bool) {
		def := defs[id]
		if def == nil {
			r.at(at, "expected a product ID defined in the product tree, found %s, which is not (CSAF 6.1.1)", locate.Quote(id))
			return Product{}, false
		}
		switch def.state {
		case 1:
			r.at(def.ptr, "expected relationships without cycles, found %s defined through itself (CSAF 6.1.3)", locate.Quote(id))
			def.state, def.ok = 2, false
			return Product{}, false
		case 2:
			return def.resolved, def.ok
		}
		if !def.relation {
			def.state, def.resolved, def.ok = 2, Product{Component: def.c}, true
			return def.resolved, true
		}
		if depth > maxRelationDepth {
			r.at(def.ptr, "expected relationships nested at most %d deep, found deeper", maxRelationDepth)
			return Product{}, false
		}
		def.state = 1
		relAt := strings.TrimSuffix(def.ptr, "/full_product_name")
		parent, ok1 := resolve(def.relTo, relAt+"/relates_to_product_reference", depth+1)
		child, ok2 := resolve(def.ref, relAt+"/product_reference", depth+1)
		if def.state == 2 { // a cycle was reported on the way
			return Product{}, false
		}
		def.height = 1 + max(defs[def.relTo].heightOrZero(), defs[def.ref].heightOrZero())
		if ok1 && ok2 && def.height > maxRelationDepth {
			// Each level copies the subcomponents below it: a long
			// chain would cost memory quadratic in its length.
			r.at(def.ptr, "expected relationships nested at most %d deep, found %d", maxRelationDepth, def.height)
			ok1 = false
		}
		p := Product{Component: parent.Component}
		if ok1 && ok2 {
			p.Subcomponents = append(slices.Clone(parent.Subcomponents), child.Component)
			p.Subcomponents = append(p.Subcomponents, child.Subcomponents...)
		}
		def.state, def.resolved, def.ok = 2, p, ok1 && ok2
		return p, def.ok
	}
	// Every relationship must resolve, referenced or not; in document
	// order, for stable messages.
	if pt := c.ProductTree; pt != nil {
		for _, rel := range pt.Relationships {
			if def := defs[rel.FullProductName.ProductID]; def != nil && def.relation {
				resolve(rel.FullProductName.ProductID, def.ptr, 0)
			}
		}
	}

	if pt := c.ProductTree; pt != nil {
		for i, g := range pt.ProductGroups {
			for m, id := range g.ProductIDs {
				if defs[id] == nil {
					r.at(ptr("product_tree", "product_groups", i, "product_ids", m), "expected a product ID defined in the product tree, found %s, which is not (CSAF 6.1.1)", locate.Quote(id))
				}
			}
		}
	}

	// expand lists the product IDs a flag, threat or remediation names.
	// Product groups multiply references; budget bounds what a small
	// document can make cradle expand.
	budget := maxProductRefs
	expand := func(refs csafRefs, at string) []string {
		var ids []string
		for k, id := range refs.ProductIDs {
			where := ""
			if defs[id] == nil {
				where = at + ptr("product_ids", k)
			}
			if _, ok := resolve(id, where, 0); ok {
				ids = append(ids, id)
			}
		}
		for k, g := range refs.GroupIDs {
			members, ok := groups[g]
			if !ok {
				r.at(at+ptr("group_ids", k), "expected a group_id defined in the product tree, found %s, which is not (CSAF 6.1.4)", locate.Quote(g))
				continue
			}
			if budget -= len(members); budget < 0 {
				if budget+len(members) >= 0 {
					r.at(at+ptr("group_ids", k), "expected at most %d product references after expanding product groups, found more", maxProductRefs)
				}
				return nil
			}
			for _, id := range members {
				// Members were checked where the group is defined.
				if defs[id] != nil {
					if _, ok := resolve(id, "", 0); ok {
						ids = append(ids, id)
					}
				}
			}
		}
		return ids
	}

	var locs [][]string
	for i, v := range c.Vulnerabilities {
		if r.full() {
			break
		}
		at := ptr("vulnerabilities", i)
		vuln := Vulnerability{ID: v.CVE, Description: v.Title}
		for _, n := range v.Notes {
			if n.Category == "description" && n.Text != "" {
				vuln.Description = n.Text
				break
			}
		}
		var names []string
		for _, id := range v.IDs {
			if vuln.ID == "" {
				vuln.ID = id.Text
			}
			names = append(names, id.Text)
		}
		vuln.Aliases = uniqueAliases(vuln.ID, names)
		if vuln.ID == "" {
			r.at(at, "expected cve or ids to name the vulnerability, found neither (CSAF 6.1.27.8)")
		}

		// Justifications (flags), impact statements (threats of category
		// impact) and action statements (remediations) per product ID.
		just := map[string]Justification{}
		for k, f := range v.Flags {
			fat := at + ptr("flags", k)
			j := Justification(f.Label)
			if !j.Valid() {
				r.at(fat+"/label", "expected one of the five VEX justifications, found %s", locate.Quote(f.Label))
				continue
			}
			if len(f.ProductIDs) == 0 && len(f.GroupIDs) == 0 {
				r.at(fat, "expected product_ids or group_ids saying what the flag applies to, found neither (CSAF 6.1.32)")
			}
			for _, id := range expand(f.csafRefs, fat) {
				if prev, ok := just[id]; ok && prev != j {
					r.at(fat, "expected one justification per product, found %s and %s for %s (CSAF 6.1.33)", prev, j, locate.Quote(id))
				}
				just[id] = j
			}
		}
		// Impact and action statements per product ID, as indexes into
		// the distinct texts, so that a long text named for many products
		// is not copied for each.
		var texts []string
		textIndex := map[string]int{}
		type attached struct {
			impact bool
			id     string
			text   int
		}
		done := map[attached]bool{}
		attach := func(m map[string][]int, impact bool, id, text string) {
			ti, ok := textIndex[text]
			if !ok {
				ti = len(texts)
				textIndex[text] = ti
				texts = append(texts, text)
			}
			if a := (attached{impact, id, ti}); !done[a] {
				done[a] = true
				m[id] = append(m[id], ti)
			}
		}
		join := func(tis []int) string {
			parts := make([]string, len(tis))
			for i, ti := range tis {
				parts[i] = texts[ti]
			}
			return strings.Join(parts, "\n\n")
		}
		impact := map[string][]int{}
		for k, t := range v.Threats {
			if t.Category != "impact" {
				continue
			}
			for _, id := range expand(t.csafRefs, at+ptr("threats", k)) {
				attach(impact, true, id, t.Details)
			}
		}
		action := map[string][]int{}
		for k, rem := range v.Remediations {
			rat := at + ptr("remediations", k)
			if len(rem.ProductIDs) == 0 && len(rem.GroupIDs) == 0 {
				r.at(rat, "expected product_ids or group_ids saying what the remediation applies to, found neither (CSAF 6.1.29)")
			}
			for _, id := range expand(rem.csafRefs, rat) {
				attach(action, false, id, rem.Details)
			}
		}

		// Product status: one group per product (CSAF 6.1.6).
		for _, key := range slices.Sorted(maps.Keys(v.ProductStatus)) {
			if !slices.ContainsFunc(csafStatuses, func(s csafStatus) bool { return s.key == key }) {
				r.at(at+ptr("product_status", key), "expected a product status (known_affected, known_not_affected, fixed, under_investigation, ...), found %s", locate.Quote(key))
			}
		}
		vexStatus := false
		type given struct{ group, at string }
		seen := map[string]given{}
		stmtIndex := map[string]int{}
		for _, cs := range csafStatuses {
			for k, id := range v.ProductStatus[cs.key] {
				pat := at + ptr("product_status", cs.key, k)
				p, ok := resolve(id, pat, 0)
				if !ok || cs.status == "" {
					continue
				}
				switch cs.key {
				case "fixed", "known_affected", "known_not_affected", "under_investigation":
					vexStatus = true
				}
				if prev, ok := seen[id]; ok {
					if prev.group != cs.group {
						r.at(pat, "expected one status group per product, found %s %s here and %s at %s (CSAF 6.1.6)", locate.Quote(id), cs.group, prev.group, prev.at)
					}
					continue
				}
				seen[id] = given{cs.group, locate.AtPath(name, pat)}
				if vexProfile {
					switch {
					case cs.key == "known_not_affected" && just[id] == "" && len(impact[id]) == 0:
						r.at(pat, "expected a flag or a threat of category impact for %s, known_not_affected needs an impact statement (CSAF 6.1.27.9)", locate.Quote(id))
					case cs.key == "known_affected" && len(action[id]) == 0:
						r.at(pat, "expected a remediation for %s, known_affected needs an action statement (CSAF 6.1.27.10)", locate.Quote(id))
					}
				}
				// Products with the same status and the same words share
				// a statement.
				key := fmt.Sprint(cs.status, just[id], impact[id], action[id])
				si, ok := stmtIndex[key]
				if !ok {
					si = len(d.Statements)
					stmtIndex[key] = si
					d.Statements = append(d.Statements, Statement{Vulnerability: vuln, Status: cs.status, Justification: just[id],
						ImpactStatement: join(impact[id]), ActionStatement: join(action[id])})
					locs = append(locs, nil)
				}
				d.Statements[si].Products = append(d.Statements[si].Products, p)
				locs[si] = append(locs[si], locate.AtPath(name, pat))
			}
		}
		if vexProfile && !vexStatus {
			r.at(at+"/product_status", "expected at least one of fixed, known_affected, known_not_affected, under_investigation, found none (CSAF 6.1.27.7)")
		}
	}
	if len(d.Statements) == 0 && len(r.problems) == 0 {
		r.at("/vulnerabilities", "expected at least one product status (a VEX statement), found none")
	}
	checkContradictions(r, d, func(i, j int) string { return locs[i][j] })
	if err := r.err(); err != nil {
		return nil, err
	}
	for i := range d.Statements {
		d.Statements[i].Products = mergeProducts(d.Statements[i].Products)
	}
	return d, nil
}

// branchPath is what the branches above a product say about it.
type branchPath struct {
	vendor, name, family, version, versionRange string
}

func (b branchPath) with(category, name string) branchPath {
	switch category {
	case "vendor":
		b.vendor = name
	case "product_name":
		b.name = name
	case "product_family":
		b.family = name
	case "product_version":
		b.version = name
	case "product_version_range":
		b.versionRange = name
	}
	return b
}

// csafComponent identifies a product of the tree: by the purl and CPE of
// its identification helper, and by vendor, product name and version from
// its branches. Without a product_name branch the name is the full product
// name, which then carries the version (Red Hat's "hivex-0:1.3.15-7...").
func csafComponent(r *report, at string, b branchPath, p csafProduct) Component {
	c := Component{Vendor: b.vendor, Name: b.name, Version: b.version, VersionRange: b.versionRange}
	if c.Name == "" {
		c.Name, c.Version = p.Name, ""
	}
	if h := p.Helper; h != nil {
		c.PURL, c.CPE = h.PURL, h.CPE
		if c.PURL != "" {
			if _, err := packageurl.FromString(c.PURL); err != nil {
				r.at(at+"/product_identification_helper/purl", "expected a valid purl, found %s: %v (CSAF 6.1.13)", locate.Quote(c.PURL), err)
			}
		}
	}
	return c
}
