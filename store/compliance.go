package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	cradle "github.com/cradle-sdl/cradle"
)

// Compliance: assessments with evidence, scope and applicability, maturity
// overrides and history, custom catalogues. The store does not know the
// catalogues' contents; the compliance package checks IDs against them.

// ReleaseScope names a release for the scope arguments of the compliance
// methods (kind cradle.ScopeRelease): "product/version". Neither names
// nor versions may contain "/", so the split is unambiguous.
func ReleaseScope(product, version string) string { return product + "/" + version }

// SplitReleaseScope is the inverse of ReleaseScope.
func SplitReleaseScope(s string) (product, version string) {
	product, version, _ = strings.Cut(s, "/")
	return product, version
}

// scope resolves an assessment scope to its key and product ID. For a
// release, product is ReleaseScope(product, version).
func scope(ctx context.Context, q queryer, kind, product string) (string, any, error) {
	switch kind {
	case cradle.ScopeOrganisation:
		return "org", nil, nil
	case cradle.ScopeProduct:
		p, err := productByName(ctx, q, product)
		if err != nil {
			return "", nil, err
		}
		return "p:" + strconv.FormatInt(p.ID, 10), p.ID, nil
	case cradle.ScopeRelease:
		name, version := SplitReleaseScope(product)
		r, err := releaseByName(ctx, q, name, version)
		if err != nil {
			return "", nil, err
		}
		return "r:" + strconv.FormatInt(r.ID, 10), r.ProductID, nil
	}
	return "", nil, cradle.Invalid("invalid scope", cradle.Problem{Location: "scope", Message: "must be organisation, product or release; found " + kind})
}

// ScopeKey is the key of an assessment scope ("org" or "p:<id>").
func (db *DB) ScopeKey(ctx context.Context, kind, product string) (string, error) {
	k, _, err := scope(ctx, db.r(), kind, product)
	return k, err
}

