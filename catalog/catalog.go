package catalog

import (
	"embed"
	"fmt"
	"slices"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
)

// IDs of the built-in catalogues and cross-walk. They are stable: stored
// evidence and assessments refer to requirements as (catalogue ID,
// requirement ID), so a new edition of a standard gets a new catalogue ID
// rather than a new version of an old one.
const (
	IEC62443_4_1 = "iec-62443-4-1-2018"
	CRA          = "cra-2024-2847"

	// CrosswalkCRAIEC62443_4_1 maps CRA items to IEC 62443-4-1:2018
	// requirements.
	CrosswalkCRAIEC62443_4_1 = "cra-2024-2847-to-iec-62443-4-1-2018"
)

// Kind says for what a requirement's evidence is kept.
type Kind string

const (
	// KindOrganisation: a process requirement met once by the organisation
	// (its SDL, policies, training), whose evidence serves every product.
	KindOrganisation Kind = "organisation"
	// KindProduct: met per product, with evidence per product or release
	// (a threat model, test reports, an SBOM).
	KindProduct Kind = "product"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{KindOrganisation, KindProduct}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Catalog is one version of one set of requirements: a standard, a
// regulation, or a company's own rules. The JSON tags are the file format
// (schema/catalog.schema.json).
type Catalog struct {
	// ID is stable and lower-case ("iec-62443-4-1-2018"); an edition with
	// renumbered requirements is another catalogue with another ID.
	ID string `json:"id"`
	// Title names the standard or regulation.
	Title string `json:"title"`
	// Version is the revision of this catalogue's data, not the edition of
	// the standard (that is part of the ID and title).
	Version string `json:"version"`
	// Publisher is who publishes the standard or regulation itself.
	Publisher string `json:"publisher,omitempty"`
	// Source cites the publication the catalogue is based on.
	Source string `json:"source,omitempty"`
	// URL of the official publication, if there is a stable one.
	URL string `json:"url,omitempty"`
	// Licence says under what terms the catalogue's texts may be used.
	Licence string `json:"licence,omitempty"`
	// Groups arrange the requirements (practices, annexes, articles); a
	// group may sit in another group.
	Groups []Group `json:"groups,omitempty"`
	// Requirements in the order they are shown.
	Requirements []Requirement `json:"requirements"`
}

// Group is a heading requirements are filed under: a practice of IEC
// 62443-4-1, an annex or part of an annex of the CRA. Group and
// requirement IDs share one namespace per catalogue, so a cross-walk can
// name either.
type Group struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Parent is the ID of the enclosing group, "" at the top.
	Parent string `json:"parent,omitempty"`
	// Clause is where the group is in the source ("5", "Annex I").
	Clause      string `json:"clause,omitempty"`
	Description string `json:"description,omitempty"`
}

// Requirement is one assessable item of a catalogue.
type Requirement struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Parent is the ID of the group the requirement is filed under, ""
	// for a requirement that stands alone (CRA Annex VI).
	Parent string `json:"parent,omitempty"`
	// Clause is where the requirement is in the source ("Article 13(8)").
	Clause string `json:"clause,omitempty"`
	Kind   Kind   `json:"kind"`
	// Description says what is required, in cradle's own words.
	Description string `json:"description,omitempty"`
	// Guidance says what evidence shows the requirement is met.
	Guidance string `json:"guidance,omitempty"`
	// Freshness, when set, limits how old evidence may be.
	Freshness *Freshness `json:"freshness,omitempty"`
}

// Freshness limits the age of a requirement's evidence.
type Freshness struct {
	// MaxAgeDays is how many days evidence counts after its date.
	MaxAgeDays int `json:"max_age_days"`
	// Lifecycle lists the release states the limit applies to (SR-2's
	// yearly threat-model review applies to released products); empty
	// means every state. Only product requirements may name states.
	Lifecycle []cradle.Lifecycle `json:"lifecycle,omitempty"`
}

// AppliesTo reports whether the limit applies to a release in state l.
func (f *Freshness) AppliesTo(l cradle.Lifecycle) bool {
	return f != nil && (len(f.Lifecycle) == 0 || slices.Contains(f.Lifecycle, l))
}

// Requirement returns the requirement with the given ID, or nil.
func (c *Catalog) Requirement(id string) *Requirement {
	for i := range c.Requirements {
		if c.Requirements[i].ID == id {
			return &c.Requirements[i]
		}
	}
	return nil
}

// Group returns the group with the given ID, or nil.
func (c *Catalog) Group(id string) *Group {
	for i := range c.Groups {
		if c.Groups[i].ID == id {
			return &c.Groups[i]
		}
	}
	return nil
}

// In returns the requirements filed directly under the group with the
// given ID ("" for those without a group), in catalogue order.
func (c *Catalog) In(groupID string) []*Requirement {
	var out []*Requirement
	for i := range c.Requirements {
		if c.Requirements[i].Parent == groupID {
			out = append(out, &c.Requirements[i])
		}
	}
	return out
}

