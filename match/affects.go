package match

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cradle-sdl/cradle"
	"github.com/google/osv-scalibr/semantic"
)

// Result is the verdict on one version against one cradle.Affected.
type Result struct {
	Affected bool
	// Matches says why the version is affected: each range interval that
	// contains it, and the versions[] list if it names it. Empty when not
	// affected.
	Matches []Match
	// Fixed lists the versions that end the matched intervals, for "fix
	// available"; empty when no matched interval has a fix (an open range,
	// a last_affected bound, or a match in versions[] only).
	Fixed []string
	// Unevaluated counts the GIT ranges of the Affected. They name commits,
	// not versions, so a version cannot be placed in them; a "not affected"
	// verdict with Unevaluated > 0 holds only for the other ranges and for
	// the versions[] list (which OSV.dev fills from GIT ranges where it can).
	Unevaluated int
}

// Uncertain reports whether the verdict "not affected" leaves GIT ranges
// unevaluated.
func (r Result) Uncertain() bool { return !r.Affected && r.Unevaluated > 0 }

// Match is one reason a version is affected.
type Match struct {
	// Range is the index of the matching range in Affected.Ranges; -1 when
	// the version is listed in Affected.Versions.
	Range int
	Type  string // cradle.RangeSemver or cradle.RangeEcosystem; "" for versions[]
	// Introduced, Fixed and LastAffected bound the interval that contains
	// the version, as the record spells them. Introduced "0" means from the
	// first version; Fixed and LastAffected are both "" for an interval that
	// never closes.
	Introduced   string
	Fixed        string
	LastAffected string
	// Limit is the nearest limit event above the version, if the range has
	// limit events.
	Limit string
}

// String describes the match for display, e.g. "introduced 1.2.0, fixed
// 1.4.5" or "listed in versions[]".
func (m Match) String() string {
	if m.Range < 0 {
		return "listed in versions[]"
	}
	s := "introduced " + m.Introduced
	if m.Fixed != "" {
		s += ", fixed " + m.Fixed
	}
	if m.LastAffected != "" {
		s += ", last affected " + m.LastAffected
	}
	if m.Limit != "" {
		s += ", limit " + m.Limit
	}
	return s
}

// Affects compiles a and evaluates version against it. To evaluate many
// versions against one Affected, Compile it once instead.
func Affects(a cradle.Affected, version string) (Result, error) {
	c, err := Compile(a)
	if err != nil {
		return Result{}, err
	}
	return c.Affects(version)
}

// Compiled is a cradle.Affected whose event versions are parsed and whose
// ranges are reduced to sorted breakpoints, ready to evaluate versions in
// logarithmic time. It is immutable and safe for concurrent use.
type Compiled struct {
	ecosystem   string
	base        string // ecosystem without its ":release" suffix
	name        string
	ranges      []compiledRange
	listed      map[string]bool // versions[], keyed by listKey
	unevaluated int
	ecoRanges   bool // some range needs the ecosystem's ordering
	semRanges   bool // some range needs SemVer ordering
}

// Ecosystem returns the OSV ecosystem of the compiled Affected.
func (c *Compiled) Ecosystem() string { return c.ecosystem }

// Name returns the package name of the compiled Affected.
func (c *Compiled) Name() string { return c.name }

// compiledRange is one SEMVER or ECOSYSTEM range as a step function: the
// status below the first point, then at and just above each point.
type compiledRange struct {
	index     int
	typ       string
	semver    bool
	fromZero  int // interval open from the beginning ("introduced": "0"), or -1
	points    []point
	intervals []interval
	limits    []bound // sorted; nil when the range is unlimited
}

type point struct {
	v         semantic.Version
	at, above int // interval containing the point itself / the versions above it; -1 for none
}

type interval struct {
	introduced, fixed, lastAffected string
}

type bound struct {
	v   semantic.Version
	raw string
}

// Event kinds, in the order of cradle.Event's fields.
const (
	introduced = iota
	fixed
	lastAffected
	limit
)

var kindNames = [...]string{"introduced", "fixed", "last_affected", "limit"}

type event struct {
	kind int
	raw  string
	v    semantic.Version
	// pair is, for an introduced event directly followed in the record by
	// a fixed or last_affected event of an equal version, that event's
	// kind, and for that event introduced; -1 otherwise.
	pair int
}

