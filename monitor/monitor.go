// Package monitor keeps every shipped release's findings current: it
// imports SBOMs (giving each component its OSV package key), imports
// advisories (OSV), the KEV catalog and EPSS scores, and matches
// components against advisories with each ecosystem's version rules. It
// is the one path from bytes to stored data that the CLI, the web server
// and the demo share.
package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/match"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
)

// Monitor matches the portfolio against the loaded vulnerability data.
type Monitor struct {
	db  *store.DB
	log *slog.Logger
}

// New returns a monitor over db.
func New(db *store.DB, log *slog.Logger) *Monitor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Monitor{db: db, log: log}
}

// splitKey turns match.KeyOf's "Ecosystem:name" into a PackageKey.
func splitKey(key string) cradle.PackageKey {
	eco, name, _ := strings.Cut(key, ":")
	return cradle.PackageKey{Ecosystem: eco, Name: name}
}

// PrepareSBOM gives each component with a purl its OSV package key and
// returns how many components have a purl cradle cannot match (an
// unsupported type, or one that does not parse).
func PrepareSBOM(doc *cradle.SBOM) (unmatched int) {
	for i := range doc.Components {
		c := &doc.Components[i]
		c.Ecosystem, c.Package = "", ""
		if c.PURL == "" {
			continue
		}
		p, err := match.PackageOf(c.PURL)
		if err != nil {
			unmatched++
			continue
		}
		k := splitKey(p.Key())
		c.Ecosystem, c.Package = k.Ecosystem, k.Name
	}
	return unmatched
}

// SBOMResult is what importing an SBOM did.
type SBOMResult struct {
	*store.ImportResult
	// Unmatched counts components whose purl names no ecosystem cradle
	// matches advisories for.
	Unmatched int                   `json:"unmatchable_components,omitempty"`
	Findings  *store.FindingChanges `json:"findings,omitempty"`
}

// ImportSBOM decodes, stores and matches an SBOM for a release.
func (m *Monitor) ImportSBOM(ctx context.Context, actor cradle.Actor, product, version, filename string, raw []byte, progress store.Progress) (*SBOMResult, error) {
	rel, err := m.db.Release(ctx, product, version)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.Decode(filename, raw)
	if err != nil {
		return nil, err
	}
	res := &SBOMResult{Unmatched: PrepareSBOM(doc)}
	if res.ImportResult, err = m.db.ImportSBOM(ctx, actor, product, version, raw, doc, progress); err != nil {
		return nil, err
	}
	if res.Unchanged {
		return res, nil
	}
	if res.Findings, err = m.MatchRelease(ctx, rel.ID); err != nil {
		return nil, fmt.Errorf("match the new SBOM: %w", err)
	}
	return res, nil
}

// MatchRelease re-evaluates every finding of one release.
func (m *Monitor) MatchRelease(ctx context.Context, releaseID int64) (*store.FindingChanges, error) {
	return m.rematch(ctx, store.MatchScope{ReleaseID: releaseID})
}

// rematchBatch is how many packages one re-match transaction covers: it
// bounds memory (a package's findings across the portfolio are held at
// once) while keeping the number of transactions small.
const rematchBatch = 8

// Rematch re-evaluates the findings of the given packages across the
// whole portfolio; with nil keys, of everything. Packages are handled in
// batches, each in its own transaction.
func (m *Monitor) Rematch(ctx context.Context, keys []cradle.PackageKey) (*store.FindingChanges, error) {
	if keys == nil {
		var err error
		if keys, err = m.db.PackageKeys(ctx); err != nil {
			return nil, err
		}
	}
	total := &store.FindingChanges{}
	for start := 0; start < len(keys); start += rematchBatch {
		ch, err := m.rematch(ctx, store.MatchScope{Keys: keys[start:min(start+rematchBatch, len(keys))]})
		if err != nil {
			return total, err
		}
		total.New += ch.New
		total.Still += ch.Still
		total.Resolved += ch.Resolved
	}
	return total, nil
}

func (m *Monitor) rematch(ctx context.Context, scope store.MatchScope) (*store.FindingChanges, error) {
	inputs, err := m.db.MatchInputs(ctx, scope)
	if err != nil {
		return nil, err
	}
	keySet := map[cradle.PackageKey]bool{}
	for _, in := range inputs {
		keySet[in.Key] = true
	}
	keys := make([]cradle.PackageKey, 0, len(keySet))
	for k := range keySet {
		keys = append(keys, k)
	}
	rows, err := m.db.AffectedFor(ctx, keys)
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for _, v := range scope.Vulns {
		only[v] = true
	}
	idx := NewIndex()
	for _, r := range rows {
		if len(only) == 0 || only[r.VulnID] {
			idx.Add(r)
		}
	}
	var matches []store.Match
	// Releases share components: match each distinct purl once.
	memo := map[string][]Hit{}
	for _, in := range inputs {
		memoKey := in.PURL + "\x00" + in.Version
		hits, ok := memo[memoKey]
		if !ok {
			hits = idx.Match(in.PURL, in.Version)
			memo[memoKey] = hits
		}
		for _, hit := range hits {
			matches = append(matches, store.Match{ReleaseID: in.ReleaseID, ComponentID: in.ComponentID, Key: in.Key,
				Version: hit.Version, VulnID: hit.VulnID, GroupID: hit.GroupID, Matched: hit.Matched, Fixed: hit.Fixed})
		}
	}
	return m.db.SyncFindings(ctx, scope, matches)
}

