package csaf

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cradle-sdl/cradle/internal/locate"
)

var (
	cvePattern  = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	versPattern = regexp.MustCompile(`^vers:[a-z\.\-\+][a-z0-9\.\-\+]*/.+`)
)

// optional runs the optional tests of section 6.2 listed in OptionalTests;
// their failures are warnings.
func (c *checker) optional() {
	d := c.doc
	tr := &d.Document.Tracking

	// 6.2.1 Unused Definition of Product ID.
	if d.Document.Category != CategoryInformationalAdvisory {
		used := map[string]bool{}
		for _, r := range c.productRefs() {
			used[r.id] = true
		}
		for _, n := range c.fullNames {
			if id := n.fpn.ProductID; id != "" && !used[id] && c.products[id] == n.path+"/product_id" {
				c.warn("6.2.1", n.path+"/product_id", "product ID %s is defined but never used", locate.Quote(n.fpn.ProductID))
			}
		}
	}

	for i := range d.Vulnerabilities {
		v := &d.Vulnerabilities[i]
		p := "/vulnerabilities/" + itoa(i)
		if ps := v.ProductStatus; ps != nil {
			// 6.2.2 Missing Remediation.
			remediated := map[string]bool{}
			for _, r := range v.Remediations {
				c.covers(remediated, r.ProductIDs, r.GroupIDs)
			}
			scored := map[string]bool{}
			for _, s := range v.Scores {
				c.covers(scored, s.Products, nil)
			}
			for _, st := range ps.lists() {
				affected := st.name == "first_affected" || st.name == "known_affected" || st.name == "last_affected"
				if !affected && st.name != "under_investigation" {
					continue
				}
				for k, id := range st.ids {
					at := p + "/product_status/" + st.name + "/" + itoa(k)
					if !remediated[id] {
						c.warn("6.2.2", at, "product %s is %s, but no remediation covers it", locate.Quote(id), st.name)
					}
					// 6.2.3 Missing Score.
					if affected && !scored[id] {
						c.warn("6.2.3", at, "product %s is %s, but no score covers it", locate.Quote(id), st.name)
					}
				}
			}
		}
		for j, inv := range v.Involvements {
			// 6.2.7 Missing Date in Involvements.
			if inv.Date == "" {
				c.warn("6.2.7", p+"/involvements/"+itoa(j), "the involvement has no date")
			}
		}
		for j, id := range v.IDs {
			// 6.2.17 CVE in field IDs.
			if cvePattern.MatchString(id.Text) {
				c.warn("6.2.17", p+"/ids/"+itoa(j), "%s is a CVE ID: give it as cve", locate.Quote(id.Text))
			}
		}
	}

	// 6.2.4 Build Metadata in Revision History.
	for i, r := range tr.RevisionHistory {
		if n, ok := parseVersion(r.Number); ok && n.build != "" {
			c.warn("6.2.4", "/document/tracking/revision_history/"+itoa(i)+"/number", "number %s has build metadata", locate.Quote(r.Number))
		}
	}
	// 6.2.5 Older Initial Release Date than Revision History and 6.2.6
	// Older Current Release Date than Revision History.
	var oldest, newest time.Time
	for _, r := range tr.RevisionHistory {
		if t, ok := parseTime(r.Date); ok {
			if oldest.IsZero() || t.Before(oldest) {
				oldest = t
			}
			if newest.IsZero() || t.After(newest) {
				newest = t
			}
		}
	}
	if t, ok := parseTime(tr.InitialReleaseDate); ok && !oldest.IsZero() && t.Before(oldest) {
		c.warn("6.2.5", "/document/tracking/initial_release_date", "the initial release date %s is older than the oldest revision, %s", tr.InitialReleaseDate, oldest.Format(time.RFC3339Nano))
	}
	if t, ok := parseTime(tr.CurrentReleaseDate); ok && !newest.IsZero() && t.Before(newest) {
		c.warn("6.2.6", "/document/tracking/current_release_date", "the current release date %s is older than the newest revision, %s", tr.CurrentReleaseDate, newest.Format(time.RFC3339Nano))
	}

	for _, n := range c.fullNames {
		h := n.fpn.ProductIdentificationHelper
		// 6.2.16 Missing Product Identification Helper.
		if h == nil {
			c.warn("6.2.16", n.path, "product %s has no product identification helper", locate.Quote(n.fpn.ProductID))
			continue
		}
		for j, hs := range h.Hashes {
			// 6.2.8 Use of MD5 and 6.2.9 Use of SHA-1 as the only Hash
			// Algorithm.
			if len(hs.FileHashes) == 0 {
				continue
			}
			only := strings.ToLower(hs.FileHashes[0].Algorithm)
			for _, fh := range hs.FileHashes[1:] {
				if strings.ToLower(fh.Algorithm) != only {
					only = ""
				}
			}
			at := n.path + "/product_identification_helper/hashes/" + itoa(j) + "/file_hashes"
			switch only {
			case "md5":
				c.warn("6.2.8", at, "md5 is the only hash algorithm for %s: add a stronger one", locate.Quote(hs.Filename))
			case "sha1":
				c.warn("6.2.9", at, "sha1 is the only hash algorithm for %s: add a stronger one", locate.Quote(hs.Filename))
			}
		}
	}

	// 6.2.10 Missing TLP label.
	if dist := d.Document.Distribution; dist == nil || dist.TLP == nil || dist.TLP.Label == "" {
		c.warn("6.2.10", "/document/distribution/tlp/label", "the document has no TLP label")
	}
	// 6.2.11 Missing Canonical URL.
	canonical := false
	for _, r := range d.Document.References {
		if r.Category == "self" && strings.HasPrefix(r.URL, "https://") && strings.HasSuffix(r.URL, "/"+Filename(tr.ID)) {
			canonical = true
		}
	}
	if !canonical {
		c.warn("6.2.11", "/document/references", "no reference of category self gives the canonical https:// URL ending in %s", Filename(tr.ID))
	}
	// 6.2.12 Missing Document Language.
	if d.Document.Lang == "" {
		c.warn("6.2.12", "/document/lang", "the document language is not given")
	}
	for _, l := range []struct{ path, tag string }{{"/document/lang", d.Document.Lang}, {"/document/source_lang", d.Document.SourceLang}} {
		if l.tag == "" {
			continue
		}
		// 6.2.14 Use of Private Language.
		if sub := privateLanguageSubtag(l.tag); sub != "" {
			c.warn("6.2.14", l.path, "%s uses the private-use subtag %s", locate.Quote(l.tag), locate.Quote(sub))
		}
		// 6.2.15 Use of Default Language.
		if strings.EqualFold(l.tag, "i-default") {
			c.warn("6.2.15", l.path, "the language is i-default")
		}
	}
	c.additionalProperties()

	// 6.2.18 Product Version Range without vers.
	for _, pb := range c.branches {
		if pb.b.Category == "product_version_range" && !versPattern.MatchString(pb.b.Name) {
			c.warn("6.2.18", pb.path+"/name", "%s is not a vers range (vers:<scheme>/<constraints>)", locate.Quote(pb.b.Name))
		}
	}
}

// additionalProperties is test 6.2.20: the CSAF 2.0 schema does not forbid
// members it does not define, and this test reports them. The model has a
// field for every member the schemas define (CSAF and CVSS), so a key
// without a field in the model at that place is an additional property.
func (c *checker) additionalProperties() {
	walkUnknown(c.tree, reflect.TypeFor[Document](), nil, func(path []string) {
		c.warn("6.2.20", locate.Pointer(path...), "%s is not defined by the CSAF 2.0 schema", locate.Quote(path[len(path)-1]))
	})
}

// fields caches, per struct type of the model, its JSON member names and
// their types.
var fields sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fields.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		m[name] = f.Type
	}
	fields.Store(t, m)
	return m
}

func walkUnknown(v any, t reflect.Type, path []string, report func([]string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return
		}
		known := fieldsOf(t)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := append(path[:len(path):len(path)], k)
			ft, ok := known[k]
			if !ok {
				report(p)
				continue
			}
			walkUnknown(v[k], ft, p, report)
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return
		}
		for i, e := range v {
			walkUnknown(e, t.Elem(), append(path[:len(path):len(path)], strconv.Itoa(i)), report)
		}
	}
}
