package compliance

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/store"
)

// Regulation is how the documents cite the Cyber Resilience Act.
const Regulation = "Regulation (EU) 2024/2847"

const regulationFull = "Regulation (EU) 2024/2847 of the European Parliament and of the Council of 23 October 2024 on horizontal " +
	"cybersecurity requirements for products with digital elements and amending Regulations (EU) No 168/2013 and (EU) 2019/1020 " +
	"and Directive (EU) 2020/1828 (Cyber Resilience Act)"

// toComplete marks what cradle does not know and a person must fill in
// before the document is used.
func toComplete(what string) string { return "[To be completed: " + what + "]" }

const blank = "______________________________"

// docContext is what the documents of one product (or of the
// organisation) draw on, read once.
type docContext struct {
	now        time.Time
	product    *cradle.Product   // nil for the organisation
	releases   []*cradle.Release // newest first
	settings   cradle.PSIRTSettings
	configured bool
	updates    []cradle.SecurityUpdate
	advisories []*cradle.Advisory
	scope      *store.ProductScope
	statuses   map[string]*Status
	catalogs   map[string]*catalog.Catalog
	appl       map[string]map[string]store.Applicability
}

func (s *Service) docContext(ctx context.Context, product string) (*docContext, error) {
	dc := &docContext{now: s.Now().UTC(), statuses: map[string]*Status{}, catalogs: map[string]*catalog.Catalog{}, appl: map[string]map[string]store.Applicability{}}
	if product == "" {
		return dc, nil
	}
	p, err := s.DB.Product(ctx, product)
	if err != nil {
		return nil, err
	}
	dc.product = p
	f, err := s.gather(ctx, p)
	if err != nil {
		return nil, err
	}
	dc.releases = f.releases
	dc.settings, dc.configured, dc.updates, dc.advisories = f.settings, f.configured, f.updates, f.advisories
	if !dc.configured {
		dc.settings = cradle.PSIRTSettings{IntakeEnabled: true}
	}
	scopes, err := s.DB.Scopes(ctx)
	if err != nil {
		return nil, err
	}
	if sc, ok := scopes[product]; ok {
		dc.scope = &sc
	}
	return dc, nil
}

// docStatus returns (computing it once) the scope's status for a catalogue.
func (s *Service) docStatus(ctx context.Context, dc *docContext, catalogID string) (*Status, *catalog.Catalog, error) {
	if st, ok := dc.statuses[catalogID]; ok {
		return st, dc.catalogs[catalogID], nil
	}
	c, err := s.Catalog(ctx, catalogID)
	if err != nil {
		return nil, nil, err
	}
	kind, name := cradle.ScopeOrganisation, ""
	if dc.product != nil {
		kind, name = cradle.ScopeProduct, dc.product.Name
		if dc.appl[catalogID], err = s.DB.ApplicabilityOf(ctx, name, catalogID); err != nil {
			return nil, nil, err
		}
	}
	st, err := s.Status(ctx, kind, name, catalogID)
	if err != nil {
		return nil, nil, err
	}
	dc.statuses[catalogID], dc.catalogs[catalogID] = st, c
	return st, c, nil
}

// onMarket returns the releases made available to users, oldest first.
func (dc *docContext) onMarket() []*cradle.Release {
	var out []*cradle.Release
	for _, r := range slices.Backward(dc.releases) {
		if r.Lifecycle.OnMarket() {
			out = append(out, r)
		}
	}
	return out
}

func (dc *docContext) productName() string {
	if dc.product == nil {
		return ""
	}
	return dc.product.Name
}

// manufacturer is the manufacturer's name and address as recorded.
func (dc *docContext) manufacturer() string {
	if dc.product == nil || strings.TrimSpace(dc.product.Manufacturer) == "" {
		return toComplete("manufacturer's name and postal address")
	}
	return strings.TrimSpace(dc.product.Manufacturer)
}

// manufacturerName is the first line of the manufacturer field: its legal
// name (with the address when both share one line).
func (dc *docContext) manufacturerName() string {
	if dc.product == nil || strings.TrimSpace(dc.product.Manufacturer) == "" {
		return toComplete("manufacturer's name")
	}
	first, _, _ := strings.Cut(strings.TrimSpace(dc.product.Manufacturer), "\n")
	return strings.TrimSpace(first)
}

