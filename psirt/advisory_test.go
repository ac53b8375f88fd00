package psirt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/publish"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

var settings = cradle.PSIRTSettings{Contacts: []string{"mailto:psirt@northwind.example"}, ExpiresDays: 180, BaseURL: "https://psirt.northwind.example",
	PublisherName: "Northwind Automation", PublisherNamespace: "https://northwind.example", PublisherContact: "psirt@northwind.example", TrackingPrefix: "NW-SA"}

func TestAdvisoryPublishes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, s := portfolio(t, db)
		c, err := s.Open(ctx, actor, psirt.NewCase{Title: "HTTP/2 CONTINUATION flood", VulnID: "CVE-2023-45288", Component: "golang.org/x/net",
			CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", CWE: "CWE-400", Description: "An attacker can exhaust memory.", Suggest: true, AwareAt: time.Now().Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		a := &cradle.Advisory{CaseRef: c.Ref, Category: "csaf_security_advisory", Title: "Denial of service in GW", TLP: "WHITE",
			Summary: "GW releases 1 and 2 are affected by a denial of service.", Acknowledge: []string{"Jane Researcher"}}
		if err := db.CreateAdvisory(ctx, actor, a, "NW-SA"); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(a.TrackingID, "NW-SA-") || a.Status != "draft" {
			t.Fatalf("advisory: %+v", a)
		}
		// Numbering continues after the highest number of the year, also one given by hand.
		year := a.TrackingID[len("NW-SA-") : len("NW-SA-")+4]
		manual := &cradle.Advisory{CaseRef: c.Ref, TrackingID: "NW-SA-" + year + "-0007", Category: "csaf_vex", Title: "t", Summary: "s"}
		if err := db.CreateAdvisory(ctx, actor, manual, "NW-SA"); err != nil {
			t.Fatal(err)
		}
		next := &cradle.Advisory{CaseRef: c.Ref, Category: "csaf_vex", Title: "t", Summary: "s"}
		if err := db.CreateAdvisory(ctx, actor, next, "NW-SA"); err != nil || next.TrackingID != "NW-SA-"+year+"-0008" {
			t.Fatalf("next number: %q %v", next.TrackingID, err)
		}
		// Unconfigured publisher: refused, nothing published.
		if _, err := s.Publish(ctx, actor, a.TrackingID, "final", "Initial release"); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("publish without settings: %v", err)
		}
		if err := db.PutSetting(ctx, actor, "psirt", settings, nil); err != nil {
			t.Fatal(err)
		}
		gw, _ := db.Product(ctx, "GW")
		gw.ModelNumbers, gw.Manufacturer = []string{"GW-1000"}, "Northwind Automation"
		if err := db.UpdateProduct(ctx, actor, "GW", gw); err != nil {
			t.Fatal(err)
		}
		// Release 1 affected with an action, release 2 not affected.
		rs := []cradle.CaseRelease{{Product: "GW", Version: "1", Status: "affected", Action: "Limit HTTP/2 streams at the reverse proxy."},
			{Product: "GW", Version: "2", Status: "not_affected", Justification: "vulnerable_code_not_in_execute_path"}}
		if _, err := s.Update(ctx, actor, c.Ref, psirt.CasePatch{Releases: &rs}); err != nil {
			t.Fatal(err)
		}
		draft, rep, err := s.RenderAdvisory(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Valid() {
			t.Fatalf("draft fails: %v\n%s", rep.Err(), draft)
		}
		if err := db.AddSubscriber(ctx, actor, &cradle.Subscriber{Email: "ops@customer.example"}); err != nil {
			t.Fatal(err)
		}
		pub, err := s.Publish(ctx, actor, a.TrackingID, "final", "Initial public release")
		if err != nil {
			t.Fatal(err)
		}
		if pub.Version != "1" || pub.Status != "final" || len(pub.Revisions) != 1 {
			t.Fatalf("published: %+v", pub)
		}
		rep, err = csaf.Validate("x.json", pub.Document)
		if err != nil || !rep.Valid() {
			t.Fatalf("published document: %v %v", err, rep.Err())
		}
		d := rep.Document
		v := d.Vulnerabilities[0]
		helper := d.ProductTree.Branches[0].Branches[0].Branches[0].Product.ProductIdentificationHelper
		if helper.PURL != "pkg:generic/northwind_automation/gw@1" || helper.ModelNumbers[0] != "GW-1000" || !strings.HasPrefix(helper.CPE, "cpe:2.3:a:northwind_automation:gw:1:") {
			t.Errorf("identification helper: %+v", helper)
		}
		if v.CVE != "CVE-2023-45288" || len(v.ProductStatus.KnownAffected) != 1 || len(v.ProductStatus.KnownNotAffected) != 1 ||
			len(v.Flags) != 1 || v.Flags[0].Label != "vulnerable_code_not_in_execute_path" || d.Document.Tracking.Status != "final" {
			t.Fatalf("document content: %+v", v)
		}
		mails, _ := db.DueMail(ctx, 10)
		if len(mails) != 1 || mails[0].Mail.AttachName != csaf.Filename(a.TrackingID) || !json.Valid(mails[0].Mail.Attach) {
			t.Fatalf("customer mail: %+v", mails)
		}
		// A second publication is revision 2; the revision history grows.
		pub, err = s.Publish(ctx, actor, a.TrackingID, "final", "Added workaround")
		if err != nil || pub.Version != "2" || len(pub.Revisions) != 2 {
			t.Fatalf("second revision: %+v %v", pub, err)
		}
		if _, err := s.Publish(ctx, actor, a.TrackingID, "interim", "back"); cradle.ErrorCode(err) != cradle.EConflict {
			t.Fatalf("final back to interim: %v", err)
		}

		// The trusted-provider tree needs a key; then it holds the
		// document, its hashes and a signature that verifies.
		if _, err := s.ProviderTree(ctx); cradle.ErrorCode(err) != cradle.ENotFound {
			t.Fatalf("tree without a key: %v", err)
		}
		info, err := s.GenerateSigningKey(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := s.ProviderTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("white/%d/%s", pub.InitialDate.Year(), csaf.Filename(a.TrackingID))
		f, ok := tree[path]
		if !ok || string(f.Data) != string(pub.Document) {
			t.Fatalf("tree lacks %s", path)
		}
		if err := publish.Verify([]byte(info.Public), f.Data, tree[path+".asc"].Data); err != nil {
			t.Fatalf("signature: %v", err)
		}
		txt, err := s.SecurityTxt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := publish.ParseSecurityTxt(txt)
		if err != nil || parsed.Contacts[0] != "mailto:psirt@northwind.example" || !strings.HasSuffix(parsed.CSAF[0], "/.well-known/csaf/provider-metadata.json") {
			t.Fatalf("security.txt: %v\n%s", err, txt)
		}
	})
}

