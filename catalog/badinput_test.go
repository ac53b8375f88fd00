package catalog_test

import (
	"fmt"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
)

// minimal is a valid catalogue; the cases below break one thing each.
const minimal = `{
  "id": "acme-sdl",
  "title": "ACME secure development rules",
  "version": "2",
  "groups": [
    {"id": "T", "title": "Top"},
    {"id": "G", "title": "General", "parent": "T"},
    {"id": "H", "title": "Hardening", "parent": "T"}
  ],
  "requirements": [
    {"id": "G-1", "parent": "G", "title": "Rule one", "kind": "organisation"},
    {"id": "G-2", "parent": "G", "title": "Rule two", "kind": "product", "freshness": {"max_age_days": 90, "lifecycle": ["released"]}}
  ]
}`

// edit replaces old, which must occur in minimal, by new.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("%q is not in the minimal catalogue", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

// wantInvalid checks err is EInvalid with a problem at loc whose message
// contains msg.
func wantInvalid(t *testing.T, err error, loc, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one at %s", loc)
	}
	if code := cradle.ErrorCode(err); code != cradle.EInvalid {
		t.Fatalf("error code %q, want %q: %v", code, cradle.EInvalid, err)
	}
	var all []string
	for _, p := range cradle.ErrorProblems(err) {
		if p.Location == loc && strings.Contains(p.Message, msg) {
			return
		}
		all = append(all, p.String())
	}
	t.Errorf("no problem at %s containing %q; got:\n  %s", loc, msg, strings.Join(all, "\n  "))
}

// lineCol is where sub first occurs in s, as "line:col".
func lineCol(s, sub string) string {
	i := strings.Index(s, sub)
	line := 1 + strings.Count(s[:i], "\n")
	col := i - strings.LastIndex(s[:i], "\n")
	return fmt.Sprintf("%d:%d", line, col)
}

