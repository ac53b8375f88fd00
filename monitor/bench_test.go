package monitor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/cradle-sdl/cradle/store"
)

// benchPortfolio builds (once, cached in $CRADLE_BENCH_DIR) a SQLite
// portfolio of 2,000 releases × 500 components whose purls are real Go
// modules from the Go vulnerability database, one in twenty at a version
// its advisories affect, with every Go advisory loaded. It returns the path
// and the advisories.
func benchPortfolio(b *testing.B) (string, []*cradle.Vulnerability) {
	data := os.Getenv("CRADLE_TEST_DATA")
	if data == "" {
		b.Skip("CRADLE_TEST_DATA not set: the portfolio benchmarks use the real Go advisories")
	}
	var vulns []*cradle.Vulnerability
	if _, err := osv.Read(filepath.Join(data, "osv/Go/all.zip"), osv.Limits{}, func(v *cradle.Vulnerability) error {
		v.Source = "osv:Go"
		vulns = append(vulns, v)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	dir := os.Getenv("CRADLE_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, "cradle-bench-2000x500-go-v3.db")
	if _, err := os.Stat(path); err == nil {
		return path, vulns
	}
	// Candidate components: every Go module an advisory names, at the
	// highest version any of its advisories gives as fixed (so that it is
	// clean unless an advisory has no fix), or, for one component in
	// twenty, at v0.0.1, below every fix.
	type cand struct{ name, version string }
	best := map[string]string{}
	for _, v := range vulns {
		for _, a := range v.Affected {
			if a.Name == "stdlib" || a.Name == "toolchain" {
				continue
			}
			for _, r := range a.Ranges {
				for _, e := range r.Events {
					if e.Fixed != "" {
						if cur, ok := best[a.Name]; !ok || match.CompareSemver(e.Fixed, cur) > 0 {
							best[a.Name] = e.Fixed
						}
					}
				}
			}
		}
	}
	var cands []cand
	for name, v := range best {
		cands = append(cands, cand{name, "v" + v})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].name < cands[j].name })
	ctx := context.Background()
	db, err := store.Open(ctx, path+".tmp")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	m := monitor.New(db, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	actor := cradle.Actor{Name: "bench"}
	for r := 0; r < 2000; r++ {
		product := fmt.Sprintf("Product %03d", r/10)
		if r%10 == 0 {
			if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: product}); err != nil {
				b.Fatal(err)
			}
		}
		version := fmt.Sprint("1.", r%10)
		if err := db.CreateRelease(ctx, actor, product, &cradle.Release{Version: version, Lifecycle: cradle.LifecycleReleased}); err != nil {
			b.Fatal(err)
		}
		var comps []string
		for i, k := range rng.Perm(len(cands))[:499] {
			c := cands[k]
			ver := c.version
			if i%20 == 0 {
				ver = "v0.0.1" // below most fixes: one component in 20 is vulnerable
			}
			comps = append(comps, fmt.Sprintf(`{"bom-ref":"c%d","type":"library","name":%q,"version":%q,"purl":"pkg:golang/%s@%s"}`, i, c.name, ver, c.name, ver))
		}
		doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"root","type":"application","name":"app","version":"1"}},"components":[` +
			strings.Join(comps, ",") + `]}`
		if _, err := m.ImportSBOM(ctx, actor, product, version, "bench.json", []byte(doc), nil); err != nil {
			b.Fatal(err)
		}
	}
	if _, _, err := m.ImportVulns(ctx, vulns); err != nil {
		b.Fatal(err)
	}
	db.Close()
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	os.Rename(path+".tmp-wal", path+"-wal")
	os.Remove(path + ".tmp-shm")
	return path, vulns
}

// BenchmarkAdvisoryUpdate imports 1,000 changed advisories into the
// 2,000 × 500 portfolio and re-evaluates the findings they touch.
// Target (issue 3): under 5 s.
func BenchmarkAdvisoryUpdate(b *testing.B) {
	path, vulns := benchPortfolio(b)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m := monitor.New(db, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		changed := make([]*cradle.Vulnerability, 0, 1000)
		for _, v := range vulns[:1000] {
			c := *v
			c.Summary = fmt.Sprintf("%s (revision %d)", v.Summary, time.Now().UnixNano())
			// Change the affected data too (an extra listed version), so that
			// every touched package is re-matched: the expensive case.
			c.Affected = append([]cradle.Affected(nil), v.Affected...)
			if len(c.Affected) > 0 {
				c.Affected[0].Versions = append(append([]string(nil), c.Affected[0].Versions...), fmt.Sprintf("0.0.0-bench.%d", time.Now().UnixNano()))
			}
			changed = append(changed, &c)
		}
		res, ch, err := m.ImportVulns(ctx, changed)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.ReportMetric(float64(len(res.Keys)), "packages")
			b.ReportMetric(float64(ch.Still+ch.New), "findings")
		}
	}
}

// BenchmarkFullRematch re-evaluates every finding of the 2,000 × 500
// portfolio. Target (issue 3): under 30 s.
func BenchmarkFullRematch(b *testing.B) {
	path, _ := benchPortfolio(b)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	m := monitor.New(db, nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ch, err := m.Rematch(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.ReportMetric(float64(ch.Still+ch.New), "findings")
		}
	}
}
