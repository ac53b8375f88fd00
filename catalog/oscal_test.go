package catalog_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var exportTime = time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))

// The OSCAL catalog model as the tests read it, written from the OSCAL
// 1.1.3 reference independently of the package's own types.
type (
	oscalDoc struct {
		Catalog struct {
			UUID     string `json:"uuid"`
			Metadata struct {
				Title        string `json:"title"`
				LastModified string `json:"last-modified"`
				Version      string `json:"version"`
				OSCALVersion string `json:"oscal-version"`
			} `json:"metadata"`
			Groups   []oscalGroup   `json:"groups"`
			Controls []oscalControl `json:"controls"`
		} `json:"catalog"`
	}
	oscalGroup struct {
		ID       string         `json:"id"`
		Title    string         `json:"title"`
		Props    []oscalProp    `json:"props"`
		Groups   []oscalGroup   `json:"groups"`
		Controls []oscalControl `json:"controls"`
	}
	oscalControl struct {
		ID    string      `json:"id"`
		Title string      `json:"title"`
		Props []oscalProp `json:"props"`
		Parts []struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Prose string `json:"prose"`
		} `json:"parts"`
	}
	oscalProp struct {
		Name  string `json:"name"`
		NS    string `json:"ns"`
		Value string `json:"value"`
	}
)

func exportOSCAL(t *testing.T, c *catalog.Catalog) ([]byte, oscalDoc) {
	t.Helper()
	b, err := c.OSCAL(exportTime)
	if err != nil {
		t.Fatal(err)
	}
	var doc oscalDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the export does not decode: %v", err)
	}
	return b, doc
}

func controlsIn(gs []oscalGroup) []oscalControl {
	var out []oscalControl
	for _, g := range gs {
		out = append(out, g.Controls...)
		out = append(out, controlsIn(g.Groups)...)
	}
	return out
}

func TestOSCALIEC62443_4_1(t *testing.T) {
	c := builtinCatalog(t, catalog.IEC62443_4_1)
	b, doc := exportOSCAL(t, c)
	checkOSCALShape(t, b)
	checkOSCALSchema(t, b)

	cat := doc.Catalog
	if len(cat.Groups) != 8 {
		t.Errorf("%d groups, want 8", len(cat.Groups))
	}
	controls := controlsIn(cat.Groups)
	if len(controls) != 47 || len(cat.Controls) != 0 {
		t.Errorf("%d controls in groups and %d at the top, want 47 and 0", len(controls), len(cat.Controls))
	}
	if g := cat.Groups[4]; g.ID != "svv" || g.Title != "Security verification and validation testing" || len(g.Controls) != 5 {
		t.Errorf("group 5 = %s %q with %d controls", g.ID, g.Title, len(g.Controls))
	}
	sr2 := cat.Groups[1].Controls[1]
	if sr2.ID != "sr-2" || sr2.Title != "Threat model" || prop(sr2.Props, "label") != "SR-2" || prop(sr2.Props, "evidence-max-age-days") != "365" || prop(sr2.Props, "kind") != "product" {
		t.Errorf("SR-2 exported as %+v", sr2)
	}
	if len(sr2.Parts) != 2 || sr2.Parts[0].Name != "statement" || sr2.Parts[1].Name != "guidance" || sr2.Parts[0].Prose != c.Requirement("SR-2").Description {
		t.Errorf("SR-2 parts %+v", sr2.Parts)
	}
	md := cat.Metadata
	if md.Title != c.Title || md.Version != c.Version || md.OSCALVersion != "1.1.3" || md.LastModified != "2026-03-01T11:30:00Z" {
		t.Errorf("metadata %+v", md)
	}

	// Reproducible: the same catalogue and time give the same bytes, and
	// the UUID does not depend on the time.
	again, _ := c.OSCAL(exportTime)
	if !bytes.Equal(b, again) {
		t.Error("two exports differ")
	}
	_, later := exportOSCALAt(t, c, exportTime.Add(48*time.Hour))
	if later.Catalog.UUID != cat.UUID {
		t.Error("the UUID changes with the export time")
	}
	// A new version of the data is a new document.
	c2 := c.Clone()
	c2.Version = "1.1"
	if _, d2 := exportOSCAL(t, c2); d2.Catalog.UUID == cat.UUID {
		t.Error("a new catalogue version kept the UUID")
	}

	golden := filepath.Join("testdata", "oscal", "iec-62443-4-1-2018.golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./catalog/ -run OSCAL -update to create it)", err)
	}
	if !bytes.Equal(want, b) {
		t.Errorf("the export differs from %s (run with -update if the change is intended)", golden)
	}
}

func exportOSCALAt(t *testing.T, c *catalog.Catalog, at time.Time) ([]byte, oscalDoc) {
	t.Helper()
	b, err := c.OSCAL(at)
	if err != nil {
		t.Fatal(err)
	}
	var doc oscalDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return b, doc
}

