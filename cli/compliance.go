package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/store"
)

// Compliance from the command line: catalogues, status, assessments,
// evidence, scope, applicability, maturity overrides.

func runCatalog(e *env, args []string) error {
	return subcommand(e, "catalog", args, map[string]func(*env, []string) error{
		"list": catalogList, "show": catalogShow, "export": catalogExport, "import": catalogImport})
}

func catalogList(e *env, args []string) error {
	fs := e.flags("catalog list", "catalog list", "List the compliance catalogues: built-in and imported.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	cats, xs, err := compliance.New(db).Catalogs(e.ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID           string `json:"id"`
		Kind         string `json:"kind"`
		Title        string `json:"title"`
		Version      string `json:"version"`
		Requirements int    `json:"requirements,omitempty"`
		Links        int    `json:"links,omitempty"`
	}
	var rows []row
	for _, c := range cats {
		rows = append(rows, row{c.ID, "catalog", c.Title, c.Version, len(c.Requirements), 0})
	}
	for _, x := range xs {
		rows = append(rows, row{x.ID, "crosswalk", x.Title, x.Version, 0, len(x.Links)})
	}
	if e.json {
		return e.printJSON(rows)
	}
	var out [][]string
	for _, r := range rows {
		n := strconv.Itoa(r.Requirements) + " requirements"
		if r.Kind == "crosswalk" {
			n = strconv.Itoa(r.Links) + " links"
		}
		out = append(out, []string{r.ID, r.Kind, r.Version, n, r.Title})
	}
	e.table([]string{"ID", "KIND", "VERSION", "SIZE", "TITLE"}, out)
	return nil
}

// CatalogEntry is one requirement as `catalog show --json` lists it.
type CatalogEntry struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Parent string `json:"parent,omitempty"`
	Kind   string `json:"kind"`
}

