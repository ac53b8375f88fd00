// Package store keeps cradle's data in SQLite (the embedded default) or
// PostgreSQL behind one set of methods. Queries are hand-written SQL in the
// portable subset with `?` placeholders, rebound to `$n` for PostgreSQL in
// one place (rebind); what differs between engines lives in the migration
// folders and in the dialect struct, nowhere else.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // SQLite driver "sqlite", no cgo

	cradle "github.com/cradle-sdl/cradle"
)

//go:embed migrations
var migrations embed.FS

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is cradle's database. For SQLite it holds one writer connection (SQLite
// allows one writer at a time; queueing writers in Go avoids busy errors)
// and a pool of readers; for PostgreSQL both are the same pool.
type DB struct {
	engine string
	write  *sql.DB
	read   *sql.DB
	dsn    string
	now    func() time.Time
	// touching holds the IDs of API tokens whose last-used time is being
	// written in the background.
	touching sync.Map
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL
// selects PostgreSQL, anything else is a SQLite file path (or file: URI).
// It does not migrate; call Migrate or CheckSchema.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{dsn: dsn, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
	if IsPostgres(dsn) {
		db.engine = Postgres
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p.SetMaxOpenConns(20)
		p.SetMaxIdleConns(20)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read = p, p
	} else {
		db.engine = SQLite
		path := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if path == "" {
			return nil, cradle.Errorf(cradle.EInvalid, "database path is empty")
		}
		if dir := filepath.Dir(path); dir != "." {
			if _, err := os.Stat(dir); err != nil {
				return nil, cradle.Errorf(cradle.EInvalid, "database folder %s does not exist", dir)
			}
		}
		w, err := sql.Open("sqlite", sqliteDSN(path, false))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", sqliteDSN(path, true))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		db.write, db.read = w, r
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.engine, err)
	}
	return db, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN builds the modernc DSN: WAL so readers never block the writer,
// a busy timeout so concurrent processes wait instead of failing, foreign
// keys on, and IMMEDIATE transactions so a writer takes its lock up front
// (no deadlock-prone lock upgrades). synchronous=NORMAL is durable against
// a process crash in WAL mode, which is what kill -9 tests.
func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "busy_timeout(15000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_time_format", "sqlite")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}

// Engine returns SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// WriteDB returns the connection pool that writes. Background job
// machinery shares it so that SQLite keeps a single writer.
func (db *DB) WriteDB() *sql.DB { return db.write }

// Close closes every connection.
func (db *DB) Close() error {
	var err error
	if db.write != nil {
		err = db.write.Close()
	}
	if db.read != nil && db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// SetClock replaces the clock; tests use it. Times are kept to the
// microsecond, the precision both engines store, so that audit hashes
// computed before writing match what is read back.
func (db *DB) SetClock(now func() time.Time) {
	db.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.engine)
	if err != nil {
		return nil, err
	}
	if db.engine == Postgres {
		// Several replicas may start at once; a session lock lets one migrate.
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectPostgres, db.write, sub, goose.WithSessionLocker(l))
	}
	return goose.NewProvider(goose.DialectSQLite3, db.write, sub)
}

// Migrate applies every pending migration and returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var vs []int64
	for _, r := range res {
		vs = append(vs, r.Source.Version)
	}
	return vs, nil
}

// SchemaVersion returns the database's schema version and the version this
// binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

// CheckSchema returns an error unless the database schema is exactly the
// one this binary was built for: the server refuses to run on a schema it
// does not know (older: run `cradle migrate`; newer: upgrade cradle).
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case cur < known:
		return cradle.Errorf(cradle.EConflict, "database schema is version %d, this cradle needs %d: run `cradle migrate`", cur, known)
	case cur > known:
		return cradle.Errorf(cradle.EConflict, "database schema is version %d, newer than this cradle knows (%d): upgrade cradle", cur, known)
	}
	return nil
}

// rebind turns `?` placeholders into `$1, $2 ...` for PostgreSQL. Queries
// contain no literal question marks.
func (db *DB) rebind(q string) string {
	if db.engine != Postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction with the store's helpers.
type Tx struct {
	*sql.Tx
	db *DB
}

// InTx runs fn in one write transaction, committing when fn returns nil
// and rolling back otherwise: every multi-step write is all or nothing.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{sqlTx, db}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(ctx, tx.db.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.QueryRowContext(ctx, tx.db.rebind(q), args...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.rebind(q), args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.rebind(q), args...)
}

// isUniqueViolation reports whether err is a unique-constraint failure in
// either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// nullTime scans a nullable timestamp from either engine.
type nullTime struct{ t time.Time }

func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.t = time.Time{}
	case time.Time:
		n.t = x.UTC()
	case string:
		return n.parse(x)
	case []byte:
		return n.parse(string(x))
	default:
		return fmt.Errorf("cannot scan %T into time", v)
	}
	return nil
}

func (n *nullTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			n.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot parse time %q", s)
}

// timeArg is how a time is written: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// pageClause returns LIMIT/OFFSET for p.
func pageClause(p cradle.Page) string {
	return fmt.Sprintf(" LIMIT %d OFFSET %d", p.PerPage, p.Offset())
}

// DSN returns the data source name the database was opened with.
func (db *DB) DSN() string { return db.dsn }

// All reads every page of a paginated list (list is called with pages of
// cradle.MaxPerPage until it has the total): for a rule that must see
// everything, not the first 500 rows.
func All[T any](list func(cradle.Page) ([]T, int, error)) ([]T, error) {
	var out []T
	for page := 1; ; page++ {
		items, total, err := list(cradle.Page{Number: page, PerPage: cradle.MaxPerPage})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) == 0 || len(out) >= total {
			return out, nil
		}
	}
}
