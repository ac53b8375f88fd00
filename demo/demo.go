// Package demo holds a small sample portfolio, a fictional industrial
// product line with releases and SBOMs written for cradle, so that a
// newcomer sees a populated system with one command (`cradle demo` or
// `cradle serve --demo`).
package demo

import (
	"context"
	"embed"
	"fmt"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
)

//go:embed sboms
var sboms embed.FS

//go:embed engineering
var engineeringFiles embed.FS

const manufacturer = "Northwind Automation GmbH, Industriestraße 1, 76131 Karlsruhe, Germany (fictional)"

type release struct {
	version, date string
	lifecycle     cradle.Lifecycle
	sbom          string
}

var portfolio = []struct {
	product  cradle.Product
	releases []release
}{
	{cradle.Product{
		Name:             "Edge Gateway EG-200",
		Description:      "DIN-rail industrial edge gateway: Modbus/TCP and OPC UA southbound, MQTT over TLS northbound, remote maintenance over SSH.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Connects field devices in industrial automation cells to plant and cloud systems; installed in control cabinets by system integrators.",
		Class:            cradle.ClassImportantI,
		SupportStart:     "2024-03-01",
		SupportEnd:       "2034-02-28",
		SupportRationale: "Ten years: gateways stay in control cabinets for the life of the machine they serve (typically 10-15 years, per our installed-base data).",
	}, []release{
		{"2.3.0", "2024-03-01", cradle.LifecycleReleased, "eg200-2.3.0.cdx.json"},
		{"2.4.1", "2025-06-15", cradle.LifecycleReleased, "eg200-2.4.1.cdx.json"},
		{"3.0.0-rc1", "", cradle.LifecycleDevelopment, ""},
	}},
	{cradle.Product{
		Name:             "PLC Runtime RT-4",
		Description:      "Real-time IEC 61131-3 runtime firmware for the RT-4 controller family, with an embedded OPC UA server.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Executes control programs on RT-4 programmable logic controllers in machine and process automation.",
		Class:            cradle.ClassDefault,
		SupportStart:     "2023-01-15",
		SupportEnd:       "2033-01-14",
		SupportRationale: "Ten years, matching the hardware availability commitment for RT-4 controllers.",
	}, []release{
		{"4.1.0", "2023-01-15", cradle.LifecycleEndOfSupport, "rt4-4.1.0.cdx.json"},
		{"4.2.2", "2024-11-04", cradle.LifecycleReleased, "rt4-4.2.2.spdx.json"},
	}},
	{cradle.Product{
		Name:             "HMI Studio",
		Description:      "Java desktop and web HMI for operating and visualising RT-4 and EG-200 based plants.",
		Manufacturer:     manufacturer,
		IntendedPurpose:  "Operator panels and engineering stations in industrial plants.",
		Class:            cradle.ClassDefault,
		SupportStart:     "2022-05-01",
		SupportEnd:       "2027-04-30",
		SupportRationale: "Five years, the CRA minimum (Art. 13(8)); HMI Studio follows a yearly major-release cycle.",
	}, []release{
		{"7.8.0", "2022-05-01", cradle.LifecycleReleased, "hmi-7.8.0.cdx.json"},
		{"7.9.0", "2023-02-20", cradle.LifecycleReleased, "hmi-7.9.0.spdx.json"},
	}},
}

// Load creates the sample portfolio when the database has no products and
// returns the number of products created (0 when it left things alone).
func Load(ctx context.Context, db *store.DB, actor cradle.Actor) (int, error) {
	_, total, err := db.ListProducts(ctx, cradle.Page{PerPage: 1})
	if err != nil || total > 0 {
		return 0, err
	}
	m := monitor.New(db, nil)
	for _, p := range portfolio {
		prod := p.product
		if err := db.CreateProduct(ctx, actor, &prod); err != nil {
			return 0, fmt.Errorf("demo product %s: %w", prod.Name, err)
		}
		for _, r := range p.releases {
			rel := cradle.Release{Version: r.version, ReleaseDate: r.date, Lifecycle: r.lifecycle}
			if err := db.CreateRelease(ctx, actor, prod.Name, &rel); err != nil {
				return 0, fmt.Errorf("demo release %s %s: %w", prod.Name, r.version, err)
			}
			if r.sbom == "" {
				continue
			}
			raw, err := sboms.ReadFile("sboms/" + r.sbom)
			if err != nil {
				return 0, err
			}
			if _, err := m.ImportSBOM(ctx, actor, prod.Name, r.version, r.sbom, raw, nil); err != nil {
				return 0, fmt.Errorf("demo SBOM %s: %w", r.sbom, err)
			}
		}
	}
	if err := loadPSIRT(ctx, db, actor); err != nil {
		return 0, fmt.Errorf("demo PSIRT: %w", err)
	}
	if err := loadCompliance(ctx, db, actor); err != nil {
		return 0, fmt.Errorf("demo compliance: %w", err)
	}
	if err := loadEngineering(ctx, db, actor); err != nil {
		return 0, fmt.Errorf("demo engineering evidence: %w", err)
	}
	return len(portfolio), nil
}