func TestOSCALCRA(t *testing.T) {
	c := builtinCatalog(t, catalog.CRA)
	b, doc := exportOSCAL(t, c)
	checkOSCALShape(t, b)
	checkOSCALSchema(t, b)
	cat := doc.Catalog
	var top []string
	for _, g := range cat.Groups {
		top = append(top, g.ID)
	}
	if got := strings.Join(top, " "); got != "i art.13 art.14 ii v vii" {
		t.Errorf("top-level groups %q", got)
	}
	if len(cat.Groups[0].Groups) != 2 || cat.Groups[0].Groups[0].ID != "i.i" || len(cat.Groups[0].Groups[0].Controls) != 14 || len(cat.Groups[0].Groups[1].Controls) != 8 {
		t.Errorf("Annex I exported as %+v", cat.Groups[0])
	}
	// Annex VI has no group: a control of the catalog itself.
	if len(cat.Controls) != 1 || cat.Controls[0].ID != "vi" {
		t.Errorf("top-level controls %+v", cat.Controls)
	}
	if n := len(controlsIn(cat.Groups)) + len(cat.Controls); n != len(c.Requirements) {
		t.Errorf("%d controls, want %d", n, len(c.Requirements))
	}
	if got := controlsIn(cat.Groups)[22]; got.ID != "art.13.2-4" || prop(got.Props, "label") != "Art.13.2-4" {
		t.Errorf("first Article 13 control %s label %s", got.ID, prop(got.Props, "label"))
	}
}

// TestOSCALIDs: IDs become OSCAL tokens, also those starting with a digit.
func TestOSCALIDs(t *testing.T) {
	c := &catalog.Catalog{ID: "bsi-tr-03183-2", Title: "BSI TR-03183-2", Version: "2.1.0",
		Groups: []catalog.Group{{ID: "5", Title: "SBOM"}},
		Requirements: []catalog.Requirement{
			{ID: "5.2.1", Parent: "5", Title: "Creator", Kind: catalog.KindProduct},
			{ID: "Top", Title: "Standalone", Kind: catalog.KindOrganisation},
		}}
	b, doc := exportOSCAL(t, c)
	checkOSCALShape(t, b)
	checkOSCALSchema(t, b)
	if g := doc.Catalog.Groups[0]; g.ID != "_5" || g.Controls[0].ID != "_5.2.1" || prop(g.Controls[0].Props, "label") != "5.2.1" {
		t.Errorf("exported %+v", g)
	}
	if doc.Catalog.Controls[0].ID != "top" {
		t.Errorf("exported %+v", doc.Catalog.Controls)
	}
	if _, err := c.OSCAL(time.Time{}); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Errorf("export without a time: %v", err)
	}
	c.Requirements[0].Parent = "6"
	if _, err := c.OSCAL(exportTime); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Errorf("export of an invalid catalogue: %v", err)
	}
}

