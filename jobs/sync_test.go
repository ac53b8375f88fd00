package jobs_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle/feeds"
	"github.com/cradle-sdl/cradle/jobs"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// TestSyncJob runs the vulnerability sync as a background job against a
// local server holding an OSV archive.
func TestSyncJob(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"GO-2024-2687.json", "GO-2025-3503.json"} {
		b, err := os.ReadFile(filepath.Join("../monitor/testdata/osv/Go", n))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(n)
		w.Write(b)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Go/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		http.ServeContent(w, r, "", time.Now(), bytes.NewReader(buf.Bytes()))
	}))
	defer srv.Close()

	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	r, err := jobs.New(db, jobs.Config{Instance: "t", PollInterval: 200 * time.Millisecond,
		Sync: monitor.SyncOptions{Sources: feeds.Sources{OSVBase: srv.URL}, Ecosystems: []string{"Go"}, Client: srv.Client(), Dir: t.TempDir()}}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Stop(ctx)
	if _, err := r.Enqueue(ctx, jobs.SyncArgs{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		f, err := db.Feed(ctx, "osv:Go")
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != "" {
			if f.Status != "ok" || f.Records != 2 {
				t.Fatalf("feed after the sync job: %+v", f)
			}
			return
		}
	}
	t.Fatal("the sync job did not run")
}
