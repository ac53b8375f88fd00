package catalog_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
)

func TestRegistryBuiltin(t *testing.T) {
	r := catalog.NewRegistry()
	var ids []string
	for _, c := range r.Catalogs() {
		ids = append(ids, c.ID)
	}
	if diff := cmp.Diff([]string{catalog.IEC62443_4_1, catalog.CRA}, ids); diff != "" {
		t.Errorf("catalogues (-want +got):\n%s", diff)
	}
	c, err := r.Get(catalog.CRA)
	if err != nil || c.Requirement("I.I.2.m") == nil {
		t.Fatalf("Get(cra): %v", err)
	}
	req, err := r.Requirement(catalog.IEC62443_4_1, "SM-12")
	if err != nil || req.Title != "Process verification" {
		t.Errorf("Requirement(SM-12) = %+v, %v", req, err)
	}
	if _, err := r.Get("iec-62443-4-1-2026"); cradle.ErrorCode(err) != cradle.ENotFound {
		t.Errorf("unknown catalogue: %v", err)
	}
	if _, err := r.Requirement(catalog.IEC62443_4_1, "SM-14"); cradle.ErrorCode(err) != cradle.ENotFound || !strings.Contains(err.Error(), "SM-14") {
		t.Errorf("unknown requirement: %v", err)
	}
	if _, err := r.Requirement("nope", "SM-1"); cradle.ErrorCode(err) != cradle.ENotFound {
		t.Errorf("requirement of unknown catalogue: %v", err)
	}
	// A group is not a requirement.
	if _, err := r.Requirement(catalog.IEC62443_4_1, "SM"); cradle.ErrorCode(err) != cradle.ENotFound {
		t.Errorf("Requirement(SM): %v", err)
	}
	if _, err := r.Crosswalk(catalog.CrosswalkCRAIEC62443_4_1); err != nil {
		t.Error(err)
	}

	// What Get returns is a copy.
	c.Requirements[0].Title = "changed"
	again, _ := r.Get(catalog.CRA)
	if again.Requirements[0].Title == "changed" {
		t.Error("Get returned the registry's own catalogue")
	}
}

func TestRegistryAdd(t *testing.T) {
	r := catalog.NewRegistry()

	// A catalogue that reuses a built-in ID is refused, even a valid one:
	// evidence filed under it would change meaning.
	builtinIEC := catalog.Builtin()[0]
	builtinIEC.Title = "IEC 62443-4-1 as we read it"
	if err := r.Add(builtinIEC); cradle.ErrorCode(err) != cradle.EConflict || !strings.Contains(err.Error(), "built into cradle") {
		t.Errorf("Add(built-in ID) = %v, want a conflict", err)
	}

	// The amendment with renumbered IDs is a catalogue of its own.
	a11 := &catalog.Catalog{
		ID: "en-iec-62443-4-1-2018-a11", Title: "EN IEC 62443-4-1:2018/A11 (draft)", Version: "0.1",
		Groups: []catalog.Group{{ID: "SRM", Title: "Security risk management"}},
		Requirements: []catalog.Requirement{
			{ID: "SRM-1", Parent: "SRM", Title: "Risk assessment", Kind: catalog.KindProduct},
			{ID: "SRM-2", Parent: "SRM", Title: "Statement of applicability", Kind: catalog.KindProduct},
		},
	}
	if err := r.Add(a11); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(a11); cradle.ErrorCode(err) != cradle.EConflict {
		t.Errorf("Add twice = %v, want a conflict", err)
	}
	bad := a11.Clone()
	bad.ID = "bad"
	bad.Requirements[1].Parent = "XX"
	err := r.Add(bad)
	wantInvalid(t, err, "/requirements/1/parent", `found "XX"`)
	if _, err := r.Get("bad"); cradle.ErrorCode(err) != cradle.ENotFound {
		t.Error("an invalid catalogue was registered")
	}
	if err := r.Add(nil); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Errorf("Add(nil) = %v", err)
	}
	// Changing the catalogue after adding it changes nothing registered.
	a11.Requirements[0].Title = "changed"
	if got, _ := r.Requirement(a11.ID, "SRM-1"); got.Title != "Risk assessment" {
		t.Error("the registry shares the added catalogue")
	}

	// Cross-walks are checked against what is registered.
	x := &catalog.Crosswalk{
		ID: "a11-to-2018", Title: "A11 to 2018", Version: "1",
		From: "en-iec-62443-4-1-2018-a11", To: catalog.IEC62443_4_1,
		Links: []catalog.Link{{From: "SRM-1", To: []string{"SR-2", "SM-5"}}, {From: "SRM", To: []string{"SR-1"}}},
	}
	if err := r.AddCrosswalk(x); err != nil {
		t.Fatal(err)
	}
	if err := r.AddCrosswalk(x); cradle.ErrorCode(err) != cradle.EConflict {
		t.Errorf("AddCrosswalk twice = %v, want a conflict", err)
	}
	dangling := x.Clone()
	dangling.ID = "dangling"
	dangling.Links[0].To = []string{"SR-9"}
	wantInvalid(t, r.AddCrosswalk(dangling), "/links/0/to/0", `found "SR-9"`)
	builtinX := catalog.BuiltinCrosswalks()[0]
	if err := r.AddCrosswalk(builtinX); cradle.ErrorCode(err) != cradle.EConflict {
		t.Errorf("AddCrosswalk(built-in) = %v, want a conflict", err)
	}

	// Mapped now goes through both cross-walks from SR-2.
	var got []string
	for _, ref := range r.Mapped(catalog.IEC62443_4_1, "SR-2") {
		got = append(got, ref.Catalog+" "+ref.ID)
	}
	want := []string{"cra-2024-2847 I.I.1", "cra-2024-2847 I.II.3", "en-iec-62443-4-1-2018-a11 SRM-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Mapped(SR-2) (-want +got):\n%s", diff)
	}
	// SRM-2 is mapped only through its group.
	if diff := cmp.Diff([]catalog.Ref{{Catalog: catalog.IEC62443_4_1, ID: "SR-1", Crosswalk: "a11-to-2018", Via: "SRM"}}, r.Mapped("en-iec-62443-4-1-2018-a11", "SRM-2")); diff != "" {
		t.Errorf("Mapped(SRM-2) (-want +got):\n%s", diff)
	}
}