// Hit is one advisory that affects a package version.
type Hit struct {
	VulnID  string
	GroupID string
	Version string // the version as matched (OSV's form)
	Matched string // which range or list matched
	Fixed   string // fixed versions, comma-separated
}

// Index holds compiled affected entries by package key, for matching many
// components against many advisories. Each entry is compiled once.
type Index struct {
	byKey map[string][]*entry
	// Unevaluated counts GIT ranges met while matching: they name commits,
	// not versions, and cannot be evaluated from a version.
	Unevaluated int
	// Errors counts affected entries that could not be compiled, and
	// versions that could not be parsed.
	Errors int
}

type entry struct {
	row      store.AffectedRow
	compiled *match.Compiled
	err      error
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{byKey: map[string][]*entry{}} }

// Add indexes one affected entry; withdrawn advisories never match.
func (x *Index) Add(r store.AffectedRow) {
	if r.Withdrawn {
		return
	}
	key := match.KeyOf(r.Affected.Ecosystem, r.Affected.Name)
	x.byKey[key] = append(x.byKey[key], &entry{row: r})
}

// Match returns the advisories affecting the package a purl names at the
// given version (the purl's own version when version is "").
func (x *Index) Match(purl, version string) []Hit {
	p, err := match.PackageOf(purl)
	if err != nil {
		return nil
	}
	if p.Version == "" && version != "" {
		p.Version = version
	}
	if p.Version == "" {
		return nil
	}
	var hits []Hit
	for _, e := range x.byKey[p.Key()] {
		if !p.Matches(e.row.Affected.Ecosystem, e.row.Affected.Name) {
			continue
		}
		if e.compiled == nil && e.err == nil {
			e.compiled, e.err = match.Compile(e.row.Affected)
			if e.err != nil {
				x.Errors++
			}
		}
		if e.compiled == nil {
			continue
		}
		res, err := e.compiled.Affects(p.Version)
		if err != nil {
			x.Errors++
			continue
		}
		x.Unevaluated += res.Unevaluated
		if !res.Affected {
			continue
		}
		h := Hit{VulnID: e.row.VulnID, GroupID: e.row.GroupID, Version: p.Version, Fixed: strings.Join(res.Fixed, ", ")}
		if len(res.Matches) > 0 {
			h.Matched = res.Matches[0].String()
		}
		hits = append(hits, h)
	}
	return hits
}

// ToAdvisory prepares a decoded OSV record for the store: its package
// keys, its best CVSS score, and a hash of its content.
func ToAdvisory(v *cradle.Vulnerability) store.Advisory {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	a := store.Advisory{Vuln: *v, Hash: hex.EncodeToString(sum[:])}
	for _, af := range v.Affected {
		if af.Ecosystem == "" || af.Name == "" {
			a.Keys = append(a.Keys, cradle.PackageKey{})
			continue
		}
		a.Keys = append(a.Keys, splitKey(match.KeyOf(af.Ecosystem, af.Name)))
	}
	if s := BestScore(v.Severity); s != nil {
		score := s.Overall
		a.Score, a.Vector, a.Rating = &score, s.Vector, strings.ToLower(s.Rating)
	}
	return a
}

// BestScore returns the most recent CVSS version's score among an
// advisory's severities (v4.0 over v3.x over v2.0), or nil when none
// parses.
func BestScore(sevs []cradle.Severity) *cvss.Score {
	var best *cvss.Score
	rank := map[cvss.Version]int{"2.0": 1, "3.0": 2, "3.1": 3, "4.0": 4}
	for _, s := range sevs {
		if !strings.HasPrefix(s.Type, "CVSS_") {
			continue
		}
		sc, err := cvss.Parse(s.Score)
		if err != nil {
			continue
		}
		if best == nil || rank[sc.Version] > rank[best.Version] {
			best = sc
		}
	}
	return best
}

// ImportVulns stores decoded advisories in one transaction and
// re-evaluates the findings of every package whose advisories changed.
func (m *Monitor) ImportVulns(ctx context.Context, vulns []*cradle.Vulnerability) (*store.AdvisoryResult, *store.FindingChanges, error) {
	advs := make([]store.Advisory, 0, len(vulns))
	for _, v := range vulns {
		advs = append(advs, ToAdvisory(v))
	}
	res, err := m.db.UpsertAdvisories(ctx, advs)
	if err != nil {
		return nil, nil, err
	}
	// Only the changed records can change findings: match the packages they
	// name against them alone, in one transaction.
	ch := &store.FindingChanges{}
	if len(res.Vulns) > 0 {
		if ch, err = m.rematch(ctx, store.MatchScope{Keys: nonNilKeys(res.Keys), Vulns: res.Vulns}); err != nil {
			return res, nil, fmt.Errorf("re-match after advisory import: %w", err)
		}
	}
	return res, ch, nil
}

func nonNilKeys(k []cradle.PackageKey) []cradle.PackageKey {
	if k == nil {
		return []cradle.PackageKey{}
	}
	sort.Slice(k, func(i, j int) bool { return k[i].Ecosystem+k[i].Name < k[j].Ecosystem+k[j].Name })
	return k
}