// loadPSIRT configures the PSIRT (security.txt, CVD policy, CSAF
// publisher, a signing key), receives a report through the intake, opens
// a case for it, and publishes its advisory, so that every page of
// vulnerability handling has something to show.
func loadPSIRT(ctx context.Context, db *store.DB, actor cradle.Actor) error {
	for i := range portfolio {
		p, err := db.Product(ctx, portfolio[i].product.Name)
		if err != nil {
			return err
		}
		p.MemberStates = []string{"AT", "DE", "FR", "NL"}
		if p.Name == "Edge Gateway EG-200" {
			p.ModelNumbers = []string{"EG-200-DIN", "EG-200-R19"}
		}
		if err := db.UpdateProduct(ctx, actor, p.Name, p); err != nil {
			return err
		}
	}
	st := cradle.PSIRTSettings{Contacts: []string{"mailto:psirt@northwind.example", "https://psirt.northwind.example/report"},
		PreferredLanguages: []string{"en", "de"}, ExpiresDays: 180, BaseURL: "https://psirt.northwind.example", SignTxt: true,
		CVDPolicy: cradle.DefaultCVDPolicy, PublisherName: "Northwind Automation", PublisherNamespace: "https://northwind.example",
		PublisherContact: "psirt@northwind.example", TrackingPrefix: "NW-SA", IntakeEnabled: true}
	if err := db.PutSetting(ctx, actor, "psirt", st, nil); err != nil {
		return err
	}
	ps := psirt.New(db, nil)
	if _, err := ps.GenerateSigningKey(ctx, actor); err != nil {
		return err
	}
	report := &cradle.IntakeReport{Product: "Edge Gateway EG-200", Version: "2.4.1", Title: "Maintenance SSH accepts a default password",
		Description: "The remote-maintenance SSH service of EG-200 2.4.1 accepts the password printed in the installation manual for the service account, also after commissioning.",
		Name:        "Jane Researcher", Email: "jane@research.example"}
	if _, err := db.CreateIntake(ctx, report, nil); err != nil {
		return err
	}
	c, err := ps.Open(ctx, actor, psirt.NewCase{Title: "Default service password accepted by maintenance SSH", Source: cradle.SourceIntake,
		IntakeID: report.TrackingID, Description: report.Description, Product: "Edge Gateway EG-200", Suggest: true, CWE: "CWE-1392",
		CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVSS4: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
		AwareAt: time.Now().UTC().Add(-20 * time.Hour)})
	if err != nil {
		return err
	}
	var rs []cradle.CaseRelease
	for _, r := range c.Releases {
		switch r.Version {
		case "2.3.0", "2.4.1":
			r.Status, r.Action = cradle.VEXAffected, "Disable the service account in Settings > Maintenance, or restrict SSH to the maintenance VLAN, until the update is installed."
		default:
			r.Status, r.Justification = cradle.VEXNotAffected, "vulnerable_code_not_present"
		}
		rs = append(rs, r)
	}
	valid, fix, cause := cradle.ValidityValid, cradle.DecisionFix, "The factory reset restored the documented service password and commissioning did not force a change."
	if _, err := ps.Update(ctx, actor, c.Ref, psirt.CasePatch{Releases: &rs, Validity: &valid, Decision: &fix, RootCause: &cause}); err != nil {
		return err
	}
	a := &cradle.Advisory{CaseRef: c.Ref, Category: "csaf_security_advisory", Title: "Edge Gateway EG-200: default service password accepted over SSH",
		TLP: "WHITE", Summary: "EG-200 releases 2.3.0 and 2.4.1 accept the documented default password of the maintenance service account over SSH. Restrict SSH access until a fixed release is available.",
		Acknowledge: []string{"Jane Researcher"}}
	if err := db.CreateAdvisory(ctx, actor, a, st.TrackingPrefix); err != nil {
		return err
	}
	_, err = ps.Publish(ctx, actor, a.TrackingID, cradle.AdvisoryInterim, "Initial public release with a mitigation; a fixed release will follow")
	return err
}

