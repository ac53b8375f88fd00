package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// The rules of the schemas, again in Go, so that a catalogue built in code
// (Registry.Add) is held to the same rules as a file. A test keeps the
// patterns equal to the schemas'.
var (
	// Item IDs keep to characters that are safe in URLs, file names and
	// OSCAL tokens. '_' is left out so that "<id>_smt" part IDs in the
	// OSCAL export can never collide with an item.
	itemIDPattern    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$`)
	catalogIDPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$`)
	linePattern      = regexp.MustCompile(`^\S(.*\S)?$`)
	textPattern      = regexp.MustCompile(`\S`)
)

const (
	maxLine   = 300
	maxText   = 4000
	maxMaxAge = 36500
)

// Validate checks a catalogue built in code against the rules Parse
// applies to a file. Problems are located by JSON pointer into the
// catalogue's JSON form.
func (c *Catalog) Validate() error {
	if vs := c.check(); len(vs) > 0 {
		return invalid("", "catalogue", problemsOf("", vs))
	}
	return nil
}

// Validate checks a cross-walk built in code like ParseCrosswalk does.
func (x *Crosswalk) Validate(catalogs map[string]*Catalog) error {
	if vs := x.check(catalogs); len(vs) > 0 {
		return invalid("", "cross-walk", problemsOf("", vs))
	}
	return nil
}

// fields checks the format of single values.
type fields struct{ vs []violation }

func (f *fields) add(msg string, path ...string) { f.vs = append(f.vs, at(msg, path...)) }

func (f *fields) id(p *regexp.Regexp, rule, v string, path ...string) bool {
	if !p.MatchString(v) {
		f.add(fmt.Sprintf(rule, locate.Quote(v)), path...)
		return false
	}
	return true
}

func (f *fields) line(v string, required bool, path ...string) {
	switch {
	case v == "" && required:
		f.add("expected a value, found an empty string", path...)
	case v == "":
	case !linePattern.MatchString(v):
		f.add(fmt.Sprintf(lineRule, locate.Quote(v)), path...)
	case utf8.RuneCountInString(v) > maxLine:
		f.add(fmt.Sprintf("expected at most %d characters, found %d", maxLine, utf8.RuneCountInString(v)), path...)
	}
}

func (f *fields) text(v string, path ...string) {
	switch {
	case v == "":
	case !textPattern.MatchString(v):
		f.add(fmt.Sprintf(textRule, locate.Quote(v)), path...)
	case utf8.RuneCountInString(v) > maxText:
		f.add(fmt.Sprintf("expected at most %d characters, found %d", maxText, utf8.RuneCountInString(v)), path...)
	}
}

