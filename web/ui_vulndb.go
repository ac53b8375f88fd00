package web

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

// Vulnerability data: GET /vulndb, POST /vulndb/rematch, POST /vulndb/import.

type vulnDBView struct {
	base
	Sources []sourceRow
	Gaps    []coverageGap
	MaxSize int64
	Form    *form
	// Ecosystems are suggestions for the upload's ecosystem field.
	Ecosystems []string
	// Outcome of a re-match or an import, on the result page.
	Changes  *store.FindingChanges
	Report   *monitor.SourceReport
	Filename string
}

// sourceRow is one data source as the status table and the dashboard
// show it.
type sourceRow struct {
	store.Feed
	Loaded     int64
	Stale      bool
	Imported   string // "3 h ago"
	Checked    string
	ErrorFirst string // first line of the error
	ErrorMore  string // the rest: often where in the file the problem is
}

// Label says what a source is in words.
func (r sourceRow) Label() string {
	switch {
	case r.Source == "kev":
		return "Known Exploited Vulnerabilities (CISA)"
	case r.Source == "epss":
		return "Exploit prediction scores (FIRST EPSS)"
	case strings.HasPrefix(r.Source, "osv:"):
		return strings.TrimPrefix(r.Source, "osv:") + " advisories (OSV)"
	case strings.HasPrefix(r.Source, "file:"):
		return "Advisories from " + strings.TrimPrefix(r.Source, "file:")
	}
	return r.Source
}

// sourceRank orders sources: advisories first (they make findings), then
// KEV and EPSS (they rank them).
func sourceRank(s string) int {
	switch {
	case strings.HasPrefix(s, "osv:"):
		return 0
	case s == "kev":
		return 2
	case s == "epss":
		return 3
	}
	return 1
}

// sourceRows joins the feeds with what is loaded: a source whose data
// exists without a feed record (imported by an older version) still
// shows.
func sourceRows(st *VulnStatus, now time.Time) []sourceRow {
	var out []sourceRow
	seen := map[string]bool{}
	for _, f := range st.Sources {
		seen[f.Source] = true
		row := sourceRow{Feed: f, Loaded: st.Loaded[f.Source], Imported: ageAt(f.ImportedAt, now), Checked: ageAt(f.CheckedAt, now)}
		row.Stale = !f.ImportedAt.IsZero() && now.Sub(f.ImportedAt) > staleAfter
		row.ErrorFirst, row.ErrorMore = splitError(f.Error)
		out = append(out, row)
	}
	keys := make([]string, 0, len(st.Loaded))
	for k := range st.Loaded {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !seen[k] && st.Loaded[k] > 0 {
			out = append(out, sourceRow{Feed: store.Feed{Source: k, Status: "ok"}, Loaded: st.Loaded[k], Imported: "unknown", Checked: "unknown"})
		}
	}
	slices.SortStableFunc(out, func(a, b sourceRow) int {
		if d := sourceRank(a.Source) - sourceRank(b.Source); d != 0 {
			return d
		}
		return strings.Compare(a.Source, b.Source)
	})
	return out
}

func (s *Server) vulnDBView(r *http.Request) (*vulnDBView, error) {
	st, err := s.vulnStatus(r.Context())
	if err != nil {
		return nil, err
	}
	v := &vulnDBView{Sources: sourceRows(st, time.Now()), MaxSize: s.cfg.MaxUploadSize, Ecosystems: monitor.DefaultEcosystems, Form: newForm(nil)}
	if v.Gaps, err = s.coverageGaps(r.Context(), st.Loaded); err != nil {
		return nil, err
	}
	v.Title, v.Nav = "Vulnerability data", "vulns"
	v.Crumbs = []crumb{{"Vulnerabilities", "/findings"}}
	return v, nil
}

func (s *Server) uiVulnDB(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vulnDBView(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "vulndb", v)
}

