package csaf

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/cradle-sdl/cradle/internal/locate"
)

func itoa(i int) string { return strconv.Itoa(i) }

// profileNames are the names and values of the profiles other than CSAF
// Base, normalised for test 6.1.26 (lower case, no dashes, white space
// or underscores).
var profileNames = map[string]string{
	"securityincidentresponse":     "Security incident response",
	"csafsecurityincidentresponse": "Security incident response",
	"informationaladvisory":        "Informational Advisory",
	"csafinformationaladvisory":    "Informational Advisory",
	"securityadvisory":             "Security Advisory",
	"csafsecurityadvisory":         "Security Advisory",
	"vex":                          "VEX",
	"csafvex":                      "VEX",
}

// normalizeCategory lower-cases s and drops dashes (any Unicode dash),
// white space and underscores.
func normalizeCategory(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// category runs 6.1.26 Prohibited Document Category Name, which applies to
// CSAF Base documents only.
func (c *checker) category() {
	cat := c.doc.Document.Category
	switch cat {
	case CategoryBase, CategorySecurityIncidentResponse, CategoryInformationalAdvisory, CategorySecurityAdvisory, CategoryVEX:
		return
	}
	if name, ok := profileNames[normalizeCategory(cat)]; ok {
		c.fail("6.1.26", "/document/category", "%s is the name of the profile %s: use its value or a category that is no profile's", locate.Quote(cat), locate.Quote(name))
		return
	}
	if strings.HasPrefix(strings.ToLower(cat), "csaf_") {
		c.fail("6.1.26", "/document/category", "%s starts with the prefix csaf_, which is reserved for the profiles", locate.Quote(cat))
	}
}

// profiles runs the profile tests 6.1.27.1–6.1.27.11 that apply to the
// document's category.
func (c *checker) profiles() {
	d := c.doc
	cat := d.Document.Category
	switch cat {
	case CategoryInformationalAdvisory, CategorySecurityIncidentResponse:
		// 6.1.27.1 Document Notes.
		found := false
		for _, n := range d.Document.Notes {
			switch n.Category {
			case "description", "details", "general", "summary":
				found = true
			}
		}
		if !found {
			c.fail("6.1.27.1", "/document/notes", "expected a document note of category description, details, general or summary, as the profile requires, found none")
		}
		// 6.1.27.2 Document References.
		found = false
		for _, r := range d.Document.References {
			if r.Category == "external" || r.Category == "" {
				found = true
			}
		}
		if !found {
			c.fail("6.1.27.2", "/document/references", "expected a document reference of category external, as the profile requires, found none")
		}
		// 6.1.27.3 Vulnerabilities.
		if cat == CategoryInformationalAdvisory && d.Vulnerabilities != nil {
			c.fail("6.1.27.3", "/vulnerabilities", "an informational advisory must not have vulnerabilities (use csaf_security_advisory or csaf_base)")
		}
	case CategorySecurityAdvisory, CategoryVEX:
		// 6.1.27.4 Product Tree.
		if d.ProductTree == nil {
			c.fail("6.1.27.4", "/product_tree", "expected a product tree, as the profile requires, found none")
		}
		// 6.1.27.11 Vulnerabilities.
		if d.Vulnerabilities == nil {
			c.fail("6.1.27.11", "/vulnerabilities", "expected vulnerabilities, as the profile requires, found none")
		}
		for i := range d.Vulnerabilities {
			v := &d.Vulnerabilities[i]
			p := "/vulnerabilities/" + itoa(i)
			// 6.1.27.5 Vulnerability Notes.
			if v.Notes == nil {
				c.fail("6.1.27.5", p+"/notes", "expected notes on the vulnerability, as the profile requires, found none")
			}
			if cat == CategorySecurityAdvisory {
				// 6.1.27.6 Product Status.
				if v.ProductStatus == nil {
					c.fail("6.1.27.6", p+"/product_status", "expected a product status, as the profile requires, found none")
				}
				continue
			}
			c.vex(v, p)
		}
	}
}

// vex runs the tests of the VEX profile on one vulnerability.
func (c *checker) vex(v *Vulnerability, p string) {
	ps := v.ProductStatus
	// 6.1.27.7 VEX Product Status.
	if ps == nil || (ps.Fixed == nil && ps.KnownAffected == nil && ps.KnownNotAffected == nil && ps.UnderInvestigation == nil) {
		c.fail("6.1.27.7", p+"/product_status", "expected at least one of fixed, known_affected, known_not_affected or under_investigation, as the VEX profile requires, found none")
	}
	// 6.1.27.8 Vulnerability ID.
	if v.CVE == "" && v.IDs == nil {
		c.fail("6.1.27.8", p, "expected a cve or ids, as the VEX profile requires, found neither")
	}
	if ps == nil {
		return
	}
	// 6.1.27.9 Impact Statement: a flag or a threat of category impact.
	if len(ps.KnownNotAffected) > 0 {
		impact := map[string]bool{}
		for _, f := range v.Flags {
			c.covers(impact, f.ProductIDs, f.GroupIDs)
		}
		for _, t := range v.Threats {
			if t.Category == "impact" {
				c.covers(impact, t.ProductIDs, t.GroupIDs)
			}
		}
		for k, id := range ps.KnownNotAffected {
			if !impact[id] {
				c.fail("6.1.27.9", p+"/product_status/known_not_affected/"+itoa(k), "product %s is known_not_affected, but no flag or impact threat gives an impact statement for it", locate.Quote(id))
			}
		}
	}
	// 6.1.27.10 Action Statement: a remediation.
	if len(ps.KnownAffected) > 0 {
		action := map[string]bool{}
		for _, r := range v.Remediations {
			c.covers(action, r.ProductIDs, r.GroupIDs)
		}
		for k, id := range ps.KnownAffected {
			if !action[id] {
				c.fail("6.1.27.10", p+"/product_status/known_affected/"+itoa(k), "product %s is known_affected, but no remediation gives an action statement for it", locate.Quote(id))
			}
		}
	}
}
