package threatmodel

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cradle-sdl/cradle/cvss"
)

// Threat is a generated or manual threat, with the model's refinements
// applied.
type Threat struct {
	ID          string   `json:"id"`
	Rule        string   `json:"rule,omitempty"` // "" for manual threats
	Category    string   `json:"category"`       // S, T, R, I, D or E
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Target      Target   `json:"target"`
	Severity    Severity `json:"severity"`
	// Vector is the CVSS vector in canonical form, if the severity is scored.
	Vector       string   `json:"vector,omitempty"`
	Mitigation   string   `json:"mitigation,omitempty"`
	Status       string   `json:"status"`
	Rationale    string   `json:"rationale,omitempty"`
	To           string   `json:"to,omitempty"` // who a transferred threat is transferred to
	Requirements []string `json:"requirements,omitempty"`
	Tests        []string `json:"tests,omitempty"`
	Generated    bool     `json:"generated"`
	// Refined reports that the model has an entry for a generated threat.
	Refined bool `json:"refined,omitempty"`
}

// Target is what a threat is about. Kind is element, flow, interface, asset,
// boundary, or "" when a manual threat names no target.
type Target struct {
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Severity is a qualitative rating (None, Low, Medium, High, Critical: the
// CVSS v3.x/v4.0 scale) and, when it comes from a CVSS vector, its score.
type Severity struct {
	Rating string   `json:"rating"`
	Score  *float64 `json:"score,omitempty"`
}

// ratingRank orders ratings; unknown ones rank with None.
func ratingRank(r string) int {
	switch strings.ToLower(r) {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}

// ratingOf turns a severity word of the format into a CVSS rating.
func ratingOf(s string) string {
	switch s {
	case "low":
		return cvss.RatingLow
	case "medium":
		return cvss.RatingMedium
	case "high":
		return cvss.RatingHigh
	case "critical":
		return cvss.RatingCritical
	}
	return ""
}

// Threats returns the threats of a model: those the built-in rules, extra
// and the model's own rules generate (a rule replaces an earlier one of the
// same ID; the model's rules come last), refined by the model's threat
// entries of the same ID, and the model's manual threats. Entries that
// refine no generated threat are left out (Parse rejects them). Threats
// are sorted by ID.
func Threats(m *Model, extra ...Rule) []Threat {
	if m == nil {
		return nil
	}
	ix := m.index()
	rules := ruleSet(BuiltinRules(), extra, m.Rules)
	ts := generate(m, ix, rules)
	pos := make(map[string]int, len(ts))
	for i, t := range ts {
		pos[t.ID] = i
	}
	for _, e := range m.Threats {
		if e.Refines() {
			i, ok := pos[e.ID]
			if !ok {
				continue
			}
			t := &ts[i]
			t.Refined = true
			if e.Title != "" {
				t.Title = e.Title
			}
			if e.Description != "" {
				t.Description = e.Description
			}
			if e.Mitigation != "" {
				t.Mitigation = e.Mitigation
			}
			applyEntry(t, e)
			continue
		}
		if _, dup := pos[e.ID]; dup {
			continue
		}
		cat, _ := normCategory(e.Category)
		t := Threat{
			ID:          e.ID,
			Category:    cat,
			Title:       e.Title,
			Description: e.Description,
			Mitigation:  e.Mitigation,
			Status:      StatusOpen,
		}
		if e.Target != "" {
			t.Target = Target{Kind: ix.targetKind(e.Target), ID: e.Target}
		}
		applyEntry(&t, e)
		pos[t.ID] = len(ts)
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b Threat) int { return strings.Compare(a.ID, b.ID) })
	return ts
}

// applyEntry applies what generated and manual threats share.
func applyEntry(t *Threat, e Entry) {
	if e.CVSS != "" {
		if s, err := scoreVector(e.CVSS); err == nil {
			score := s.Overall
			t.Severity = Severity{Rating: s.Rating, Score: &score}
			t.Vector = s.Vector
		}
	} else if r := ratingOf(e.Severity); r != "" {
		t.Severity = Severity{Rating: r}
		t.Vector = ""
	}
	if e.Status != "" {
		t.Status = e.Status
	}
	t.Rationale = e.Rationale
	t.To = e.To
	t.Requirements = slices.Clone(e.Requirements)
	t.Tests = slices.Clone(e.Tests)
}

// generate applies the rules to every target of the model.
func generate(m *Model, ix *index, rules []Rule) []Threat {
	c := &matcher{m: m, ix: ix}
	var out []Threat
	for ri := range rules {
		r := &rules[ri]
		cat, ok := normCategory(r.Category)
		if !ok {
			continue
		}
		emit := func(kind, id string, vars map[string]string) {
			out = append(out, Threat{
				ID:          r.ID + ":" + id,
				Rule:        r.ID,
				Category:    cat,
				Title:       expand(r.Title, vars),
				Description: expand(r.Description, vars),
				Target:      Target{Kind: kind, ID: id},
				Severity:    Severity{Rating: ratingOf(r.Severity)},
				Mitigation:  expand(r.Mitigation, vars),
				Status:      StatusOpen,
				Generated:   true,
			})
		}
		switch r.AppliesTo {
		case ToFlow:
			for i := range m.Flows {
				if f := &m.Flows[i]; c.flow(r, f) {
					emit(ToFlow, f.ID, flowVars(ix, f))
				}
			}
		case ToElement:
			for i := range m.Elements {
				if e := &m.Elements[i]; c.element(r, e) {
					emit(ToElement, e.ID, map[string]string{
						"id": e.ID, "name": or(e.Name, e.ID), "kind": e.Kind,
						"assets": names(ix, e.Assets), "boundary": ix.name(e.Boundary),
					})
				}
			}
		case ToInterface:
			for i := range m.Interfaces {
				if it := &m.Interfaces[i]; c.iface(r, it) {
					emit(ToInterface, it.ID, map[string]string{
						"id": it.ID, "name": or(it.Name, it.ID), "kind": it.Kind,
						"element": ix.name(it.Element),
					})
				}
			}
		}
	}
	return out
}

func flowVars(ix *index, f *Flow) map[string]string {
	var bs []string
	for _, b := range ix.crossed(f) {
		bs = append(bs, ix.name(b))
	}
	return map[string]string{
		"id": f.ID, "name": or(f.Name, f.ID), "from": ix.name(f.From), "to": ix.name(f.To),
		"protocol": or(f.Protocol, "unspecified protocol"), "data": names(ix, f.Data),
		"boundary": strings.Join(bs, ", "),
	}
}

func names(ix *index, ids []string) string {
	if len(ids) == 0 {
		return "data"
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ix.name(id)
	}
	return strings.Join(out, ", ")
}

// expand replaces {name} placeholders; unknown ones stay as written.
func expand(tmpl string, vars map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		key := tmpl[i+1 : i+j]
		val, ok := vars[key]
		b.WriteString(tmpl[:i])
		if ok {
			b.WriteString(val)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// Summary counts threats by status and severity rating.
type Summary struct {
	Total      int            `json:"total"`
	ByStatus   map[string]int `json:"by_status"`
	BySeverity map[string]int `json:"by_severity"`
	// Untested counts mitigated threats that name no test (SVV-2 asks for
	// each mitigation to be tested).
	Untested int `json:"untested"`
	threats  []Threat
}

// Summarize counts the threats.
func Summarize(ts []Threat) Summary {
	s := Summary{Total: len(ts), ByStatus: map[string]int{}, BySeverity: map[string]int{}, threats: ts}
	for _, t := range ts {
		s.ByStatus[t.Status]++
		s.BySeverity[or(t.Severity.Rating, cvss.RatingNone)]++
		if t.Status == StatusMitigated && len(t.Tests) == 0 {
			s.Untested++
		}
	}
	return s
}

// Open returns the open threats rated minRating or higher ("" or an
// unknown rating: all), most severe first, then by ID.
func (s Summary) Open(minRating string) []Threat {
	min := ratingRank(minRating)
	var out []Threat
	for _, t := range s.threats {
		if t.Status == StatusOpen && ratingRank(t.Severity.Rating) >= min {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b Threat) int {
		return cmp.Or(cmp.Compare(ratingRank(b.Severity.Rating), ratingRank(a.Severity.Rating)), strings.Compare(a.ID, b.ID))
	})
	return out
}