func TestMapped(t *testing.T) {
	r := catalog.NewRegistry()
	const xw = catalog.CrosswalkCRAIEC62443_4_1
	tests := []struct {
		name    string
		catalog string
		id      string
		want    []catalog.Ref
	}{
		{"CRA item to IEC", catalog.CRA, "I.I.2.m", []catalog.Ref{
			{Catalog: catalog.IEC62443_4_1, ID: "SG-4", Crosswalk: xw, Gap: "A removal capability in the product, not just documentation."},
		}},
		{"CRA item with nothing in IEC", catalog.CRA, "Art.14.8", []catalog.Ref{
			{Catalog: catalog.IEC62443_4_1, Crosswalk: xw, Gap: "Entirely new: IEC 62443-4-1 has no reporting to authorities."},
		}},
		{"IEC requirement to CRA", catalog.IEC62443_4_1, "SG-4", []catalog.Ref{
			{Catalog: catalog.CRA, ID: "I.I.2.m", Crosswalk: xw, Gap: "A removal capability in the product, not just documentation."},
			{Catalog: catalog.CRA, ID: "Art.13.12", Crosswalk: xw, Gap: "CE marking, the declaration of conformity and the technical file."},
			{Catalog: catalog.CRA, ID: "V", Crosswalk: xw, Gap: "CE marking, the declaration of conformity and the technical file."},
			{Catalog: catalog.CRA, ID: "VII", Crosswalk: xw, Gap: "CE marking, the declaration of conformity and the technical file."},
		}},
		{"CRA item through its annex", catalog.CRA, "VII.3", refsTo(xw, "VII", "CE marking, the declaration of conformity and the technical file.", "SG-1", "SG-2", "SG-3", "SG-4", "SG-5", "SG-6", "SG-7", "SM-12")},
		{"CRA group itself", catalog.CRA, "V", refsTo(xw, "", "CE marking, the declaration of conformity and the technical file.", "SG-1", "SG-2", "SG-3", "SG-4", "SG-5", "SG-6", "SG-7", "SM-12")},
		{"unmapped CRA item", catalog.CRA, "II.3", nil},
		{"unknown item", catalog.CRA, "I.I.2.z", nil},
		{"unknown catalogue", "nope", "SM-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, r.Mapped(tt.catalog, tt.id)); diff != "" {
				t.Errorf("Mapped(%s, %s) (-want +got):\n%s", tt.catalog, tt.id, diff)
			}
		})
	}

	// Both directions agree: every IEC requirement a CRA item maps to maps
	// back to that item.
	cra, _ := r.Get(catalog.CRA)
	for _, req := range cra.Requirements {
		for _, ref := range r.Mapped(catalog.CRA, req.ID) {
			if ref.ID == "" {
				continue
			}
			from := req.ID
			if ref.Via != "" {
				from = ref.Via
			}
			found := false
			for _, back := range r.Mapped(ref.Catalog, ref.ID) {
				found = found || back.ID == from
			}
			if !found {
				t.Errorf("%s maps to %s, but %s does not map back", from, ref.ID, ref.ID)
			}
		}
	}
}

func refsTo(xw, via, gap string, ids ...string) []catalog.Ref {
	var out []catalog.Ref
	for _, id := range ids {
		out = append(out, catalog.Ref{Catalog: catalog.IEC62443_4_1, ID: id, Crosswalk: xw, Gap: gap, Via: via})
	}
	return out
}

// TestRegistryConcurrent: readers and a writer at once (run with -race).
func TestRegistryConcurrent(t *testing.T) {
	r := catalog.NewRegistry()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &catalog.Catalog{ID: "c" + string(rune('a'+i)), Title: "C", Version: "1", Requirements: []catalog.Requirement{{ID: "R", Title: "R", Kind: catalog.KindProduct}}}
			if err := r.Add(c); err != nil {
				t.Error(err)
			}
			_ = r.Mapped(catalog.IEC62443_4_1, "SR-2")
			_ = r.Catalogs()
		}()
	}
	wg.Wait()
	if n := len(r.Catalogs()); n != 10 {
		t.Errorf("%d catalogues, want 10", n)
	}
}
