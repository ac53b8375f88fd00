package threatmodel

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// Hash returns the hex SHA-256 of a canonical encoding of the model: the
// same for documents that differ only in formatting, comments, key order,
// the order of items within a section or of IDs within a reference list.
// The name the model was parsed under does not count.
func (m *Model) Hash() string {
	if m == nil {
		return ""
	}
	c := canonical(m)
	b, err := json.Marshal(c)
	if err != nil {
		return "" // cannot happen: the model holds only strings, ints and bools
	}
	sum := sha256.Sum256(append([]byte("cradle-threatmodel-v1\n"), b...))
	return hex.EncodeToString(sum[:])
}

// canonical returns a copy of the model with its sections and reference
// lists sorted and empty lists normalised.
func canonical(m *Model) *Model {
	c := &Model{
		Version:    m.Version,
		Product:    m.Product,
		Reviews:    slices.Clone(m.Reviews),
		Assets:     slices.Clone(m.Assets),
		Boundaries: slices.Clone(m.Boundaries),
		Elements:   slices.Clone(m.Elements),
		Interfaces: slices.Clone(m.Interfaces),
		Flows:      slices.Clone(m.Flows),
		Threats:    slices.Clone(m.Threats),
		Rules:      slices.Clone(m.Rules),
	}
	slices.SortFunc(c.Reviews, func(a, b Review) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.By, b.By), strings.Compare(a.Notes, b.Notes))
	})
	slices.SortFunc(c.Assets, func(a, b Asset) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Boundaries, func(a, b Boundary) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Elements, func(a, b Element) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Interfaces, func(a, b Interface) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Flows, func(a, b Flow) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Threats, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.Rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	for i := range c.Assets {
		a := &c.Assets[i]
		a.Confidentiality, a.Integrity, a.Availability = normLevel(a.Confidentiality), normLevel(a.Integrity), normLevel(a.Availability)
	}
	for i := range c.Elements {
		c.Elements[i].Assets = sortedSet(c.Elements[i].Assets)
	}
	for i := range c.Flows {
		c.Flows[i].Data = sortedSet(c.Flows[i].Data)
	}
	for i := range c.Threats {
		t := &c.Threats[i]
		t.Requirements = sortedSet(t.Requirements)
		t.Tests = sortedSet(t.Tests)
		if c, ok := normCategory(t.Category); ok {
			t.Category = c
		}
		if t.Status == StatusOpen {
			t.Status = ""
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		r.Kinds = sortedSet(r.Kinds)
		r.When.FromKinds = sortedSet(r.When.FromKinds)
		r.When.ToKinds = sortedSet(r.When.ToKinds)
		r.When.Protocols = sortedSet(r.When.Protocols)
	}
	return c
}

func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// normLevel treats "none" as not stated.
func normLevel(l Level) Level {
	if l == LevelNone {
		return ""
	}
	return l
}
