package vex

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	packageurl "github.com/package-url/packageurl-go"
)

// Properties cradle writes into CycloneDX for what the format has no field
// for, and reads back, so that OpenVEX → CycloneDX → OpenVEX loses nothing.
const (
	propJustification   = "cradle:vex:justification"    // on a vulnerability: an OpenVEX label CycloneDX has no exact match for
	propImpactStatement = "cradle:vex:impact_statement" // on a vulnerability whose state is not not_affected
	propStatusNotes     = "cradle:vex:status_notes"     // on a not_affected vulnerability (its detail is the impact statement)
	propID              = "cradle:vex:id"               // on metadata: the document ID; on a component: an IRI naming it
)

// The exact equivalents between CycloneDX and OpenVEX justifications; the
// other CycloneDX values are kept in Statement.CycloneDXJustification.
var cdxToJustification = map[string]Justification{
	"code_not_present":   VulnerableCodeNotPresent,
	"code_not_reachable": VulnerableCodeNotInExecutePath,
}

var cdxJustifications = []string{
	"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency",
	"requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter",
	"protected_by_mitigating_control",
}

var cdxResponses = []string{"can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"}

// The CycloneDX JSON that VEX needs; the rest of a BOM is not read.
type cdxBOM struct {
	SpecVersion     string         `json:"specVersion"`
	SerialNumber    string         `json:"serialNumber"`
	Version         json.Number    `json:"version"`
	Metadata        *cdxMetadata   `json:"metadata"`
	Components      []cdxComponent `json:"components"`
	Services        []cdxService   `json:"services"`
	Vulnerabilities []cdxVuln      `json:"vulnerabilities"`
}

type cdxMetadata struct {
	Timestamp    string        `json:"timestamp"`
	Authors      []cdxOrg      `json:"authors"`
	Component    *cdxComponent `json:"component"`
	Manufacture  *cdxOrg       `json:"manufacture"`
	Manufacturer *cdxOrg       `json:"manufacturer"`
	Supplier     *cdxOrg       `json:"supplier"`
	Properties   []cdxProperty `json:"properties"`
}

