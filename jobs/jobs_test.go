package jobs_test

import (
	"context"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/jobs"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// TestTwoRunnersShareOneDatabase starts two runners (as two replicas would)
// on one database and proves each job is worked exactly once.
func TestTwoRunnersShareOneDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := jobs.CheckSchema(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateProduct(ctx, cradle.Actor{Name: "t"}, &cradle.Product{Name: "P"}); err != nil {
			t.Fatal(err)
		}
		// A second handle on the same database, as a second process has.
		db2, err := store.Open(ctx, db.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		var runners []*jobs.Runner
		for i, d := range []*store.DB{db, db2} {
			r, err := jobs.New(d, jobs.Config{Instance: []string{"replica-a", "replica-b"}[i], PollInterval: 200 * time.Millisecond, AuditEvery: time.Hour}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			runners = append(runners, r)
		}
		defer func() {
			for _, r := range runners {
				sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				r.Stop(sctx)
				cancel()
			}
		}()
		const n = 40
		ids := map[int64]bool{}
		for i := 0; i < n; i++ {
			id, err := runners[i%2].Enqueue(ctx, jobs.AuditVerifyArgs{})
			if err != nil {
				t.Fatal(err)
			}
			ids[id] = true
		}
		// RunOnStart periodic jobs add one verification per elected leader.
		deadline := time.Now().Add(60 * time.Second)
		var checks []store.AuditCheck
		for time.Now().Before(deadline) {
			checks, err = db.AuditChecks(ctx, 1000)
			if err != nil {
				t.Fatal(err)
			}
			done := 0
			for _, c := range checks {
				if ids[c.JobID] {
					done++
				}
			}
			if done == n {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		seen := map[int64]int{}
		by := map[string]int{}
		for _, c := range checks {
			seen[c.JobID]++
			by[c.CheckedBy]++
			if !c.Intact {
				t.Errorf("job %d found the audit chain broken: %s", c.JobID, c.Reason)
			}
		}
		for id := range ids {
			if seen[id] != 1 {
				t.Errorf("job %d worked %d times, want exactly once", id, seen[id])
			}
		}
		t.Logf("jobs worked per replica: %v", by)
	})
}