// BenchmarkAdvisory500x20 builds and validates an advisory covering 500
// product versions (25 products × 20 releases) and 20 vulnerabilities.
func BenchmarkAdvisory500x20(b *testing.B) {
	in := psirt.AdvisoryInput{Advisory: &cradle.Advisory{TrackingID: "NW-SA-2026-0001", Category: "csaf_security_advisory", Title: "Many",
		TLP: "WHITE", Summary: "s", Status: "final", Version: "1", InitialDate: time.Now(), CurrentDate: time.Now(),
		Revisions: []cradle.AdvisoryRevision{{Number: "1", Date: time.Now(), Summary: "Initial"}}}, Publisher: settings, Now: time.Now()}
	id := int64(0)
	var all []cradle.CaseRelease
	for p := range 25 {
		pr := psirt.ProductReleases{Product: &cradle.Product{Name: fmt.Sprintf("Product %d", p), Manufacturer: "Northwind"}}
		for r := range 20 {
			id++
			cr := cradle.CaseRelease{ReleaseID: id, Product: pr.Product.Name, Version: fmt.Sprintf("%d.%d", r/10, r%10)}
			pr.Releases = append(pr.Releases, cr)
			all = append(all, cr)
		}
		in.Products = append(in.Products, pr)
	}
	for v := range 20 {
		c := &cradle.Case{Ref: fmt.Sprintf("CASE-%d", v+1), Title: fmt.Sprintf("Vulnerability %d", v), CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Rating: "critical"}
		for i, r := range all {
			r.Status = []string{"affected", "not_affected", "fixed", "under_investigation"}[(i+v)%4]
			switch r.Status {
			case "affected":
				r.Action = "Update to the next release."
			case "not_affected":
				r.Justification = "component_not_present"
			}
			c.Releases = append(c.Releases, r)
		}
		in.Vulns = append(in.Vulns, psirt.VulnInput{Case: c, CVE: fmt.Sprintf("CVE-2026-%04d", 1000+v)})
	}
	b.ReportAllocs()
	for b.Loop() {
		doc, err := psirt.BuildCSAF(in)
		if err != nil {
			b.Fatal(err)
		}
		data, err := json.Marshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := csaf.Validate("bench.json", data)
		if err != nil || !rep.Valid() {
			b.Fatalf("%v %v", err, rep.Err())
		}
	}
}
