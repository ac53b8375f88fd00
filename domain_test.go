package cradle_test

import (
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

func TestComputeDepths(t *testing.T) {
	for _, tc := range []struct {
		name string
		sbom cradle.SBOM
		want map[string]int
	}{
		{"root with edges", cradle.SBOM{Root: "r",
			Components:   comps("r", "a", "b", "c", "x"),
			Dependencies: []cradle.Dependency{{"r", "a"}, {"a", "b"}, {"b", "c"}, {"c", "a"}}},
			map[string]int{"r": 0, "a": 1, "b": 2, "c": 3, "x": -1}},
		{"root without edges", cradle.SBOM{Root: "r",
			Components:   comps("r", "a", "b"),
			Dependencies: []cradle.Dependency{{"a", "b"}}},
			map[string]int{"r": 0, "a": 1, "b": 2}},
		{"no root", cradle.SBOM{
			Components:   comps("a", "b", "c"),
			Dependencies: []cradle.Dependency{{"a", "b"}}},
			map[string]int{"a": 1, "b": 2, "c": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.sbom.ComputeDepths()
			for _, c := range tc.sbom.Components {
				if c.Depth != tc.want[c.Ref] {
					t.Errorf("%s: depth %d, want %d", c.Ref, c.Depth, tc.want[c.Ref])
				}
			}
		})
	}
}

func comps(refs ...string) []cradle.Component {
	var out []cradle.Component
	for _, r := range refs {
		out = append(out, cradle.Component{Ref: r, Name: r})
	}
	return out
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		loc  string
	}{
		{"empty name", (&cradle.Product{}).Validate(), "name"},
		{"reserved name", (&cradle.Product{Name: "new"}).Validate(), "name"},
		{"dot name", (&cradle.Product{Name: ".."}).Validate(), "name"},
		{"slash", (&cradle.Product{Name: "a/b"}).Validate(), "name"},
		{"class", (&cradle.Product{Name: "a", Class: "x"}).Validate(), "cra_class"},
		{"date", (&cradle.Product{Name: "a", SupportEnd: "31.12.2030"}).Validate(), "support_end"},
		{"version", (&cradle.Release{}).Validate(), "version"},
		{"lifecycle", (&cradle.Release{Version: "1", Lifecycle: "beta"}).Validate(), "lifecycle"},
		{"email", (&cradle.User{Email: "x", Role: cradle.RoleAdmin}).Validate(), "email"},
		{"role", (&cradle.User{Email: "a@b.c", Role: "root"}).Validate(), "role"},
		{"password", cradle.CheckPassword("short"), "password"},
	} {
		probs := cradle.ErrorProblems(tc.err)
		if cradle.ErrorCode(tc.err) != cradle.EInvalid || len(probs) == 0 || probs[0].Location != tc.loc {
			t.Errorf("%s: %v, want an invalid error at %q", tc.name, tc.err, tc.loc)
		}
	}
	p := &cradle.Product{Name: "  Gateway  "}
	if err := p.Validate(); err != nil || p.Name != "Gateway" || p.Class != cradle.ClassDefault {
		t.Errorf("normalisation: %+v %v", p, err)
	}
}

func TestVerifyChain(t *testing.T) {
	var entries []cradle.AuditEntry
	prev := cradle.GenesisHash
	for i := int64(1); i <= 4; i++ {
		e := cradle.AuditEntry{Seq: i, Actor: "a", Action: "x", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		entries = append(entries, e)
	}
	if b := cradle.VerifyChain(entries); b != nil {
		t.Fatalf("intact chain: %+v", b)
	}
	swapped := append([]cradle.AuditEntry{}, entries...)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	if b := cradle.VerifyChain(swapped); b == nil || b.Reason != "reordered" || b.Seq != 3 {
		t.Errorf("swapped: %+v", b)
	}
	removed := append([]cradle.AuditEntry{entries[0]}, entries[2:]...)
	if b := cradle.VerifyChain(removed); b == nil || b.Reason != "removed" || b.Seq != 3 {
		t.Errorf("removed: %+v", b)
	}
	altered := append([]cradle.AuditEntry{}, entries...)
	altered[3].Actor = "mallory"
	if b := cradle.VerifyChain(altered); b == nil || b.Reason != "altered" || b.Seq != 4 {
		t.Errorf("altered: %+v", b)
	}
}