func TestParseMinimal(t *testing.T) {
	c, err := catalog.Parse("acme.json", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "acme-sdl" || len(c.Requirements) != 2 || c.Requirement("G-2").Freshness.MaxAgeDays != 90 {
		t.Errorf("parsed %+v", c)
	}
}

func TestParseBadInput(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		loc, msg string
	}{
		{"syntax", "{\n  \"id\": \"x\",\n  \"title\": \"T\" \"version\": \"1\"\n}", "f.json:3:16", `invalid character '"' after object key:value pair`},
		{"syntax in array", "[1,]", "f.json:1:4", "invalid character ']'"},
		{"truncated", `{"id": "x",`, "f.json:1:12", "truncated"},
		{"empty", "  \n", "f.json", "empty document"},
		{"trailing data", "{} {}", "f.json:1:4", "expected the end of the document"},
		{"byte order mark", "\xef\xbb\xbf{}", "f.json:1:1", "byte order mark"},
		{"invalid UTF-8", "{\"id\": \"a\xffb\"}", "f.json:1:10", "invalid byte 0xff"},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), "f.json:" + strings.Repeat("/0", 33), "levels of nesting"},
		{"not an object", `"catalogue"`, "f.json", "expected object, found string"},
		{"duplicate key", edit(t, `"version": "2",`, `"version": "2", "version": "3",`), "f.json:/version", `found "version" twice`},
		{"duplicate nested key", edit(t, `"title": "Rule one",`, `"title": "Rule one", "title": "Rule 1",`), "f.json:/requirements/0/title", "twice"},
		{"unknown top-level field", edit(t, `"version": "2",`, `"version": "2", "edition": "2018",`), "f.json:/edition", `no property "edition"`},
		{"unknown requirement field", edit(t, `"kind": "organisation"`, `"kind": "organisation", "maxAgeDays": 3`), "f.json:/requirements/0/maxAgeDays", `no property "maxAgeDays"`},
		{"missing required", edit(t, `"version": "2",`, ``), "f.json", `required property "version"`},
		{"no requirements", edit(t, `"requirements": [`, `"requirements": [], "x": [`), "f.json:/requirements", "at least 1"},
		{"duplicate requirement ID", edit(t, `"id": "G-2"`, `"id": "G-1"`), "f.json:/requirements/1/id", `found "G-1" again (first at /requirements/0/id)`},
		{"duplicate ID ignoring case", edit(t, `"id": "G-2"`, `"id": "g-1"`), "f.json:/requirements/1/id", `found "g-1" again`},
		{"requirement ID equals group ID", edit(t, `"id": "G-2"`, `"id": "H"`), "f.json:/requirements/1/id", `found "H" again (first at /groups/2/id)`},
		{"duplicate group ID", edit(t, `{"id": "H",`, `{"id": "G",`), "f.json:/groups/2/id", `found "G" again (first at /groups/1/id)`},
		{"unknown parent", edit(t, `"parent": "G", "title": "Rule two"`, `"parent": "X", "title": "Rule two"`), "f.json:/requirements/1/parent", `group in this catalogue, found "X", which is not defined`},
		{"parent differs in case", edit(t, `"parent": "G", "title": "Rule two"`, `"parent": "g", "title": "Rule two"`), "f.json:/requirements/1/parent", `did you mean "G"?`},
		{"parent is a requirement", edit(t, `"parent": "G", "title": "Rule two"`, `"parent": "G-1", "title": "Rule two"`), "f.json:/requirements/1/parent", "which is a requirement"},
		{"unknown group parent", edit(t, `"General", "parent": "T"`, `"General", "parent": "Z"`), "f.json:/groups/1/parent", `found "Z", which is not defined`},
		{"group parent is a requirement", edit(t, `"General", "parent": "T"`, `"General", "parent": "G-1"`), "f.json:/groups/1/parent", "which is a requirement"},
		{"group in itself", edit(t, `"Hardening", "parent": "T"`, `"Hardening", "parent": "H"`), "f.json:/groups/2/parent", `group "H" inside itself`},
		{"group cycle", strings.Replace(edit(t, `"Hardening", "parent": "T"`, `"Hardening", "parent": "G"`), `"Top"}`, `"Top", "parent": "H"}`, 1), "f.json:/groups/0/parent", `group "T" inside itself`},
		{"group holds both", edit(t, `"parent": "G", "title": "Rule two"`, `"parent": "T", "title": "Rule two"`), "f.json:/groups/0", `hold either requirements or groups, found both`},
		{"empty ID", edit(t, `"id": "G-1"`, `"id": ""`), "f.json:/requirements/0/id", `expected an ID of 1 to 64 letters`},
		{"ID with space", edit(t, `"id": "G-1"`, `"id": "G 1"`), "f.json:/requirements/0/id", `found "G 1"`},
		{"ID with slash", edit(t, `"id": "G-1"`, `"id": "G/1"`), "f.json:/requirements/0/id", `found "G/1"`},
		{"ID with underscore", edit(t, `"id": "G-1"`, `"id": "G_1"`), "f.json:/requirements/0/id", `found "G_1"`},
		{"ID ending in dot", edit(t, `"id": "G-1"`, `"id": "G-1."`), "f.json:/requirements/0/id", `found "G-1."`},
		{"ID too long", edit(t, `"id": "G-1"`, `"id": "`+strings.Repeat("a", 65)+`"`), "f.json:/requirements/0/id", "expected an ID of 1 to 64"},
		{"upper-case catalogue ID", edit(t, `"id": "acme-sdl"`, `"id": "ACME-sdl"`), "f.json:/id", "lower-case"},
		{"empty title", edit(t, `"title": "Rule one"`, `"title": ""`), "f.json:/requirements/0/title", "one line of text"},
		{"blank title", edit(t, `"title": "Rule one"`, `"title": "   "`), "f.json:/requirements/0/title", "one line of text"},
		{"two-line title", edit(t, `"title": "Rule one"`, `"title": "Rule\none"`), "f.json:/requirements/0/title", "one line of text"},
		{"blank description", edit(t, `"title": "Rule one",`, `"title": "Rule one", "description": " \t",`), "f.json:/requirements/0/description", "not blank"},
		{"unknown kind", edit(t, `"kind": "organisation"`, `"kind": "process"`), "f.json:/requirements/0/kind", `expected one of "organisation", "product", found "process"`},
		{"number as string", edit(t, `"max_age_days": 90`, `"max_age_days": "90"`), "f.json:/requirements/1/freshness/max_age_days", "expected integer, found string"},
		{"fraction days", edit(t, `"max_age_days": 90`, `"max_age_days": 90.5`), "f.json:/requirements/1/freshness/max_age_days", "expected integer, found number"},
		{"zero days", edit(t, `"max_age_days": 90`, `"max_age_days": 0`), "f.json:/requirements/1/freshness/max_age_days", "expected at least 1, found 0"},
		{"days written as 90.0", edit(t, `"max_age_days": 90`, `"max_age_days": 90.0`), "f.json:" + lineCol(edit(t, `"max_age_days": 90`, `"max_age_days": 90.0`), "90.0"), `for "max_age_days", found 90.0`},
		{"unknown lifecycle", edit(t, `"lifecycle": ["released"]`, `"lifecycle": ["shipped"]`), "f.json:/requirements/1/freshness/lifecycle/0", `found "shipped"`},
		{"lifecycle twice", edit(t, `"lifecycle": ["released"]`, `"lifecycle": ["released", "released"]`), "f.json:/requirements/1/freshness/lifecycle", "expected each value once"},
		{"lifecycle on organisation requirement", edit(t, `"kind": "product"`, `"kind": "organisation"`), "f.json:/requirements/1/freshness/lifecycle", "no release states for an organisation requirement"},
		{"relative URL", edit(t, `"version": "2",`, `"version": "2", "url": "/standards/acme",`), "f.json:/url", "absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := catalog.Parse("f.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			wantInvalid(t, err, tt.loc, tt.msg)
		})
	}
}

