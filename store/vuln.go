package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// Advisory is one OSV record ready to store: the normalised
// vulnerability, the hash of its source record (to skip unchanged ones),
// the OSV package key of each Affected entry (aligned with
// Vuln.Affected), and its best CVSS score.
type Advisory struct {
	Vuln   cradle.Vulnerability
	Hash   string
	Keys   []cradle.PackageKey
	Score  *float64
	Vector string
	Rating string
}

// AdvisoryResult tells what an advisory import changed.
type AdvisoryResult struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Keys are the packages whose advisories changed: the findings to
	// re-evaluate.
	Keys []cradle.PackageKey `json:"-"`
	// Vulns are the records whose matching data changed (new records, and
	// changed ones whose affected data or withdrawal changed): only their
	// findings can change.
	Vulns []string `json:"-"`
}

// UpsertAdvisories stores advisories in one transaction, replacing records
// whose content changed and leaving identical ones alone, then re-derives
// the alias groups. It returns the package keys whose advisories changed
// (old and new affected entries alike).
func (db *DB) UpsertAdvisories(ctx context.Context, advs []Advisory) (*AdvisoryResult, error) {
	res := &AdvisoryResult{}
	keys := map[cradle.PackageKey]bool{}
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		for i := range advs {
			a := &advs[i]
			var hash, oldRating, group string
			var wasWithdrawn bool
			err := tx.queryRow(ctx, `SELECT content_hash, rating, group_id, withdrawn IS NOT NULL FROM vulnerabilities WHERE id = ?`, a.Vuln.ID).
				Scan(&hash, &oldRating, &group, &wasWithdrawn)
			matchingChanged := true
			switch {
			case err == nil && hash == a.Hash:
				res.Unchanged++
				continue
			case err == nil:
				res.Updated++
				if oldRating != a.Rating {
					if err := tx.noticeSeverity(ctx, a.Vuln.ID, group, oldRating, a.Rating); err != nil {
						return err
					}
				}
				// Findings depend only on the affected packages and whether the
				// record is withdrawn; a change of text, severity or aliases
				// needs no re-match (ratings and groups are read at query time).
				old, err := tx.affectedSignature(ctx, a.Vuln.ID)
				if err != nil {
					return err
				}
				matchingChanged = wasWithdrawn != !a.Vuln.Withdrawn.IsZero() || old != newAffectedSignature(a)
				if matchingChanged {
					if err := tx.oldKeys(ctx, a.Vuln.ID, keys); err != nil {
						return err
					}
				}
				if _, err := tx.exec(ctx, `DELETE FROM affected WHERE vuln_id = ?`, a.Vuln.ID); err != nil {
					return err
				}
				if _, err := tx.exec(ctx, `DELETE FROM vuln_ids WHERE vuln_id = ?`, a.Vuln.ID); err != nil {
					return err
				}
				if _, err := tx.exec(ctx, `DELETE FROM vulnerabilities WHERE id = ?`, a.Vuln.ID); err != nil {
					return err
				}
			case errors.Is(err, sql.ErrNoRows):
				res.Inserted++
			default:
				return err
			}
			if group == "" {
				group = a.Vuln.ID
			}
			if err := tx.insertAdvisory(ctx, a, group, now); err != nil {
				return fmt.Errorf("advisory %s: %w", a.Vuln.ID, err)
			}
			if !matchingChanged {
				continue
			}
			res.Vulns = append(res.Vulns, a.Vuln.ID)
			for _, k := range a.Keys {
				if k.Ecosystem != "" {
					keys[k] = true
				}
			}
		}
		if res.Inserted+res.Updated == 0 {
			return nil
		}
		return tx.regroup(ctx)
	})
	if err != nil {
		return nil, err
	}
	for k := range keys {
		res.Keys = append(res.Keys, k)
	}
	sort.Slice(res.Keys, func(i, j int) bool {
		return res.Keys[i].Ecosystem+"\x00"+res.Keys[i].Name < res.Keys[j].Ecosystem+"\x00"+res.Keys[j].Name
	})
	return res, nil
}

// affectedSignature is the stored affected data of a record, in a form
// newAffectedSignature reproduces for unchanged data.
func (tx *Tx) affectedSignature(ctx context.Context, id string) (string, error) {
	rows, err := tx.QueryContext(ctx, tx.db.rebind(`SELECT eco, pkg, ecosystem, name, ranges, versions FROM affected WHERE vuln_id = ? ORDER BY id`), id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var f [6]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5]); err != nil {
			return "", err
		}
		b.WriteString(strings.Join(f[:], "\x00") + "\n")
	}
	return b.String(), rows.Err()
}

