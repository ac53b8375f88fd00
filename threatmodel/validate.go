package threatmodel

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// idPattern is what an ID looks like: no colon (it separates rule and
// target in generated threat IDs), no spaces, at most 100 characters.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)

// maxProblems caps the problems reported for one document.
const maxProblems = 1000

type validator struct {
	name     string
	locs     locations
	problems []cradle.Problem
}

func (v *validator) add(path, format string, args ...any) {
	if len(v.problems) >= maxProblems {
		return
	}
	v.problems = append(v.problems, cradle.Problem{Location: v.locs.at(path), Message: fmt.Sprintf(format, args...)})
}

func itoa(i int) string { return strconv.Itoa(i) }

func quoteOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return locate.Quote(s)
}

func at(section string, i int, field string) string {
	p := section + "[" + itoa(i) + "]"
	if field != "" {
		p += "." + field
	}
	return p
}

func (v *validator) model(m *Model, extra []Rule) {
	if strings.TrimSpace(m.Product.Name) == "" {
		v.add("product", "expected product.name, the name of the product the model describes")
	}
	for i, r := range m.Reviews {
		if d, err := time.Parse(time.DateOnly, r.Date); err != nil {
			v.add(at("reviews", i, "date"), "expected a date as YYYY-MM-DD, found %s", quoteOr(r.Date, "none"))
		} else if d.After(time.Now().UTC().AddDate(0, 0, 1)) {
			v.add(at("reviews", i, "date"), "a review cannot be dated in the future (%s)", r.Date)
		}
		if strings.TrimSpace(r.By) == "" {
			v.add(at("reviews", i, "by"), "expected by: who reviewed the model")
		}
	}

	// IDs are unique across all sections.
	seen := map[string]string{}
	id := func(section string, i int, id string) {
		p := at(section, i, "id")
		switch {
		case id == "":
			v.add(at(section, i, ""), "expected an id")
			return
		case section == "threats" && strings.Contains(id, ":"):
			// refinement of a generated threat: checked below
		case !idPattern.MatchString(id):
			v.add(p, "expected an id of letters, digits, '.', '_', '/' and '-' (at most 100, no colon), found %s", locate.Quote(id))
		}
		if first, ok := seen[id]; ok {
			v.add(p, "duplicate id %s: already used at %s", locate.Quote(id), first)
			return
		}
		seen[id] = v.locs.at(p)
	}
	for i, a := range m.Assets {
		id("assets", i, a.ID)
	}
	for i, b := range m.Boundaries {
		id("boundaries", i, b.ID)
	}
	for i, e := range m.Elements {
		id("elements", i, e.ID)
	}
	for i, it := range m.Interfaces {
		id("interfaces", i, it.ID)
	}
	for i, f := range m.Flows {
		id("flows", i, f.ID)
	}
	for i, t := range m.Threats {
		id("threats", i, t.ID)
	}

	ix := buildIndex(m)
	for i, a := range m.Assets {
		v.level(at("assets", i, "confidentiality"), a.Confidentiality)
		v.level(at("assets", i, "integrity"), a.Integrity)
		v.level(at("assets", i, "availability"), a.Availability)
	}
	for i, b := range m.Boundaries {
		if b.Parent == "" {
			continue
		}
		switch {
		case b.Parent == b.ID:
			v.add(at("boundaries", i, "parent"), "boundary %s cannot be its own parent", locate.Quote(b.ID))
		case ix.boundaries[b.Parent] == nil:
			v.add(at("boundaries", i, "parent"), "unknown boundary %s%s", locate.Quote(b.Parent), v.isOther(ix, b.Parent))
		}
	}
	v.cycles(m, ix)
	for i, e := range m.Elements {
		if !slices.Contains([]string{Process, Datastore, ExternalEntity}, e.Kind) {
			v.add(at("elements", i, "kind"), "expected kind process, datastore or external_entity, found %s", quoteOr(e.Kind, "none"))
		}
		if e.Boundary != "" && ix.boundaries[e.Boundary] == nil {
			v.add(at("elements", i, "boundary"), "unknown boundary %s%s", locate.Quote(e.Boundary), v.isOther(ix, e.Boundary))
		}
		v.assetRefs(ix, "elements", i, "assets", e.Assets)
	}
	for i, it := range m.Interfaces {
		if it.Element == "" {
			v.add(at("interfaces", i, ""), "expected element: the element the interface belongs to")
		} else if ix.elements[it.Element] == nil {
			v.add(at("interfaces", i, "element"), "unknown element %s%s", locate.Quote(it.Element), v.isOther(ix, it.Element))
		}
		if !slices.Contains(InterfaceKinds, it.Kind) {
			v.add(at("interfaces", i, "kind"), "expected kind %s, found %s", strings.Join(InterfaceKinds, "|"), quoteOr(it.Kind, "none"))
		}
	}
	for i, f := range m.Flows {
		for _, end := range []struct{ field, id string }{{"from", f.From}, {"to", f.To}} {
			if end.id == "" {
				v.add(at("flows", i, ""), "expected %s: the ID of an element", end.field)
			} else if ix.elements[end.id] == nil {
				v.add(at("flows", i, end.field), "unknown element %s%s", locate.Quote(end.id), v.isOther(ix, end.id))
			}
		}
		if f.From != "" && f.From == f.To {
			v.add(at("flows", i, "to"), "flow %s goes from element %s to itself: model the flow to the element it reaches", locate.Quote(f.ID), locate.Quote(f.From))
		}
		v.assetRefs(ix, "flows", i, "data", f.Data)
	}

	rules := ruleSet(BuiltinRules(), extra, m.Rules)
	for i := range m.Rules {
		v.rule(&m.Rules[i], at("rules", i, ""))
	}
	v.uniqueRules(m.Rules, "rules")
	var gen map[string]bool // IDs of generated threats, computed on demand
	for i := range m.Threats {
		t := &m.Threats[i]
		v.entry(m, ix, t, i, rules, &gen)
	}
}

