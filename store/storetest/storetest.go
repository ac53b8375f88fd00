// Package storetest opens fresh, migrated databases for tests: SQLite in
// t.TempDir() always, and PostgreSQL too when CRADLE_TEST_POSTGRES holds
// a server URL (each test gets its own database, dropped afterwards).
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle/store"
)

// EnvPostgres names the PostgreSQL server tests use when set, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
const EnvPostgres = "CRADLE_TEST_POSTGRES"

// Engines lists the engines available to this test run.
func Engines() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// Each runs fn as a subtest once per available engine with a fresh DB.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e, func(t *testing.T) { fn(t, Open(t, e)) })
	}
}

var counter atomic.Int64

// DSN creates a fresh, empty database of the engine and returns its DSN.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), "cradle.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip(EnvPostgres + " not set: skipping PostgreSQL")
	}
	name := fmt.Sprintf("cradle_test_%d_%d", time.Now().UnixNano()%1e9, counter.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a migrated database of the engine, closed at cleanup.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// IsPostgres reports whether dsn is a PostgreSQL URL.
func IsPostgres(dsn string) bool { return strings.HasPrefix(dsn, "postgres") }
