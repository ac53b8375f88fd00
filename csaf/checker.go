package csaf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// checker runs the tests on one decoded document. The tests work on the
// typed model and build a JSON pointer only for a failure; the generic
// tree is kept for test 6.1.8, which validates CVSS objects against their
// schemas.
type checker struct {
	doc  *Document
	tree any
	s    *schemas

	errors, warnings []Finding

	// products maps each product ID defined in the product tree to where
	// it was first defined.
	products map[string]string
	// fullNames lists every full_product_name with its path, in document
	// order: branches (depth first), full_product_names, relationships.
	fullNames []placedName
	// branches lists every branch with its path, depth first.
	branches []placedBranch
	// groups maps each product group ID to its members (first
	// definition).
	groups map[string][]string
}

type placedName struct {
	fpn  *FullProductName
	path string
}

type placedBranch struct {
	b    *Branch
	path string
}

func newChecker(doc *Document, tree any, s *schemas) *checker {
	c := &checker{doc: doc, tree: tree, s: s, products: map[string]string{}, groups: map[string][]string{}}
	if pt := doc.ProductTree; pt != nil {
		c.walkBranches(pt.Branches, "/product_tree")
		for i := range pt.FullProductNames {
			c.fullNames = append(c.fullNames, placedName{&pt.FullProductNames[i], "/product_tree/full_product_names/" + strconv.Itoa(i)})
		}
		for i := range pt.Relationships {
			c.fullNames = append(c.fullNames, placedName{&pt.Relationships[i].FullProductName, "/product_tree/relationships/" + strconv.Itoa(i) + "/full_product_name"})
		}
		for _, n := range c.fullNames {
			if _, ok := c.products[n.fpn.ProductID]; !ok {
				c.products[n.fpn.ProductID] = n.path + "/product_id"
			}
		}
		for _, g := range pt.ProductGroups {
			if _, ok := c.groups[g.GroupID]; !ok {
				c.groups[g.GroupID] = g.ProductIDs
			}
		}
	}
	return c
}

func (c *checker) walkBranches(bs []Branch, parent string) {
	for i := range bs {
		b := &bs[i]
		path := parent + "/branches/" + strconv.Itoa(i)
		c.branches = append(c.branches, placedBranch{b, path})
		if b.Product != nil {
			c.fullNames = append(c.fullNames, placedName{b.Product, path + "/product"})
		}
		c.walkBranches(b.Branches, path)
	}
}

