package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	cradle "github.com/cradle-sdl/cradle"
)

const releaseCols = `r.id, r.product_id, p.name, r.version, r.release_date, r.lifecycle, COALESCE(r.current_sbom_id, 0),
	COALESCE((SELECT d.component_count FROM sbom_documents d WHERE d.id = r.current_sbom_id), 0),
	r.created_at, r.updated_at`

func scanRelease(sc interface{ Scan(...any) error }) (*cradle.Release, error) {
	var r cradle.Release
	var lc string
	var created, updated nullTime
	err := sc.Scan(&r.ID, &r.ProductID, &r.ProductName, &r.Version, &r.ReleaseDate, &lc, &r.CurrentSBOMID,
		&r.ComponentCount, &created, &updated)
	r.Lifecycle = cradle.Lifecycle(lc)
	r.CreatedAt, r.UpdatedAt = created.t, updated.t
	return &r, err
}

// CreateRelease stores a new release of the product named product.
func (db *DB) CreateRelease(ctx context.Context, actor cradle.Actor, product string, r *cradle.Release) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		p, err := productByName(ctx, tx.q(), product)
		if err != nil {
			return err
		}
		now := db.now()
		err = tx.queryRow(ctx, `INSERT INTO releases (product_id, version, release_date, lifecycle, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			p.ID, r.Version, r.ReleaseDate, string(r.Lifecycle), now, now).Scan(&r.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "product %q already has a release %q", p.Name, r.Version)
		} else if err != nil {
			return fmt.Errorf("insert release: %w", err)
		}
		r.ProductID, r.ProductName, r.CreatedAt, r.UpdatedAt = p.ID, p.Name, now, now
		return tx.audit(ctx, actor, "release.create", "release", r.ID, nil, r)
	})
}

// UpdateRelease changes a release's date and lifecycle state.
func (db *DB) UpdateRelease(ctx context.Context, actor cradle.Actor, product, version string, r *cradle.Release) error {
	if r.Version == "" {
		r.Version = version
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		before, err := releaseByName(ctx, tx.q(), product, version)
		if err != nil {
			return err
		}
		now := db.now()
		_, err = tx.exec(ctx, `UPDATE releases SET version = ?, release_date = ?, lifecycle = ?, updated_at = ? WHERE id = ?`,
			r.Version, r.ReleaseDate, string(r.Lifecycle), now, before.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "product %q already has a release %q", product, r.Version)
		} else if err != nil {
			return fmt.Errorf("update release: %w", err)
		}
		r.ID, r.ProductID, r.ProductName, r.CreatedAt, r.UpdatedAt = before.ID, before.ProductID, before.ProductName, before.CreatedAt, now
		r.CurrentSBOMID, r.ComponentCount = before.CurrentSBOMID, before.ComponentCount
		return tx.audit(ctx, actor, "release.update", "release", r.ID, before, r)
	})
}

func releaseByName(ctx context.Context, q queryer, product, version string) (*cradle.Release, error) {
	r, err := scanRelease(q.QueryRowContext(ctx, `SELECT `+releaseCols+`
		FROM releases r JOIN products p ON p.id = r.product_id WHERE p.name = ? AND r.version = ?`, product, version))
	if errors.Is(err, sql.ErrNoRows) {
		if _, perr := productByName(ctx, q, product); perr != nil {
			return nil, perr
		}
		return nil, cradle.Errorf(cradle.ENotFound, "product %q has no release %q", product, version)
	}
	return r, err
}

func releaseByID(ctx context.Context, q queryer, id int64) (*cradle.Release, error) {
	r, err := scanRelease(q.QueryRowContext(ctx, `SELECT `+releaseCols+`
		FROM releases r JOIN products p ON p.id = r.product_id WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no release with id %d", id)
	}
	return r, err
}

// Release returns one release of a product.
func (db *DB) Release(ctx context.Context, product, version string) (*cradle.Release, error) {
	return releaseByName(ctx, db.r(), product, version)
}

// ListReleases returns a page of a product's releases, newest first.
func (db *DB) ListReleases(ctx context.Context, product string, pg cradle.Page) ([]*cradle.Release, int, error) {
	pg = pg.Normalize()
	p, err := db.Product(ctx, product)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM releases WHERE product_id = ?`, p.ID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+releaseCols+` FROM releases r JOIN products p ON p.id = r.product_id
		WHERE r.product_id = ? ORDER BY r.created_at DESC, r.id DESC`+pageClause(pg), p.ID)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
