// Package engineering is the one path for a release's engineering evidence:
// threat models (IEC 62443-4-1 SR-2, SD-*, SVV-2), scan and test results
// (SI-1, SVV-1..SVV-4), SBOM quality, and the release gate (SM-11, SM-12;
// CRA Annex I Part I (2)(a), Part II (1)). It decodes with the format
// packages (threatmodel, results, quality, gate) and stores with store, so
// the web server and the command line do the same thing.
package engineering

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/quality"
	"github.com/cradle-sdl/cradle/results"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// Service works on one database.
type Service struct {
	DB  *store.DB
	Now func() time.Time

	mu      sync.Mutex
	quality map[string]*quality.Report // by SBOM SHA-256 + profile: a document never changes
}

// New returns a Service on db.
func New(db *store.DB) *Service {
	return &Service{DB: db, Now: func() time.Time { return time.Now().UTC() }, quality: map[string]*quality.Report{}}
}

// MaxThreatModelSize is the largest threat model file cradle reads.
const MaxThreatModelSize = 4 << 20

// ReviewInterval is how old the newest review of a released product's
// threat model may be (IEC 62443-4-1 SR-2: at least yearly).
const ReviewInterval = 365 * 24 * time.Hour

// ThreatModelImport is what importing a threat model did.
type ThreatModelImport struct {
	Model     *cradle.ThreatModel `json:"model"`
	Unchanged bool                `json:"unchanged"`
	Summary   threatmodel.Summary `json:"summary"`
}

// ImportThreatModel checks a threat model (YAML) and stores it as the next
// version of the product's model, for a release when release is set.
func (s *Service) ImportThreatModel(ctx context.Context, actor cradle.Actor, product, release, filename string, data []byte) (*ThreatModelImport, error) {
	if len(data) > MaxThreatModelSize {
		return nil, cradle.Errorf(cradle.ETooLarge, "the threat model is %d bytes, larger than the limit of %d", len(data), MaxThreatModelSize)
	}
	if filename == "" {
		filename = "threat-model.yaml"
	}
	m, err := threatmodel.Parse(filename, data)
	if err != nil {
		return nil, err
	}
	ts := threatmodel.Threats(m)
	sum := threatmodel.Summarize(ts)
	rec := &cradle.ThreatModel{Product: product, Release: release, SHA256: m.Hash(), Filename: filename, Source: string(data),
		Threats: len(ts), OpenThreats: openCount(ts)}
	before, err := s.DB.ThreatModelFor(ctx, product, release)
	if err != nil {
		return nil, err
	}
	if err := s.DB.SaveThreatModel(ctx, actor, rec); err != nil {
		return nil, err
	}
	rec.Source = ""
	return &ThreatModelImport{Model: rec, Unchanged: before != nil && before.ID == rec.ID, Summary: sum}, nil
}

func openCount(ts []threatmodel.Threat) int {
	n := 0
	for _, t := range ts {
		if t.Status == threatmodel.StatusOpen || t.Status == "" {
			n++
		}
	}
	return n
}

// ThreatModelView is a stored threat model, parsed, with its threats and
// reviews.
type ThreatModelView struct {
	Stored   *cradle.ThreatModel   `json:"stored"`
	Model    *threatmodel.Model    `json:"model"`
	Threats  []threatmodel.Threat  `json:"threats"`
	Summary  threatmodel.Summary   `json:"summary"`
	Reviews  []cradle.ThreatReview `json:"reviews"`
	Versions []*cradle.ThreatModel `json:"versions"`
	// ReviewedAt is the newest approval recorded in cradle of this
	// version or an earlier one; nil when never approved.
	ReviewedAt *time.Time `json:"reviewed_at"`
	// ApprovedAt is the newest approval of this model's content (this
	// version, or another with the same hash): what the release gate
	// counts. A changed model needs a new review.
	ApprovedAt *time.Time `json:"approved_at"`
	// ModelReviewedAt is the newest date in the model's own reviews
	// section. It is the team's statement, shown but not counted: anyone
	// who can import a model could write it.
	ModelReviewedAt *time.Time `json:"model_reviewed_at"`
	// Stale: the product has a release on the market and the newest
	// approval is older than 12 months (or there is none).
	Stale bool `json:"stale"`
	// ChangedSinceReview: the newest approval in cradle was of an older
	// version.
	ChangedSinceReview bool `json:"changed_since_review"`
	// Tests maps each test a threat names to its state in the release's
	// JUnit results: passed, failed or missing (only for a release).
	Tests map[string]string `json:"tests,omitempty"`
	// Untested lists the mitigated threats whose mitigation no passing
	// test verifies (only for a release): SVV-2.
	Untested []string `json:"untested,omitempty"`
}

