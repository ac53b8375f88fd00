package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// Engineering evidence: threat model versions and reviews, scan and test
// results per release, gate policies, exceptions and decisions. The store
// keeps rows; the threatmodel, results and gate packages know the formats.

// SaveThreatModel stores a new version of a product's threat model (for a
// release when m.Release is set). Importing the model that is already the
// newest for the same release is a no-op that returns the stored version.
func (db *DB) SaveThreatModel(ctx context.Context, actor cradle.Actor, m *cradle.ThreatModel) error {
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), m.Product)
		if err != nil {
			return err
		}
		var rid any
		if m.Release != "" {
			r, err := releaseByName(ctx, tx.q(), m.Product, m.Release)
			if err != nil {
				return err
			}
			rid = r.ID
		}
		var lastID int64
		var lastSHA string
		var lastRel sql.NullInt64
		err = tx.queryRow(ctx, `SELECT id, sha256, release_id FROM threat_models WHERE product_id = ? ORDER BY version DESC LIMIT 1`, p.ID).Scan(&lastID, &lastSHA, &lastRel)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		sameRel := (rid == nil && !lastRel.Valid) || (rid != nil && lastRel.Valid && lastRel.Int64 == rid.(int64))
		if lastID != 0 && lastSHA == m.SHA256 && sameRel {
			got, err := threatModelWhere(ctx, tx.q(), "t.id = ?", lastID)
			if err != nil {
				return err
			}
			*m = *got
			return nil
		}
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM threat_models WHERE product_id = ?`, p.ID).Scan(&m.Version); err != nil {
			return err
		}
		m.ImportedBy, m.ImportedAt = actor.String(), db.now()
		err = tx.queryRow(ctx, `INSERT INTO threat_models (product_id, release_id, version, sha256, filename, source, threats, open_threats, imported_by, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, rid, m.Version, m.SHA256, m.Filename, m.Source, m.Threats, m.OpenThreats, m.ImportedBy, m.ImportedAt).Scan(&m.ID)
		if err != nil {
			if isUniqueViolation(err) {
				return cradle.Errorf(cradle.EConflict, "another threat model of %s was saved at the same moment; try again", m.Product)
			}
			return fmt.Errorf("save threat model: %w", err)
		}
		summary := struct {
			Version     int    `json:"version"`
			Release     string `json:"release,omitempty"`
			SHA256      string `json:"sha256"`
			Filename    string `json:"filename"`
			Threats     int    `json:"threats"`
			OpenThreats int    `json:"open_threats"`
		}{m.Version, m.Release, m.SHA256, m.Filename, m.Threats, m.OpenThreats}
		return tx.audit(ctx, actor, "threat_model.import", "product", m.Product, nil, summary)
	})
}

const threatModelCols = `t.id, p.name, COALESCE(r.version, ''), t.version, t.sha256, t.filename, t.source, t.threats, t.open_threats, t.imported_by, t.imported_at`

const threatModelFrom = ` FROM threat_models t JOIN products p ON p.id = t.product_id LEFT JOIN releases r ON r.id = t.release_id`

func scanThreatModel(sc interface{ Scan(...any) error }) (*cradle.ThreatModel, error) {
	var m cradle.ThreatModel
	var at nullTime
	err := sc.Scan(&m.ID, &m.Product, &m.Release, &m.Version, &m.SHA256, &m.Filename, &m.Source, &m.Threats, &m.OpenThreats, &m.ImportedBy, &at)
	m.ImportedAt = at.t
	return &m, err
}