// ancestors returns the groups enclosing the item with the given ID,
// innermost first. Parse rejects cycles; the bound keeps a hand-built
// catalogue with one from looping.
func (c *Catalog) ancestors(id string) []string {
	parent := ""
	if r := c.Requirement(id); r != nil {
		parent = r.Parent
	} else if g := c.Group(id); g != nil {
		parent = g.Parent
	}
	var out []string
	for parent != "" && len(out) <= len(c.Groups) {
		out = append(out, parent)
		g := c.Group(parent)
		if g == nil {
			break
		}
		parent = g.Parent
	}
	return out
}

// has reports whether id names a requirement or a group.
func (c *Catalog) has(id string) bool { return c.Requirement(id) != nil || c.Group(id) != nil }

// Clone returns a deep copy, so that a caller can change it without
// changing the original.
func (c *Catalog) Clone() *Catalog {
	d := *c
	d.Groups = slices.Clone(c.Groups)
	d.Requirements = slices.Clone(c.Requirements)
	for i, r := range d.Requirements {
		if r.Freshness != nil {
			f := *r.Freshness
			f.Lifecycle = slices.Clone(f.Lifecycle)
			d.Requirements[i].Freshness = &f
		}
	}
	return &d
}

// Crosswalk maps the items of one catalogue to those of another. The
// built-in one is cradle's own indicative analysis, not an official
// mapping.
type Crosswalk struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
	Source  string `json:"source,omitempty"`
	Licence string `json:"licence,omitempty"`
	// From and To are catalogue IDs.
	From  string `json:"from"`
	To    string `json:"to"`
	Links []Link `json:"links"`
}

// Link maps one item of the From catalogue (a requirement or a whole
// group) to items of the To catalogue. An empty To with a Gap records that
// nothing in the To catalogue covers the item.
type Link struct {
	From string   `json:"from"`
	To   []string `json:"to"`
	// Gap says what the To items leave uncovered.
	Gap string `json:"gap,omitempty"`
}

// Clone returns a deep copy.
func (x *Crosswalk) Clone() *Crosswalk {
	d := *x
	d.Links = slices.Clone(x.Links)
	for i := range d.Links {
		d.Links[i].To = slices.Clone(d.Links[i].To)
	}
	return &d
}

//go:embed data/*.json
var data embed.FS

// Names of the built-in files in data/.
var (
	builtinCatalogFiles   = []string{"iec-62443-4-1-2018.json", "cra-2024-2847.json"}
	builtinCrosswalkFiles = []string{"crosswalk-62443-4-1-cra.json"}
)

// builtin parses the embedded files once. They are checked like any
// custom file (and by the tests), so a failure here is a build defect.
var builtin = sync.OnceValues(func() ([]*Catalog, []*Crosswalk) {
	var cats []*Catalog
	byID := map[string]*Catalog{}
	for _, f := range builtinCatalogFiles {
		c, err := Parse(f, mustRead(f))
		if err != nil {
			panic(fmt.Sprintf("catalog: built-in %v", err))
		}
		cats = append(cats, c)
		byID[c.ID] = c
	}
	var xs []*Crosswalk
	for _, f := range builtinCrosswalkFiles {
		x, err := ParseCrosswalk(f, mustRead(f), byID)
		if err != nil {
			panic(fmt.Sprintf("catalog: built-in %v", err))
		}
		xs = append(xs, x)
	}
	return cats, xs
})

func mustRead(name string) []byte {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		panic(fmt.Sprintf("catalog: built-in %s: %v", name, err))
	}
	return b
}

// Builtin returns the catalogues that ship with cradle: IEC 62443-4-1:2018
// and the CRA. Each call returns fresh copies.
func Builtin() []*Catalog {
	cats, _ := builtin()
	out := make([]*Catalog, len(cats))
	for i, c := range cats {
		out[i] = c.Clone()
	}
	return out
}

// BuiltinCrosswalks returns the cross-walks that ship with cradle. Each
// call returns fresh copies.
func BuiltinCrosswalks() []*Crosswalk {
	_, xs := builtin()
	out := make([]*Crosswalk, len(xs))
	for i, x := range xs {
		out[i] = x.Clone()
	}
	return out
}

// BuiltinFile returns the bytes of a built-in data file ("cra-2024-2847.json"),
// for export and as a template for custom catalogues.
func BuiltinFile(name string) ([]byte, error) {
	if !slices.Contains(builtinCatalogFiles, name) && !slices.Contains(builtinCrosswalkFiles, name) {
		return nil, cradle.Errorf(cradle.ENotFound, "no built-in catalogue file %q", name)
	}
	return data.ReadFile("data/" + name)
}

// isBuiltinCatalog reports whether id is a built-in catalogue's ID.
func isBuiltinCatalog(id string) bool {
	cats, _ := builtin()
	for _, c := range cats {
		if c.ID == id {
			return true
		}
	}
	return false
}

func isBuiltinCrosswalk(id string) bool {
	_, xs := builtin()
	for _, x := range xs {
		if x.ID == id {
			return true
		}
	}
	return false
}
