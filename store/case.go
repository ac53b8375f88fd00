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

const caseCols = `c.id, c.type, c.title, c.description, c.source, COALESCE(ir.tracking_id, ''), c.component, c.vuln_id, c.validity,
	c.cvss3, c.cvss3_score, c.cvss4, c.cvss4_score, c.rating, c.cwe, c.root_cause, c.decision, c.decision_rationale,
	c.decided_by, c.decided_at, c.state, c.owner, c.aware_at, c.due_at, c.closed_at, c.exploited, c.exploited_at,
	c.malicious, c.malicious_actor, c.fix_available_at, c.upstream_notified_at, c.upstream_channel, c.upstream_ref,
	c.upstream_note, c.created_by, c.created_at, c.updated_at`

const caseFrom = ` FROM cases c LEFT JOIN intake_reports ir ON ir.id = c.intake_id`

func scanCase(sc interface{ Scan(...any) error }) (*cradle.Case, error) {
	var c cradle.Case
	var decided, aware, due, closed, exploited, fix, upstream, created, updated nullTime
	err := sc.Scan(&c.ID, &c.Type, &c.Title, &c.Description, &c.Source, &c.IntakeID, &c.Component, &c.VulnID, &c.Validity,
		&c.CVSS3, &c.CVSS3Base, &c.CVSS4, &c.CVSS4Base, &c.Rating, &c.CWE, &c.RootCause, &c.Decision, &c.DecisionRationale,
		&c.DecidedBy, &decided, &c.State, &c.Owner, &aware, &due, &closed, &c.Exploited, &exploited,
		&c.Malicious, &c.MaliciousActor, &fix, &upstream, &c.UpstreamChannel, &c.UpstreamRef,
		&c.UpstreamNote, &c.CreatedBy, &created, &updated)
	c.Ref = cradle.CaseRef(c.ID)
	c.DecidedAt, c.AwareAt, c.DueAt, c.ClosedAt, c.ExploitedAt = decided.t, aware.t, due.t, closed.t, exploited.t
	c.FixAvailableAt, c.UpstreamNotifiedAt, c.CreatedAt, c.UpdatedAt = fix.t, upstream.t, created.t, updated.t
	c.Releases = []cradle.CaseRelease{}
	return &c, err
}

// ParseCaseRef accepts "CASE-12" or "12".
func ParseCaseRef(ref string) (int64, error) {
	s := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(ref)), "CASE-")
	var id int64
	if _, err := fmt.Sscanf(s, "%d", &id); err != nil || id <= 0 || fmt.Sprint(id) != s {
		return 0, cradle.Errorf(cradle.ENotFound, "no case %q (cases are named like CASE-12)", ref)
	}
	return id, nil
}

func caseByID(ctx context.Context, q queryer, id int64) (*cradle.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no case %s", cradle.CaseRef(id))
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT cr.release_id, p.name, r.version, r.lifecycle, cr.status, cr.justification, cr.impact, cr.action,
		cr.updated_by, cr.updated_at FROM case_releases cr JOIN releases r ON r.id = cr.release_id JOIN products p ON p.id = r.product_id
		WHERE cr.case_id = ? ORDER BY p.name, r.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cr cradle.CaseRelease
		var lc string
		var at nullTime
		if err := rows.Scan(&cr.ReleaseID, &cr.Product, &cr.Version, &lc, &cr.Status, &cr.Justification, &cr.Impact, &cr.Action, &cr.UpdatedBy, &at); err != nil {
			return nil, err
		}
		cr.Lifecycle, cr.UpdatedAt = cradle.Lifecycle(lc), at.t
		c.Releases = append(c.Releases, cr)
	}
	return c, rows.Err()
}

// Case returns the case named by ref ("CASE-12").
func (db *DB) Case(ctx context.Context, ref string) (*cradle.Case, error) {
	id, err := ParseCaseRef(ref)
	if err != nil {
		return nil, err
	}
	return caseByID(ctx, db.r(), id)
}