func (s *Server) uiRematch(w http.ResponseWriter, r *http.Request) error {
	ch, err := s.rematch(r.Context())
	if err != nil {
		return err
	}
	v, err := s.vulnDBView(r)
	if err != nil {
		return err
	}
	v.Changes = ch
	v.Title = "Portfolio re-matched"
	v.Crumbs = append(v.Crumbs, crumb{"Vulnerability data", "/vulndb"})
	return s.render(w, r, http.StatusOK, "vulndb_result", v)
}

func (s *Server) uiImportVulnData(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vulnDBView(r)
	if err != nil {
		return err
	}
	v.Crumbs = append(v.Crumbs, crumb{"Vulnerability data", "/vulndb"})
	rep, err := s.importVulnUpload(r, v)
	if err != nil {
		if code := cradle.ErrorCode(err); code == cradle.EInternal {
			return err
		}
		v.Form.fail(err)
		v.Title = "Vulnerability data not imported"
		return s.render(w, r, statusOf(cradle.ErrorCode(err)), "vulndb", v)
	}
	v.Report = rep
	// Show the table as it is now.
	if st, err := s.vulnStatus(r.Context()); err == nil {
		v.Sources = sourceRows(st, time.Now())
		v.Gaps, _ = s.coverageGaps(r.Context(), st.Loaded)
	}
	v.Title = "Vulnerability data imported"
	status := http.StatusOK
	if rep.Status == "failed" {
		v.Title = "Vulnerability data not imported"
		status = http.StatusBadRequest
	}
	return s.render(w, r, status, "vulndb_result", v)
}

