package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

const uiThreatModel = `version: 1
product: {name: GW}
boundaries:
  - {id: device, name: Device}
elements:
  - {id: app, kind: process, name: Firmware <b>, boundary: device}
  - {id: user, kind: external_entity, name: Operator}
flows:
  - {id: f1, from: user, to: app, protocol: HTTPS, authenticated: true, encrypted: false}
`

const uiSARIF = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[
 {"ruleId":"G101","level":"error","message":{"text":"hard-coded credential"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"config.go"},"region":{"startLine":7}}}]}]}]}`

// A security officer walks through the engineering pages: uploads a threat
// model (a broken one first), sees the diagram and threats, records a
// review, imports SARIF, suppresses a result, checks SBOM quality, runs the
// gate, adds an exception and a policy.
func TestUIEngineeringWalkthrough(t *testing.T) {
	s, db := newUIServer(t)
	ctx := context.Background()
	a := cradle.Actor{Name: "test"}
	if err := db.CreateProduct(ctx, a, &cradle.Product{Name: "GW", SupportEnd: "2034-01-01"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRelease(ctx, a, "GW", &cradle.Release{Version: "1.0", Lifecycle: cradle.LifecycleReleased}); err != nil {
		t.Fatal(err)
	}
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"app","type":"application","name":"gw","version":"1.0"}},
		"components":[{"bom-ref":"z","type":"library","name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1"}],"dependencies":[{"ref":"app","dependsOn":["z"]}]}`
	if _, err := monitor.New(db, nil).ImportSBOM(ctx, a, "GW", "1.0", "gw.json", []byte(bom), nil); err != nil {
		t.Fatal(err)
	}
	c := signedIn(t, s, db, cradle.RoleSecurityOfficer)
	csrf := c.csrf()

	// Threat model: nothing yet, a broken upload, a good one.
	wantBody(t, c.get("/products/GW/threat-model"), "has no threat model yet")
	rec := c.upload("/products/GW/threat-model", csrf, "tm.yaml", "version: 1\nelements:\n  - {id: a, kind: proces, name: A}\n")
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "was not imported", "tm.yaml:3", "Nothing was changed")
	rec = c.upload("/products/GW/threat-model", csrf, "tm.yaml", uiThreatModel)
	wantStatus(t, rec, http.StatusSeeOther)
	rec = c.get("/products/GW/threat-model")
	wantBody(t, rec, "Threat model imported", "diagram.svg", "flow-cleartext-crossing:f1", "never reviewed", "older than 12 months", "Firmware &lt;b&gt;")
	svg := c.get("/products/GW/threat-model/diagram.svg")
	wantStatus(t, svg, http.StatusOK)
	if ct := svg.Header().Get("Content-Type"); ct != "image/svg+xml" {
		t.Fatalf("diagram content type %q", ct)
	}
	if err := xml.Unmarshal(svg.Body.Bytes(), new(struct{})); err != nil {
		t.Fatalf("diagram is not XML: %v", err)
	}
	wantStatus(t, c.post("/products/GW/threat-model/reviews", url.Values{"csrf": {csrf}, "version": {"1"}, "outcome": {"changes_requested"}}), http.StatusBadRequest)
	wantStatus(t, c.post("/products/GW/threat-model/reviews", url.Values{"csrf": {csrf}, "version": {"1"}, "outcome": {"approved"}, "notes": {"Looked at every flow."}}), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/threat-model"), "Threat model review recorded", "Looked at every flow.")
	// A second version shows its changes from the first.
	wantStatus(t, c.upload("/products/GW/threat-model", csrf, "tm.yaml", strings.Replace(uiThreatModel, "encrypted: false", "encrypted: true", 1)), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/threat-model"), "Changes from version 1 to 2", "encrypted", "changed since")

	wantBody(t, c.get("/products/GW/threat-model?release=1.0"), "as run for release 1.0")

	// Edited in the browser: a defect is shown with the text kept; a fix is saved.
	rec = c.post("/products/GW/threat-model", url.Values{"csrf": {csrf}, "source": {uiThreatModel + "  - {id: f1, from: app, to: app}\n"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "was not imported", "threat-model.yaml", "from: app, to: app")
	wantStatus(t, c.post("/products/GW/threat-model", url.Values{"csrf": {csrf}, "source": {strings.Replace(uiThreatModel, "protocol: HTTPS", "protocol: HTTP/2", 1)}}), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/threat-model"), "Threat model imported", "HTTP/2")

	// Results: a truncated file is refused; SARIF imported and listed.
	rec = c.upload("/products/GW/releases/1.0/results", csrf, "bad.sarif", `{"version":"2.1.0","runs":[`)
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "was not imported", "bad.sarif:1")
	wantStatus(t, c.upload("/products/GW/releases/1.0/results", csrf, "gosec.sarif", uiSARIF), http.StatusSeeOther)
	rec = c.get("/products/GW/releases/1.0/results")
	wantBody(t, rec, "Results imported", "G101", "config.go:7", "gosec.sarif")
	rs, _, _ := db.ListResults(ctx, "GW", "1.0", storeFilterOpen(), cradle.Page{})
	if len(rs) != 1 {
		t.Fatalf("results: %+v", rs)
	}
	wantStatus(t, c.post("/products/GW/results/suppressions", url.Values{"csrf": {csrf}, "release": {"1.0"}, "fingerprint": {rs[0].Fingerprint}, "reason": {""}}), http.StatusBadRequest)
	wantStatus(t, c.post("/products/GW/results/suppressions", url.Values{"csrf": {csrf}, "release": {"1.0"}, "fingerprint": {rs[0].Fingerprint}, "reason": {"Test fixture, not shipped."}}), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/releases/1.0/results?status=suppressed"), "Test fixture, not shipped.")

	// SBOM quality, both profiles.
	wantBody(t, c.get("/products/GW/releases/1.0/sbom/quality"), "does not meet the profile", "component.deployable_hash")
	wantBody(t, c.get("/products/GW/releases/1.0/sbom/quality?profile=ntia"), "sbom.timestamp")
	rel, _ := db.Release(ctx, "GW", "1.0")
	id := strconv.FormatInt(rel.CurrentSBOMID, 10)
	if rec := c.get("/products/GW/releases/1.0/sbom/quality?sbom=" + id); !strings.Contains(rec.Body.String(), "SBOM #"+id+",") || strings.Contains(rec.Body.String(), "not the current one") {
		t.Fatalf("quality of the current SBOM by ID: %s", shortBody(rec.Body.String()))
	}
	wantStatus(t, c.get("/products/GW/releases/1.0/sbom/quality?sbom=999"), http.StatusNotFound)

	// The gate: run it, read the decision (verified), add an exception.
	wantBody(t, c.get("/products/GW/releases/1.0/gate"), "has not been run")
	rec = c.post("/products/GW/releases/1.0/gate", url.Values{"csrf": {csrf}})
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	wantBody(t, c.get(loc), "FAIL", "Verified", "SDL checklist complete", "Hashes")
	wantBody(t, c.get("/products/GW/releases/1.0/gate"), "FAIL", "History")
	rec = c.post("/products/GW/gate/exceptions", url.Values{"csrf": {csrf}, "release": {"1.0"}, "check": {"sbom"}, "approver": {""}, "reason": {"x"}, "expires": {"2099-01-01"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "named approver")
	wantStatus(t, c.post("/products/GW/gate/exceptions", url.Values{"csrf": {csrf}, "release": {"1.0"}, "check": {"sbom"}, "approver": {"CISO"}, "reason": {"Supplier data follows in 1.1."}, "expires": {"2027-03-31"}}), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/releases/1.0/gate"), "Exception added", "Supplier data follows in 1.1.", "CISO")
	// Policies: an unknown key is refused with its line; a good one stored.
	rec = c.post("/products/GW/gate/policy", url.Values{"csrf": {csrf}, "release": {"1.0"}, "policy": {"sast:\n  max_severty: high\n"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantBody(t, rec, "policy:2:3", "max_severty")
	wantStatus(t, c.post("/products/GW/gate/policy", url.Values{"csrf": {csrf}, "release": {"1.0"}, "policy": {"sast:\n  max_severity: critical\n"}}), http.StatusSeeOther)
	wantBody(t, c.get("/products/GW/releases/1.0/gate"), "Gate policy saved", "max_severity: critical")

	// The release page links to all of it.
	wantBody(t, c.get("/products/GW/releases/1.0"), "/results", "/sbom/quality", "/gate")
	wantBody(t, c.get("/products/GW"), "/threat-model")
}

func storeFilterOpen() store.ResultFilter { return store.ResultFilter{Status: cradle.ResultOpen} }