func threatModelWhere(ctx context.Context, q queryer, where string, args ...any) (*cradle.ThreatModel, error) {
	m, err := scanThreatModel(q.QueryRowContext(ctx, `SELECT `+threatModelCols+threatModelFrom+` WHERE `+where+` ORDER BY t.version DESC LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// ThreatModelFor returns the threat model in force for a release: the
// newest imported for it, else the product's newest (release "" asks for
// the product's newest). It returns nil, nil when there is none.
func (db *DB) ThreatModelFor(ctx context.Context, product, release string) (*cradle.ThreatModel, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	if release != "" {
		r, err := releaseByName(ctx, db.r(), product, release)
		if err != nil {
			return nil, err
		}
		if m, err := threatModelWhere(ctx, db.r(), "t.release_id = ?", r.ID); m != nil || err != nil {
			return m, err
		}
	}
	return threatModelWhere(ctx, db.r(), "t.product_id = ?", p.ID)
}

// ThreatModelVersion returns one stored version of a product's model.
func (db *DB) ThreatModelVersion(ctx context.Context, product string, version int) (*cradle.ThreatModel, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	m, err := threatModelWhere(ctx, db.r(), "t.product_id = ? AND t.version = ?", p.ID, version)
	if err == nil && m == nil {
		return nil, cradle.Errorf(cradle.ENotFound, "%s has no threat model version %d", product, version)
	}
	return m, err
}

// ThreatModels lists every version of a product's threat model, newest
// first, without their sources.
func (db *DB) ThreatModels(ctx context.Context, product string) ([]*cradle.ThreatModel, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+strings.Replace(threatModelCols, "t.source", "''", 1)+threatModelFrom+` WHERE t.product_id = ? ORDER BY t.version DESC`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cradle.ThreatModel
	for rows.Next() {
		m, err := scanThreatModel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddThreatReview records a review of one version of a product's model.
func (db *DB) AddThreatReview(ctx context.Context, actor cradle.Actor, r *cradle.ThreatReview) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		m, err := threatModelWhere(ctx, tx.q(), "p.name = ? AND t.version = ?", r.Product, r.Version)
		if err != nil {
			return err
		}
		if m == nil {
			if _, err := productByName(ctx, tx.q(), r.Product); err != nil {
				return err
			}
			return cradle.Errorf(cradle.ENotFound, "%s has no threat model version %d", r.Product, r.Version)
		}
		var pid int64
		if err := tx.queryRow(ctx, `SELECT product_id FROM threat_models WHERE id = ?`, m.ID).Scan(&pid); err != nil {
			return err
		}
		r.ModelID, r.Reviewer, r.ReviewedAt = m.ID, actor.String(), db.now()
		if err := tx.queryRow(ctx, `INSERT INTO threat_model_reviews (product_id, model_id, outcome, notes, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			pid, m.ID, r.Outcome, r.Notes, r.Reviewer, r.ReviewedAt).Scan(&r.ID); err != nil {
			return fmt.Errorf("save review: %w", err)
		}
		return tx.audit(ctx, actor, "threat_model.review", "product", r.Product, nil, r)
	})
}