// SaveAssessment creates or replaces the assessment of one requirement in
// one scope (evidence is kept).
func (db *DB) SaveAssessment(ctx context.Context, actor cradle.Actor, a *cradle.Assessment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		target := a.Product
		if a.Scope == cradle.ScopeRelease {
			target = ReleaseScope(a.Product, a.Release)
		}
		key, pid, err := scope(ctx, tx.q(), a.Scope, target)
		if err != nil {
			return err
		}
		before, err := assessmentRow(ctx, tx.q(), key, a.CatalogID, a.Requirement)
		if err != nil {
			return err
		}
		now := db.now()
		a.UpdatedBy, a.UpdatedAt = actor.String(), now
		if before == nil {
			// An upsert: a concurrent first write of the same requirement
			// (PostgreSQL runs READ COMMITTED) must not fail.
			err = tx.queryRow(ctx, `INSERT INTO assessments (scope_key, product_id, catalog_id, requirement_id, status, owner, review_date, notes, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (scope_key, catalog_id, requirement_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
				review_date = excluded.review_date, notes = excluded.notes, updated_by = excluded.updated_by, updated_at = excluded.updated_at
				RETURNING id`, key, pid, a.CatalogID, a.Requirement, a.Status, a.Owner, a.ReviewDate, a.Notes, a.UpdatedBy, now).Scan(&a.ID)
		} else {
			a.ID = before.ID
			_, err = tx.exec(ctx, `UPDATE assessments SET status = ?, owner = ?, review_date = ?, notes = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
				a.Status, a.Owner, a.ReviewDate, a.Notes, a.UpdatedBy, now, a.ID)
		}
		if err != nil {
			return fmt.Errorf("save assessment: %w", err)
		}
		return tx.audit(ctx, actor, "assessment.save", "assessment", key+"/"+a.CatalogID+"/"+a.Requirement, before, a)
	})
}

func assessmentRow(ctx context.Context, q queryer, key, catalog, req string) (*cradle.Assessment, error) {
	var a cradle.Assessment
	var at nullTime
	err := q.QueryRowContext(ctx, `SELECT id, catalog_id, requirement_id, status, owner, review_date, notes, updated_by, updated_at
		FROM assessments WHERE scope_key = ? AND catalog_id = ? AND requirement_id = ?`, key, catalog, req).Scan(
		&a.ID, &a.CatalogID, &a.Requirement, &a.Status, &a.Owner, &a.ReviewDate, &a.Notes, &a.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	a.UpdatedAt = at.t
	return &a, err
}

// Assessments returns every stored assessment of a catalogue in a scope,
// by requirement ID, each with its current evidence (removed evidence is
// left out; stale and broken evidence is marked).
func (db *DB) Assessments(ctx context.Context, kind, product, catalog string) (map[string]*cradle.Assessment, error) {
	key, _, err := scope(ctx, db.r(), kind, product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, requirement_id, status, owner, review_date, notes, updated_by, updated_at
		FROM assessments WHERE scope_key = ? AND catalog_id = ?`, key, catalog)
	if err != nil {
		return nil, err
	}
	out := map[string]*cradle.Assessment{}
	byID := map[int64]*cradle.Assessment{}
	name, version := product, ""
	if kind == cradle.ScopeRelease {
		name, version = SplitReleaseScope(product)
	}
	for rows.Next() {
		a := &cradle.Assessment{Scope: kind, Product: name, Release: version, CatalogID: catalog, Evidence: []cradle.Evidence{}}
		var at nullTime
		if err := rows.Scan(&a.ID, &a.Requirement, &a.Status, &a.Owner, &a.ReviewDate, &a.Notes, &a.UpdatedBy, &at); err != nil {
			rows.Close()
			return nil, err
		}
		a.UpdatedAt = at.t
		out[a.Requirement], byID[a.ID] = a, a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ers, err := db.query(ctx, `SELECT e.assessment_id, `+evidenceCols+` FROM evidence e JOIN assessments a ON a.id = e.assessment_id
		WHERE a.scope_key = ? AND a.catalog_id = ? AND e.removed_at IS NULL ORDER BY e.added_at, e.id`, key, catalog)
	if err != nil {
		return nil, err
	}
	var evs []*cradle.Evidence
	var owners []int64
	for ers.Next() {
		var aid int64
		e, err := scanEvidence(ers, &aid)
		if err != nil {
			ers.Close()
			return nil, err
		}
		evs, owners = append(evs, e), append(owners, aid)
	}
	ers.Close()
	if err := ers.Err(); err != nil {
		return nil, err
	}
	now := db.now()
	for i, e := range evs {
		e.Stale = !e.ExpiresAt.IsZero() && e.ExpiresAt.Before(now)
		if e.Kind == cradle.EvidenceRecord {
			ok, err := db.recordExists(ctx, e.RecordType, e.RecordRef)
			if err != nil {
				return nil, err
			}
			e.Broken = !ok
		}
		// An assessment committed between the two reads has no entry:
		// its evidence shows on the next read.
		if a := byID[owners[i]]; a != nil {
			a.Evidence = append(a.Evidence, *e)
		}
	}
	return out, nil
}

const evidenceCols = `e.id, e.kind, e.title, COALESCE(e.sha256, ''), e.filename, e.content_type, e.size, e.url, e.record_type, e.record_ref, e.expires_at, e.added_by, e.added_at`

func scanEvidence(sc interface{ Scan(...any) error }, extra ...any) (*cradle.Evidence, error) {
	var e cradle.Evidence
	var exp, added nullTime
	dst := append(extra, &e.ID, &e.Kind, &e.Title, &e.SHA256, &e.Filename, &e.ContentType, &e.Size, &e.URL, &e.RecordType, &e.RecordRef, &exp, &e.AddedBy, &added)
	err := sc.Scan(dst...)
	e.ExpiresAt, e.AddedAt = exp.t, added.t
	return &e, err
}

// RecordTypes are the cradle records evidence can link to.
var RecordTypes = []string{"sbom", "advisory", "security_update", "case", "release", "decision"}

// recordExists reports whether the record an evidence links to exists.
func (db *DB) recordExists(ctx context.Context, typ, ref string) (bool, error) {
	var q string
	var arg any = ref
	switch typ {
	case "sbom", "security_update", "decision":
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			return false, nil
		}
		arg = id
		q = map[string]string{"sbom": `SELECT COUNT(*) FROM sbom_documents WHERE id = ?`, "security_update": `SELECT COUNT(*) FROM security_updates WHERE id = ?`,
			"decision": `SELECT COUNT(*) FROM vex_decisions WHERE id = ?`}[typ]
	case "advisory":
		q = `SELECT COUNT(*) FROM advisories WHERE tracking_id = ?`
	case "case":
		id, err := ParseCaseRef(ref)
		if err != nil {
			return false, nil
		}
		arg, q = id, `SELECT COUNT(*) FROM cases WHERE id = ?`
	case "release":
		product, version, ok := strings.Cut(ref, "@")
		if !ok {
			return false, nil
		}
		var n int
		err := db.queryRow(ctx, `SELECT COUNT(*) FROM releases r JOIN products p ON p.id = r.product_id WHERE p.name = ? AND r.version = ?`, product, version).Scan(&n)
		return n > 0, err
	default:
		return false, nil
	}
	var n int
	err := db.queryRow(ctx, q, arg).Scan(&n)
	return n > 0, err
}

// EvidenceFile is an uploaded evidence file.
type EvidenceFile struct {
	Filename    string
	ContentType string
	Data        []byte
}

// cleanFilename keeps the base name of an uploaded file and refuses names
// that are empty, hidden, or carry control characters.
func cleanFilename(name string) (string, error) {
	name = strings.ReplaceAll(name, `\`, "/")
	base := path.Base(strings.TrimSpace(name))
	if base == "." || base == "/" || base == "" || base == ".." || strings.HasPrefix(base, ".") {
		return "", cradle.Invalid("invalid evidence", cradle.Problem{Location: "file", Message: "the file needs a name (not hidden, not a path): found " + strconv.Quote(name)})
	}
	for _, r := range base {
		if unicode.IsControl(r) {
			return "", cradle.Invalid("invalid evidence", cradle.Problem{Location: "file", Message: "the file name has control characters"})
		}
	}
	if len(base) > 255 {
		return "", cradle.Invalid("invalid evidence", cradle.Problem{Location: "file", Message: "the file name is longer than 255 bytes"})
	}
	return base, nil
}

// AddEvidence attaches evidence to the assessment of a requirement in a
// scope, creating a not-started assessment when there is none yet. A file
// is stored content-addressed; a URL must be http(s); a record must exist.
func (db *DB) AddEvidence(ctx context.Context, actor cradle.Actor, kind, product, catalog, req string, e *cradle.Evidence, file *EvidenceFile) error {
	e.Title = strings.TrimSpace(e.Title)
	var probs []cradle.Problem
	switch e.Kind {
	case cradle.EvidenceFile:
		if file == nil {
			probs = append(probs, cradle.Problem{Location: "file", Message: "a file is required"})
			break
		}
		if len(file.Data) > cradle.EvidenceMaxSize {
			return cradle.Errorf(cradle.ETooLarge, "%s is larger than the evidence limit of %d MiB", file.Filename, cradle.EvidenceMaxSize>>20)
		}
		name, err := cleanFilename(file.Filename)
		if err != nil {
			return err
		}
		e.Filename, e.ContentType, e.Size = name, sanitizeContentType(file.ContentType), int64(len(file.Data))
		if e.Title == "" {
			e.Title = name
		}
	case cradle.EvidenceURL:
		u, err := url.Parse(strings.TrimSpace(e.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			probs = append(probs, cradle.Problem{Location: "url", Message: "must be an http or https URL; found " + strconv.Quote(e.URL)})
		} else {
			e.URL = u.String()
		}
		if e.Title == "" {
			e.Title = e.URL
		}
	case cradle.EvidenceRecord:
		ok, err := db.recordExists(ctx, e.RecordType, e.RecordRef)
		if err != nil {
			return err
		}
		if !ok {
			probs = append(probs, cradle.Problem{Location: "record", Message: fmt.Sprintf("no %s %q (record types: %s)", e.RecordType, e.RecordRef, strings.Join(RecordTypes, ", "))})
		}
		if e.Title == "" {
			e.Title = e.RecordType + " " + e.RecordRef
		}
	default:
		probs = append(probs, cradle.Problem{Location: "kind", Message: "must be file, url or record; found " + strconv.Quote(e.Kind)})
	}
	probs = append(probs, titleProblems(e.Title)...)
	if len(probs) > 0 {
		return cradle.Invalid("invalid evidence", probs...)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		key, pid, err := scope(ctx, tx.q(), kind, product)
		if err != nil {
			return err
		}
		now := db.now()
		a, err := assessmentRow(ctx, tx.q(), key, catalog, req)
		if err != nil {
			return err
		}
		if a == nil {
			a = &cradle.Assessment{Status: cradle.StatusNotStarted}
			if kind == cradle.ScopeRelease {
				// A release's first own evidence starts from what it
				// inherited: adding evidence must not reset the status.
				inherited, err := assessmentRow(ctx, tx.q(), "p:"+fmt.Sprint(pid), catalog, req)
				if err != nil {
					return err
				}
				if inherited != nil {
					a = inherited
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO assessments (scope_key, product_id, catalog_id, requirement_id, status, owner, review_date, notes, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope_key, catalog_id, requirement_id) DO NOTHING`,
				key, pid, catalog, req, a.Status, a.Owner, a.ReviewDate, a.Notes, actor.String(), now); err != nil {
				return err
			}
			if a, err = assessmentRow(ctx, tx.q(), key, catalog, req); err != nil {
				return err
			}
		}
		var sha any
		if file != nil && e.Kind == cradle.EvidenceFile {
			h, err := tx.putBlob(ctx, file.Data)
			if err != nil {
				return err
			}
			e.SHA256, sha = h, h
		}
		e.AddedBy, e.AddedAt = actor.String(), now
		if !e.ExpiresAt.IsZero() {
			e.ExpiresAt = e.ExpiresAt.UTC()
		}
		if err := tx.queryRow(ctx, `INSERT INTO evidence (assessment_id, kind, title, sha256, filename, content_type, size, url, record_type, record_ref, expires_at, added_by, added_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.ID, e.Kind, e.Title, sha, e.Filename, e.ContentType, e.Size, e.URL,
			e.RecordType, e.RecordRef, timeArg(e.ExpiresAt), e.AddedBy, now).Scan(&e.ID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "evidence.add", "assessment", key+"/"+catalog+"/"+req, nil, e)
	})
}

func titleProblems(t string) []cradle.Problem {
	if strings.ContainsRune(t, 0) {
		return []cradle.Problem{{Location: "title", Message: "must not contain NUL characters"}}
	}
	if t == "" {
		return []cradle.Problem{{Location: "title", Message: "is required"}}
	}
	if len([]rune(t)) > 500 {
		return []cradle.Problem{{Location: "title", Message: "is longer than 500 characters"}}
	}
	return nil
}

// RemoveEvidence takes evidence off its assessment; the audit trail and the
// stored row keep it.
func (db *DB) RemoveEvidence(ctx context.Context, actor cradle.Actor, id int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		e, err := scanEvidence(tx.q().QueryRowContext(ctx, `SELECT `+evidenceCols+` FROM evidence e WHERE e.id = ? AND e.removed_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return cradle.Errorf(cradle.ENotFound, "no evidence %d", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE evidence SET removed_at = ?, removed_by = ? WHERE id = ?`, db.now(), actor.String(), id); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "evidence.remove", "evidence", id, e, nil)
	})
}

// Evidence returns one piece of evidence and, for a file, its content.
func (db *DB) Evidence(ctx context.Context, id int64) (*cradle.Evidence, []byte, error) {
	e, err := scanEvidence(db.queryRow(ctx, `SELECT `+evidenceCols+` FROM evidence e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, cradle.Errorf(cradle.ENotFound, "no evidence %d", id)
	} else if err != nil {
		return nil, nil, err
	}
	if e.SHA256 == "" {
		return e, nil, nil
	}
	b, err := db.Blob(ctx, e.SHA256)
	return e, b, err
}

// ProductScope says whether the SDL applies to a product (SM-3), why, and
// who approved it.
type ProductScope struct {
	Product       string    `json:"product"`
	InScope       bool      `json:"in_scope"`
	Justification string    `json:"justification"`
	Approver      string    `json:"approver"`
	ApprovedAt    time.Time `json:"approved_at"`
}

// SetScope records whether the SDL covers a product.
func (db *DB) SetScope(ctx context.Context, actor cradle.Actor, s *ProductScope) error {
	s.Justification = strings.TrimSpace(s.Justification)
	if strings.ContainsRune(s.Justification, 0) {
		return cradle.Invalid("invalid scope", cradle.Problem{Location: "justification", Message: "must not contain NUL characters"})
	}
	if s.Justification == "" {
		return cradle.Invalid("invalid scope", cradle.Problem{Location: "justification", Message: "is required: why the SDL does or does not apply"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), s.Product)
		if err != nil {
			return err
		}
		s.Approver, s.ApprovedAt = actor.String(), db.now()
		if _, err := tx.exec(ctx, `INSERT INTO product_scope (product_id, in_scope, justification, approver, approved_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (product_id) DO UPDATE SET in_scope = excluded.in_scope, justification = excluded.justification,
			approver = excluded.approver, approved_at = excluded.approved_at`, p.ID, s.InScope, s.Justification, s.Approver, s.ApprovedAt); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "scope.set", "product", p.ID, nil, s)
	})
}