// TestParseErrorMessage: the error names the file and counts the problems,
// and every problem is located.
func TestParseErrorMessage(t *testing.T) {
	in := edit(t, `"id": "G-2"`, `"id": "G-1"`)
	in = strings.Replace(in, `"kind": "organisation"`, `"kind": "process"`, 1)
	_, err := catalog.Parse("acme.json", []byte(in))
	if err == nil {
		t.Fatal("accepted")
	}
	if got := cradle.ErrorMessage(err); got != "acme.json is not a valid cradle catalogue" {
		// Schema problems come first; the duplicate is reported once the
		// schema is satisfied.
		t.Errorf("message %q", got)
	}
	for _, p := range cradle.ErrorProblems(err) {
		if !strings.HasPrefix(p.Location, "acme.json:/") {
			t.Errorf("problem not located by JSON pointer: %v", p)
		}
	}
	_, err = catalog.Parse("", []byte(`{"id": 1}`))
	if !strings.HasPrefix(cradle.ErrorMessage(err), "the catalogue is not a valid cradle catalogue") {
		t.Errorf("unnamed: %v", err)
	}
	ps := cradle.ErrorProblems(err)
	if len(ps) < 2 {
		t.Errorf("unnamed: want the missing properties and the wrong type, got %v", ps)
	}
	for _, p := range ps {
		if !strings.HasPrefix(p.Location, "/") {
			t.Errorf("unnamed problem not located by JSON pointer: %v", p)
		}
	}
}

// TestValidateBuiltInCode: a catalogue built in code is held to the file
// rules.
func TestValidateBuiltInCode(t *testing.T) {
	c := &catalog.Catalog{ID: "acme", Title: "ACME", Version: "1", Requirements: []catalog.Requirement{
		{ID: "A-1", Title: "One", Kind: catalog.KindProduct, Parent: "NOPE"},
		{ID: "A-1", Title: " Two", Kind: "x", Freshness: &catalog.Freshness{MaxAgeDays: -1, Lifecycle: []cradle.Lifecycle{"gone"}}},
	}}
	err := c.Validate()
	wantInvalid(t, err, "/requirements/0/parent", `found "NOPE", which is not defined`)
	wantInvalid(t, err, "/requirements/1/id", `found "A-1" again`)
	wantInvalid(t, err, "/requirements/1/title", "one line of text")
	wantInvalid(t, err, "/requirements/1/kind", `found "x"`)
	wantInvalid(t, err, "/requirements/1/freshness/max_age_days", "from 1 to 36500")
	wantInvalid(t, err, "/requirements/1/freshness/lifecycle/0", `found "gone"`)
	if err := (&catalog.Catalog{ID: "a", Title: "A", Version: "1"}).Validate(); err == nil {
		t.Error("a catalogue without requirements was accepted")
	}
}

