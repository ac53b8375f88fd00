package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

const advisoryCols = `a.id, a.case_id, a.tracking_id, a.category, a.title, a.tlp, a.status, a.version, a.summary, a.details, a.workaround,
	a.refs, a.acks, a.initial_at, a.current_at, a.published_at, a.document, a.created_at, a.updated_at`

func scanAdvisory(sc interface{ Scan(...any) error }) (*cradle.Advisory, error) {
	var a cradle.Advisory
	var caseID int64
	var refs, acks, doc string
	var initial, current, published, created, updated nullTime
	err := sc.Scan(&a.ID, &caseID, &a.TrackingID, &a.Category, &a.Title, &a.TLP, &a.Status, &a.Version, &a.Summary, &a.Details, &a.Workaround,
		&refs, &acks, &initial, &current, &published, &doc, &created, &updated)
	a.CaseRef = cradle.CaseRef(caseID)
	_ = json.Unmarshal([]byte(refs), &a.References)
	_ = json.Unmarshal([]byte(acks), &a.Acknowledge)
	a.InitialDate, a.CurrentDate, a.PublishedAt, a.CreatedAt, a.UpdatedAt = initial.t, current.t, published.t, created.t, updated.t
	if doc != "" {
		a.Document = []byte(doc)
	}
	return &a, err
}

// ValidateAdvisory checks the editable fields of a.
func ValidateAdvisory(a *cradle.Advisory) error {
	a.Title, a.Summary, a.Details = strings.TrimSpace(a.Title), strings.TrimSpace(a.Summary), strings.TrimSpace(a.Details)
	var probs []cradle.Problem
	if a.Category != "csaf_security_advisory" && a.Category != "csaf_vex" {
		probs = append(probs, cradle.Problem{Location: "category", Message: "must be csaf_security_advisory or csaf_vex; found " + a.Category})
	}
	if a.Title == "" {
		probs = append(probs, cradle.Problem{Location: "title", Message: "is required"})
	}
	if a.TLP == "" {
		a.TLP = "WHITE"
	}
	a.TLP = strings.ToUpper(a.TLP)
	if a.TLP == "CLEAR" {
		a.TLP = "WHITE"
	}
	if !slices.Contains(cradle.TLPLabels, a.TLP) {
		probs = append(probs, cradle.Problem{Location: "tlp", Message: "must be WHITE, GREEN, AMBER or RED; found " + a.TLP})
	}
	if a.Summary == "" {
		probs = append(probs, cradle.Problem{Location: "summary", Message: "is required: what the advisory is about, for users"})
	}
	for i, r := range a.References {
		if !strings.HasPrefix(r, "https://") && !strings.HasPrefix(r, "http://") {
			probs = append(probs, cradle.Problem{Location: fmt.Sprintf("references/%d", i), Message: "must be an http(s) URL"})
		}
	}
	for _, f := range []struct {
		n, v string
		max  int
	}{{"title", a.Title, 500}, {"summary", a.Summary, 10000}, {"details", a.Details, 50000}, {"workaround", a.Workaround, 10000}} {
		if len([]rune(f.v)) > f.max {
			probs = append(probs, cradle.Problem{Location: f.n, Message: fmt.Sprintf("is longer than %d characters", f.max)})
		}
	}
	if len(probs) > 0 {
		return cradle.Invalid("invalid advisory", probs...)
	}
	return nil
}

// CreateAdvisory stores a draft advisory for the case a.CaseRef. An empty
// tracking ID gets the next "<prefix>-<year>-<nnnn>".
func (db *DB) CreateAdvisory(ctx context.Context, actor cradle.Actor, a *cradle.Advisory, prefix string) error {
	if err := ValidateAdvisory(a); err != nil {
		return err
	}
	caseID, err := ParseCaseRef(a.CaseRef)
	if err != nil {
		return err
	}
	auto := a.TrackingID == ""
	for attempt := 0; ; attempt++ {
		err = db.InTx(ctx, func(tx *Tx) error { return tx.createAdvisory(ctx, actor, a, caseID, prefix, auto) })
		// Two replicas numbering at once: the loser takes the next number.
		if !auto || attempt == 4 || cradle.ErrorCode(err) != cradle.EConflict {
			return err
		}
		a.TrackingID = ""
	}
}

