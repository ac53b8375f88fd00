package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// CreateSecurityUpdate marks the release product/version as a security
// update fixing the cases refs. In the same transaction each fixed case
// gets its fix-available time (the earliest update that fixes it: this
// starts the Art. 14 final-report clock), the release gets status fixed in
// each case, and customers are notified through the outbox (mail, a
// message prepared by compose) and webhooks.
func (db *DB) CreateSecurityUpdate(ctx context.Context, actor cradle.Actor, product, version string, u *cradle.SecurityUpdate, compose func(u *cradle.SecurityUpdate, to cradle.Subscriber) Mail) error {
	now := db.now()
	if err := u.Validate(now); err != nil {
		return err
	}
	if len(u.Cases) == 0 {
		return cradle.Invalid("invalid security update", cradle.Problem{Location: "cases", Message: "name at least one case the update fixes"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		rel, err := releaseByName(ctx, tx.q(), product, version)
		if err != nil {
			return err
		}
		p, err := productByName(ctx, tx.q(), product)
		if err != nil {
			return err
		}
		u.ReleaseID, u.Product, u.Version, u.CreatedBy, u.CreatedAt = rel.ID, product, version, actor.String(), now
		u.AvailableUntil = u.Until(p.SupportEndTime())
		err = tx.queryRow(ctx, `INSERT INTO security_updates (release_id, available_at, summary, install, verify, impact, qualification, artifact, artifact_hash, signature_url, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, rel.ID, u.AvailableAt, u.Summary, u.Install, u.Verify, u.Impact,
			u.Qualification, u.ArtifactName, u.ArtifactHash, u.SignatureURL, u.CreatedBy, now).Scan(&u.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "%s %s is already marked as a security update", product, version)
		} else if err != nil {
			return err
		}
		var probs []cradle.Problem
		for i, ref := range u.Cases {
			id, err := ParseCaseRef(ref)
			if err != nil {
				probs = append(probs, cradle.Problem{Location: fmt.Sprintf("cases/%d", i), Message: cradle.ErrorMessage(err)})
				continue
			}
			before, err := caseByID(ctx, tx.q(), id)
			if cradle.ErrorCode(err) == cradle.ENotFound {
				probs = append(probs, cradle.Problem{Location: fmt.Sprintf("cases/%d", i), Message: cradle.ErrorMessage(err)})
				continue
			} else if err != nil {
				return err
			}
			if u.AvailableAt.Before(before.AwareAt) {
				probs = append(probs, cradle.Problem{Location: "available_at", Message: fmt.Sprintf("is before %s's awareness time %s", before.Ref, before.AwareAt.Format(time.RFC3339))})
				continue
			}
			u.Cases[i] = before.Ref
			if _, err := tx.exec(ctx, `INSERT INTO security_update_cases (update_id, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, u.ID, id); err != nil {
				return err
			}
			after, _ := caseByID(ctx, tx.q(), id)
			if after.FixAvailableAt.IsZero() || u.AvailableAt.Before(after.FixAvailableAt) {
				after.FixAvailableAt = u.AvailableAt
			}
			found := false
			for j := range after.Releases {
				if after.Releases[j].ReleaseID == rel.ID {
					after.Releases[j] = cradle.CaseRelease{ReleaseID: rel.ID, Status: cradle.VEXFixed}
					found = true
				}
			}
			if !found {
				after.Releases = append(after.Releases, cradle.CaseRelease{ReleaseID: rel.ID, Status: cradle.VEXFixed})
			}
			if err := tx.saveCase(ctx, actor, before, after, now); err != nil {
				return err
			}
		}
		if len(probs) > 0 {
			return cradle.Invalid("invalid security update", probs...)
		}
		if err := tx.audit(ctx, actor, "update.create", "security_update", u.ID, nil, u); err != nil {
			return err
		}
		summary := fmt.Sprintf("Security update %s %s fixes %s", product, version, strings.Join(u.Cases, ", "))
		ev, err := tx.notifyID(ctx, cradle.NoticeUpdate, rel.ID, "", summary, u)
		if err != nil {
			return err
		}
		return tx.queueMail(ctx, ev, []int64{p.ID}, func(s cradle.Subscriber) Mail { return compose(u, s) })
	})
}

const updateCols = `u.id, u.release_id, p.name, r.version, u.available_at, u.summary, u.install, u.verify, u.impact, u.qualification,
	u.artifact, u.artifact_hash, u.signature_url, u.created_by, u.created_at, p.support_end`

// SecurityUpdates lists security updates, newest first, of one product or all.
func (db *DB) SecurityUpdates(ctx context.Context, product string) ([]cradle.SecurityUpdate, error) {
	q := `SELECT ` + updateCols + ` FROM security_updates u JOIN releases r ON r.id = u.release_id JOIN products p ON p.id = r.product_id`
	var args []any
	if product != "" {
		if _, err := db.Product(ctx, product); err != nil {
			return nil, err
		}
		q += ` WHERE p.name = ?`
		args = append(args, product)
	}
	rows, err := db.query(ctx, q+` ORDER BY u.available_at DESC, u.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cradle.SecurityUpdate
	for rows.Next() {
		var u cradle.SecurityUpdate
		var avail, created nullTime
		var supportEnd string
		if err := rows.Scan(&u.ID, &u.ReleaseID, &u.Product, &u.Version, &avail, &u.Summary, &u.Install, &u.Verify, &u.Impact, &u.Qualification,
			&u.ArtifactName, &u.ArtifactHash, &u.SignatureURL, &u.CreatedBy, &created, &supportEnd); err != nil {
			return nil, err
		}
		u.AvailableAt, u.CreatedAt = avail.t, created.t
		end, _ := time.Parse(cradle.DateLayout, supportEnd)
		u.AvailableUntil = u.Until(end)
		u.Cases = []string{}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		cs, err := db.query(ctx, `SELECT case_id FROM security_update_cases WHERE update_id = ? ORDER BY case_id`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for cs.Next() {
			var id int64
			if err := cs.Scan(&id); err != nil {
				cs.Close()
				return nil, err
			}
			out[i].Cases = append(out[i].Cases, cradle.CaseRef(id))
		}
		cs.Close()
	}
	return out, nil
}

// TimeToFix is the remediation performance for one severity (SUM-5).
type TimeToFix struct {
	Rating     string  `json:"severity"`
	PolicyDays int     `json:"policy_days"`
	Fixed      int     `json:"fixed"`
	WithinDays int     `json:"within_policy"`
	MedianDays float64 `json:"median_days"`
	MaxDays    float64 `json:"max_days"`
	OpenLate   int     `json:"open_overdue"`
}

// TimeToFixReport measures, per severity, the days from awareness to a
// fix being available for valid cases, against the policy.
func (db *DB) TimeToFixReport(ctx context.Context, policy cradle.RemediationPolicy) ([]TimeToFix, error) {
	rows, err := db.query(ctx, `SELECT rating, aware_at, fix_available_at, state, due_at FROM cases WHERE type = 'vulnerability' AND validity = 'valid'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	days := map[string][]float64{}
	late := map[string]int{}
	now := db.now()
	for rows.Next() {
		var rating string
		var aware, fix, due nullTime
		var state string
		if err := rows.Scan(&rating, &aware, &fix, &state, &due); err != nil {
			return nil, err
		}
		if !fix.t.IsZero() {
			days[rating] = append(days[rating], fix.t.Sub(aware.t).Hours()/24)
		} else if state == cradle.CaseOpen && !due.t.IsZero() && due.t.Before(now) {
			late[rating]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []TimeToFix
	for _, r := range cradle.Ratings {
		if r == "none" {
			continue
		}
		t := TimeToFix{Rating: r, PolicyDays: policy.Days(r), OpenLate: late[r]}
		d := days[r]
		sort.Float64s(d)
		t.Fixed = len(d)
		for _, x := range d {
			if x <= float64(t.PolicyDays) {
				t.WithinDays++
			}
		}
		if len(d) > 0 {
			m := d[len(d)/2]
			if len(d)%2 == 0 {
				m = (d[len(d)/2-1] + d[len(d)/2]) / 2
			}
			t.MedianDays = math.Round(m*10) / 10
			t.MaxDays = math.Round(slices.Max(d)*10) / 10
		}
		out = append(out, t)
	}
	return out, nil
}

// Mail is a message queued for one subscriber.
type Mail struct {
	To, Subject, Text, HTML string
	AttachName, AttachType  string
	Attach                  []byte
}

// queueMail writes one mail per subscriber (e-mail address) of any of the
// products, or of every product, into the mail outbox, in tx.
func (tx *Tx) queueMail(ctx context.Context, eventID int64, productIDs []int64, compose func(s cradle.Subscriber) Mail) error {
	if compose == nil {
		return nil
	}
	ids := []string{"0"}
	for _, id := range productIDs {
		ids = append(ids, fmt.Sprint(id))
	}
	rows, err := tx.q().QueryContext(ctx, `SELECT id, email, name FROM subscribers WHERE product_id IS NULL OR product_id IN (`+strings.Join(ids, ",")+`) ORDER BY id`)
	if err != nil {
		return err
	}
	var subs []cradle.Subscriber
	seen := map[string]bool{}
	for rows.Next() {
		var s cradle.Subscriber
		if err := rows.Scan(&s.ID, &s.Email, &s.Name); err != nil {
			rows.Close()
			return err
		}
		if !seen[strings.ToLower(s.Email)] {
			seen[strings.ToLower(s.Email)] = true
			subs = append(subs, s)
		}
	}
	rows.Close()
	now := tx.db.now()
	for _, s := range subs {
		m := compose(s)
		if _, err := tx.exec(ctx, `INSERT INTO mail_outbox (event_id, to_addr, subject, text_body, html_body, attach_name, attach_type, attach_data, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, eventID, s.Email, m.Subject, m.Text, m.HTML, m.AttachName, m.AttachType, string(m.Attach), now); err != nil {
			return err
		}
	}
	return nil
}

// QueuedMail is a mail outbox row.
type QueuedMail struct {
	ID       int64
	Mail     Mail
	Attempts int
}

// DueMail returns up to n undelivered mails whose next attempt is due.
func (db *DB) DueMail(ctx context.Context, n int) ([]QueuedMail, error) {
	rows, err := db.query(ctx, `SELECT id, to_addr, subject, text_body, html_body, attach_name, attach_type, attach_data, attempts FROM mail_outbox
		WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, db.now(), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueuedMail
	for rows.Next() {
		var q QueuedMail
		var attach string
		if err := rows.Scan(&q.ID, &q.Mail.To, &q.Mail.Subject, &q.Mail.Text, &q.Mail.HTML, &q.Mail.AttachName, &q.Mail.AttachType, &attach, &q.Attempts); err != nil {
			return nil, err
		}
		q.Mail.Attach = []byte(attach)
		out = append(out, q)
	}
	return out, rows.Err()
}

// ClaimMail takes a due mail for one attempt: it moves its next attempt
// to retryAt unless another replica claimed it first (false).
func (db *DB) ClaimMail(ctx context.Context, q *QueuedMail, retryAt time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE mail_outbox SET next_attempt_at = ?, attempts = attempts + 1
		WHERE id = ? AND attempts = ? AND delivered_at IS NULL AND failed_at IS NULL`), retryAt.UTC(), q.ID, q.Attempts)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		q.Attempts++
	}
	return n == 1, nil
}

// MailResult records an attempt: delivered when err is nil; otherwise
// retried at next, or given up when permanent or after too many attempts.
func (db *DB) MailResult(ctx context.Context, id int64, sendErr error, permanent bool, next time.Time) error {
	now := db.now()
	if sendErr == nil {
		_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE mail_outbox SET delivered_at = ?, last_error = '' WHERE id = ?`), now, id)
		return err
	}
	msg := sendErr.Error()
	if len(msg) > 1000 {
		msg = strings.ToValidUTF8(msg[:1000], "") // a cut character would be refused by PostgreSQL
	}
	if permanent {
		_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE mail_outbox SET failed_at = ?, last_error = ? WHERE id = ?`), now, msg, id)
		return err
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE mail_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ?`), next.UTC(), msg, id)
	return err
}

// MailLog is the delivery state of queued mails, newest first.
type MailLog struct {
	ID          int64     `json:"id"`
	To          string    `json:"to"`
	Subject     string    `json:"subject"`
	Attempts    int       `json:"attempts"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	FailedAt    time.Time `json:"failed_at,omitzero"`
	NextAt      time.Time `json:"next_attempt_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

// MailLogs lists the latest n mails.
func (db *DB) MailLogs(ctx context.Context, n int) ([]MailLog, error) {
	rows, err := db.query(ctx, `SELECT id, to_addr, subject, attempts, delivered_at, failed_at, next_attempt_at, last_error FROM mail_outbox ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MailLog
	for rows.Next() {
		var m MailLog
		var d, f, nx nullTime
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Attempts, &d, &f, &nx, &m.LastError); err != nil {
			return nil, err
		}
		m.DeliveredAt, m.FailedAt = d.t, f.t
		if m.DeliveredAt.IsZero() && m.FailedAt.IsZero() {
			m.NextAt = nx.t
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddSubscriber stores a subscription (product "" for every product).
func (db *DB) AddSubscriber(ctx context.Context, actor cradle.Actor, s *cradle.Subscriber) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		var pid any
		if s.Product != "" {
			p, err := productByName(ctx, tx.q(), s.Product)
			if err != nil {
				return err
			}
			pid = p.ID
		}
		var n int
		q, args := `SELECT COUNT(*) FROM subscribers WHERE LOWER(email) = ? AND product_id IS NULL`, []any{strings.ToLower(s.Email)}
		if pid != nil {
			q, args = `SELECT COUNT(*) FROM subscribers WHERE LOWER(email) = ? AND product_id = ?`, append(args, pid)
		}
		if err := tx.queryRow(ctx, q, args...).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return cradle.Errorf(cradle.EConflict, "%s is already subscribed", s.Email)
		}
		s.CreatedAt = db.now()
		if err := tx.queryRow(ctx, `INSERT INTO subscribers (email, name, product_id, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			s.Email, s.Name, pid, s.CreatedAt).Scan(&s.ID); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "subscriber.create", "subscriber", s.ID, nil, s)
	})
}

// RemoveSubscriber deletes subscription id.
func (db *DB) RemoveSubscriber(ctx context.Context, actor cradle.Actor, id int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var email string
		err := tx.queryRow(ctx, `SELECT email FROM subscribers WHERE id = ?`, id).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return cradle.Errorf(cradle.ENotFound, "no subscriber %d", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM subscribers WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "subscriber.delete", "subscriber", id, map[string]string{"email": email}, nil)
	})
}

// Subscribers lists every subscription.
func (db *DB) Subscribers(ctx context.Context) ([]cradle.Subscriber, error) {
	rows, err := db.query(ctx, `SELECT s.id, s.email, s.name, COALESCE(p.name, ''), s.created_at FROM subscribers s LEFT JOIN products p ON p.id = s.product_id ORDER BY s.email, p.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cradle.Subscriber
	for rows.Next() {
		var s cradle.Subscriber
		var at nullTime
		if err := rows.Scan(&s.ID, &s.Email, &s.Name, &s.Product, &at); err != nil {
			return nil, err
		}
		s.CreatedAt = at.t
		out = append(out, s)
	}
	return out, rows.Err()
}