func catalogShow(e *env, args []string) error {
	fs := e.flags("catalog show", "catalog show ID", "List every requirement of a catalogue with its ID, title and parent (--json for machines).")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("catalog show needs a catalogue ID (see catalog list)")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := compliance.New(db).Catalog(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if e.json {
		out := struct {
			ID           string          `json:"id"`
			Title        string          `json:"title"`
			Version      string          `json:"version"`
			Groups       []catalog.Group `json:"groups"`
			Requirements []CatalogEntry  `json:"requirements"`
		}{c.ID, c.Title, c.Version, c.Groups, []CatalogEntry{}}
		for _, r := range c.Requirements {
			out.Requirements = append(out.Requirements, CatalogEntry{r.ID, r.Title, r.Parent, string(r.Kind)})
		}
		return e.printJSON(out)
	}
	fmt.Fprintf(e.stdout, "%s — %s (version %s)\n\n", c.ID, c.Title, c.Version)
	var rows [][]string
	for _, r := range c.Requirements {
		rows = append(rows, []string{r.ID, r.Parent, string(r.Kind), r.Title})
	}
	e.table([]string{"ID", "PARENT", "KIND", "TITLE"}, rows)
	return nil
}

func catalogExport(e *env, args []string) error {
	fs := e.flags("catalog export", "catalog export ID [--format oscal|json] [--output FILE]",
		"Write a catalogue as an OSCAL 1.1 catalog (default) or in cradle's own JSON format.")
	format := fs.String("format", "oscal", "oscal or json")
	output := fs.String("output", "", "file to write (default: standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("catalog export needs a catalogue ID")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := compliance.New(db).Catalog(e.ctx, pos[0])
	if err != nil {
		return err
	}
	var b []byte
	switch *format {
	case "oscal":
		b, err = c.OSCAL(time.Now().UTC())
	case "json":
		b, err = jsonIndent(c)
	default:
		return usagef("--format must be oscal or json; found %q", *format)
	}
	if err != nil {
		return err
	}
	if *output != "" {
		return writeFileAtomic(*output, b)
	}
	_, err = e.stdout.Write(append(b, '\n'))
	return err
}

func catalogImport(e *env, args []string) error {
	fs := e.flags("catalog import", "catalog import FILE...",
		`Import custom catalogues (a company's own standard, an edition with renumbered IDs) and
cross-walks between catalogues, in cradle's JSON format ("catalog export ID --format json"
shows it). Each file is checked in full before it is stored: malformed JSON, duplicate IDs,
unknown parents and cross-walk links to unknown IDs are refused with their location.
Catalogues first: a cross-walk may link to a catalogue imported earlier in the same call.`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("catalog import needs at least one file")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	s := compliance.New(db)
	for _, p := range pos {
		data, err := os.ReadFile(p)
		if err != nil {
			return usagef("%v", err)
		}
		kind, id, err := s.Import(e.ctx, cliActor(), filepath.Base(p), data)
		if err != nil {
			return err
		}
		if !e.json {
			fmt.Fprintf(e.stdout, "Imported %s %s from %s.\n", kind, id, p)
		}
	}
	return nil
}

// scopeFlags reads --product or --organisation.
type scopeFlags struct {
	product string
	release string
	org     bool
	catalog string
}

func (f *scopeFlags) bind(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.product, "product", "", "product")
	fs.StringVar(&f.release, "release", "", "one release of the product (it inherits what it does not assess itself)")
	fs.BoolVar(&f.org, "organisation", false, "the organisation's process instead of a product")
	fs.StringVar(&f.catalog, "catalog", catalog.IEC62443_4_1, "catalogue ID")
}

func (f *scopeFlags) kind() (string, error) {
	switch {
	case f.org && f.product != "":
		return "", usagef("give --product or --organisation, not both")
	case f.release != "" && f.product == "":
		return "", usagef("--release needs --product")
	case f.org:
		return cradle.ScopeOrganisation, nil
	case f.release != "":
		return cradle.ScopeRelease, nil
	case f.product != "":
		return cradle.ScopeProduct, nil
	}
	return "", usagef("give --product P (and --release V) or --organisation")
}

// target is the scope argument of the compliance methods: the product,
// or for a release store.ReleaseScope(product, release).
func (f *scopeFlags) target() string {
	if f.release != "" {
		return store.ReleaseScope(f.product, f.release)
	}
	return f.product
}

func runCompliance(e *env, args []string) error {
	return subcommand(e, "compliance", args, map[string]func(*env, []string) error{"status": complianceStatus, "document": complianceDocument})
}

func complianceStatus(e *env, args []string) error {
	fs := e.flags("compliance status", "compliance status (--product P | --organisation) [--catalog ID]",
		`Show compliance with a catalogue: per practice the maturity level (computed with the rule
below, or a recorded override) and why; per requirement the status, evidence and the evidence
cradle derives from its own data. --json gives everything.`)
	var sf scopeFlags
	sf.bind(fs)
	gaps := fs.Bool("gaps", false, "list only what blocks the next maturity level")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	kind, err := sf.kind()
	if err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	s := compliance.New(db)
	st, err := s.Status(e.ctx, kind, sf.target(), sf.catalog)
	if err != nil {
		return err
	}
	if err := s.RecordHistory(e.ctx, st); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(st)
	}
	title := "the organisation"
	switch kind {
	case cradle.ScopeProduct:
		title = sf.product
	case cradle.ScopeRelease:
		title = sf.product + " " + sf.release
	}
	fmt.Fprintf(e.stdout, "%s: %s\n\n", title, st.CatalogTitle)
	var rows [][]string
	for _, p := range st.Practices {
		level := fmt.Sprintf("ML%d %s", p.Level, cradle.MaturityNames[p.Level])
		if p.Override != nil {
			level += fmt.Sprintf(" (override; computed ML%d)", p.Computed.Level)
		}
		next := p.Computed.Next
		if *gaps && next == "" {
			continue
		}
		rows = append(rows, []string{p.ID, level, fmt.Sprintf("%d/%d met", p.Counts[cradle.StatusMet], len(p.Requirements)), next})
	}
	e.table([]string{"PRACTICE", "LEVEL", "MET", "NEXT LEVEL NEEDS"}, rows)
	if *gaps {
		return nil
	}
	fmt.Fprintln(e.stdout)
	rows = nil
	for _, r := range st.Requirements {
		derived := ""
		for _, d := range r.Derived {
			mark := "✗"
			if d.Holds {
				mark = "✓"
			}
			derived += mark + " " + d.Summary + " "
		}
		ev := strconv.Itoa(r.Fresh)
		if r.Stale+r.Broken > 0 {
			ev += fmt.Sprintf(" (+%d stale/broken)", r.Stale+r.Broken)
		}
		rows = append(rows, []string{r.Requirement.ID, r.Status(), r.Scope, ev, strings.TrimSpace(derived), r.Requirement.Title})
	}
	e.table([]string{"REQUIREMENT", "STATUS", "SCOPE", "EVIDENCE", "DERIVED", "TITLE"}, rows)
	return nil
}

func runAssess(e *env, args []string) error {
	fs := e.flags("assess", "assess (--product P | --organisation) --requirement ID --status not_started|partial|met|not_applicable [flags]",
		"Record the assessment of one requirement. Organisation requirements (process) are assessed once for every product.")
	var sf scopeFlags
	sf.bind(fs)
	var a cradle.Assessment
	fs.StringVar(&a.Requirement, "requirement", "", "requirement ID, e.g. SVV-3")
	fs.StringVar(&a.Status, "status", "", "not_started, partial, met or not_applicable")
	fs.StringVar(&a.Owner, "owner", "", "who owns it")
	fs.StringVar(&a.ReviewDate, "review-date", "", "next review, YYYY-MM-DD")
	fs.StringVar(&a.Notes, "notes", "", "notes")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	kind, err := sf.kind()
	if err != nil {
		return err
	}
	a.Scope, a.Product, a.Release, a.CatalogID = kind, sf.product, sf.release, sf.catalog
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := compliance.New(db).Assess(e.ctx, cliActor(), &a); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(a)
	}
	where := a.Product
	switch a.Scope {
	case cradle.ScopeOrganisation:
		where = "the organisation"
	case cradle.ScopeRelease:
		where = a.Product + " " + a.Release
	}
	fmt.Fprintf(e.stdout, "%s is %s for %s.\n", a.Requirement, a.Status, where)
	return nil
}

