package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// ImportResult tells what an SBOM import did.
type ImportResult struct {
	Document cradle.SBOMDocument `json:"document"`
	// Unchanged is true when the identical document was already the
	// release's current SBOM: nothing was written.
	Unchanged bool `json:"unchanged"`
	// Reinstated is true when the document was an earlier SBOM of the
	// release, made current again: nothing new was stored.
	Reinstated bool `json:"reinstated,omitempty"`
	// Replaced is the ID of the SBOM that was current before, or 0.
	Replaced int64            `json:"replaced_sbom_id,omitempty"`
	Warnings []cradle.Problem `json:"warnings,omitempty"`
}

// Progress is told how many components of total have been stored.
type Progress func(done, total int)

// batch sizes keep every statement under SQLite's 32766 and PostgreSQL's
// 65535 bind parameters.
const (
	componentBatch = 500 // x 18 columns
	edgeBatch      = 2000
)

// ImportSBOM stores raw (the original document) and doc (its normalised
// form, from package sbom) as the current SBOM of a release, in one
// transaction: either the whole SBOM and its components become current, or
// nothing changes. The previous SBOM stays in the history. Importing the
// document that is already current is a no-op.
func (db *DB) ImportSBOM(ctx context.Context, actor cradle.Actor, product, version string, raw []byte, doc *cradle.SBOM, progress Progress) (*ImportResult, error) {
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	res := &ImportResult{Warnings: doc.Warnings}
	err := db.InTx(ctx, func(tx *Tx) error {
		rel, err := releaseByName(ctx, tx.q(), product, version)
		if err != nil {
			return err
		}
		res.Replaced = rel.CurrentSBOMID
		var existing int64
		err = tx.queryRow(ctx, `SELECT id FROM sbom_documents WHERE release_id = ? AND sha256 = ?`, rel.ID, hash).Scan(&existing)
		switch {
		case err == nil && existing == rel.CurrentSBOMID:
			res.Unchanged, res.Replaced = true, 0
			d, err := sbomDocument(ctx, tx.q(), existing)
			if err != nil {
				return err
			}
			res.Document = *d
			return nil
		case err == nil:
			// An earlier SBOM of this release becomes current again.
			if _, err := tx.exec(ctx, `UPDATE releases SET current_sbom_id = ?, updated_at = ? WHERE id = ?`, existing, db.now(), rel.ID); err != nil {
				return err
			}
			d, err := sbomDocument(ctx, tx.q(), existing)
			if err != nil {
				return err
			}
			res.Document, res.Reinstated = *d, true
			res.Document.Current = true
			return tx.audit(ctx, actor, "sbom.reinstate", "release", rel.ID,
				map[string]any{"sbom_id": rel.CurrentSBOMID}, map[string]any{"sbom_id": existing, "sha256": hash})
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		now := db.now()
		d := cradle.SBOMDocument{
			ReleaseID: rel.ID, Format: doc.Format, Encoding: doc.Encoding, SpecVersion: doc.SpecVersion,
			Name: doc.Name, SHA256: hash, Size: int64(len(raw)), ComponentCount: len(doc.Components),
			EdgeCount: len(doc.Dependencies), Current: true, ImportedAt: now, ImportedBy: actor.String(),
		}
		err = tx.queryRow(ctx, `INSERT INTO sbom_documents (release_id, format, encoding, spec_version, name, sha256, size, content,
			component_count, edge_count, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.ReleaseID, d.Format, d.Encoding, d.SpecVersion, d.Name, d.SHA256, d.Size, raw,
			d.ComponentCount, d.EdgeCount, d.ImportedAt, d.ImportedBy).Scan(&d.ID)
		if err != nil {
			return fmt.Errorf("insert sbom: %w", err)
		}
		ids, err := tx.insertComponents(ctx, d.ID, doc.Components, progress)
		if err != nil {
			return err
		}
		if err := tx.insertEdges(ctx, d.ID, doc.Dependencies, ids); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE releases SET current_sbom_id = ?, updated_at = ? WHERE id = ?`, d.ID, now, rel.ID); err != nil {
			return fmt.Errorf("update release: %w", err)
		}
		res.Document = d
		return tx.audit(ctx, actor, "sbom.import", "release", rel.ID,
			map[string]any{"sbom_id": rel.CurrentSBOMID, "component_count": rel.ComponentCount},
			map[string]any{"sbom_id": d.ID, "sha256": hash, "format": d.Format, "spec_version": d.SpecVersion,
				"component_count": d.ComponentCount, "edge_count": d.EdgeCount})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (tx *Tx) insertComponents(ctx context.Context, sbomID int64, comps []cradle.Component, progress Progress) (map[string]int64, error) {
	ids := make(map[string]int64, len(comps))
	const cols = 18
	for start := 0; start < len(comps); start += componentBatch {
		end := min(start+componentBatch, len(comps))
		var q strings.Builder
		q.WriteString(`INSERT INTO components (sbom_id, ref, type, grp, name, name_lower, version, purl, cpe, supplier,
			manufacturer, licenses, hashes, scope, description, depth, eco, pkg) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			c := &comps[i]
			if i > start {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			hashes := ""
			if len(c.Hashes) > 0 {
				b, _ := json.Marshal(c.Hashes)
				hashes = string(b)
			}
			args = append(args, sbomID, c.Ref, c.Type, c.Group, c.Name, strings.ToLower(c.Name), c.Version, c.PURL, c.CPE,
				c.Supplier, c.Manufacturer, c.Licenses, hashes, c.Scope, c.Description, c.Depth, c.Ecosystem, c.Package)
		}
		q.WriteString(" RETURNING id, ref")
		rows, err := tx.QueryContext(ctx, tx.db.rebind(q.String()), args...)
		if err != nil {
			return nil, fmt.Errorf("insert components: %w", err)
		}
		for rows.Next() {
			var id int64
			var ref string
			if err := rows.Scan(&id, &ref); err != nil {
				rows.Close()
				return nil, err
			}
			ids[ref] = id
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert components: %w", err)
		}
		if progress != nil {
			progress(end, len(comps))
		}
	}
	return ids, nil
}

func (tx *Tx) insertEdges(ctx context.Context, sbomID int64, deps []cradle.Dependency, ids map[string]int64) error {
	type edge struct{ from, to int64 }
	seen := make(map[edge]bool, len(deps))
	edges := make([]edge, 0, len(deps))
	for _, d := range deps {
		from, ok1 := ids[d.From]
		to, ok2 := ids[d.To]
		if !ok1 || !ok2 {
			return cradle.Invalid("dependency refers to an unknown component",
				cradle.Problem{Location: "dependency " + d.From + " -> " + d.To, Message: "ref not among the components"})
		}
		e := edge{from, to}
		if !seen[e] {
			seen[e] = true
			edges = append(edges, e)
		}
	}
	for start := 0; start < len(edges); start += edgeBatch {
		end := min(start+edgeBatch, len(edges))
		var q strings.Builder
		q.WriteString(`INSERT INTO dependencies (sbom_id, from_id, to_id) VALUES `)
		args := make([]any, 0, (end-start)*3)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?)")
			args = append(args, sbomID, edges[i].from, edges[i].to)
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert dependencies: %w", err)
		}
	}
	return nil
}

const sbomCols = `d.id, d.release_id, d.format, d.encoding, d.spec_version, d.name, d.sha256, d.size,
	d.component_count, d.edge_count, d.imported_at, d.imported_by,
	CASE WHEN r.current_sbom_id = d.id THEN 1 ELSE 0 END`

func scanSBOMDoc(sc interface{ Scan(...any) error }) (*cradle.SBOMDocument, error) {
	var d cradle.SBOMDocument
	var at nullTime
	var cur int
	err := sc.Scan(&d.ID, &d.ReleaseID, &d.Format, &d.Encoding, &d.SpecVersion, &d.Name, &d.SHA256, &d.Size,
		&d.ComponentCount, &d.EdgeCount, &at, &d.ImportedBy, &cur)
	d.ImportedAt, d.Current = at.t, cur == 1
	return &d, err
}

func sbomDocument(ctx context.Context, q queryer, id int64) (*cradle.SBOMDocument, error) {
	d, err := scanSBOMDoc(q.QueryRowContext(ctx, `SELECT `+sbomCols+` FROM sbom_documents d JOIN releases r ON r.id = d.release_id WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no SBOM %d", id)
	}
	return d, err
}

// ListSBOMs returns a release's SBOM history, newest first.
func (db *DB) ListSBOMs(ctx context.Context, product, version string, pg cradle.Page) ([]*cradle.SBOMDocument, int, error) {
	pg = pg.Normalize()
	rel, err := db.Release(ctx, product, version)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM sbom_documents WHERE release_id = ?`, rel.ID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+sbomCols+` FROM sbom_documents d JOIN releases r ON r.id = d.release_id
		WHERE d.release_id = ? ORDER BY d.id DESC`+pageClause(pg), rel.ID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.SBOMDocument
	for rows.Next() {
		d, err := scanSBOMDoc(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// SBOMDocument returns a stored SBOM of the release, without its content.
func (db *DB) SBOMDocument(ctx context.Context, product, version string, id int64) (*cradle.SBOMDocument, error) {
	rel, err := db.Release(ctx, product, version)
	if err != nil {
		return nil, err
	}
	d, err := sbomDocument(ctx, db.r(), id)
	if err != nil || d.ReleaseID != rel.ID {
		return nil, cradle.Errorf(cradle.ENotFound, "release %s %s has no SBOM %d", product, version, id)
	}
	return d, nil
}

// SBOMContent returns the original bytes of a stored SBOM of the release.
func (db *DB) SBOMContent(ctx context.Context, product, version string, id int64) (*cradle.SBOMDocument, []byte, error) {
	d, err := db.SBOMDocument(ctx, product, version, id)
	if err != nil {
		return nil, nil, err
	}
	var content []byte
	if err := db.queryRow(ctx, `SELECT content FROM sbom_documents WHERE id = ?`, id).Scan(&content); err != nil {
		return nil, nil, err
	}
	return d, content, nil
}

const componentCols = `c.id, c.sbom_id, c.ref, c.type, c.grp, c.name, c.version, c.purl, c.cpe, c.supplier,
	c.manufacturer, c.licenses, c.hashes, c.scope, c.description, c.depth, c.eco, c.pkg`

func scanComponent(sc interface{ Scan(...any) error }, c *cradle.Component) error {
	var hashes string
	if err := sc.Scan(&c.ID, &c.SBOMID, &c.Ref, &c.Type, &c.Group, &c.Name, &c.Version, &c.PURL, &c.CPE, &c.Supplier,
		&c.Manufacturer, &c.Licenses, &hashes, &c.Scope, &c.Description, &c.Depth, &c.Ecosystem, &c.Package); err != nil {
		return err
	}
	if hashes != "" {
		if err := json.Unmarshal([]byte(hashes), &c.Hashes); err != nil {
			return fmt.Errorf("component %d hashes: %w", c.ID, err)
		}
	}
	return nil
}

// LoadSBOM rebuilds the normalised SBOM of a release's current component
// set from the stored rows, for export.
func (db *DB) LoadSBOM(ctx context.Context, product, version string) (*cradle.SBOM, *cradle.SBOMDocument, error) {
	rel, err := db.Release(ctx, product, version)
	if err != nil {
		return nil, nil, err
	}
	if rel.CurrentSBOMID == 0 {
		return nil, nil, cradle.Errorf(cradle.ENotFound, "release %s %s has no SBOM yet", product, version)
	}
	d, err := sbomDocument(ctx, db.r(), rel.CurrentSBOMID)
	if err != nil {
		return nil, nil, err
	}
	s := &cradle.SBOM{Name: rel.ProductName, SpecVersion: d.SpecVersion, Format: d.Format, Encoding: d.Encoding, Created: d.ImportedAt}
	rows, err := db.query(ctx, `SELECT `+componentCols+` FROM components c WHERE c.sbom_id = ? ORDER BY c.id`, d.ID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	refs := make(map[int64]string)
	for rows.Next() {
		var c cradle.Component
		if err := scanComponent(rows, &c); err != nil {
			return nil, nil, err
		}
		refs[c.ID] = c.Ref
		if c.Depth == 0 {
			s.Root = c.Ref
		}
		s.Components = append(s.Components, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	erows, err := db.query(ctx, `SELECT from_id, to_id FROM dependencies WHERE sbom_id = ? ORDER BY from_id, to_id`, d.ID)
	if err != nil {
		return nil, nil, err
	}
	defer erows.Close()
	for erows.Next() {
		var from, to int64
		if err := erows.Scan(&from, &to); err != nil {
			return nil, nil, err
		}
		s.Dependencies = append(s.Dependencies, cradle.Dependency{From: refs[from], To: refs[to]})
	}
	return s, d, erows.Err()
}

// ComponentFilter narrows a release's component list.
type ComponentFilter struct {
	Query    string // case-insensitive substring of name, or purl prefix when it starts with "pkg:"
	Relation string // "", "direct", "transitive"
}

// ListComponents returns a page of a release's current components.
func (db *DB) ListComponents(ctx context.Context, product, version string, f ComponentFilter, pg cradle.Page) ([]cradle.Component, int, error) {
	pg = pg.Normalize()
	if f.Relation != "" && f.Relation != "direct" && f.Relation != "transitive" {
		return nil, 0, cradle.Invalid("invalid filter", cradle.Problem{Location: "relation", Message: "must be direct or transitive; found " + strconv.Quote(f.Relation)})
	}
	rel, err := db.Release(ctx, product, version)
	if err != nil {
		return nil, 0, err
	}
	if rel.CurrentSBOMID == 0 {
		return nil, 0, nil
	}
	where, args := "c.sbom_id = ?", []any{rel.CurrentSBOMID}
	if q := strings.TrimSpace(f.Query); q != "" {
		if strings.HasPrefix(q, "pkg:") {
			where += " AND c.purl >= ? AND c.purl < ?"
			args = append(args, q, prefixEnd(q))
		} else {
			where += " AND (c.name_lower LIKE ? ESCAPE '\\' OR c.purl LIKE ? ESCAPE '\\')"
			like := "%" + escapeLike(strings.ToLower(q)) + "%"
			args = append(args, like, like)
		}
	}
	switch f.Relation {
	case "direct":
		where += " AND c.depth = 1"
	case "transitive":
		where += " AND c.depth > 1"
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM components c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+componentCols+` FROM components c WHERE `+where+
		` ORDER BY c.depth < 0, c.depth, c.name_lower, c.version, c.id`+pageClause(pg), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []cradle.Component
	for rows.Next() {
		var c cradle.Component
		if err := scanComponent(rows, &c); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// ComponentDetail is one component of a release with its neighbours in the
// dependency graph.
type ComponentDetail struct {
	Component    cradle.Component   `json:"component"`
	DependsOn    []cradle.Component `json:"depends_on"`
	DependedOnBy []cradle.Component `json:"depended_on_by"`
}

// Component returns one component of a release's current SBOM by its ID,
// with what it depends on and what depends on it.
func (db *DB) Component(ctx context.Context, product, version string, id int64) (*ComponentDetail, error) {
	rel, err := db.Release(ctx, product, version)
	if err != nil {
		return nil, err
	}
	d := ComponentDetail{DependsOn: []cradle.Component{}, DependedOnBy: []cradle.Component{}}
	err = scanComponent(db.queryRow(ctx, `SELECT `+componentCols+` FROM components c WHERE c.id = ? AND c.sbom_id = ?`, id, rel.CurrentSBOMID), &d.Component)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "release %s %s has no component %d", product, version, id)
	} else if err != nil {
		return nil, err
	}
	for _, side := range []struct {
		q   string
		out *[]cradle.Component
	}{
		{`SELECT ` + componentCols + ` FROM dependencies e JOIN components c ON c.id = e.to_id WHERE e.sbom_id = ? AND e.from_id = ? ORDER BY c.name_lower`, &d.DependsOn},
		{`SELECT ` + componentCols + ` FROM dependencies e JOIN components c ON c.id = e.from_id WHERE e.sbom_id = ? AND e.to_id = ? ORDER BY c.name_lower`, &d.DependedOnBy},
	} {
		rows, err := db.query(ctx, side.q, rel.CurrentSBOMID, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c cradle.Component
			if err := scanComponent(rows, &c); err != nil {
				rows.Close()
				return nil, err
			}
			*side.out = append(*side.out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// Occurrence is one place a component is shipped.
type Occurrence struct {
	Product   string           `json:"product"`
	Version   string           `json:"release"`
	Lifecycle cradle.Lifecycle `json:"lifecycle"`
	Component cradle.Component `json:"component"`
}

// SearchComponents finds every current release containing a component
// whose purl starts with q (when q starts with "pkg:") or whose name
// starts with q, case-insensitively. Results come in index order (purl or
// name, then SBOM), so the page is read straight off the covering index
// (purl, sbom_id) or (name_lower, sbom_id) without sorting the matches.
func (db *DB) SearchComponents(ctx context.Context, q string, pg cradle.Page) ([]Occurrence, int, error) {
	pg = pg.Normalize()
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, 0, cradle.Invalid("invalid search", cradle.Problem{Location: "q", Message: "a name, purl or purl prefix is required"})
	}
	col, key := "c.name_lower", strings.ToLower(q)
	if strings.HasPrefix(q, "pkg:") {
		col, key = "c.purl", q
	}
	where := col + ` >= ? AND ` + col + ` < ?`
	args := []any{key, prefixEnd(key)}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM components c JOIN releases r ON r.current_sbom_id = c.sbom_id WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT p.name, r.version, r.lifecycle, `+componentCols+`
		FROM components c JOIN releases r ON r.current_sbom_id = c.sbom_id JOIN products p ON p.id = r.product_id
		WHERE `+where+` ORDER BY `+col+`, c.sbom_id, c.id`+pageClause(pg), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Occurrence
	for rows.Next() {
		var o Occurrence
		var lc string
		c := &o.Component
		var hashes string
		if err := rows.Scan(&o.Product, &o.Version, &lc, &c.ID, &c.SBOMID, &c.Ref, &c.Type, &c.Group, &c.Name, &c.Version,
			&c.PURL, &c.CPE, &c.Supplier, &c.Manufacturer, &c.Licenses, &hashes, &c.Scope, &c.Description, &c.Depth, &c.Ecosystem, &c.Package); err != nil {
			return nil, 0, err
		}
		if hashes != "" {
			_ = json.Unmarshal([]byte(hashes), &c.Hashes)
		}
		o.Lifecycle = cradle.Lifecycle(lc)
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// prefixEnd returns a string greater than every string with prefix p
// (p followed by the largest code point), so that `x >= p AND x <
// prefixEnd(p)` is a prefix match on a byte-ordered index ("C" collation
// in PostgreSQL, BINARY in SQLite). It stays valid UTF-8 for PostgreSQL.
func prefixEnd(p string) string { return p + "\U0010FFFF" }

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
