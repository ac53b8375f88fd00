package cli_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle/sbom/sbomgen"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// TestKillDuringImport kills `cradle sbom import` with SIGKILL at many
// moments of a large import and checks, after each kill, that the database
// holds either the whole SBOM or none of it, and that the audit trail is
// intact. It runs the real binary, on every engine.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports large SBOMs")
	}
	bin := filepath.Join(t.TempDir(), "cradle")
	build := exec.Command("go", "build", "-o", bin, "../cmd/cradle")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	doc := filepath.Join(t.TempDir(), "big.cdx.json")
	if err := os.WriteFile(doc, sbomgen.CycloneDX(20000, 60000, ""), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			mustRun(t, dsn, "migrate")
			mustRun(t, dsn, "product", "create", "--name", "P")
			// Measure one whole import, then kill at fractions of it.
			mustRun(t, dsn, "release", "create", "--product", "P", "--version", "full")
			start := time.Now()
			if out, err := exec.Command(bin, "sbom", "import", "--db", dsn, "--product", "P", "--release", "full", doc).CombinedOutput(); err != nil {
				t.Fatalf("full import: %v\n%s", err, out)
			}
			full := time.Since(start)
			t.Logf("a whole import takes %v", full)
			before, interrupted := 1, 0
			for i, frac := range []float64{0.05, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0} {
				version := fmt.Sprintf("k%d", i)
				mustRun(t, dsn, "release", "create", "--product", "P", "--version", version)
				cmd := exec.Command(bin, "sbom", "import", "--db", dsn, "--product", "P", "--release", version, doc)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(frac * float64(full)))
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				after := checkWholeOrNothing(t, engine, dsn)
				if after == before {
					interrupted++
				}
				before = after
			}
			if interrupted == 0 {
				t.Errorf("no kill landed before an import committed: the test proved nothing")
			}
			t.Logf("%d of 10 kills interrupted an import and left nothing; the others left the whole SBOM", interrupted)
		})
	}
}

// checkWholeOrNothing asserts that every stored SBOM has all its
// components and edges, that every release points at a complete SBOM or
// none, and that the audit chain verifies.
func checkWholeOrNothing(t *testing.T, engine, dsn string) (docs int) {
	t.Helper()
	driver := "sqlite"
	if engine == store.Postgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT d.id, d.component_count, d.edge_count,
		(SELECT COUNT(*) FROM components c WHERE c.sbom_id = d.id),
		(SELECT COUNT(*) FROM dependencies e WHERE e.sbom_id = d.id) FROM sbom_documents d`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, wantC, wantE, gotC, gotE int64
		if err := rows.Scan(&id, &wantC, &wantE, &gotC, &gotE); err != nil {
			t.Fatal(err)
		}
		docs++
		if gotC != wantC || gotE != wantE {
			t.Errorf("SBOM %d is partial: %d/%d components, %d/%d edges", id, gotC, wantC, gotE, wantE)
		}
	}
	var orphans int
	raw.QueryRow(`SELECT COUNT(*) FROM components c WHERE NOT EXISTS (SELECT 1 FROM sbom_documents d WHERE d.id = c.sbom_id)`).Scan(&orphans)
	if orphans > 0 {
		t.Errorf("%d components without an SBOM", orphans)
	}
	var dangling int
	raw.QueryRow(`SELECT COUNT(*) FROM releases r WHERE r.current_sbom_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM sbom_documents d WHERE d.id = r.current_sbom_id)`).Scan(&dangling)
	if dangling > 0 {
		t.Errorf("%d releases point at a missing SBOM", dangling)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := db.VerifyAudit(context.Background())
	if err != nil || !rep.Intact {
		t.Errorf("audit trail after kill: %+v %v", rep, err)
	}
	return docs
}