func (c *checker) fail(test, path, format string, args ...any) {
	c.errors = append(c.errors, Finding{Test: test, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(test, path, format string, args ...any) {
	c.warnings = append(c.warnings, Finding{Test: test, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) run() {
	c.productIDs()         // 6.1.1, 6.1.2
	c.circular()           // 6.1.3
	c.groupIDs()           // 6.1.4, 6.1.5
	c.contradictions()     // 6.1.6
	c.scoresPerProduct()   // 6.1.7
	c.cvss()               // 6.1.8, 6.1.9, 6.1.10
	c.cwe()                // 6.1.11
	c.languages()          // 6.1.12, 6.1.15, 6.1.28
	c.purls()              // 6.1.13
	c.revisions()          // 6.1.14, 6.1.16–6.1.22, 6.1.30
	c.vulnerabilityItems() // 6.1.23, 6.1.24, 6.1.29, 6.1.32, 6.1.33
	c.hashAlgorithms()     // 6.1.25
	c.category()           // 6.1.26
	c.profiles()           // 6.1.27.1–6.1.27.11
	c.versionRanges()      // 6.1.31
	c.optional()           // 6.2.x
}

// productRef is a reference to a product ID outside a full product name.
type productRef struct {
	id, path string
}

// productRefs lists every reference to a product ID (the relevant paths of
// test 6.1.1, plus /vulnerabilities[]/flags[]/product_ids[], which the
// standard's list omits by mistake: CSAF TC issue #909).
func (c *checker) productRefs() []productRef {
	var refs []productRef
	list := func(ids []string, path string) {
		for i, id := range ids {
			refs = append(refs, productRef{id, path + "/" + strconv.Itoa(i)})
		}
	}
	if pt := c.doc.ProductTree; pt != nil {
		for i, g := range pt.ProductGroups {
			list(g.ProductIDs, "/product_tree/product_groups/"+strconv.Itoa(i)+"/product_ids")
		}
		for i, r := range pt.Relationships {
			p := "/product_tree/relationships/" + strconv.Itoa(i)
			refs = append(refs, productRef{r.ProductReference, p + "/product_reference"}, productRef{r.RelatesToProductReference, p + "/relates_to_product_reference"})
		}
	}
	for i := range c.doc.Vulnerabilities {
		v := &c.doc.Vulnerabilities[i]
		p := "/vulnerabilities/" + strconv.Itoa(i)
		if ps := v.ProductStatus; ps != nil {
			for _, st := range ps.lists() {
				list(st.ids, p+"/product_status/"+st.name)
			}
		}
		for j, r := range v.Remediations {
			list(r.ProductIDs, p+"/remediations/"+strconv.Itoa(j)+"/product_ids")
		}
		for j, s := range v.Scores {
			list(s.Products, p+"/scores/"+strconv.Itoa(j)+"/products")
		}
		for j, t := range v.Threats {
			list(t.ProductIDs, p+"/threats/"+strconv.Itoa(j)+"/product_ids")
		}
		for j, f := range v.Flags {
			list(f.ProductIDs, p+"/flags/"+strconv.Itoa(j)+"/product_ids")
		}
	}
	return refs
}

type statusList struct {
	name string
	ids  []string
}

// lists returns the product status lists in the schema's order.
func (ps *ProductStatus) lists() []statusList {
	return []statusList{
		{"first_affected", ps.FirstAffected},
		{"first_fixed", ps.FirstFixed},
		{"fixed", ps.Fixed},
		{"known_affected", ps.KnownAffected},
		{"known_not_affected", ps.KnownNotAffected},
		{"last_affected", ps.LastAffected},
		{"recommended", ps.Recommended},
		{"under_investigation", ps.UnderInvestigation},
	}
}

// 6.1.1 Missing Definition of Product ID and 6.1.2 Multiple Definition of
// Product ID.
func (c *checker) productIDs() {
	for _, r := range c.productRefs() {
		if r.id == "" {
			continue // the schema reports it
		}
		if _, ok := c.products[r.id]; !ok {
			c.fail("6.1.1", r.path, "product ID %s is not defined in the product tree", locate.Quote(r.id))
		}
	}
	seen := make(map[string]bool, len(c.fullNames))
	for _, n := range c.fullNames {
		id := n.fpn.ProductID
		if seen[id] && id != "" {
			c.fail("6.1.2", n.path+"/product_id", "product ID %s is already defined at %s", locate.Quote(id), c.products[id])
		}
		seen[id] = true
	}
}

// 6.1.3 Circular Definition of Product ID: a product defined by a
// relationship must not depend on itself through the relationships'
// product references. The relationship graph's strongly connected
// components (Tarjan) find every product on a cycle in linear time.
func (c *checker) circular() {
	pt := c.doc.ProductTree
	if pt == nil || len(pt.Relationships) == 0 {
		return
	}
	edges := map[string][]string{}
	for _, r := range pt.Relationships {
		// An empty ID is missing, which the schema reports; it must not
		// link up with other missing IDs into a cycle.
		id := r.FullProductName.ProductID
		if id == "" {
			continue
		}
		for _, ref := range []string{r.ProductReference, r.RelatesToProductReference} {
			if ref != "" {
				edges[id] = append(edges[id], ref)
			}
		}
	}
	onCycle := cyclic(edges)
	for i, r := range pt.Relationships {
		id := r.FullProductName.ProductID
		if onCycle[id] {
			c.fail("6.1.3", "/product_tree/relationships/"+strconv.Itoa(i)+"/full_product_name/product_id",
				"product ID %s is defined in terms of itself (a cycle through the relationships' product references)", locate.Quote(id))
		}
	}
}

// cyclic returns the nodes of a directed graph that lie on a cycle.
func cyclic(edges map[string][]string) map[string]bool {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	out := map[string]bool{}
	n := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = n, n
		n++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			selfLoop := false
			for _, w := range edges[v] {
				if w == v {
					selfLoop = true
				}
			}
			if len(comp) > 1 || selfLoop {
				for _, w := range comp {
					out[w] = true
				}
			}
		}
	}
	for v := range edges {
		if _, seen := index[v]; !seen {
			visit(v)
		}
	}
	return out
}

// 6.1.4 Missing Definition of Product Group ID and 6.1.5 Multiple
// Definition of Product Group ID. Flags' group_ids are checked too (CSAF
// TC issue #909).
func (c *checker) groupIDs() {
	check := func(ids []string, path string) {
		for k, id := range ids {
			if _, ok := c.groups[id]; !ok && id != "" {
				c.fail("6.1.4", path+"/"+strconv.Itoa(k), "product group ID %s is not defined in the product tree", locate.Quote(id))
			}
		}
	}
	for i := range c.doc.Vulnerabilities {
		v := &c.doc.Vulnerabilities[i]
		p := "/vulnerabilities/" + strconv.Itoa(i)
		for j, r := range v.Remediations {
			check(r.GroupIDs, p+"/remediations/"+strconv.Itoa(j)+"/group_ids")
		}
		for j, t := range v.Threats {
			check(t.GroupIDs, p+"/threats/"+strconv.Itoa(j)+"/group_ids")
		}
		for j, f := range v.Flags {
			check(f.GroupIDs, p+"/flags/"+strconv.Itoa(j)+"/group_ids")
		}
	}
	if pt := c.doc.ProductTree; pt != nil {
		first := map[string]int{}
		for i, g := range pt.ProductGroups {
			if j, ok := first[g.GroupID]; ok && g.GroupID != "" {
				c.fail("6.1.5", "/product_tree/product_groups/"+strconv.Itoa(i)+"/group_id", "product group ID %s is already defined at /product_tree/product_groups/%d/group_id", locate.Quote(g.GroupID), j)
				continue
			}
			first[g.GroupID] = i
		}
	}
}

// The contradiction groups of test 6.1.6.
const (
	groupAffected = 1 << iota
	groupNotAffected
	groupFixed
	groupUnderInvestigation
)

var statusGroup = map[string]int{
	"first_affected":      groupAffected,
	"known_affected":      groupAffected,
	"last_affected":       groupAffected,
	"known_not_affected":  groupNotAffected,
	"first_fixed":         groupFixed,
	"fixed":               groupFixed,
	"under_investigation": groupUnderInvestigation,
}

var groupName = map[int]string{
	groupAffected:           "Affected",
	groupNotAffected:        "Not affected",
	groupFixed:              "Fixed",
	groupUnderInvestigation: "Under investigation",
}

// 6.1.6 Contradicting Product Status.
func (c *checker) contradictions() {
	for i := range c.doc.Vulnerabilities {
		ps := c.doc.Vulnerabilities[i].ProductStatus
		if ps == nil {
			continue
		}
		type seen struct {
			group int
			where string
		}
		first := map[string]seen{}
		for _, st := range ps.lists() {
			g, ok := statusGroup[st.name]
			if !ok {
				continue
			}
			for k, id := range st.ids {
				prev, ok := first[id]
				if !ok {
					first[id] = seen{g, st.name}
					continue
				}
				if prev.group != g {
					c.fail("6.1.6", fmt.Sprintf("/vulnerabilities/%d/product_status/%s/%d", i, st.name, k),
						"product %s is in %s (%s) and in %s (%s): the statuses contradict each other",
						locate.Quote(id), prev.where, groupName[prev.group], st.name, groupName[g])
				}
			}
		}
	}
}

// 6.1.7 Multiple Scores with same Version per Product.
func (c *checker) scoresPerProduct() {
	for i := range c.doc.Vulnerabilities {
		v := &c.doc.Vulnerabilities[i]
		type key struct{ product, version string }
		first := map[key]int{}
		for j, s := range v.Scores {
			var versions []string
			if s.CVSSv2 != nil {
				versions = append(versions, "2.0")
			}
			if s.CVSSv3 != nil {
				versions = append(versions, s.CVSSv3.Version)
			}
			for k, p := range s.Products {
				for _, ver := range versions {
					kk := key{p, ver}
					if prev, ok := first[kk]; ok && prev != j {
						c.fail("6.1.7", fmt.Sprintf("/vulnerabilities/%d/scores/%d/products/%d", i, j, k),
							"product %s already has a CVSS v%s score in /vulnerabilities/%d/scores/%d", locate.Quote(p), ver, i, prev)
						continue
					}
					first[kk] = j
				}
			}
		}
	}
}

// 6.1.23 Multiple Use of Same CVE, 6.1.24 Multiple Definition in
// Involvements, 6.1.29 Remediation without Product Reference, 6.1.32 Flag
// without Product Reference and 6.1.33 Multiple Flags with VEX
// Justification Codes per Product.
func (c *checker) vulnerabilityItems() {
	cves := map[string]int{}
	for i := range c.doc.Vulnerabilities {
		v := &c.doc.Vulnerabilities[i]
		p := "/vulnerabilities/" + strconv.Itoa(i)
		if v.CVE != "" {
			if j, ok := cves[v.CVE]; ok {
				c.fail("6.1.23", p+"/cve", "%s is already the CVE of /vulnerabilities/%d", v.CVE, j)
			} else {
				cves[v.CVE] = i
			}
		}

		type partyDate struct{ party, date string }
		involved := map[partyDate]int{}
		for j, inv := range v.Involvements {
			if inv.Date == "" {
				continue // only dated items can clash
			}
			k := partyDate{inv.Party, instant(inv.Date)}
			if prev, ok := involved[k]; ok {
				c.fail("6.1.24", fmt.Sprintf("%s/involvements/%d", p, j), "party %s already has an involvement at %s (item %d)", locate.Quote(inv.Party), inv.Date, prev)
				continue
			}
			involved[k] = j
		}

		for j, r := range v.Remediations {
			if r.GroupIDs == nil && r.ProductIDs == nil {
				c.fail("6.1.29", fmt.Sprintf("%s/remediations/%d", p, j), "the remediation names no products: expected product_ids or group_ids")
			}
		}
		flagged := map[string]int{}
		for j, f := range v.Flags {
			if f.GroupIDs == nil && f.ProductIDs == nil {
				c.fail("6.1.32", fmt.Sprintf("%s/flags/%d", p, j), "the flag names no products: expected product_ids or group_ids")
			}
			if !vexJustification[f.Label] {
				continue
			}
			for _, id := range c.expand(f.ProductIDs, f.GroupIDs) {
				if prev, ok := flagged[id]; ok && prev != j {
					c.fail("6.1.33", fmt.Sprintf("%s/flags/%d", p, j), "product %s already has a VEX justification in flag %d", locate.Quote(id), prev)
					continue
				}
				flagged[id] = j
			}
		}
	}
}

var vexJustification = map[string]bool{
	LabelComponentNotPresent:                         true,
	LabelInlineMitigationsAlreadyExist:               true,
	LabelVulnerableCodeCannotBeControlledByAdversary: true,
	LabelVulnerableCodeNotInExecutePath:              true,
	LabelVulnerableCodeNotPresent:                    true,
}

// expand returns the product IDs named directly and through groups, each
// once, in order.
func (c *checker) expand(products, groups []string) []string {
	if len(groups) == 0 {
		return products
	}
	out := append([]string(nil), products...)
	seen := make(map[string]bool, len(out))
	for _, p := range out {
		seen[p] = true
	}
	for _, g := range groups {
		for _, p := range c.groups[g] {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// covers builds the set of products that items (remediations, threats,
// flags) name directly or through groups.
func (c *checker) covers(set map[string]bool, products, groups []string) {
	for _, p := range products {
		set[p] = true
	}
	for _, g := range groups {
		for _, p := range c.groups[g] {
			set[p] = true
		}
	}
}

// 6.1.25 Multiple Use of Same Hash Algorithm.
func (c *checker) hashAlgorithms() {
	for _, n := range c.fullNames {
		h := n.fpn.ProductIdentificationHelper
		if h == nil {
			continue
		}
		for j, hs := range h.Hashes {
			seen := map[string]int{}
			for k, fh := range hs.FileHashes {
				alg := strings.ToLower(fh.Algorithm)
				if prev, ok := seen[alg]; ok {
					c.fail("6.1.25", fmt.Sprintf("%s/product_identification_helper/hashes/%d/file_hashes/%d/algorithm", n.path, j, k),
						"hash algorithm %s is already used for this file in item %d", locate.Quote(fh.Algorithm), prev)
					continue
				}
				seen[alg] = k
			}
		}
	}
}

// 6.1.31 Version Range in Product Version. The informative comment of the
// standard lists strings to look for; the comparison operators count
// anywhere in the name, the words only as whole words (CSAF 2.0 known
// issue #825: "after-eight" is a valid version name).
func (c *checker) versionRanges() {
	for _, pb := range c.branches {
		if pb.b.Category != "product_version" {
			continue
		}
		name := strings.ToLower(pb.b.Name)
		if strings.ContainsAny(name, "<>") {
			c.fail("6.1.31", pb.path+"/name", "%s is a version range, but the branch category is product_version (use product_version_range)", locate.Quote(pb.b.Name))
			continue
		}
		for _, w := range strings.Fields(name) {
			switch w {
			case "after", "all", "before", "earlier", "later", "prior", "versions":
				c.fail("6.1.31", pb.path+"/name", "%s is a version range (%q), but the branch category is product_version (use product_version_range)", locate.Quote(pb.b.Name), w)
			default:
				continue
			}
			break
		}
	}
}