// ThreatReviews lists a product's threat model reviews, newest first.
func (db *DB) ThreatReviews(ctx context.Context, product string) ([]cradle.ThreatReview, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT v.id, v.model_id, t.version, v.outcome, v.notes, v.reviewer, v.reviewed_at
		FROM threat_model_reviews v JOIN threat_models t ON t.id = v.model_id WHERE v.product_id = ? ORDER BY v.reviewed_at DESC, v.id DESC`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cradle.ThreatReview{}
	for rows.Next() {
		r := cradle.ThreatReview{Product: product}
		var at nullTime
		if err := rows.Scan(&r.ID, &r.ModelID, &r.Version, &r.Outcome, &r.Notes, &r.Reviewer, &at); err != nil {
			return nil, err
		}
		r.ReviewedAt = at.t
		out = append(out, r)
	}
	return out, rows.Err()
}

// ImportResults stores one imported results file of a release with its
// results in one transaction: results already known (same tool and
// fingerprint) are updated, new ones inserted, and open results of the
// same tool that the file no longer has are marked fixed. A result first
// seen in an earlier release of the product keeps that release as its
// origin. Product suppressions apply to new and returning results.
func (db *DB) ImportResults(ctx context.Context, actor cradle.Actor, imp *cradle.ResultImport, data []byte, results []cradle.ScanResult) error {
	return db.InTx(ctx, func(tx *Tx) error {
		rel, err := releaseByName(ctx, tx.q(), imp.Product, imp.Release)
		if err != nil {
			return err
		}
		now := db.now()
		if imp.SHA256, err = tx.putBlob(ctx, data); err != nil {
			return err
		}
		imp.ImportedBy, imp.ImportedAt, imp.Results = actor.String(), now, len(results)
		// Known results of this tool in this release.
		type known struct {
			id                                                                   int64
			status, kind, rule, ruleName, sev, msg, loc, test, justify, category string
			fixed                                                                bool
		}
		have := map[string]known{}
		if imp.Category == "" {
			imp.Category = imp.Filename
		}
		rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, fingerprint, status, kind, rule_id, rule_name, severity, message, location, test_name, justification, fixed_at IS NOT NULL, category
			FROM scan_results WHERE release_id = ? AND tool = ?`), rel.ID, imp.Tool)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k known
			var fp string
			if err := rows.Scan(&k.id, &fp, &k.status, &k.kind, &k.rule, &k.ruleName, &k.sev, &k.msg, &k.loc, &k.test, &k.justify, &k.fixed, &k.category); err != nil {
				rows.Close()
				return err
			}
			have[fp] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Where results first appeared: the product's earlier releases.
		type origin struct {
			version string
			at      time.Time
		}
		earlier := map[string]origin{}
		rows, err = tx.QueryContext(ctx, db.rebind(`SELECT s.fingerprint, CASE WHEN s.since_version = '' THEN r.version ELSE s.since_version END, s.first_seen
			FROM scan_results s JOIN releases r ON r.id = s.release_id WHERE r.product_id = ? AND r.id < ? AND s.tool = ? ORDER BY r.id`), rel.ProductID, rel.ID, imp.Tool)
		if err != nil {
			return err
		}
		for rows.Next() {
			var fp string
			var o origin
			var at nullTime
			if err := rows.Scan(&fp, &o.version, &at); err != nil {
				rows.Close()
				return err
			}
			o.at = at.t
			if _, ok := earlier[fp]; !ok {
				earlier[fp] = o
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		suppressed := map[string]string{}
		rows, err = tx.QueryContext(ctx, db.rebind(`SELECT fingerprint, reason FROM result_suppressions WHERE product_id = ?`), rel.ProductID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var fp, reason string
			if err := rows.Scan(&fp, &reason); err != nil {
				rows.Close()
				return err
			}
			suppressed[fp] = reason
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `INSERT INTO result_imports (release_id, format, kind, tool, tool_version, filename, category, sha256, results, new_results, fixed, tests, tests_failed, passed_tests, imported_by, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?) RETURNING id`, rel.ID, imp.Format, imp.Kind, imp.Tool, imp.ToolVersion, imp.Filename, imp.Category, imp.SHA256,
			imp.Results, imp.Tests, imp.TestsFailed, strings.Join(imp.PassedTests, "\n"), imp.ImportedBy, now).Scan(&imp.ID); err != nil {
			return fmt.Errorf("save import: %w", err)
		}
		// Writes are batched: a SAST run of 50,000 results is a few
		// hundred statements, not 50,000 round trips.
		var inserts [][]any
		var touched, fixed []int64
		// A result's kind only ever moves to one the gate judges (sast,
		// dast, fuzzing), never away from it: relabelling a SAST tool's
		// output (--kind) cannot move its open results out of the gate's
		// view, whichever label came first.
		upd, err := tx.PrepareContext(ctx, db.rebind(`UPDATE scan_results SET kind = ?, rule_id = ?, rule_name = ?, severity = ?, message = ?, location = ?, test_name = ?,
			status = ?, justification = ?, last_import = ?, fixed_at = NULL, category = ? WHERE id = ?`))
		if err != nil {
			return err
		}
		defer upd.Close()
		seen := make(map[string]bool, len(results))
		for i := range results {
			r := &results[i]
			if seen[r.Fingerprint] {
				continue // the same result twice in one file counts once
			}
			seen[r.Fingerprint] = true
			status, why := cradle.ResultOpen, ""
			if r.Status == cradle.ResultSuppressed {
				status, why = cradle.ResultSuppressed, r.Justification
			}
			if reason, ok := suppressed[r.Fingerprint]; ok {
				status, why = cradle.ResultSuppressed, reason
			}
			if k, ok := have[r.Fingerprint]; ok {
				kind := k.kind
				if judgedKind(imp.Kind) && !judgedKind(k.kind) {
					kind = imp.Kind
				}
				same := kind == k.kind && k.status == status && k.justify == why && k.rule == r.RuleID && k.ruleName == r.RuleName &&
					k.sev == r.Severity && k.msg == r.Message && k.loc == r.Location && k.test == r.Test && !k.fixed && k.category == imp.Category
				if same {
					touched = append(touched, k.id)
				} else if _, err := upd.ExecContext(ctx, kind, r.RuleID, r.RuleName, r.Severity, r.Message, r.Location, r.Test, status, why, imp.ID, imp.Category, k.id); err != nil {
					return fmt.Errorf("update result: %w", err)
				}
				continue
			}
			since, first := imp.Release, now
			if o, ok := earlier[r.Fingerprint]; ok {
				since, first = o.version, o.at
			} else {
				imp.New++
			}
			inserts = append(inserts, []any{rel.ID, imp.Tool, imp.Kind, r.Fingerprint, r.RuleID, r.RuleName, r.Severity, r.Message, r.Location, r.Test, since, status, why, first, imp.ID, imp.Category})
		}
		const cols = 16
		const batch = 400 // 6,000 parameters: under both engines' limits
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		for len(inserts) > 0 {
			n := min(batch, len(inserts))
			args := make([]any, 0, n*cols)
			for _, r := range inserts[:n] {
				args = append(args, r...)
			}
			q := `INSERT INTO scan_results (release_id, tool, kind, fingerprint, rule_id, rule_name, severity, message, location, test_name, since_version, status, justification, first_seen, last_import, category) VALUES ` +
				strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
			if _, err := tx.exec(ctx, q, args...); err != nil {
				if isUniqueViolation(err) {
					return cradle.Errorf(cradle.EConflict, "results of %s for %s %s were imported at the same moment; import again", imp.Tool, imp.Product, imp.Release)
				}
				return fmt.Errorf("save results: %w", err)
			}
			inserts = inserts[n:]
		}
		for fp, k := range have {
			// Only results of the same category disappear with this
			// file: CodeQL for Go does not fix CodeQL's JavaScript
			// results, integration tests do not fix unit tests.
			if !seen[fp] && k.status != cradle.ResultFixed && k.category == imp.Category {
				fixed = append(fixed, k.id)
			}
		}
		imp.Fixed = len(fixed)
		byIDs := func(set string, ids []int64, args ...any) error {
			for len(ids) > 0 {
				n := min(batch, len(ids))
				a := append([]any{}, args...)
				for _, id := range ids[:n] {
					a = append(a, id)
				}
				q := `UPDATE scan_results SET ` + set + ` WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)`
				if _, err := tx.exec(ctx, q, a...); err != nil {
					return err
				}
				ids = ids[n:]
			}
			return nil
		}
		if err := byIDs("last_import = ?", touched, imp.ID); err != nil {
			return err
		}
		if err := byIDs("status = ?, fixed_at = ?", fixed, cradle.ResultFixed, now); err != nil {
			return err
		}
		imp.Results = len(seen)
		if _, err := tx.exec(ctx, `UPDATE result_imports SET results = ?, new_results = ?, fixed = ? WHERE id = ?`, imp.Results, imp.New, imp.Fixed, imp.ID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "results.import", "release", ReleaseScope(imp.Product, imp.Release), nil, imp)
	})
}

