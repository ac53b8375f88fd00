package threatmodel

import (
	"fmt"
	"strconv"
	"strings"
)

// Diff lists what changed between two versions of a model.
type Diff struct {
	Changes []Change `json:"changes"`
}

// Change is one added, removed or changed item.
type Change struct {
	// Section is product, asset, boundary, element, interface, flow, rule
	// or threat.
	Section string `json:"section"`
	ID      string `json:"id"`
	// Op is added, removed or changed.
	Op     string        `json:"op"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is a changed attribute, with values as written in a model.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Change operations.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Empty reports whether nothing changed.
func (d Diff) Empty() bool { return len(d.Changes) == 0 }

// String renders the diff as text, one line per item and one per changed
// attribute:
//
//	~ flow f-webui-config
//	    encrypted: true → false
func (d Diff) String() string {
	if d.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	for _, c := range d.Changes {
		sign := map[string]string{Added: "+", Removed: "-", Changed: "~"}[c.Op]
		fmt.Fprintf(&b, "%s %s %s\n", sign, c.Section, c.ID)
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "    %s: %s → %s\n", f.Field, show(f.Old), show(f.New))
		}
	}
	return b.String()
}

func show(s string) string {
	if s == "" {
		return "(none)"
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// attr is a named attribute of an item, as text.
type attr struct{ name, value string }

func b2s(b bool) string { return strconv.FormatBool(b) }

func list(s []string) string { return strings.Join(sortedSet(s), ", ") }

// Compare compares two models (Diff cannot be both a type and a function),
// and the threats Threats returns for them (with
// the built-in rules and the models' own).
func Compare(old, new *Model) Diff {
	if old == nil {
		old = &Model{}
	}
	if new == nil {
		new = &Model{}
	}
	var d Diff
	d.section("product", []keyed{{"product", []attr{{"name", old.Product.Name}, {"version", old.Product.Version}, {"description", old.Product.Description}}}},
		[]keyed{{"product", []attr{{"name", new.Product.Name}, {"version", new.Product.Version}, {"description", new.Product.Description}}}})
	d.section("asset", mapItems(old.Assets, assetAttrs), mapItems(new.Assets, assetAttrs))
	d.section("boundary", mapItems(old.Boundaries, boundaryAttrs), mapItems(new.Boundaries, boundaryAttrs))
	d.section("element", mapItems(old.Elements, elementAttrs), mapItems(new.Elements, elementAttrs))
	d.section("interface", mapItems(old.Interfaces, interfaceAttrs), mapItems(new.Interfaces, interfaceAttrs))
	d.section("flow", mapItems(old.Flows, flowAttrs), mapItems(new.Flows, flowAttrs))
	d.section("rule", mapItems(old.Rules, ruleAttrs), mapItems(new.Rules, ruleAttrs))
	d.section("threat", mapItems(Threats(old), threatAttrs), mapItems(Threats(new), threatAttrs))
	return d
}

type keyed struct {
	id    string
	attrs []attr
}

func mapItems[T any](items []T, f func(T) (string, []attr)) []keyed {
	out := make([]keyed, len(items))
	for i, it := range items {
		out[i].id, out[i].attrs = f(it)
	}
	return out
}

// section compares two lists of items by ID, in the order of the new list,
// then the removed ones in the order of the old list.
func (d *Diff) section(name string, old, new []keyed) {
	prev := make(map[string][]attr, len(old))
	for _, k := range old {
		if _, dup := prev[k.id]; !dup {
			prev[k.id] = k.attrs
		}
	}
	seen := make(map[string]bool, len(new))
	for _, k := range new {
		if seen[k.id] {
			continue
		}
		seen[k.id] = true
		o, ok := prev[k.id]
		if !ok {
			d.Changes = append(d.Changes, Change{Section: name, ID: k.id, Op: Added})
			continue
		}
		var fields []FieldChange
		for i, a := range k.attrs {
			if i < len(o) && o[i].value != a.value {
				fields = append(fields, FieldChange{Field: a.name, Old: o[i].value, New: a.value})
			}
		}
		if len(fields) > 0 {
			d.Changes = append(d.Changes, Change{Section: name, ID: k.id, Op: Changed, Fields: fields})
		}
	}
	for _, k := range old {
		if !seen[k.id] {
			seen[k.id] = true
			d.Changes = append(d.Changes, Change{Section: name, ID: k.id, Op: Removed})
		}
	}
}

func assetAttrs(a Asset) (string, []attr) {
	return a.ID, []attr{{"name", a.Name}, {"description", a.Description},
		{"confidentiality", string(a.Confidentiality)}, {"integrity", string(a.Integrity)}, {"availability", string(a.Availability)}}
}

func boundaryAttrs(b Boundary) (string, []attr) {
	return b.ID, []attr{{"name", b.Name}, {"description", b.Description}, {"parent", b.Parent}}
}

func elementAttrs(e Element) (string, []attr) {
	return e.ID, []attr{{"kind", e.Kind}, {"name", e.Name}, {"description", e.Description}, {"boundary", e.Boundary}, {"assets", list(e.Assets)}}
}

func interfaceAttrs(i Interface) (string, []attr) {
	return i.ID, []attr{{"element", i.Element}, {"kind", i.Kind}, {"name", i.Name}, {"description", i.Description},
		{"debug", b2s(i.Debug)}, {"disabled_in_production", b2s(i.DisabledInProduction)}}
}

func flowAttrs(f Flow) (string, []attr) {
	return f.ID, []attr{{"name", f.Name}, {"from", f.From}, {"to", f.To}, {"protocol", f.Protocol}, {"description", f.Description},
		{"data", list(f.Data)}, {"authenticated", b2s(f.Authenticated)}, {"encrypted", b2s(f.Encrypted)}, {"bidirectional", b2s(f.Bidirectional)}}
}

func ruleAttrs(r Rule) (string, []attr) {
	w := r.When
	p := func(b *bool) string {
		if b == nil {
			return ""
		}
		return b2s(*b)
	}
	return r.ID, []attr{{"title", r.Title}, {"category", r.Category}, {"applies_to", r.AppliesTo}, {"kinds", list(r.Kinds)},
		{"severity", r.Severity}, {"mitigation", r.Mitigation},
		{"when.crosses_boundary", p(w.CrossesBoundary)}, {"when.encrypted", p(w.Encrypted)}, {"when.authenticated", p(w.Authenticated)},
		{"when.bidirectional", p(w.Bidirectional)}, {"when.from_kinds", list(w.FromKinds)}, {"when.to_kinds", list(w.ToKinds)},
		{"when.protocols", list(w.Protocols)}, {"when.exposed", p(w.Exposed)}, {"when.unauthenticated_flows", p(w.UnauthenticatedFlows)},
		{"when.debug", p(w.Debug)}, {"when.disabled_in_production", p(w.DisabledInProduction)},
		{"when.confidentiality", string(w.Confidentiality)}, {"when.integrity", string(w.Integrity)}, {"when.availability", string(w.Availability)}}
}

func threatAttrs(t Threat) (string, []attr) {
	sev := t.Severity.Rating
	if t.Severity.Score != nil {
		sev += " " + strconv.FormatFloat(*t.Severity.Score, 'f', 1, 64)
	}
	return t.ID, []attr{{"title", t.Title}, {"category", t.Category}, {"severity", sev}, {"vector", t.Vector},
		{"status", t.Status}, {"mitigation", t.Mitigation}, {"rationale", t.Rationale}, {"to", t.To},
		{"requirements", list(t.Requirements)}, {"tests", list(t.Tests)}}
}