// Compile checks a and prepares it for evaluation. It fails with a
// cradle.EInvalid error that locates every defect: an event that sets no
// or several fields, a version the range's ordering cannot parse, a range
// type OSV does not define. ECOSYSTEM ranges of an ecosystem without a
// known ordering give an error that is also ErrUnsupported. GIT ranges are
// kept as a count (Result.Unevaluated), never dropped.
func Compile(a cradle.Affected) (*Compiled, error) {
	c := &Compiled{
		ecosystem: a.Ecosystem,
		base:      baseEcosystem(a.Ecosystem),
		name:      a.Name,
	}
	var problems []cradle.Problem
	for i, r := range a.Ranges {
		loc := fmt.Sprintf("ranges/%d", i)
		switch r.Type {
		case cradle.RangeGit:
			c.unevaluated++
			continue
		case cradle.RangeSemver:
			c.semRanges = true
		case cradle.RangeEcosystem:
			if !Supported(c.base) {
				return nil, unsupported(
					fmt.Sprintf("cannot evaluate ECOSYSTEM ranges of %s: no version ordering is known for ecosystem %q", a.Name, a.Ecosystem),
					cradle.Problem{Location: loc, Message: "ECOSYSTEM range of an unsupported ecosystem"})
			}
			c.ecoRanges = true
		default:
			problems = append(problems, cradle.Problem{Location: loc + "/type",
				Message: fmt.Sprintf("range type %q is not SEMVER, ECOSYSTEM or GIT", r.Type)})
			continue
		}
		cr, ps := c.compileRange(i, r)
		problems = append(problems, ps...)
		if len(ps) == 0 {
			c.ranges = append(c.ranges, cr)
		}
	}
	if len(a.Versions) > 0 {
		c.listed = make(map[string]bool, len(a.Versions))
		for _, v := range a.Versions {
			c.listed[listKey(c.base, v)] = true
		}
	}
	if len(problems) > 0 {
		return nil, cradle.Invalid(fmt.Sprintf("cannot evaluate the affected versions of %s %s", a.Ecosystem, a.Name), problems...)
	}
	return c, nil
}