func newAffectedSignature(a *Advisory) string {
	var b strings.Builder
	for i, af := range a.Vuln.Affected {
		var k cradle.PackageKey
		if i < len(a.Keys) {
			k = a.Keys[i]
		}
		b.WriteString(strings.Join([]string{k.Ecosystem, k.Name, af.Ecosystem, af.Name, jsonText(af.Ranges), jsonText(af.Versions)}, "\x00") + "\n")
	}
	return b.String()
}

func (tx *Tx) oldKeys(ctx context.Context, id string, keys map[cradle.PackageKey]bool) error {
	rows, err := tx.QueryContext(ctx, tx.db.rebind(`SELECT eco, pkg FROM affected WHERE vuln_id = ?`), id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k cradle.PackageKey
		if err := rows.Scan(&k.Ecosystem, &k.Name); err != nil {
			return err
		}
		keys[k] = true
	}
	return rows.Err()
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// insertAdvisory stores one record in group (its ID for a new record, its
// previous group for a changed one; regroup corrects it).
func (tx *Tx) insertAdvisory(ctx context.Context, a *Advisory, group string, now time.Time) error {
	v := &a.Vuln
	var score any
	if a.Score != nil {
		score = *a.Score
	}
	if _, err := tx.exec(ctx, `INSERT INTO vulnerabilities (id, group_id, aliases, summary, details, published, modified, withdrawn,
		severity, refs, cvss_score, cvss_vector, rating, source, content_hash, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, group, jsonText(v.Aliases), v.Summary, v.Details, timeArg(v.Published), timeArg(v.Modified), timeArg(v.Withdrawn),
		jsonText(v.Severity), jsonText(v.References), score, a.Vector, a.Rating, v.Source, a.Hash, now); err != nil {
		return err
	}
	ids := append([]string{v.ID}, v.Aliases...)
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.exec(ctx, `INSERT INTO vuln_ids (alias, vuln_id) VALUES (?, ?)`, id, v.ID); err != nil {
			return err
		}
	}
	for i, af := range v.Affected {
		var k cradle.PackageKey
		if i < len(a.Keys) {
			k = a.Keys[i]
		}
		git := 0
		for _, r := range af.Ranges {
			if r.Type == cradle.RangeGit {
				git++
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO affected (vuln_id, eco, pkg, ecosystem, name, purl, ranges, versions, git_ranges)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, k.Ecosystem, k.Name, af.Ecosystem, af.Name, af.PURL, jsonText(af.Ranges), jsonText(af.Versions), git); err != nil {
			return err
		}
	}
	return nil
}

// regroup recomputes which records describe the same vulnerability
// (cradle.GroupIDs) and moves records and their findings to their group.
func (tx *Tx) regroup(ctx context.Context) error {
	rows, err := tx.QueryContext(ctx, `SELECT alias, vuln_id FROM vuln_ids`)
	if err != nil {
		return err
	}
	ids := map[string][]string{}
	for rows.Next() {
		var alias, id string
		if err := rows.Scan(&alias, &id); err != nil {
			rows.Close()
			return err
		}
		ids[id] = append(ids[id], alias)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	groups := cradle.GroupIDs(ids)
	cur := map[string]string{}
	grows, err := tx.QueryContext(ctx, `SELECT id, group_id FROM vulnerabilities`)
	if err != nil {
		return err
	}
	for grows.Next() {
		var id, g string
		if err := grows.Scan(&id, &g); err != nil {
			grows.Close()
			return err
		}
		cur[id] = g
	}
	grows.Close()
	for id, want := range groups {
		if cur[id] == want {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE vulnerabilities SET group_id = ? WHERE id = ?`, want, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE findings SET group_id = ? WHERE vuln_id = ?`, want, id); err != nil {
			return err
		}
	}
	return nil
}

// AffectedRow is one affected entry of a stored advisory, for matching.
type AffectedRow struct {
	VulnID    string
	GroupID   string
	Withdrawn bool
	Key       cradle.PackageKey
	Affected  cradle.Affected
}

// AffectedFor returns every stored affected entry for the given packages,
// one index look-up per package.
func (db *DB) AffectedFor(ctx context.Context, keys []cradle.PackageKey) ([]AffectedRow, error) {
	var out []AffectedRow
	q := db.rebind(`SELECT a.vuln_id, v.group_id, v.withdrawn IS NOT NULL, a.eco, a.pkg, a.ecosystem, a.name, a.purl, a.ranges, a.versions
		FROM affected a JOIN vulnerabilities v ON v.id = a.vuln_id WHERE a.eco = ? AND a.pkg = ?`)
	for _, k := range keys {
		rows, err := db.read.QueryContext(ctx, q, k.Ecosystem, k.Name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r AffectedRow
			var ranges, versions string
			if err := rows.Scan(&r.VulnID, &r.GroupID, &r.Withdrawn, &r.Key.Ecosystem, &r.Key.Name, &r.Affected.Ecosystem, &r.Affected.Name, &r.Affected.PURL, &ranges, &versions); err != nil {
				rows.Close()
				return nil, err
			}
			if err := json.Unmarshal([]byte(ranges), &r.Affected.Ranges); err != nil {
				rows.Close()
				return nil, err
			}
			if err := json.Unmarshal([]byte(versions), &r.Affected.Versions); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MatchInput is a component of a release's current SBOM to match.
type MatchInput struct {
	ReleaseID   int64
	ComponentID int64
	Key         cradle.PackageKey
	PURL        string
	Version     string
}

// MatchScope selects the components to (re)match: one release, some
// packages across the portfolio, or (both empty) everything.
type MatchScope struct {
	ReleaseID int64
	Keys      []cradle.PackageKey
	// Vulns, when set with Keys, narrows a sync to the findings of these
	// records: the matches given are then only theirs.
	Vulns []string
}

// MatchInputs returns the components of current SBOMs in scope that have
// an OSV package key. With keys, each package is one index look-up.
func (db *DB) MatchInputs(ctx context.Context, scope MatchScope) ([]MatchInput, error) {
	q := `SELECT r.id, c.id, c.eco, c.pkg, c.purl, c.version FROM components c
		JOIN releases r ON r.current_sbom_id = c.sbom_id WHERE c.eco <> ''`
	args := []any{}
	if scope.ReleaseID != 0 {
		q += " AND r.id = ?"
		args = append(args, scope.ReleaseID)
	}
	var out []MatchInput
	run := func(q string, args ...any) error {
		rows, err := db.read.QueryContext(ctx, db.rebind(q), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m MatchInput
			if err := rows.Scan(&m.ReleaseID, &m.ComponentID, &m.Key.Ecosystem, &m.Key.Name, &m.PURL, &m.Version); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	}
	if len(scope.Keys) == 0 {
		return out, run(q, args...)
	}
	q += " AND c.eco = ? AND c.pkg = ?"
	for _, k := range scope.Keys {
		if err := run(q, append(append([]any{}, args...), k.Ecosystem, k.Name)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Match is one component version matched by one advisory.
type Match struct {
	ReleaseID   int64
	ComponentID int64
	Key         cradle.PackageKey
	Version     string
	VulnID      string
	GroupID     string
	Matched     string
	Fixed       string
}

// FindingChanges counts what SyncFindings changed.
type FindingChanges struct {
	New      int `json:"new"`
	Still    int `json:"still"`
	Resolved int `json:"resolved"`
}

// SyncFindings makes the findings in scope equal to matches, in one
// transaction: new matches become findings first seen now, existing ones
// keep their first-seen time, and findings in scope that no longer match
// are resolved. Scope is as for MatchInputs; with Keys set, only findings
// of those packages are touched.
func (db *DB) SyncFindings(ctx context.Context, scope MatchScope, matches []Match) (*FindingChanges, error) {
	ch := &FindingChanges{}
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		type fkey struct {
			rel               int64
			eco, pkg, version string
			vuln              string
		}
		type row struct {
			id                    int64
			resolved              bool
			component             int64
			group, matched, fixed string
		}
		existing := map[fkey]row{}
		where, args := "1=1", []any{}
		if scope.ReleaseID != 0 {
			where += " AND release_id = ?"
			args = append(args, scope.ReleaseID)
		}
		load := func(extra string, extraArgs []any) error {
			rows, err := tx.QueryContext(ctx, tx.db.rebind(`SELECT id, release_id, eco, pkg, version, vuln_id, resolved_at IS NOT NULL,
				component_id, group_id, matched, fixed FROM findings WHERE `+where+extra),
				append(append([]any{}, args...), extraArgs...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k fkey
				var r row
				if err := rows.Scan(&r.id, &k.rel, &k.eco, &k.pkg, &k.version, &k.vuln, &r.resolved, &r.component, &r.group, &r.matched, &r.fixed); err != nil {
					return err
				}
				existing[k] = r
			}
			return rows.Err()
		}
		switch {
		case len(scope.Vulns) > 0:
			for _, v := range scope.Vulns {
				if err := load(" AND vuln_id = ?", []any{v}); err != nil {
					return err
				}
			}
		case len(scope.Keys) == 0:
			if err := load("", nil); err != nil {
				return err
			}
		default:
			for _, k := range scope.Keys {
				if err := load(" AND eco = ? AND pkg = ?", []any{k.Ecosystem, k.Name}); err != nil {
					return err
				}
			}
		}
		seen := map[fkey]bool{}
		fresh := map[int64][]Match{} // new findings by release, for the notices
		for _, m := range matches {
			k := fkey{m.ReleaseID, m.Key.Ecosystem, m.Key.Name, m.Version, m.VulnID}
			if seen[k] {
				continue
			}
			seen[k] = true
			if e, ok := existing[k]; ok {
				ch.Still++
				if e.resolved {
					ch.Still--
					ch.New++
					fresh[m.ReleaseID] = append(fresh[m.ReleaseID], m)
				} else if e.component == m.ComponentID && e.group == m.GroupID && e.matched == m.Matched && e.fixed == m.Fixed {
					continue // unchanged: no write (last_seen is when it last changed or reopened)
				}
				if _, err := tx.exec(ctx, `UPDATE findings SET component_id = ?, group_id = ?, matched = ?, fixed = ?, last_seen = ?, resolved_at = NULL WHERE id = ?`,
					m.ComponentID, m.GroupID, m.Matched, m.Fixed, now, e.id); err != nil {
					return err
				}
				continue
			}
			ch.New++
			fresh[m.ReleaseID] = append(fresh[m.ReleaseID], m)
			if _, err := tx.exec(ctx, `INSERT INTO findings (release_id, component_id, vuln_id, group_id, eco, pkg, version, matched, fixed, first_seen, last_seen)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ReleaseID, m.ComponentID, m.VulnID, m.GroupID, m.Key.Ecosystem, m.Key.Name, m.Version,
				m.Matched, m.Fixed, now, now); err != nil {
				return err
			}
		}
		for k, e := range existing {
			if seen[k] || e.resolved {
				continue
			}
			ch.Resolved++
			if _, err := tx.exec(ctx, `UPDATE findings SET resolved_at = ? WHERE id = ?`, now, e.id); err != nil {
				return err
			}
		}
		return tx.noticeNewFindings(ctx, fresh)
	})
	if err != nil {
		return nil, err
	}
	return ch, nil
}

