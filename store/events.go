package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// notify appends a notice in tx and queues it for every active webhook
// that wants its kind: the notice and its deliveries commit together with
// the change that caused them (a transactional outbox).
func (tx *Tx) notify(ctx context.Context, kind string, releaseID int64, group, summary string, payload any) error {
	_, err := tx.notifyID(ctx, kind, releaseID, group, summary, payload)
	return err
}

// notifyID is notify returning the event's ID.
func (tx *Tx) notifyID(ctx context.Context, kind string, releaseID int64, group, summary string, payload any) (int64, error) {
	return tx.notifyKeyed(ctx, kind, releaseID, group, "", summary, payload)
}

// notifyKeyed records a notice with a deduplication key ("" for none).
func (tx *Tx) notifyKeyed(ctx context.Context, kind string, releaseID int64, group, key, summary string, payload any) (int64, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	var rel any
	if releaseID != 0 {
		rel = releaseID
	}
	now := tx.db.now()
	var id int64
	var dedupe any
	if key != "" {
		dedupe = key
	}
	if err := tx.queryRow(ctx, `INSERT INTO events (at, kind, release_id, group_id, summary, payload, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		now, kind, rel, group, summary, string(b), dedupe).Scan(&id); err != nil {
		return 0, fmt.Errorf("record event: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO outbox (webhook_id, event_id, next_attempt_at)
		SELECT w.id, ?, ? FROM webhooks w WHERE w.active AND (w.kinds = '' OR ','||w.kinds||',' LIKE ?)`, id, now, "%,"+kind+",%")
	return id, err
}

// Notices returns notices, newest first.
func (db *DB) Notices(ctx context.Context, since time.Time, pg cradle.Page) ([]cradle.Notice, int, error) {
	pg = pg.Normalize()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE at >= ?`, since.UTC()).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT id, at, kind, COALESCE(release_id, 0), group_id, summary, payload FROM events WHERE at >= ? ORDER BY id DESC`+pageClause(pg), since.UTC())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []cradle.Notice
	for rows.Next() {
		var n cradle.Notice
		var at nullTime
		var payload string
		if err := rows.Scan(&n.ID, &at, &n.Kind, &n.ReleaseID, &n.GroupID, &n.Summary, &payload); err != nil {
			return nil, 0, err
		}
		n.At, n.Payload = at.t, json.RawMessage(payload)
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// Webhook is an HTTP endpoint that receives notices, signed with its
// secret (HMAC-SHA256).
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Kinds     []string  `json:"kinds,omitempty"` // empty: every kind
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"-"`
}

var noticeKinds = cradle.NoticeKinds

// CreateWebhook registers a webhook.
func (db *DB) CreateWebhook(ctx context.Context, actor cradle.Actor, w *Webhook) error {
	var probs []cradle.Problem
	if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		probs = append(probs, cradle.Problem{Location: "url", Message: "must be an http or https URL; found " + fmt.Sprintf("%q", w.URL)})
	}
	if len(w.Secret) < 16 {
		probs = append(probs, cradle.Problem{Location: "secret", Message: "must be at least 16 characters (it signs every delivery)"})
	}
	for _, k := range w.Kinds {
		ok := false
		for _, n := range noticeKinds {
			ok = ok || k == n
		}
		if !ok {
			probs = append(probs, cradle.Problem{Location: "kinds", Message: "unknown kind " + fmt.Sprintf("%q", k) + "; expected " + strings.Join(noticeKinds, ", ")})
		}
	}
	if len(probs) > 0 {
		return cradle.Invalid("invalid webhook", probs...)
	}
	w.Active = true
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		if err := tx.queryRow(ctx, `INSERT INTO webhooks (url, secret, kinds, active, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			w.URL, w.Secret, strings.Join(w.Kinds, ","), true, now).Scan(&w.ID); err != nil {
			return err
		}
		w.CreatedAt = now
		return tx.audit(ctx, actor, "webhook.create", "webhook", w.ID, nil, w)
	})
}