func (tx *Tx) createAdvisory(ctx context.Context, actor cradle.Actor, a *cradle.Advisory, caseID int64, prefix string, auto bool) error {
	if _, err := caseByID(ctx, tx.q(), caseID); err != nil {
		return err
	}
	now := tx.db.now()
	if auto {
		// The next number after the highest one of the year, so that a
		// tracking ID given by hand in the series is never proposed again.
		base := fmt.Sprintf("%s-%d-", prefix, now.Year())
		rows, err := tx.q().QueryContext(ctx, `SELECT tracking_id FROM advisories WHERE substr(tracking_id, 1, ?) = ?`, len(base), base)
		if err != nil {
			return err
		}
		highest := 0
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if n, err := strconv.Atoi(strings.TrimPrefix(id, base)); err == nil && n > highest {
				highest = n
			}
		}
		rows.Close()
		a.TrackingID = fmt.Sprintf("%s%04d", base, highest+1)
	}
	if strings.TrimSpace(a.TrackingID) != a.TrackingID || a.TrackingID == "" || len(a.TrackingID) > 100 {
		return cradle.Invalid("invalid advisory", cradle.Problem{Location: "tracking_id", Message: "must be 1-100 characters without surrounding spaces"})
	}
	a.Status, a.Version, a.CreatedAt, a.UpdatedAt = cradle.AdvisoryDraft, "0", now, now
	refs, _ := json.Marshal(nonNil(a.References))
	acks, _ := json.Marshal(nonNil(a.Acknowledge))
	err := tx.queryRow(ctx, `INSERT INTO advisories (case_id, tracking_id, category, title, tlp, status, version, summary, details, workaround, refs, acks, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, caseID, a.TrackingID, a.Category, a.Title, a.TLP, a.Status, a.Version,
		a.Summary, a.Details, a.Workaround, string(refs), string(acks), now, now).Scan(&a.ID)
	if isUniqueViolation(err) {
		return cradle.Errorf(cradle.EConflict, "an advisory %s already exists", a.TrackingID)
	} else if err != nil {
		return err
	}
	return tx.audit(ctx, actor, "advisory.create", "advisory", a.TrackingID, nil, a)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func advisoryByTracking(ctx context.Context, q queryer, id string) (*cradle.Advisory, error) {
	a, err := scanAdvisory(q.QueryRowContext(ctx, `SELECT `+advisoryCols+` FROM advisories a WHERE a.tracking_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no advisory %s", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT number, date, summary, status FROM advisory_revisions WHERE advisory_id = ? ORDER BY date, number`, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r cradle.AdvisoryRevision
		var at nullTime
		if err := rows.Scan(&r.Number, &at, &r.Summary, &r.Status); err != nil {
			return nil, err
		}
		r.Date = at.t
		a.Revisions = append(a.Revisions, r)
	}
	return a, rows.Err()
}

// Advisory returns the advisory with the tracking ID.
func (db *DB) Advisory(ctx context.Context, trackingID string) (*cradle.Advisory, error) {
	return advisoryByTracking(ctx, db.r(), trackingID)
}