// compileRange parses the events of one SEMVER or ECOSYSTEM range, sorts
// them and folds them into breakpoints.
func (c *Compiled) compileRange(index int, r cradle.Range) (compiledRange, []cradle.Problem) {
	cr := compiledRange{index: index, typ: r.Type, semver: r.Type == cradle.RangeSemver, fromZero: -1}
	var problems []cradle.Problem
	var events []event
	zero, unlimited := false, false
	for j, e := range r.Events {
		loc := fmt.Sprintf("ranges/%d/events/%d", index, j)
		kind, raw, n := -1, "", 0
		for k, s := range [...]string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
			if s != "" {
				kind, raw, n = k, s, n+1
			}
		}
		if n != 1 {
			problems = append(problems, cradle.Problem{Location: loc,
				Message: "an event must set exactly one of introduced, fixed, last_affected and limit"})
			continue
		}
		loc += "/" + kindNames[kind]
		if kind == introduced && raw == "0" {
			zero = true
			continue
		}
		if kind == limit && strings.Contains(raw, "*") {
			unlimited = true
			continue
		}
		v, err := c.parseEvent(raw, cr.semver)
		if err != nil {
			problems = append(problems, cradle.Problem{Location: loc, Message: err.Error()})
			continue
		}
		if kind == limit {
			cr.limits = append(cr.limits, bound{v, raw})
			continue
		}
		events = append(events, event{kind, raw, v, -1})
	}
	if !zero && !slices.ContainsFunc(events, func(e event) bool { return e.kind == introduced }) && len(problems) == 0 {
		problems = append(problems, cradle.Problem{Location: fmt.Sprintf("ranges/%d/events", index),
			Message: "a range needs an introduced event"})
	}
	if len(problems) > 0 {
		return cr, problems
	}
	var cmpErr error
	cmp := func(a, b semantic.Version) int {
		n, err := compareVersions(a, b)
		if err != nil && cmpErr == nil {
			cmpErr = err
		}
		return n
	}
	for k := 0; k+1 < len(events); k++ {
		a, b := &events[k], &events[k+1]
		if a.kind == introduced && (b.kind == fixed || b.kind == lastAffected) && a.pair < 0 && cmp(a.v, b.v) == 0 {
			a.pair, b.pair = b.kind, introduced
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp(a.v, b.v) })
	slices.SortFunc(cr.limits, func(a, b bound) int { return cmp(a.v, b.v) })
	if cmpErr != nil {
		return cr, []cradle.Problem{{Location: fmt.Sprintf("ranges/%d/events", index), Message: cmpErr.Error()}}
	}
	if unlimited {
		cr.limits = nil
	}

	// Walk the sorted events as OSV's evaluation does, one group of equal
	// versions at a time. OSV leaves the order of equal versions open, and
	// records use them in two ways: to write an empty interval (introduced
	// 0.10.0 followed in the record by fixed 0.10.0: nothing affected) and
	// to join two intervals (fixed 3.1.1 ending one, introduced 3.1.1
	// starting the next: 3.1.1 affected). So an introduced event directly
	// followed in the record by a fixed or last_affected event of the same
	// version is a pair on its own; otherwise, within a group, fixed and
	// last_affected close the open interval before introduced opens the
	// next. Whatever its author meant, this reading never finds fewer
	// versions affected than walking the group in record order, which is
	// what OSV.dev's stable sort does.
	open := -1 // the interval the versions just below the group are in
	if zero {
		cr.intervals = append(cr.intervals, interval{introduced: "0"})
		open, cr.fromZero = 0, 0
	}
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && cmp(events[i].v, events[j].v) == 0 {
			j++
		}
		var in, fix, last, single string
		for _, e := range events[i:j] {
			switch {
			case e.kind == introduced && e.pair == fixed:
				// an empty interval: no effect
			case e.kind == introduced && e.pair == lastAffected:
				single = e.raw // the interval holding this version alone
			case e.pair >= 0:
				// the closing half of a pair, handled with its introduced
			case e.kind == introduced:
				in = e.raw
			case e.kind == fixed:
				fix = e.raw
			case e.kind == lastAffected:
				last = e.raw
			}
		}
		p := point{v: events[i].v, at: open}
		switch {
		case fix != "":
			if open >= 0 {
				cr.intervals[open].fixed = fix
			}
			open, p.at = -1, -1
		case last != "":
			if open >= 0 {
				cr.intervals[open].lastAffected = last
			}
			open = -1
		}
		if in != "" {
			if open < 0 {
				cr.intervals = append(cr.intervals, interval{introduced: in})
				open = len(cr.intervals) - 1
			}
			p.at = open
		}
		if single != "" && p.at < 0 {
			cr.intervals = append(cr.intervals, interval{introduced: single, lastAffected: single})
			p.at = len(cr.intervals) - 1
		}
		p.above = open
		cr.points = append(cr.points, p)
		i = j
	}
	if cmpErr != nil {
		return cr, []cradle.Problem{{Location: fmt.Sprintf("ranges/%d/events", index), Message: cmpErr.Error()}}
	}
	return cr, nil
}

// parseEvent parses an event version in the ordering of its range.
func (c *Compiled) parseEvent(raw string, semver bool) (semantic.Version, error) {
	if semver {
		if err := check(c.base, raw, true); err != nil {
			return nil, err
		}
		return semantic.ParseSemverVersion(raw), nil
	}
	if err := check(c.base, raw, false); err != nil {
		return nil, err
	}
	return parseOrdered(c.base, raw)
}

// Affects evaluates one version of the package: it is affected when the
// versions[] list names it or any SEMVER or ECOSYSTEM range contains it.
// A version the ranges' orderings cannot place is an EInvalid error, not
// a "not affected". To ask many Compiled about one version, parse it once
// with ParseVersion and use AffectsVersion.
func (c *Compiled) Affects(version string) (Result, error) {
	v := Version{raw: version, base: c.base}
	v.fill(c.listed != nil, c.ecoRanges, c.semRanges)
	return c.AffectsVersion(&v)
}

// Version is a component version parsed for evaluation, once for all the
// advisories of its package.
type Version struct {
	raw, base string
	norm, key string           // normalised; versions[] key
	eco, sem  semantic.Version // in the ecosystem's and in SemVer ordering
	ecoErr    error
	semErr    error
}

// ParseVersion parses a version of an ecosystem's package for
// AffectsVersion. It does not fail: a version an ordering cannot place is
// reported by AffectsVersion, and only if a range needs that ordering.
// A Version is immutable and safe for concurrent use.
func ParseVersion(ecosystem, version string) *Version {
	v := &Version{raw: version, base: baseEcosystem(ecosystem)}
	v.fill(true, Supported(v.base), true)
	return v
}

