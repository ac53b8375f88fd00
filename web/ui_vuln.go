package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/store"
)

// The vulnerability pages: the portfolio's findings, one vulnerability
// with its impact, and the state of the vulnerability data. Findings are
// shown most urgent first (KEV-listed, then by CVSS score), as the store
// orders them; "open" means not resolved by a later SBOM or advisory.

// ratingLabel is a severity rating as people write it.
func ratingLabel(r string) string {
	switch r {
	case "critical":
		return "Critical"
	case "high":
		return "High"
	case "medium":
		return "Medium"
	case "low":
		return "Low"
	case "none":
		return "None"
	}
	return "Unknown"
}

// severityCounts counts open findings by rating. Other is "none" and
// "unknown" together: no CVSS score says how bad they are.
type severityCounts struct {
	Critical, High, Medium, Low, Other int
	Total, KEV                         int
}

func (c *severityCounts) add(f cradle.Finding) {
	c.Total++
	if f.KEV {
		c.KEV++
	}
	switch f.Rating {
	case "critical":
		c.Critical++
	case "high":
		c.High++
	case "medium":
		c.Medium++
	case "low":
		c.Low++
	default:
		c.Other++
	}
}

// sevChip is one rating's count as the "severity-counts" partial draws it.
type sevChip struct {
	Rating, Label string
	N             int
}

// Chips lists the counts from critical down; "unknown" last and only when
// there are any.
func (c severityCounts) Chips() []sevChip {
	out := []sevChip{{"critical", "Critical", c.Critical}, {"high", "High", c.High}, {"medium", "Medium", c.Medium}, {"low", "Low", c.Low}}
	if c.Other > 0 {
		out = append(out, sevChip{"unknown", "No CVSS", c.Other})
	}
	return out
}

// countFindings counts the open findings that base selects, by rating,
// with count queries: the store filters by "at least" a rating, so each
// rating's count is the difference of two cumulative ones.
func (s *Server) countFindings(ctx context.Context, base store.FindingFilter) (severityCounts, error) {
	count := func(f store.FindingFilter) (int, error) {
		_, n, err := s.db.ListFindings(ctx, f, cradle.Page{PerPage: 1})
		return n, err
	}
	var c severityCounts
	var cum [4]int
	for i, r := range minRatings {
		f := base
		f.MinRating = r
		n, err := count(f)
		if err != nil {
			return c, err
		}
		cum[i] = n
	}
	var err error
	if c.Total, err = count(base); err != nil {
		return c, err
	}
	kev := base
	kev.KEV = true
	if c.KEV, err = count(kev); err != nil {
		return c, err
	}
	c.Critical, c.High, c.Medium, c.Low = cum[0], cum[1]-cum[0], cum[2]-cum[1], cum[3]-cum[2]
	c.Other = c.Total - cum[3]
	return c, nil
}

// eachFinding calls fn with every finding f selects, page by page, and
// stops after limit findings; it reports whether it saw them all.
func (s *Server) eachFinding(ctx context.Context, f store.FindingFilter, limit int, fn func(cradle.Finding)) (complete bool, err error) {
	seen := 0
	for n := 1; ; n++ {
		items, total, err := s.db.ListFindings(ctx, f, cradle.Page{Number: n, PerPage: cradle.MaxPerPage})
		if err != nil {
			return false, err
		}
		for _, x := range items {
			if seen == limit {
				return false, nil
			}
			fn(x)
			seen++
		}
		if len(items) == 0 || n*cradle.MaxPerPage >= total {
			return true, nil
		}
	}
}

// findingsTable is what the "findings" partial needs: the rows, and the
// columns the page leaves out because the page is about them (a release
// page does not repeat its release, a vulnerability page its ID).
type findingsTable struct {
	Findings []cradle.Finding
	hide     []string
	Caption  string
}

// newFindingsTable builds a table; hide lists columns to leave out,
// separated by spaces: "release", "vuln", "component".
func newFindingsTable(items []cradle.Finding, hide, caption string) findingsTable {
	return findingsTable{Findings: items, hide: strings.Fields(hide), Caption: caption}
}

// Show reports whether the table has the column.
func (t findingsTable) Show(col string) bool { return !slices.Contains(t.hide, col) }

