package threatmodel

import (
	_ "embed"
	"slices"
	"strings"
	"sync"

	"github.com/cradle-sdl/cradle"
)

// Rule generates a threat for every element, flow or interface of a model
// it applies to. Its ID and the target's ID form the threat's ID.
type Rule struct {
	ID          string `yaml:"id" json:"id"`
	Title       string `yaml:"title" json:"title"`
	Description string `yaml:"description" json:"description,omitempty"`
	// Category is a STRIDE letter: S, T, R, I, D or E (the full names,
	// such as information_disclosure, are accepted on input).
	Category string `yaml:"category" json:"category"`
	// AppliesTo is "element", "flow" or "interface".
	AppliesTo string `yaml:"applies_to" json:"applies_to"`
	// Kinds restricts an element rule to element kinds and an interface
	// rule to interface kinds; empty means all.
	Kinds []string   `yaml:"kinds" json:"kinds,omitempty"`
	When  Conditions `yaml:"when" json:"when"`
	// Severity is the default: low, medium, high or critical.
	Severity   string `yaml:"severity" json:"severity"`
	Mitigation string `yaml:"mitigation" json:"mitigation,omitempty"`
}

// Conditions select the targets of a rule; every condition set must hold.
type Conditions struct {
	// Flow conditions. CrossesBoundary: from and to lie in different trust
	// boundaries (an element inside a nested boundary is also inside its
	// parents, so only the boundaries the flow enters or leaves count).
	CrossesBoundary *bool    `yaml:"crosses_boundary" json:"crosses_boundary,omitempty"`
	Encrypted       *bool    `yaml:"encrypted" json:"encrypted,omitempty"`
	Authenticated   *bool    `yaml:"authenticated" json:"authenticated,omitempty"`
	Bidirectional   *bool    `yaml:"bidirectional" json:"bidirectional,omitempty"`
	FromKinds       []string `yaml:"from_kinds" json:"from_kinds,omitempty"`
	ToKinds         []string `yaml:"to_kinds" json:"to_kinds,omitempty"`
	Protocols       []string `yaml:"protocols" json:"protocols,omitempty"`

	// Element conditions. Exposed: the element has a flow that crosses a
	// trust boundary. UnauthenticatedFlows: it has a flow without
	// authentication.
	Exposed              *bool `yaml:"exposed" json:"exposed,omitempty"`
	UnauthenticatedFlows *bool `yaml:"unauthenticated_flows" json:"unauthenticated_flows,omitempty"`

	// Interface conditions.
	Debug                *bool `yaml:"debug" json:"debug,omitempty"`
	DisabledInProduction *bool `yaml:"disabled_in_production" json:"disabled_in_production,omitempty"`

	// Asset conditions, for every kind of rule: some asset involved (the
	// data of a flow, the assets of an element, the assets of an
	// interface's element) has at least this level of the property.
	Confidentiality Level `yaml:"confidentiality" json:"confidentiality,omitempty"`
	Integrity       Level `yaml:"integrity" json:"integrity,omitempty"`
	Availability    Level `yaml:"availability" json:"availability,omitempty"`
}

// What a rule applies to.
const (
	ToElement   = "element"
	ToFlow      = "flow"
	ToInterface = "interface"
)

//go:embed rules.yaml
var builtinYAML []byte

type ruleFile struct {
	Version int    `yaml:"version"`
	Rules   []Rule `yaml:"rules"`
}

var builtin = sync.OnceValues(func() ([]Rule, error) {
	return LoadRules("rules.yaml", builtinYAML)
})

// BuiltinRules returns the embedded rule library.
func BuiltinRules() []Rule {
	rs, err := builtin()
	if err != nil {
		return nil // a test keeps the embedded library valid
	}
	return slices.Clone(rs)
}

// LoadRules parses a rule library: a document with "version: 1" and a
// "rules" list in the format of a model's rules section.
func LoadRules(name string, data []byte) ([]Rule, error) {
	var f ruleFile
	w, err := decode(name, data, &f)
	if err != nil {
		return nil, err
	}
	v := &validator{name: name, locs: w.locs}
	if f.Version != 1 || w.version != "1" {
		v.add("version", "expected version: 1, found %s", quoteOr(w.version, "none"))
	}
	for i := range f.Rules {
		v.rule(&f.Rules[i], "rules["+itoa(i)+"]")
	}
	v.uniqueRules(f.Rules, "rules")
	if len(v.problems) > 0 {
		return nil, cradle.Invalid("the rule library is not valid", v.problems...)
	}
	return f.Rules, nil
}

