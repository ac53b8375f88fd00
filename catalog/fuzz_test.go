package catalog_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
)

func seed(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := catalog.BuiltinFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParse: Parse never panics, rejects only with located EInvalid
// errors, and what it accepts is valid, survives a JSON round trip
// unchanged and exports as OSCAL.
func FuzzParse(f *testing.F) {
	seed(f, "iec-62443-4-1-2018.json", "cra-2024-2847.json")
	f.Add([]byte(minimal))
	f.Add([]byte(`{"id":"a","title":"A","version":"1","groups":[{"id":"G","title":"G","parent":"G"}],"requirements":[{"id":"R","title":"R","kind":"product","parent":"G"}]}`))
	f.Add([]byte(`{"id":"a","title":"A","version":"1","requirements":[{"id":"R","title":"R","kind":"product","freshness":{"max_age_days":1e2}}]}`))
	f.Add([]byte("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["))
	f.Add([]byte("{\"id\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := catalog.Parse("fuzz.json", data)
		if err != nil {
			if code := cradle.ErrorCode(err); code != cradle.EInvalid {
				t.Fatalf("error code %q: %v", code, err)
			}
			ps := cradle.ErrorProblems(err)
			if len(ps) == 0 {
				t.Fatalf("error without problems: %v", err)
			}
			for _, p := range ps {
				if p.Location == "" || p.Message == "" {
					t.Fatalf("unlocated problem %+v", p)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate rejects: %v", err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := catalog.Parse("again.json", b)
		if err != nil {
			t.Fatalf("re-parse of the marshalled catalogue: %v", err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
		if _, err := c.OSCAL(time.Unix(0, 0)); err != nil {
			t.Fatalf("OSCAL export of an accepted catalogue: %v", err)
		}
	})
}

// FuzzParseCrosswalk: ParseCrosswalk never panics and rejects only with
// EInvalid errors; what it accepts resolves in the built-in catalogues.
func FuzzParseCrosswalk(f *testing.F) {
	seed(f, "crosswalk-62443-4-1-cra.json")
	f.Add([]byte(`{"id":"x","title":"X","version":"1","from":"cra-2024-2847","to":"iec-62443-4-1-2018","links":[{"from":"VII","to":["SG-1"]}]}`))
	cats := map[string]*catalog.Catalog{}
	for _, c := range catalog.Builtin() {
		cats[c.ID] = c
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := catalog.ParseCrosswalk("fuzz.json", data, cats)
		if err != nil {
			if code := cradle.ErrorCode(err); code != cradle.EInvalid {
				t.Fatalf("error code %q: %v", code, err)
			}
			return
		}
		from, to := cats[x.From], cats[x.To]
		for _, l := range x.Links {
			if from.Requirement(l.From) == nil && from.Group(l.From) == nil {
				t.Fatalf("accepted a link from unknown %q", l.From)
			}
			for _, id := range l.To {
				if to.Requirement(id) == nil && to.Group(id) == nil {
					t.Fatalf("accepted a link to unknown %q", id)
				}
			}
		}
	})
}