// Scopes lists the recorded scope decisions by product name.
func (db *DB) Scopes(ctx context.Context) (map[string]ProductScope, error) {
	rows, err := db.query(ctx, `SELECT p.name, s.in_scope, s.justification, s.approver, s.approved_at FROM product_scope s JOIN products p ON p.id = s.product_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ProductScope{}
	for rows.Next() {
		var s ProductScope
		var at nullTime
		if err := rows.Scan(&s.Product, &s.InScope, &s.Justification, &s.Approver, &at); err != nil {
			return nil, err
		}
		s.ApprovedAt = at.t
		out[s.Product] = s
	}
	return out, rows.Err()
}

// Applicability says whether one requirement applies to a product and why
// (SM-5; for CRA Annex I Part I, the Art. 13(3) statement).
type Applicability struct {
	Product       string    `json:"product"`
	CatalogID     string    `json:"catalog"`
	Requirement   string    `json:"requirement"`
	Applies       bool      `json:"applies"`
	Justification string    `json:"justification"`
	Approver      string    `json:"approver"`
	ApprovedAt    time.Time `json:"approved_at"`
}

// SetApplicability records whether a requirement applies to a product.
func (db *DB) SetApplicability(ctx context.Context, actor cradle.Actor, a *Applicability) error {
	a.Justification = strings.TrimSpace(a.Justification)
	if strings.ContainsRune(a.Justification, 0) {
		return cradle.Invalid("invalid applicability", cradle.Problem{Location: "justification", Message: "must not contain NUL characters"})
	}
	if a.Justification == "" {
		return cradle.Invalid("invalid applicability", cradle.Problem{Location: "justification", Message: "is required: why the requirement does or does not apply"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), a.Product)
		if err != nil {
			return err
		}
		a.Approver, a.ApprovedAt = actor.String(), db.now()
		if _, err := tx.exec(ctx, `INSERT INTO applicability (product_id, catalog_id, requirement_id, applies, justification, approver, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (product_id, catalog_id, requirement_id) DO UPDATE SET applies = excluded.applies, justification = excluded.justification,
			approver = excluded.approver, approved_at = excluded.approved_at`, p.ID, a.CatalogID, a.Requirement, a.Applies, a.Justification, a.Approver, a.ApprovedAt); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "applicability.set", "product", p.ID, nil, a)
	})
}

// ApplicabilityOf returns the recorded applicability decisions of a
// product for a catalogue, by requirement ID.
func (db *DB) ApplicabilityOf(ctx context.Context, product, catalog string) (map[string]Applicability, error) {
	rows, err := db.query(ctx, `SELECT a.requirement_id, a.applies, a.justification, a.approver, a.approved_at FROM applicability a
		JOIN products p ON p.id = a.product_id WHERE p.name = ? AND a.catalog_id = ?`, product, catalog)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Applicability{}
	for rows.Next() {
		a := Applicability{Product: product, CatalogID: catalog}
		var at nullTime
		if err := rows.Scan(&a.Requirement, &a.Applies, &a.Justification, &a.Approver, &at); err != nil {
			return nil, err
		}
		a.ApprovedAt = at.t
		out[a.Requirement] = a
	}
	return out, rows.Err()
}

// MaturityOverride is a person's level for a practice, with a rationale.
type MaturityOverride struct {
	Practice  string    `json:"practice"`
	Level     int       `json:"level"`
	Rationale string    `json:"rationale"`
	SetBy     string    `json:"set_by"`
	SetAt     time.Time `json:"set_at"`
}

// SetMaturityOverride records (level 1-4) or clears (level 0) a manual
// maturity level for a practice in a scope.
func (db *DB) SetMaturityOverride(ctx context.Context, actor cradle.Actor, kind, product, catalog string, o *MaturityOverride) error {
	o.Rationale = strings.TrimSpace(o.Rationale)
	if strings.ContainsRune(o.Rationale, 0) {
		return cradle.Invalid("invalid override", cradle.Problem{Location: "rationale", Message: "must not contain NUL characters"})
	}
	if o.Level < 0 || o.Level > 4 {
		return cradle.Invalid("invalid override", cradle.Problem{Location: "level", Message: "must be 1 to 4 (0 clears the override)"})
	}
	if o.Level > 0 && o.Rationale == "" {
		return cradle.Invalid("invalid override", cradle.Problem{Location: "rationale", Message: "is required: why the computed level does not hold"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		key, _, err := scope(ctx, tx.q(), kind, product)
		if err != nil {
			return err
		}
		o.SetBy, o.SetAt = actor.String(), db.now()
		if o.Level == 0 {
			if _, err := tx.exec(ctx, `DELETE FROM maturity_overrides WHERE scope_key = ? AND catalog_id = ? AND practice = ?`, key, catalog, o.Practice); err != nil {
				return err
			}
		} else if _, err := tx.exec(ctx, `INSERT INTO maturity_overrides (scope_key, catalog_id, practice, level, rationale, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (scope_key, catalog_id, practice) DO UPDATE SET level = excluded.level, rationale = excluded.rationale,
			set_by = excluded.set_by, set_at = excluded.set_at`, key, catalog, o.Practice, o.Level, o.Rationale, o.SetBy, o.SetAt); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "maturity.override", "maturity", key+"/"+catalog+"/"+o.Practice, nil, o)
	})
}

// MaturityOverrides returns a scope's overrides by practice.
func (db *DB) MaturityOverrides(ctx context.Context, kind, product, catalog string) (map[string]MaturityOverride, error) {
	key, _, err := scope(ctx, db.r(), kind, product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT practice, level, rationale, set_by, set_at FROM maturity_overrides WHERE scope_key = ? AND catalog_id = ?`, key, catalog)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]MaturityOverride{}
	for rows.Next() {
		var o MaturityOverride
		var at nullTime
		if err := rows.Scan(&o.Practice, &o.Level, &o.Rationale, &o.SetBy, &at); err != nil {
			return nil, err
		}
		o.SetAt = at.t
		out[o.Practice] = o
	}
	return out, rows.Err()
}

// MaturityPoint is one day's level of a practice.
type MaturityPoint struct {
	Day        string `json:"day"`
	Practice   string `json:"practice"`
	Level      int    `json:"level"`
	Overridden bool   `json:"overridden,omitempty"`
}

// RecordMaturity stores today's levels of a scope (one row per day and
// practice; a later call the same day replaces it).
func (db *DB) RecordMaturity(ctx context.Context, kind, product, catalog string, points []MaturityPoint) error {
	key, _, err := scope(ctx, db.r(), kind, product)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for _, p := range points {
			if _, err := tx.exec(ctx, `INSERT INTO maturity_history (day, scope_key, catalog_id, practice, level, overridden) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (day, scope_key, catalog_id, practice) DO UPDATE SET level = excluded.level, overridden = excluded.overridden`,
				p.Day, key, catalog, p.Practice, p.Level, p.Overridden); err != nil {
				return err
			}
		}
		return nil
	})
}

