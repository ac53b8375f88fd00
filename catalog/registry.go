package catalog

import (
	"slices"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
)

// Registry holds the catalogues and cross-walks one cradle instance knows:
// the built-in ones and those added from files. It is safe for concurrent
// use. What it hands out are copies; what it holds does not change once
// added, so a cross-walk checked against a catalogue stays valid.
type Registry struct {
	mu         sync.RWMutex
	catalogs   []*Catalog
	crosswalks []*Crosswalk
}

// NewRegistry returns a registry holding the built-in catalogues and
// cross-walks.
func NewRegistry() *Registry {
	cats, xs := builtin()
	r := &Registry{}
	for _, c := range cats {
		r.catalogs = append(r.catalogs, c.Clone())
	}
	for _, x := range xs {
		r.crosswalks = append(r.crosswalks, x.Clone())
	}
	return r
}

// Add registers a custom catalogue after checking it like Parse does. An
// ID that is already registered is a conflict, a built-in one above all:
// evidence is filed under (catalogue ID, requirement ID), so a catalogue
// that reused "iec-62443-4-1-2018" with other requirements would silently
// re-label it. An amended edition (EN IEC 62443-4-1/A11) is a new
// catalogue with its own ID, linked to the old one by a cross-walk.
func (r *Registry) Add(c *Catalog) error {
	if c == nil {
		return cradle.Errorf(cradle.EInvalid, "no catalogue given")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if isBuiltinCatalog(c.ID) {
		return cradle.Errorf(cradle.EConflict, "catalogue %q is built into cradle; give yours another ID (a new edition or amendment is a new catalogue)", c.ID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.catalog(c.ID) != nil {
		return cradle.Errorf(cradle.EConflict, "catalogue %q is already registered", c.ID)
	}
	r.catalogs = append(r.catalogs, c.Clone())
	return nil
}

// AddCrosswalk registers a cross-walk after checking it against the
// registered catalogues. Its ID must not be registered yet.
func (r *Registry) AddCrosswalk(x *Crosswalk) error {
	if x == nil {
		return cradle.Errorf(cradle.EInvalid, "no cross-walk given")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	byID := make(map[string]*Catalog, len(r.catalogs))
	for _, c := range r.catalogs {
		byID[c.ID] = c
	}
	if err := x.Validate(byID); err != nil {
		return err
	}
	if isBuiltinCrosswalk(x.ID) {
		return cradle.Errorf(cradle.EConflict, "cross-walk %q is built into cradle; give yours another ID", x.ID)
	}
	if r.crosswalk(x.ID) != nil {
		return cradle.Errorf(cradle.EConflict, "cross-walk %q is already registered", x.ID)
	}
	r.crosswalks = append(r.crosswalks, x.Clone())
	return nil
}

// Catalogs returns copies of every registered catalogue, built-in ones
// first, then in the order they were added.
func (r *Registry) Catalogs() []*Catalog {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Catalog, len(r.catalogs))
	for i, c := range r.catalogs {
		out[i] = c.Clone()
	}
	return out
}

// Crosswalks returns copies of every registered cross-walk.
func (r *Registry) Crosswalks() []*Crosswalk {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Crosswalk, len(r.crosswalks))
	for i, x := range r.crosswalks {
		out[i] = x.Clone()
	}
	return out
}

// Get returns a copy of the catalogue with the given ID, or an ENotFound
// error.
func (r *Registry) Get(id string) (*Catalog, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.catalog(id)
	if c == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "no catalogue %q", id)
	}
	return c.Clone(), nil
}

// Crosswalk returns a copy of the cross-walk with the given ID, or an
// ENotFound error.
func (r *Registry) Crosswalk(id string) (*Crosswalk, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	x := r.crosswalk(id)
	if x == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "no cross-walk %q", id)
	}
	return x.Clone(), nil
}

// Requirement returns a copy of one requirement, or an ENotFound error
// naming what is missing.
func (r *Registry) Requirement(catalogID, reqID string) (*Requirement, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.catalog(catalogID)
	if c == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "no catalogue %q", catalogID)
	}
	req := c.Requirement(reqID)
	if req == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "no requirement %q in catalogue %q", reqID, catalogID)
	}
	out := *req
	if req.Freshness != nil {
		f := *req.Freshness
		f.Lifecycle = slices.Clone(f.Lifecycle)
		out.Freshness = &f
	}
	return &out, nil
}

// Ref is one item that a cross-walk relates to the item asked about.
type Ref struct {
	// Catalog and ID name the related item (a requirement or a group).
	// ID is empty when the cross-walk records that nothing in Catalog
	// covers the asked item; Gap then says so.
	Catalog string
	ID      string
	// Crosswalk is the ID of the cross-walk that relates them.
	Crosswalk string
	// Gap is the link's note on what its "to" items leave uncovered of
	// its "from" item.
	Gap string
	// Via is empty when the link names the asked item itself; otherwise
	// it is the group enclosing the asked item that the link names (a
	// link for all of CRA Annex VII relates to item VII.3 via "VII").
	Via string
}

// Mapped returns what the registered cross-walks relate to the item id
// (a requirement or group) of catalogue fromCatalog, in both directions:
// a CRA item gives the IEC 62443-4-1 requirements that contribute to it,
// and an IEC 62443-4-1 requirement the CRA items it contributes to. Links
// that name a group enclosing the item count too (see Ref.Via). The order
// is that of the cross-walks and their links; nil when nothing relates or
// the catalogue or item is unknown.
func (r *Registry) Mapped(fromCatalog, id string) []Ref {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := r.catalog(fromCatalog)
	if c == nil || !c.has(id) {
		return nil
	}
	// The item itself, then its enclosing groups, innermost first.
	names := append([]string{id}, c.ancestors(id)...)
	via := func(name string) string {
		if name == id {
			return ""
		}
		return name
	}
	var out []Ref
	for _, x := range r.crosswalks {
		switch fromCatalog {
		case x.From:
			for _, name := range names {
				for _, l := range x.Links {
					if l.From != name {
						continue
					}
					if len(l.To) == 0 {
						out = append(out, Ref{Catalog: x.To, Crosswalk: x.ID, Gap: l.Gap, Via: via(name)})
					}
					for _, to := range l.To {
						out = append(out, Ref{Catalog: x.To, ID: to, Crosswalk: x.ID, Gap: l.Gap, Via: via(name)})
					}
				}
			}
		case x.To:
			for _, name := range names {
				for _, l := range x.Links {
					if slices.Contains(l.To, name) {
						out = append(out, Ref{Catalog: x.From, ID: l.From, Crosswalk: x.ID, Gap: l.Gap, Via: via(name)})
					}
				}
			}
		}
	}
	return out
}

func (r *Registry) catalog(id string) *Catalog {
	for _, c := range r.catalogs {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (r *Registry) crosswalk(id string) *Crosswalk {
	for _, x := range r.crosswalks {
		if x.ID == id {
			return x
		}
	}
	return nil
}