// isOther explains a reference to an item of another section.
func (v *validator) isOther(ix *index, id string) string {
	if k := ix.targetKind(id); k != "" {
		return " (it is the ID of " + article(k) + ")"
	}
	return ""
}

func article(k string) string {
	if strings.ContainsAny(k[:1], "aeiou") {
		return "an " + k
	}
	return "a " + k
}

func (v *validator) level(path string, l Level) {
	switch l {
	case "", LevelNone, LevelLow, LevelMedium, LevelHigh:
	default:
		v.add(path, "expected none, low, medium or high, found %s", locate.Quote(string(l)))
	}
}

func (v *validator) assetRefs(ix *index, section string, i int, field string, ids []string) {
	for j, a := range ids {
		if ix.assets[a] == nil {
			v.add(at(section, i, field)+"["+itoa(j)+"]", "unknown asset %s%s", locate.Quote(a), v.isOther(ix, a))
		}
	}
}

// cycles reports each cycle of boundary parents once, at its first member.
func (v *validator) cycles(m *Model, ix *index) {
	reported := map[string]bool{}
	for i, b := range m.Boundaries {
		if reported[b.ID] {
			continue
		}
		var path []string
		cur := b.ID
		for steps := 0; steps <= len(m.Boundaries); steps++ {
			bb := ix.boundaries[cur]
			if bb == nil || bb.Parent == "" || bb.Parent == bb.ID {
				break
			}
			path = append(path, cur)
			cur = bb.Parent
			if cur == b.ID {
				for _, p := range path {
					reported[p] = true
				}
				v.add(at("boundaries", i, "parent"), "boundaries nest in a cycle: %s", strings.Join(append(path, b.ID), " → "))
				break
			}
		}
	}
}

func (v *validator) uniqueRules(rs []Rule, section string) {
	seen := map[string]bool{}
	for i, r := range rs {
		if r.ID != "" && seen[r.ID] {
			v.add(at(section, i, "id"), "duplicate rule id %s", locate.Quote(r.ID))
		}
		seen[r.ID] = true
	}
}

var severities = []string{"low", "medium", "high", "critical"}