// MaturityHistory returns a scope's recorded levels, oldest first.
func (db *DB) MaturityHistory(ctx context.Context, kind, product, catalog string) ([]MaturityPoint, error) {
	key, _, err := scope(ctx, db.r(), kind, product)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT day, practice, level, overridden FROM maturity_history WHERE scope_key = ? AND catalog_id = ? ORDER BY day, practice`, key, catalog)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MaturityPoint
	for rows.Next() {
		var p MaturityPoint
		if err := rows.Scan(&p.Day, &p.Practice, &p.Level, &p.Overridden); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CustomCatalog is a catalogue or cross-walk a user imported.
type CustomCatalog struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // catalog or crosswalk
	Title     string    `json:"title"`
	Data      []byte    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// SaveCustomCatalog stores an imported catalogue or cross-walk (already
// validated by the caller); importing the same ID again replaces it.
func (db *DB) SaveCustomCatalog(ctx context.Context, actor cradle.Actor, c *CustomCatalog) error {
	return db.InTx(ctx, func(tx *Tx) error {
		c.CreatedBy, c.CreatedAt = actor.String(), db.now()
		if _, err := tx.exec(ctx, `INSERT INTO custom_catalogs (id, kind, title, data, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, data = excluded.data,
			created_by = excluded.created_by, created_at = excluded.created_at`, c.ID, c.Kind, c.Title, string(c.Data), c.CreatedBy, c.CreatedAt); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "catalog.import", "catalog", c.ID, nil, map[string]string{"kind": c.Kind, "title": c.Title})
	})
}

// CustomCatalogs lists the imported catalogues and cross-walks, catalogues
// first.
func (db *DB) CustomCatalogs(ctx context.Context) ([]CustomCatalog, error) {
	rows, err := db.query(ctx, `SELECT id, kind, title, data, created_by, created_at FROM custom_catalogs ORDER BY kind, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CustomCatalog
	for rows.Next() {
		var c CustomCatalog
		var data string
		var at nullTime
		if err := rows.Scan(&c.ID, &c.Kind, &c.Title, &data, &c.CreatedBy, &at); err != nil {
			return nil, err
		}
		c.Data, c.CreatedAt = []byte(data), at.t
		out = append(out, c)
	}
	return out, rows.Err()
}
