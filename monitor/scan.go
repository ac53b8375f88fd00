package monitor

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/match"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/cradle-sdl/cradle/store"
)

// VulnDB is vulnerability data held in memory, for a stand-alone scan.
type VulnDB struct {
	Vulns  map[string]*cradle.Vulnerability // by record ID
	Groups map[string]string                // record ID → canonical ID
	// Members lists each group's record IDs, sorted.
	Members map[string][]string
	KEV     map[string]string // CVE → date added
	Stats   osv.Stats
	Files   int
}

// LoadVulnDB reads OSV data from a file, a folder of records, an all.zip,
// or a folder holding any of those at any depth (such as a copy of the OSV
// bucket, <dir>/<Ecosystem>/all.zip). When ecosystems is not nil, archives
// in a folder named after an ecosystem (its base name, as "Debian" for
// "Debian:12") that is not in it are skipped: a scan reads only the
// ecosystems its SBOM has. Archives are read in parallel.
//
// When keys is not nil, only advisories of those packages are decoded in
// full (see osv.Limits.Filter).
func LoadVulnDB(path string, ecosystems map[string]bool, keys map[cradle.PackageKey]bool) (*VulnDB, error) {
	db := &VulnDB{Vulns: map[string]*cradle.Vulnerability{}, KEV: map[string]string{}}
	var mu sync.Mutex
	read := func(p string) error {
		var vs []*cradle.Vulnerability
		var lim osv.Limits
		if keys != nil {
			lim.Filter = func(eco, name string) bool { return keys[splitKey(match.KeyOf(eco, name))] }
		}
		st, err := osv.Read(p, lim, func(v *cradle.Vulnerability) error {
			vs = append(vs, v)
			return nil
		})
		mu.Lock()
		defer mu.Unlock()
		for _, v := range vs {
			db.Vulns[v.ID] = v
		}
		db.Stats.Records += st.Records
		db.Stats.Skipped += st.Skipped
		db.Stats.Withdrawn += st.Withdrawn
		db.Stats.GitOnly += st.GitOnly
		db.Stats.Skips = append(db.Stats.Skips, st.Skips...)
		db.Files++
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, cradle.Errorf(cradle.EInvalid, "cannot read the vulnerability data at %s: %v", path, unwrap(err))
	}
	if !info.IsDir() {
		if err := read(path); err != nil {
			return nil, err
		}
	} else {
		// A folder of archives (any depth) is read archive by archive; a
		// folder of loose records is read as one.
		var zips []string
		filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".zip") {
				zips = append(zips, p)
			}
			return nil
		})
		sort.Strings(zips)
		if len(zips) == 0 {
			if err := read(path); err != nil {
				return nil, err
			}
		}
		var wanted []string
		for _, z := range zips {
			eco, _, _ := strings.Cut(filepath.Base(filepath.Dir(z)), ":")
			if ecosystems == nil || ecosystems[eco] || osv.CheckEcosystem(eco) != nil {
				wanted = append(wanted, z)
			}
		}
		errs := make([]error, len(wanted))
		var wg sync.WaitGroup
		sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
		for i, z := range wanted {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				errs[i] = read(z)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	ids := make(map[string][]string, len(db.Vulns))
	for id, v := range db.Vulns {
		ids[id] = v.Aliases
	}
	db.Groups = cradle.GroupIDs(ids)
	db.Members = map[string][]string{}
	for id, g := range db.Groups {
		db.Members[g] = append(db.Members[g], id)
	}
	for _, m := range db.Members {
		sort.Strings(m)
	}
	return db, nil
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// ScanFinding is one vulnerable component of a scanned SBOM.
type ScanFinding struct {
	Component cradle.Component `json:"component"`
	VulnID    string           `json:"vuln_id"`
	GroupID   string           `json:"id"`
	Aliases   []string         `json:"aliases,omitempty"`
	Summary   string           `json:"summary,omitempty"`
	Matched   string           `json:"matched"`
	Fixed     string           `json:"fixed,omitempty"`
	Score     float64          `json:"cvss_score,omitempty"`
	Vector    string           `json:"cvss_vector,omitempty"`
	Rating    string           `json:"severity"`
	KEV       bool             `json:"kev"`
}

// ScanResult is the outcome of a stand-alone scan.
type ScanResult struct {
	Findings []ScanFinding `json:"findings"`
	// Components counts the SBOM's components; Matchable those whose purl
	// maps to an OSV package; Unmatchable those with a purl cradle cannot
	// map; Unevaluated the GIT ranges met, which a version cannot decide.
	Components  int `json:"components"`
	Matchable   int `json:"matchable"`
	Unmatchable int `json:"unmatchable"`
	Unevaluated int `json:"git_ranges_unevaluated"`
	// Unparsable counts checks that could not be made because a version
	// does not parse in its ecosystem (such as Go's "(devel)"): such a
	// component is reported here, not claimed safe or affected.
	Unparsable int `json:"unparsable_versions"`
	Advisories int `json:"advisories_loaded"`
}

// Scan matches an SBOM's components against in-memory data.
func Scan(doc *cradle.SBOM, vdb *VulnDB) *ScanResult {
	res := &ScanResult{Components: len(doc.Components), Advisories: len(vdb.Vulns)}
	res.Unmatchable = PrepareSBOM(doc)
	needed := map[cradle.PackageKey]bool{}
	for _, c := range doc.Components {
		if c.Ecosystem != "" {
			res.Matchable++
			needed[cradle.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package}] = true
		}
	}
	idx := NewIndex()
	ids := make([]string, 0, len(vdb.Vulns))
	for id := range vdb.Vulns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v := vdb.Vulns[id]
		for _, af := range v.Affected {
			if af.Ecosystem == "" || af.Name == "" {
				continue
			}
			k := splitKey(match.KeyOf(af.Ecosystem, af.Name))
			if !needed[k] {
				continue
			}
			idx.Add(store.AffectedRow{VulnID: v.ID, GroupID: vdb.Groups[v.ID], Withdrawn: !v.Withdrawn.IsZero(), Key: k, Affected: af})
		}
	}
	for _, c := range doc.Components {
		if c.Ecosystem == "" {
			continue
		}
		seen := map[string]bool{}
		for _, h := range idx.Match(c.PURL, c.Version) {
			if seen[h.GroupID] {
				continue // two records of one vulnerability: report it once
			}
			seen[h.GroupID] = true
			v := vdb.Vulns[h.VulnID]
			f := ScanFinding{Component: c, VulnID: h.VulnID, GroupID: h.GroupID, Summary: v.Summary, Matched: h.Matched, Fixed: h.Fixed, Rating: "unknown"}
			f.Aliases = groupAliases(vdb, h.GroupID)
			if s := groupScore(vdb, h.GroupID); s != nil {
				f.Score, f.Vector, f.Rating = s.Overall, s.Vector, strings.ToLower(s.Rating)
			}
			for _, a := range append([]string{f.GroupID}, f.Aliases...) {
				if _, ok := vdb.KEV[a]; ok {
					f.KEV = true
				}
			}
			res.Findings = append(res.Findings, f)
		}
	}
	res.Unevaluated, res.Unparsable = idx.Unevaluated, idx.Errors
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.KEV != b.KEV {
			return a.KEV
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Component.Name != b.Component.Name {
			return a.Component.Name < b.Component.Name
		}
		return a.GroupID < b.GroupID
	})
	return res
}