// ThreatModel returns the model in force for a release (release "" for the
// product's newest), or version when version > 0. It returns nil, nil
// when the product has no threat model.
func (s *Service) ThreatModel(ctx context.Context, product, release string, version int) (*ThreatModelView, error) {
	var rec *cradle.ThreatModel
	var err error
	if version > 0 {
		rec, err = s.DB.ThreatModelVersion(ctx, product, version)
	} else {
		rec, err = s.DB.ThreatModelFor(ctx, product, release)
	}
	if err != nil || rec == nil {
		return nil, err
	}
	m, err := threatmodel.Parse(rec.Filename, []byte(rec.Source))
	if err != nil {
		// Stored models were valid when imported; a newer cradle with
		// stricter rules says so instead of hiding the model.
		return nil, fmt.Errorf("stored threat model %s version %d no longer parses: %w", product, rec.Version, err)
	}
	v := &ThreatModelView{Stored: rec, Model: m, Threats: threatmodel.Threats(m)}
	v.Summary = threatmodel.Summarize(v.Threats)
	if v.Reviews, err = s.DB.ThreatReviews(ctx, product); err != nil {
		return nil, err
	}
	if v.Versions, err = s.DB.ThreatModels(ctx, product); err != nil {
		return nil, err
	}
	same := map[int]bool{} // versions with this version's content
	for _, x := range v.Versions {
		if x.SHA256 == rec.SHA256 {
			same[x.Version] = true
		}
	}
	v.ReviewedAt, v.ApprovedAt, v.ModelReviewedAt = reviewedAt(m, v.Reviews, rec, same)
	v.ChangedSinceReview = v.ReviewedAt != nil && v.ApprovedAt == nil
	released, err := s.onMarket(ctx, rec.Product)
	if err != nil {
		return nil, err
	}
	v.Stale = released && (v.ReviewedAt == nil || s.Now().Sub(*v.ReviewedAt) > ReviewInterval)
	if release != "" {
		passed, failed, err := s.DB.TestStates(ctx, product, release)
		if err != nil {
			return nil, err
		}
		v.Tests = map[string]string{}
		for _, t := range v.Threats {
			ok := len(t.Tests) > 0
			for _, ref := range t.Tests {
				st := testState(ref, passed, failed)
				v.Tests[ref] = st
				ok = ok && st == "passed"
			}
			if t.Status == threatmodel.StatusMitigated && !ok {
				v.Untested = append(v.Untested, t.ID)
			}
		}
	}
	return v, nil
}

// testState finds a test a threat model names among the release's test
// cases: by its full name, as the last part of classname.name, or as the
// ID a test's title starts with ("TEST-UPD-1 firmware signature ...").
func testState(ref string, passed, failed map[string]bool) string {
	match := func(name string) bool {
		return name == ref || strings.HasSuffix(name, "."+ref) ||
			strings.HasPrefix(name, ref+" ") || strings.Contains(name, "."+ref+" ")
	}
	state := "missing"
	for n := range failed {
		if match(n) {
			return "failed"
		}
	}
	for n := range passed {
		if match(n) {
			state = "passed"
			break
		}
	}
	return state
}

// reviewedAt returns the newest approval recorded in cradle of this or an
// earlier version, the newest of this content (same[v]: version v has the
// same model hash, e.g. the same file imported for the next release), and
// the newest date of the model's own reviews section.
func reviewedAt(m *threatmodel.Model, reviews []cradle.ThreatReview, rec *cradle.ThreatModel, same map[int]bool) (any, this, model *time.Time) {
	for i := range reviews {
		r := reviews[i]
		if r.Outcome != cradle.ReviewApproved || r.Version > rec.Version {
			continue
		}
		t := r.ReviewedAt
		if any == nil || t.After(*any) {
			any = &t
		}
		if (r.Version == rec.Version || same[r.Version]) && (this == nil || t.After(*this)) {
			this = &t
		}
	}
	for _, r := range m.Reviews {
		t, err := time.Parse(cradle.DateLayout, r.Date)
		if err != nil {
			continue
		}
		if model == nil || t.After(*model) {
			model = &t
		}
	}
	return any, this, model
}