func (c *Catalog) check() []violation {
	var f fields
	f.id(catalogIDPattern, catalogIDRule, c.ID, "id")
	f.line(c.Title, true, "title")
	f.line(c.Version, true, "version")
	f.line(c.Publisher, false, "publisher")
	f.text(c.Source, "source")
	f.text(c.Licence, "licence")
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err != nil || !u.IsAbs() {
			f.add(fmt.Sprintf("expected an absolute URL, found %s", locate.Quote(c.URL)), "url")
		}
	}
	if len(c.Requirements) == 0 {
		f.add("expected at least 1 items, found 0", "requirements")
	}

	// One namespace for groups and requirements, unique ignoring case:
	// "SM-1" and "sm-1" would be one control in the OSCAL export and one
	// item to a person reading a report.
	type place struct {
		ptr     string
		isGroup bool
		index   int
	}
	seen := map[string]place{}
	claim := func(id string, p place, path ...string) {
		if id == "" {
			return
		}
		if first, dup := seen[strings.ToLower(id)]; dup {
			f.add(fmt.Sprintf("expected each ID once in the catalogue (groups and requirements share IDs, compared ignoring case), found %s again (first at %s)", locate.Quote(id), first.ptr), path...)
			return
		}
		seen[strings.ToLower(id)] = p
	}
	for i, g := range c.Groups {
		si := strconv.Itoa(i)
		if f.id(itemIDPattern, itemIDRule, g.ID, "groups", si, "id") {
			claim(g.ID, place{locate.Pointer("groups", si, "id"), true, i}, "groups", si, "id")
		}
		f.line(g.Title, true, "groups", si, "title")
		f.line(g.Clause, false, "groups", si, "clause")
		f.text(g.Description, "groups", si, "description")
	}
	for i, r := range c.Requirements {
		si := strconv.Itoa(i)
		if f.id(itemIDPattern, itemIDRule, r.ID, "requirements", si, "id") {
			claim(r.ID, place{locate.Pointer("requirements", si, "id"), false, i}, "requirements", si, "id")
		}
		f.line(r.Title, true, "requirements", si, "title")
		f.line(r.Clause, false, "requirements", si, "clause")
		f.text(r.Description, "requirements", si, "description")
		f.text(r.Guidance, "requirements", si, "guidance")
		if !r.Kind.Valid() {
			f.add(fmt.Sprintf("expected one of %q, %q, found %s", KindOrganisation, KindProduct, locate.Quote(string(r.Kind))), "requirements", si, "kind")
		}
		if fr := r.Freshness; fr != nil {
			if fr.MaxAgeDays < 1 || fr.MaxAgeDays > maxMaxAge {
				f.add(fmt.Sprintf("expected a number of days from 1 to %d, found %d", maxMaxAge, fr.MaxAgeDays), "requirements", si, "freshness", "max_age_days")
			}
			for j, l := range fr.Lifecycle {
				sj := strconv.Itoa(j)
				switch {
				case !l.Valid():
					f.add(fmt.Sprintf("expected a release state (%s), found %s", lifecycles(), locate.Quote(string(l))), "requirements", si, "freshness", "lifecycle", sj)
				case slices.Index(fr.Lifecycle, l) < j:
					f.add(fmt.Sprintf("expected each release state once, found %s again", locate.Quote(string(l))), "requirements", si, "freshness", "lifecycle", sj)
				}
			}
			if len(fr.Lifecycle) > 0 && r.Kind == KindOrganisation {
				f.add("expected no release states for an organisation requirement (its evidence does not belong to a release), found some", "requirements", si, "freshness", "lifecycle")
			}
		}
	}

	// Parents: a parent must be a group; group parents must not loop.
	parentOf := func(id string, path ...string) (place, bool) {
		p, ok := seen[strings.ToLower(id)]
		switch {
		case !ok:
			f.add(fmt.Sprintf("expected the ID of a group in this catalogue, found %s, which is not defined", locate.Quote(id)), path...)
		case !p.isGroup:
			f.add(fmt.Sprintf("expected the ID of a group, found %s, which is a requirement (%s)", locate.Quote(id), p.ptr), path...)
			ok = false
		case c.Groups[p.index].ID != id:
			f.add(fmt.Sprintf("expected the ID of a group in this catalogue, found %s; IDs are case-sensitive, did you mean %s?", locate.Quote(id), locate.Quote(c.Groups[p.index].ID)), path...)
			ok = false
		}
		return p, ok
	}
	holdsGroups := map[int]bool{}
	holdsReqs := map[int]bool{}
	for i, g := range c.Groups {
		if g.Parent == "" {
			continue
		}
		si := strconv.Itoa(i)
		if !f.id(itemIDPattern, itemIDRule, g.Parent, "groups", si, "parent") {
			continue
		}
		p, ok := parentOf(g.Parent, "groups", si, "parent")
		if !ok {
			continue
		}
		holdsGroups[p.index] = true
		// Walk up from the parent: coming back to this group means a loop
		// (every group on it is reported); the bound stops the walk on a
		// loop this group only leads into.
		cur, steps := p.index, 0
		for cur != i && steps <= len(c.Groups) {
			next := c.Groups[cur].Parent
			q, ok := seen[strings.ToLower(next)]
			if next == "" || !ok || !q.isGroup {
				break
			}
			cur, steps = q.index, steps+1
		}
		if cur == i {
			f.add(fmt.Sprintf("expected groups to nest without a cycle, found group %s inside itself", locate.Quote(g.ID)), "groups", si, "parent")
		}
	}
	for i, r := range c.Requirements {
		if r.Parent == "" {
			continue
		}
		si := strconv.Itoa(i)
		if !f.id(itemIDPattern, itemIDRule, r.Parent, "requirements", si, "parent") {
			continue
		}
		if p, ok := parentOf(r.Parent, "requirements", si, "parent"); ok {
			holdsReqs[p.index] = true
		}
	}
	// OSCAL (the export format) lets a group hold controls or groups, not
	// both; a catalogue that cannot be exported is caught here.
	for i, g := range c.Groups {
		if holdsGroups[i] && holdsReqs[i] {
			f.add(fmt.Sprintf("expected group %s to hold either requirements or groups, found both (file its requirements in a subgroup)", locate.Quote(g.ID)), "groups", strconv.Itoa(i))
		}
	}
	return f.vs
}