func (dc *docContext) versions() string {
	var vs []string
	for _, r := range dc.onMarket() {
		v := r.Version
		if r.ReleaseDate != "" {
			v += " (released " + r.ReleaseDate + ")"
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return toComplete("no release of the product is recorded as on the market")
	}
	return strings.Join(vs, ", ")
}

func (dc *docContext) models() string {
	if dc.product == nil || len(dc.product.ModelNumbers) == 0 {
		return "none recorded"
	}
	return strings.Join(dc.product.ModelNumbers, ", ")
}

// supportEnd is the end of the support period as users must see it: at
// least month and year (Art. 13(19)).
func (dc *docContext) supportEnd() string {
	if dc.product == nil || dc.product.SupportEnd == "" {
		return toComplete("end date of the support period")
	}
	t := dc.product.SupportEndTime()
	return t.Format("January 2006") + " (" + dc.product.SupportEnd + ")"
}

// contacts are the PSIRT contacts without their URI scheme prefix.
func (dc *docContext) contacts() []string {
	var out []string
	for _, c := range dc.settings.Contacts {
		out = append(out, strings.TrimPrefix(c, "mailto:"))
	}
	return out
}

func (dc *docContext) publicURL(path string) string {
	if !dc.configured || dc.settings.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(dc.settings.BaseURL, "/") + path
}

// cvdPolicy is the published CVD policy text with its placeholders filled
// as the policy page fills them.
func (dc *docContext) cvdPolicy() string {
	if !dc.configured || strings.TrimSpace(dc.settings.CVDPolicy) == "" {
		return ""
	}
	contact := ""
	if cs := dc.contacts(); len(cs) > 0 {
		contact = cs[0]
	}
	return strings.NewReplacer("{{.ReportURL}}", dc.publicURL("/report"), "{{.Contact}}", contact,
		"{{.CSAFURL}}", dc.publicURL("/.well-known/csaf/provider-metadata.json"), "{{.Publisher}}", dc.settings.PublisherName).Replace(dc.settings.CVDPolicy)
}

// statusLabel is a requirement status as people read it.
func statusLabel(s string) string {
	switch s {
	case cradle.StatusNotStarted, "":
		return "Not started"
	case cradle.StatusPartial:
		return "Partial"
	case cradle.StatusMet:
		return "Met"
	case cradle.StatusNotApplicable:
		return "Not applicable"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func levelLabel(l int) string {
	if l == 0 {
		return "n/a (" + cradle.MaturityNames[0] + ")"
	}
	return fmt.Sprintf("ML%d %s", l, cradle.MaturityNames[l])
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(cradle.DateLayout)
}

// countsLine summarises statuses in their usual order.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, k := range cradle.AssessmentStatuses {
		parts = append(parts, fmt.Sprintf("%s: %d", statusLabel(k), counts[k]))
	}
	return strings.Join(parts, " · ")
}

func evidenceKind(e cradle.Evidence) string {
	switch e.Kind {
	case cradle.EvidenceFile:
		return "File"
	case cradle.EvidenceURL:
		return "Link"
	case cradle.EvidenceRecord:
		return "cradle record"
	}
	return e.Kind
}

// evidenceRef is what identifies a piece of evidence: a file's SHA-256,
// name and size, a URL, or a record.
func evidenceRef(e cradle.Evidence) string {
	switch e.Kind {
	case cradle.EvidenceFile:
		return fmt.Sprintf("SHA-256 %s\n%s (%s)", e.SHA256, e.Filename, byteSize(e.Size))
	case cradle.EvidenceURL:
		return e.URL
	case cradle.EvidenceRecord:
		return e.RecordType + " " + e.RecordRef
	}
	return ""
}

func evidenceState(e cradle.Evidence) string {
	switch {
	case e.Broken:
		return "BROKEN: the linked record no longer exists"
	case e.Stale && !e.ExpiresAt.IsZero():
		return "STALE: expired " + day(e.ExpiresAt)
	case e.Stale:
		return "STALE: older than the requirement allows"
	case !e.ExpiresAt.IsZero():
		return "Current (expires " + day(e.ExpiresAt) + ")"
	}
	return "Current"
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func evidenceTable(evs []cradle.Evidence) *Table {
	t := &Table{Header: []string{"#", "Kind", "Title", "Reference", "Added", "State"}}
	for i, e := range evs {
		t.Rows = append(t.Rows, []string{fmt.Sprint(i + 1), evidenceKind(e), e.Title, evidenceRef(e), day(e.AddedAt) + "\n" + e.AddedBy, evidenceState(e)})
	}
	return t
}

func derivedItem(d Derived) string {
	verdict := "does not hold"
	if d.Holds {
		verdict = "holds"
	}
	s := "Derived from cradle's records: " + d.Rule + " — " + verdict + ". " + sentence(d.Summary)
	if len(d.Records) > 0 {
		recs := d.Records
		more := ""
		if len(recs) > 20 {
			recs, more = recs[:20], fmt.Sprintf(" and %d more", len(d.Records)-20)
		}
		s += " Records: " + strings.Join(recs, ", ") + more + "."
	}
	return s
}

// sentence starts s with a capital letter and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if c := s[0]; c >= 'a' && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func lookup(st *Status, id string) *ReqStatus {
	for i := range st.Requirements {
		if st.Requirements[i].Requirement.ID == id {
			return &st.Requirements[i]
		}
	}
	return nil
}

// practiceOf returns the top-level group a requirement is filed under.
func practiceOf(c *catalog.Catalog, r *catalog.Requirement) *catalog.Group {
	id := r.Parent
	for n := 0; id != "" && n <= len(c.Groups); n++ {
		g := c.Group(id)
		if g == nil {
			return nil
		}
		if g.Parent == "" {
			return g
		}
		id = g.Parent
	}
	return nil
}

func (dc *docContext) subject() string {
	if dc.product == nil {
		return "Organisation (process requirements assessed once for every product)"
	}
	return "Product " + dc.product.Name
}

// SelfAssessment is the IEC 62443-4-1:2018 self-assessment of a product,
// or of the organisation when product is "": per practice the maturity
// level (with any override and its rationale), why, and what the next
// level needs; per requirement its status, scope, owner, review date,
// notes, evidence (files by SHA-256, links, records; stale and broken ones
// marked) and the evidence cradle derives from its own records.
func (s *Service) SelfAssessment(ctx context.Context, product string) (*Document, error) {
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return nil, err
	}
	st, c, err := s.docStatus(ctx, dc, catalog.IEC62443_4_1)
	if err != nil {
		return nil, err
	}
	return selfAssessment(dc, c, st), nil
}

