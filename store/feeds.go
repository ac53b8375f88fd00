package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// KEVEntry is one entry of CISA's Known Exploited Vulnerabilities catalog.
type KEVEntry struct {
	CVE        string `json:"cve"`
	DateAdded  string `json:"date_added"`
	DueDate    string `json:"due_date,omitempty"`
	Vendor     string `json:"vendor,omitempty"`
	Product    string `json:"product,omitempty"`
	Name       string `json:"name,omitempty"`
	Ransomware string `json:"ransomware,omitempty"`
	Action     string `json:"required_action,omitempty"`
}

// ReplaceKEV replaces the KEV catalog in one transaction and returns the
// CVEs that were not listed before.
func (db *DB) ReplaceKEV(ctx context.Context, entries []KEVEntry) (added []string, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		old := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT cve FROM kev`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			old[c] = true
		}
		rows.Close()
		if _, err := tx.exec(ctx, `DELETE FROM kev`); err != nil {
			return err
		}
		for start := 0; start < len(entries); start += 500 {
			end := min(start+500, len(entries))
			var q strings.Builder
			q.WriteString(`INSERT INTO kev (cve, date_added, due_date, vendor, product, name, ransomware, action) VALUES `)
			args := make([]any, 0, 8*(end-start))
			for i, e := range entries[start:end] {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString("(?,?,?,?,?,?,?,?)")
				args = append(args, e.CVE, e.DateAdded, e.DueDate, e.Vendor, e.Product, e.Name, e.Ransomware, e.Action)
				if !old[e.CVE] {
					added = append(added, e.CVE)
				}
			}
			if _, err := tx.exec(ctx, q.String()+` ON CONFLICT (cve) DO NOTHING`, args...); err != nil {
				return err
			}
		}
		return tx.noticeKEV(ctx, added)
	})
	return added, err
}

// noticeKEV records, for each newly listed CVE, a notice per release with
// open findings of it. Released products need CRA Art. 14 attention: an
// actively exploited vulnerability must be reported within 24 hours of
// becoming aware of it.
func (tx *Tx) noticeKEV(ctx context.Context, added []string) error {
	for start := 0; start < len(added); start += 400 {
		end := min(start+400, len(added))
		marks := strings.TrimSuffix(strings.Repeat("?,", end-start), ",")
		args := make([]any, 0, end-start)
		for _, c := range added[start:end] {
			args = append(args, c)
		}
		rows, err := tx.QueryContext(ctx, tx.db.rebind(`SELECT DISTINCT i.alias, f.group_id, f.release_id, p.name, r.version, r.lifecycle
			FROM vuln_ids i JOIN vulnerabilities v ON v.id = i.vuln_id
			JOIN findings f ON f.group_id = v.group_id AND f.resolved_at IS NULL
			JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = r.product_id
			WHERE i.alias IN (`+marks+`) ORDER BY i.alias, f.release_id`), args...)
		if err != nil {
			return err
		}
		type hit struct {
			cve, group, product, version, lifecycle string
			rel                                     int64
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.cve, &h.group, &h.rel, &h.product, &h.version, &h.lifecycle); err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, h := range hits {
			summary := fmt.Sprintf("%s is actively exploited (added to the CISA KEV catalog) and affects %s %s", h.cve, h.product, h.version)
			art14 := h.lifecycle == string(cradle.LifecycleReleased)
			if art14 {
				summary += ": a released product, CRA Art. 14 reporting applies (early warning within 24 h)"
			}
			if err := tx.notify(ctx, cradle.NoticeKEV, h.rel, h.group, summary,
				map[string]any{"cve": h.cve, "vulnerability": h.group, "product": h.product, "release": h.version, "lifecycle": h.lifecycle, "cra_article_14": art14}); err != nil {
				return err
			}
		}
	}
	return nil
}

// KEV returns the catalog entry of a CVE, or ENotFound.
func (db *DB) KEV(ctx context.Context, cve string) (*KEVEntry, error) {
	var e KEVEntry
	err := db.queryRow(ctx, `SELECT cve, date_added, due_date, vendor, product, name, ransomware, action FROM kev WHERE cve = ?`, cve).
		Scan(&e.CVE, &e.DateAdded, &e.DueDate, &e.Vendor, &e.Product, &e.Name, &e.Ransomware, &e.Action)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &e, err
}

// EPSSScore is one row of FIRST's EPSS data.
type EPSSScore struct {
	CVE        string
	Score      float64
	Percentile float64
}

// ReplaceEPSS replaces all EPSS scores in one transaction. produce calls
// emit with each score and returns the scores' date (YYYY-MM-DD); scores
// are inserted in batches as they come, and an error from produce rolls
// everything back.
func (db *DB) ReplaceEPSS(ctx context.Context, produce func(emit func(EPSSScore) error) (string, error)) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM epss`); err != nil {
			return err
		}
		batch := make([]EPSSScore, 0, 1000)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			var q strings.Builder
			q.WriteString(`INSERT INTO epss (cve, score, percentile, score_date) VALUES `)
			args := make([]any, 0, 3*len(batch))
			for i, s := range batch {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString("(?,?,?,'')")
				args = append(args, s.CVE, s.Score, s.Percentile)
			}
			batch = batch[:0]
			_, err := tx.exec(ctx, q.String()+` ON CONFLICT (cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile`, args...)
			return err
		}
		date, err := produce(func(s EPSSScore) error {
			batch = append(batch, s)
			n++
			if len(batch) == cap(batch) {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE epss SET score_date = ?`, date)
		return err
	})
	return n, err
}

// Feed is the state of one vulnerability-data source.
type Feed struct {
	Source       string    `json:"source"` // osv:PyPI, kev, epss, file:...
	URL          string    `json:"url,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	CheckedAt    time.Time `json:"checked_at,omitzero"`
	ImportedAt   time.Time `json:"imported_at,omitzero"`
	Records      int64     `json:"records"`
	Skipped      int64     `json:"skipped"`
	Status       string    `json:"status"` // ok, not-modified, error
	Error        string    `json:"error,omitempty"`
}

// SaveFeed records a source's state.
func (db *DB) SaveFeed(ctx context.Context, f *Feed) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO feeds (source, url, etag, last_modified, checked_at, imported_at, records, skipped, status, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
		checked_at = excluded.checked_at, imported_at = excluded.imported_at, records = excluded.records,
		skipped = excluded.skipped, status = excluded.status, error = excluded.error`),
		f.Source, f.URL, f.ETag, f.LastModified, timeArg(f.CheckedAt), timeArg(f.ImportedAt), f.Records, f.Skipped, f.Status, f.Error)
	return err
}

// Feeds returns every source's state, by name.
func (db *DB) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := db.query(ctx, `SELECT source, url, etag, last_modified, checked_at, imported_at, records, skipped, status, error FROM feeds ORDER BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var f Feed
		var c, i nullTime
		if err := rows.Scan(&f.Source, &f.URL, &f.ETag, &f.LastModified, &c, &i, &f.Records, &f.Skipped, &f.Status, &f.Error); err != nil {
			return nil, err
		}
		f.CheckedAt, f.ImportedAt = c.t, i.t
		out = append(out, f)
	}
	return out, rows.Err()
}

// Feed returns one source's state (zero Feed when never seen).
func (db *DB) Feed(ctx context.Context, source string) (Feed, error) {
	fs, err := db.Feeds(ctx)
	for _, f := range fs {
		if f.Source == source {
			return f, err
		}
	}
	return Feed{Source: source}, err
}

// VulnCounts summarises the loaded data per source.
func (db *DB) VulnCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	rows, err := db.query(ctx, `SELECT source, COUNT(*) FROM vulnerabilities GROUP BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	for _, t := range []string{"kev", "epss"} {
		var n int64
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}

// KEVFor returns the date the vulnerability id (any of its IDs, through its
// group) was added to the KEV catalog, or "" when it is not listed.
func (db *DB) KEVFor(ctx context.Context, id string) (string, error) {
	var added sql.NullString
	err := db.queryRow(ctx, `SELECT MIN(k.date_added) FROM kev k WHERE k.cve = ? OR k.cve IN (
		SELECT i2.alias FROM vuln_ids i JOIN vulnerabilities v ON v.id = i.vuln_id
		JOIN vulnerabilities gv ON gv.group_id = v.group_id JOIN vuln_ids i2 ON i2.vuln_id = gv.id WHERE i.alias = ?)`, id, id).Scan(&added)
	return added.String, err
}
