package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
)

// The expected tables below are typed from DOMAIN.md (the shared
// domain reference), not generated from the data files, so that a typo in
// either shows up as a difference.

type item struct{ ID, Parent, Title string }

func builtinCatalog(t *testing.T, id string) *catalog.Catalog {
	t.Helper()
	for _, c := range catalog.Builtin() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no built-in catalogue %q", id)
	return nil
}

func groupsOf(c *catalog.Catalog) []item {
	var out []item
	for _, g := range c.Groups {
		out = append(out, item{g.ID, g.Parent, g.Title})
	}
	return out
}

func requirementsOf(c *catalog.Catalog) []item {
	var out []item
	for _, r := range c.Requirements {
		out = append(out, item{r.ID, r.Parent, r.Title})
	}
	return out
}

func TestIEC62443_4_1(t *testing.T) {
	c := builtinCatalog(t, catalog.IEC62443_4_1)
	wantPractices := []struct{ ID, Title, Clause string }{
		{"SM", "Security management", "5"},
		{"SR", "Specification of security requirements", "6"},
		{"SD", "Secure by design", "7"},
		{"SI", "Secure implementation", "8"},
		{"SVV", "Security verification and validation testing", "9"},
		{"DM", "Management of security-related issues", "10"},
		{"SUM", "Security update management", "11"},
		{"SG", "Security guidelines", "12"},
	}
	var gotPractices []struct{ ID, Title, Clause string }
	for _, g := range c.Groups {
		if g.Parent != "" {
			t.Errorf("practice %s has parent %q; practices are top-level", g.ID, g.Parent)
		}
		gotPractices = append(gotPractices, struct{ ID, Title, Clause string }{g.ID, g.Title, g.Clause})
	}
	if diff := cmp.Diff(wantPractices, gotPractices); diff != "" {
		t.Errorf("practices (-want +got):\n%s", diff)
	}

	want := []item{
		{"SM-1", "SM", "Development process"},
		{"SM-2", "SM", "Identification of responsibilities"},
		{"SM-3", "SM", "Identification of applicability"},
		{"SM-4", "SM", "Security expertise"},
		{"SM-5", "SM", "Process scoping"},
		{"SM-6", "SM", "File integrity"},
		{"SM-7", "SM", "Development environment security"},
		{"SM-8", "SM", "Controls for private keys"},
		{"SM-9", "SM", "Security requirements for externally provided components"},
		{"SM-10", "SM", "Custom developed components from third-party suppliers"},
		{"SM-11", "SM", "Assessing and addressing security-related issues"},
		{"SM-12", "SM", "Process verification"},
		{"SM-13", "SM", "Continuous improvement"},
		{"SR-1", "SR", "Product security context"},
		{"SR-2", "SR", "Threat model"},
		{"SR-3", "SR", "Product security requirements"},
		{"SR-4", "SR", "Product security requirements content"},
		{"SR-5", "SR", "Security requirements review"},
		{"SD-1", "SD", "Secure design principles"},
		{"SD-2", "SD", "Defense in depth design"},
		{"SD-3", "SD", "Security design review"},
		{"SD-4", "SD", "Secure design best practices"},
		{"SI-1", "SI", "Security implementation review"},
		{"SI-2", "SI", "Secure coding standards"},
		{"SVV-1", "SVV", "Security requirements testing"},
		{"SVV-2", "SVV", "Threat mitigation testing"},
		{"SVV-3", "SVV", "Vulnerability testing"},
		{"SVV-4", "SVV", "Penetration testing"},
		{"SVV-5", "SVV", "Independence of testers"},
		{"DM-1", "DM", "Receiving notifications of security-related issues"},
		{"DM-2", "DM", "Reviewing security-related issues"},
		{"DM-3", "DM", "Assessing security-related issues"},
		{"DM-4", "DM", "Addressing security-related issues"},
		{"DM-5", "DM", "Disclosing security-related issues"},
		{"DM-6", "DM", "Periodic review of security defect management practice"},
		{"SUM-1", "SUM", "Security update qualification"},
		{"SUM-2", "SUM", "Security update documentation"},
		{"SUM-3", "SUM", "Dependent component or operating system security update documentation"},
		{"SUM-4", "SUM", "Security update delivery"},
		{"SUM-5", "SUM", "Timely delivery of security patches"},
		{"SG-1", "SG", "Product defense in depth"},
		{"SG-2", "SG", "Defense in depth measures expected in the environment"},
		{"SG-3", "SG", "Security hardening guidelines"},
		{"SG-4", "SG", "Secure disposal guidelines"},
		{"SG-5", "SG", "Secure operation guidelines"},
		{"SG-6", "SG", "Account management guidelines"},
		{"SG-7", "SG", "Documentation review"},
	}
	if len(want) != 47 {
		t.Fatalf("the expected table has %d rows, want 47", len(want))
	}
	if diff := cmp.Diff(want, requirementsOf(c)); diff != "" {
		t.Errorf("requirements (-want +got):\n%s", diff)
	}
	if got := len(c.Requirements); got != 47 {
		t.Errorf("got %d requirements, want 47", got)
	}

	// Only SR-2 carries a freshness rule: the threat model of a released
	// product is reviewed at least yearly.
	for _, r := range c.Requirements {
		if r.ID == "SR-2" {
			want := &catalog.Freshness{MaxAgeDays: 365, Lifecycle: []cradle.Lifecycle{cradle.LifecycleReleased}}
			if diff := cmp.Diff(want, r.Freshness); diff != "" {
				t.Errorf("SR-2 freshness (-want +got):\n%s", diff)
			}
			if r.Kind != catalog.KindProduct {
				t.Errorf("SR-2 kind = %q, want product", r.Kind)
			}
			if !r.Freshness.AppliesTo(cradle.LifecycleReleased) || r.Freshness.AppliesTo(cradle.LifecycleDevelopment) {
				t.Error("SR-2 freshness should apply to released products only")
			}
		} else if r.Freshness != nil {
			t.Errorf("%s has freshness %+v; only SR-2 should", r.ID, *r.Freshness)
		}
	}
	// Spot-check the kinds at both ends of the scale.
	kinds := map[string]catalog.Kind{"SM-1": catalog.KindOrganisation, "SM-13": catalog.KindOrganisation, "SI-2": catalog.KindOrganisation, "SR-2": catalog.KindProduct, "SVV-4": catalog.KindProduct, "SG-3": catalog.KindProduct}
	for id, want := range kinds {
		if got := c.Requirement(id).Kind; got != want {
			t.Errorf("%s kind = %q, want %q", id, got, want)
		}
	}
}