func selfAssessment(dc *docContext, c *catalog.Catalog, st *Status) *Document {
	d := &Document{Title: "Self-assessment: " + c.Title, Subtitle: dc.subject(), Generated: dc.now}
	if dc.product != nil {
		d.Meta = append(d.Meta, [2]string{"Product", dc.product.Name}, [2]string{"Manufacturer", dc.manufacturer()})
	} else {
		d.Meta = append(d.Meta, [2]string{"Scope", "Organisation: the requirements met once by the organisation's process, whose evidence serves every product"})
	}
	d.Meta = append(d.Meta, [2]string{"Catalogue", c.Title + " (" + c.ID + ", catalogue data version " + c.Version + ")"})
	if dc.product != nil {
		org, prod := 0, 0
		for _, r := range st.Requirements {
			if r.Scope == cradle.ScopeProduct {
				prod++
			} else {
				org++
			}
		}
		d.Meta = append(d.Meta, [2]string{"Assessment scope", fmt.Sprintf("%d requirements assessed for the product, %d assessed once for the organisation", prod, org)})
		cover := "Not decided " + toComplete("whether the SDL covers this product (SM-3)")
		if dc.scope != nil {
			cover = yesNo(dc.scope.InScope) + ": " + dc.scope.Justification + " (approved by " + dc.scope.Approver + " on " + day(dc.scope.ApprovedAt) + ")"
		}
		d.Meta = append(d.Meta, [2]string{"SDL covers the product (SM-3)", cover})
	}
	d.Meta = append(d.Meta, [2]string{"Requirements", fmt.Sprintf("%d; %s", len(st.Requirements), countsLine(st.Counts))},
		[2]string{"Date", day(dc.now)})

	mat := Section{Heading: "Maturity per practice", Paragraphs: []string{
		"Maturity levels follow IEC 62443-4-1:2018 clause 4.2 and are assessed per practice. The computed level follows from the requirements' status and evidence by the rule below; an override is a person's decision with its rationale and replaces the computed level.",
	}}
	mat.Table = &Table{Header: []string{"Practice", "Maturity level", "Computed level", "Override", "Why", "What the next level needs"}}
	for _, p := range st.Practices {
		over := "None"
		if p.Override != nil {
			over = fmt.Sprintf("ML%d, set by %s on %s: %s", p.Override.Level, p.Override.SetBy, day(p.Override.SetAt), p.Override.Rationale)
		}
		next := p.Computed.Next
		if next == "" {
			next = "Highest level reached"
		}
		mat.Table.Rows = append(mat.Table.Rows, []string{p.ID + " " + p.Title, levelLabel(p.Level), levelLabel(p.Computed.Level), over, p.Computed.Why, next})
	}
	d.Sections = append(d.Sections, mat)
	rule := Section{Heading: "Maturity rule", Level: 1}
	for _, l := range strings.Split(st.Rule, "\n") {
		if strings.TrimSpace(l) != "" {
			rule.Paragraphs = append(rule.Paragraphs, l)
		}
	}
	d.Sections = append(d.Sections, rule)

	over := Section{Heading: "Requirements overview", Table: &Table{Header: []string{"ID", "Requirement", "Scope", "Status", "Owner", "Next review", "Evidence"}}}
	for _, r := range st.Requirements {
		a := r.Assessment
		review := a.ReviewDate
		if review != "" && review < day(dc.now) {
			review += " (overdue)"
		}
		ev := fmt.Sprintf("%d current", r.Fresh)
		if r.Stale > 0 {
			ev += fmt.Sprintf(", %d stale", r.Stale)
		}
		if r.Broken > 0 {
			ev += fmt.Sprintf(", %d broken", r.Broken)
		}
		over.Table.Rows = append(over.Table.Rows, []string{r.Requirement.ID, r.Requirement.Title, r.Scope, statusLabel(r.Status()), a.Owner, review, ev})
	}
	d.Sections = append(d.Sections, over)

	for _, p := range st.Practices {
		sec := Section{Heading: p.ID + " " + p.Title + " (" + levelLabel(p.Level) + ")"}
		sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%d requirements; %s.", len(p.Requirements), countsLine(p.Counts)))
		d.Sections = append(d.Sections, sec)
		for _, id := range p.Requirements {
			if r := lookup(st, id); r != nil {
				d.Sections = append(d.Sections, requirementSection(r))
			}
		}
	}
	// Requirements outside any practice (a custom catalogue may have them).
	for i := range st.Requirements {
		r := &st.Requirements[i]
		if practiceOf(c, r.Requirement) == nil {
			d.Sections = append(d.Sections, requirementSection(r))
		}
	}
	return d
}