func prop(ps []oscalProp, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// checkOSCALShape is a minimal structural check of an OSCAL 1.1 catalog,
// written from the OSCAL reference: the keys each object may have, the
// required ones, token IDs unique in the document, UUID and timestamp
// formats. It runs without any file; checkOSCALSchema adds the official
// schema.
func checkOSCALShape(t *testing.T, b []byte) {
	t.Helper()
	for _, e := range shapeErrors(b) {
		t.Error(e)
	}
}

func shapeErrors(b []byte) []string {
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		return []string{err.Error()}
	}
	token := regexp.MustCompile(`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)
	uuid := regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$`)
	oneLine := regexp.MustCompile(`^\S(.*\S)?$`)
	ids := map[string]bool{}
	var errs []string
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Sprintf(format, args...))
	}
	keys := func(where string, m map[string]any, required []string, allowed ...string) {
		for _, k := range required {
			if _, ok := m[k]; !ok {
				fail("%s: missing %q", where, k)
			}
		}
		allowed = append(allowed, required...)
		for k := range m {
			if !contains(allowed, k) {
				fail("%s: %q is not an OSCAL catalog property here", where, k)
			}
		}
	}
	id := func(where string, v any) {
		s, _ := v.(string)
		if !token.MatchString(s) {
			fail("%s: id %q is not an OSCAL token", where, s)
		}
		if ids[s] {
			fail("%s: id %q is used twice", where, s)
		}
		ids[s] = true
	}
	props := func(where string, v any) {
		for _, p := range list(v) {
			m := p.(map[string]any)
			keys(where+"/props", m, []string{"name", "value"}, "ns", "class", "uuid", "group", "remarks")
			if n, _ := m["name"].(string); !token.MatchString(n) {
				fail("%s: prop name %q is not a token", where, n)
			}
			if v, _ := m["value"].(string); !oneLine.MatchString(v) {
				fail("%s: prop value %q is not one line", where, v)
			}
		}
	}
	parts := func(where string, v any) {
		for _, p := range list(v) {
			m := p.(map[string]any)
			keys(where+"/parts", m, []string{"name"}, "id", "ns", "class", "title", "props", "prose", "parts", "links")
			if pid, ok := m["id"]; ok {
				id(where+"/parts", pid)
			}
		}
	}
	var control func(where string, c map[string]any)
	control = func(where string, c map[string]any) {
		keys(where, c, []string{"id", "title"}, "class", "params", "props", "links", "parts", "controls")
		id(where, c["id"])
		props(where, c["props"])
		parts(where, c["parts"])
		for _, sub := range list(c["controls"]) {
			control(where+"/controls", sub.(map[string]any))
		}
	}
	var group func(where string, g map[string]any)
	group = func(where string, g map[string]any) {
		keys(where, g, []string{"title"}, "id", "class", "params", "props", "links", "parts", "groups", "controls")
		if _, both := g["groups"]; both {
			if _, too := g["controls"]; too {
				fail("%s: a group holds groups or controls, not both", where)
			}
		}
		if gid, ok := g["id"]; ok {
			id(where, gid)
		}
		props(where, g["props"])
		parts(where, g["parts"])
		for _, sub := range list(g["groups"]) {
			group(where+"/groups", sub.(map[string]any))
		}
		for _, c := range list(g["controls"]) {
			control(where+"/controls", c.(map[string]any))
		}
	}

	keys("/", root, []string{"catalog"}, "$schema")
	cat, _ := root["catalog"].(map[string]any)
	keys("/catalog", cat, []string{"uuid", "metadata"}, "params", "controls", "groups", "back-matter")
	if u, _ := cat["uuid"].(string); !uuid.MatchString(u) {
		fail("/catalog/uuid %q is not a version 4 or 5 UUID", u)
	}
	md, _ := cat["metadata"].(map[string]any)
	keys("/catalog/metadata", md, []string{"title", "last-modified", "version", "oscal-version"},
		"published", "revisions", "document-ids", "props", "links", "roles", "locations", "parties", "responsible-parties", "actions", "remarks")
	if lm, _ := md["last-modified"].(string); !regexp.MustCompile(`T\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`).MatchString(lm) {
		fail("last-modified %q has no time zone", lm)
	} else if _, err := time.Parse(time.RFC3339, lm); err != nil {
		fail("last-modified %q: %v", lm, err)
	}
	if v, _ := md["oscal-version"].(string); !strings.HasPrefix(v, "1.1.") {
		fail("oscal-version %q", v)
	}
	props("/catalog/metadata", md["props"])
	for _, g := range list(cat["groups"]) {
		group("/catalog/groups", g.(map[string]any))
	}
	for _, c := range list(cat["controls"]) {
		control("/catalog/controls", c.(map[string]any))
	}
	for _, arr := range []string{"groups", "controls"} {
		if v, ok := cat[arr]; ok && len(list(v)) == 0 {
			fail("/catalog/%s is empty; OSCAL arrays have at least one item", arr)
		}
	}
	return errs
}

func list(v any) []any { l, _ := v.([]any); return l }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// oscalSchemaFile is NIST's OSCAL 1.1.3 catalog JSON schema, kept as test
// data (testdata/oscal/README.md says where it comes from).
const oscalSchemaFile = "testdata/oscal/oscal_catalog_schema.json"

// checkOSCALSchema validates an export against the official schema.
func checkOSCALSchema(t *testing.T, b []byte) {
	t.Helper()
	s := oscalSchema(t)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("the export fails the OSCAL 1.1.3 catalog schema: %v", err)
	}
}

func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(oscalSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	const url = "http://csrc.nist.gov/ns/oscal/1.1.3/oscal-catalog-schema.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOSCALChecksBite: both checks reject what OSCAL forbids, so their
// passing above means something.
func TestOSCALChecksBite(t *testing.T) {
	b, _ := exportOSCAL(t, builtinCatalog(t, catalog.IEC62443_4_1))
	s := oscalSchema(t)
	for name, broken := range map[string]string{
		"id not a token":      strings.Replace(string(b), `"id": "sm-1"`, `"id": "1 sm"`, 1),
		"no uuid":             regexp.MustCompile(`"uuid": "[^"]*",`).ReplaceAllString(string(b), ""),
		"uuid version 1":      regexp.MustCompile(`("uuid": "[0-9a-f]{8}-[0-9a-f]{4}-)5`).ReplaceAllString(string(b), "${1}1"),
		"unknown property":    strings.Replace(string(b), `"title": "Development process",`, `"title": "Development process", "kind": "x",`, 1),
		"no time zone":        strings.Replace(string(b), `"2026-03-01T11:30:00Z"`, `"2026-03-01T11:30:00"`, 1),
		"multi-line prop":     strings.Replace(string(b), `"value": "SM-1"`, `"value": "SM-1\n"`, 1),
		"group without title": strings.Replace(string(b), `"title": "Security management",`, ``, 1),
	} {
		if broken == string(b) {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(broken))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s: the OSCAL schema accepted it", name)
		}
		if len(shapeErrors([]byte(broken))) == 0 {
			t.Errorf("%s: the structural check accepted it", name)
		}
	}
}
