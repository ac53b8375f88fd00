package cli_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/sbom/sbomgen"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/web"
)

var benchActor = cradle.Actor{Name: "bench"}

// BenchmarkImportSBOM10k measures the whole import of a CycloneDX SBOM with
// 10,000 components and 30,000 dependency edges into SQLite: validation,
// parsing, normalisation and the transaction that stores it.
// Target (issue 2): under 2 s.
func BenchmarkImportSBOM10k(b *testing.B) {
	ctx := context.Background()
	raw := sbomgen.CycloneDX(10000, 30000, "")
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateProduct(ctx, benchActor, &cradle.Product{Name: "P"}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		v := fmt.Sprint(i)
		if err := db.CreateRelease(ctx, benchActor, "P", &cradle.Release{Version: v}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		doc, err := sbom.Decode("bench.json", raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ImportSBOM(ctx, benchActor, "P", v, raw, doc, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// portfolio builds (once per process) a SQLite portfolio of releases ×
// components and returns its path. Components repeat across releases the
// way shared libraries do: ten distinct SBOMs spread over the releases.
var portfolioOnce sync.Once
var portfolioPath string

func portfolio(b *testing.B, releases, components int) string {
	portfolioOnce.Do(func() {
		ctx := context.Background()
		dir := os.Getenv("CRADLE_BENCH_DIR")
		if dir == "" {
			dir = os.TempDir()
		}
		portfolioPath = filepath.Join(dir, fmt.Sprintf("cradle-bench-%dx%d.db", releases, components))
		if _, err := os.Stat(portfolioPath); err == nil {
			return // built by an earlier run
		}
		db, err := store.Open(ctx, portfolioPath+".tmp")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		docs := make([]*cradle.SBOM, 10)
		raws := make([][]byte, 10)
		for i := range docs {
			raws[i] = sbomgen.CycloneDX(components-1, 2*components, fmt.Sprintf("v%d", i))
			if docs[i], err = sbom.Decode("gen.json", raws[i]); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < releases; i++ {
			product := fmt.Sprintf("Product %03d", i/10)
			if i%10 == 0 {
				if err := db.CreateProduct(ctx, benchActor, &cradle.Product{Name: product, SupportEnd: "2030-01-01"}); err != nil {
					b.Fatal(err)
				}
			}
			v := fmt.Sprintf("1.%d", i%10)
			if err := db.CreateRelease(ctx, benchActor, product, &cradle.Release{Version: v, Lifecycle: cradle.LifecycleReleased}); err != nil {
				b.Fatal(err)
			}
			// Distinct bytes per release, same components per tag.
			raw := append([]byte(nil), raws[i%10]...)
			raw = append(raw, []byte(fmt.Sprintf("\n%d", i))...)
			if _, err := db.ImportSBOM(ctx, benchActor, product, v, raw, docs[i%10], nil); err != nil {
				b.Fatal(err)
			}
		}
		db.Close()
		if err := os.Rename(portfolioPath+".tmp", portfolioPath); err != nil {
			b.Fatal(err)
		}
		os.Rename(portfolioPath+".tmp-wal", portfolioPath+"-wal")
		os.Remove(portfolioPath + ".tmp-shm")
	})
	return portfolioPath
}

func openPortfolio(b *testing.B) *store.DB {
	path := portfolio(b, 1000, 1000)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkComponentSearch searches 1,000 releases × 1,000 components by
// purl prefix (and by name). Target (issue 2): under 50 ms.
func BenchmarkComponentSearch(b *testing.B) {
	db := openPortfolio(b)
	ctx := context.Background()
	for _, q := range []string{
		"pkg:maven/org.example.g7/",            // a group: 5 components × 1,000 releases
		"pkg:npm/pkgv3-400@",                   // one package: 100 releases
		"pkg:golang/github.com/example/modv1-", // a broad prefix: 250 × 100 releases
		"artifactv2-1",                         // name prefix
	} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				items, total, err := db.SearchComponents(ctx, q, cradle.Page{})
				if err != nil || total == 0 || len(items) == 0 {
					b.Fatalf("search %q: %d results, %v", q, total, err)
				}
			}
		})
	}
}

// BenchmarkPages renders the portfolio and a release page over 1,000
// releases × 1,000 components. Target (issue 2): under 100 ms each.
func BenchmarkPages(b *testing.B) {
	db := openPortfolio(b)
	ctx := context.Background()
	srv, err := web.New(db, web.Config{Version: "bench"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	u, err := db.UserByEmail(ctx, "bench@example.com")
	if err != nil {
		u = &cradle.User{Email: "bench@example.com", Role: cradle.RoleAuditor}
		if err := db.CreateUser(ctx, benchActor, u, "bench password 123"); err != nil {
			b.Fatal(err)
		}
	}
	sess, err := db.CreateSession(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	for _, page := range []string{
		"/",
		"/products/Product%20042",
		"/products/Product%20042/releases/1.3",
		"/products/Product%20042/releases/1.3?q=artifact&page=3",
		"/components?q=pkg:maven/org.example.g7/",
	} {
		b.Run(page, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", page, nil)
				req.AddCookie(&http.Cookie{Name: "cradle_session", Value: sess.Token})
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: status %d", page, w.Code)
				}
			}
		})
	}
}