func runEvidence(e *env, args []string) error {
	return subcommand(e, "evidence", args, map[string]func(*env, []string) error{"add": evidenceAdd, "remove": evidenceRemove})
}

func evidenceAdd(e *env, args []string) error {
	fs := e.flags("evidence add", "evidence add (--product P | --organisation) --requirement ID (FILE | --url URL | --record TYPE:REF) [--title T] [--expires YYYY-MM-DD]",
		`Attach evidence to a requirement: a file (stored by its SHA-256), a URL, or a link to a
cradle record (sbom:ID, advisory:TRACKING-ID, security_update:ID, case:CASE-N,
release:PRODUCT@VERSION). For CI: cradle evidence add --product P --requirement SVV-3 report.pdf`)
	var sf scopeFlags
	sf.bind(fs)
	req := fs.String("requirement", "", "requirement ID")
	var ev cradle.Evidence
	fs.StringVar(&ev.URL, "url", "", "a URL")
	record := fs.String("record", "", "a cradle record, TYPE:REF")
	fs.StringVar(&ev.Title, "title", "", "title (default: the file name, URL or record)")
	expires := fs.String("expires", "", "when the evidence stops counting, YYYY-MM-DD")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	kind, err := sf.kind()
	if err != nil {
		return err
	}
	var file *store.EvidenceFile
	given := 0
	if len(pos) > 0 {
		given++
	}
	if ev.URL != "" {
		given++
	}
	if *record != "" {
		given++
	}
	if given != 1 || len(pos) > 1 {
		return usagef("give exactly one of: a file, --url or --record")
	}
	switch {
	case len(pos) == 1:
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return usagef("%v", err)
		}
		ev.Kind, file = cradle.EvidenceFile, &store.EvidenceFile{Filename: filepath.Base(pos[0]), Data: data}
	case ev.URL != "":
		ev.Kind = cradle.EvidenceURL
	default:
		t, ref, ok := strings.Cut(*record, ":")
		if !ok {
			return usagef("--record must be TYPE:REF, e.g. advisory:NW-SA-2026-0001")
		}
		ev.Kind, ev.RecordType, ev.RecordRef = cradle.EvidenceRecord, t, ref
	}
	if *expires != "" {
		t, err := time.Parse(cradle.DateLayout, *expires)
		if err != nil {
			return usagef("--expires must be a date YYYY-MM-DD; found %q", *expires)
		}
		ev.ExpiresAt = t.Add(24 * time.Hour) // valid through the whole day, as in the web form
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := compliance.New(db).AddEvidence(e.ctx, cliActor(), kind, sf.target(), sf.catalog, *req, &ev, file); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(ev)
	}
	fmt.Fprintf(e.stdout, "Added evidence %d to %s: %s.\n", ev.ID, *req, ev.Title)
	return nil
}

