package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// IntakeFile is an attachment as uploaded.
type IntakeFile struct {
	Filename    string
	ContentType string
	Data        []byte
}

var trackingAlphabet = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newTrackingID returns a public report ID such as VR-7K3M-Q2PA: 40 random
// bits in Crockford's base32, easy to read out on a phone.
func newTrackingID() string {
	b := make([]byte, 5)
	rand.Read(b)
	s := trackingAlphabet.EncodeToString(b)
	return "VR-" + s[:4] + "-" + s[4:]
}

// putBlob stores data content-addressed and returns its SHA-256 (hex).
func (tx *Tx) putBlob(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	_, err := tx.exec(ctx, `INSERT INTO blobs (sha256, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		h, len(data), data, tx.db.now())
	return h, err
}

// Blob returns the content stored under sha256.
func (db *DB) Blob(ctx context.Context, sha string) ([]byte, error) {
	var b []byte
	err := db.queryRow(ctx, `SELECT content FROM blobs WHERE sha256 = ?`, sha).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no file %s", sha)
	}
	return b, err
}

// CreateIntake stores a report from the public form with its attachments
// in one transaction. It returns the secret token of the reporter's status
// link; only its SHA-256 is stored.
func (db *DB) CreateIntake(ctx context.Context, r *cradle.IntakeReport, files []IntakeFile) (string, error) {
	r.Attachments = nil
	for _, f := range files {
		name := strings.TrimSpace(f.Filename)
		if i := strings.LastIndexAny(name, `/\`); i >= 0 {
			name = name[i+1:]
		}
		if name == "" {
			name = "attachment"
		}
		r.Attachments = append(r.Attachments, cradle.IntakeAttachment{Filename: name, ContentType: sanitizeContentType(f.ContentType), Size: int64(len(f.Data))})
	}
	if err := r.Validate(); err != nil {
		return "", err
	}
	tok := make([]byte, 24)
	rand.Read(tok)
	token := base64.RawURLEncoding.EncodeToString(tok)
	sum := sha256.Sum256([]byte(token))
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		r.Status, r.CreatedAt, r.UpdatedAt = cradle.IntakeReceived, now, now
		for attempt := 0; ; attempt++ {
			r.TrackingID = newTrackingID()
			var exists int
			err := tx.queryRow(ctx, `SELECT COUNT(*) FROM intake_reports WHERE tracking_id = ?`, r.TrackingID).Scan(&exists)
			if err != nil {
				return err
			}
			if exists == 0 {
				break
			}
			if attempt > 5 {
				return fmt.Errorf("could not allocate a tracking ID")
			}
		}
		if err := tx.queryRow(ctx, `INSERT INTO intake_reports (tracking_id, token_hash, product, version, title, description, name, email, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.TrackingID, hex.EncodeToString(sum[:]), r.Product, r.Version, r.Title,
			r.Description, r.Name, r.Email, r.Status, now, now).Scan(&r.ID); err != nil {
			return err
		}
		for i, f := range files {
			h, err := tx.putBlob(ctx, f.Data)
			if err != nil {
				return err
			}
			r.Attachments[i].SHA256 = h
			a := r.Attachments[i]
			if _, err := tx.exec(ctx, `INSERT INTO intake_attachments (report_id, seq, filename, content_type, sha256, size) VALUES (?, ?, ?, ?, ?, ?)`,
				r.ID, i+1, a.Filename, a.ContentType, h, a.Size); err != nil {
				return err
			}
		}
		// The reporter's identity stays out of the audit trail's payload.
		return tx.audit(ctx, cradle.Actor{Name: "public", Via: "intake"}, "intake.create", "intake", r.TrackingID, nil,
			map[string]any{"tracking_id": r.TrackingID, "product": r.Product, "version": r.Version, "title": r.Title, "attachments": len(files), "anonymous": r.Email == "" && r.Name == ""})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

func sanitizeContentType(ct string) string {
	ct = strings.ToLower(strings.TrimSpace(ct))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if ct == "" || len(ct) > 100 || strings.ContainsAny(ct, " \r\n\"") || !strings.Contains(ct, "/") {
		return "application/octet-stream"
	}
	return ct
}

const intakeCols = `ir.id, ir.tracking_id, ir.product, ir.version, ir.title, ir.description, ir.name, ir.email, ir.status, ir.status_note, COALESCE(ir.case_id, 0), ir.created_at, ir.updated_at`

func scanIntake(sc interface{ Scan(...any) error }) (*cradle.IntakeReport, error) {
	var r cradle.IntakeReport
	var caseID int64
	var created, updated nullTime
	err := sc.Scan(&r.ID, &r.TrackingID, &r.Product, &r.Version, &r.Title, &r.Description, &r.Name, &r.Email, &r.Status, &r.StatusNote, &caseID, &created, &updated)
	if caseID != 0 {
		r.CaseRef = cradle.CaseRef(caseID)
	}
	r.CreatedAt, r.UpdatedAt = created.t, updated.t
	return &r, err
}

func (db *DB) intake(ctx context.Context, trackingID string) (*cradle.IntakeReport, string, error) {
	var hash string
	row := db.queryRow(ctx, `SELECT `+intakeCols+`, ir.token_hash FROM intake_reports ir WHERE ir.tracking_id = ?`, strings.ToUpper(strings.TrimSpace(trackingID)))
	var r cradle.IntakeReport
	var caseID int64
	var created, updated nullTime
	err := row.Scan(&r.ID, &r.TrackingID, &r.Product, &r.Version, &r.Title, &r.Description, &r.Name, &r.Email, &r.Status, &r.StatusNote, &caseID, &created, &updated, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", cradle.Errorf(cradle.ENotFound, "no report %s", trackingID)
	} else if err != nil {
		return nil, "", err
	}
	if caseID != 0 {
		r.CaseRef = cradle.CaseRef(caseID)
	}
	r.CreatedAt, r.UpdatedAt = created.t, updated.t
	rows, err := db.query(ctx, `SELECT filename, content_type, sha256, size FROM intake_attachments WHERE report_id = ? ORDER BY seq`, r.ID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var a cradle.IntakeAttachment
		if err := rows.Scan(&a.Filename, &a.ContentType, &a.SHA256, &a.Size); err != nil {
			return nil, "", err
		}
		r.Attachments = append(r.Attachments, a)
	}
	return &r, hash, rows.Err()
}

// Intake returns a report for the PSIRT.
func (db *DB) Intake(ctx context.Context, trackingID string) (*cradle.IntakeReport, error) {
	r, _, err := db.intake(ctx, trackingID)
	return r, err
}

// IntakeForReporter returns the report when token is its status link's
// secret. A wrong token looks exactly like an unknown report.
func (db *DB) IntakeForReporter(ctx context.Context, trackingID, token string) (*cradle.IntakeReport, error) {
	r, hash, err := db.intake(ctx, trackingID)
	sum := sha256.Sum256([]byte(token))
	if err != nil || subtle.ConstantTimeCompare([]byte(hash), []byte(hex.EncodeToString(sum[:]))) != 1 {
		if err != nil && cradle.ErrorCode(err) != cradle.ENotFound {
			return nil, err
		}
		return nil, cradle.Errorf(cradle.ENotFound, "no report %s with this status link", trackingID)
	}
	return r, nil
}

// ListIntake returns reports, newest first, optionally by status.
func (db *DB) ListIntake(ctx context.Context, status string, pg cradle.Page) ([]*cradle.IntakeReport, int, error) {
	pg = pg.Normalize()
	cond, args := "", []any{}
	switch status {
	case "", cradle.IntakeReceived, cradle.IntakeAccepted, cradle.IntakeRejected, cradle.IntakeDuplicate:
	default:
		return nil, 0, cradle.Invalid("invalid filter", cradle.Problem{Location: "status", Message: "must be received, accepted, rejected or duplicate; found " + status})
	}
	if status != "" {
		cond = ` WHERE ir.status = ?`
		args = append(args, status)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM intake_reports ir`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+intakeCols+` FROM intake_reports ir`+cond+` ORDER BY ir.created_at DESC, ir.id DESC`+pageClause(pg), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.IntakeReport
	for rows.Next() {
		r, err := scanIntake(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// UpdateIntake sets a report's status and the note its reporter sees.
func (db *DB) UpdateIntake(ctx context.Context, actor cradle.Actor, trackingID, status, note string) error {
	switch status {
	case cradle.IntakeReceived, cradle.IntakeAccepted, cradle.IntakeRejected, cradle.IntakeDuplicate:
	default:
		return cradle.Invalid("invalid report status", cradle.Problem{Location: "status", Message: "must be received, accepted, rejected or duplicate; found " + status})
	}
	if len(note) > 4000 {
		return cradle.Invalid("invalid report status", cradle.Problem{Location: "status_note", Message: "is longer than 4000 characters"})
	}
	return db.InTx(ctx, func(tx *Tx) error {
		var id int64
		var before string
		err := tx.queryRow(ctx, `SELECT id, status FROM intake_reports WHERE tracking_id = ?`, trackingID).Scan(&id, &before)
		if errors.Is(err, sql.ErrNoRows) {
			return cradle.Errorf(cradle.ENotFound, "no report %s", trackingID)
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE intake_reports SET status = ?, status_note = ?, updated_at = ? WHERE id = ?`, status, strings.TrimSpace(note), db.now(), id); err != nil {
			return err
		}
		return tx.audit(ctx, actor, "intake.update", "intake", trackingID, map[string]string{"status": before}, map[string]string{"status": status, "status_note": note})
	})
}

// CountIntakeSince counts reports received at or after t (rate limits,
// dashboards).
func (db *DB) CountIntakeSince(ctx context.Context, t time.Time) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM intake_reports WHERE created_at >= ?`, t.UTC()).Scan(&n)
	return n, err
}