// resolveCaseReleases fills ReleaseID from product + version where only the
// names are given, and checks every release exists.
func resolveCaseReleases(ctx context.Context, q queryer, rs []cradle.CaseRelease) error {
	var probs []cradle.Problem
	seen := map[int64]bool{}
	for i := range rs {
		r := &rs[i]
		var rel *cradle.Release
		var err error
		if r.ReleaseID == 0 {
			rel, err = releaseByName(ctx, q, r.Product, r.Version)
		} else {
			rel, err = releaseByID(ctx, q, r.ReleaseID)
		}
		if err != nil {
			if cradle.ErrorCode(err) == cradle.ENotFound {
				probs = append(probs, cradle.Problem{Location: fmt.Sprintf("releases/%d", i), Message: fmt.Sprintf("no release %s %s", r.Product, r.Version)})
				continue
			}
			return err
		}
		r.ReleaseID, r.Product, r.Version, r.Lifecycle = rel.ID, rel.ProductName, rel.Version, rel.Lifecycle
		if seen[r.ReleaseID] {
			probs = append(probs, cradle.Problem{Location: fmt.Sprintf("releases/%d", i), Message: fmt.Sprintf("%s %s is listed twice with different statuses", r.Product, r.Version)})
		}
		seen[r.ReleaseID] = true
	}
	if len(probs) > 0 {
		return cradle.Invalid("invalid case releases", probs...)
	}
	return nil
}

// CreateCase validates and stores c with its release statuses.
func (db *DB) CreateCase(ctx context.Context, actor cradle.Actor, c *cradle.Case) error {
	now := db.now()
	if err := c.Validate(now); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		return tx.createCase(ctx, actor, c, now)
	})
}

func (tx *Tx) createCase(ctx context.Context, actor cradle.Actor, c *cradle.Case, now time.Time) error {
	if err := resolveCaseReleases(ctx, tx.q(), c.Releases); err != nil {
		return err
	}
	c.CreatedBy, c.CreatedAt, c.UpdatedAt = actor.String(), now, now
	var intake any
	if c.IntakeID != "" {
		var id, linked int64
		if err := tx.queryRow(ctx, `SELECT id, COALESCE(case_id, 0) FROM intake_reports WHERE tracking_id = ?`, c.IntakeID).Scan(&id, &linked); errors.Is(err, sql.ErrNoRows) {
			return cradle.Invalid("invalid case", cradle.Problem{Location: "intake_id", Message: "no report " + c.IntakeID})
		} else if err != nil {
			return err
		}
		if linked != 0 {
			return cradle.Errorf(cradle.EConflict, "report %s already has a case: %s", c.IntakeID, cradle.CaseRef(linked))
		}
		intake = id
	}
	err := tx.queryRow(ctx, `INSERT INTO cases (type, title, description, source, intake_id, component, vuln_id, validity,
		cvss3, cvss3_score, cvss4, cvss4_score, rating, cwe, root_cause, decision, decision_rationale, decided_by, decided_at,
		state, owner, aware_at, due_at, closed_at, exploited, exploited_at, malicious, malicious_actor, fix_available_at,
		upstream_notified_at, upstream_channel, upstream_ref, upstream_note, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Type, c.Title, c.Description, c.Source, intake, c.Component, c.VulnID, c.Validity,
		c.CVSS3, c.CVSS3Base, c.CVSS4, c.CVSS4Base, c.Rating, c.CWE, c.RootCause, c.Decision, c.DecisionRationale, c.DecidedBy, timeArg(c.DecidedAt),
		c.State, c.Owner, c.AwareAt, timeArg(c.DueAt), timeArg(c.ClosedAt), c.Exploited, timeArg(c.ExploitedAt), c.Malicious, c.MaliciousActor, timeArg(c.FixAvailableAt),
		timeArg(c.UpstreamNotifiedAt), c.UpstreamChannel, c.UpstreamRef, c.UpstreamNote, c.CreatedBy, now, now).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert case: %w", err)
	}
	c.Ref = cradle.CaseRef(c.ID)
	for i := range c.Releases {
		r := &c.Releases[i]
		r.UpdatedBy, r.UpdatedAt = actor.String(), now
		if err := tx.putCaseRelease(ctx, c.ID, r); err != nil {
			return err
		}
	}
	if intake != nil {
		if _, err := tx.exec(ctx, `UPDATE intake_reports SET status = ?, case_id = ?, updated_at = ? WHERE id = ?`, cradle.IntakeAccepted, c.ID, now, intake); err != nil {
			return err
		}
	}
	return tx.audit(ctx, actor, "case.create", "case", c.ID, nil, c)
}

func (tx *Tx) putCaseRelease(ctx context.Context, caseID int64, r *cradle.CaseRelease) error {
	_, err := tx.exec(ctx, `INSERT INTO case_releases (case_id, release_id, status, justification, impact, action, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, release_id) DO UPDATE SET status = excluded.status, justification = excluded.justification,
		impact = excluded.impact, action = excluded.action, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		caseID, r.ReleaseID, r.Status, r.Justification, r.Impact, r.Action, r.UpdatedBy, r.UpdatedAt)
	return err
}