// JudgedKinds are the kinds of results whose open ones the release gate
// judges (analysis tools); the others are judged elsewhere or not at all.
var JudgedKinds = []string{"sast", "dast", "fuzzing"}

func judgedKind(k string) bool { return slices.Contains(JudgedKinds, k) }

// ResultImports lists the imported result files of a release, newest first.
func (db *DB) ResultImports(ctx context.Context, product, release string) ([]cradle.ResultImport, error) {
	rel, err := releaseByName(ctx, db.r(), product, release)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, format, kind, tool, tool_version, filename, category, sha256, results, new_results, fixed, tests, tests_failed, imported_by, imported_at
		FROM result_imports WHERE release_id = ? ORDER BY imported_at DESC, id DESC`, rel.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cradle.ResultImport{}
	for rows.Next() {
		i := cradle.ResultImport{Product: product, Release: release}
		var at nullTime
		if err := rows.Scan(&i.ID, &i.Format, &i.Kind, &i.Tool, &i.ToolVersion, &i.Filename, &i.Category, &i.SHA256, &i.Results, &i.New, &i.Fixed, &i.Tests, &i.TestsFailed, &i.ImportedBy, &at); err != nil {
			return nil, err
		}
		i.ImportedAt = at.t
		out = append(out, i)
	}
	return out, rows.Err()
}

// TestStates returns the test cases of a release by name: those that passed
// in the newest JUnit import of each tool and category, and those failing
// now (open test results).
func (db *DB) TestStates(ctx context.Context, product, release string) (passed, failed map[string]bool, err error) {
	rel, err := releaseByName(ctx, db.r(), product, release)
	if err != nil {
		return nil, nil, err
	}
	rows, err := db.query(ctx, `SELECT tool, category, passed_tests FROM result_imports
		WHERE id IN (SELECT MAX(id) FROM result_imports WHERE release_id = ? AND format = 'junit' GROUP BY tool, category)`, rel.ID)
	if err != nil {
		return nil, nil, err
	}
	passed, failed = map[string]bool{}, map[string]bool{}
	seen := map[string]bool{}
	for rows.Next() {
		var tool, cat, names string
		if err := rows.Scan(&tool, &cat, &names); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if seen[tool+"\x00"+cat] {
			continue // an older run of the same tests
		}
		seen[tool+"\x00"+cat] = true
		for _, n := range strings.Split(names, "\n") {
			if n != "" {
				passed[n] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = db.query(ctx, `SELECT test_name FROM scan_results WHERE release_id = ? AND kind = 'test' AND status = ? AND test_name <> ''`, rel.ID, cradle.ResultOpen)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, nil, err
		}
		failed[n] = true
		delete(passed, n)
	}
	return passed, failed, rows.Err()
}

// ResultFilter selects scan results of a release.
type ResultFilter struct {
	Status      string // "" = every status
	MinSeverity string // "" = every severity
	Tool, Kind  string
	Kinds       []string // any of these kinds (with Kind: both must hold)
}

// ListResults returns a page of a release's scan results, most severe first.
func (db *DB) ListResults(ctx context.Context, product, release string, f ResultFilter, pg cradle.Page) ([]cradle.ScanResult, int, error) {
	rel, err := releaseByName(ctx, db.r(), product, release)
	if err != nil {
		return nil, 0, err
	}
	where := []string{"release_id = ?"}
	args := []any{rel.ID}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Tool != "" {
		where, args = append(where, "tool = ?"), append(args, f.Tool)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.Kinds)), ", ")+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.MinSeverity != "" {
		var ok []string
		min := cradle.SeverityRank(f.MinSeverity)
		for _, s := range []string{"critical", "high", "medium", "low", "info"} {
			if cradle.SeverityRank(s) >= min {
				ok = append(ok, "'"+s+"'")
			}
		}
		where = append(where, "severity IN ("+strings.Join(ok, ", ")+")")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM scan_results WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT id, tool, kind, fingerprint, rule_id, rule_name, severity, message, location, test_name, status, justification, since_version, first_seen, fixed_at
		FROM scan_results WHERE `+cond+` ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, tool, rule_id, location, id
		`+pageClause(pg.Normalize()), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []cradle.ScanResult{}
	for rows.Next() {
		s := cradle.ScanResult{Release: release}
		var first, fixed nullTime
		if err := rows.Scan(&s.ID, &s.Tool, &s.Kind, &s.Fingerprint, &s.RuleID, &s.RuleName, &s.Severity, &s.Message, &s.Location, &s.Test, &s.Status, &s.Justification, &s.SinceVersion, &first, &fixed); err != nil {
			return nil, 0, err
		}
		s.FirstSeen, s.FixedAt = first.t, fixed.t
		out = append(out, s)
	}
	return out, total, rows.Err()
}