// packageOf is the package a purl names, without type, version and
// qualifiers ("golang.org/x/net" for pkg:golang/golang.org/x/net@v0.17.0):
// SBOM component names are often only its last part.
func packageOf(purl string) string {
	p, ok := strings.CutPrefix(purl, "pkg:")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndex(p, "@"); i >= 0 {
		p = p[:i]
	}
	_, p, _ = strings.Cut(p, "/")
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return p
}

// componentLabel is the package a finding's component is, when its name
// alone does not say it.
func componentLabel(f cradle.Finding) string {
	if p := packageOf(f.PURL); p != "" && p != f.Component {
		return p
	}
	return ""
}

// formatCount writes a count with thousands separators.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// worstOf counts a group of findings for a compact badge: how many, the
// worst rating, and whether any is KEV-listed.
type worstOf struct {
	N     int
	Worst string
	KEV   int
}

func (w *worstOf) add(f cradle.Finding) {
	if w.N == 0 || cradle.RatingRank(f.Rating) < cradle.RatingRank(w.Worst) {
		w.Worst = f.Rating
	}
	w.N++
	if f.KEV {
		w.KEV++
	}
}

func vulnURL(id string) string { return "/vulns/" + pathEscape(id) }

func formatScore(f float64) string {
	if f <= 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// formatPercent shows an EPSS probability or percentile (0..1) as a
// percentage with the precision that matters: 0.04%, 1.2%, 97%.
func formatPercent(f float64) string {
	p := f * 100
	switch {
	case p <= 0:
		return ""
	case p < 1:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	case p < 10:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

func formatDay(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(cradle.DateLayout)
}

// findingsFilterView is the state of a findings filter form.
type findingsFilterView struct {
	Product, Release, Severity, Since string
	KEV, Fix, All                     bool
}

func (f findingsFilterView) Active() bool {
	return f.Product != "" || f.Release != "" || f.Severity != "" || f.Since != "" || f.KEV || f.Fix || f.All
}

func filterViewOf(q url.Values) findingsFilterView {
	b := func(k string) bool { v, _ := strconv.ParseBool(q.Get(k)); return v }
	return findingsFilterView{Product: strings.TrimSpace(q.Get("product")), Release: strings.TrimSpace(q.Get("release")),
		Severity: q.Get("severity"), Since: strings.TrimSpace(q.Get("since")), KEV: b("kev"), Fix: b("fix_available"), All: b("all")}
}

// releaseFindings is the "Vulnerabilities" section of a release page.
type releaseFindings struct {
	Counts      severityCounts
	Findings    []cradle.Finding
	Pager       pager
	Filter      findingsFilterView
	FilterError string
	OnMarket    bool
	NoData      bool // no vulnerability data is loaded at all
	ListURL     string
	// ByComponent summarises the open findings of each component, for
	// the components table.
	ByComponent map[int64]*worstOf
	// Exploited lists the KEV-listed vulnerabilities and the components
	// they are in, for the alert.
	Exploited []exploited
}

// exploited is one KEV-listed vulnerability of a release.
type exploited struct {
	ID, Added  string
	Components []string
}

// Component returns the findings summary of a component, or nil.
func (v *releaseFindings) Component(id int64) *worstOf {
	if v == nil {
		return nil
	}
	return v.ByComponent[id]
}

// releaseScanLimit bounds the findings a release page reads to count
// them by severity and component; beyond it, counts come from count
// queries.
const releaseScanLimit = 10 * cradle.MaxPerPage

// releaseFindingsPerPage is the release page's default page of findings:
// short enough that the components stay within reach.
const releaseFindingsPerPage = 20

// findingsPageParam is the release page's page parameter for its findings,
// apart from "page", which pages its components.
const findingsPageParam = "fpage"

func (s *Server) releaseFindings(r *http.Request, rel *cradle.Release) (*releaseFindings, error) {
	ctx := r.Context()
	q := r.URL.Query()
	v := &releaseFindings{OnMarket: rel.Lifecycle.OnMarket(), Filter: filterViewOf(q), ByComponent: map[int64]*worstOf{}}
	v.ListURL = "/findings?" + url.Values{"product": {rel.ProductName}, "release": {rel.Version}}.Encode()
	base := store.FindingFilter{Product: rel.ProductName, Release: rel.Version}
	// One pass counts by severity and by component; a release has
	// hundreds of findings at most, but should one have more, the counts
	// come from count queries and the per-component badges are left out.
	kev := map[string]int{}
	complete, err := s.eachFinding(ctx, base, releaseScanLimit, func(f cradle.Finding) {
		v.Counts.add(f)
		if f.KEV {
			i, ok := kev[f.GroupID]
			if !ok {
				i = len(v.Exploited)
				kev[f.GroupID] = i
				v.Exploited = append(v.Exploited, exploited{ID: f.GroupID, Added: f.KEVAdded})
			}
			if c := &v.Exploited[i]; !slices.Contains(c.Components, f.Component) {
				c.Components = append(c.Components, f.Component)
			}
		}
		w := v.ByComponent[f.ComponentID]
		if w == nil {
			w = &worstOf{}
			v.ByComponent[f.ComponentID] = w
		}
		w.add(f)
	})
	if err != nil {
		return nil, err
	}
	if !complete {
		v.ByComponent, v.Exploited = nil, nil
		if v.Counts, err = s.countFindings(ctx, base); err != nil {
			return nil, err
		}
	}
	if v.Counts.Total == 0 {
		counts, err := s.db.VulnCounts(ctx)
		if err != nil {
			return nil, err
		}
		v.NoData = loadedTotal(counts) == 0
		return v, nil
	}
	// Only the filters that make sense within one release.
	f := base
	sub := url.Values{}
	for _, k := range []string{"severity", "kev", "fix_available"} {
		if x := q.Get(k); x != "" {
			sub.Set(k, x)
		}
	}
	ff, err := findingFilter(sub)
	if err != nil {
		v.FilterError = cradle.ErrorMessage(err) + ": " + problemsText(err)
		v.Filter = findingsFilterView{}
	} else {
		f.MinRating, f.KEV, f.FixAvailable = ff.MinRating, ff.KEV, ff.FixAvailable
	}
	pg := uiPageParam(r, findingsPageParam)
	if q.Get("per_page") == "" {
		pg.PerPage = releaseFindingsPerPage
	}
	items, total, err := s.db.ListFindings(ctx, f, pg)
	if err != nil {
		return nil, err
	}
	v.Findings = items
	v.Pager = newPagerParam(r, findingsPageParam, "vulnerabilities", pg, total, "finding findings")
	return v, nil
}

// loadedTotal counts advisories and KEV entries; EPSS scores alone match
// nothing.
func loadedTotal(counts map[string]int64) int64 {
	var n int64
	for k, c := range counts {
		if k != "epss" {
			n += c
		}
	}
	return n
}

func problemsText(err error) string {
	var parts []string
	for _, p := range cradle.ErrorProblems(err) {
		parts = append(parts, p.Location+" "+p.Message)
	}
	return strings.Join(parts, "; ")
}

// componentFindingsShown bounds the findings listed on a component page.
const componentFindingsShown = 200

// componentFindings returns the open findings of one component of a
// release. The store filters findings by release, not by component, so
// the release's findings are walked; a release has hundreds at most.
func (s *Server) componentFindings(ctx context.Context, rel *cradle.Release, id int64) ([]cradle.Finding, error) {
	var out []cradle.Finding
	_, err := s.eachFinding(ctx, store.FindingFilter{Product: rel.ProductName, Release: rel.Version}, 20*cradle.MaxPerPage, func(f cradle.Finding) {
		if f.ComponentID == id && len(out) < componentFindingsShown {
			out = append(out, f)
		}
	})
	return out, err
}

// Portfolio-wide findings: GET /findings.

type findingsView struct {
	base
	Filter      findingsFilterView
	FilterError string
	Problems    []cradle.Problem
	Findings    []cradle.Finding
	Pager       pager
	Products    []string
	Ratings     []string
	APIURL      string
}

func (s *Server) uiFindings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := &findingsView{Filter: filterViewOf(q), Ratings: minRatings}
	v.Title, v.Nav = "Vulnerabilities", "vulns"
	if v.Filter.KEV {
		v.Title = "Actively exploited vulnerabilities"
	}
	v.APIURL = "/api/v1/findings"
	if r.URL.RawQuery != "" {
		v.APIURL += "?" + r.URL.RawQuery
	}
	products, _, err := s.db.ListProducts(ctx, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	for _, p := range products {
		v.Products = append(v.Products, p.Name)
	}
	status := http.StatusOK
	pg := uiPage(r)
	f, err := findingFilter(q)
	var items []cradle.Finding
	total := 0
	if err == nil {
		items, total, err = s.db.ListFindings(ctx, f, pg)
	}
	switch code := cradle.ErrorCode(err); code {
	case "":
	case cradle.EInvalid, cradle.ENotFound:
		status = statusOf(code)
		v.FilterError = cradle.ErrorMessage(err)
		v.Problems = cradle.ErrorProblems(err)
	default:
		return err
	}
	v.Findings, v.Pager = items, newPager(r, pg, total, "finding findings")
	return s.render(w, r, status, "findings", v)
}

// The vulnerability page: GET /vulns/{id}.

type vulnView struct {
	base
	ID       string // canonical
	Aliases  []string
	Records  []vulnRecord
	KEV      []*store.KEVEntry
	Findings []cradle.Finding
	Pager    pager
	Impact   impactSummary
	// EPSS of the vulnerability, from its findings (the store keeps EPSS
	// per CVE and attaches it to findings).
	EPSS, EPSSPercentile float64
}

type impactSummary struct {
	Findings, Releases, OnMarket, OnMarketReleases int
}

// vulnRecord is one advisory of a vulnerability, prepared for reading.
type vulnRecord struct {
	cradle.Vulnerability
	Paragraphs []string
	Scores     []severityScore
	Packages   []affectedView
	Refs       []refView
}

type severityScore struct {
	Type, Vector string
	Score        string // "7.5", "" when the vector does not parse
	Rating       string // lower case, for the badge
	Version      string
	Nomenclature string
	Error        string
}

type affectedView struct {
	Ecosystem, Name, PURL string
	Ranges                []rangeView
	Fixed                 []string
	Versions              []string
	GitOnly               bool
}

// rangeView is a range as readable intervals, one per line, and what
// kind of ordering they are in.
type rangeView struct {
	Intervals []string
	Note      string
}

func (r rangeView) String() string {
	s := strings.Join(r.Intervals, "; ")
	if r.Note != "" {
		s += " (" + r.Note + ")"
	}
	return s
}

type refView struct {
	URL  string
	Host string
	Link bool
}

func (s *Server) uiVuln(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := strings.TrimSpace(r.PathValue("id"))
	group, recs, err := s.db.VulnerabilityGroup(ctx, id)
	if err != nil {
		if cradle.ErrorCode(err) == cradle.ENotFound {
			return cradle.Errorf(cradle.ENotFound, "No vulnerability %s in the loaded data. It may be in a source that is not imported yet: see Vulnerability data.", id)
		}
		return err
	}
	v := &vulnView{ID: group}
	v.Title, v.Nav = group, "vulns"
	v.Crumbs = []crumb{{"Vulnerabilities", "/findings"}}
	seen := map[string]bool{group: true}
	for _, rec := range recs {
		for _, a := range append([]string{rec.ID}, rec.Aliases...) {
			if a != "" && !seen[a] {
				seen[a] = true
				v.Aliases = append(v.Aliases, a)
			}
		}
		v.Records = append(v.Records, prepareRecord(rec))
	}
	slices.SortFunc(v.Aliases, aliasOrder)
	for _, a := range append([]string{group}, v.Aliases...) {
		if !strings.HasPrefix(a, "CVE-") {
			continue
		}
		e, err := s.db.KEV(ctx, a)
		if err != nil {
			return err
		}
		if e != nil {
			v.KEV = append(v.KEV, e)
		}
	}
	pg := uiPage(r)
	items, total, err := s.db.ListFindings(ctx, store.FindingFilter{Vuln: group}, pg)
	if err != nil {
		return err
	}
	v.Findings, v.Pager = items, newPager(r, pg, total, "finding findings")
	rels, onMarket := map[int64]bool{}, map[int64]bool{}
	if _, err := s.eachFinding(ctx, store.FindingFilter{Vuln: group}, 20*cradle.MaxPerPage, func(f cradle.Finding) {
		v.Impact.Findings++
		rels[f.ReleaseID] = true
		if f.Lifecycle.OnMarket() {
			v.Impact.OnMarket++
			onMarket[f.ReleaseID] = true
		}
		if f.EPSS > v.EPSS {
			v.EPSS, v.EPSSPercentile = f.EPSS, f.EPSSPercent
		}
	}); err != nil {
		return err
	}
	v.Impact.Releases, v.Impact.OnMarketReleases = len(rels), len(onMarket)
	return s.render(w, r, http.StatusOK, "vuln", v)
}

// aliasOrder puts CVE IDs first, then the rest by name.
func aliasOrder(a, b string) int {
	ca, cb := strings.HasPrefix(a, "CVE-"), strings.HasPrefix(b, "CVE-")
	switch {
	case ca && !cb:
		return -1
	case cb && !ca:
		return 1
	}
	return strings.Compare(a, b)
}

func prepareRecord(v cradle.Vulnerability) vulnRecord {
	rec := vulnRecord{Vulnerability: v, Paragraphs: paragraphs(v.Details)}
	for _, sv := range v.Severity {
		sc := severityScore{Type: sv.Type, Vector: sv.Score}
		if strings.HasPrefix(sv.Type, "CVSS_") {
			if p, err := cvss.Parse(sv.Score); err == nil {
				sc.Score, sc.Rating, sc.Version, sc.Nomenclature = formatScore(p.Overall), strings.ToLower(p.Rating), string(p.Version), p.Nomenclature
				if p.Overall == 0 {
					sc.Score = "0.0"
				}
			} else {
				sc.Error = "does not parse as a CVSS vector"
			}
		}
		rec.Scores = append(rec.Scores, sc)
	}
	for _, a := range v.Affected {
		rec.Packages = append(rec.Packages, describeAffected(a))
	}
	for _, u := range v.References {
		rec.Refs = append(rec.Refs, referenceOf(u))
	}
	return rec
}

// paragraphs splits advisory text at blank lines. The text is shown as
// text (never as HTML or rendered Markdown); line breaks inside a
// paragraph are kept by the stylesheet.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// referenceOf makes a link only of an absolute http(s) URL; anything
// else (javascript:, data:, relative paths) is shown as text.
func referenceOf(raw string) refView {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return refView{URL: raw}
	}
	return refView{URL: u.String(), Host: u.Hostname(), Link: true}
}

// describeAffected turns an affected entry's ranges into readable
// intervals ("< 0.33.0", "1.22.0-0 ≤ v < 1.22.2").
func describeAffected(a cradle.Affected) affectedView {
	av := affectedView{Ecosystem: a.Ecosystem, Name: a.Name, PURL: a.PURL, Versions: a.Versions}
	git := 0
	for _, r := range a.Ranges {
		if r.Type == cradle.RangeGit {
			git++
		}
		av.Ranges = append(av.Ranges, describeRange(r))
		for _, e := range r.Events {
			if e.Fixed != "" && r.Type != cradle.RangeGit && !slices.Contains(av.Fixed, e.Fixed) {
				av.Fixed = append(av.Fixed, e.Fixed)
			}
		}
	}
	av.GitOnly = git > 0 && git == len(a.Ranges) && len(a.Versions) == 0
	return av
}

func describeRange(r cradle.Range) rangeView {
	ver := func(s string) string { return s }
	if r.Type == cradle.RangeGit {
		ver = func(s string) string { return shortHash(s) }
	}
	var parts, limits []string
	lo, open := "", false
	closeAt := func(op, hi string) {
		if !open || lo == "0" {
			parts = append(parts, "v "+op+" "+ver(hi))
		} else {
			parts = append(parts, ver(lo)+" ≤ v "+op+" "+ver(hi))
		}
		open = false
	}
	openEnd := func() {
		if lo == "0" {
			parts = append(parts, "every version")
		} else {
			parts = append(parts, "v ≥ "+ver(lo))
		}
	}
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			if open {
				openEnd()
			}
			lo, open = e.Introduced, true
		case e.Fixed != "":
			closeAt("<", e.Fixed)
		case e.LastAffected != "":
			closeAt("≤", e.LastAffected)
		case e.Limit != "":
			limits = append(limits, ver(e.Limit))
		}
	}
	if open {
		openEnd()
	}
	rv := rangeView{Intervals: parts}
	var notes []string
	switch r.Type {
	case cradle.RangeGit:
		n := "Git commits"
		if r.Repo != "" {
			n += " of " + r.Repo
		}
		notes = append(notes, n)
	case cradle.RangeEcosystem:
		notes = append(notes, "in the ecosystem's version order")
	}
	if len(limits) > 0 {
		notes = append(notes, "limit "+strings.Join(limits, ", "))
	}
	rv.Note = strings.Join(notes, "; ")
	return rv
}

// shortHash shortens a commit hash the way git does; other strings are
// left alone.
func shortHash(s string) string {
	if len(s) == 40 && strings.Trim(s, "0123456789abcdef") == "" {
		return s[:12]
	}
	return s
}