func (s *Service) onMarket(ctx context.Context, product string) (bool, error) {
	rels, err := store.All(func(pg cradle.Page) ([]*cradle.Release, int, error) { return s.DB.ListReleases(ctx, product, pg) })
	if err != nil {
		return false, err
	}
	for _, r := range rels {
		if r.Lifecycle.OnMarket() {
			return true, nil
		}
	}
	return false, nil
}

// ThreatModelDiff compares two stored versions of a product's model.
func (s *Service) ThreatModelDiff(ctx context.Context, product string, from, to int) (*threatmodel.Diff, error) {
	var ms [2]*threatmodel.Model
	for i, v := range []int{from, to} {
		rec, err := s.DB.ThreatModelVersion(ctx, product, v)
		if err != nil {
			return nil, err
		}
		if ms[i], err = threatmodel.Parse(rec.Filename, []byte(rec.Source)); err != nil {
			return nil, err
		}
	}
	d := threatmodel.Compare(ms[0], ms[1])
	return &d, nil
}

// ReleaseModelVersions returns the model versions in force for two
// releases, for a diff "between releases".
func (s *Service) ReleaseModelVersions(ctx context.Context, product, fromRelease, toRelease string) (int, int, error) {
	var out [2]int
	for i, r := range []string{fromRelease, toRelease} {
		m, err := s.DB.ThreatModelFor(ctx, product, r)
		if err != nil {
			return 0, 0, err
		}
		if m == nil {
			return 0, 0, cradle.Errorf(cradle.ENotFound, "%s has no threat model", product)
		}
		out[i] = m.Version
	}
	return out[0], out[1], nil
}

// ImportResults decodes a SARIF 2.1.0 or JUnit XML file and stores its
// results for a release. kind overrides the kind guessed from the tool
// ("" keeps the guess).
func (s *Service) ImportResults(ctx context.Context, actor cradle.Actor, product, release, kind, filename string, data []byte) (*cradle.ResultImport, []string, error) {
	return s.ImportResultsAs(ctx, actor, product, release, kind, "", filename, data)
}