func requirementSection(r *ReqStatus) Section {
	a := r.Assessment
	sec := Section{Heading: r.Requirement.ID + " " + r.Requirement.Title, Level: 1}
	line := "Status: " + statusLabel(r.Status()) + " · Scope: " + r.Scope
	if a.Owner != "" {
		line += " · Owner: " + a.Owner
	} else {
		line += " · Owner: none assigned"
	}
	if a.ReviewDate != "" {
		line += " · Next review: " + a.ReviewDate
	}
	if a.UpdatedBy != "" {
		line += " · Last assessed by " + a.UpdatedBy + " on " + day(a.UpdatedAt)
	}
	sec.Paragraphs = append(sec.Paragraphs, line)
	if !r.Applies || r.Applicability != "" {
		why := r.Applicability
		if why == "" {
			why = "assessed as not applicable"
		}
		sec.Paragraphs = append(sec.Paragraphs, "Applies: "+yesNo(r.Applies)+" ("+why+")")
	}
	if a.Notes != "" {
		sec.Paragraphs = append(sec.Paragraphs, "Notes: "+a.Notes)
	}
	if len(a.Evidence) == 0 {
		sec.Paragraphs = append(sec.Paragraphs, "No evidence recorded.")
	} else {
		sec.Table = evidenceTable(a.Evidence)
	}
	for _, dv := range r.Derived {
		sec.Items = append(sec.Items, derivedItem(dv))
	}
	return sec
}

// StatementOfApplicability lists every requirement of a catalogue for a
// product (or the organisation, product ""): whether it applies, the
// justification and who decided it, and its status.
func (s *Service) StatementOfApplicability(ctx context.Context, product, catalogID string) (*Document, error) {
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return nil, err
	}
	st, c, err := s.docStatus(ctx, dc, catalogID)
	if err != nil {
		return nil, err
	}
	return statementOfApplicability(dc, c, st), nil
}

func statementOfApplicability(dc *docContext, c *catalog.Catalog, st *Status) *Document {
	d := &Document{Title: "Statement of applicability: " + c.Title, Subtitle: dc.subject(), Generated: dc.now}
	if dc.product != nil {
		d.Meta = append(d.Meta, [2]string{"Product", dc.product.Name}, [2]string{"Manufacturer", dc.manufacturer()})
	}
	applies, decided := 0, 0
	appl := dc.appl[c.ID]
	for _, r := range st.Requirements {
		if r.Applies {
			applies++
		}
		if _, ok := appl[r.Requirement.ID]; ok {
			decided++
		}
	}
	d.Meta = append(d.Meta, [2]string{"Catalogue", c.Title + " (" + c.ID + ", catalogue data version " + c.Version + ")"},
		[2]string{"Requirements", fmt.Sprintf("%d, of which %d apply and %d do not; %d with a recorded decision", len(st.Requirements), applies, len(st.Requirements)-applies, decided)},
		[2]string{"Date", day(dc.now)})
	sec := Section{Heading: "Requirements and their applicability", Paragraphs: []string{
		"A requirement applies unless a justified, approved decision says it does not, or its assessment is \"not applicable\". Organisation requirements are met once by the organisation's process for every product.",
	}}
	sec.Table = &Table{Header: []string{"ID", "Requirement", "Clause", "Scope", "Applies", "Justification", "Decided", "Status"}}
	for _, r := range st.Requirements {
		clause := r.Requirement.Clause
		if clause == "" {
			if g := practiceOf(c, r.Requirement); g != nil {
				clause = g.Title
				if g.Clause != "" {
					clause = g.Clause + " " + g.Title
				}
			}
		}
		why, who := r.Applicability, ""
		if a, ok := appl[r.Requirement.ID]; ok {
			who = a.Approver + "\n" + day(a.ApprovedAt)
		}
		if why == "" {
			switch {
			case !r.Applies:
				why = "Assessed as not applicable"
				if n := r.Assessment.Notes; n != "" {
					why += ": " + n
				}
			case r.Scope == cradle.ScopeOrganisation && dc.product == nil:
				why = "Process requirement of the organisation"
			default:
				why = "No decision recorded: applies by default"
			}
		}
		sec.Table.Rows = append(sec.Table.Rows, []string{r.Requirement.ID, r.Requirement.Title, clause, r.Scope, yesNo(r.Applies), why, who, statusLabel(r.Status())})
	}
	d.Sections = append(d.Sections, sec)
	return d
}

// appliedStandard describes how far a catalogue was applied.
type appliedStandard struct {
	cat  *catalog.Catalog
	st   *Status
	text string
}