// ruleSet merges rule lists: a rule replaces an earlier one of the same ID.
func ruleSet(lists ...[]Rule) []Rule {
	var out []Rule
	pos := map[string]int{}
	for _, l := range lists {
		for _, r := range l {
			if i, ok := pos[r.ID]; ok {
				out[i] = r
				continue
			}
			pos[r.ID] = len(out)
			out = append(out, r)
		}
	}
	return out
}

var categoryNames = map[string]string{
	"S": "Spoofing",
	"T": "Tampering",
	"R": "Repudiation",
	"I": "Information disclosure",
	"D": "Denial of service",
	"E": "Elevation of privilege",
}

// CategoryName returns the name of a STRIDE letter ("I" → "Information
// disclosure"), or "" for anything else.
func CategoryName(c string) string { return categoryNames[c] }

// normCategory returns the STRIDE letter for a letter or a name.
func normCategory(s string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := categoryNames[u]; ok {
		return u, true
	}
	n := strings.ToLower(strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(s)))
	for k, name := range categoryNames {
		if strings.ToLower(name) == n {
			return k, true
		}
	}
	return "", false
}

// matcher evaluates rules against one model.
type matcher struct {
	m  *Model
	ix *index
}

func (c *matcher) flow(r *Rule, f *Flow) bool {
	w := &r.When
	if w.Exposed != nil || w.UnauthenticatedFlows != nil || w.Debug != nil || w.DisabledInProduction != nil {
		return false
	}
	if w.CrossesBoundary != nil && *w.CrossesBoundary != (len(c.ix.crossed(f)) > 0) {
		return false
	}
	if !boolIs(w.Encrypted, f.Encrypted) || !boolIs(w.Authenticated, f.Authenticated) || !boolIs(w.Bidirectional, f.Bidirectional) {
		return false
	}
	if len(w.FromKinds) > 0 && !slices.Contains(w.FromKinds, c.ix.kind(f.From)) {
		return false
	}
	if len(w.ToKinds) > 0 && !slices.Contains(w.ToKinds, c.ix.kind(f.To)) {
		return false
	}
	if len(w.Protocols) > 0 && !containsFold(w.Protocols, f.Protocol) {
		return false
	}
	return c.assets(w, f.Data)
}

func (c *matcher) element(r *Rule, e *Element) bool {
	w := &r.When
	if w.CrossesBoundary != nil || w.Encrypted != nil || w.Authenticated != nil || w.Bidirectional != nil ||
		len(w.FromKinds) > 0 || len(w.ToKinds) > 0 || len(w.Protocols) > 0 || w.Debug != nil || w.DisabledInProduction != nil {
		return false
	}
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, e.Kind) {
		return false
	}
	if w.Exposed != nil || w.UnauthenticatedFlows != nil {
		exposed, unauth := false, false
		for _, f := range c.ix.elemFlows[e.ID] {
			exposed = exposed || len(c.ix.crossed(f)) > 0
			unauth = unauth || !f.Authenticated
		}
		if !boolIs(w.Exposed, exposed) || !boolIs(w.UnauthenticatedFlows, unauth) {
			return false
		}
	}
	return c.assets(w, e.Assets)
}

func (c *matcher) iface(r *Rule, i *Interface) bool {
	w := &r.When
	if w.CrossesBoundary != nil || w.Encrypted != nil || w.Authenticated != nil || w.Bidirectional != nil ||
		len(w.FromKinds) > 0 || len(w.ToKinds) > 0 || len(w.Protocols) > 0 || w.Exposed != nil || w.UnauthenticatedFlows != nil {
		return false
	}
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, i.Kind) {
		return false
	}
	if !boolIs(w.Debug, i.Debug) || !boolIs(w.DisabledInProduction, i.DisabledInProduction) {
		return false
	}
	var assets []string
	if e := c.ix.elements[i.Element]; e != nil {
		assets = e.Assets
	}
	return c.assets(w, assets)
}

// assets checks the asset conditions against the assets with these IDs.
func (c *matcher) assets(w *Conditions, ids []string) bool {
	need := func(min Level, get func(*Asset) Level) bool {
		if min == "" || min == LevelNone {
			return true
		}
		for _, id := range ids {
			if a := c.ix.assets[id]; a != nil && get(a).rank() >= min.rank() {
				return true
			}
		}
		return false
	}
	return need(w.Confidentiality, func(a *Asset) Level { return a.Confidentiality }) &&
		need(w.Integrity, func(a *Asset) Level { return a.Integrity }) &&
		need(w.Availability, func(a *Asset) Level { return a.Availability })
}

func boolIs(want *bool, got bool) bool { return want == nil || *want == got }

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
