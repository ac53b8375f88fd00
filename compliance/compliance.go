// Package compliance is the SDL and CRA compliance engine: it joins the
// catalogues (package catalog) with what people assessed (assessments and
// evidence in the store) and what cradle already knows (SBOMs, findings,
// cases, advisories, security updates, the declared support period), and
// computes per requirement the effective state and per practice the
// maturity level. The web server and the CLI share it.
package compliance

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/store"
)

// Service computes compliance on one database.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// New returns a Service on db.
func New(db *store.DB) *Service {
	return &Service{DB: db, Now: func() time.Time { return time.Now().UTC() }}
}

// Catalogs returns the built-in and imported catalogues and cross-walks.
func (s *Service) Catalogs(ctx context.Context) ([]*catalog.Catalog, []*catalog.Crosswalk, error) {
	cats, xs := catalog.Builtin(), catalog.BuiltinCrosswalks()
	custom, err := s.DB.CustomCatalogs(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*catalog.Catalog{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	for _, c := range custom {
		if c.Kind != "catalog" {
			continue
		}
		parsed, err := catalog.Parse(c.ID, c.Data)
		if err != nil {
			// Import checks every file; a stored one that no longer
			// parses (an older cradle's rules) is left out rather than
			// taking every catalogue down with it.
			continue
		}
		cats = append(cats, parsed)
		byID[parsed.ID] = parsed
	}
	for _, c := range custom {
		if c.Kind != "crosswalk" {
			continue
		}
		x, err := catalog.ParseCrosswalk(c.ID, c.Data, byID)
		if err != nil {
			continue // see above; Import refuses changes that would break one
		}
		xs = append(xs, x)
	}
	return cats, xs, nil
}

// Catalog returns the catalogue with the ID.
func (s *Service) Catalog(ctx context.Context, id string) (*catalog.Catalog, error) {
	cats, _, err := s.Catalogs(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.ID == id {
			return c, nil
		}
	}
	var ids []string
	for _, c := range cats {
		ids = append(ids, c.ID)
	}
	return nil, cradle.Errorf(cradle.ENotFound, "no catalogue %q (there are: %s)", id, strings.Join(ids, ", "))
}

// Import stores a custom catalogue or cross-walk after checking it: a
// cross-walk's links must name items of known catalogues; a catalogue may
// not take a built-in ID. It returns the kind and the ID.
func (s *Service) Import(ctx context.Context, actor cradle.Actor, name string, data []byte) (string, string, error) {
	var probe struct {
		Links json.RawMessage `json:"links"`
	}
	_ = json.Unmarshal(data, &probe) // Parse reports malformed JSON with its location
	cats, _, err := s.Catalogs(ctx)
	if err != nil {
		return "", "", err
	}
	byID := map[string]*catalog.Catalog{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	builtin := map[string]bool{}
	for _, c := range catalog.Builtin() {
		builtin[c.ID] = true
	}
	for _, x := range catalog.BuiltinCrosswalks() {
		builtin[x.ID] = true
	}
	if probe.Links != nil {
		x, err := catalog.ParseCrosswalk(name, data, byID)
		if err != nil {
			return "", "", err
		}
		if builtin[x.ID] {
			return "", "", cradle.Errorf(cradle.EConflict, "%s: %q is a built-in cross-walk; give yours another ID", name, x.ID)
		}
		if err := s.kindClash(ctx, x.ID, "crosswalk"); err != nil {
			return "", "", err
		}
		return "crosswalk", x.ID, s.DB.SaveCustomCatalog(ctx, actor, &store.CustomCatalog{ID: x.ID, Kind: "crosswalk", Title: x.Title, Data: data})
	}
	c, err := catalog.Parse(name, data)
	if err != nil {
		return "", "", err
	}
	if builtin[c.ID] {
		return "", "", cradle.Errorf(cradle.EConflict, "%s: %q is a built-in catalogue; give yours another ID (e.g. with the edition)", name, c.ID)
	}
	if err := s.kindClash(ctx, c.ID, "catalog"); err != nil {
		return "", "", err
	}
	// Replacing a catalogue must not break a stored cross-walk that links
	// to it.
	byID[c.ID] = c
	custom, err := s.DB.CustomCatalogs(ctx)
	if err != nil {
		return "", "", err
	}
	for _, x := range custom {
		if x.Kind != "crosswalk" {
			continue
		}
		if _, err := catalog.ParseCrosswalk(x.ID, x.Data, byID); err != nil {
			return "", "", cradle.Errorf(cradle.EConflict, "%s: importing it would break the cross-walk %s: %s", name, x.ID, cradle.ErrorMessage(err))
		}
	}
	return "catalog", c.ID, s.DB.SaveCustomCatalog(ctx, actor, &store.CustomCatalog{ID: c.ID, Kind: "catalog", Title: c.Title, Data: data})
}

// kindClash refuses an ID that an imported item of the other kind has.
func (s *Service) kindClash(ctx context.Context, id, kind string) error {
	custom, err := s.DB.CustomCatalogs(ctx)
	if err != nil {
		return err
	}
	for _, c := range custom {
		if c.ID == id && c.Kind != kind {
			return cradle.Errorf(cradle.EConflict, "%q is already the ID of an imported %s; give this %s another ID", id, c.Kind, kind)
		}
	}
	return nil
}

// ReqStatus is one requirement as a scope sees it.
type ReqStatus struct {
	Requirement *catalog.Requirement `json:"requirement"`
	// Scope is where its assessment lives: organisation requirements are
	// assessed once for every product.
	Scope string `json:"scope"`
	// Inherited: a release shows its product's assessment of a
	// requirement it has not assessed itself.
	Inherited     bool               `json:"inherited,omitempty"`
	Applies       bool               `json:"applies"`
	Applicability string             `json:"applicability,omitempty"` // the justification when recorded
	Assessment    *cradle.Assessment `json:"assessment"`
	Derived       []Derived          `json:"derived,omitempty"`
	Fresh         int                `json:"fresh_evidence"`
	Stale         int                `json:"stale_evidence"`
	Broken        int                `json:"broken_evidence"`
}

// Status returns the assessment's status, not_applicable when the
// requirement does not apply.
func (r ReqStatus) Status() string {
	if !r.Applies {
		return cradle.StatusNotApplicable
	}
	return r.Assessment.Status
}

// PracticeStatus is a practice (a top-level group) with its maturity.
type PracticeStatus struct {
	ID           string                  `json:"id"`
	Title        string                  `json:"title"`
	Requirements []string                `json:"requirements"`
	Computed     cradle.MaturityResult   `json:"computed"`
	Override     *store.MaturityOverride `json:"override,omitempty"`
	Level        int                     `json:"level"` // the override's level when set, else the computed one
	Counts       map[string]int          `json:"counts"`
}

// Status is a scope's compliance with one catalogue.
type Status struct {
	Scope        string           `json:"scope"`
	Product      string           `json:"product,omitempty"`
	Release      string           `json:"release,omitempty"`
	CatalogID    string           `json:"catalog"`
	CatalogTitle string           `json:"catalog_title"`
	InScope      *bool            `json:"in_scope,omitempty"` // the SDL covers the product (SM-3), when decided
	Requirements []ReqStatus      `json:"requirements"`
	Practices    []PracticeStatus `json:"practices"`
	Counts       map[string]int   `json:"counts"` // per status
	Rule         string           `json:"maturity_rule"`
}

// Status computes a scope's compliance with a catalogue: for a product,
// its product requirements from its own assessments and the organisation
// requirements from the organisation's; for the organisation, the
// organisation requirements only.
func (s *Service) Status(ctx context.Context, kind, product, catalogID string) (*Status, error) {
	c, err := s.Catalog(ctx, catalogID)
	if err != nil {
		return nil, err
	}
	st := &Status{Scope: kind, Product: product, CatalogID: c.ID, CatalogTitle: c.Title, Counts: map[string]int{}, Rule: cradle.MaturityRule}
	org, err := s.DB.Assessments(ctx, cradle.ScopeOrganisation, "", c.ID)
	if err != nil {
		return nil, err
	}
	var own, inherited map[string]*cradle.Assessment
	var appl map[string]store.Applicability
	var p *cradle.Product
	var lifecycle cradle.Lifecycle
	name, version := product, ""
	if kind == cradle.ScopeRelease {
		name, version = store.SplitReleaseScope(product)
		st.Product, st.Release = name, version
	}
	if kind == cradle.ScopeProduct || kind == cradle.ScopeRelease {
		if p, err = s.DB.Product(ctx, name); err != nil {
			return nil, err
		}
		if own, err = s.DB.Assessments(ctx, kind, product, c.ID); err != nil {
			return nil, err
		}
		if appl, err = s.DB.ApplicabilityOf(ctx, name, c.ID); err != nil {
			return nil, err
		}
		scopes, err := s.DB.Scopes(ctx)
		if err != nil {
			return nil, err
		}
		if sc, ok := scopes[name]; ok {
			st.InScope = &sc.InScope
		}
		if kind == cradle.ScopeRelease {
			// A release inherits what it does not assess itself; its own
			// lifecycle decides the freshness of its evidence.
			if inherited, err = s.DB.Assessments(ctx, cradle.ScopeProduct, name, c.ID); err != nil {
				return nil, err
			}
			rel, err := s.DB.Release(ctx, name, version)
			if err != nil {
				return nil, err
			}
			lifecycle = rel.Lifecycle
		} else if lifecycle, err = s.lifecycle(ctx, name); err != nil {
			return nil, err
		}
	} else if kind != cradle.ScopeOrganisation {
		return nil, cradle.Invalid("invalid scope", cradle.Problem{Location: "scope", Message: "must be organisation, product or release"})
	}
	var facts *facts
	if p != nil {
		facts, err = s.gather(ctx, p)
	} else {
		facts, err = s.gatherOrganisation(ctx)
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for i := range c.Requirements {
		r := &c.Requirements[i]
		rs := ReqStatus{Requirement: r, Applies: true, Scope: cradle.ScopeOrganisation}
		var a *cradle.Assessment
		if r.Kind == catalog.KindProduct {
			if kind == cradle.ScopeOrganisation {
				continue
			}
			rs.Scope, a = kind, own[r.ID]
			if a == nil && inherited[r.ID] != nil {
				rs.Scope, rs.Inherited, a = cradle.ScopeProduct, true, inherited[r.ID]
			}
		} else {
			a = org[r.ID]
		}
		if a == nil {
			a = &cradle.Assessment{Scope: rs.Scope, CatalogID: c.ID, Requirement: r.ID, Status: cradle.StatusNotStarted, Evidence: []cradle.Evidence{}}
			if rs.Scope != cradle.ScopeOrganisation {
				a.Product, a.Release = name, version
			}
		}
		rs.Assessment = a
		if ap, ok := appl[r.ID]; ok {
			rs.Applies, rs.Applicability = ap.Applies, ap.Justification
		}
		if a.Status == cradle.StatusNotApplicable {
			rs.Applies = false
		}
		for j := range a.Evidence {
			e := &a.Evidence[j]
			if r.Freshness != nil && (r.Kind != catalog.KindProduct || r.Freshness.AppliesTo(lifecycle)) &&
				e.AddedAt.Add(time.Duration(r.Freshness.MaxAgeDays)*24*time.Hour).Before(now) {
				e.Stale = true
			}
			switch {
			case e.Broken:
				rs.Broken++
			case e.Stale:
				rs.Stale++
			default:
				rs.Fresh++
			}
		}
		if facts != nil {
			rs.Derived = derive(c.ID, r.ID, facts)
		}
		st.Counts[rs.Status()]++
		st.Requirements = append(st.Requirements, rs)
	}
	overrides, err := s.DB.MaturityOverrides(ctx, kind, product, c.ID)
	if err != nil {
		return nil, err
	}
	improving := false
	if sm13, ok := org["SM-13"]; ok && c.Requirement("SM-13") != nil && sm13.Status == cradle.StatusMet {
		for _, e := range sm13.Evidence {
			if e.Fresh() && e.AddedAt.After(now.AddDate(-1, 0, 0)) {
				improving = true
			}
		}
	}
	for _, g := range c.Groups {
		if g.Parent != "" {
			continue
		}
		ps := PracticeStatus{ID: g.ID, Title: g.Title, Counts: map[string]int{}}
		var states []cradle.ReqState
		for _, rs := range st.Requirements {
			if !under(c, rs.Requirement, g.ID) {
				continue
			}
			ps.Requirements = append(ps.Requirements, rs.Requirement.ID)
			ps.Counts[rs.Status()]++
			states = append(states, cradle.ReqState{ID: rs.Requirement.ID, Status: rs.Status(), Fresh: rs.Fresh})
		}
		if len(ps.Requirements) == 0 {
			continue
		}
		ps.Computed = cradle.Maturity(states, improving)
		ps.Level = ps.Computed.Level
		if o, ok := overrides[g.ID]; ok {
			o := o
			ps.Override, ps.Level = &o, o.Level
		}
		st.Practices = append(st.Practices, ps)
	}
	return st, nil
}

// under reports whether r is filed under group (directly or below it).
func under(c *catalog.Catalog, r *catalog.Requirement, group string) bool {
	for id, n := r.Parent, 0; id != "" && n <= len(c.Groups); n++ {
		if id == group {
			return true
		}
		g := c.Group(id)
		if g == nil {
			return false
		}
		id = g.Parent
	}
	return false
}

// lifecycle is the most advanced lifecycle of the product's releases:
// released when any release is on the market.
func (s *Service) lifecycle(ctx context.Context, product string) (cradle.Lifecycle, error) {
	rels, err := store.All(func(pg cradle.Page) ([]*cradle.Release, int, error) { return s.DB.ListReleases(ctx, product, pg) })
	if err != nil {
		return "", err
	}
	best := cradle.LifecycleDevelopment
	for _, r := range rels {
		if r.Lifecycle == cradle.LifecycleReleased {
			return r.Lifecycle, nil
		}
		if slices.Index(cradle.Lifecycles, r.Lifecycle) > slices.Index(cradle.Lifecycles, best) {
			best = r.Lifecycle
		}
	}
	return best, nil
}

// Assess records a person's assessment of a requirement; the requirement
// must exist in the catalogue, and its kind decides the scope: an
// organisation requirement is assessed for the organisation even when
// asked from a product.
func (s *Service) Assess(ctx context.Context, actor cradle.Actor, a *cradle.Assessment) error {
	if err := s.scopeFor(ctx, &a.Scope, &a.Product, a.CatalogID, a.Requirement); err != nil {
		return err
	}
	if a.Scope != cradle.ScopeRelease {
		a.Release = ""
	}
	return s.DB.SaveAssessment(ctx, actor, a)
}

// AddEvidence attaches evidence to a requirement's assessment (see Assess
// for the scope).
func (s *Service) AddEvidence(ctx context.Context, actor cradle.Actor, kind, product, catalogID, req string, e *cradle.Evidence, file *store.EvidenceFile) error {
	if err := s.scopeFor(ctx, &kind, &product, catalogID, req); err != nil {
		return err
	}
	return s.DB.AddEvidence(ctx, actor, kind, product, catalogID, req, e, file)
}

func (s *Service) scopeFor(ctx context.Context, kind, product *string, catalogID, req string) error {
	c, err := s.Catalog(ctx, catalogID)
	if err != nil {
		return err
	}
	r := c.Requirement(req)
	if r == nil {
		return cradle.Invalid("invalid requirement", cradle.Problem{Location: "requirement", Message: "catalogue " + c.ID + " has no requirement " + req})
	}
	if r.Kind == catalog.KindOrganisation {
		*kind, *product = cradle.ScopeOrganisation, ""
		return nil
	}
	if *product == "" {
		return cradle.Invalid("invalid scope", cradle.Problem{Location: "product", Message: req + " is assessed per product or release: name the product"})
	}
	if *kind != cradle.ScopeRelease {
		*kind = cradle.ScopeProduct
	}
	return nil
}

// RecordHistory stores today's maturity levels of a status.
func (s *Service) RecordHistory(ctx context.Context, st *Status) error {
	day := s.Now().Format(cradle.DateLayout)
	var pts []store.MaturityPoint
	for _, p := range st.Practices {
		pts = append(pts, store.MaturityPoint{Day: day, Practice: p.ID, Level: p.Level, Overridden: p.Override != nil})
	}
	target := st.Product
	if st.Scope == cradle.ScopeRelease {
		target = store.ReleaseScope(st.Product, st.Release)
	}
	return s.DB.RecordMaturity(ctx, st.Scope, target, st.CatalogID, pts)
}