func describeApplied(c *catalog.Catalog, st *Status) appliedStandard {
	applicable, met := 0, 0
	for _, r := range st.Requirements {
		if r.Applies {
			applicable++
			if r.Status() == cradle.StatusMet {
				met++
			}
		}
	}
	how := "Applied in part"
	if applicable > 0 && met == applicable {
		how = "Applied in full"
	}
	text := fmt.Sprintf("%s: %d of %d applicable requirements met (%s)", how, met, applicable, countsLine(st.Counts))
	var levels []string
	for _, p := range st.Practices {
		levels = append(levels, fmt.Sprintf("%s ML%d", p.ID, p.Level))
	}
	if len(levels) > 0 {
		text += "; maturity per practice: " + strings.Join(levels, ", ")
	}
	return appliedStandard{cat: c, st: st, text: text}
}

// standardsApplied returns IEC 62443-4-1 and every custom catalogue the
// product or the organisation has assessed something against.
func (s *Service) standardsApplied(ctx context.Context, dc *docContext) ([]appliedStandard, error) {
	cats, _, err := s.Catalogs(ctx)
	if err != nil {
		return nil, err
	}
	var out []appliedStandard
	for _, c := range cats {
		if c.ID == catalog.CRA {
			continue
		}
		st, c, err := s.docStatus(ctx, dc, c.ID)
		if err != nil {
			return nil, err
		}
		used := c.ID == catalog.IEC62443_4_1
		for _, r := range st.Requirements {
			if r.Assessment.ID != 0 || len(r.Assessment.Evidence) > 0 {
				used = true
			}
		}
		if used {
			out = append(out, describeApplied(c, st))
		}
	}
	return out, nil
}

// Declaration is the EU declaration of conformity of a product in the
// structure of CRA Annex V, as a draft to be completed and signed. The
// notified-body part follows the product's CRA class: internal control
// (module A) for the default class; otherwise a notified body (or a
// certification scheme) is needed and its fields are left to fill in.
func (s *Service) Declaration(ctx context.Context, product string) (*Document, error) {
	if product == "" {
		return nil, cradle.Invalid("invalid product", cradle.Problem{Location: "product", Message: "an EU declaration of conformity is made for a product: name it"})
	}
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return nil, err
	}
	return s.declaration(ctx, dc)
}

