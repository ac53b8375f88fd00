package store_test

import (
	"context"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

func advisory(id string, aliases []string, pkg string, hash string) store.Advisory {
	return store.Advisory{
		Vuln: cradle.Vulnerability{ID: id, Aliases: aliases, Summary: id + " summary", Source: "test",
			Affected: []cradle.Affected{{Ecosystem: "PyPI", Name: pkg, Versions: []string{"1.0"}}}},
		Hash: hash,
		Keys: []cradle.PackageKey{{Ecosystem: "PyPI", Name: pkg}},
	}
}

func TestAdvisoriesGroupsAndFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := db.UpsertAdvisories(ctx, []store.Advisory{
			advisory("PYSEC-2024-1", []string{"GHSA-aaaa"}, "requests", "h1"),
			advisory("GHSA-aaaa", []string{"CVE-2024-0001", "PYSEC-2024-1"}, "requests", "h2"),
			advisory("PYSEC-2024-2", nil, "flask", "h3"),
		})
		if err != nil || res.Inserted != 3 || len(res.Keys) != 2 {
			t.Fatalf("upsert: %+v %v", res, err)
		}
		group, recs, err := db.VulnerabilityGroup(ctx, "CVE-2024-0001")
		if err != nil || group != "CVE-2024-0001" || len(recs) != 2 {
			t.Fatalf("group of CVE-2024-0001: %q %d records %v", group, len(recs), err)
		}
		// Re-importing identical content changes nothing.
		res, err = db.UpsertAdvisories(ctx, []store.Advisory{advisory("PYSEC-2024-2", nil, "flask", "h3")})
		if err != nil || res.Unchanged != 1 || len(res.Keys) != 0 {
			t.Fatalf("unchanged: %+v %v", res, err)
		}
		// A changed record reports both its old and new package.
		res, err = db.UpsertAdvisories(ctx, []store.Advisory{advisory("PYSEC-2024-2", nil, "django", "h4")})
		if err != nil || res.Updated != 1 || len(res.Keys) != 2 {
			t.Fatalf("updated: %+v %v", res, err)
		}

		seed(t, db, "P", "1")
		doc := &cradle.SBOM{Format: "cyclonedx", Encoding: "json", SpecVersion: "1.6", Components: []cradle.Component{
			{Ref: "a", Name: "requests", Version: "1.0", PURL: "pkg:pypi/requests@1.0", Ecosystem: "PyPI", Package: "requests"}}}
		doc.ComputeDepths()
		if _, err := db.ImportSBOM(ctx, actor, "P", "1", []byte("x"), doc, nil); err != nil {
			t.Fatal(err)
		}
		r, _ := db.Release(ctx, "P", "1")
		in, err := db.MatchInputs(ctx, store.MatchScope{ReleaseID: r.ID})
		if err != nil || len(in) != 1 {
			t.Fatalf("match inputs: %+v %v", in, err)
		}
		m := store.Match{ReleaseID: r.ID, ComponentID: in[0].ComponentID, Key: in[0].Key, Version: "1.0", VulnID: "GHSA-aaaa", GroupID: "CVE-2024-0001", Matched: "versions[]"}
		ch, err := db.SyncFindings(ctx, store.MatchScope{ReleaseID: r.ID}, []store.Match{m})
		if err != nil || ch.New != 1 {
			t.Fatalf("sync: %+v %v", ch, err)
		}
		ch, _ = db.SyncFindings(ctx, store.MatchScope{ReleaseID: r.ID}, []store.Match{m})
		if ch.Still != 1 || ch.New != 0 {
			t.Fatalf("second sync: %+v", ch)
		}
		if _, err := db.ReplaceKEV(ctx, []store.KEVEntry{{CVE: "CVE-2024-0001", DateAdded: "2024-05-01"}}); err != nil {
			t.Fatal(err)
		}
		fs, total, err := db.ListFindings(ctx, store.FindingFilter{Product: "P", KEV: true}, cradle.Page{})
		if err != nil || total != 1 || !fs[0].KEV || fs[0].GroupID != "CVE-2024-0001" || fs[0].Component != "requests" {
			t.Fatalf("findings: %+v %d %v", fs, total, err)
		}
		fs, _, _ = db.ListFindings(ctx, store.FindingFilter{Vuln: "PYSEC-2024-1"}, cradle.Page{})
		if len(fs) != 1 {
			t.Fatalf("findings by alias: %d", len(fs))
		}
		ch, _ = db.SyncFindings(ctx, store.MatchScope{ReleaseID: r.ID}, nil)
		if ch.Resolved != 1 {
			t.Fatalf("resolve: %+v", ch)
		}
		_, total, _ = db.ListFindings(ctx, store.FindingFilter{}, cradle.Page{})
		if total != 0 {
			t.Fatalf("resolved findings listed: %d", total)
		}
	})
}

// TestAdvisoryTextChangeNeedsNoRematch: a changed summary or severity does
// not touch findings; changed affected data does.
func TestAdvisoryTextChangeNeedsNoRematch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.UpsertAdvisories(ctx, []store.Advisory{advisory("GHSA-x", nil, "requests", "h1")}); err != nil {
			t.Fatal(err)
		}
		a := advisory("GHSA-x", nil, "requests", "h2")
		a.Vuln.Summary = "reworded"
		res, err := db.UpsertAdvisories(ctx, []store.Advisory{a})
		if err != nil || res.Updated != 1 || len(res.Keys) != 0 {
			t.Fatalf("text change: %+v %v", res, err)
		}
		a = advisory("GHSA-x", nil, "requests", "h3")
		a.Vuln.Affected[0].Versions = []string{"1.0", "1.1"}
		res, err = db.UpsertAdvisories(ctx, []store.Advisory{a})
		if err != nil || res.Updated != 1 || len(res.Keys) != 1 {
			t.Fatalf("affected change: %+v %v", res, err)
		}
	})
}
