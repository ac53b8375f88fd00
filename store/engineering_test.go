package store_test

import (
	"context"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

// Results are deduplicated by fingerprint across imports, fixed when a
// later import of the same tool no longer has them, keep the release they
// first appeared in, and product suppressions apply to later imports.
func TestResultTracking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := cradle.Actor{Name: "ci"}
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW"}); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"1.0", "1.1"} {
			if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v}); err != nil {
				t.Fatal(err)
			}
		}
		res := func(fps ...string) []cradle.ScanResult {
			var out []cradle.ScanResult
			for _, fp := range fps {
				out = append(out, cradle.ScanResult{Fingerprint: fp, RuleID: "R-" + fp, Severity: "high", Location: "a.go:1:1", Status: cradle.ResultOpen})
			}
			return out
		}
		imp := func(v string, data string, rs []cradle.ScanResult) *cradle.ResultImport {
			i := &cradle.ResultImport{Product: "GW", Release: v, Format: "sarif", Kind: "sast", Tool: "gosec", Filename: "gosec.sarif"}
			if err := db.ImportResults(ctx, actor, i, []byte(data), rs); err != nil {
				t.Fatal(err)
			}
			return i
		}
		if i := imp("1.0", "one", res("a", "b", "b", "c")); i.Results != 3 || i.New != 3 || i.Fixed != 0 {
			t.Fatalf("first import: %+v", i)
		}
		if i := imp("1.0", "two", res("a", "c", "d")); i.Results != 3 || i.New != 1 || i.Fixed != 1 {
			t.Fatalf("second import: %+v", i)
		}
		open, total, err := db.ListResults(ctx, "GW", "1.0", store.ResultFilter{Status: cradle.ResultOpen}, cradle.Page{})
		if err != nil || total != 3 || len(open) != 3 {
			t.Fatalf("open in 1.0: %d %+v %v", total, open, err)
		}
		if fixed, _, _ := db.ListResults(ctx, "GW", "1.0", store.ResultFilter{Status: cradle.ResultFixed}, cradle.Page{}); len(fixed) != 1 || fixed[0].Fingerprint != "b" || fixed[0].FixedAt.IsZero() {
			t.Fatalf("fixed in 1.0: %+v", fixed)
		}
		// A person suppresses "c" for the product; 1.1 carries "a" and "c" over.
		if err := db.SuppressResult(ctx, actor, "GW", "c", " "); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("suppression without reason: %v", err)
		}
		if err := db.SuppressResult(ctx, actor, "GW", "zz", "test code"); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("unknown fingerprint: %v", err)
		}
		if err := db.SuppressResult(ctx, actor, "GW", "c", "test code only"); err != nil {
			t.Fatal(err)
		}
		if i := imp("1.1", "three", res("a", "c", "e")); i.New != 1 {
			t.Fatalf("1.1 import: %+v", i)
		}
		all, _, _ := db.ListResults(ctx, "GW", "1.1", store.ResultFilter{}, cradle.Page{})
		got := map[string]cradle.ScanResult{}
		for _, r := range all {
			got[r.Fingerprint] = r
		}
		if got["a"].SinceVersion != "1.0" || got["e"].SinceVersion != "1.1" || got["c"].Status != cradle.ResultSuppressed || got["c"].Justification != "test code only" {
			t.Fatalf("1.1 results: %+v", got)
		}
		trend, err := db.ResultTrend(ctx, "GW")
		if err != nil || len(trend) != 2 || trend[0].Open["high"] != 2 || trend[0].Fixed != 1 || trend[1].Open["high"] != 2 || trend[1].Suppressed != 1 {
			t.Fatalf("trend: %+v %v", trend, err)
		}
		if _, _, err := db.ListResults(ctx, "GW", "9", store.ResultFilter{}, cradle.Page{}); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("unknown release: %v", err)
		}
	})
}

func TestThreatModelVersionsAndGateRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		actor := cradle.Actor{Name: "psirt"}
		if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW"}); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"1.0", "1.1"} {
			if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v}); err != nil {
				t.Fatal(err)
			}
		}
		save := func(rel, sha string) *cradle.ThreatModel {
			m := &cradle.ThreatModel{Product: "GW", Release: rel, SHA256: sha, Filename: "tm.yaml", Source: "version: 1\n" + sha}
			if err := db.SaveThreatModel(ctx, actor, m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		if m := save("1.0", "aa"); m.Version != 1 {
			t.Fatalf("first: %+v", m)
		}
		if m := save("1.0", "aa"); m.Version != 1 {
			t.Fatalf("same model again is a no-op: %+v", m)
		}
		if m := save("1.1", "bb"); m.Version != 2 {
			t.Fatalf("second: %+v", m)
		}
		if m, _ := db.ThreatModelFor(ctx, "GW", "1.0"); m == nil || m.Version != 1 || m.Source == "" {
			t.Fatalf("model of 1.0: %+v", m)
		}
		if m, _ := db.ThreatModelFor(ctx, "GW", ""); m == nil || m.Version != 2 {
			t.Fatalf("newest: %+v", m)
		}
		if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: "GW", Version: 3, Outcome: cradle.ReviewApproved}); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("review of unknown version: %v", err)
		}
		if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: "GW", Version: 2, Outcome: cradle.ReviewChangesRequested}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("changes requested without notes: %v", err)
		}
		if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: "GW", Version: 2, Outcome: cradle.ReviewApproved, Notes: "ok"}); err != nil {
			t.Fatal(err)
		}
		if rs, _ := db.ThreatReviews(ctx, "GW"); len(rs) != 1 || rs[0].Version != 2 || rs[0].Reviewer == "" {
			t.Fatalf("reviews: %+v", rs)
		}
		// Exceptions: validated, listed per release, revocable.
		e := &cradle.GateException{Product: "GW", Release: "1.1", Check: "findings", Subject: "CVE-2024-1", Approver: "CISO", Reason: "no exposure", ExpiresAt: time.Now().Add(-time.Hour)}
		if err := db.AddGateException(ctx, actor, e); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("expired exception: %v", err)
		}
		e.ExpiresAt = time.Now().Add(30 * 24 * time.Hour)
		if err := db.AddGateException(ctx, actor, e); err != nil {
			t.Fatal(err)
		}
		if es, err := db.GateExceptions(ctx, "GW", "1.0"); err != nil || len(es) != 0 {
			t.Fatalf("exceptions of 1.0: %+v", es)
		}
		if es, _ := db.GateExceptions(ctx, "GW", "1.1"); len(es) != 1 || es[0].Subject != "CVE-2024-1" {
			t.Fatalf("exceptions of 1.1: %+v", es)
		}
		if err := db.RevokeGateException(ctx, actor, e.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeGateException(ctx, actor, e.ID); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("revoked twice: %v", err)
		}
		d := &cradle.GateRecord{Product: "GW", Release: "1.1", Pass: false, Failures: 2, Hash: "h", InputsHash: "i", PolicyHash: "p", Policy: "{}", Inputs: "{}", Result: "{}"}
		if err := db.SaveGateDecision(ctx, actor, d); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GateDecision(ctx, d.ID); err != nil || got.Inputs != "{}" || got.Release != "1.1" || got.Pass {
			t.Fatalf("decision: %+v %v", got, err)
		}
		if ds, _ := db.GateDecisions(ctx, "GW", "1.1", 10); len(ds) != 1 || ds[0].Inputs != "" {
			t.Fatalf("history: %+v", ds)
		}
		if err := db.SetGatePolicy(ctx, actor, "GW", "findings:\n  max_severity: critical\n"); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.GatePolicy(ctx, "GW"); s == "" {
			t.Fatal("policy not stored")
		}
	})
}