func (s *Service) declaration(ctx context.Context, dc *docContext) (*Document, error) {
	std, err := s.standardsApplied(ctx, dc)
	if err != nil {
		return nil, err
	}
	cra, _, err := s.docStatus(ctx, dc, catalog.CRA)
	if err != nil {
		return nil, err
	}
	p := dc.product
	d := &Document{Title: "EU declaration of conformity", Subtitle: "Draft for review and signature, in the structure of " + Regulation + ", Annex V", Generated: dc.now}
	d.Meta = [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}, {"Declaration number", toComplete("unique number of this declaration, if the manufacturer numbers its declarations")}}
	typ := dc.models()
	if len(p.ModelNumbers) == 0 {
		typ = toComplete("type designation")
	}
	d.Sections = append(d.Sections,
		Section{Heading: "1. Product with digital elements", Table: &Table{Header: []string{"", ""}, Rows: [][]string{
			{"Name", p.Name},
			{"Type / model numbers", typ},
			{"Software versions covered", dc.versions()},
			{"CRA product class", p.Class.Label()},
		}}},
		Section{Heading: "2. Name and address of the manufacturer", Paragraphs: []string{dc.manufacturer()}},
		Section{Heading: "3. Responsibility", Paragraphs: []string{"This declaration of conformity is issued under the sole responsibility of the manufacturer."}},
	)
	object := "The product with digital elements " + p.Name
	if len(p.ModelNumbers) > 0 {
		object += ", models " + strings.Join(p.ModelNumbers, ", ")
	}
	object += ", software versions " + dc.versions() + "."
	obj := Section{Heading: "4. Object of the declaration", Paragraphs: []string{object}}
	if ip := strings.TrimSpace(p.IntendedPurpose); ip != "" {
		obj.Paragraphs = append(obj.Paragraphs, "Intended purpose: "+ip)
	} else {
		obj.Paragraphs = append(obj.Paragraphs, "Intended purpose: "+toComplete("intended purpose"))
	}
	obj.Paragraphs = append(obj.Paragraphs, toComplete("a photograph or illustration of the product allowing its traceability, where appropriate"))
	d.Sections = append(d.Sections, obj,
		Section{Heading: "5. Conformity", Paragraphs: []string{
			"The object of the declaration described above is in conformity with the relevant Union harmonisation legislation: " + regulationFull + ".",
			"Other Union harmonisation legislation applied: " + toComplete("other legislation, or delete this line"),
		}})
	refs := Section{Heading: "6. Harmonised standards, common specifications and certification", Paragraphs: []string{
		"Harmonised standards whose references are published in the Official Journal of the European Union: none cited. " + toComplete("cite any harmonised standard applied, with its date"),
		"Common specifications: none cited. European cybersecurity certification schemes: none cited.",
		"Other technical specifications applied (these are not harmonised standards and give no presumption of conformity):",
	}}
	refs.Table = &Table{Header: []string{"Specification", "How it was applied"}}
	for _, a := range std {
		refs.Table.Rows = append(refs.Table.Rows, []string{a.cat.Title, a.text})
	}
	d.Sections = append(d.Sections, refs)
	nb := Section{Heading: "7. Notified body and conformity assessment procedure"}
	switch p.Class {
	case cradle.ClassDefault, "":
		nb.Paragraphs = []string{"Not applicable. Conformity was assessed by the manufacturer under the internal control procedure (module A) of " + Regulation + ", Article 32 and Annex VIII, Part I; no notified body was involved."}
	default:
		why := map[cradle.CRAClass]string{
			cradle.ClassImportantI: "The product is an important product with digital elements of class I (Annex III). Internal control (module A) is possible only where a harmonised standard, common specification or European cybersecurity certification scheme (assurance level at least \"substantial\") has been applied in full; " +
				"none is cited in item 6, so EU-type examination (module B) followed by conformity to type based on internal production control (module C), or full quality assurance (module H), with a notified body is required (Article 32).",
			cradle.ClassImportantII: "The product is an important product with digital elements of class II (Annex III). Conformity is assessed by EU-type examination (module B) followed by conformity to type based on internal production control (module C), by full quality assurance (module H), or under a European cybersecurity certification scheme (Article 32); a notified body is required for modules B+C and H.",
			cradle.ClassCritical:    "The product is a critical product with digital elements (Annex IV). Conformity is demonstrated by a European cybersecurity certification scheme where one is required (Article 8(1)); otherwise as for important products of class II (module B+C or H, with a notified body; Article 32).",
		}[p.Class]
		nb.Paragraphs = []string{why}
		nb.Table = &Table{Header: []string{"", ""}, Rows: [][]string{
			{"Notified body (name)", blank},
			{"Notified body (number)", blank},
			{"Conformity assessment procedure performed", toComplete("module B + C, module H, or the certification scheme")},
			{"Certificate issued (identification)", blank},
		}}
	}
	d.Sections = append(d.Sections, nb,
		Section{Heading: "8. Additional information", Table: &Table{Header: []string{"", ""}, Rows: [][]string{
			{"Signed for and on behalf of", dc.manufacturerName()},
			{"Place and date of issue", blank},
			{"Name, function", blank},
			{"Signature", blank},
		}}})
	// What a signatory should check: cradle's record of the CRA
	// requirements. Not part of the declaration itself.
	notes := Section{Heading: "Before signing (remove this section from the issued declaration)", Paragraphs: []string{
		"Status of the " + Regulation + " requirements recorded in cradle for this product: " + countsLine(cra.Counts) + ".",
	}}
	var open []string
	for _, r := range cra.Requirements {
		if r.Applies && r.Status() != cradle.StatusMet && (strings.HasPrefix(r.Requirement.ID, "I.") || strings.HasPrefix(r.Requirement.ID, "Art.13")) {
			open = append(open, r.Requirement.ID+" "+r.Requirement.Title+" ("+statusLabel(r.Status())+")")
		}
	}
	if len(open) > 0 {
		notes.Paragraphs = append(notes.Paragraphs, "Essential requirements (Annex I) and manufacturer obligations (Article 13) not yet recorded as met:")
		notes.Items = open
	} else {
		notes.Paragraphs = append(notes.Paragraphs, "Every applicable Annex I requirement and Article 13 obligation is recorded as met.")
	}
	d.Sections = append(d.Sections, notes)
	return d, nil
}

// SimplifiedDeclaration is the simplified EU declaration of conformity of
// CRA Annex VI, pointing to the full declaration at declarationURL (an
// http(s) URL; empty leaves it to be completed).
func (s *Service) SimplifiedDeclaration(ctx context.Context, product, declarationURL string) (*Document, error) {
	declarationURL = strings.TrimSpace(declarationURL)
	if declarationURL != "" {
		if u, err := url.Parse(declarationURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, cradle.Invalid("invalid declaration address", cradle.Problem{Location: "url", Message: "must be the http or https address of the full declaration; found " + fmt.Sprintf("%q", declarationURL)})
		}
	} else {
		declarationURL = toComplete("internet address of the full EU declaration of conformity")
	}
	if product == "" {
		return nil, cradle.Invalid("invalid product", cradle.Problem{Location: "product", Message: "an EU declaration of conformity is made for a product: name it"})
	}
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return nil, err
	}
	p := dc.product
	typ := p.Name
	if len(p.ModelNumbers) > 0 {
		typ += " (" + strings.Join(p.ModelNumbers, ", ") + ")"
	}
	return &Document{
		Title: "Simplified EU declaration of conformity", Subtitle: Regulation + ", Annex VI", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}},
		Sections: []Section{{Heading: "Declaration", Paragraphs: []string{
			"Hereby, " + dc.manufacturerName() + " declares that the product with digital elements type " + typ + " is in compliance with " + Regulation + ".",
			"The full text of the EU declaration of conformity is available at the following internet address: " + declarationURL,
		}}},
	}, nil
}

// UserInformation is the information and instructions to the user of CRA
// Annex II, items (1) to (8) and the optional (9), filled from the product,
// the PSIRT settings, the security updates, the advisories and the
// assessments' notes and evidence; what cradle does not know is marked to
// be completed.
func (s *Service) UserInformation(ctx context.Context, product string) (*Document, error) {
	if product == "" {
		return nil, cradle.Invalid("invalid product", cradle.Problem{Location: "product", Message: "user information is written for a product: name it"})
	}
	dc, err := s.docContext(ctx, product)
	if err != nil {
		return nil, err
	}
	return s.userInformation(ctx, dc)
}