// String returns the version as given.
func (v *Version) String() string { return v.raw }

func (v *Version) fill(key, eco, sem bool) {
	v.norm = normalise(v.base, strings.TrimSpace(v.raw))
	if key {
		v.key = listKey(v.base, v.norm)
	}
	if eco {
		v.ecoErr = check(v.base, v.norm, false)
		if v.ecoErr == nil {
			v.eco, v.ecoErr = parseOrdered(v.base, v.norm)
		}
	}
	if sem {
		v.semErr = check(v.base, v.norm, true)
		if v.semErr == nil {
			v.sem = semantic.ParseSemverVersion(v.norm)
		}
	}
}

// AffectsVersion is Affects for a version from ParseVersion, which must
// name the ecosystem of the Compiled.
func (c *Compiled) AffectsVersion(v *Version) (Result, error) {
	res := Result{Unevaluated: c.unevaluated}
	if v.base != c.base {
		return Result{}, fmt.Errorf("match: version of ecosystem %q evaluated against %q", v.base, c.base)
	}
	if strings.TrimSpace(v.norm) == "" {
		return Result{}, cradle.Invalid(fmt.Sprintf("cannot evaluate an empty version of %s %s", c.ecosystem, c.name),
			cradle.Problem{Location: "version", Message: "the version is empty"})
	}
	if c.listed != nil && c.listed[v.key] {
		res.Matches = append(res.Matches, Match{Range: -1})
		res.Affected = true
	}
	// A version the ranges' orderings cannot place is an error, unless the
	// versions list names it: then it is affected whatever the ranges say.
	invalid := func(err error) (Result, error) {
		if res.Affected {
			return res, nil
		}
		if errors.Is(err, ErrUnsupported) {
			return Result{}, err
		}
		return Result{}, cradle.Invalid(fmt.Sprintf("cannot evaluate version %q of %s %s", v.raw, c.ecosystem, c.name),
			cradle.Problem{Location: "version", Message: err.Error()})
	}
	if c.ecoRanges && v.ecoErr != nil {
		return invalid(v.ecoErr)
	}
	if c.semRanges && v.semErr != nil {
		return invalid(v.semErr)
	}
	for i := range c.ranges {
		r := &c.ranges[i]
		pv := v.eco
		if r.semver {
			pv = v.sem
		}
		m, ok, err := r.contains(pv)
		if err != nil {
			return invalid(err)
		}
		if ok {
			res.Matches = append(res.Matches, m)
			if m.Fixed != "" && !slices.Contains(res.Fixed, m.Fixed) {
				res.Fixed = append(res.Fixed, m.Fixed)
			}
		}
	}
	res.Affected = len(res.Matches) > 0
	return res, nil
}

// contains places v among the range's breakpoints.
func (r *compiledRange) contains(v semantic.Version) (Match, bool, error) {
	m := Match{Range: r.index, Type: r.typ}
	if r.limits != nil {
		below := false
		for _, l := range r.limits {
			n, err := compareVersions(v, l.v)
			if err != nil {
				return m, false, err
			}
			if n < 0 {
				below, m.Limit = true, l.raw
				break
			}
		}
		if !below {
			return m, false, nil
		}
	}
	// Find the number of points at or below v. The last point at or below
	// it was the last one compared with it on the way.
	lo, hi, equal := 0, len(r.points), false
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		n, err := compareVersions(r.points[mid].v, v)
		if err != nil {
			return m, false, err
		}
		if n <= 0 {
			lo, equal = mid+1, n == 0
		} else {
			hi = mid
		}
	}
	iv := r.fromZero
	if lo > 0 {
		if iv = r.points[lo-1].above; equal {
			iv = r.points[lo-1].at
		}
	}
	if iv < 0 {
		return m, false, nil
	}
	in := r.intervals[iv]
	m.Introduced, m.Fixed, m.LastAffected = in.introduced, in.fixed, in.lastAffected
	return m, true, nil
}

// listKey is the form under which versions[] entries and the evaluated
// version are compared: PEP 440's normal form for PyPI, the form without
// "v" for Go, the string itself elsewhere.
func listKey(base, v string) string {
	if base == "PyPI" {
		return NormalisePyPI(v)
	}
	return normalise(base, v)
}