func (v *validator) rule(r *Rule, p string) {
	if r.ID == "" {
		v.add(p, "expected an id")
	} else if !idPattern.MatchString(r.ID) {
		v.add(p+".id", "expected an id of letters, digits, '.', '_', '/' and '-' (at most 100, no colon), found %s", locate.Quote(r.ID))
	}
	if strings.TrimSpace(r.Title) == "" {
		v.add(p, "expected a title")
	}
	if c, ok := normCategory(r.Category); !ok {
		v.add(p+".category", "expected a STRIDE category (S, T, R, I, D, E or its name), found %s", quoteOr(r.Category, "none"))
	} else {
		r.Category = c
	}
	if !slices.Contains(severities, r.Severity) {
		v.add(p+".severity", "expected severity low, medium, high or critical, found %s", quoteOr(r.Severity, "none"))
	}
	w := &r.When
	v.level(p+".when.confidentiality", w.Confidentiality)
	v.level(p+".when.integrity", w.Integrity)
	v.level(p+".when.availability", w.Availability)
	kinds := func(field string, list []string, allowed []string) {
		for j, k := range list {
			if !slices.Contains(allowed, k) {
				v.add(p+"."+field+"["+itoa(j)+"]", "expected one of %s, found %s", strings.Join(allowed, ", "), locate.Quote(k))
			}
		}
	}
	elementKinds := []string{Process, Datastore, ExternalEntity}
	notFor := func(what string, set bool, field string) {
		if set {
			v.add(p+".when."+field, "condition %s does not apply to %s rules", field, what)
		}
	}
	switch r.AppliesTo {
	case ToFlow:
		if len(r.Kinds) > 0 {
			v.add(p+".kinds", "kinds does not apply to flow rules: use when.from_kinds and when.to_kinds")
		}
		kinds("when.from_kinds", w.FromKinds, elementKinds)
		kinds("when.to_kinds", w.ToKinds, elementKinds)
		notFor("flow", w.Exposed != nil, "exposed")
		notFor("flow", w.UnauthenticatedFlows != nil, "unauthenticated_flows")
		notFor("flow", w.Debug != nil, "debug")
		notFor("flow", w.DisabledInProduction != nil, "disabled_in_production")
	case ToElement, ToInterface:
		if r.AppliesTo == ToElement {
			kinds("kinds", r.Kinds, elementKinds)
			notFor("element", w.Debug != nil, "debug")
			notFor("element", w.DisabledInProduction != nil, "disabled_in_production")
		} else {
			kinds("kinds", r.Kinds, InterfaceKinds)
			notFor("interface", w.Exposed != nil, "exposed")
			notFor("interface", w.UnauthenticatedFlows != nil, "unauthenticated_flows")
		}
		notFor(r.AppliesTo, w.CrossesBoundary != nil, "crosses_boundary")
		notFor(r.AppliesTo, w.Encrypted != nil, "encrypted")
		notFor(r.AppliesTo, w.Authenticated != nil, "authenticated")
		notFor(r.AppliesTo, w.Bidirectional != nil, "bidirectional")
		notFor(r.AppliesTo, len(w.FromKinds) > 0, "from_kinds")
		notFor(r.AppliesTo, len(w.ToKinds) > 0, "to_kinds")
		notFor(r.AppliesTo, len(w.Protocols) > 0, "protocols")
	default:
		v.add(p+".applies_to", "expected applies_to element, flow or interface, found %s", quoteOr(r.AppliesTo, "none"))
	}
}