// loadCompliance records a starting point of an IEC 62443-4-1
// self-assessment: the organisation's process partly in place, the gateway
// assessed in part with evidence, so the compliance pages show levels,
// gaps and derived evidence.
func loadCompliance(ctx context.Context, db *store.DB, actor cradle.Actor) error {
	cs := compliance.New(db)
	const iec = catalog.IEC62443_4_1
	for _, p := range portfolio {
		if err := db.SetScope(ctx, actor, &store.ProductScope{Product: p.product.Name, InScope: true,
			Justification: "Product with digital elements placed on the EU market; developed under the Northwind SDL."}); err != nil {
			return err
		}
	}
	const gw = "Edge Gateway EG-200"
	type step struct {
		product, req, status, url string
	}
	for _, st := range []step{
		{"", "SM-1", cradle.StatusMet, "https://wiki.northwind.example/sdl/process-handbook-v3"},
		{"", "SM-2", cradle.StatusMet, "https://wiki.northwind.example/sdl/raci"},
		{"", "SM-4", cradle.StatusPartial, ""},
		{"", "SM-13", cradle.StatusPartial, ""},
		{"", "DM-1", cradle.StatusMet, "https://psirt.northwind.example/security/policy"},
		{"", "DM-6", cradle.StatusNotStarted, ""},
		{gw, "SM-9", cradle.StatusMet, ""},
		{gw, "SR-1", cradle.StatusMet, "https://wiki.northwind.example/eg200/security-context"},
		{gw, "SR-2", cradle.StatusPartial, "https://git.northwind.example/eg200/threat-model.yaml"},
		{gw, "SI-1", cradle.StatusMet, "https://ci.northwind.example/eg200/sast/latest"},
	} {
		kind := cradle.ScopeProduct
		if st.product == "" {
			kind = cradle.ScopeOrganisation
		}
		a := &cradle.Assessment{Scope: kind, Product: st.product, CatalogID: iec, Requirement: st.req, Status: st.status, Owner: "Product Security Office"}
		if err := cs.Assess(ctx, actor, a); err != nil {
			return err
		}
		if st.url != "" {
			if err := cs.AddEvidence(ctx, actor, kind, st.product, iec, st.req, &cradle.Evidence{Kind: cradle.EvidenceURL, URL: st.url}, nil); err != nil {
				return err
			}
		}
	}
	return cs.AddEvidence(ctx, actor, cradle.ScopeProduct, gw, iec, "SM-9",
		&cradle.Evidence{Kind: cradle.EvidenceRecord, RecordType: "release", RecordRef: gw + "@2.4.1", Title: "SBOM of EG-200 2.4.1"}, nil)
}

// loadEngineering gives the Edge Gateway a threat model (reviewed), SAST
// results for both releases and security test results for 2.4.1, an
// exception, and a gate decision, so that the threat model, results and
// gate pages have something to show.
func loadEngineering(ctx context.Context, db *store.DB, actor cradle.Actor) error {
	const gw = "Edge Gateway EG-200"
	es := engineering.New(db)
	read := func(name string) []byte {
		b, err := engineeringFiles.ReadFile("engineering/" + name)
		if err != nil {
			panic(err) // embedded: present at build time
		}
		return b
	}
	if _, err := es.ImportThreatModel(ctx, actor, gw, "2.4.1", "eg200-threat-model.yaml", read("eg200-threat-model.yaml")); err != nil {
		return err
	}
	if err := db.AddThreatReview(ctx, actor, &cradle.ThreatReview{Product: gw, Version: 1, Outcome: cradle.ReviewApproved,
		Notes: "Reviewed with the architecture board: the open high threats are tracked for 2.5 (see the release gate's exception)."}); err != nil {
		return err
	}
	for _, f := range []struct{ release, kind, file string }{
		{"2.3.0", "", "semgrep-2.3.0.sarif"},
		{"2.4.1", "", "semgrep-2.4.1.sarif"},
		{"2.4.1", "test", "junit-2.4.1.xml"},
	} {
		if _, _, err := es.ImportResults(ctx, actor, gw, f.release, f.kind, f.file, read(f.file)); err != nil {
			return err
		}
	}
	if err := db.AddGateException(ctx, actor, &cradle.GateException{Product: gw, Release: "2.4.1", Check: "threat_model",
		Approver: "K. Berger, Head of Product Security", Reason: "Open high threats of the cloud and UART paths are mitigated in 2.5 (due Q1); compensating controls documented in the user manual.",
		ExpiresAt: time.Now().UTC().AddDate(0, 3, 0)}); err != nil {
		return err
	}
	_, err := es.Gate(ctx, actor, gw, "2.4.1", "", nil)
	return err
}