// FindingFilter narrows ListFindings.
type FindingFilter struct {
	Product      string
	Release      string
	MinRating    string    // "", critical, high, medium, low
	KEV          bool      // only KEV-listed
	FixAvailable bool      // only those with a fixed version
	Since        time.Time // first seen at or after
	Vuln         string    // any ID of the vulnerability
	Resolved     bool      // include resolved findings
	Undecided    bool      // only those without a VEX decision
}

const findingSelect = `SELECT f.id, p.name, r.version, r.id, r.lifecycle, f.component_id, COALESCE(c.name, f.pkg), f.version, COALESCE(c.purl, ''),
	f.vuln_id, f.group_id, v.aliases, v.summary, f.matched, f.fixed, COALESCE(v.cvss_score, 0), v.cvss_vector, v.rating,
	COALESCE(k.date_added, ''), COALESCE(e.score, 0), COALESCE(e.percentile, 0), f.first_seen, f.last_seen, f.resolved_at,
	COALESCE(d.status, ''), COALESCE(d.justification, ''), COALESCE(d.impact, ''), COALESCE(d.action, ''), COALESCE(d.case_id, 0)
	FROM findings f
	JOIN releases r ON r.id = f.release_id
	LEFT JOIN vex_decisions d ON d.product_id = r.product_id AND d.group_id = f.group_id AND d.eco = f.eco AND d.pkg = f.pkg AND d.version = f.version
	JOIN products p ON p.id = r.product_id
	JOIN vulnerabilities v ON v.id = f.vuln_id
	LEFT JOIN components c ON c.id = f.component_id
	LEFT JOIN kev k ON k.cve = (SELECT MIN(i.alias) FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id JOIN kev kk ON kk.cve = i.alias WHERE gv.group_id = f.group_id)
	LEFT JOIN epss e ON e.cve = (SELECT MIN(i.alias) FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id JOIN epss ee ON ee.cve = i.alias WHERE gv.group_id = f.group_id)`