const crosswalkJSON = `{
  "id": "acme-to-iec",
  "title": "ACME rules to IEC 62443-4-1",
  "version": "1",
  "from": "acme-sdl",
  "to": "iec-62443-4-1-2018",
  "links": [
    {"from": "G-1", "to": ["SM-1", "SM-2"]},
    {"from": "H", "to": ["SG-3"], "gap": "Only the hardening guide."},
    {"from": "G-2", "to": [], "gap": "Nothing in 4-1."}
  ]
}`

func catalogs(t *testing.T) map[string]*catalog.Catalog {
	t.Helper()
	acme, err := catalog.Parse("acme.json", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*catalog.Catalog{acme.ID: acme}
	for _, c := range catalog.Builtin() {
		m[c.ID] = c
	}
	return m
}

func TestParseCrosswalk(t *testing.T) {
	cats := catalogs(t)
	x, err := catalog.ParseCrosswalk("x.json", []byte(crosswalkJSON), cats)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Links) != 3 || x.Links[1].From != "H" {
		t.Errorf("parsed %+v", x)
	}
	cw := func(old, new string) string {
		t.Helper()
		if !strings.Contains(crosswalkJSON, old) {
			t.Fatalf("%q is not in the cross-walk", old)
		}
		return strings.Replace(crosswalkJSON, old, new, 1)
	}
	tests := []struct {
		name, in, loc, msg string
	}{
		{"unknown target requirement", cw(`"SM-2"`, `"SM-14"`), "x.json:/links/0/to/1", `catalogue "iec-62443-4-1-2018", found "SM-14", which is not defined`},
		{"target differs in case", cw(`"SM-2"`, `"sm-2"`), "x.json:/links/0/to/1", `did you mean "SM-2"?`},
		{"unknown source item", cw(`{"from": "G-1"`, `{"from": "G-9"`), "x.json:/links/0/from", `catalogue "acme-sdl", found "G-9"`},
		{"unknown target catalogue", cw(`"to": "iec-62443-4-1-2018"`, `"to": "iec-62443-4-1-2026"`), "x.json:/to", `known catalogue ("acme-sdl", "cra-2024-2847", "iec-62443-4-1-2018"), found "iec-62443-4-1-2026"`},
		{"unknown source catalogue", cw(`"from": "acme-sdl"`, `"from": "bsi-tr-03183-2"`), "x.json:/from", `found "bsi-tr-03183-2"`},
		{"same catalogue twice", cw(`"to": "iec-62443-4-1-2018"`, `"to": "acme-sdl"`), "x.json:/to", "two different catalogues"},
		{"item linked twice", cw(`{"from": "H"`, `{"from": "G-1"`), "x.json:/links/1/from", `found "G-1" again (first at /links/0/from)`},
		{"target twice", cw(`["SM-1", "SM-2"]`, `["SM-1", "SM-1"]`), "x.json:/links/0/to/1", `found "SM-1" again`},
		{"empty target without gap", cw(`"to": [], "gap": "Nothing in 4-1."`, `"to": []`), "x.json:/links/2", "expected a gap text"},
		{"bad target ID", cw(`"SM-2"`, `"SG-*"`), "x.json:/links/0/to/1", `found "SG-*"`},
		{"unknown field", cw(`"to": ["SG-3"],`, `"to": ["SG-3"], "partial": true,`), "x.json:/links/1/partial", `no property "partial"`},
		{"syntax", cw(`"version": "1",`, `"version": "1"`), "x.json:5:3", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := catalog.ParseCrosswalk("x.json", []byte(tt.in), cats)
			if err == nil {
				t.Fatalf("accepted: %+v", x)
			}
			wantInvalid(t, err, tt.loc, tt.msg)
			if !strings.HasPrefix(cradle.ErrorMessage(err), "x.json is not a valid cradle cross-walk") {
				t.Errorf("message %q", cradle.ErrorMessage(err))
			}
		})
	}
}
