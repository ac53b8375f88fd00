package cli

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/feeds"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/store"
)

func runVulnDB(e *env, args []string) error {
	return subcommand(e, "vulndb", args, map[string]func(*env, []string) error{
		"import": vulndbImport, "sync": vulndbSync, "status": vulndbStatus, "rematch": vulndbRematch,
	})
}

func vulndbImport(e *env, args []string) error {
	fs := e.flags("vulndb import", "vulndb import PATH...",
		`Import vulnerability data from files, for air-gapped use: OSV JSON records, folders of
them, per-ecosystem all.zip archives (as the OSV project publishes them), the CISA KEV
catalog (JSON) and FIRST EPSS scores (CSV, optionally gzip-compressed). Each path is
one transaction; findings of the affected packages are re-evaluated across the portfolio.
Exit code 1 when any path failed (the others are imported).`)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("vulndb import needs at least one PATH")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	m := monitor.New(db, nil)
	var reps []*monitor.SourceReport
	failed := false
	for _, p := range rest {
		rep := m.ImportPath(e.ctx, p)
		reps = append(reps, rep)
		failed = failed || rep.Status == "failed"
		if !e.json {
			fmt.Fprintln(e.stdout, p+": "+rep.String())
			for i, s := range rep.Skips {
				if i == 5 {
					fmt.Fprintf(e.stdout, "  ... %d more skipped records (see --json)\n", rep.Skipped-5)
					break
				}
				fmt.Fprintln(e.stdout, "  skipped", s)
			}
		}
	}
	if e.json {
		if err := e.printJSON(reps); err != nil {
			return err
		}
	}
	if failed {
		return errReported
	}
	return nil
}

