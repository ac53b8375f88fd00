package monitor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/epss"
	"github.com/cradle-sdl/cradle/feeds"
	"github.com/cradle-sdl/cradle/kev"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/cradle-sdl/cradle/store"
)

// SourceReport is what importing one source did.
type SourceReport struct {
	Source    string                `json:"source"`
	Path      string                `json:"path,omitempty"`
	Status    string                `json:"status"` // imported, not-modified, failed
	Records   int                   `json:"records"`
	Skipped   int                   `json:"skipped,omitempty"`
	Skips     []string              `json:"skips,omitempty"`
	Withdrawn int                   `json:"withdrawn,omitempty"`
	GitOnly   int                   `json:"git_only,omitempty"`
	Inserted  int                   `json:"inserted,omitempty"`
	Updated   int                   `json:"updated,omitempty"`
	Unchanged int                   `json:"unchanged,omitempty"`
	KEVAdded  []string              `json:"kev_added,omitempty"`
	Findings  *store.FindingChanges `json:"findings,omitempty"`
	Error     string                `json:"error,omitempty"`
}

// kind says what a file holds: "kev", "epss" or "osv".
func kind(path string) string {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(base, ".csv"), strings.HasSuffix(base, ".csv.gz"):
		return "epss"
	case strings.HasSuffix(base, ".json"):
		f, err := os.Open(path)
		if err != nil {
			return "osv"
		}
		defer f.Close()
		head := make([]byte, 4096)
		n, _ := bufio.NewReader(f).Read(head)
		if bytes.Contains(head[:n], []byte(`"catalogVersion"`)) {
			return "kev"
		}
	}
	return "osv"
}

// ImportPath imports one file or folder: OSV records (a JSON file, a
// folder of them, or an all.zip), the KEV catalog, or an EPSS CSV. Each
// path is one transaction: a broken archive changes nothing, and its
// state shows in `cradle vulndb status`.
func (m *Monitor) ImportPath(ctx context.Context, path string) *SourceReport {
	k := kind(path)
	source := k
	if k == "osv" {
		source = "file:" + filepath.Base(path)
		if filepath.Base(path) == "all.zip" {
			// The OSV layout: <Ecosystem>/all.zip.
			source = "osv:" + filepath.Base(filepath.Dir(path))
		}
	}
	rep := m.importFile(ctx, k, source, path)
	m.saveFeed(ctx, rep, "", feeds.Validators{})
	return rep
}

func (m *Monitor) importFile(ctx context.Context, k, source, path string) *SourceReport {
	rep := &SourceReport{Source: source, Path: path, Status: "imported"}
	fail := func(err error) *SourceReport {
		rep.Status, rep.Error = "failed", err.Error()
		return rep
	}
	switch k {
	case "kev":
		cat, err := kev.ReadFile(path)
		if err != nil {
			return fail(err)
		}
		entries := make([]store.KEVEntry, 0, len(cat.Vulnerabilities))
		for _, e := range cat.Vulnerabilities {
			entries = append(entries, store.KEVEntry{CVE: e.CVEID, DateAdded: e.DateAdded.Format(cradle.DateLayout),
				DueDate: dateOrEmpty(e.DueDate), Vendor: e.VendorProject, Product: e.Product, Name: e.VulnerabilityName,
				Ransomware: e.KnownRansomwareCampaignUse, Action: e.RequiredAction})
		}
		added, err := m.db.ReplaceKEV(ctx, entries)
		if err != nil {
			return fail(err)
		}
		rep.Records, rep.KEVAdded = len(entries), added
		return rep
	case "epss":
		f, err := os.Open(path)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		n, err := m.db.ReplaceEPSS(ctx, func(emit func(store.EPSSScore) error) (string, error) {
			meta, err := epss.Read(bufio.NewReaderSize(f, 1<<20), func(s epss.Score) error {
				return emit(store.EPSSScore{CVE: s.CVE, Score: s.EPSS, Percentile: s.Percentile})
			})
			return dateOrEmpty(meta.ScoreDate), err
		})
		if err != nil {
			return fail(err)
		}
		rep.Records = n
		return rep
	}
	var vulns []*cradle.Vulnerability
	stats, err := osv.Read(path, osv.Limits{}, func(v *cradle.Vulnerability) error {
		v.Source = source
		vulns = append(vulns, v)
		return nil
	})
	rep.Records, rep.Skipped, rep.Withdrawn, rep.GitOnly = stats.Records, stats.Skipped, stats.Withdrawn, stats.GitOnly
	for _, s := range stats.Skips {
		rep.Skips = append(rep.Skips, s.Name+": "+firstLine(s.Err.Error()))
	}
	if err != nil {
		return fail(err)
	}
	if stats.Records == 0 && stats.Skipped > 0 {
		// Nothing usable: a broken file, not a feed with a few bad records.
		return fail(fmt.Errorf("no usable OSV record: %s", rep.Skips[0]))
	}
	res, ch, err := m.ImportVulns(ctx, vulns)
	if err != nil {
		return fail(err)
	}
	rep.Inserted, rep.Updated, rep.Unchanged, rep.Findings = res.Inserted, res.Updated, res.Unchanged, ch
	return rep
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(cradle.DateLayout)
}