// ListFindings returns findings, most urgent first: KEV-listed, then by
// CVSS score, then newest.
func (db *DB) ListFindings(ctx context.Context, f FindingFilter, pg cradle.Page) ([]cradle.Finding, int, error) {
	pg = pg.Normalize()
	where, args := []string{}, []any{}
	if !f.Resolved {
		where = append(where, "f.resolved_at IS NULL")
	}
	if f.Product != "" {
		if _, err := db.Product(ctx, f.Product); err != nil {
			return nil, 0, err
		}
		where = append(where, "p.name = ?")
		args = append(args, f.Product)
	}
	if f.Release != "" {
		if _, err := db.Release(ctx, f.Product, f.Release); err != nil {
			return nil, 0, err
		}
		where = append(where, "r.version = ?")
		args = append(args, f.Release)
	}
	if f.MinRating != "" {
		if !slices.Contains(cradle.Ratings[:4], f.MinRating) {
			return nil, 0, cradle.Invalid("invalid filter", cradle.Problem{Location: "severity", Message: "must be one of critical, high, medium, low; found " + f.MinRating})
		}
		var ok []string
		for _, r := range cradle.Ratings[:cradle.RatingRank(f.MinRating)+1] {
			ok = append(ok, "'"+r+"'")
		}
		where = append(where, "v.rating IN ("+strings.Join(ok, ",")+")")
	}
	if f.KEV {
		where = append(where, "k.cve IS NOT NULL")
	}
	if f.FixAvailable {
		where = append(where, "f.fixed <> ''")
	}
	if f.Undecided {
		where = append(where, "d.status IS NULL")
	}
	if !f.Since.IsZero() {
		where = append(where, "f.first_seen >= ?")
		args = append(args, f.Since.UTC())
	}
	if f.Vuln != "" {
		where = append(where, "f.group_id = (SELECT gv.group_id FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id WHERE i.alias = ? LIMIT 1)")
		args = append(args, f.Vuln)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (`+findingSelect+cond+`) x`, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, findingSelect+cond+` ORDER BY (k.cve IS NULL), COALESCE(v.cvss_score, -1) DESC, f.first_seen DESC, f.id`+pageClause(pg), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []cradle.Finding
	for rows.Next() {
		var x cradle.Finding
		var lc, aliases string
		var first, last, resolved nullTime
		var caseID int64
		if err := rows.Scan(&x.ID, &x.Product, &x.Release, &x.ReleaseID, &lc, &x.ComponentID, &x.Component, &x.Version, &x.PURL,
			&x.VulnID, &x.GroupID, &aliases, &x.Summary, &x.Matched, &x.Fixed, &x.Score, &x.Vector, &x.Rating,
			&x.KEVAdded, &x.EPSS, &x.EPSSPercent, &first, &last, &resolved, &x.VEXStatus, &x.VEXJustification, &x.VEXImpact, &x.VEXAction, &caseID); err != nil {
			return nil, 0, err
		}
		if caseID != 0 {
			x.VEXCase = cradle.CaseRef(caseID)
		}
		x.Lifecycle = cradle.Lifecycle(lc)
		_ = json.Unmarshal([]byte(aliases), &x.Aliases)
		x.KEV = x.KEVAdded != ""
		if x.Rating == "" {
			x.Rating = "unknown"
		}
		x.FirstSeen, x.LastSeen, x.ResolvedAt = first.t, last.t, resolved.t
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// VulnerabilityGroup returns every stored record of the vulnerability that
// id names (its own ID or any alias), merged group first.
func (db *DB) VulnerabilityGroup(ctx context.Context, id string) (string, []cradle.Vulnerability, error) {
	var group string
	err := db.queryRow(ctx, `SELECT v.group_id FROM vuln_ids i JOIN vulnerabilities v ON v.id = i.vuln_id WHERE i.alias = ? LIMIT 1`, id).Scan(&group)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, cradle.Errorf(cradle.ENotFound, "no vulnerability %s in the loaded data (try `cradle vulndb status`)", id)
	} else if err != nil {
		return "", nil, err
	}
	rows, err := db.query(ctx, `SELECT id, aliases, summary, details, published, modified, withdrawn, severity, refs, source FROM vulnerabilities WHERE group_id = ? ORDER BY id`, group)
	if err != nil {
		return "", nil, err
	}
	var out []cradle.Vulnerability
	for rows.Next() {
		var v cradle.Vulnerability
		var aliases, sev, refs string
		var pub, mod, wd nullTime
		if err := rows.Scan(&v.ID, &aliases, &v.Summary, &v.Details, &pub, &mod, &wd, &sev, &refs, &v.Source); err != nil {
			rows.Close()
			return "", nil, err
		}
		_ = json.Unmarshal([]byte(aliases), &v.Aliases)
		_ = json.Unmarshal([]byte(sev), &v.Severity)
		_ = json.Unmarshal([]byte(refs), &v.References)
		v.Published, v.Modified, v.Withdrawn = pub.t, mod.t, wd.t
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	for i := range out {
		arows, err := db.query(ctx, `SELECT ecosystem, name, purl, ranges, versions FROM affected WHERE vuln_id = ? ORDER BY id`, out[i].ID)
		if err != nil {
			return "", nil, err
		}
		for arows.Next() {
			var a cradle.Affected
			var ranges, versions string
			if err := arows.Scan(&a.Ecosystem, &a.Name, &a.PURL, &ranges, &versions); err != nil {
				arows.Close()
				return "", nil, err
			}
			_ = json.Unmarshal([]byte(ranges), &a.Ranges)
			_ = json.Unmarshal([]byte(versions), &a.Versions)
			out[i].Affected = append(out[i].Affected, a)
		}
		arows.Close()
	}
	return group, out, nil
}

// noticeNewFindings records one notice per release that has new findings.
func (tx *Tx) noticeNewFindings(ctx context.Context, fresh map[int64][]Match) error {
	rels := make([]int64, 0, len(fresh))
	for r := range fresh {
		rels = append(rels, r)
	}
	slices.Sort(rels)
	for _, rel := range rels {
		ms := fresh[rel]
		var product, version, lifecycle string
		if err := tx.queryRow(ctx, `SELECT p.name, r.version, r.lifecycle FROM releases r JOIN products p ON p.id = r.product_id WHERE r.id = ?`, rel).
			Scan(&product, &version, &lifecycle); err != nil {
			return err
		}
		type item struct {
			Vulnerability string `json:"vulnerability"`
			Package       string `json:"package"`
			Version       string `json:"version"`
			Fixed         string `json:"fixed,omitempty"`
		}
		var items []item
		groups := map[string]bool{}
		for i, m := range ms {
			groups[m.GroupID] = true
			if i < 100 {
				items = append(items, item{m.GroupID, m.Key.Name, m.Version, m.Fixed})
			}
		}
		ids := make([]string, 0, len(groups))
		for g := range groups {
			ids = append(ids, g)
		}
		slices.Sort(ids)
		shown := ids
		if len(shown) > 5 {
			shown = append(slices.Clone(shown[:5]), fmt.Sprintf("and %d more", len(ids)-5))
		}
		summary := fmt.Sprintf("%d new vulnerable component version(s) in %s %s: %s", len(ms), product, version, strings.Join(shown, ", "))
		payload := map[string]any{"product": product, "release": version, "lifecycle": lifecycle, "count": len(ms), "findings": items}
		if err := tx.notify(ctx, cradle.NoticeNewFindings, rel, "", summary, payload); err != nil {
			return err
		}
	}
	return nil
}

// noticeSeverity records a severity change of an advisory that has open
// findings.
func (tx *Tx) noticeSeverity(ctx context.Context, vulnID, group, from, to string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM findings WHERE vuln_id = ? AND resolved_at IS NULL`, vulnID).Scan(&n); err != nil || n == 0 {
		return err
	}
	if from == "" {
		from = "unknown"
	}
	if to == "" {
		to = "unknown"
	}
	return tx.notify(ctx, cradle.NoticeSeverity, 0, group,
		fmt.Sprintf("%s (%s) changed severity from %s to %s; %d open finding(s)", group, vulnID, from, to, n),
		map[string]any{"vulnerability": group, "record": vulnID, "from": from, "to": to, "open_findings": n})
}

// PackageKeys returns every package key with a component in a current SBOM
// or an open finding: what a full re-match must cover.
func (db *DB) PackageKeys(ctx context.Context) ([]cradle.PackageKey, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT c.eco, c.pkg FROM components c JOIN releases r ON r.current_sbom_id = c.sbom_id WHERE c.eco <> ''
		UNION SELECT DISTINCT eco, pkg FROM findings WHERE resolved_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cradle.PackageKey
	for rows.Next() {
		var k cradle.PackageKey
		if err := rows.Scan(&k.Ecosystem, &k.Name); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