func evidenceRemove(e *env, args []string) error {
	fs := e.flags("evidence remove", "evidence remove ID", "Take evidence off its requirement (the audit trail keeps it).")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("evidence remove needs an evidence ID")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return usagef("%q is not an evidence ID", pos[0])
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	return db.RemoveEvidence(e.ctx, cliActor(), id)
}

func runScope(e *env, args []string) error {
	fs := e.flags("scope", "scope --product P --in-scope=true|false --justification TEXT",
		"Record whether the secure development lifecycle applies to a product (IEC 62443-4-1 SM-3).")
	var s store.ProductScope
	fs.StringVar(&s.Product, "product", "", "product")
	fs.BoolVar(&s.InScope, "in-scope", true, "the SDL applies")
	fs.StringVar(&s.Justification, "justification", "", "why")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetScope(e.ctx, cliActor(), &s); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(s)
	}
	fmt.Fprintf(e.stdout, "The SDL %s %s.\n", map[bool]string{true: "applies to", false: "does not apply to"}[s.InScope], s.Product)
	return nil
}

func runApplicability(e *env, args []string) error {
	fs := e.flags("applicability", "applicability --product P --requirement ID --applies=true|false --justification TEXT [--catalog ID]",
		`Record whether a requirement applies to a product and why (IEC 62443-4-1 SM-5; for CRA
Annex I Part I items, the applicability statement of Art. 13(3)).`)
	var a store.Applicability
	fs.StringVar(&a.Product, "product", "", "product")
	fs.StringVar(&a.Requirement, "requirement", "", "requirement ID")
	fs.StringVar(&a.CatalogID, "catalog", catalog.IEC62443_4_1, "catalogue ID")
	fs.BoolVar(&a.Applies, "applies", true, "the requirement applies")
	fs.StringVar(&a.Justification, "justification", "", "why")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := compliance.New(db).Catalog(e.ctx, a.CatalogID)
	if err != nil {
		return err
	}
	if c.Requirement(a.Requirement) == nil {
		return cradle.Invalid("invalid requirement", cradle.Problem{Location: "requirement", Message: "catalogue " + c.ID + " has no requirement " + a.Requirement})
	}
	if err := db.SetApplicability(e.ctx, cliActor(), &a); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(a)
	}
	fmt.Fprintf(e.stdout, "%s %s to %s.\n", a.Requirement, map[bool]string{true: "applies", false: "does not apply"}[a.Applies], a.Product)
	return nil
}

