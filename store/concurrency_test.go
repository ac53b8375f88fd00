package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// TestConcurrentImportsAndReads runs imports and reads at the same time
// through two handles on one database, as two processes (a server and a
// CLI, or two replicas) would: no busy errors, no deadlock, and every SBOM
// whole afterwards.
func TestConcurrentImportsAndReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		other, err := store.Open(ctx, db.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		const writers, imports, readers = 6, 5, 6
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "P"}); err != nil {
			t.Fatal(err)
		}
		for w := 0; w < writers; w++ {
			if err := db.CreateRelease(ctx, actor, "P", &cradle.Release{Version: fmt.Sprint(w)}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		done := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				h := []*store.DB{db, other}[w%2]
				for i := 0; i < imports; i++ {
					s := &cradle.SBOM{Format: "cyclonedx", Encoding: "json", SpecVersion: "1.6", Root: "r"}
					s.Components = append(s.Components, cradle.Component{Ref: "r", Name: "root"})
					for c := 0; c < 200; c++ {
						ref := fmt.Sprint("c", c)
						s.Components = append(s.Components, cradle.Component{Ref: ref, Name: fmt.Sprintf("lib-%d-%d", w, c),
							Version: fmt.Sprint(i), PURL: fmt.Sprintf("pkg:npm/lib-%d-%d@%d", w, c, i)})
						s.Dependencies = append(s.Dependencies, cradle.Dependency{From: "r", To: ref})
					}
					s.ComputeDepths()
					if _, err := h.ImportSBOM(ctx, actor, "P", fmt.Sprint(w), []byte(fmt.Sprint(w, i)), s, nil); err != nil {
						errs <- fmt.Errorf("import %d/%d: %w", w, i, err)
					}
				}
			}(w)
		}
		var rg sync.WaitGroup
		for r := 0; r < readers; r++ {
			rg.Add(1)
			go func(r int) {
				defer rg.Done()
				h := []*store.DB{db, other}[r%2]
				for {
					select {
					case <-done:
						return
					default:
					}
					if _, _, err := h.SearchComponents(ctx, "pkg:npm/lib-", cradle.Page{}); err != nil {
						errs <- fmt.Errorf("search: %w", err)
					}
					if _, _, err := h.ListComponents(ctx, "P", fmt.Sprint(r%writers), store.ComponentFilter{}, cradle.Page{}); err != nil {
						errs <- fmt.Errorf("list: %w", err)
					}
					if _, _, err := h.ListProducts(ctx, cradle.Page{}); err != nil {
						errs <- fmt.Errorf("products: %w", err)
					}
				}
			}(r)
		}
		wg.Wait()
		close(done)
		rg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for w := 0; w < writers; w++ {
			docs, n, err := db.ListSBOMs(ctx, "P", fmt.Sprint(w), cradle.Page{})
			if err != nil || n != imports {
				t.Fatalf("release %d: %d SBOMs (%v), want %d", w, n, err, imports)
			}
			for _, d := range docs {
				if d.ComponentCount != 201 || d.EdgeCount != 200 {
					t.Errorf("SBOM %d: %d components, %d edges", d.ID, d.ComponentCount, d.EdgeCount)
				}
			}
			_, total, _ := db.ListComponents(ctx, "P", fmt.Sprint(w), store.ComponentFilter{}, cradle.Page{})
			if total != 201 {
				t.Errorf("release %d current components: %d", w, total)
			}
		}
		rep, err := db.VerifyAudit(ctx)
		if err != nil || !rep.Intact {
			t.Fatalf("audit after concurrent writes: %+v %v", rep, err)
		}
	})
}