// ImportResultsAs is ImportResults with a category: results of the same
// tool and category that the file no longer has are marked fixed ("" uses
// the file name, so CodeQL's go.sarif and js.sarif, or unit.xml and
// integration.xml, are tracked apart).
func (s *Service) ImportResultsAs(ctx context.Context, actor cradle.Actor, product, release, kind, category, filename string, data []byte) (*cradle.ResultImport, []string, error) {
	category = strings.TrimSpace(category)
	if len(category) > 200 || strings.ContainsFunc(category, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, nil, cradle.Invalid("invalid category", cradle.Problem{Location: "category", Message: "at most 200 characters, no control characters"})
	}
	if kind != "" && !slices.Contains(cradle.ResultKinds, kind) {
		return nil, nil, cradle.Invalid("invalid kind", cradle.Problem{Location: "kind", Message: "must be one of " + strings.Join(cradle.ResultKinds, ", ") + "; found " + fmt.Sprintf("%q", kind)})
	}
	if _, err := s.DB.Release(ctx, product, release); err != nil {
		return nil, nil, err
	}
	if filename == "" {
		filename = "results"
	}
	rep, err := results.Decode(filename, data)
	if err != nil {
		return nil, nil, err
	}
	if rep.Format == results.FormatJUnit && kind != "" && kind != "test" {
		return nil, nil, cradle.Invalid("a JUnit report holds test results", cradle.Problem{Location: "kind", Message: fmt.Sprintf("a JUnit report can only be of kind test; found %q", kind)})
	}
	imp := &cradle.ResultImport{Product: product, Release: release, Format: rep.Format, Kind: rep.Kind, Filename: filename, Category: category}
	if kind != "" {
		imp.Kind = kind
	}
	var tools []string
	for _, t := range rep.Tools {
		if t.Name != "" && !slices.Contains(tools, t.Name) {
			tools = append(tools, t.Name)
		}
		if imp.ToolVersion == "" {
			imp.ToolVersion = cmp.Or(t.SemanticVersion, t.Version)
		}
	}
	imp.Tool = strings.Join(tools, "+")
	if imp.Category == "" {
		// What the file covers, so that files named per run still
		// replace each other: a SARIF run's own category (CodeQL:
		// "/language:go/"), a JUnit report's suites.
		var cats []string
		for _, t := range rep.Tools {
			if t.Category != "" && !slices.Contains(cats, t.Category) {
				cats = append(cats, t.Category)
			}
		}
		if rep.Tests != nil {
			suites := slices.Clone(rep.Tests.SuiteNames)
			slices.Sort(suites)
			suites = slices.Compact(suites)
			if len(suites) > 0 && !(len(suites) == 1 && suites[0] == "") {
				cats = append(cats, "suites:"+strings.Join(suites, ","))
			}
		}
		imp.Category = strings.Join(cats, "+")
		if len(imp.Category) > 200 {
			sum := sha256.Sum256([]byte(imp.Category))
			imp.Category = "sha256:" + hex.EncodeToString(sum[:])
		}
	}
	if imp.Tool == "" {
		imp.Tool = rep.Format
	}
	if rep.Tests != nil {
		imp.Tests, imp.TestsFailed, imp.PassedTests = rep.Tests.Tests, rep.Tests.Failed+rep.Tests.Errored, rep.Tests.PassedNames
	}
	rows := make([]cradle.ScanResult, 0, len(rep.Results))
	for _, r := range rep.Results {
		if r.Kind != "" && r.Kind != "fail" && r.Kind != "open" && r.Kind != "review" {
			continue // pass, informational, notApplicable: not findings
		}
		row := cradle.ScanResult{Tool: r.Tool, Kind: imp.Kind, Fingerprint: r.Fingerprint, RuleID: r.RuleID, RuleName: r.RuleName,
			Severity: r.Severity, Message: clip(r.Message, 4000), Location: clip(r.Location, 1000), Test: r.Test, Status: cradle.ResultOpen}
		if r.Suppressed {
			row.Status, row.Justification = cradle.ResultSuppressed, cmp.Or(r.Justification, "suppressed in the tool's output")
		}
		rows = append(rows, row)
	}
	if err := s.DB.ImportResults(ctx, actor, imp, data, rows); err != nil {
		return nil, nil, err
	}
	return imp, rep.Warnings, nil
}

// CheckSBOM checks a release's current SBOM against a quality profile.
func (s *Service) CheckSBOM(ctx context.Context, product, release, profile string) (*quality.Report, *cradle.SBOMDocument, error) {
	rel, err := s.DB.Release(ctx, product, release)
	if err != nil {
		return nil, nil, err
	}
	if rel.CurrentSBOMID == 0 {
		return nil, nil, cradle.Errorf(cradle.ENotFound, "%s %s has no SBOM", product, release)
	}
	return s.CheckStoredSBOM(ctx, product, release, rel.CurrentSBOMID, profile)
}

// CheckStoredSBOM checks one stored SBOM document of a release.
func (s *Service) CheckStoredSBOM(ctx context.Context, product, release string, id int64, profile string) (*quality.Report, *cradle.SBOMDocument, error) {
	doc, err := s.DB.SBOMDocument(ctx, product, release, id)
	if err != nil {
		return nil, nil, err
	}
	key := doc.SHA256 + "/" + profile
	s.mu.Lock()
	rep := s.quality[key]
	s.mu.Unlock()
	if rep != nil {
		return rep, doc, nil
	}
	_, content, err := s.DB.SBOMContent(ctx, product, release, id)
	if err != nil {
		return nil, nil, err
	}
	name := doc.Name
	if name == "" {
		name = fmt.Sprintf("sbom-%d", doc.ID)
	}
	if rep, err = quality.Check(name, content, profile); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	if len(s.quality) > 256 {
		clear(s.quality)
	}
	s.quality[key] = rep
	s.mu.Unlock()
	return rep, doc, nil
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