// ResultCounts is the number of results of a release by status and, for
// open ones, by severity.
type ResultCounts struct {
	Release    string         `json:"release"`
	Imports    int            `json:"imports"`
	Kinds      []string       `json:"kinds"`
	Open       map[string]int `json:"open"` // severity → count
	Fixed      int            `json:"fixed"`
	Suppressed int            `json:"suppressed"`
}

// ResultTrend returns the result counts of every release of a product in
// release order: the trend from release to release.
func (db *DB) ResultTrend(ctx context.Context, product string) ([]ResultCounts, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT r.version, s.status, s.severity, COUNT(s.id)
		FROM releases r LEFT JOIN scan_results s ON s.release_id = r.id WHERE r.product_id = ? GROUP BY r.id, r.version, s.status, s.severity ORDER BY r.id`, p.ID)
	if err != nil {
		return nil, err
	}
	var out []ResultCounts
	idx := map[string]int{}
	for rows.Next() {
		var v string
		var status, sev sql.NullString
		var n int
		if err := rows.Scan(&v, &status, &sev, &n); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := idx[v]
		if !ok {
			i = len(out)
			idx[v] = i
			out = append(out, ResultCounts{Release: v, Open: map[string]int{}, Kinds: []string{}})
		}
		switch status.String {
		case cradle.ResultOpen:
			out[i].Open[sev.String] += n
		case cradle.ResultFixed:
			out[i].Fixed += n
		case cradle.ResultSuppressed:
			out[i].Suppressed += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.query(ctx, `SELECT r.version, i.kind, COUNT(*) FROM result_imports i JOIN releases r ON r.id = i.release_id WHERE r.product_id = ? GROUP BY r.version, i.kind ORDER BY i.kind`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v, kind string
		var n int
		if err := rows.Scan(&v, &kind, &n); err != nil {
			return nil, err
		}
		if i, ok := idx[v]; ok {
			out[i].Imports += n
			out[i].Kinds = append(out[i].Kinds, kind)
		}
	}
	return out, rows.Err()
}

// SuppressResult records that a result (by fingerprint) needs no fix in any
// release of the product, with the reason, and marks its open rows.
func (db *DB) SuppressResult(ctx context.Context, actor cradle.Actor, product, fingerprint, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return cradle.Invalid("a suppression needs a reason", cradle.Problem{Location: "reason", Message: "say why the result needs no fix"})
	}
	if len(reason) > 5000 || strings.ContainsRune(reason, 0) || strings.ContainsRune(fingerprint, 0) {
		return cradle.Invalid("invalid suppression", cradle.Problem{Location: "reason", Message: "must be at most 5000 characters without NUL characters"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), product)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE scan_results SET status = ?, justification = ? WHERE fingerprint = ? AND status = ? AND release_id IN (SELECT id FROM releases WHERE product_id = ?)`,
			cradle.ResultSuppressed, reason, fingerprint, cradle.ResultOpen, p.ID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		var known int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM scan_results WHERE fingerprint = ? AND release_id IN (SELECT id FROM releases WHERE product_id = ?)`, fingerprint, p.ID).Scan(&known); err != nil {
			return err
		}
		if known == 0 {
			return cradle.Errorf(cradle.ENotFound, "no result with fingerprint %q in %s", fingerprint, product)
		}
		if _, err := tx.exec(ctx, `INSERT INTO result_suppressions (product_id, fingerprint, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (product_id, fingerprint) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at`,
			p.ID, fingerprint, reason, actor.String(), db.now()); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "result.suppress", "product", product, nil, map[string]any{"fingerprint": fingerprint, "reason": reason, "rows": n})
	})
}

// SetGatePolicy stores a product's gate policy (the YAML as given; the
// caller has checked it). An empty source removes it.
func (db *DB) SetGatePolicy(ctx context.Context, actor cradle.Actor, product, source string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), product)
		if err != nil {
			return err
		}
		var before *string
		var old string
		if err := tx.queryRow(ctx, `SELECT source FROM gate_policies WHERE product_id = ?`, p.ID).Scan(&old); err == nil {
			before = &old
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if source == "" {
			_, err = tx.exec(ctx, `DELETE FROM gate_policies WHERE product_id = ?`, p.ID)
		} else {
			_, err = tx.exec(ctx, `INSERT INTO gate_policies (product_id, source, updated_by, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (product_id) DO UPDATE SET source = excluded.source, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				p.ID, source, actor.String(), db.now())
		}
		if err != nil {
			return err
		}
		var after *string
		if source != "" {
			after = &source
		}
		return tx.audit(ctx, actor, "gate.policy", "product", product, before, after)
	})
}

