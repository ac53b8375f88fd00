package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

const productCols = `p.id, p.name, p.description, p.manufacturer, p.intended_purpose, p.cra_class,
	p.support_start, p.support_end, p.support_rationale, p.member_states, p.model_numbers, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM releases r WHERE r.product_id = p.id)`

func scanProduct(sc interface{ Scan(...any) error }) (*cradle.Product, error) {
	var p cradle.Product
	var created, updated nullTime
	var class, states, models string
	err := sc.Scan(&p.ID, &p.Name, &p.Description, &p.Manufacturer, &p.IntendedPurpose, &class,
		&p.SupportStart, &p.SupportEnd, &p.SupportRationale, &states, &models, &created, &updated, &p.ReleaseCount)
	if states != "" {
		p.MemberStates = strings.Split(states, ",")
	}
	if models != "" {
		p.ModelNumbers = strings.Split(models, ",")
	}
	p.Class = cradle.CRAClass(class)
	p.CreatedAt, p.UpdatedAt = created.t, updated.t
	return &p, err
}

// CreateProduct validates and stores p, filling its ID and timestamps.
func (db *DB) CreateProduct(ctx context.Context, actor cradle.Actor, p *cradle.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		err := tx.queryRow(ctx, `INSERT INTO products (name, description, manufacturer, intended_purpose, cra_class,
			support_start, support_end, support_rationale, member_states, model_numbers, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.Name, p.Description, p.Manufacturer, p.IntendedPurpose, string(p.Class),
			p.SupportStart, p.SupportEnd, p.SupportRationale, strings.Join(p.MemberStates, ","), strings.Join(p.ModelNumbers, ","), now, now).Scan(&p.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "a product named %q already exists", p.Name)
		} else if err != nil {
			return fmt.Errorf("insert product: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = now, now
		return tx.audit(ctx, actor, "product.create", "product", p.ID, nil, p)
	})
}

// UpdateProduct replaces the editable fields of the product named name.
func (db *DB) UpdateProduct(ctx context.Context, actor cradle.Actor, name string, p *cradle.Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		before, err := productByName(ctx, tx.q(), name)
		if err != nil {
			return err
		}
		now := db.now()
		_, err = tx.exec(ctx, `UPDATE products SET name = ?, description = ?, manufacturer = ?, intended_purpose = ?,
			cra_class = ?, support_start = ?, support_end = ?, support_rationale = ?, member_states = ?, model_numbers = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Description, p.Manufacturer, p.IntendedPurpose, string(p.Class),
			p.SupportStart, p.SupportEnd, p.SupportRationale, strings.Join(p.MemberStates, ","), strings.Join(p.ModelNumbers, ","), now, before.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "a product named %q already exists", p.Name)
		} else if err != nil {
			return fmt.Errorf("update product: %w", err)
		}
		p.ID, p.CreatedAt, p.UpdatedAt, p.ReleaseCount = before.ID, before.CreatedAt, now, before.ReleaseCount
		return tx.audit(ctx, actor, "product.update", "product", p.ID, before, p)
	})
}

func productByName(ctx context.Context, q queryer, name string) (*cradle.Product, error) {
	return productWhere(ctx, q, "p.name = ?", name)
}

func productWhere(ctx context.Context, q queryer, where string, arg any) (*cradle.Product, error) {
	// q is a rebinding queryer: db.r() or tx.q().
	p, err := scanProduct(q.QueryRowContext(ctx, `SELECT `+productCols+` FROM products p WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no product %v", arg)
	}
	return p, err
}

// Product returns the product named name.
func (db *DB) Product(ctx context.Context, name string) (*cradle.Product, error) {
	return productByName(ctx, db.r(), name)
}

// ListProducts returns a page of products ordered by name, and the total.
func (db *DB) ListProducts(ctx context.Context, pg cradle.Page) ([]*cradle.Product, int, error) {
	pg = pg.Normalize()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM products`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+productCols+` FROM products p ORDER BY p.name`+pageClause(pg))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// rebinder wraps a queryer so that queries are rebound for the engine.
type rebinder struct {
	q  queryer
	db *DB
}

func (r rebinder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, r.db.rebind(q), args...)
}
func (r rebinder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, r.db.rebind(q), args...)
}
func (r rebinder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, r.db.rebind(q), args...)
}

// r returns the read pool as a rebinding queryer.
func (db *DB) r() queryer { return rebinder{db.read, db} }

// q returns the transaction as a rebinding queryer.
func (tx *Tx) q() queryer { return rebinder{tx.Tx, tx.db} }