// groupAliases lists every ID of a group but the canonical one.
func groupAliases(vdb *VulnDB, group string) []string {
	seen := map[string]bool{group: true}
	var out []string
	for _, id := range vdb.Members[group] {
		for _, a := range append([]string{id}, vdb.Vulns[id].Aliases...) {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}

type cvssScore = cvss.Score

// groupScore returns the best CVSS score among a group's records.
func groupScore(vdb *VulnDB, group string) *cvssScore {
	var best *cvssScore
	for _, id := range vdb.Members[group] {
		if s := BestScore(vdb.Vulns[id].Severity); s != nil && (best == nil || s.Overall > best.Overall) {
			best = s
		}
	}
	return best
}

// Needs returns the base OSV ecosystems and the package keys of an SBOM's
// components (after PrepareSBOM): what a scan must read.
func Needs(doc *cradle.SBOM) (ecosystems map[string]bool, keys map[cradle.PackageKey]bool) {
	ecosystems, keys = map[string]bool{}, map[cradle.PackageKey]bool{}
	for _, c := range doc.Components {
		if c.Ecosystem != "" {
			ecosystems[c.Ecosystem] = true
			keys[cradle.PackageKey{Ecosystem: c.Ecosystem, Name: c.Package}] = true
		}
	}
	return ecosystems, keys
}