func TestCRA(t *testing.T) {
	c := builtinCatalog(t, catalog.CRA)
	wantGroups := []item{
		{"I", "", "Essential cybersecurity requirements"},
		{"I.I", "I", "Cybersecurity requirements relating to the properties of products with digital elements"},
		{"I.II", "I", "Vulnerability handling requirements"},
		{"Art.13", "", "Obligations of manufacturers"},
		{"Art.14", "", "Reporting obligations of manufacturers"},
		{"II", "", "Information and instructions to the user"},
		{"V", "", "EU declaration of conformity"},
		{"VII", "", "Content of the technical documentation"},
	}
	if diff := cmp.Diff(wantGroups, groupsOf(c)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}

	// Annex I, exactly the items DOMAIN.md lists, titles its short notes.
	wantAnnexI := []item{
		{"I.I.1", "I.I", "Appropriate cybersecurity based on risk"},
		{"I.I.2.a", "I.I", "No known exploitable vulnerabilities when made available"},
		{"I.I.2.b", "I.I", "Secure by default, reset to original state"},
		{"I.I.2.c", "I.I", "Security updates, automatic by default with opt-out, notification, postpone"},
		{"I.I.2.d", "I.I", "Protection from unauthorised access, report it"},
		{"I.I.2.e", "I.I", "Confidentiality (encryption at rest/in transit)"},
		{"I.I.2.f", "I.I", "Integrity of data, commands, programs, configuration, report corruption"},
		{"I.I.2.g", "I.I", "Data minimisation"},
		{"I.I.2.h", "I.I", "Availability of essential functions, DoS resilience"},
		{"I.I.2.i", "I.I", "Minimise impact on other devices/networks"},
		{"I.I.2.j", "I.I", "Limit attack surfaces"},
		{"I.I.2.k", "I.I", "Reduce incident impact, exploitation mitigation"},
		{"I.I.2.l", "I.I", "Record/monitor relevant internal activity, with opt-out"},
		{"I.I.2.m", "I.I", "Secure, easy, permanent removal of data and settings; secure transfer"},
		{"I.II.1", "I.II", "Identify and document components and vulnerabilities, incl. an SBOM in a common machine-readable format covering at least top-level dependencies"},
		{"I.II.2", "I.II", "Remediate without delay, security updates separate from feature updates where feasible"},
		{"I.II.3", "I.II", "Regular effective security tests and reviews"},
		{"I.II.4", "I.II", "After a fix, publicly disclose fixed vulnerabilities (description, affected product identification, impact, severity, remediation)"},
		{"I.II.5", "I.II", "Coordinated vulnerability disclosure (CVD) policy"},
		{"I.II.6", "I.II", "Facilitate sharing, contact address for reports"},
		{"I.II.7", "I.II", "Secure update distribution, automatic where applicable"},
		{"I.II.8", "I.II", "Disseminate updates without delay, free of charge, with advisory messages"},
	}
	var gotAnnexI []item
	for _, r := range requirementsOf(c) {
		if r.Parent == "I.I" || r.Parent == "I.II" {
			gotAnnexI = append(gotAnnexI, r)
		}
	}
	if diff := cmp.Diff(wantAnnexI, gotAnnexI); diff != "" {
		t.Errorf("Annex I (-want +got):\n%s", diff)
	}

	// The rest by ID and parent: the Article 13 paragraphs and Article 14
	// streams DOMAIN.md lists, Annex II (1)-(8), V 1-8, VI, VII (1)-(8).
	wantIDs := map[string][]string{
		"Art.13": {"Art.13.2-4", "Art.13.5", "Art.13.6", "Art.13.7", "Art.13.8", "Art.13.9", "Art.13.12", "Art.13.13", "Art.13.15-16", "Art.13.17", "Art.13.18", "Art.13.19"},
		"Art.14": {"Art.14.1", "Art.14.3", "Art.14.8"},
		"II":     {"II.1", "II.2", "II.3", "II.4", "II.5", "II.6", "II.7", "II.8"},
		"V":      {"V.1", "V.2", "V.3", "V.4", "V.5", "V.6", "V.7", "V.8"},
		"":       {"VI"},
		"VII":    {"VII.1", "VII.2", "VII.3", "VII.4", "VII.5", "VII.6", "VII.7", "VII.8"},
	}
	total := len(wantAnnexI)
	for parent, want := range wantIDs {
		var got []string
		for _, r := range c.In(parent) {
			got = append(got, r.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("items under %q (-want +got):\n%s", parent, diff)
		}
		total += len(want)
	}
	if len(c.Requirements) != total {
		t.Errorf("got %d CRA items, want %d", len(c.Requirements), total)
	}
	titles := map[string]string{
		"II.8":  "Detailed instructions (secure commissioning, updates, secure decommissioning, turning off automatic updates, integration)",
		"V.3":   "Sole-responsibility statement",
		"VI":    "Simplified EU declaration of conformity",
		"VII.8": "SBOM on request of an authority",
	}
	for id, want := range titles {
		if got := c.Requirement(id).Title; got != want {
			t.Errorf("%s title = %q, want %q", id, got, want)
		}
	}
}

// TestBuiltinTexts checks what a person reads: every item has its own
// description and guidance of one to three sentences, and the catalogue
// says its texts are cradle's own words.
func TestBuiltinTexts(t *testing.T) {
	for _, c := range catalog.Builtin() {
		if c.Version == "" || c.Publisher == "" || c.Source == "" {
			t.Errorf("%s: version, publisher and source must be set", c.ID)
		}
		if !strings.Contains(c.Licence, "cradle's own") {
			t.Errorf("%s: licence note %q does not say the texts are cradle's own words", c.ID, c.Licence)
		}
		seen := map[string]string{}
		for _, r := range c.Requirements {
			for what, s := range map[string]string{"description": r.Description, "guidance": r.Guidance} {
				if n := sentences(s); n < 1 || n > 3 {
					t.Errorf("%s %s %s has %d sentences, want 1 to 3: %q", c.ID, r.ID, what, n, s)
				}
				if s == r.Title {
					t.Errorf("%s %s %s repeats the title", c.ID, r.ID, what)
				}
				if other, dup := seen[what+"\x00"+s]; dup && what == "description" {
					t.Errorf("%s %s has the same description as %s", c.ID, r.ID, other)
				}
				seen[what+"\x00"+s] = r.ID
			}
			if !r.Kind.Valid() {
				t.Errorf("%s %s kind %q", c.ID, r.ID, r.Kind)
			}
		}
		for _, g := range c.Groups {
			if g.Description == "" || g.Clause == "" {
				t.Errorf("%s group %s needs a description and a clause", c.ID, g.ID)
			}
		}
	}
}

// sentences counts sentence ends: a full stop, question or exclamation
// mark at the end or before a space, not after "e.g" style abbreviations.
func sentences(s string) int {
	s = strings.NewReplacer("e.g.", "eg", "i.e.", "ie", "incl.", "incl").Replace(s)
	n := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(".?!", s[i]) >= 0 && (i == len(s)-1 || s[i+1] == ' ') {
			n++
		}
	}
	return n
}