// Webhooks lists the registered webhooks.
func (db *DB) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := db.query(ctx, `SELECT id, url, secret, kinds, active, created_at FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		var kinds string
		var at nullTime
		if err := rows.Scan(&w.ID, &w.URL, &w.Secret, &kinds, &w.Active, &at); err != nil {
			return nil, err
		}
		if kinds != "" {
			w.Kinds = strings.Split(kinds, ",")
		}
		w.CreatedAt = at.t
		out = append(out, w)
	}
	return out, rows.Err()
}

// Delivery is one queued or attempted webhook delivery: the delivery log.
type Delivery struct {
	ID          int64         `json:"id"`
	Webhook     Webhook       `json:"-"`
	WebhookID   int64         `json:"webhook_id"`
	Notice      cradle.Notice `json:"notice"`
	Attempts    int           `json:"attempts"`
	NextAttempt time.Time     `json:"next_attempt_at,omitzero"`
	DeliveredAt time.Time     `json:"delivered_at,omitzero"`
	FailedAt    time.Time     `json:"failed_at,omitzero"`
	LastStatus  int           `json:"last_status,omitempty"`
	LastError   string        `json:"last_error,omitempty"`
}

const deliveryCols = `o.id, o.webhook_id, w.url, w.secret, o.attempts, o.next_attempt_at, o.delivered_at, o.failed_at, o.last_status, o.last_error,
	e.id, e.at, e.kind, COALESCE(e.release_id, 0), e.group_id, e.summary, e.payload
	FROM outbox o JOIN webhooks w ON w.id = o.webhook_id JOIN events e ON e.id = o.event_id`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next, done, failed, at nullTime
	var payload string
	err := sc.Scan(&d.ID, &d.WebhookID, &d.Webhook.URL, &d.Webhook.Secret, &d.Attempts, &next, &done, &failed, &d.LastStatus, &d.LastError,
		&d.Notice.ID, &at, &d.Notice.Kind, &d.Notice.ReleaseID, &d.Notice.GroupID, &d.Notice.Summary, &payload)
	d.Webhook.ID, d.NextAttempt, d.DeliveredAt, d.FailedAt, d.Notice.At, d.Notice.Payload = d.WebhookID, next.t, done.t, failed.t, at.t, json.RawMessage(payload)
	return d, err
}

// DueDeliveries returns up to limit deliveries whose time has come.
func (db *DB) DueDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	rows, err := db.query(ctx, `SELECT `+deliveryCols+` WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ? AND w.active
		ORDER BY o.next_attempt_at, o.id LIMIT ?`, db.now(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimDelivery takes a due delivery for one attempt: it moves its next
// attempt to retryAt, so that another replica does not send it meanwhile.
// It reports false when someone else claimed it first.
func (db *DB) ClaimDelivery(ctx context.Context, d *Delivery, retryAt time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1
		WHERE id = ? AND attempts = ? AND delivered_at IS NULL`), retryAt.UTC(), d.ID, d.Attempts)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		d.Attempts++
	}
	return n == 1, nil
}

// RecordDelivery stores the outcome of an attempt. gaveUp marks a
// delivery that will not be tried again.
func (db *DB) RecordDelivery(ctx context.Context, id int64, status int, errText string, delivered, gaveUp bool) error {
	now := db.now()
	var done, failed any
	if delivered {
		done = now
	}
	if gaveUp {
		failed = now
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE outbox SET last_status = ?, last_error = ?, delivered_at = ?, failed_at = ? WHERE id = ?`),
		status, errText, done, failed, id)
	return err
}

// Deliveries returns the delivery log, newest first.
func (db *DB) Deliveries(ctx context.Context, pg cradle.Page) ([]Delivery, int, error) {
	pg = pg.Normalize()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+deliveryCols+` ORDER BY o.id DESC`+pageClause(pg))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// NotifyOnce records a notice (and its webhook deliveries) unless one of
// the same kind with the same key was recorded before; it reports whether
// it recorded one. A unique index on (kind, key) makes it hold across
// replicas: the second of two racing inserts fails and is not recorded.
func (db *DB) NotifyOnce(ctx context.Context, kind, key, summary string, payload any) (bool, error) {
	done := false
	err := db.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE kind = ? AND dedupe_key = ?`, kind, key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		done = true
		_, err := tx.notifyKeyed(ctx, kind, 0, "", key, summary, payload)
		return err
	})
	return done, err
}
