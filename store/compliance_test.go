package store_test

import (
	"context"
	"database/sql"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// Evidence that links to a record which is later deleted shows as broken;
// the evidence and its history stay.
func TestEvidenceLinkBreaksWhenRecordGoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := cradle.Actor{Name: "test"}
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: "1"}); err != nil {
			t.Fatal(err)
		}
		e := &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "release", RecordRef: "GW@1"}
		if err := db.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", "iec-62443-4-1-2018", "SVV-3", e, nil); err != nil {
			t.Fatal(err)
		}
		get := func() cradle.Evidence {
			as, err := db.Assessments(ctx, cradle.ScopeProduct, "GW", "iec-62443-4-1-2018")
			if err != nil || as["SVV-3"] == nil || len(as["SVV-3"].Evidence) != 1 {
				t.Fatalf("assessments: %+v %v", as, err)
			}
			return as["SVV-3"].Evidence[0]
		}
		if got := get(); got.Broken || !got.Fresh() {
			t.Fatalf("before: %+v", got)
		}
		// cradle has no way to delete a release; a database administrator does.
		driver := "sqlite"
		if db.Engine() == store.Postgres {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, db.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`DELETE FROM releases WHERE version = '1'`); err != nil {
			t.Fatal(err)
		}
		if got := get(); !got.Broken || got.Fresh() || got.Title != "release GW@1" {
			t.Fatalf("after the release is gone: %+v", got)
		}
	})
}