type cdxOrg struct {
	Name string `json:"name"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxComponent struct {
	BOMRef       string         `json:"bom-ref"`
	Group        string         `json:"group"`
	Name         string         `json:"name"`
	Version      string         `json:"version"`
	PURL         string         `json:"purl"`
	CPE          string         `json:"cpe"`
	Supplier     *cdxOrg        `json:"supplier"`
	Manufacturer *cdxOrg        `json:"manufacturer"`
	Components   []cdxComponent `json:"components"`
	Properties   []cdxProperty  `json:"properties"`
}

type cdxService struct {
	BOMRef   string       `json:"bom-ref"`
	Group    string       `json:"group"`
	Name     string       `json:"name"`
	Version  string       `json:"version"`
	Provider *cdxOrg      `json:"provider"`
	Services []cdxService `json:"services"`
}

type cdxVuln struct {
	ID             string `json:"id"`
	Description    string `json:"description"`
	Recommendation string `json:"recommendation"`
	Workaround     string `json:"workaround"`
	References     []struct {
		ID string `json:"id"`
	} `json:"references"`
	Analysis *struct {
		State         string   `json:"state"`
		Justification string   `json:"justification"`
		Response      []string `json:"response"`
		Detail        string   `json:"detail"`
		FirstIssued   string   `json:"firstIssued"`
		LastUpdated   string   `json:"lastUpdated"`
	} `json:"analysis"`
	Affects []struct {
		Ref      string `json:"ref"`
		Versions []struct {
			Version string `json:"version"`
			Range   string `json:"range"`
			Status  string `json:"status"`
		} `json:"versions"`
	} `json:"affects"`
	Properties []cdxProperty `json:"properties"`
}

func property(ps []cdxProperty, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// cdxEntry is a component or service of the BOM that affects can name.
type cdxEntry struct {
	c      Component
	ptr    string
	top    *cdxEntry // the top-level component it is nested in; nil if top-level
	meta   bool      // metadata.component: the BOM's subject
	purlOK *bool     // the purl was checked (once, however often it is named)
}

func decodeCycloneDX(name string, data []byte) (*Document, error) {
	r := &report{name: name, what: "CycloneDX VEX document"}
	var bom cdxBOM
	if err := json.Unmarshal(data, &bom); err != nil {
		r.typeError(data, err)
		return nil, r.err()
	}
	switch bom.SpecVersion {
	case "1.4", "1.5", "1.6", "1.7":
	default:
		// Vulnerabilities came with 1.4.
		r.at("/specVersion", "expected CycloneDX 1.4 to 1.7 (the versions with vulnerability analysis), found %s", locate.Quote(bom.SpecVersion))
		return nil, r.err()
	}
	d := &Document{Format: FormatCycloneDX, ID: bom.SerialNumber}
	d.Version = smallInt(r, "/version", bom.Version)
	var meta *cdxEntry
	if m := bom.Metadata; m != nil {
		d.Timestamp = parseTime(r, "/metadata/timestamp", m.Timestamp)
		var names []string
		for _, a := range m.Authors {
			if a.Name != "" {
				names = append(names, a.Name)
			}
		}
		d.Author = strings.Join(names, ", ")
		for _, o := range []*cdxOrg{m.Manufacturer, m.Manufacture, m.Supplier} {
			if d.Author == "" && o != nil {
				d.Author = o.Name
			}
		}
		d.ID = cmp.Or(property(m.Properties, propID), d.ID)
		if m.Component != nil {
			meta = &cdxEntry{c: fromCDXComponent(*m.Component), ptr: "/metadata/component", meta: true}
		}
	}

	// Index what affects can name: bom-refs are unique in a BOM.
	refs := map[string]*cdxEntry{}
	addRef := func(ref string, e *cdxEntry) {
		if ref == "" {
			return
		}
		if prev, dup := refs[ref]; dup {
			r.at(e.ptr+"/bom-ref", "expected each bom-ref once in the BOM, found %s again (first at %s)", locate.Quote(ref), prev.ptr)
			return
		}
		refs[ref] = e
	}
	if meta != nil {
		addRef(bom.Metadata.Component.BOMRef, meta)
		walkCDX(bom.Metadata.Component.Components, "/metadata/component/components", meta, addRef)
	}
	walkCDX(bom.Components, "/components", nil, addRef)
	var walkServices func(ss []cdxService, at string, top *cdxEntry)
	walkServices = func(ss []cdxService, at string, top *cdxEntry) {
		for i, s := range ss {
			e := &cdxEntry{ptr: at + ptr(i), top: top, c: Component{Name: s.Name, Version: s.Version, Vendor: s.Group}}
			if s.Provider != nil && s.Provider.Name != "" {
				e.c.Vendor = s.Provider.Name
			}
			addRef(s.BOMRef, e)
			walkServices(s.Services, at+ptr(i, "services"), cmp.Or(top, e))
		}
	}
	walkServices(bom.Services, "/services", nil)

	// The BOM's own BOM-Link prefix: a link into this BOM is resolved here.
	self := ""
	if strings.HasPrefix(bom.SerialNumber, "urn:uuid:") && d.Version > 0 {
		self = "urn:cdx:" + strings.TrimPrefix(bom.SerialNumber, "urn:uuid:") + fmt.Sprintf("/%d#", d.Version)
	}

	var locs [][]string
	analysed := 0
	for i, v := range bom.Vulnerabilities {
		at := ptr("vulnerabilities", i)
		a := v.Analysis
		if a == nil {
			// Without an analysis it is a vulnerability report, not a
			// VEX statement.
			continue
		}
		analysed++
		if r.full() {
			break
		}
		if strings.TrimSpace(v.ID) == "" {
			r.at(at+"/id", "expected the ID of the vulnerability, found none")
		}
		base := Statement{
			Vulnerability: Vulnerability{ID: v.ID, Description: v.Description},
			Response:      a.Response,
			Timestamp:     parseTime(r, at+"/analysis/lastUpdated", a.LastUpdated),
		}
		if base.Timestamp.IsZero() {
			base.Timestamp = parseTime(r, at+"/analysis/firstIssued", a.FirstIssued)
		}
		refIDs := make([]string, len(v.References))
		for k, ref := range v.References {
			refIDs[k] = ref.ID
		}
		base.Vulnerability.Aliases = uniqueAliases(v.ID, refIDs)
		base.ActionStatement = v.Recommendation
		if v.Workaround != "" {
			base.ActionStatement = strings.TrimSpace(v.Recommendation + "\n\nWorkaround: " + v.Workaround)
		}
		for k, resp := range a.Response {
			if !slices.Contains(cdxResponses, resp) {
				r.at(at+ptr("analysis", "response", k), "expected one of %s, found %s", strings.Join(cdxResponses, ", "), locate.Quote(resp))
			}
		}
		status, ok := stateStatus(a.State)
		if !ok {
			if a.State == "" {
				r.at(at+"/analysis", "expected the analysis state (what the statement says), found none")
			} else {
				r.at(at+"/analysis/state", "expected one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected, found %s", locate.Quote(a.State))
			}
			continue
		}
		if a.Justification != "" {
			if !slices.Contains(cdxJustifications, a.Justification) {
				r.at(at+"/analysis/justification", "expected one of %s, found %s", strings.Join(cdxJustifications, ", "), locate.Quote(a.Justification))
			}
			if j, exact := cdxToJustification[a.Justification]; exact {
				base.Justification = j
			} else {
				base.CycloneDXJustification = a.Justification
			}
		}
		if a.State == "false_positive" && base.Justification == "" {
			// "Not specific to the component identified": the nearest
			// VEX label (docs: the mapping table).
			base.Justification = ComponentNotPresent
		}
		if j := Justification(property(v.Properties, propJustification)); base.Justification == "" && j.Valid() {
			base.Justification = j
		}

		// One analysis may yield two statuses: a resolved vulnerability
		// whose affects list the old versions as affected.
		var order []Status
		byStatus := map[Status][]Product{}
		where := map[Status][]string{}
		add := func(s Status, p Product, loc string) {
			if _, ok := byStatus[s]; !ok {
				order = append(order, s)
			}
			byStatus[s] = append(byStatus[s], p)
			where[s] = append(where[s], locate.AtPath(name, loc))
		}
		if len(v.Affects) == 0 {
			order = append(order, status)
			byStatus[status] = nil
		}
		for j, af := range v.Affects {
			aat := at + ptr("affects", j)
			p, target, ok := resolveRef(r, aat+"/ref", af.Ref, refs, meta, self)
			if !ok {
				continue
			}
			if len(af.Versions) == 0 {
				add(status, p, aat)
				continue
			}
			for k, ver := range af.Versions {
				vat := aat + ptr("versions", k)
				s, msg := versionStatus(a.State, ver.Status)
				if msg != "" {
					r.at(vat+"/status", "%s", msg)
					continue
				}
				if (ver.Version == "") == (ver.Range == "") {
					r.at(vat, "expected a version or a range, found %s", map[bool]string{true: "neither", false: "both"}[ver.Version == ""])
					continue
				}
				q := p
				q.Subcomponents = slices.Clone(p.Subcomponents)
				c := &q.Component
				if target >= 0 {
					c = &q.Subcomponents[target]
				}
				setVersion(c, ver.Version, ver.Range)
				add(s, q, vat)
			}
		}
		for _, s := range order {
			st := base
			st.Status = s
			st.Products = byStatus[s]
			if s == StatusNotAffected {
				st.ImpactStatement = a.Detail
				st.Detail = property(v.Properties, propStatusNotes)
			} else {
				st.Detail = a.Detail
				st.ImpactStatement = property(v.Properties, propImpactStatement)
			}
			d.Statements = append(d.Statements, st)
			locs = append(locs, where[s])
		}
	}
	if analysed == 0 {
		r.at("/vulnerabilities", "expected at least one vulnerability with an analysis (a VEX statement), found none")
	}
	checkContradictions(r, d, func(i, j int) string { return locs[i][j] })
	if err := r.err(); err != nil {
		return nil, err
	}
	for i := range d.Statements {
		d.Statements[i].Products = mergeProducts(d.Statements[i].Products)
	}
	return d, nil
}

func walkCDX(cs []cdxComponent, at string, top *cdxEntry, add func(string, *cdxEntry)) {
	for i, c := range cs {
		e := &cdxEntry{c: fromCDXComponent(c), ptr: at + ptr(i), top: top}
		add(c.BOMRef, e)
		walkCDX(c.Components, at+ptr(i, "components"), cmp.Or(top, e), add)
	}
}

func fromCDXComponent(c cdxComponent) Component {
	out := Component{PURL: c.PURL, CPE: c.CPE, Name: c.Name, Version: c.Version, ID: property(c.Properties, propID), Vendor: c.Group}
	for _, o := range []*cdxOrg{c.Manufacturer, c.Supplier} {
		if o != nil && o.Name != "" {
			out.Vendor = o.Name
		}
	}
	return out
}

// resolveRef turns an affects ref into a product. A ref to the BOM's
// subject (metadata.component) is that product; a ref to another component
// is that component inside the subject, or, when the BOM has no subject,
// inside the top-level component it is nested in, or else a product of its
// own. A BOM-Link into another BOM stays a link. target is the index of
// the subcomponent the ref named, -1 for the product itself.
func resolveRef(r *report, at, ref string, refs map[string]*cdxEntry, meta *cdxEntry, self string) (p Product, target int, ok bool) {
	if ref == "" {
		r.at(at, "expected a bom-ref or BOM-Link, found none")
		return p, -1, false
	}
	if self != "" && strings.HasPrefix(ref, self) {
		ref = strings.TrimPrefix(ref, self)
	}
	e := refs[ref]
	switch {
	case e != nil:
	case cdx.IsBOMLink(ref):
		return Product{Component: Component{BOMLink: ref}}, -1, true
	case hasPrefixFold(ref, "urn:cdx:"):
		r.at(at, "expected a BOM-Link (urn:cdx:serial/version#bom-ref), found %s", locate.Quote(ref))
		return p, -1, false
	default:
		r.at(at, "expected the bom-ref of a component or service in this BOM, found %s, which names none", locate.Quote(ref))
		return p, -1, false
	}
	if !checkPURL(r, e) {
		return p, -1, false
	}
	parent := e.top
	if meta != nil && !e.meta {
		parent = meta
	}
	if parent == nil || e.meta {
		return Product{Component: e.c}, -1, true
	}
	if !checkPURL(r, parent) {
		return p, -1, false
	}
	return Product{Component: parent.c, Subcomponents: []Component{e.c}}, 0, true
}

// checkPURL checks a named component's purl, once.
func checkPURL(r *report, e *cdxEntry) bool {
	if e.purlOK == nil {
		ok := true
		if e.c.PURL != "" {
			if _, err := packageurl.FromString(e.c.PURL); err != nil {
				r.at(e.ptr+"/purl", "expected a valid purl, found %s: %v", locate.Quote(e.c.PURL), err)
				ok = false
			}
		}
		e.purlOK = &ok
	}
	return *e.purlOK
}

// setVersion narrows a component to one version or a range of versions
// (a CycloneDX affects version entry), its purl too.
func setVersion(c *Component, version, versionRange string) {
	c.Version, c.VersionRange = version, versionRange
	if c.PURL == "" {
		return
	}
	p, err := packageurl.FromString(c.PURL)
	if err != nil {
		return
	}
	p.Version = version
	c.PURL = p.ToString()
}

func stateStatus(state string) (Status, bool) {
	switch state {
	case "not_affected", "false_positive":
		return StatusNotAffected, true
	case "exploitable":
		return StatusAffected, true
	case "resolved", "resolved_with_pedigree":
		return StatusFixed, true
	case "in_triage":
		return StatusUnderInvestigation, true
	}
	return "", false
}

// versionStatus is the status of one version entry of affects: the
// analysis state decides, and a version status that says otherwise is an
// error, except that a resolved vulnerability lists the versions that were
// affected before the fix.
func versionStatus(state, versionStatus string) (Status, string) {
	s, _ := stateStatus(state)
	switch versionStatus {
	case "", "unknown":
		return s, ""
	case "affected":
		switch s {
		case StatusAffected:
			return s, ""
		case StatusFixed:
			return StatusAffected, ""
		}
	case "unaffected":
		if s == StatusNotAffected || s == StatusFixed {
			return s, ""
		}
	default:
		return "", fmt.Sprintf("expected affected, unaffected or unknown, found %s", locate.Quote(versionStatus))
	}
	return "", fmt.Sprintf("expected a version status that agrees with the analysis state %s, found %s", locate.Quote(state), locate.Quote(versionStatus))
}

var uuidPattern = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// EncodeCycloneDX writes d as a CycloneDX BOM of specVersion "1.5" or
// "1.6" (JSON) that carries the statements as vulnerabilities with an
// analysis and affects refs. Every product and subcomponent becomes a
// component (subcomponents nested in their product's) whose bom-ref is its
// purl where it has one; products given by BOM-Link are referenced as
// links. Version ranges go to affects versions. What CycloneDX has no field
// for (an OpenVEX justification without an exact CycloneDX equivalent, an
// impact statement outside not_affected, status notes on not_affected, the
// document ID when it is not a urn:uuid serial number) is kept in
// properties named cradle:vex:*, which Decode reads back. The serial number
// is the document ID when that is a urn:uuid, else a UUID derived from it.
func EncodeCycloneDX(d *Document, specVersion string) ([]byte, error) {
	var sv cdx.SpecVersion
	switch specVersion {
	case "1.5":
		sv = cdx.SpecVersion1_5
	case "1.6":
		sv = cdx.SpecVersion1_6
	default:
		return nil, cradle.Invalid(fmt.Sprintf("cannot write CycloneDX %s VEX: expected version 1.5 or 1.6", locate.Quote(specVersion)))
	}
	if d == nil {
		return nil, cradle.Invalid("there is no document to write as CycloneDX")
	}
	r := &report{what: "CycloneDX " + specVersion, cannot: true}
	bom := cdx.NewBOM()
	bom.Version = max(d.Version, 1)
	bom.Metadata = &cdx.Metadata{}
	if !d.Timestamp.IsZero() {
		bom.Metadata.Timestamp = formatTime(d.Timestamp)
	}
	if a := strings.TrimSpace(d.Author); a != "" {
		bom.Metadata.Authors = &[]cdx.OrganizationalContact{{Name: a}}
	}
	switch {
	case uuidPattern.MatchString(d.ID):
		bom.SerialNumber = d.ID
	case d.ID != "":
		bom.SerialNumber = nameUUID(d.ID)
		bom.Metadata.Properties = &[]cdx.Property{{Name: propID, Value: d.ID}}
	}

	cb := componentBuilder{refs: map[string]bool{}, index: map[string]int{}, subs: map[string]string{}}
	var vulns []cdx.Vulnerability
	for i, s := range d.Statements {
		if v, ok := toCDX(r, ptr("statements", i), s, &cb); ok {
			vulns = append(vulns, v)
		}
	}
	if len(vulns) == 0 && len(r.problems) == 0 {
		r.at("/statements", "expected at least one statement, found none")
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	if len(cb.components) > 0 {
		bom.Components = &cb.components
	}
	bom.Vulnerabilities = &vulns
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, sv); err != nil {
		return nil, fmt.Errorf("encode cyclonedx: %w", err)
	}
	return buf.Bytes(), nil
}

// nameUUID derives a stable RFC 4122 version 5 UUID (URL namespace) from a
// document ID, so that re-encoding a document gives the same serial.
func nameUUID(id string) string {
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.Sum(append(ns, id...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

var statusToState = map[Status]cdx.ImpactAnalysisState{
	StatusNotAffected:        cdx.IASNotAffected,
	StatusAffected:           cdx.IASExploitable,
	StatusFixed:              cdx.IASResolved,
	StatusUnderInvestigation: cdx.IASInTriage,
}

var statusToVersionStatus = map[Status]cdx.VulnerabilityStatus{
	StatusNotAffected:        cdx.VulnerabilityStatusNotAffected,
	StatusAffected:           cdx.VulnerabilityStatusAffected,
	StatusFixed:              cdx.VulnerabilityStatusNotAffected,
	StatusUnderInvestigation: cdx.VulnerabilityStatusUnknown,
}

func toCDX(r *report, at string, s Statement, cb *componentBuilder) (cdx.Vulnerability, bool) {
	n := len(r.problems)
	v := cdx.Vulnerability{ID: s.Vulnerability.ID, Description: s.Vulnerability.Description, Recommendation: s.ActionStatement}
	if strings.TrimSpace(v.ID) == "" {
		r.at(at+"/vulnerability", "expected a vulnerability ID, found none")
	}
	if as := uniqueAliases(s.Vulnerability.ID, s.Vulnerability.Aliases); len(as) > 0 {
		refs := make([]cdx.VulnerabilityReference, len(as))
		for i, a := range as {
			refs[i] = cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{}}
		}
		v.References = &refs
	}
	state, ok := statusToState[s.Status]
	if !ok {
		r.at(at+"/status", "expected one of not_affected, affected, fixed, under_investigation, found %s", locate.Quote(string(s.Status)))
	}
	an := &cdx.VulnerabilityAnalysis{State: state}
	var props []cdx.Property
	if s.Justification != "" && !s.Justification.Valid() {
		r.at(at+"/justification", "expected one of the five VEX justifications, found %s", locate.Quote(string(s.Justification)))
	}
	if s.CycloneDXJustification != "" && !slices.Contains(cdxJustifications, s.CycloneDXJustification) {
		r.at(at+"/cycloneDXJustification", "expected one of %s, found %s", strings.Join(cdxJustifications, ", "), locate.Quote(s.CycloneDXJustification))
	}
	an.Justification = cdx.ImpactAnalysisJustification(s.CycloneDXJustification)
	exact := false
	for native, j := range cdxToJustification {
		if j == s.Justification {
			an.Justification, exact = cdx.ImpactAnalysisJustification(native), true
		}
	}
	switch {
	case s.Status == StatusNotAffected && s.Justification == ComponentNotPresent:
		// The nearest CycloneDX has (docs: the mapping table); Decode
		// reads false_positive back as component_not_present.
		an.State = cdx.IASFalsePositive
	case s.Justification != "" && !exact:
		props = append(props, cdx.Property{Name: propJustification, Value: string(s.Justification)})
	}
	if s.Status == StatusNotAffected {
		an.Detail = s.ImpactStatement
		if s.Detail != "" {
			props = append(props, cdx.Property{Name: propStatusNotes, Value: s.Detail})
		}
	} else {
		an.Detail = s.Detail
		if s.ImpactStatement != "" {
			props = append(props, cdx.Property{Name: propImpactStatement, Value: s.ImpactStatement})
		}
	}
	if len(s.Response) > 0 {
		resp := make([]cdx.ImpactAnalysisResponse, len(s.Response))
		for i, x := range s.Response {
			if !slices.Contains(cdxResponses, x) {
				r.at(at+ptr("response", i), "expected one of %s, found %s", strings.Join(cdxResponses, ", "), locate.Quote(x))
			}
			resp[i] = cdx.ImpactAnalysisResponse(x)
		}
		an.Response = &resp
	}
	if !s.Timestamp.IsZero() {
		an.LastUpdated = formatTime(s.Timestamp)
	}
	v.Analysis = an
	if len(props) > 0 {
		v.Properties = &props
	}
	var affects []cdx.Affects
	seen := map[string]bool{}
	addAffects := func(ref string, c Component) {
		a := cdx.Affects{Ref: ref}
		switch {
		case c.VersionRange != "":
			a.Range = &[]cdx.AffectedVersions{{Range: c.VersionRange, Status: statusToVersionStatus[s.Status]}}
		case c.BOMLink != "" && c.Version != "":
			a.Range = &[]cdx.AffectedVersions{{Version: c.Version, Status: statusToVersionStatus[s.Status]}}
		}
		b, _ := json.Marshal(a)
		if !seen[string(b)] {
			seen[string(b)] = true
			affects = append(affects, a)
		}
	}
	for j, p := range s.Products {
		pat := at + ptr("products", j)
		if p.VersionRange != "" && !strings.HasPrefix(p.VersionRange, "vers:") {
			r.at(pat, "expected a vers: version range (CycloneDX affects take vers), found %s", locate.Quote(p.VersionRange))
			continue
		}
		if linkOnly(p.Component) {
			if !cdx.IsBOMLink(p.BOMLink) {
				r.at(pat, "expected a BOM-Link (urn:cdx:serial/version#bom-ref), found %s", locate.Quote(p.BOMLink))
				continue
			}
			if len(p.Subcomponents) > 0 {
				r.at(pat, "expected a product in this BOM for subcomponents, found a BOM-Link to another BOM")
				continue
			}
			addAffects(p.BOMLink, p.Component)
			continue
		}
		if p.empty() {
			r.at(pat, "expected a purl, CPE, IRI, BOM-Link or name to identify the product, found none")
			continue
		}
		pi := cb.product(p.Component)
		if len(p.Subcomponents) == 0 {
			addAffects(cb.components[pi].BOMRef, p.Component)
			continue
		}
		if p.VersionRange != "" {
			r.at(pat, "expected no version range on a product with subcomponents (CycloneDX affects versions apply to the component named), found %s", locate.Quote(p.VersionRange))
			continue
		}
		for k, sub := range p.Subcomponents {
			sat := pat + ptr("subcomponents", k)
			switch {
			case sub.VersionRange != "" && !strings.HasPrefix(sub.VersionRange, "vers:"):
				r.at(sat, "expected a vers: version range (CycloneDX affects take vers), found %s", locate.Quote(sub.VersionRange))
			case sub.empty() || linkOnly(sub):
				r.at(sat, "expected a purl, CPE, IRI or name to identify the subcomponent, found none")
			default:
				addAffects(cb.sub(pi, sub), sub)
			}
		}
	}
	if len(affects) > 0 {
		v.Affects = &affects
	}
	return v, len(r.problems) == n
}

// linkOnly reports whether c is known only by a BOM-Link.
func linkOnly(c Component) bool {
	return c.BOMLink != "" && c.PURL == "" && c.CPE == "" && c.ID == "" && c.Name == ""
}

// componentBuilder collects the BOM's components: one top-level component
// per product, its subcomponents nested in it, every bom-ref unique.
type componentBuilder struct {
	components []cdx.Component
	refs       map[string]bool
	index      map[string]int    // product key → index in components
	subs       map[string]string // product index and subcomponent key → bom-ref
}

// ref picks a unique bom-ref: the first free candidate, else the last one
// numbered.
func (cb *componentBuilder) ref(candidates ...string) string {
	for _, c := range candidates {
		if c != "" && !cb.refs[c] && !hasPrefixFold(c, "urn:cdx:") {
			cb.refs[c] = true
			return c
		}
	}
	last := candidates[len(candidates)-1]
	for n := 2; ; n++ {
		c := fmt.Sprintf("%s#%d", last, n)
		if !cb.refs[c] {
			cb.refs[c] = true
			return c
		}
	}
}

func (cb *componentBuilder) product(c Component) int {
	if c.VersionRange != "" {
		c.Version, c.VersionRange = "", "" // the range goes to affects
	}
	k := c.Key()
	if i, ok := cb.index[k]; ok {
		return i
	}
	comp := toCDXComponent(c, cdx.ComponentTypeApplication)
	comp.BOMRef = cb.ref(k, "product")
	cb.index[k] = len(cb.components)
	cb.components = append(cb.components, comp)
	return cb.index[k]
}

func (cb *componentBuilder) sub(pi int, c Component) string {
	if c.VersionRange != "" {
		c.Version, c.VersionRange = "", "" // the range goes to affects
	}
	k := c.Key()
	sk := fmt.Sprint(pi) + "\x00" + k
	if ref, ok := cb.subs[sk]; ok {
		return ref
	}
	parent := &cb.components[pi]
	comp := toCDXComponent(c, cdx.ComponentTypeLibrary)
	comp.BOMRef = cb.ref(k, k+"|"+parent.BOMRef)
	if parent.Components == nil {
		parent.Components = &[]cdx.Component{}
	}
	*parent.Components = append(*parent.Components, comp)
	cb.subs[sk] = comp.BOMRef
	return comp.BOMRef
}

func toCDXComponent(c Component, typ cdx.ComponentType) cdx.Component {
	comp := cdx.Component{Type: typ, Name: c.Name, Version: c.Version, CPE: c.CPE}
	if c.PURL != "" {
		comp.PackageURL = c.PURL
		if p, err := packageurl.FromString(c.PURL); err == nil {
			comp.Name = cmp.Or(comp.Name, p.Name)
			if p.Version == "" && c.Version != "" {
				p.Version = c.Version
				comp.PackageURL = p.ToString()
			}
			comp.Version = cmp.Or(comp.Version, p.Version)
		}
	}
	comp.Name = cmp.Or(comp.Name, c.ID, c.CPE, c.BOMLink)
	if c.Vendor != "" {
		comp.Supplier = &cdx.OrganizationalEntity{Name: c.Vendor}
	}
	if c.ID != "" {
		comp.Properties = &[]cdx.Property{{Name: propID, Value: c.ID}}
	}
	return comp
}