// importVulnUpload stores the uploaded file in a temporary folder under a
// name that says what it is, and imports it as `cradle vulndb import`
// would: an OSV all.zip is saved as <ecosystem>/all.zip so that its source
// is named osv:<ecosystem>; other files keep their name (and so their
// extension, which tells EPSS CSV from JSON).
func (s *Server) importVulnUpload(r *http.Request, v *vulnDBView) (*monitor.SourceReport, error) {
	if r.ContentLength > s.cfg.MaxUploadSize+1<<20 {
		return nil, cradle.Errorf(cradle.ETooLarge, "the upload is %s, larger than the limit of %s", byteSize(r.ContentLength), byteSize(s.cfg.MaxUploadSize))
	}
	if err := s.parseForm(r); err != nil {
		return nil, err
	}
	eco := strings.TrimSpace(r.FormValue("ecosystem"))
	v.Form.Values["ecosystem"] = eco
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, cradle.Invalid("no file was uploaded: choose a file to import", cradle.Problem{Location: "file", Message: "is required"})
	}
	defer file.Close()
	name := safeFilename(filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")))
	v.Filename = name
	if hdr.Size > s.cfg.MaxUploadSize {
		return nil, cradle.Errorf(cradle.ETooLarge, "%s is %s, larger than the limit of %s", name, byteSize(hdr.Size), byteSize(s.cfg.MaxUploadSize))
	}
	if name == "" || name == "." || name == ".." || strings.Trim(name, "_") == "" {
		name = "upload.json"
	}
	lower := strings.ToLower(name)
	isZip := strings.HasSuffix(lower, ".zip")
	if eco != "" {
		if !isZip {
			return nil, cradle.Invalid("an ecosystem is only needed for an OSV all.zip", cradle.Problem{Location: "ecosystem", Message: "leave empty for " + name})
		}
		if !validEcosystemDir(eco) {
			return nil, cradle.Invalid("invalid ecosystem", cradle.Problem{Location: "ecosystem", Message: "must be an OSV ecosystem name like Go, PyPI or Debian:12; found " + strconv.Quote(eco)})
		}
	} else if lower == "all.zip" {
		return nil, cradle.Invalid("say which ecosystem this all.zip is for", cradle.Problem{Location: "ecosystem", Message: "is required for an OSV all.zip (the name of the folder it was downloaded from, e.g. Go)"})
	}
	dir, err := os.MkdirTemp("", "cradle-vulndb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if eco != "" {
		if err := os.Mkdir(filepath.Join(dir, eco), 0o700); err != nil {
			return nil, err
		}
		path = filepath.Join(dir, eco, "all.zip")
	}
	if err := writeFileLimited(path, file, s.cfg.MaxUploadSize); err != nil {
		return nil, err
	}
	var rep *monitor.SourceReport
	err = s.heavy(r.Context(), func() error {
		rep = monitor.New(s.db, s.log).ImportPath(r.Context(), path)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Path = "" // a temporary file, gone now
	if rep.Status == "failed" {
		// The temporary folder means nothing to the person uploading, in
		// the report or in the source's recorded state.
		clean := func(s string) string {
			s = strings.ReplaceAll(s, path, name)
			return strings.ReplaceAll(s, dir+string(filepath.Separator), "")
		}
		rep.Error = clean(rep.Error)
		if f, err := s.db.Feed(r.Context(), rep.Source); err == nil && f.Error != "" {
			f.Error = clean(f.Error)
			if err := s.db.SaveFeed(r.Context(), &f); err != nil {
				s.log.Error("record feed state", "source", rep.Source, "err", err)
			}
		}
	}
	return rep, nil
}

// validEcosystemDir accepts an OSV ecosystem name as one folder name.
func validEcosystemDir(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 64 || strings.ContainsAny(s, `/\`) {
		return false
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func writeFileLimited(path string, src io.Reader, limit int64) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(src, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n > limit {
		return cradle.Errorf(cradle.ETooLarge, "the upload is larger than the limit of %s", byteSize(limit))
	}
	if n == 0 {
		return cradle.Invalid("the uploaded file is empty", cradle.Problem{Location: "file", Message: "has no content"})
	}
	return nil
}

// coverageGap is an ecosystem of the portfolio's components for which no
// OSV archive is loaded: its components are not checked at all, which a
// page showing no findings must not hide.
type coverageGap struct {
	Ecosystem  string
	Components int // in current SBOMs, counted per release
}

// coverageGaps compares the ecosystems of the components in current SBOMs
// with the loaded OSV archives (sources osv:<Ecosystem>; an archive of
// "Debian" covers "Debian:12"). Advisories imported as single files
// (file:...) are not counted as coverage.
func (s *Server) coverageGaps(ctx context.Context, loaded map[string]int64) ([]coverageGap, error) {
	inputs, err := s.db.MatchInputs(ctx, store.MatchScope{})
	if err != nil {
		return nil, err
	}
	covered := map[string]bool{}
	for src, n := range loaded {
		if eco, ok := strings.CutPrefix(src, "osv:"); ok && n > 0 {
			covered[eco] = true
		}
	}
	counts := map[string]int{}
	for _, in := range inputs {
		base, _, _ := strings.Cut(in.Key.Ecosystem, ":")
		if !covered[base] && !covered[in.Key.Ecosystem] {
			counts[base]++
		}
	}
	out := make([]coverageGap, 0, len(counts))
	for eco, n := range counts {
		out = append(out, coverageGap{eco, n})
	}
	slices.SortFunc(out, func(a, b coverageGap) int {
		if a.Components != b.Components {
			return b.Components - a.Components
		}
		return strings.Compare(a.Ecosystem, b.Ecosystem)
	})
	return out, nil
}

// splitError separates an error's first line (what failed) from the rest
// (the located problems), which the pages show preformatted.
func splitError(e string) (first, more string) {
	first, more, _ = strings.Cut(strings.TrimSpace(e), "\n")
	return first, strings.TrimSpace(more)
}

// ageAt says how long before now t was, as `cradle vulndb status` does.
func ageAt(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h ago"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days ago"
}

// staleAfter is when a source's data is old enough to say so: OSV, KEV
// and EPSS all publish daily.
const staleAfter = 7 * 24 * time.Hour