// notesOr returns the notes of a requirement's assessment.
func notesOf(st *Status, id string) string {
	if r := lookup(st, id); r != nil && r.Assessment != nil {
		return strings.TrimSpace(r.Assessment.Notes)
	}
	return ""
}

// evidenceItems lists the current evidence of requirements as references
// a reader can follow (links and titles; file evidence by name and
// SHA-256).
func evidenceItems(st *Status, ids ...string) []string {
	return evidenceRefs(st, true, ids...)
}

// evidenceRefs is evidenceItems, with the requirement ID after each item
// when tag is set (for compliance readers, not for users).
func evidenceRefs(st *Status, tag bool, ids ...string) []string {
	var out []string
	for _, id := range ids {
		r := lookup(st, id)
		if r == nil {
			continue
		}
		for _, e := range r.Assessment.Evidence {
			if !e.Fresh() {
				continue
			}
			item := e.Title
			switch e.Kind {
			case cradle.EvidenceURL:
				if e.URL != e.Title {
					item += ": " + e.URL
				}
			case cradle.EvidenceFile:
				item += " (" + e.Filename + ", SHA-256 " + e.SHA256 + ")"
			}
			if tag {
				item += " [" + id + "]"
			}
			out = append(out, item)
		}
	}
	return out
}

func (s *Service) userInformation(ctx context.Context, dc *docContext) (*Document, error) {
	cra, _, err := s.docStatus(ctx, dc, catalog.CRA)
	if err != nil {
		return nil, err
	}
	iec, _, err := s.docStatus(ctx, dc, catalog.IEC62443_4_1)
	if err != nil {
		return nil, err
	}
	p := dc.product
	d := &Document{Title: "Information and instructions to the user", Subtitle: p.Name + " (" + Regulation + ", Annex II)", Generated: dc.now,
		Meta: [][2]string{{"Product", p.Name}, {"Manufacturer", dc.manufacturerName()}, {"Support until", dc.supportEnd()}}}

	// (1) Manufacturer.
	s1 := Section{Heading: "1. Manufacturer", Paragraphs: []string{"Name and postal address: " + dc.manufacturer()}}
	if cs := dc.contacts(); len(cs) > 0 {
		s1.Paragraphs = append(s1.Paragraphs, "E-mail or other digital contact: "+strings.Join(cs, ", "))
	} else {
		s1.Paragraphs = append(s1.Paragraphs, "E-mail or other digital contact: "+toComplete("contact address (configure the PSIRT contacts)"))
	}
	if u := dc.publicURL(""); u != "" {
		s1.Paragraphs = append(s1.Paragraphs, "Website: "+u)
	}
	// (2) Single point of contact and CVD policy.
	s2 := Section{Heading: "2. Single point of contact for vulnerabilities and the coordinated vulnerability disclosure policy"}
	if !dc.configured {
		s2.Paragraphs = []string{toComplete("the single point of contact and the address of the coordinated vulnerability disclosure policy (configure the PSIRT settings)")}
	} else {
		if cs := dc.contacts(); len(cs) > 0 {
			s2.Items = append(s2.Items, "Report vulnerabilities to: "+strings.Join(cs, ", "))
		}
		if dc.settings.IntakeEnabled && dc.publicURL("") != "" {
			s2.Items = append(s2.Items, "Reporting form (no account needed): "+dc.publicURL("/report"))
		}
		if u := dc.publicURL("/security/policy"); u != "" {
			s2.Items = append(s2.Items, "Coordinated vulnerability disclosure policy: "+u)
			s2.Items = append(s2.Items, "security.txt (RFC 9116): "+dc.publicURL("/.well-known/security.txt"))
			s2.Items = append(s2.Items, "Security advisories (CSAF): "+dc.publicURL("/.well-known/csaf/provider-metadata.json"))
		}
	}
	// (3) Identification.
	s3 := Section{Heading: "3. Product identification", Table: &Table{Header: []string{"", ""}, Rows: [][]string{
		{"Name", p.Name}, {"Type / model numbers", dc.models()}, {"Software versions", dc.versions()},
	}}}
	// (4) Intended purpose and security properties.
	s4 := Section{Heading: "4. Intended purpose, security environment, essential functions and security properties"}
	if ip := strings.TrimSpace(p.IntendedPurpose); ip != "" {
		s4.Paragraphs = append(s4.Paragraphs, "Intended purpose: "+ip)
	} else {
		s4.Paragraphs = append(s4.Paragraphs, "Intended purpose: "+toComplete("intended purpose"))
	}
	if n := notesOf(cra, "II.4"); n != "" {
		s4.Paragraphs = append(s4.Paragraphs, n)
	} else {
		s4.Paragraphs = append(s4.Paragraphs, toComplete("the security environment provided by the manufacturer, the essential functions and the security properties of the product"))
	}
	if items := evidenceRefs(iec, false, "SG-1", "SG-2"); len(items) > 0 {
		s4.Paragraphs = append(s4.Paragraphs, "Security documentation:")
		s4.Items = items
	}
	// (5) Circumstances of significant risk.
	s5 := Section{Heading: "5. Known or foreseeable circumstances that may lead to significant cybersecurity risks"}
	if n := notesOf(cra, "II.5"); n != "" {
		s5.Paragraphs = []string{n}
	} else {
		s5.Paragraphs = []string{toComplete("known or foreseeable circumstances, in the intended use or under reasonably foreseeable misuse, that may lead to significant cybersecurity risks (from the risk assessment)")}
		if desc := strings.TrimSpace(p.Description); desc != "" {
			s5.Paragraphs = append(s5.Paragraphs, "Product description, for reference: "+desc)
		}
	}
	// (6) Declaration of conformity.
	s6 := Section{Heading: "6. EU declaration of conformity"}
	var docURLs []string
	if r := lookup(cra, "II.6"); r != nil {
		for _, e := range r.Assessment.Evidence {
			if e.Kind == cradle.EvidenceURL && e.Fresh() {
				docURLs = append(docURLs, e.URL)
			}
		}
	}
	if len(docURLs) > 0 {
		s6.Paragraphs = []string{"The EU declaration of conformity is available at: " + strings.Join(docURLs, ", ")}
	} else {
		s6.Paragraphs = []string{"The EU declaration of conformity is available at: " + toComplete("internet address (record it as link evidence of CRA Annex II (6))")}
	}
	// (7) Support.
	s7 := Section{Heading: "7. Technical security support and end of the support period"}
	if n := notesOf(cra, "II.7"); n != "" {
		s7.Paragraphs = append(s7.Paragraphs, "Type of support: "+n)
	} else {
		s7.Paragraphs = append(s7.Paragraphs, "Type of support: the manufacturer handles vulnerabilities reported or found in the product and provides security updates free of charge for the supported versions. "+toComplete("confirm or describe the support offered"))
	}
	s7.Paragraphs = append(s7.Paragraphs, "Users can expect vulnerabilities to be handled and security updates to be provided until: "+dc.supportEnd()+".")
	// (8) Detailed instructions.
	s8 := Section{Heading: "8. Detailed instructions"}
	if n := notesOf(cra, "II.8"); n != "" {
		s8.Paragraphs = append(s8.Paragraphs, n)
	}
	sub := func(text string, ids ...string) string {
		if items := evidenceRefs(iec, false, ids...); len(items) > 0 {
			return text + ": " + strings.Join(items, "; ")
		}
		return text + ": " + toComplete("instructions or their internet address")
	}
	s8.Items = []string{
		sub("(a) Measures at initial commissioning and throughout the lifetime to ensure secure use", "SG-3", "SG-5", "SG-6"),
		sub("(b) How changes to the product can affect the security of data"),
		"(c) How security-relevant updates can be installed: see the security updates and advisories below",
		sub("(d) Secure decommissioning, including how user data can be securely removed", "SG-4"),
		sub("(e) How the default setting for automatic installation of security updates can be turned off"),
		sub("(f) For integration into other products: the information the integrator needs to meet Annex I and Annex VII", "SG-2"),
	}
	var secs []Section
	secs = append(secs, s1, s2, s3, s4, s5, s6, s7, s8)
	if len(dc.updates) > 0 {
		up := Section{Heading: "Security updates", Level: 1, Table: &Table{Header: []string{"Version", "Available", "What it fixes", "How to install", "How to verify"}}}
		for _, u := range dc.updates {
			up.Table.Rows = append(up.Table.Rows, []string{u.Version, day(u.AvailableAt), u.Summary, u.Install, verification(u)})
		}
		secs = append(secs, up)
	} else {
		secs = append(secs, Section{Heading: "Security updates", Level: 1, Paragraphs: []string{"No security update has been issued yet."}})
	}
	var adv []string
	for _, a := range dc.advisories {
		if a.TLP != "WHITE" {
			continue
		}
		item := a.TrackingID + " " + a.Title
		if u := dc.publicURL("/security/advisories/" + url.PathEscape(a.TrackingID)); u != "" {
			item += ": " + u
		}
		adv = append(adv, item)
	}
	if len(adv) > 0 {
		secs = append(secs, Section{Heading: "Security advisories", Level: 1, Items: adv})
	}
	secs = append(secs, Section{Heading: "9. Software bill of materials", Paragraphs: []string{
		"Where the manufacturer makes the software bill of materials available to users: " + toComplete("where it can be accessed, or state that it is not made available to users"),
	}})
	d.Sections = secs
	return d, nil
}

func verification(u cradle.SecurityUpdate) string {
	v := u.Verify
	if u.ArtifactName != "" {
		v += "\nArtifact: " + u.ArtifactName
	}
	if u.ArtifactHash != "" {
		v += "\nSHA-256: " + u.ArtifactHash
	}
	if u.SignatureURL != "" {
		v += "\nSignature: " + u.SignatureURL
	}
	return strings.TrimSpace(v)
}
