package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var actor = cradle.Actor{Name: "test", Via: "test"}

// sampleSBOM is a root app with two direct and one transitive dependency.
func sampleSBOM(version string) *cradle.SBOM {
	s := &cradle.SBOM{
		Format: cradle.FormatCycloneDX, Encoding: "json", SpecVersion: "1.6", Root: "app",
		Components: []cradle.Component{
			{Ref: "app", Type: "application", Name: "gateway-fw", Version: version},
			{Ref: "log4j", Type: "library", Group: "org.apache.logging.log4j", Name: "log4j-core", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", Licenses: "Apache-2.0",
				Hashes: []cradle.Hash{{Algorithm: "SHA-256", Value: "abcd"}}},
			{Ref: "openssl", Type: "library", Name: "openssl", Version: "3.0.7", PURL: "pkg:generic/openssl@3.0.7"},
			{Ref: "api", Type: "library", Group: "org.apache.logging.log4j", Name: "log4j-api", Version: "2.14.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"},
		},
		Dependencies: []cradle.Dependency{{From: "app", To: "log4j"}, {From: "app", To: "openssl"}, {From: "log4j", To: "api"}},
	}
	s.ComputeDepths()
	return s
}

func seed(t *testing.T, db *store.DB, product string, versions ...string) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: product, Class: cradle.ClassImportantI,
		SupportStart: "2025-01-01", SupportEnd: "2030-12-31"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if err := db.CreateRelease(ctx, actor, product, &cradle.Release{Version: v, Lifecycle: cradle.LifecycleReleased}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestImportSearchExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, "Edge Gateway", "1.0", "1.1")
		res, err := db.ImportSBOM(ctx, actor, "Edge Gateway", "1.0", []byte("doc-1"), sampleSBOM("1.0"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged || res.Document.ComponentCount != 4 || res.Document.EdgeCount != 3 {
			t.Fatalf("first import: %+v", res)
		}
		// Identical bytes again: a no-op.
		res2, err := db.ImportSBOM(ctx, actor, "Edge Gateway", "1.0", []byte("doc-1"), sampleSBOM("1.0"), nil)
		if err != nil || !res2.Unchanged || res2.Document.ID != res.Document.ID {
			t.Fatalf("re-import: %+v %v", res2, err)
		}
		if _, err := db.ImportSBOM(ctx, actor, "Edge Gateway", "1.1", []byte("doc-2"), sampleSBOM("1.1"), nil); err != nil {
			t.Fatal(err)
		}

		occ, total, err := db.SearchComponents(ctx, "pkg:maven/org.apache.logging.log4j/log4j-core", cradle.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(occ) != 2 {
			t.Fatalf("search: total %d, %+v", total, occ)
		}
		for _, o := range occ {
			if o.Component.Relation() != "direct" || o.Product != "Edge Gateway" {
				t.Errorf("occurrence %+v", o)
			}
		}
		occ, _, _ = db.SearchComponents(ctx, "LOG4J-API", cradle.Page{})
		if len(occ) != 2 || occ[0].Component.Relation() != "transitive" {
			t.Fatalf("name search: %+v", occ)
		}

		got, _, err := db.LoadSBOM(ctx, "Edge Gateway", "1.0")
		if err != nil {
			t.Fatal(err)
		}
		want := sampleSBOM("1.0")
		opts := cmpopts.IgnoreFields(cradle.Component{}, "ID", "SBOMID")
		if diff := cmp.Diff(want.Components, got.Components, opts); diff != "" {
			t.Errorf("components (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want.Dependencies, got.Dependencies); diff != "" {
			t.Errorf("edges (-want +got):\n%s", diff)
		}

		// A new SBOM replaces the component set; the old one stays in history.
		s3 := sampleSBOM("1.0")
		s3.Components = s3.Components[:1]
		s3.Dependencies = nil
		s3.ComputeDepths()
		res3, err := db.ImportSBOM(ctx, actor, "Edge Gateway", "1.0", []byte("doc-3"), s3, nil)
		if err != nil || res3.Replaced != res.Document.ID {
			t.Fatalf("replace: %+v %v", res3, err)
		}
		docs, n, _ := db.ListSBOMs(ctx, "Edge Gateway", "1.0", cradle.Page{})
		if n != 2 || !docs[0].Current || docs[1].Current {
			t.Fatalf("history: %+v", docs)
		}
		comps, n, _ := db.ListComponents(ctx, "Edge Gateway", "1.0", store.ComponentFilter{}, cradle.Page{})
		if n != 1 || len(comps) != 1 {
			t.Fatalf("components after replace: %d", n)
		}

		rep, err := db.VerifyAudit(ctx)
		if err != nil || !rep.Intact {
			t.Fatalf("audit: %+v %v", rep.Break, err)
		}
	})
}

func TestImportRollsBackOnBadEdge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, "P", "1")
		s := sampleSBOM("1")
		s.Dependencies = append(s.Dependencies, cradle.Dependency{From: "app", To: "ghost"})
		if _, err := db.ImportSBOM(ctx, actor, "P", "1", []byte("x"), s, nil); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("want invalid, got %v", err)
		}
		r, _ := db.Release(ctx, "P", "1")
		docs, n, _ := db.ListSBOMs(ctx, "P", "1", cradle.Page{})
		if r.CurrentSBOMID != 0 || n != 0 || len(docs) != 0 {
			t.Fatalf("partial import left behind: %+v", r)
		}
		_, total, _ := db.ListAudit(ctx, store.AuditFilter{EntityType: "release"}, cradle.Page{})
		if total != 1 { // release.create only
			t.Fatalf("audit entries for release: %d", total)
		}
	})
}

func TestErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, "P", "1")
		for _, tc := range []struct {
			name string
			err  error
			code string
		}{
			{"dup product", db.CreateProduct(ctx, actor, &cradle.Product{Name: "P"}), cradle.EConflict},
			{"bad class", db.CreateProduct(ctx, actor, &cradle.Product{Name: "Q", Class: "premium"}), cradle.EInvalid},
			{"end before start", db.CreateProduct(ctx, actor, &cradle.Product{Name: "Q", SupportStart: "2030-01-01", SupportEnd: "2029-01-01"}), cradle.EInvalid},
			{"dup release", db.CreateRelease(ctx, actor, "P", &cradle.Release{Version: "1"}), cradle.EConflict},
			{"release of unknown product", db.CreateRelease(ctx, actor, "nope", &cradle.Release{Version: "1"}), cradle.ENotFound},
			{"bad lifecycle", db.CreateRelease(ctx, actor, "P", &cradle.Release{Version: "2", Lifecycle: "beta"}), cradle.EInvalid},
		} {
			if got := cradle.ErrorCode(tc.err); got != tc.code {
				t.Errorf("%s: code %q (%v), want %q", tc.name, got, tc.err, tc.code)
			}
		}
		if _, err := db.Release(ctx, "P", "9"); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Errorf("missing release: %v", err)
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := &cradle.User{Email: "Dev@Example.com", Role: cradle.RoleDeveloper}
		if err := db.CreateUser(ctx, actor, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, "dev@example.com", "wrong password!!"); cradle.ErrorCode(err) != cradle.EUnauthorized {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := db.Authenticate(ctx, "nobody@example.com", "whatever"); cradle.ErrorCode(err) != cradle.EUnauthorized {
			t.Fatalf("unknown user: %v", err)
		}
		got, err := db.Authenticate(ctx, "DEV@example.com", "correct horse battery")
		if err != nil || got.ID != u.ID {
			t.Fatalf("login: %v", err)
		}
		s, err := db.CreateSession(ctx, got)
		if err != nil {
			t.Fatal(err)
		}
		if s2, err := db.Session(ctx, s.Token); err != nil || s2.CSRF != s.CSRF {
			t.Fatalf("session: %v", err)
		}
		if _, err := db.CreateToken(ctx, actor, &cradle.Token{UserID: u.ID, Name: "ci", Role: cradle.RoleAdmin}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("escalating token: %v", err)
		}
		tok := &cradle.Token{UserID: u.ID, Name: "ci", Role: cradle.RoleDeveloper}
		secret, err := db.CreateToken(ctx, actor, tok)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.TokenPrincipal(ctx, secret)
		if err != nil || p.Role != cradle.RoleDeveloper || p.User.ID != u.ID {
			t.Fatalf("token auth: %+v %v", p, err)
		}
		if err := db.RevokeToken(ctx, actor, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenPrincipal(ctx, secret); cradle.ErrorCode(err) != cradle.EUnauthorized {
			t.Fatalf("revoked token: %v", err)
		}
		// Disabling the user ends the session.
		u.Disabled = true
		if err := db.UpdateUser(ctx, actor, u.ID, u, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, s.Token); cradle.ErrorCode(err) != cradle.EUnauthorized {
			t.Fatalf("session after disable: %v", err)
		}
	})
}

func TestSchemaCheck(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, e))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.CheckSchema(ctx); cradle.ErrorCode(err) != cradle.EConflict {
				t.Fatalf("unmigrated database accepted: %v", err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPrefixSearchDoesNotOverreach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db, "P", "1")
		s := &cradle.SBOM{Format: "cyclonedx", Encoding: "json", SpecVersion: "1.6"}
		for i, p := range []string{"pkg:npm/a@1", "pkg:npm/ab@1", "pkg:npm/b@1", "pkg:npm/%C3%A9@1"} {
			s.Components = append(s.Components, cradle.Component{Ref: fmt.Sprint(i), Name: p[8:], PURL: p})
		}
		s.ComputeDepths()
		if _, err := db.ImportSBOM(ctx, actor, "P", "1", []byte("d"), s, nil); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"pkg:npm/a": 2, "pkg:npm/a@": 1, "pkg:npm/": 4, "pkg:npm/c": 0, "A": 2, "b@": 1} {
			_, n, err := db.SearchComponents(ctx, q, cradle.Page{})
			if err != nil || n != want {
				t.Errorf("search %q: %d results (%v), want %d", q, n, err, want)
			}
		}
	})
}
