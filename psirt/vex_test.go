package psirt_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
	"github.com/cradle-sdl/cradle/vex"
)

func openvex(statements string) []byte {
	return []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://supplier.example/vex/1","author":"Supplier",
	"timestamp":"2026-11-01T00:00:00Z","version":1,"statements":[` + statements + `]}`)
}

const stmtNotAffected = `{"vulnerability":{"name":"CVE-2023-45288"},"products":[{"@id":"pkg:golang/golang.org/x/net@v0.17.0"}],
	"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}`

func TestVEXImportExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		// Unknown vulnerability: the whole document is refused.
		bad := openvex(stmtNotAffected + `,{"vulnerability":{"name":"CVE-1999-0001"},"products":[{"@id":"pkg:golang/golang.org/x/net@v0.17.0"}],"status":"fixed"}`)
		_, err := s.ImportVEX(ctx, actor, "GW", "supplier.json", bad, false)
		if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "statement 2 (CVE-1999-0001)") {
			t.Fatalf("unknown vulnerability: %v", err)
		}
		if ds, err := db.Decisions(ctx, "GW"); err != nil || len(ds) != 0 {
			t.Fatalf("half-imported: %+v", ds)
		}
		// Skipping the unknown one on request.
		res, err := s.ImportVEX(ctx, actor, "GW", "supplier.json", bad, true)
		if err != nil || len(res.Decisions) != 1 || len(res.Skipped) != 1 {
			t.Fatalf("import with skips: %+v %v", res, err)
		}
		fs, _, _ := db.ListFindings(ctx, store.FindingFilter{Product: "GW", Release: "2", Vuln: "GO-2024-2687"}, cradle.Page{})
		if len(fs) != 1 || fs[0].VEXStatus != "not_affected" || fs[0].VEXJustification != "vulnerable_code_not_in_execute_path" {
			t.Fatalf("decision on the finding: %+v", fs)
		}
		// A decision can be evidence (e.g. for SVV-3 or CRA I.I(2)(a)).
		ds, _ := db.Decisions(ctx, "GW")
		if len(ds) != 1 || ds[0].ID == 0 {
			t.Fatalf("decisions: %+v", ds)
		}
		ev := &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "decision", RecordRef: fmt.Sprint(ds[0].ID)}
		if err := db.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", "iec-62443-4-1-2018", "SVV-3", ev, nil); err != nil {
			t.Fatal(err)
		}
		ev = &cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "decision", RecordRef: "99999"}
		if err := db.AddEvidence(ctx, actor, cradle.ScopeProduct, "GW", "iec-62443-4-1-2018", "SVV-3", ev, nil); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Fatalf("missing decision: %v", err)
		}
		// A statement about a version range is not taken for every version.
		rangeDoc := openvex(`{"vulnerability":{"name":"CVE-2025-22870"},"products":[{"@id":"pkg:golang/golang.org/x/net?vers=vers:golang/%3E%3Dv0.36.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"}`)
		if _, err := s.ImportVEX(ctx, actor, "GW", "range.json", rangeDoc, false); cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "range") {
			t.Fatalf("ranged statement: %v", err)
		}
		// Export in every format; each decodes to the same meaning.
		if err := db.PutSetting(ctx, actor, "psirt", settings, nil); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"openvex", "cyclonedx", "csaf"} {
			b, err := s.ExportVEX(ctx, "GW", format)
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			doc, err := vex.Decode("export."+format, b)
			if err != nil {
				t.Fatalf("%s export does not decode: %v\n%s", format, err, b)
			}
			got := map[string]string{}
			for _, st := range doc.Statements {
				ids := append([]string{st.Vulnerability.ID}, st.Vulnerability.Aliases...)
				for _, id := range ids {
					if id == "CVE-2023-45288" {
						got[string(st.Status)] = string(st.Justification)
					}
				}
			}
			if got["not_affected"] != "vulnerable_code_not_in_execute_path" {
				t.Errorf("%s: statements about CVE-2023-45288: %v\n%s", format, got, b)
			}
		}
		if _, err := s.ExportVEX(ctx, "GW", "spdx"); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("unknown format: %v", err)
		}
	})
}