func (m *Monitor) saveFeed(ctx context.Context, rep *SourceReport, url string, v feeds.Validators) {
	prev, _ := m.db.Feed(ctx, rep.Source)
	f := prev
	f.URL = url
	f.CheckedAt = time.Now().UTC()
	switch rep.Status {
	case "imported":
		f.ImportedAt, f.Records, f.Skipped, f.Status, f.Error = f.CheckedAt, int64(rep.Records), int64(rep.Skipped), "ok", ""
		f.ETag, f.LastModified = v.ETag, v.LastModified
	case "not-modified":
		f.Status, f.Error = "ok", ""
	default:
		// The previous data stays; the failure is visible until the next success.
		f.Status, f.Error = "error", rep.Error
	}
	if err := m.db.SaveFeed(ctx, &f); err != nil {
		m.log.Error("record feed state", "source", rep.Source, "err", err)
	}
}

// SyncOptions configure Sync.
type SyncOptions struct {
	Sources    feeds.Sources
	Ecosystems []string // OSV ecosystems to fetch; default DefaultEcosystems
	Client     *http.Client
	Dir        string // for temporary files
	KEV, EPSS  bool
	// Retries and Backoff tune the retries of failed downloads (see
	// feeds.Fetcher); zero means the defaults.
	Retries int
	Backoff time.Duration
}

// DefaultEcosystems are the OSV ecosystems synced unless told otherwise:
// those whose purls cradle maps.
var DefaultEcosystems = []string{"Go", "npm", "PyPI", "Maven", "crates.io", "NuGet", "RubyGems", "Packagist", "Hex", "Pub",
	"Hackage", "Debian", "Ubuntu", "Alpine"}

// Sync downloads each source with a conditional request and imports only
// what changed.
func (m *Monitor) Sync(ctx context.Context, o SyncOptions) []*SourceReport {
	if len(o.Ecosystems) == 0 {
		o.Ecosystems = DefaultEcosystems
	}
	type job struct{ source, kind, url string }
	var jobs []job
	for _, e := range o.Ecosystems {
		jobs = append(jobs, job{"osv:" + e, "osv", o.Sources.OSV(e)})
	}
	if o.KEV {
		jobs = append(jobs, job{"kev", "kev", o.Sources.KEV})
	}
	if o.EPSS {
		jobs = append(jobs, job{"epss", "epss", o.Sources.EPSS})
	}
	var out []*SourceReport
	for _, j := range jobs {
		prev, _ := m.db.Feed(ctx, j.source)
		f := &feeds.Fetcher{Client: o.Client, Dir: o.Dir, Retries: o.Retries, Backoff: o.Backoff, MaxBackoff: 4 * o.Backoff}
		res, err := f.Fetch(ctx, j.url, feeds.Validators{ETag: prev.ETag, LastModified: prev.LastModified})
		var rep *SourceReport
		switch {
		case err != nil:
			rep = &SourceReport{Source: j.source, Status: "failed", Error: err.Error()}
		case res.NotModified:
			rep = &SourceReport{Source: j.source, Status: "not-modified"}
		default:
			// The readers tell an archive or gzip file by its content, not its name.
			rep = m.importFile(ctx, j.kind, j.source, res.Path)
			os.Remove(res.Path)
		}
		m.saveFeed(ctx, rep, j.url, res.Validators)
		out = append(out, rep)
	}
	return out
}

// String summarises a report on one line.
func (r *SourceReport) String() string {
	switch r.Status {
	case "failed":
		return fmt.Sprintf("%s: FAILED: %s", r.Source, firstLine(r.Error))
	case "not-modified":
		return fmt.Sprintf("%s: not modified", r.Source)
	}
	s := fmt.Sprintf("%s: %d records", r.Source, r.Records)
	if r.Inserted+r.Updated+r.Unchanged > 0 {
		s += fmt.Sprintf(" (%d new, %d changed, %d unchanged)", r.Inserted, r.Updated, r.Unchanged)
	}
	if r.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", r.Skipped)
	}
	if r.Withdrawn > 0 {
		s += fmt.Sprintf(", %d withdrawn", r.Withdrawn)
	}
	if r.GitOnly > 0 {
		s += fmt.Sprintf(", %d with GIT ranges only", r.GitOnly)
	}
	if len(r.KEVAdded) > 0 {
		s += fmt.Sprintf(", %d newly listed", len(r.KEVAdded))
	}
	if r.Findings != nil {
		s += fmt.Sprintf("; findings: %d new, %d resolved", r.Findings.New, r.Findings.Resolved)
	}
	return s
}