// ListAdvisories lists advisories, newest first; of one case when ref is set.
func (db *DB) ListAdvisories(ctx context.Context, ref string, publishedOnly bool) ([]*cradle.Advisory, error) {
	var where []string
	var args []any
	if ref != "" {
		id, err := ParseCaseRef(ref)
		if err != nil {
			return nil, err
		}
		if _, err := caseByID(ctx, db.r(), id); err != nil {
			return nil, err
		}
		where = append(where, "a.case_id = ?")
		args = append(args, id)
	}
	if publishedOnly {
		where = append(where, "a.published_at IS NOT NULL")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.query(ctx, `SELECT `+advisoryCols+` FROM advisories a`+cond+` ORDER BY a.created_at DESC, a.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cradle.Advisory
	for rows.Next() {
		a, err := scanAdvisory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateAdvisory changes the editable texts of an advisory; they take
// effect in its next published revision.
func (db *DB) UpdateAdvisory(ctx context.Context, actor cradle.Actor, trackingID string, edit func(a *cradle.Advisory) error) (*cradle.Advisory, error) {
	var out *cradle.Advisory
	err := db.InTx(ctx, func(tx *Tx) error {
		before, err := advisoryByTracking(ctx, tx.q(), trackingID)
		if err != nil {
			return err
		}
		a := *before
		if err := edit(&a); err != nil {
			return err
		}
		a.ID, a.TrackingID, a.CaseRef, a.Status, a.Version = before.ID, before.TrackingID, before.CaseRef, before.Status, before.Version
		if err := ValidateAdvisory(&a); err != nil {
			return err
		}
		now := db.now()
		refs, _ := json.Marshal(nonNil(a.References))
		acks, _ := json.Marshal(nonNil(a.Acknowledge))
		if _, err := tx.exec(ctx, `UPDATE advisories SET category = ?, title = ?, tlp = ?, summary = ?, details = ?, workaround = ?, refs = ?, acks = ?, updated_at = ? WHERE id = ?`,
			a.Category, a.Title, a.TLP, a.Summary, a.Details, a.Workaround, string(refs), string(acks), now, a.ID); err != nil {
			return err
		}
		a.UpdatedAt = now
		out = &a
		return tx.audit(ctx, actor, "advisory.update", "advisory", a.TrackingID, before, &a)
	})
	return out, err
}

// NextRevision is the version number the advisory gets when published
// now: "1" the first time, then one more each time.
func NextRevision(a *cradle.Advisory) string {
	n, _ := strconv.Atoi(a.Version)
	return strconv.Itoa(n + 1)
}

// PublishAdvisory publishes a new revision of the advisory: in one
// transaction it sets its status (interim or final), version, dates and
// revision history, asks build for the CSAF document of that state (build
// validates it: an error aborts and nothing changes), stores the document
// and the revision, records a notice for webhooks and queues mail to the
// subscribers of the affected products (TLP:WHITE and GREEN only).
func (db *DB) PublishAdvisory(ctx context.Context, actor cradle.Actor, trackingID, status, summary string,
	build func(a *cradle.Advisory) ([]byte, error), productIDs func(a *cradle.Advisory) []int64, compose func(a *cradle.Advisory, s cradle.Subscriber) Mail) (*cradle.Advisory, error) {
	if status != cradle.AdvisoryInterim && status != cradle.AdvisoryFinal {
		return nil, cradle.Invalid("invalid publication", cradle.Problem{Location: "status", Message: "must be interim or final; found " + status})
	}
	summary = strings.TrimSpace(summary)
	if summary == "" {
		return nil, cradle.Invalid("invalid publication", cradle.Problem{Location: "summary", Message: "is required: what changed in this revision (e.g. Initial public release)"})
	}
	var out *cradle.Advisory
	err := db.InTx(ctx, func(tx *Tx) error {
		before, err := advisoryByTracking(ctx, tx.q(), trackingID)
		if err != nil {
			return err
		}
		if before.Status == cradle.AdvisoryFinal && status == cradle.AdvisoryInterim {
			return cradle.Errorf(cradle.EConflict, "%s is final; a final advisory cannot go back to interim", trackingID)
		}
		now := db.now().Truncate(time.Second)
		a := *before
		a.Status, a.Version = status, NextRevision(before)
		if a.InitialDate.IsZero() {
			a.InitialDate = now
		}
		a.CurrentDate, a.PublishedAt = now, now
		a.Revisions = append(slices.Clone(before.Revisions), cradle.AdvisoryRevision{Number: a.Version, Date: now, Summary: summary, Status: status})
		doc, err := build(&a)
		if err != nil {
			return err
		}
		a.Document = doc
		if _, err := tx.exec(ctx, `UPDATE advisories SET status = ?, version = ?, initial_at = ?, current_at = ?, published_at = ?, document = ?, updated_at = ? WHERE id = ?`,
			a.Status, a.Version, a.InitialDate, a.CurrentDate, now, string(doc), now, a.ID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO advisory_revisions (advisory_id, number, date, summary, status, document) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID, a.Version, now, summary, status, string(doc)); isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "revision %s of %s was published at the same time by someone else; reload and try again", a.Version, a.TrackingID)
		} else if err != nil {
			return err
		}
		if err := tx.audit(ctx, actor, "advisory.publish", "advisory", a.TrackingID, map[string]string{"status": before.Status, "version": before.Version},
			map[string]string{"status": a.Status, "version": a.Version, "summary": summary}); err != nil {
			return err
		}
		ev, err := tx.notifyID(ctx, cradle.NoticeAdvisory, 0, "", fmt.Sprintf("Advisory %s revision %s published (%s): %s", a.TrackingID, a.Version, a.Status, a.Title),
			map[string]any{"tracking_id": a.TrackingID, "version": a.Version, "status": a.Status, "tlp": a.TLP, "title": a.Title, "csaf": json.RawMessage(doc)})
		if err != nil {
			return err
		}
		if compose != nil && (a.TLP == "WHITE" || a.TLP == "GREEN") {
			if err := tx.queueMail(ctx, ev, productIDs(&a), func(s cradle.Subscriber) Mail { return compose(&a, s) }); err != nil {
				return err
			}
		}
		out = &a
		return nil
	})
	return out, err
}

// AdvisoryRevisionDocument returns the CSAF document of one revision.
func (db *DB) AdvisoryRevisionDocument(ctx context.Context, trackingID, number string) ([]byte, error) {
	var doc string
	err := db.queryRow(ctx, `SELECT r.document FROM advisory_revisions r JOIN advisories a ON a.id = r.advisory_id WHERE a.tracking_id = ? AND r.number = ?`, trackingID, number).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "advisory %s has no revision %s", trackingID, number)
	}
	return []byte(doc), err
}

// PublicationStamp changes whenever what the public CSAF tree and
// security.txt are built from changes: published advisories and the PSIRT
// settings and signing key. Servers cache the built tree under it.
func (db *DB) PublicationStamp(ctx context.Context) (string, error) {
	var n int
	var last, set nullTime
	if err := db.queryRow(ctx, `SELECT COUNT(*), MAX(date) FROM advisory_revisions`).Scan(&n, &last); err != nil {
		return "", err
	}
	if err := db.queryRow(ctx, `SELECT MAX(updated_at) FROM settings WHERE key IN ('psirt', 'signing_key')`).Scan(&set); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d/%d/%d", n, last.t.UnixNano(), set.t.UnixNano()), nil
}
