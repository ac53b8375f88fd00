package compliance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var actor = cradle.Actor{Name: "assessor@example.com", Via: "test"}

const bom = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
	"metadata":{"component":{"bom-ref":"app","type":"application","name":"gw","version":"1"}},
	"components":[{"bom-ref":"z","type":"library","name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1"}],
	"dependencies":[{"ref":"app","dependsOn":["z"]}]}`

func setup(t *testing.T, db *store.DB) *compliance.Service {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateProduct(ctx, actor, &cradle.Product{Name: "GW", SupportStart: "2024-01-01", SupportEnd: "2034-01-01"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1", "2"} {
		if err := db.CreateRelease(ctx, actor, "GW", &cradle.Release{Version: v, Lifecycle: cradle.LifecycleReleased}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := monitor.New(db, nil).ImportSBOM(ctx, actor, "GW", "1", "gw.json", []byte(bom), nil); err != nil {
		t.Fatal(err)
	}
	return compliance.New(db)
}

func find(st *compliance.Status, id string) compliance.ReqStatus {
	for _, r := range st.Requirements {
		if r.Requirement.ID == id {
			return r
		}
	}
	return compliance.ReqStatus{}
}

func TestStatusAssessmentsAndMaturity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		st, err := s.Status(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Requirements) != 47 || len(st.Practices) != 8 || st.Counts[cradle.StatusNotStarted] != 47 {
			t.Fatalf("fresh status: %d requirements, %d practices, %v", len(st.Requirements), len(st.Practices), st.Counts)
		}
		// Derived evidence: release 2 has no SBOM.
		sm9 := find(st, "SM-9")
		if len(sm9.Derived) != 1 || sm9.Derived[0].Holds || !strings.Contains(sm9.Derived[0].Summary, "1 of 2 releases on the market have no SBOM: 2") {
			t.Fatalf("SM-9 derived: %+v", sm9.Derived)
		}
		if d := find(st, "SM-12").Derived; len(d) != 2 || d[0].Holds || d[1].Holds || !strings.Contains(d[1].Summary, "2: never evaluated") || !strings.Contains(d[0].Summary, "2: no SBOM") || !strings.Contains(d[0].Summary, "SDL scope not decided") {
			t.Fatalf("SM-12 derived: %+v", d)
		}
		// Unknown requirement, unknown catalogue: refused, nothing stored.
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: catalog.IEC62443_4_1, Requirement: "SM-99", Status: "met", Product: "GW"}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("unknown requirement: %v", err)
		}
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: "iso-9001", Requirement: "1", Status: "met"}); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("unknown catalogue: %v", err)
		}
		// The SI practice: both requirements met with evidence → ML3.
		for _, id := range []string{"SI-1", "SI-2"} {
			if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: catalog.IEC62443_4_1, Requirement: id, Status: cradle.StatusMet, Product: "GW"}); err != nil {
				t.Fatal(err)
			}
		}
		st, _ = s.Status(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1)
		si := practice(st, "SI")
		if si.Level != 2 || !strings.Contains(si.Computed.Next, "current evidence") {
			t.Fatalf("SI met without evidence: %+v", si)
		}
		for _, id := range []string{"SI-1", "SI-2"} {
			e := &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://ci.example.com/sast/" + id}
			if err := s.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1, id, e, nil); err != nil {
				t.Fatal(err)
			}
		}
		st, _ = s.Status(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1)
		if si = practice(st, "SI"); si.Level != 3 {
			t.Fatalf("SI met with evidence: %+v", si)
		}
		// An override needs a rationale and wins.
		if err := db.SetMaturityOverride(ctx, actor, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1, &store.MaturityOverride{Practice: "SI", Level: 2}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("override without rationale: %v", err)
		}
		if err := db.SetMaturityOverride(ctx, actor, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1, &store.MaturityOverride{Practice: "SI", Level: 2, Rationale: "SAST covers only the C code"}); err != nil {
			t.Fatal(err)
		}
		st, _ = s.Status(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1)
		if si = practice(st, "SI"); si.Level != 2 || si.Computed.Level != 3 || si.Override == nil {
			t.Fatalf("override: %+v", si)
		}
		if err := s.RecordHistory(ctx, st); err != nil {
			t.Fatal(err)
		}
		if h, _ := db.MaturityHistory(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1); len(h) != 8 {
			t.Fatalf("history: %+v", h)
		}
		// Organisation requirements are assessed once for every product.
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: catalog.IEC62443_4_1, Requirement: "SM-1", Status: cradle.StatusPartial, Product: "GW"}); err != nil {
			t.Fatal(err)
		}
		org, _ := s.Status(ctx, cradle.ScopeOrganisation, "", catalog.IEC62443_4_1)
		if r := find(org, "SM-1"); r.Assessment == nil || r.Assessment.Status != cradle.StatusPartial || r.Scope != cradle.ScopeOrganisation {
			t.Fatalf("SM-1 in the organisation: %+v", r)
		}
		if r := find(org, "SI-1"); r.Requirement != nil {
			t.Fatalf("the organisation view lists product requirement SI-1")
		}
		// The organisation page carries the organisation-wide derived evidence.
		if d := find(org, "DM-1").Derived; len(d) != 1 || d[0].Summary == "" {
			t.Fatalf("DM-1 derived in the organisation: %+v", d)
		}
		// SM-3 is an organisation requirement whose rule needs a product:
		// the organisation page lists it without derived evidence.
		if r := find(org, "SM-3"); r.Requirement == nil || len(r.Derived) != 0 {
			t.Fatalf("product rule of SM-3 derived in the organisation: %+v", r)
		}
	})
}

func practice(st *compliance.Status, id string) compliance.PracticeStatus {
	for _, p := range st.Practices {
		if p.ID == id {
			return p
		}
	}
	return compliance.PracticeStatus{}
}

func TestEvidenceRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		add := func(req string, e *cradle.Evidence, f *store.EvidenceFile) error {
			return s.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1, req, e, f)
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceFile}, &store.EvidenceFile{Filename: "../../etc/passwd", Data: []byte("x")}); err != nil {
			t.Fatal(err) // the path is dropped, the name kept
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceFile}, &store.EvidenceFile{Filename: "../", Data: []byte("x")}); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("nameless file: %v", err)
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceFile}, &store.EvidenceFile{Filename: "big.bin", Data: make([]byte, cradle.EvidenceMaxSize+1)}); cradle.ErrorCode(err) != cradle.ETooLarge {
			t.Fatalf("oversize: %v", err)
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "javascript:alert(1)"}, nil); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("javascript URL: %v", err)
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "advisory", RecordRef: "NW-SA-404"}, nil); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("link to a missing record: %v", err)
		}
		if err := add("SVV-3", &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "release", RecordRef: "GW@1"}, nil); err != nil {
			t.Fatal(err)
		}
		// SR-2 evidence older than a year is stale for a released product.
		s.Now = func() time.Time { return time.Now().UTC().AddDate(1, 1, 0) }
		if err := add("SR-2", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://wiki.example.com/threat-model"}, nil); err != nil {
			t.Fatal(err)
		}
		st, err := s.Status(ctx, cradle.ScopeProduct, "GW", catalog.IEC62443_4_1)
		if err != nil {
			t.Fatal(err)
		}
		if r := find(st, "SR-2"); r.Stale != 1 || r.Fresh != 0 {
			t.Fatalf("SR-2 a year later: %+v", r)
		}
		if r := find(st, "SVV-3"); r.Fresh != 2 || r.Assessment.Evidence[0].Filename != "passwd" {
			t.Fatalf("SVV-3: %+v", r.Assessment.Evidence)
		}
	})
}

// A release is assessed on its own where it differs and inherits the
// product's assessment elsewhere.
func TestReleaseAssessments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		const iec = catalog.IEC62443_4_1
		for _, id := range []string{"SVV-1", "SVV-3"} {
			if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: iec, Requirement: id, Status: cradle.StatusMet, Scope: cradle.ScopeProduct, Product: "GW"}); err != nil {
				t.Fatal(err)
			}
		}
		// Release 2 misses the coding-standard review.
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: iec, Requirement: "SVV-3", Status: cradle.StatusPartial, Scope: cradle.ScopeRelease, Product: "GW", Release: "2"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: iec, Requirement: "SVV-3", Status: cradle.StatusMet, Scope: cradle.ScopeRelease, Product: "GW", Release: "9"}); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("unknown release: %v", err)
		}
		rel := store.ReleaseScope("GW", "2")
		if err := s.AddEvidence(ctx, actor, cradle.ScopeRelease, rel, iec, "SI-1", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://ci.example.com/gw/2/sast"}, nil); err != nil {
			t.Fatal(err)
		}
		st, err := s.Status(ctx, cradle.ScopeRelease, rel, iec)
		if err != nil {
			t.Fatal(err)
		}
		if st.Product != "GW" || st.Release != "2" || len(st.Requirements) != 47 {
			t.Fatalf("release status: %s %s %d", st.Product, st.Release, len(st.Requirements))
		}
		si1, svv3, sm1 := find(st, "SI-1"), find(st, "SVV-3"), find(st, "SM-1")
		if si1.Inherited || si1.Status() != cradle.StatusNotStarted || si1.Fresh != 1 {
			t.Errorf("SI-1 has release evidence, so the release assesses it: %+v", si1)
		}
		if svv3.Inherited || svv3.Status() != cradle.StatusPartial || svv3.Scope != cradle.ScopeRelease {
			t.Errorf("SVV-3 of release 2: %+v", svv3)
		}
		if sm1.Scope != cradle.ScopeOrganisation {
			t.Errorf("SM-1 stays the organisation's: %+v", sm1)
		}
		if r := find(st, "SR-1"); r.Inherited {
			t.Errorf("SR-1 is assessed nowhere; nothing to inherit: %+v", r)
		}
		// Release 1 assesses nothing itself: it inherits the product's.
		st1, _ := s.Status(ctx, cradle.ScopeRelease, store.ReleaseScope("GW", "1"), iec)
		if r := find(st1, "SVV-3"); !r.Inherited || r.Status() != cradle.StatusMet {
			t.Errorf("SVV-3 of release 1: %+v", r)
		}
		if err := s.RecordHistory(ctx, st); err != nil {
			t.Fatal(err)
		}
		// The product's own view is unchanged.
		pst, _ := s.Status(ctx, cradle.ScopeProduct, "GW", iec)
		if r := find(pst, "SVV-3"); r.Status() != cradle.StatusMet {
			t.Errorf("product SVV-3: %+v", r)
		}
	})
}

// Re-importing a catalogue may not break a stored cross-walk, and a
// cross-walk may not take a catalogue's ID.
func TestImportKeepsCrosswalksWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := compliance.New(db)
		cat := func(reqs string) []byte {
			return []byte(`{"id":"acme-std","title":"ACME","version":"1","groups":[{"id":"A","title":"All"}],"requirements":[` + reqs + `]}`)
		}
		a1 := `{"id":"A-1","title":"One","parent":"A","kind":"product"}`
		a2 := `{"id":"A-2","title":"Two","parent":"A","kind":"product"}`
		if _, _, err := s.Import(ctx, actor, "acme.json", cat(a1+","+a2)); err != nil {
			t.Fatal(err)
		}
		walk := []byte(`{"id":"acme-to-iec","title":"W","version":"1","from":"acme-std","to":"iec-62443-4-1-2018","links":[{"from":"A-1","to":["SM-1"]}]}`)
		if _, _, err := s.Import(ctx, actor, "walk.json", walk); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Import(ctx, actor, "acme.json", cat(a2)); cradle.ErrorCode(err) != cradle.EConflict || !strings.Contains(err.Error(), "acme-to-iec") {
			t.Fatalf("re-import dropping a linked requirement: %v", err)
		}
		clash := []byte(`{"id":"acme-std","title":"W","version":"1","from":"acme-std","to":"iec-62443-4-1-2018","links":[{"from":"A-1","to":["SM-1"]}]}`)
		if _, _, err := s.Import(ctx, actor, "clash.json", clash); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("cross-walk with a catalogue's ID: %v", err)
		}
		if _, err := s.Status(ctx, cradle.ScopeOrganisation, "", "acme-std"); err != nil {
			t.Fatalf("the catalogue still works: %v", err)
		}
	})
}

// Evidence added to a release that had inherited a requirement keeps the
// inherited status.
func TestReleaseEvidenceKeepsInheritedStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		const iec = catalog.IEC62443_4_1
		if err := s.Assess(ctx, actor, &cradle.Assessment{CatalogID: iec, Requirement: "SVV-3", Status: cradle.StatusMet, Owner: "QA", Scope: cradle.ScopeProduct, Product: "GW"}); err != nil {
			t.Fatal(err)
		}
		rel := store.ReleaseScope("GW", "2")
		if err := s.AddEvidence(ctx, actor, cradle.ScopeRelease, rel, iec, "SVV-3", &cradle.Evidence{Kind: cradle.EvidenceURL, URL: "https://ci.example.com/fuzz/2"}, nil); err != nil {
			t.Fatal(err)
		}
		st, _ := s.Status(ctx, cradle.ScopeRelease, rel, iec)
		if r := find(st, "SVV-3"); r.Inherited || r.Status() != cradle.StatusMet || r.Assessment.Owner != "QA" || r.Fresh != 1 {
			t.Fatalf("SVV-3 of release 2: %+v", r)
		}
	})
}