func TestBuiltinCrosswalk(t *testing.T) {
	xs := catalog.BuiltinCrosswalks()
	if len(xs) != 1 {
		t.Fatalf("got %d built-in cross-walks, want 1", len(xs))
	}
	x := xs[0]
	if x.ID != catalog.CrosswalkCRAIEC62443_4_1 || x.From != catalog.CRA || x.To != catalog.IEC62443_4_1 {
		t.Errorf("cross-walk %s: %s -> %s", x.ID, x.From, x.To)
	}

	// Every link resolves in its catalogue.
	from, to := builtinCatalog(t, x.From), builtinCatalog(t, x.To)
	for _, l := range x.Links {
		if from.Requirement(l.From) == nil && from.Group(l.From) == nil {
			t.Errorf("link from %q: not in %s", l.From, from.ID)
		}
		for _, id := range l.To {
			if to.Requirement(id) == nil {
				t.Errorf("link %s to %q: not a requirement of %s", l.From, id, to.ID)
			}
		}
		if l.Gap == "" {
			t.Errorf("link %s has no gap note", l.From)
		}
	}

	// The table of DOMAIN.md, row by row; "SUM-1..SUM-5" and "SG-*"
	// spelled out, rows naming several CRA items split per item.
	tech := []string{"SR-3", "SR-4", "SD-1", "SD-2", "SVV-1", "SVV-2"}
	update := []string{"SUM-4", "SM-6", "SM-7", "SM-8", "SUM-2", "SUM-5"}
	file := []string{"SG-1", "SG-2", "SG-3", "SG-4", "SG-5", "SG-6", "SG-7", "SM-12"}
	want := map[string][]string{
		"I.I.1":     {"SR-1", "SR-2", "SR-3", "SD-1", "SD-2", "SM-5"},
		"I.I.2.a":   {"SVV-3", "SM-11", "SM-12", "DM-3", "DM-4"},
		"I.I.2.b":   {"SD-4", "SG-3"},
		"I.I.2.c":   {"SUM-1", "SUM-2", "SUM-3", "SUM-4", "SUM-5", "SG-3"},
		"I.I.2.d":   tech,
		"I.I.2.e":   tech,
		"I.I.2.f":   tech,
		"I.I.2.h":   tech,
		"I.I.2.j":   tech,
		"I.I.2.l":   tech,
		"I.I.2.g":   {"SR-3", "SD-2"},
		"I.I.2.i":   {"SR-3", "SD-2"},
		"I.I.2.k":   {"SD-4", "SI-2", "SVV-3"},
		"I.I.2.m":   {"SG-4"},
		"I.II.1":    {"SM-9", "SM-1", "SVV-3"},
		"I.II.2":    {"DM-3", "DM-4", "SUM-5"},
		"I.II.3":    {"SVV-1", "SVV-2", "SVV-3", "SVV-4", "SR-2", "DM-6"},
		"I.II.4":    {"DM-5", "SUM-2"},
		"I.II.5":    {"DM-1", "DM-5"},
		"I.II.6":    {"DM-1", "DM-5"},
		"I.II.7":    update,
		"I.II.8":    update,
		"Art.13.8":  {"SM-1", "SUM-5"},
		"Art.13.19": {"SM-1", "SUM-5"},
		"Art.14.1":  {},
		"Art.14.3":  {},
		"Art.14.8":  {},
		"Art.13.12": file,
		"V":         file,
		"VII":       file,
	}
	got := map[string][]string{}
	for _, l := range x.Links {
		got[l.From] = l.To
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	gaps := map[string]string{
		"I.I.2.a":  "re-check at each making available",
		"I.I.2.g":  "largely a gap",
		"I.II.1":   "SBOM format and coverage",
		"Art.14.1": "entirely new",
		"V":        "CE marking",
	}
	for id, frag := range gaps {
		i := slices.IndexFunc(x.Links, func(l catalog.Link) bool { return l.From == id })
		if i < 0 || !strings.Contains(strings.ToLower(x.Links[i].Gap), strings.ToLower(frag)) {
			t.Errorf("gap of %s should mention %q", id, frag)
		}
	}
}

// TestBuiltinCopies: a caller changing what Builtin returned changes
// nothing for the next caller.
func TestBuiltinCopies(t *testing.T) {
	c := catalog.Builtin()[0]
	c.Requirements[0].Title = "changed"
	c.Groups[0].Title = "changed"
	for i := range c.Requirements {
		if f := c.Requirements[i].Freshness; f != nil {
			f.MaxAgeDays = 1
			f.Lifecycle[0] = "withdrawn"
		}
	}
	x := catalog.BuiltinCrosswalks()[0]
	x.Links[0].To[0] = "changed"

	again := catalog.Builtin()[0]
	if again.Requirements[0].Title == "changed" || again.Groups[0].Title == "changed" {
		t.Error("Builtin returned shared catalogues")
	}
	if f := again.Requirement("SR-2").Freshness; f.MaxAgeDays != 365 || f.Lifecycle[0] != cradle.LifecycleReleased {
		t.Error("Builtin shares freshness rules")
	}
	if catalog.BuiltinCrosswalks()[0].Links[0].To[0] == "changed" {
		t.Error("BuiltinCrosswalks returned shared cross-walks")
	}
}

// TestBuiltinFiles: the embedded files are what Builtin parsed, and the
// file format round-trips through the Go types.
func TestBuiltinFiles(t *testing.T) {
	for _, name := range []string{"iec-62443-4-1-2018.json", "cra-2024-2847.json"} {
		b, err := catalog.BuiltinFile(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := catalog.Parse(name, b)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID+".json" != name {
			t.Errorf("file %s holds catalogue %s", name, c.ID)
		}
	}
	if _, err := catalog.BuiltinFile("../catalog.go"); cradle.ErrorCode(err) != cradle.ENotFound {
		t.Errorf("BuiltinFile outside data/: %v", err)
	}
}