// UpdateCase loads the case named ref in a transaction, lets edit change it
// (edit gets the stored case and returns an error to abort), validates the
// result and stores it with an audit entry holding before and after. Release
// statuses in the result replace the stored ones; rows whose content did not
// change keep who changed them last and when.
func (db *DB) UpdateCase(ctx context.Context, actor cradle.Actor, ref string, edit func(c *cradle.Case) error) (*cradle.Case, error) {
	id, err := ParseCaseRef(ref)
	if err != nil {
		return nil, err
	}
	var out *cradle.Case
	err = db.InTx(ctx, func(tx *Tx) error {
		before, err := caseByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		c, err := caseByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		if err := edit(c); err != nil {
			return err
		}
		now := db.now()
		if err := tx.saveCase(ctx, actor, before, c, now); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

func (tx *Tx) saveCase(ctx context.Context, actor cradle.Actor, before, c *cradle.Case, now time.Time) error {
	c.ID, c.Ref, c.CreatedAt, c.CreatedBy, c.IntakeID = before.ID, before.Ref, before.CreatedAt, before.CreatedBy, before.IntakeID
	if err := c.Validate(now); err != nil {
		return err
	}
	if err := resolveCaseReleases(ctx, tx.q(), c.Releases); err != nil {
		return err
	}
	if c.State == cradle.CaseClosed && before.State != cradle.CaseClosed {
		c.ClosedAt = now
	} else if c.State == cradle.CaseOpen {
		c.ClosedAt = time.Time{}
	}
	c.UpdatedAt = now
	_, err := tx.exec(ctx, `UPDATE cases SET type = ?, title = ?, description = ?, component = ?, vuln_id = ?, validity = ?,
		cvss3 = ?, cvss3_score = ?, cvss4 = ?, cvss4_score = ?, rating = ?, cwe = ?, root_cause = ?, decision = ?, decision_rationale = ?,
		decided_by = ?, decided_at = ?, state = ?, owner = ?, aware_at = ?, due_at = ?, closed_at = ?, exploited = ?, exploited_at = ?,
		malicious = ?, malicious_actor = ?, fix_available_at = ?, upstream_notified_at = ?, upstream_channel = ?, upstream_ref = ?,
		upstream_note = ?, updated_at = ? WHERE id = ?`,
		c.Type, c.Title, c.Description, c.Component, c.VulnID, c.Validity,
		c.CVSS3, c.CVSS3Base, c.CVSS4, c.CVSS4Base, c.Rating, c.CWE, c.RootCause, c.Decision, c.DecisionRationale,
		c.DecidedBy, timeArg(c.DecidedAt), c.State, c.Owner, c.AwareAt, timeArg(c.DueAt), timeArg(c.ClosedAt), c.Exploited, timeArg(c.ExploitedAt),
		c.Malicious, c.MaliciousActor, timeArg(c.FixAvailableAt), timeArg(c.UpstreamNotifiedAt), c.UpstreamChannel, c.UpstreamRef,
		c.UpstreamNote, now, c.ID)
	if err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	old := map[int64]cradle.CaseRelease{}
	for _, r := range before.Releases {
		old[r.ReleaseID] = r
	}
	keep := map[int64]bool{}
	for i := range c.Releases {
		r := &c.Releases[i]
		keep[r.ReleaseID] = true
		if o, ok := old[r.ReleaseID]; ok && o.Status == r.Status && o.Justification == r.Justification && o.Impact == r.Impact && o.Action == r.Action {
			r.UpdatedBy, r.UpdatedAt = o.UpdatedBy, o.UpdatedAt
			continue
		}
		r.UpdatedBy, r.UpdatedAt = actor.String(), now
		if err := tx.putCaseRelease(ctx, c.ID, r); err != nil {
			return err
		}
	}
	for id := range old {
		if !keep[id] {
			if _, err := tx.exec(ctx, `DELETE FROM case_releases WHERE case_id = ? AND release_id = ?`, c.ID, id); err != nil {
				return err
			}
		}
	}
	return tx.audit(ctx, actor, "case.update", "case", c.ID, before, c)
}

// CaseFilter selects cases.
type CaseFilter struct {
	State     string // "", open, closed
	Due       string // "", overdue, due-soon
	Exploited bool
	Product   string
	Type      string
	Query     string // title or component contains
}

// ListCases returns a page of cases: the most urgent (earliest due) first.
func (db *DB) ListCases(ctx context.Context, f CaseFilter, policy cradle.RemediationPolicy, pg cradle.Page) ([]*cradle.Case, int, error) {
	pg = pg.Normalize()
	var where []string
	var args []any
	if f.State != "" {
		if f.State != cradle.CaseOpen && f.State != cradle.CaseClosed {
			return nil, 0, cradle.Invalid("invalid filter", cradle.Problem{Location: "state", Message: "must be open or closed; found " + f.State})
		}
		where = append(where, "c.state = ?")
		args = append(args, f.State)
	}
	now := db.now()
	switch f.Due {
	case "":
	case "overdue":
		where = append(where, "c.state = 'open' AND c.due_at IS NOT NULL AND c.due_at < ?")
		args = append(args, now)
	case "due-soon":
		where = append(where, "c.state = 'open' AND c.due_at IS NOT NULL AND c.due_at >= ? AND c.due_at < ?")
		args = append(args, now, now.Add(time.Duration(policy.DueSoonDays)*24*time.Hour))
	default:
		return nil, 0, cradle.Invalid("invalid filter", cradle.Problem{Location: "due", Message: "must be overdue or due-soon; found " + f.Due})
	}
	if f.Exploited {
		where = append(where, "(c.exploited OR c.type = 'incident')")
	}
	if f.Type != "" {
		where = append(where, "c.type = ?")
		args = append(args, f.Type)
	}
	if f.Product != "" {
		if _, err := db.Product(ctx, f.Product); err != nil {
			return nil, 0, err
		}
		where = append(where, "EXISTS (SELECT 1 FROM case_releases cr JOIN releases r ON r.id = cr.release_id JOIN products p ON p.id = r.product_id WHERE cr.case_id = c.id AND p.name = ?)")
		args = append(args, f.Product)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "(LOWER(c.title) LIKE ? OR LOWER(c.component) LIKE ? OR LOWER(c.vuln_id) LIKE ?)")
		like := "%" + strings.ToLower(q) + "%"
		args = append(args, like, like, like)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+caseFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+caseCols+caseFrom+cond+` ORDER BY (c.state = 'closed'), (c.due_at IS NULL), c.due_at, c.id DESC`+pageClause(pg), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	// Release statuses: one query for the page.
	if len(out) > 0 {
		byID := map[int64]*cradle.Case{}
		var ids []string
		for _, c := range out {
			byID[c.ID] = c
			ids = append(ids, fmt.Sprint(c.ID))
		}
		rs, err := db.query(ctx, `SELECT cr.case_id, cr.release_id, p.name, r.version, r.lifecycle, cr.status FROM case_releases cr
			JOIN releases r ON r.id = cr.release_id JOIN products p ON p.id = r.product_id
			WHERE cr.case_id IN (`+strings.Join(ids, ",")+`) ORDER BY p.name, r.id`)
		if err != nil {
			return nil, 0, err
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var r cradle.CaseRelease
			var lc string
			if err := rs.Scan(&id, &r.ReleaseID, &r.Product, &r.Version, &lc, &r.Status); err != nil {
				return nil, 0, err
			}
			r.Lifecycle = cradle.Lifecycle(lc)
			byID[id].Releases = append(byID[id].Releases, r)
		}
		if err := rs.Err(); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// SuggestCaseReleases proposes the releases a case affects, from the
// portfolio: for a component vulnerability every release whose current
// SBOM has an open finding of that vulnerability (any of its IDs), limited
// to the component's name when given; for own code, every release of the
// named product. Each comes with status under_investigation.
func (db *DB) SuggestCaseReleases(ctx context.Context, vulnID, component, product string) ([]cradle.CaseRelease, error) {
	var rows *sql.Rows
	var err error
	switch {
	case vulnID != "":
		q := `SELECT DISTINCT r.id, p.name, r.version, r.lifecycle FROM findings f
			JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = r.product_id
			LEFT JOIN components c ON c.id = f.component_id
			WHERE f.resolved_at IS NULL AND f.group_id = (SELECT gv.group_id FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id WHERE i.alias = ? LIMIT 1)`
		args := []any{vulnID}
		if name := componentName(component); name != "" {
			q += ` AND (LOWER(c.name) = ? OR LOWER(f.pkg) = ? OR c.purl = ?)`
			args = append(args, strings.ToLower(name), strings.ToLower(name), component)
		}
		rows, err = db.query(ctx, q+` ORDER BY p.name, r.id`, args...)
	case product != "":
		rows, err = db.query(ctx, `SELECT r.id, p.name, r.version, r.lifecycle FROM releases r JOIN products p ON p.id = r.product_id
			WHERE LOWER(p.name) = ? AND r.lifecycle IN ('released', 'development') ORDER BY r.id`, strings.ToLower(product))
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cradle.CaseRelease
	for rows.Next() {
		var r cradle.CaseRelease
		var lc string
		if err := rows.Scan(&r.ReleaseID, &r.Product, &r.Version, &lc); err != nil {
			return nil, err
		}
		r.Lifecycle, r.Status = cradle.Lifecycle(lc), cradle.VEXUnderInvestigation
		out = append(out, r)
	}
	return out, rows.Err()
}

// componentName is the package name of a purl or "name@version".
func componentName(c string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return ""
	}
	if strings.HasPrefix(c, "pkg:") {
		c = strings.TrimPrefix(c, "pkg:")
		if i := strings.IndexAny(c, "?#"); i >= 0 {
			c = c[:i]
		}
		if i := strings.LastIndex(c, "@"); i >= 0 {
			c = c[:i]
		}
		if i := strings.LastIndex(c, "/"); i >= 0 {
			c = c[i+1:]
		}
		return c
	}
	if i := strings.LastIndex(c, "@"); i > 0 {
		return c[:i]
	}
	return c
}

// ComponentDecision is a VEX decision for one component version of a
// product: every release of the product shipping that version inherits it,
// including releases whose SBOMs are imported later.
type ComponentDecision struct {
	// ID identifies a stored decision (evidence can link to it as record
	// "decision:<id>"); 0 in the result of ApplyDecision and imports.
	ID            int64     `json:"id,omitempty"`
	Product       string    `json:"product"`
	VulnID        string    `json:"vulnerability"` // the merged vulnerability's canonical ID
	Ecosystem     string    `json:"ecosystem"`
	Package       string    `json:"package"`
	Version       string    `json:"version"`
	Status        string    `json:"status"`
	Justification string    `json:"justification,omitempty"`
	Impact        string    `json:"impact_statement,omitempty"`
	Action        string    `json:"action_statement,omitempty"`
	CaseRef       string    `json:"case,omitempty"`
	Source        string    `json:"source"`
	DecidedBy     string    `json:"decided_by"`
	DecidedAt     time.Time `json:"decided_at"`
}

// ApplyDecision records st as the decision for the case's vulnerability in
// every component version of the portfolio with an open finding of it
// (narrowed to the component named, or the case's component), per product,
// and sets the case's status for every release shipping those versions. It
// returns the decisions written.
func (db *DB) ApplyDecision(ctx context.Context, actor cradle.Actor, ref string, st cradle.CaseRelease, component string) ([]ComponentDecision, error) {
	if probs := st.Validate(""); len(probs) > 0 {
		return nil, cradle.Invalid("invalid decision", probs...)
	}
	id, err := ParseCaseRef(ref)
	if err != nil {
		return nil, err
	}
	var out []ComponentDecision
	err = db.InTx(ctx, func(tx *Tx) error {
		before, err := caseByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		if before.VulnID == "" {
			return cradle.Errorf(cradle.EConflict, "%s has no known vulnerability ID: a component decision needs one (set vuln_id)", before.Ref)
		}
		var group string
		if err := tx.queryRow(ctx, `SELECT gv.group_id FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id WHERE i.alias = ? LIMIT 1`, before.VulnID).Scan(&group); errors.Is(err, sql.ErrNoRows) {
			return cradle.Errorf(cradle.EConflict, "vulnerability %s is not in the vulnerability database; import it first", before.VulnID)
		} else if err != nil {
			return err
		}
		if component == "" {
			component = before.Component
		}
		name := strings.ToLower(componentName(component))
		q := `SELECT DISTINCT r.product_id, p.name, f.eco, f.pkg, f.version FROM findings f
			JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = r.product_id
			LEFT JOIN components c ON c.id = f.component_id
			WHERE f.resolved_at IS NULL AND f.group_id = ?`
		args := []any{group}
		if name != "" {
			q += ` AND (LOWER(c.name) = ? OR LOWER(f.pkg) = ? OR c.purl = ?)`
			args = append(args, name, name, component)
		}
		var rels []int64
		for _, r := range before.Releases {
			rels = append(rels, r.ReleaseID)
		}
		rows, err := tx.q().QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		type key struct {
			product              int64
			name, eco, pkg, vers string
		}
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.product, &k.name, &k.eco, &k.pkg, &k.vers); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if len(keys) == 0 {
			return cradle.Errorf(cradle.EConflict, "no shipped component has an open finding of %s%s", before.VulnID, map[bool]string{true: " named " + name}[name != ""])
		}
		now := db.now()
		after, err := caseByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.exec(ctx, `INSERT INTO vex_decisions (product_id, group_id, eco, pkg, version, status, justification, impact, action, case_id, source, decided_by, decided_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'case', ?, ?)
				ON CONFLICT (product_id, group_id, eco, pkg, version) DO UPDATE SET status = excluded.status, justification = excluded.justification,
				impact = excluded.impact, action = excluded.action, case_id = excluded.case_id, source = excluded.source,
				decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
				k.product, group, k.eco, k.pkg, k.vers, st.Status, st.Justification, st.Impact, st.Action, id, actor.String(), now); err != nil {
				return err
			}
			out = append(out, ComponentDecision{Product: k.name, VulnID: group, Ecosystem: k.eco, Package: k.pkg, Version: k.vers,
				Status: st.Status, Justification: st.Justification, Impact: st.Impact, Action: st.Action, CaseRef: before.Ref, Source: "case",
				DecidedBy: actor.String(), DecidedAt: now})
			// Every release of the product shipping that version.
			rs, err := tx.q().QueryContext(ctx, `SELECT DISTINCT f.release_id FROM findings f JOIN releases r ON r.id = f.release_id
				WHERE f.resolved_at IS NULL AND f.group_id = ? AND f.eco = ? AND f.pkg = ? AND f.version = ? AND r.product_id = ?`,
				group, k.eco, k.pkg, k.vers, k.product)
			if err != nil {
				return err
			}
			for rs.Next() {
				var rid int64
				if err := rs.Scan(&rid); err != nil {
					rs.Close()
					return err
				}
				if !slices.Contains(rels, rid) {
					rels = append(rels, rid)
				}
				set := false
				for i := range after.Releases {
					if after.Releases[i].ReleaseID == rid {
						after.Releases[i].Status, after.Releases[i].Justification = st.Status, st.Justification
						after.Releases[i].Impact, after.Releases[i].Action = st.Impact, st.Action
						set = true
					}
				}
				if !set {
					after.Releases = append(after.Releases, cradle.CaseRelease{ReleaseID: rid, Status: st.Status, Justification: st.Justification, Impact: st.Impact, Action: st.Action})
				}
			}
			rs.Close()
		}
		return tx.saveCase(ctx, actor, before, after, now)
	})
	return out, err
}

// Decisions lists the component decisions of a product (all products when
// product is empty).
func (db *DB) Decisions(ctx context.Context, product string) ([]ComponentDecision, error) {
	q := `SELECT d.id, p.name, d.group_id, d.eco, d.pkg, d.version, d.status, d.justification, d.impact, d.action, COALESCE(d.case_id, 0), d.source, d.decided_by, d.decided_at
		FROM vex_decisions d JOIN products p ON p.id = d.product_id`
	var args []any
	if product != "" {
		if _, err := db.Product(ctx, product); err != nil {
			return nil, err
		}
		q += ` WHERE p.name = ?`
		args = append(args, product)
	}
	rows, err := db.query(ctx, q+` ORDER BY p.name, d.group_id, d.pkg, d.version`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ComponentDecision
	for rows.Next() {
		var d ComponentDecision
		var caseID int64
		var at nullTime
		if err := rows.Scan(&d.ID, &d.Product, &d.VulnID, &d.Ecosystem, &d.Package, &d.Version, &d.Status, &d.Justification, &d.Impact, &d.Action, &caseID, &d.Source, &d.DecidedBy, &at); err != nil {
			return nil, err
		}
		if caseID != 0 {
			d.CaseRef = cradle.CaseRef(caseID)
		}
		d.DecidedAt = at.t
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordSubmission stores that an Art. 14 report was filed.
func (db *DB) RecordSubmission(ctx context.Context, actor cradle.Actor, ref string, s *cradle.Art14Submission) error {
	id, err := ParseCaseRef(ref)
	if err != nil {
		return err
	}
	now := db.now()
	return db.InTx(ctx, func(tx *Tx) error {
		c, err := caseByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		var probs []cradle.Problem
		if !c.Reportable() {
			return cradle.Errorf(cradle.EConflict, "%s is not reportable under Art. 14: mark it actively exploited, or open it as a severe incident", c.Ref)
		}
		if !slices.Contains(cradle.Art14Stages, s.Stage) {
			probs = append(probs, cradle.Problem{Location: "stage", Message: "must be one of " + strings.Join(cradle.Art14Stages, ", ") + "; found " + s.Stage})
		}
		if s.SubmittedAt.IsZero() {
			s.SubmittedAt = now
		}
		s.SubmittedAt = s.SubmittedAt.UTC()
		if s.SubmittedAt.After(now.Add(5 * time.Minute)) {
			probs = append(probs, cradle.Problem{Location: "submitted_at", Message: "is in the future"})
		}
		if s.SubmittedAt.Before(c.AwareAt) {
			probs = append(probs, cradle.Problem{Location: "submitted_at", Message: "is before the awareness time " + c.AwareAt.Format(time.RFC3339)})
		}
		if len(s.Reference) > 255 {
			probs = append(probs, cradle.Problem{Location: "reference", Message: "is longer than 255 characters"})
		}
		if len(probs) > 0 {
			return cradle.Invalid("invalid submission", probs...)
		}
		b, _ := json.Marshal(s.Content)
		s.CaseID, s.SubmittedBy, s.RecordedAt = id, actor.String(), now
		if err := tx.queryRow(ctx, `INSERT INTO art14_submissions (case_id, stage, submitted_at, submitted_by, reference, content, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, s.Stage, s.SubmittedAt, s.SubmittedBy, s.Reference, string(b), now).Scan(&s.ID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "art14.submit", "case", id, nil, s)
	})
}

// Submissions lists a case's Art. 14 submissions in filing order.
func (db *DB) Submissions(ctx context.Context, ref string) ([]cradle.Art14Submission, error) {
	id, err := ParseCaseRef(ref)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, case_id, stage, submitted_at, submitted_by, reference, content, recorded_at
		FROM art14_submissions WHERE case_id = ? ORDER BY submitted_at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cradle.Art14Submission{}
	for rows.Next() {
		var s cradle.Art14Submission
		var content string
		var at, rec nullTime
		if err := rows.Scan(&s.ID, &s.CaseID, &s.Stage, &at, &s.SubmittedBy, &s.Reference, &content, &rec); err != nil {
			return nil, err
		}
		s.SubmittedAt, s.RecordedAt = at.t, rec.t
		_ = json.Unmarshal([]byte(content), &s.Content)
		out = append(out, s)
	}
	return out, rows.Err()
}

// RecordReview records a periodic review of the open cases by actor.
func (db *DB) RecordReview(ctx context.Context, actor cradle.Actor, notes string) (*cradle.CaseReview, error) {
	notes = strings.TrimSpace(notes)
	if notes == "" {
		return nil, cradle.Invalid("invalid review", cradle.Problem{Location: "notes", Message: "is required: what was reviewed and decided"})
	}
	if len(notes) > 20000 {
		return nil, cradle.Invalid("invalid review", cradle.Problem{Location: "notes", Message: "is longer than 20000 characters"})
	}
	r := &cradle.CaseReview{Reviewer: actor.String(), Notes: notes, Cases: []string{}}
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		r.At = now
		rows, err := tx.q().QueryContext(ctx, `SELECT id, due_at FROM cases WHERE state = 'open' ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var due nullTime
			if err := rows.Scan(&id, &due); err != nil {
				rows.Close()
				return err
			}
			r.Cases = append(r.Cases, cradle.CaseRef(id))
			if !due.t.IsZero() && due.t.Before(now) {
				r.Overdue++
			}
		}
		rows.Close()
		r.OpenCases = len(r.Cases)
		b, _ := json.Marshal(r.Cases)
		if err := tx.queryRow(ctx, `INSERT INTO case_reviews (at, reviewer, notes, open_cases, overdue, cases) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			now, r.Reviewer, notes, r.OpenCases, r.Overdue, string(b)).Scan(&r.ID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "case.review", "case_review", r.ID, nil, r)
	})
	return r, err
}

// Reviews lists the case reviews, newest first.
func (db *DB) Reviews(ctx context.Context, limit int) ([]cradle.CaseReview, error) {
	rows, err := db.query(ctx, `SELECT id, at, reviewer, notes, open_cases, overdue, cases FROM case_reviews ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cradle.CaseReview
	for rows.Next() {
		var r cradle.CaseReview
		var at nullTime
		var cases string
		if err := rows.Scan(&r.ID, &at, &r.Reviewer, &r.Notes, &r.OpenCases, &r.Overdue, &cases); err != nil {
			return nil, err
		}
		r.At = at.t
		_ = json.Unmarshal([]byte(cases), &r.Cases)
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetSetting reads the setting key into dst; false when it was never set.
func (db *DB) GetSetting(ctx context.Context, key string, dst any) (bool, error) {
	var v string
	err := db.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(v), dst)
}

// PutSetting stores v as the setting key. The audit entry records redacted
// instead of v when v holds a secret.
func (db *DB) PutSetting(ctx context.Context, actor cradle.Actor, key string, v any, redacted any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		var old string
		err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			key, string(b), now, actor.String()); err != nil {
			return err
		}
		if redacted != nil {
			return tx.audit(ctx, actor, "setting.update", "setting", key, nil, redacted)
		}
		var before any
		if old != "" {
			before = json.RawMessage(old)
		}
		return tx.audit(ctx, actor, "setting.update", "setting", key, before, json.RawMessage(b))
	})
}

// RemediationPolicy returns the configured policy or the default.
func (db *DB) RemediationPolicy(ctx context.Context) (cradle.RemediationPolicy, error) {
	p := cradle.DefaultRemediationPolicy
	_, err := db.GetSetting(ctx, "remediation_policy", &p)
	return p, err
}

// DecisionTarget is a component version with an open finding of a
// vulnerability in one of a product's releases: what a VEX statement can
// apply to.
type DecisionTarget struct {
	ProductID int64
	GroupID   string
	Ecosystem string
	Package   string
	Version   string
	PURL      string
	Name      string
}

// DecisionTargets lists the component versions of product with open
// findings of the vulnerability id (any of its IDs).
func (db *DB) DecisionTargets(ctx context.Context, product, id string) ([]DecisionTarget, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT r.product_id, f.group_id, f.eco, f.pkg, f.version, COALESCE(c.purl, ''), COALESCE(c.name, f.pkg)
		FROM findings f JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = r.product_id
		LEFT JOIN components c ON c.id = f.component_id
		WHERE f.resolved_at IS NULL AND p.name = ? AND f.group_id = (SELECT gv.group_id FROM vuln_ids i JOIN vulnerabilities gv ON gv.id = i.vuln_id WHERE i.alias = ? LIMIT 1)
		ORDER BY f.eco, f.pkg, f.version`, product, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DecisionTarget
	for rows.Next() {
		var t DecisionTarget
		if err := rows.Scan(&t.ProductID, &t.GroupID, &t.Ecosystem, &t.Package, &t.Version, &t.PURL, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RecordDecisions writes component decisions from one source (an imported
// VEX document) in one transaction with one audit entry.
func (db *DB) RecordDecisions(ctx context.Context, actor cradle.Actor, source string, ds []ComponentDecision, targets []DecisionTarget) error {
	if len(ds) != len(targets) {
		return fmt.Errorf("record decisions: %d decisions for %d targets", len(ds), len(targets))
	}
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		for i, d := range ds {
			t := targets[i]
			if _, err := tx.exec(ctx, `INSERT INTO vex_decisions (product_id, group_id, eco, pkg, version, status, justification, impact, action, case_id, source, decided_by, decided_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
				ON CONFLICT (product_id, group_id, eco, pkg, version) DO UPDATE SET status = excluded.status, justification = excluded.justification,
				impact = excluded.impact, action = excluded.action, case_id = NULL, source = excluded.source,
				decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
				t.ProductID, t.GroupID, t.Ecosystem, t.Package, t.Version, d.Status, d.Justification, d.Impact, d.Action, source, actor.String(), now); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor, "vex.import", "vex", source, nil, map[string]any{"decisions": ds})
	})
}
