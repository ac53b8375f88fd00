package threatmodel

import "slices"

// index gives access by ID to a model's items. It tolerates invalid models
// (dangling references, boundary cycles): rule matching runs on models that
// did not pass validation, too.
type index struct {
	assets     map[string]*Asset
	boundaries map[string]*Boundary
	elements   map[string]*Element
	interfaces map[string]*Interface
	flows      map[string]*Flow
	// chains maps a boundary ID to it and its ancestors, innermost first.
	chains    map[string][]string
	elemFlows map[string][]*Flow
	elemIfs   map[string][]*Interface
	cross     map[*Flow][]string
}

func (m *Model) index() *index {
	if m.idx != nil {
		return m.idx
	}
	return buildIndex(m)
}

func buildIndex(m *Model) *index {
	ix := &index{
		assets:     map[string]*Asset{},
		boundaries: map[string]*Boundary{},
		elements:   map[string]*Element{},
		interfaces: map[string]*Interface{},
		flows:      map[string]*Flow{},
		chains:     map[string][]string{},
		elemFlows:  map[string][]*Flow{},
		elemIfs:    map[string][]*Interface{},
		cross:      map[*Flow][]string{},
	}
	for i := range m.Assets {
		ix.assets[m.Assets[i].ID] = &m.Assets[i]
	}
	for i := range m.Boundaries {
		ix.boundaries[m.Boundaries[i].ID] = &m.Boundaries[i]
	}
	for i := range m.Elements {
		ix.elements[m.Elements[i].ID] = &m.Elements[i]
	}
	for i := range m.Interfaces {
		it := &m.Interfaces[i]
		ix.interfaces[it.ID] = it
		ix.elemIfs[it.Element] = append(ix.elemIfs[it.Element], it)
	}
	for id := range ix.boundaries {
		var chain []string
		for b := id; b != "" && !slices.Contains(chain, b); {
			chain = append(chain, b)
			p := ix.boundaries[b]
			if p == nil {
				break
			}
			b = p.Parent
		}
		ix.chains[id] = chain
	}
	for i := range m.Flows {
		f := &m.Flows[i]
		ix.flows[f.ID] = f
		ix.elemFlows[f.From] = append(ix.elemFlows[f.From], f)
		if f.To != f.From {
			ix.elemFlows[f.To] = append(ix.elemFlows[f.To], f)
		}
		ix.cross[f] = ix.crossing(f)
	}
	return ix
}

// crossed returns the IDs of the boundaries a flow enters or leaves.
func (ix *index) crossed(f *Flow) []string {
	if c, ok := ix.cross[f]; ok {
		return c
	}
	return ix.crossing(f)
}

func (ix *index) crossing(f *Flow) []string {
	a, b := ix.chainOf(f.From), ix.chainOf(f.To)
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

func (ix *index) chainOf(element string) []string {
	e := ix.elements[element]
	if e == nil || e.Boundary == "" {
		return nil
	}
	if c, ok := ix.chains[e.Boundary]; ok {
		return c
	}
	return []string{e.Boundary}
}

func (ix *index) kind(element string) string {
	if e := ix.elements[element]; e != nil {
		return e.Kind
	}
	return ""
}

// name returns the display name of an item: its name, or its ID.
func (ix *index) name(id string) string {
	switch {
	case ix.elements[id] != nil:
		return or(ix.elements[id].Name, id)
	case ix.flows[id] != nil:
		return or(ix.flows[id].Name, id)
	case ix.interfaces[id] != nil:
		return or(ix.interfaces[id].Name, id)
	case ix.assets[id] != nil:
		return or(ix.assets[id].Name, id)
	case ix.boundaries[id] != nil:
		return or(ix.boundaries[id].Name, id)
	}
	return id
}

// targetKind names the section an ID belongs to, or "".
func (ix *index) targetKind(id string) string {
	switch {
	case ix.elements[id] != nil:
		return ToElement
	case ix.flows[id] != nil:
		return ToFlow
	case ix.interfaces[id] != nil:
		return ToInterface
	case ix.assets[id] != nil:
		return "asset"
	case ix.boundaries[id] != nil:
		return "boundary"
	}
	return ""
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