func (v *validator) entry(m *Model, ix *index, t *Entry, i int, rules []Rule, gen *map[string]bool) {
	p := at("threats", i, "")
	if t.Refines() {
		ruleID, target, _ := strings.Cut(t.ID, ":")
		ri := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == ruleID })
		switch {
		case ri < 0:
			v.add(p+".id", "unknown rule %s: an id with a colon refines the generated threat <rule-id>:<target-id>", locate.Quote(ruleID))
		case ix.targetKind(target) == "":
			v.add(p+".id", "unknown target %s of generated threat %s", locate.Quote(target), locate.Quote(t.ID))
		default:
			if *gen == nil {
				*gen = map[string]bool{}
				for _, g := range generate(m, ix, rules) {
					(*gen)[g.ID] = true
				}
			}
			if !(*gen)[t.ID] {
				v.add(p+".id", "rule %s generates no threat for %s (anymore): remove this entry or give it an id without a colon to keep it as a manual threat", locate.Quote(ruleID), locate.Quote(target))
			} else if t.Category != "" {
				if c, ok := normCategory(t.Category); !ok || c != rules[ri].Category {
					v.add(p+".category", "the category of a generated threat is its rule's (%s): leave it out", rules[ri].Category)
				}
			}
		}
		if t.Target != "" && t.Target != target {
			v.add(p+".target", "the target of a generated threat is in its id (%s): leave target out", locate.Quote(target))
		}
	} else {
		if strings.TrimSpace(t.Title) == "" {
			v.add(p, "expected a title for manual threat %s", locate.Quote(t.ID))
		}
		if t.Category == "" {
			v.add(p, "expected a category (S, T, R, I, D or E) for manual threat %s", locate.Quote(t.ID))
		} else if _, ok := normCategory(t.Category); !ok {
			v.add(p+".category", "expected a STRIDE category (S, T, R, I, D, E or its name), found %s", locate.Quote(t.Category))
		}
		if t.Target != "" && ix.targetKind(t.Target) == "" {
			v.add(p+".target", "unknown target %s: expected the ID of an element, flow, interface, asset or boundary", locate.Quote(t.Target))
		}
		if t.CVSS == "" && t.Severity == "" {
			v.add(p, "expected cvss (a CVSS v3.x or v4.0 vector) or severity (low, medium, high, critical) for manual threat %s", locate.Quote(t.ID))
		}
	}
	if t.CVSS != "" && t.Severity != "" {
		v.add(p+".severity", "give either cvss or severity, not both")
	}
	if t.CVSS != "" {
		if _, err := scoreVector(t.CVSS); err != nil {
			v.add(p+".cvss", "%s", err.Error())
		}
	}
	if t.Severity != "" && !slices.Contains(severities, t.Severity) {
		v.add(p+".severity", "expected severity low, medium, high or critical, found %s", locate.Quote(t.Severity))
	}
	switch t.Status {
	case "", StatusOpen, StatusMitigated:
	case StatusAccepted, StatusTransferred:
		if strings.TrimSpace(t.Rationale) == "" {
			v.add(p+".status", "a threat that is %s needs a rationale: why the residual risk is acceptable or who bears it", t.Status)
		}
		if t.Status == StatusTransferred && strings.TrimSpace(t.To) == "" {
			v.add(p+".status", "a transferred threat needs to: who it is transferred to (e.g. the operator, named in the security guidelines)")
		}
	default:
		v.add(p+".status", "expected status open, mitigated, accepted or transferred, found %s", locate.Quote(t.Status))
	}
	if t.To != "" && t.Status != StatusTransferred {
		v.add(p+".to", "to is only for transferred threats")
	}
	for j, s := range t.Requirements {
		if strings.TrimSpace(s) == "" {
			v.add(p+".requirements["+itoa(j)+"]", "expected a requirement ID, found an empty string")
		}
	}
	for j, s := range t.Tests {
		if strings.TrimSpace(s) == "" {
			v.add(p+".tests["+itoa(j)+"]", "expected a test ID or name, found an empty string")
		}
	}
}

// scoreVector scores a CVSS v3.x or v4.0 vector.
func scoreVector(vec string) (*cvss.Score, error) {
	s, err := cvss.Parse(vec)
	if err != nil {
		msg := cradle.ErrorMessage(err)
		var parts []string
		for i, p := range cradle.ErrorProblems(err) {
			if i == 3 {
				parts = append(parts, "...")
				break
			}
			parts = append(parts, p.String())
		}
		if len(parts) > 0 {
			msg += ": " + strings.Join(parts, "; ")
		}
		return nil, fmt.Errorf("%s", msg)
	}
	if s.Version == cvss.V20 {
		return nil, fmt.Errorf("expected a CVSS v3.0, v3.1 or v4.0 vector, found a v2.0 vector")
	}
	return s, nil
}