// GatePolicy returns a product's stored gate policy ("" when it has none).
func (db *DB) GatePolicy(ctx context.Context, product string) (string, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return "", err
	}
	var s string
	err = db.queryRow(ctx, `SELECT source FROM gate_policies WHERE product_id = ?`, p.ID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s, err
}

// AddGateException stores an exception (validated against the store's
// clock).
func (db *DB) AddGateException(ctx context.Context, actor cradle.Actor, e *cradle.GateException) error {
	now := db.now()
	if err := e.Validate(now); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), e.Product)
		if err != nil {
			return err
		}
		var rid any
		if e.Release != "" {
			r, err := releaseByName(ctx, tx.q(), e.Product, e.Release)
			if err != nil {
				return err
			}
			rid = r.ID
		}
		e.CreatedBy, e.CreatedAt = actor.String(), now
		if err := tx.queryRow(ctx, `INSERT INTO gate_exceptions (product_id, release_id, check_id, subject, approver, reason, expires_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.ID, rid, e.Check, e.Subject, e.Approver, e.Reason, e.ExpiresAt.UTC(), e.CreatedBy, now).Scan(&e.ID); err != nil {
			return fmt.Errorf("save exception: %w", err)
		}
		return tx.audit(ctx, actor, "gate.exception.add", "gate_exception", e.ID, nil, e)
	})
}

// RevokeGateException ends an exception before its expiry.
func (db *DB) RevokeGateException(ctx context.Context, actor cradle.Actor, id int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE gate_exceptions SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`, db.now(), actor.String(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cradle.Errorf(cradle.ENotFound, "no active gate exception %d", id)
		}
		return tx.audit(ctx, actor, "gate.exception.revoke", "gate_exception", id, nil, nil)
	})
}