// suggest offers the ID that differs from id only in case, if any.
func (c *Catalog) suggest(id string) string {
	for _, g := range c.Groups {
		if strings.EqualFold(g.ID, id) {
			return "; did you mean " + locate.Quote(g.ID) + "?"
		}
	}
	for _, r := range c.Requirements {
		if strings.EqualFold(r.ID, id) {
			return "; did you mean " + locate.Quote(r.ID) + "?"
		}
	}
	return ""
}

func lifecycles() string {
	s := make([]string, len(cradle.Lifecycles))
	for i, l := range cradle.Lifecycles {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

func (x *Crosswalk) check(catalogs map[string]*Catalog) []violation {
	var f fields
	f.id(catalogIDPattern, catalogIDRule, x.ID, "id")
	f.line(x.Title, true, "title")
	f.line(x.Version, true, "version")
	f.text(x.Source, "source")
	f.text(x.Licence, "licence")
	catalog := func(id, key string) *Catalog {
		if !f.id(catalogIDPattern, catalogIDRule, id, key) {
			return nil
		}
		c := catalogs[id]
		if c == nil {
			known := make([]string, 0, len(catalogs))
			for k := range catalogs {
				known = append(known, locate.Quote(k))
			}
			slices.Sort(known)
			f.add(fmt.Sprintf("expected the ID of a known catalogue (%s), found %s", strings.Join(known, ", "), locate.Quote(id)), key)
		}
		return c
	}
	from, to := catalog(x.From, "from"), catalog(x.To, "to")
	if x.From == x.To && x.From != "" {
		f.add("expected a cross-walk between two different catalogues, found the same one twice", "to")
		to = nil
	}
	if len(x.Links) == 0 {
		f.add("expected at least 1 items, found 0", "links")
	}
	resolve := func(c *Catalog, id string, path ...string) {
		if !f.id(itemIDPattern, itemIDRule, id, path...) || c == nil || c.has(id) {
			return
		}
		f.add(fmt.Sprintf("expected the ID of a requirement or group in catalogue %s, found %s, which is not defined%s", locate.Quote(c.ID), locate.Quote(id), c.suggest(id)), path...)
	}
	firstFrom := map[string]int{}
	for i, l := range x.Links {
		si := strconv.Itoa(i)
		resolve(from, l.From, "links", si, "from")
		if j, dup := firstFrom[l.From]; dup {
			f.add(fmt.Sprintf("expected one link per item, found %s again (first at %s); merge the two", locate.Quote(l.From), locate.Pointer("links", strconv.Itoa(j), "from")), "links", si, "from")
		} else {
			firstFrom[l.From] = i
		}
		for j, id := range l.To {
			sj := strconv.Itoa(j)
			if slices.Index(l.To, id) < j {
				f.add(fmt.Sprintf("expected each ID once per link, found %s again", locate.Quote(id)), "links", si, "to", sj)
				continue
			}
			resolve(to, id, "links", si, "to", sj)
		}
		if len(l.To) == 0 && l.Gap == "" {
			f.add("expected a gap text saying why nothing covers this item when \"to\" is empty, found none", "links", si)
		}
		f.text(l.Gap, "links", si, "gap")
	}
	return f.vs
}
