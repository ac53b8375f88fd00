package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// audit appends one entry to the audit trail inside tx. before and after
// are any JSON-encodable values (nil for none). The UPDATE of audit_head
// comes first: it takes the row lock in PostgreSQL, so concurrent
// transactions append one at a time and the chain never forks.
func (tx *Tx) audit(ctx context.Context, actor cradle.Actor, action, entityType string, entityID any, before, after any) error {
	var seq int64
	var prev string
	err := tx.queryRow(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prev)
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := cradle.AuditEntry{
		Seq: seq, At: tx.db.now(), Actor: actor.String(), Action: action,
		EntityType: entityType, EntityID: fmt.Sprint(entityID), PrevHash: prev,
	}
	if e.Before, err = marshalOpt(before); err != nil {
		return err
	}
	if e.After, err = marshalOpt(after); err != nil {
		return err
	}
	e.Hash = e.ComputeHash()
	if _, err := tx.exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, entity_type, entity_id, before_json, after_json, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.Actor, e.Action, e.EntityType, e.EntityID, rawArg(e.Before), rawArg(e.After), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

func marshalOpt(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return b, nil
}

func rawArg(m json.RawMessage) any {
	if m == nil {
		return nil
	}
	return string(m)
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	EntityType string
	EntityID   string
}

// ListAudit returns a page of the audit trail, newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, p cradle.Page) ([]cradle.AuditEntry, int, error) {
	p = p.Normalize()
	where, args := "WHERE 1=1", []any{}
	if f.EntityType != "" {
		where += " AND entity_type = ?"
		args = append(args, f.EntityType)
	}
	if f.EntityID != "" {
		where += " AND entity_id = ?"
		args = append(args, f.EntityID)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM audit_log `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT seq, at, actor, action, entity_type, entity_id, before_json, after_json, prev_hash, hash
		FROM audit_log `+where+` ORDER BY id DESC`+pageClause(p), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []cradle.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func scanAudit(rows *sql.Rows) (cradle.AuditEntry, error) {
	var e cradle.AuditEntry
	var at nullTime
	var before, after sql.NullString
	if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.EntityType, &e.EntityID, &before, &after, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	e.At = at.t
	if before.Valid {
		e.Before = json.RawMessage(before.String)
	}
	if after.Valid {
		e.After = json.RawMessage(after.String)
	}
	return e, nil
}

// AuditReport is the result of verifying the audit trail.
type AuditReport struct {
	Entries int64              `json:"entries"`
	Intact  bool               `json:"intact"`
	Break   *cradle.AuditBreak `json:"break,omitempty"`
}

// VerifyAudit walks the whole chain in append order and reports the first
// entry that was altered, removed or reordered. Removal of the newest
// entries shows as a mismatch with audit_head.
func (db *DB) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	rows, err := db.query(ctx, `SELECT seq, at, actor, action, entity_type, entity_id, before_json, after_json, prev_hash, hash
		FROM audit_log ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var entries []cradle.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep := &AuditReport{Entries: int64(len(entries))}
	if b := cradle.VerifyChain(entries); b != nil {
		rep.Break = b
		return rep, nil
	}
	var headSeq int64
	var headHash string
	if err := db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return nil, err
	}
	var lastSeq int64
	lastHash := cradle.GenesisHash
	if n := len(entries); n > 0 {
		lastSeq, lastHash = entries[n-1].Seq, entries[n-1].Hash
	}
	if headSeq != lastSeq || headHash != lastHash {
		rep.Break = &cradle.AuditBreak{Seq: lastSeq + 1, Reason: "removed",
			Detail: fmt.Sprintf("the trail ends at entry %d but %d entries were appended", lastSeq, headSeq)}
		return rep, nil
	}
	rep.Intact = true
	return rep, nil
}

// AuditCheck is a recorded run of the audit-chain verification job.
type AuditCheck struct {
	JobID     int64     `json:"job_id"`
	CheckedAt time.Time `json:"checked_at"`
	CheckedBy string    `json:"checked_by"` // server instance that ran it
	Entries   int64     `json:"entries"`
	Intact    bool      `json:"intact"`
	BreakSeq  int64     `json:"break_seq,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// RecordAuditCheck stores the result of a verification job. A job that is
// retried after it recorded its result is a conflict, not a second row.
func (db *DB) RecordAuditCheck(ctx context.Context, jobID int64, by string, rep *AuditReport) error {
	var seq any
	reason := ""
	if rep.Break != nil {
		seq, reason = rep.Break.Seq, rep.Break.Reason+": "+rep.Break.Detail
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO audit_checks (job_id, checked_at, checked_by, entries, intact, break_seq, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), jobID, db.now(), by, rep.Entries, rep.Intact, seq, reason)
	if isUniqueViolation(err) {
		return cradle.Errorf(cradle.EConflict, "audit check of job %d already recorded", jobID)
	}
	return err
}

// AuditChecks returns the most recent verification runs, newest first.
func (db *DB) AuditChecks(ctx context.Context, limit int) ([]AuditCheck, error) {
	rows, err := db.query(ctx, `SELECT job_id, checked_at, checked_by, entries, intact, COALESCE(break_seq, 0), reason
		FROM audit_checks ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditCheck
	for rows.Next() {
		var c AuditCheck
		var at nullTime
		if err := rows.Scan(&c.JobID, &at, &c.CheckedBy, &c.Entries, &c.Intact, &c.BreakSeq, &c.Reason); err != nil {
			return nil, err
		}
		c.CheckedAt = at.t
		out = append(out, c)
	}
	return out, rows.Err()
}

// PurgeSessions deletes expired sessions and returns how many.
func (db *DB) PurgeSessions(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE expires_at < ?`), db.now())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