func runMaturity(e *env, args []string) error {
	fs := e.flags("maturity", "maturity (--product P | --organisation) --practice ID --level 1-4 --rationale TEXT (--level 0 clears)",
		"Override the computed maturity level of a practice; the rationale is required and kept.")
	var sf scopeFlags
	sf.bind(fs)
	var o store.MaturityOverride
	fs.StringVar(&o.Practice, "practice", "", "practice ID, e.g. DM")
	fs.IntVar(&o.Level, "level", -1, "1 to 4, or 0 to clear")
	fs.StringVar(&o.Rationale, "rationale", "", "why")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	kind, err := sf.kind()
	if err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := compliance.New(db).Catalog(e.ctx, sf.catalog)
	if err != nil {
		return err
	}
	if g := c.Group(o.Practice); g == nil || g.Parent != "" {
		return cradle.Invalid("invalid practice", cradle.Problem{Location: "practice", Message: "catalogue " + c.ID + " has no practice " + o.Practice})
	}
	if err := db.SetMaturityOverride(e.ctx, cliActor(), kind, sf.target(), sf.catalog, &o); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(o)
	}
	if o.Level == 0 {
		fmt.Fprintf(e.stdout, "Cleared the override of %s.\n", o.Practice)
	} else {
		fmt.Fprintf(e.stdout, "%s is ML%d by override.\n", o.Practice, o.Level)
	}
	return nil
}

func jsonIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }

// DocumentKinds are the documents `compliance document` generates.
var DocumentKinds = []string{"self-assessment", "soa", "declaration", "simplified-declaration", "user-information", "technical-documentation"}

func complianceDocument(e *env, args []string) error {
	fs := e.flags("compliance document", "compliance document --kind KIND (--product P | --organisation) [--format pdf|html] --output FILE",
		`Generate a document from the data: self-assessment (IEC 62443-4-1, per practice and
requirement, with evidence), soa (Statement of Applicability; --catalog), declaration (EU
declaration of conformity, CRA Annex V), simplified-declaration (Annex VI; --url of the full
one), user-information (CRA Annex II), technical-documentation (the Annex VII bundle, a zip).`)
	var sf scopeFlags
	sf.bind(fs)
	kind := fs.String("kind", "", strings.Join(DocumentKinds, ", "))
	format := fs.String("format", "pdf", "pdf or html (the bundle is always a zip)")
	output := fs.String("output", "", "file to write")
	declURL := fs.String("url", "", "simplified-declaration: where the full declaration is published")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *output == "" {
		return usagef("--output is required")
	}
	if *format != "pdf" && *format != "html" {
		return usagef("--format must be pdf or html; found %q", *format)
	}
	scopeKind, err := sf.kind()
	if err != nil {
		return err
	}
	if scopeKind == cradle.ScopeRelease {
		return usagef("documents are per product (they cover every release); drop --release")
	}
	if scopeKind == cradle.ScopeOrganisation && *kind != "self-assessment" {
		return usagef("only the self-assessment exists for the organisation; give --product for %s", *kind)
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	s := compliance.New(db)
	var doc *compliance.Document
	switch *kind {
	case "self-assessment":
		doc, err = s.SelfAssessment(e.ctx, sf.product)
	case "soa":
		doc, err = s.StatementOfApplicability(e.ctx, sf.product, sf.catalog)
	case "declaration":
		doc, err = s.Declaration(e.ctx, sf.product)
	case "simplified-declaration":
		doc, err = s.SimplifiedDeclaration(e.ctx, sf.product, *declURL)
	case "user-information":
		doc, err = s.UserInformation(e.ctx, sf.product)
	case "technical-documentation":
		zip, err := s.TechnicalDocumentation(e.ctx, sf.product)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*output, zip); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Wrote the technical documentation of %s to %s (%d bytes).\n", sf.product, *output, len(zip))
		return nil
	default:
		return usagef("--kind must be one of %s; found %q", strings.Join(DocumentKinds, ", "), *kind)
	}
	if err != nil {
		return err
	}
	var b []byte
	if *format == "pdf" {
		b, err = doc.PDF()
	} else {
		b, err = doc.HTML()
	}
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*output, b); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s (%s, %d bytes) to %s.\n", doc.Title, *format, len(b), *output)
	return nil
}