func vulndbSync(e *env, args []string) error {
	fs := e.flags("vulndb sync", "vulndb sync [--ecosystem E]... [--osv-base URL] [--kev-url URL] [--epss-url URL]",
		`Download OSV archives, the CISA KEV catalog and FIRST EPSS scores with conditional
requests, and import only what changed. Exit code 1 when any source failed; the
previous data of a failed source stays in use.`)
	def := feeds.DefaultSources()
	osvBase := fs.String("osv-base", envOr("CRADLE_OSV_BASE", def.OSVBase), "base URL of the OSV archives (<base>/<Ecosystem>/all.zip)")
	kevURL := fs.String("kev-url", envOr("CRADLE_KEV_URL", def.KEV), "URL of the KEV catalog")
	epssURL := fs.String("epss-url", envOr("CRADLE_EPSS_URL", def.EPSS), "URL of the EPSS scores")
	var ecos multiFlag
	fs.Var(&ecos, "ecosystem", "OSV ecosystem to sync (repeatable; default: "+strings.Join(monitor.DefaultEcosystems, ", ")+")")
	noKEV := fs.Bool("no-kev", false, "skip the KEV catalog")
	noEPSS := fs.Bool("no-epss", false, "skip EPSS scores")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	reps := monitor.New(db, nil).Sync(e.ctx, monitor.SyncOptions{
		Sources: feeds.Sources{OSVBase: *osvBase, KEV: *kevURL, EPSS: *epssURL}, Ecosystems: ecos,
		Client: &http.Client{Timeout: 30 * time.Minute}, KEV: !*noKEV, EPSS: !*noEPSS,
	})
	failed := false
	for _, r := range reps {
		failed = failed || r.Status == "failed"
		if !e.json {
			fmt.Fprintln(e.stdout, r.String())
		}
	}
	if e.json {
		if err := e.printJSON(reps); err != nil {
			return err
		}
	}
	if failed {
		return errReported
	}
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func vulndbStatus(e *env, args []string) error {
	fs := e.flags("vulndb status", "vulndb status", "Show per source what is loaded and how fresh it is.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	fds, err := db.Feeds(e.ctx)
	if err != nil {
		return err
	}
	counts, err := db.VulnCounts(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"sources": nonNil(fds), "loaded": counts})
	}
	if len(fds) == 0 {
		fmt.Fprintln(e.stdout, "No vulnerability data loaded. Run `cradle vulndb sync`, or `cradle vulndb import PATH` for files.")
		return nil
	}
	rows := make([][]string, 0, len(fds))
	for _, f := range fds {
		loaded := counts[f.Source]
		status := f.Status
		if f.Error != "" {
			status += ": " + firstLineOf(f.Error)
		}
		rows = append(rows, []string{f.Source, strconv.FormatInt(loaded, 10), age(f.ImportedAt), age(f.CheckedAt), status})
	}
	e.table([]string{"SOURCE", "LOADED", "IMPORTED", "CHECKED", "STATUS"}, rows)
	return nil
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// age renders how long ago t was.
func age(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func vulndbRematch(e *env, args []string) error {
	fs := e.flags("vulndb rematch", "vulndb rematch", "Re-evaluate every finding of the portfolio against the loaded data.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ch, err := monitor.New(db, nil).Rematch(e.ctx, nil)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(ch)
	}
	fmt.Fprintf(e.stdout, "Findings: %d new, %d unchanged, %d resolved.\n", ch.New, ch.Still, ch.Resolved)
	return nil
}

func runFindings(e *env, args []string) error {
	fs := e.flags("findings", "findings [--product P [--release V]] [--severity S] [--kev] [--fix-available] [--since DATE]",
		"List open findings, most urgent first: KEV-listed, then by CVSS score.")
	var f store.FindingFilter
	fs.StringVar(&f.Product, "product", "", "product name")
	fs.StringVar(&f.Release, "release", "", "release version (needs --product)")
	fs.StringVar(&f.MinRating, "severity", "", "at least this severity: critical, high, medium, low")
	fs.BoolVar(&f.KEV, "kev", false, "only vulnerabilities on the CISA KEV list")
	fs.BoolVar(&f.FixAvailable, "fix-available", false, "only findings with a fixed version")
	since := fs.String("since", "", "only findings first seen on or after this date (YYYY-MM-DD)")
	fs.BoolVar(&f.Resolved, "all", false, "include resolved findings")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if f.Release != "" && f.Product == "" {
		return usagef("--release needs --product")
	}
	if *since != "" {
		t, err := time.Parse(cradle.DateLayout, *since)
		if err != nil {
			return usagef("--since must be a date YYYY-MM-DD; found %q", *since)
		}
		f.Since = t
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListFindings(e.ctx, f, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "No open findings match.")
		return nil
	}
	e.findingsTable(items)
	e.footer(len(items), total, *pg)
	return nil
}

func (e *env) findingsTable(items []cradle.Finding) {
	rows := make([][]string, 0, len(items))
	for _, f := range items {
		kev := ""
		if f.KEV {
			kev = "KEV " + f.KEVAdded
		}
		score := ""
		if f.Score > 0 {
			score = strconv.FormatFloat(f.Score, 'f', 1, 64)
		}
		rows = append(rows, []string{strings.ToUpper(f.Rating), score, kev, f.GroupID, f.Component, f.Version, dateOr(f.Fixed, "-"),
			f.Product + " " + f.Release, f.FirstSeen.Format("2006-01-02")})
	}
	e.table([]string{"SEVERITY", "CVSS", "EXPLOITED", "VULNERABILITY", "COMPONENT", "VERSION", "FIXED IN", "RELEASE", "FIRST SEEN"}, rows)
}

func runVuln(e *env, args []string) error {
	return subcommand(e, "vuln", args, map[string]func(*env, []string) error{"show": vulnShow, "impact": vulnImpact})
}

func vulnShow(e *env, args []string) error {
	fs := e.flags("vuln show", "vuln show ID", "Show a vulnerability (by any of its IDs) and where the portfolio ships it.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("vuln show needs one ID (CVE, GHSA, PYSEC, GO-...)")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	group, recs, err := db.VulnerabilityGroup(e.ctx, rest[0])
	if err != nil {
		return err
	}
	findings, total, err := db.ListFindings(e.ctx, store.FindingFilter{Vuln: rest[0]}, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"id": group, "records": recs, "findings": nonNil(findings), "findings_total": total})
	}
	ids := map[string]bool{}
	var all []string
	for _, r := range recs {
		for _, id := range append([]string{r.ID}, r.Aliases...) {
			if !ids[id] {
				ids[id] = true
				all = append(all, id)
			}
		}
	}
	fmt.Fprintf(e.stdout, "%s\n", group)
	fmt.Fprintf(e.stdout, "Also known as: %s\n", strings.Join(all, ", "))
	for _, r := range recs {
		fmt.Fprintf(e.stdout, "\n%s (%s)\n", r.ID, r.Source)
		if r.Summary != "" {
			fmt.Fprintf(e.stdout, "  %s\n", oneLine(r.Summary))
		}
		if !r.Withdrawn.IsZero() {
			fmt.Fprintf(e.stdout, "  WITHDRAWN %s\n", r.Withdrawn.Format("2006-01-02"))
		}
		for _, s := range r.Severity {
			line := s.Type + " " + s.Score
			if sc, err := cvss.Parse(s.Score); err == nil {
				line += fmt.Sprintf(" = %.1f %s", sc.Overall, sc.Rating)
			}
			fmt.Fprintf(e.stdout, "  severity: %s\n", line)
		}
		for _, a := range r.Affected {
			fmt.Fprintf(e.stdout, "  affects %s %s: %s\n", a.Ecosystem, a.Name, describeRanges(a))
		}
	}
	fmt.Fprintln(e.stdout)
	if total == 0 {
		fmt.Fprintln(e.stdout, "No current release ships an affected version.")
		return nil
	}
	fmt.Fprintf(e.stdout, "Shipped in %d place(s):\n", total)
	e.findingsTable(findings)
	return nil
}

func describeRanges(a cradle.Affected) string {
	var parts []string
	for _, r := range a.Ranges {
		var ev []string
		for _, x := range r.Events {
			switch {
			case x.Introduced != "":
				ev = append(ev, ">= "+x.Introduced)
			case x.Fixed != "":
				ev = append(ev, "< "+x.Fixed)
			case x.LastAffected != "":
				ev = append(ev, "<= "+x.LastAffected)
			case x.Limit != "":
				ev = append(ev, "limit "+x.Limit)
			}
		}
		parts = append(parts, r.Type+" ["+strings.Join(ev, ", ")+"]")
	}
	if len(a.Versions) > 0 {
		parts = append(parts, fmt.Sprintf("%d listed versions", len(a.Versions)))
	}
	return strings.Join(parts, "; ")
}

func vulnImpact(e *env, args []string) error {
	fs := e.flags("vuln impact", "vuln impact ID", "List every product, release and component the vulnerability affects.")
	pg := pageFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("vuln impact needs one ID")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, _, err := db.VulnerabilityGroup(e.ctx, rest[0]); err != nil {
		return err
	}
	items, total, err := db.ListFindings(e.ctx, store.FindingFilter{Vuln: rest[0]}, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintf(e.stdout, "%s affects no current release.\n", rest[0])
		return nil
	}
	onMarket := 0
	for _, f := range items {
		if f.Lifecycle.OnMarket() {
			onMarket++
		}
	}
	e.findingsTable(items)
	fmt.Fprintf(e.stdout, "\n%d affected component version(s); %d in released products (CRA obligations apply).\n", total, onMarket)
	return nil
}

func runCVSS(e *env, args []string) error {
	fs := e.flags("cvss", "cvss VECTOR...",
		"Score CVSS v2.0, v3.0, v3.1 and v4.0 vectors exactly as FIRST's calculators do.\nExit code 2 when a vector is invalid (the others are still printed).")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("cvss needs at least one VECTOR")
	}
	type result struct {
		Vector string      `json:"vector"`
		Score  *cvss.Score `json:"score,omitempty"`
		Error  string      `json:"error,omitempty"`
	}
	var out []result
	bad := false
	for _, v := range rest {
		sc, err := cvss.Parse(v)
		r := result{Vector: v, Score: sc}
		if err != nil {
			bad = true
			r.Error = err.Error()
		}
		out = append(out, r)
	}
	if e.json {
		if err := e.printJSON(out); err != nil {
			return err
		}
	} else {
		for _, r := range out {
			if r.Error != "" {
				fmt.Fprintf(e.stdout, "%s\n  INVALID: %s\n", r.Vector, strings.ReplaceAll(r.Error, "\n", "\n  "))
				continue
			}
			s := r.Score
			line := fmt.Sprintf("%s\n  CVSS %s  base %.1f", s.Vector, s.Version, s.Base)
			if s.Temporal != nil {
				line += fmt.Sprintf("  temporal %.1f", *s.Temporal)
			}
			if s.Environmental != nil {
				line += fmt.Sprintf("  environmental %.1f", *s.Environmental)
			}
			if s.Nomenclature != "" {
				line += fmt.Sprintf("  %s %.1f", s.Nomenclature, s.Overall)
			}
			fmt.Fprintf(e.stdout, "%s  → %.1f %s\n", line, s.Overall, s.Rating)
		}
	}
	if bad {
		return &usageError{"invalid CVSS vector(s) above"}
	}
	return nil
}
