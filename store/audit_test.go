package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// tamper opens a second, raw connection to the database (as an attacker
// with database access would), removes the append-only triggers, and runs
// the statements.
func tamper(t *testing.T, db *store.DB, stmts ...string) {
	t.Helper()
	driver, dsn := "sqlite", db.DSN()
	drop := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if db.Engine() == store.Postgres {
		driver = "pgx"
		drop = []string{"DROP TRIGGER audit_log_no_change ON audit_log"}
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range append(drop, stmts...) {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func auditedDB(t *testing.T, engine string) *store.DB {
	db := storetest.Open(t, engine)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: fmt.Sprintf("P%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestAuditVerifyCatchesTampering(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			for _, tc := range []struct {
				name   string
				stmts  []string
				seq    int64
				reason string
			}{
				{"altered", []string{"UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"}, 3, "altered"},
				{"altered before/after", []string{`UPDATE audit_log SET after_json = '{"name":"P9"}' WHERE seq = 2`}, 2, "altered"},
				{"removed", []string{"DELETE FROM audit_log WHERE seq = 3"}, 4, "removed"},
				{"removed newest", []string{"DELETE FROM audit_log WHERE seq = 5"}, 5, "removed"},
				{"reordered", []string{
					// Swap the stored positions of entries 2 and 3, keeping each intact.
					"UPDATE audit_log SET seq = -2, id = 1002 WHERE seq = 2",
					"UPDATE audit_log SET seq = -3, id = 1003 WHERE seq = 3",
					"UPDATE audit_log SET seq = 3, id = 2 WHERE seq = -3",
					"UPDATE audit_log SET seq = 2, id = 3 WHERE seq = -2",
				}, 3, "reordered"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					db := auditedDB(t, engine)
					rep, err := db.VerifyAudit(ctx)
					if err != nil || !rep.Intact || rep.Entries != 5 {
						t.Fatalf("before tampering: %+v %v", rep, err)
					}
					tamper(t, db, tc.stmts...)
					rep, err = db.VerifyAudit(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if rep.Intact || rep.Break == nil {
						t.Fatalf("tampering not detected: %+v", rep)
					}
					if rep.Break.Seq != tc.seq || rep.Break.Reason != tc.reason {
						t.Errorf("break = entry %d %s (%s), want entry %d %s", rep.Break.Seq, rep.Break.Reason, rep.Break.Detail, tc.seq, tc.reason)
					}
				})
			}
		})
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		driver := "sqlite"
		if db.Engine() == store.Postgres {
			driver = "pgx"
		}
		ctx := context.Background()
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "P"}); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open(driver, db.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, s := range []string{"UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"} {
			_, err := raw.Exec(s)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only trigger to refuse", s, err)
			}
		}
	})
}

// TestAuditRecordsBeforeAndAfter checks who, what, before and after.
func TestAuditRecordsBeforeAndAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := &cradle.Product{Name: "P", Class: cradle.ClassDefault}
		if err := db.CreateProduct(ctx, actor, p); err != nil {
			t.Fatal(err)
		}
		p2 := *p
		p2.Class = cradle.ClassCritical
		if err := db.UpdateProduct(ctx, cradle.Actor{Name: "alice@example.com", Via: "ui"}, "P", &p2); err != nil {
			t.Fatal(err)
		}
		entries, total, err := db.ListAudit(ctx, store.AuditFilter{EntityType: "product"}, cradle.Page{})
		if err != nil || total != 2 {
			t.Fatalf("entries: %d %v", total, err)
		}
		e := entries[0]
		if e.Action != "product.update" || e.Actor != "alice@example.com (ui)" ||
			!strings.Contains(string(e.Before), `"cra_class":"default"`) || !strings.Contains(string(e.After), `"cra_class":"critical"`) {
			t.Errorf("update entry: %+v before=%s after=%s", e, e.Before, e.After)
		}
	})
}