// GateExceptions lists a product's exceptions (for release "" every one;
// else those for that release and for every release), newest first.
func (db *DB) GateExceptions(ctx context.Context, product, release string) ([]cradle.GateException, error) {
	p, err := productByName(ctx, db.r(), product)
	if err != nil {
		return nil, err
	}
	where, args := "e.product_id = ?", []any{p.ID}
	if release != "" {
		r, err := releaseByName(ctx, db.r(), product, release)
		if err != nil {
			return nil, err
		}
		where, args = where+" AND (e.release_id IS NULL OR e.release_id = ?)", append(args, r.ID)
	}
	rows, err := db.query(ctx, `SELECT e.id, COALESCE(r.version, ''), e.check_id, e.subject, e.approver, e.reason, e.expires_at, e.created_by, e.created_at, e.revoked_at, e.revoked_by
		FROM gate_exceptions e LEFT JOIN releases r ON r.id = e.release_id WHERE `+where+` ORDER BY e.created_at DESC, e.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cradle.GateException{}
	for rows.Next() {
		e := cradle.GateException{Product: product}
		var exp, created, revoked nullTime
		if err := rows.Scan(&e.ID, &e.Release, &e.Check, &e.Subject, &e.Approver, &e.Reason, &exp, &e.CreatedBy, &created, &revoked, &e.RevokedBy); err != nil {
			return nil, err
		}
		e.ExpiresAt, e.CreatedAt, e.RevokedAt = exp.t, created.t, revoked.t
		out = append(out, e)
	}
	return out, rows.Err()
}

// SaveGateDecision stores a gate decision with the policy and inputs it
// judged; the audit trail records its hash.
func (db *DB) SaveGateDecision(ctx context.Context, actor cradle.Actor, d *cradle.GateRecord) error {
	return db.InTx(ctx, func(tx *Tx) error {
		r, err := releaseByName(ctx, tx.q(), d.Product, d.Release)
		if err != nil {
			return err
		}
		d.EvaluatedBy, d.ReleaseID = actor.String(), r.ID
		if d.EvaluatedAt.IsZero() {
			d.EvaluatedAt = db.now()
		}
		if err := tx.queryRow(ctx, `INSERT INTO gate_decisions (release_id, pass, failures, hash, inputs_hash, policy_hash, override, evaluator, policy, inputs, result, evaluated_by, evaluated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.ID, d.Pass, d.Failures, d.Hash, d.InputsHash, d.PolicyHash, d.Override, d.Evaluator, d.Policy, d.Inputs, d.Result, d.EvaluatedBy, d.EvaluatedAt.UTC()).Scan(&d.ID); err != nil {
			return fmt.Errorf("save gate decision: %w", err)
		}
		// The audit entry, in the hash chain, keeps the verdict and every
		// hash: a decision row edited later no longer matches it.
		return tx.audit(ctx, actor, "gate.decide", "gate_decision", d.ID, nil, d)
	})
}

const gateCols = `g.id, g.release_id, p.name, r.version, g.pass, g.failures, g.hash, g.inputs_hash, g.policy_hash, g.override, g.evaluator, g.policy, g.inputs, g.result, g.evaluated_by, g.evaluated_at`

const gateFrom = ` FROM gate_decisions g JOIN releases r ON r.id = g.release_id JOIN products p ON p.id = r.product_id`

func scanGate(sc interface{ Scan(...any) error }) (*cradle.GateRecord, error) {
	var d cradle.GateRecord
	var at nullTime
	err := sc.Scan(&d.ID, &d.ReleaseID, &d.Product, &d.Release, &d.Pass, &d.Failures, &d.Hash, &d.InputsHash, &d.PolicyHash, &d.Override, &d.Evaluator, &d.Policy, &d.Inputs, &d.Result, &d.EvaluatedBy, &at)
	d.EvaluatedAt = at.t
	return &d, err
}

