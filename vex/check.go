package vex

import (
	"fmt"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// checkContradictions reports statements that give one product (or one
// subcomponent of a product) two different statuses for the same
// vulnerability at the same time. Statements at different times are a
// history (OpenVEX documents accumulate them: under_investigation, later
// not_affected) and do not contradict each other. Statements are about the
// same vulnerability when their IDs and aliases connect them, as records
// are grouped elsewhere in cradle (cradle.GroupIDs). where(i, j) locates
// product j of statement i in the source.
func checkContradictions(r *report, d *Document, where func(i, j int) string) {
	ids := map[string][]string{}
	for _, s := range d.Statements {
		ids[s.Vulnerability.ID] = append(ids[s.Vulnerability.ID], s.Vulnerability.Aliases...)
	}
	canon := cradle.GroupIDs(ids)
	type seen struct {
		status Status
		loc    string
	}
	first := map[string]seen{}
	keys := keyCache{}
	for i, s := range d.Statements {
		at := s.Timestamp
		if at.IsZero() {
			at = d.Timestamp
		}
		prefix := canon[s.Vulnerability.ID] + "\x00" + at.UTC().Format(time.RFC3339Nano) + "\x00"
		for j, p := range s.Products {
			if r.full() {
				return
			}
			pk := keys.key(p.Component)
			subs := []string{""}
			if len(p.Subcomponents) > 0 {
				subs = subs[:0]
				for _, c := range p.Subcomponents {
					subs = append(subs, keys.key(c))
				}
			}
			for _, sub := range subs {
				k := prefix + pk + "\x00" + sub
				prev, ok := first[k]
				if !ok {
					first[k] = seen{s.Status, where(i, j)}
					continue
				}
				if prev.status != s.Status {
					what := locate.Quote(pk)
					if sub != "" {
						what = locate.Quote(sub) + " in " + what
					}
					r.add(where(i, j), fmt.Sprintf("expected one status for %s and %s, found %s here and %s at %s",
						locate.Quote(s.Vulnerability.ID), what, s.Status, prev.status, prev.loc))
					break
				}
			}
		}
	}
}

// mergeProducts folds products with the same identity into one, uniting
// their subcomponents, and drops repeats: CSAF and CycloneDX name a product
// once per component it contains. A product named as a whole stays apart
// from the same product named for some of its subcomponents, which says
// less.
func mergeProducts(ps []Product) []Product {
	var out []Product
	index := map[string]int{}
	subSeen := map[string]bool{}
	keys := keyCache{}
	for _, p := range ps {
		k := keys.key(p.Component)
		if len(p.Subcomponents) > 0 {
			k += "\x00parts"
		}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Product{Component: p.Component})
		}
		for _, c := range p.Subcomponents {
			sk := k + "\x00" + keys.key(c)
			if !subSeen[sk] {
				subSeen[sk] = true
				out[i].Subcomponents = append(out[i].Subcomponents, c)
			}
		}
	}
	return out
}

// keyCache remembers component keys: a product named in a thousand
// statements has its purl parsed once.
type keyCache map[Component]string

func (kc keyCache) key(c Component) string {
	k, ok := kc[c]
	if !ok {
		k = c.Key()
		kc[c] = k
	}
	return k
}