// GateDecision returns one stored gate decision.
func (db *DB) GateDecision(ctx context.Context, id int64) (*cradle.GateRecord, error) {
	d, err := scanGate(db.queryRow(ctx, `SELECT `+gateCols+gateFrom+` WHERE g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no gate decision %d", id)
	}
	return d, err
}

// GateDecisions lists a release's gate decisions, newest first (at most
// limit), without their policy, inputs and result documents.
func (db *DB) GateDecisions(ctx context.Context, product, release string, limit int) ([]*cradle.GateRecord, error) {
	r, err := releaseByName(ctx, db.r(), product, release)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > cradle.MaxPerPage {
		limit = cradle.MaxPerPage
	}
	cols := strings.NewReplacer("g.policy,", "'',", "g.inputs,", "'',").Replace(gateCols)
	rows, err := db.query(ctx, `SELECT `+cols+gateFrom+` WHERE g.release_id = ? ORDER BY g.evaluated_at DESC, g.id DESC LIMIT ?`, r.ID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cradle.GateRecord
	for rows.Next() {
		d, err := scanGate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// GateDecisionMatchesAudit compares a stored decision with the audit
// entry written in the same transaction (the audit trail is append-only
// and hash-chained): it returns what differs, nothing when they agree.
func (db *DB) GateDecisionMatchesAudit(ctx context.Context, d *cradle.GateRecord) ([]cradle.Problem, error) {
	_, probs, err := db.GateDecisionAudit(ctx, d)
	return probs, err
}

// GateDecisionAudit is GateDecisionMatchesAudit that also returns the
// decision as the audit entry recorded it (product and release names as
// they were then).
func (db *DB) GateDecisionAudit(ctx context.Context, d *cradle.GateRecord) (*cradle.GateRecord, []cradle.Problem, error) {
	entries, _, err := db.ListAudit(ctx, AuditFilter{EntityType: "gate_decision", EntityID: fmt.Sprint(d.ID)}, cradle.Page{PerPage: 10})
	if err != nil {
		return nil, nil, err
	}
	if len(entries) != 1 {
		return nil, []cradle.Problem{{Location: "audit", Message: fmt.Sprintf("the audit trail has %d entries for this decision, expected 1", len(entries))}}, nil
	}
	e := entries[0]
	var a cradle.GateRecord
	if e.ComputeHash() != e.Hash {
		return nil, []cradle.Problem{{Location: "audit", Message: fmt.Sprintf("the decision's audit entry %d does not match its own hash (run cradle audit verify)", e.Seq)}}, nil
	}
	if err := json.Unmarshal(e.After, &a); err != nil {
		return nil, []cradle.Problem{{Location: "audit", Message: fmt.Sprintf("the decision's audit entry %d cannot be read", e.Seq)}}, nil
	}
	var probs []cradle.Problem
	diff := func(what string, then, now any) {
		if fmt.Sprint(then) != fmt.Sprint(now) {
			probs = append(probs, cradle.Problem{Location: "audit", Message: fmt.Sprintf("%s differs from the audit entry %d: recorded %v, now %v", what, e.Seq, then, now)})
		}
	}
	// The release by ID: products and releases can be renamed since.
	if a.ReleaseID != 0 {
		diff("the release", a.ReleaseID, d.ReleaseID)
	} else {
		diff("the product", a.Product, d.Product)
		diff("the release", a.Release, d.Release)
	}
	diff("the verdict", a.Pass, d.Pass)
	diff("the number of failures", a.Failures, d.Failures)
	diff("the decision hash", a.Hash, d.Hash)
	diff("the policy hash", a.PolicyHash, d.PolicyHash)
	diff("the inputs hash", a.InputsHash, d.InputsHash)
	diff("the override flag", a.Override, d.Override)
	diff("the rules version", a.Evaluator, d.Evaluator)
	diff("who evaluated it", a.EvaluatedBy, d.EvaluatedBy)
	diff("when it was evaluated", a.EvaluatedAt.UTC().Format(time.RFC3339), d.EvaluatedAt.UTC().Format(time.RFC3339))
	return &a, probs, nil
}
