package cli

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/store"
)

// Vulnerability handling from the command line: cases, decisions, CRA
// Art. 14 reports, reviews, intake, security updates, subscribers, policy.

func runCase(e *env, args []string) error {
	return subcommand(e, "case", args, map[string]func(*env, []string) error{
		"open": caseOpen, "list": caseList, "show": caseShow, "update": caseUpdate, "status": caseStatus,
		"decide": caseDecide, "art14": caseArt14, "submit": caseSubmit, "review": caseReview,
	})
}

// timeFlag parses times as RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM"
// (UTC unless the value has an offset), or "now".
type timeFlag struct {
	t   time.Time
	set bool
}

func (f *timeFlag) String() string {
	if !f.set {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(v string) error {
	t, err := parseTime(v)
	if err != nil {
		return err
	}
	f.t, f.set = t, true
	return nil
}

func parseTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "now" {
		return time.Now().UTC(), nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02 15:04:05", cradle.DateLayout} {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-11-27T09:30:00+01:00), \"2026-11-27 08:30\" (UTC) or now", v)
}

func caseOpen(e *env, args []string) error {
	fs := e.flags("case open", "case open --title TITLE [flags]",
		`Open a vulnerability case (or, with --type incident, a severe incident). Scores the
CVSS vectors, sets the due date from the remediation policy and, with --suggest, adds
the releases the portfolio says are affected (from findings of --vuln, or every release
of --product for own code) as under investigation.`)
	var in psirt.NewCase
	fs.StringVar(&in.Type, "type", cradle.CaseVulnerability, "vulnerability or incident")
	fs.StringVar(&in.Title, "title", "", "short title")
	fs.StringVar(&in.Description, "description", "", "what is known")
	fs.StringVar(&in.Source, "source", cradle.SourceInternal, "internal, intake, monitoring or vex")
	fs.StringVar(&in.Component, "component", "", "affected component: purl or name (empty for own code)")
	fs.StringVar(&in.VulnID, "vuln", "", "vulnerability ID: CVE, GHSA, OSV ...")
	fs.StringVar(&in.CVSS3, "cvss3", "", "CVSS v3.1 vector")
	fs.StringVar(&in.CVSS4, "cvss4", "", "CVSS v4.0 vector")
	fs.StringVar(&in.CWE, "cwe", "", "weakness, e.g. CWE-79")
	fs.StringVar(&in.Owner, "owner", "", "who handles it")
	fs.StringVar(&in.Product, "product", "", "product of own code (for --suggest)")
	fs.StringVar(&in.IntakeID, "intake", "", "tracking ID of the report that opened it")
	fs.BoolVar(&in.Suggest, "suggest", false, "add the affected releases from the portfolio")
	fs.BoolVar(&in.Exploited, "exploited", false, "actively exploited (CRA Art. 14 applies)")
	fs.BoolVar(&in.Malicious, "malicious", false, "incident: suspected unlawful or malicious cause")
	var aware timeFlag
	fs.Var(&aware, "aware", "when the manufacturer became aware (default now)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	in.AwareAt = aware.t
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := psirt.New(db, nil).Open(e.ctx, cliActor(), in)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(c)
	}
	fmt.Fprintf(e.stdout, "Opened %s: %s (%s, due %s), %d release(s).\n", c.Ref, c.Title, c.Rating, c.DueAt.Format("2006-01-02"), len(c.Releases))
	return nil
}

func caseList(e *env, args []string) error {
	fs := e.flags("case list", "case list [--state open|closed] [--due overdue|due-soon] [--exploited] [--product P]", "List cases, the most urgent first.")
	var f store.CaseFilter
	fs.StringVar(&f.State, "state", "", "open or closed")
	fs.StringVar(&f.Due, "due", "", "overdue or due-soon")
	fs.BoolVar(&f.Exploited, "exploited", false, "only actively exploited vulnerabilities and incidents")
	fs.StringVar(&f.Product, "product", "", "only cases affecting this product")
	fs.StringVar(&f.Query, "q", "", "title, component or vulnerability contains")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	policy, err := db.RemediationPolicy(e.ctx)
	if err != nil {
		return err
	}
	items, total, err := db.ListCases(e.ctx, f, policy, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "No cases.")
		return nil
	}
	now := time.Now()
	var rows [][]string
	for _, c := range items {
		due := ""
		if !c.DueAt.IsZero() {
			due = c.DueAt.Format("2006-01-02")
			if c.State == cradle.CaseOpen && c.DueAt.Before(now) {
				due += " OVERDUE"
			}
		}
		flag := ""
		if c.Reportable() {
			flag = "Art.14"
		}
		rows = append(rows, []string{c.Ref, c.State, c.Rating, due, flag, c.Title, dateOr(c.VulnID, "-"), strconv.Itoa(len(c.Releases))})
	}
	e.table([]string{"CASE", "STATE", "SEVERITY", "DUE", "", "TITLE", "VULNERABILITY", "RELEASES"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func caseShow(e *env, args []string) error {
	fs := e.flags("case show", "case show CASE-N", "Show a case: triage, release statuses and CRA Art. 14 deadlines.")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("case show needs one case, e.g. CASE-12")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Case(e.ctx, pos[0])
	if err != nil {
		return err
	}
	ps := psirt.New(db, nil)
	ds, subs, err := ps.Deadlines(e.ctx, c)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"case": c, "deadlines": nonNil(ds), "submissions": subs})
	}
	kv := [][2]string{{"Case", c.Ref + " (" + c.Type + ", " + c.State + ")"}, {"Title", c.Title}, {"Source", c.Source},
		{"Validity", c.Validity}, {"Severity", c.Rating}}
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, [2]string{k, v})
		}
	}
	add("Vulnerability", c.VulnID)
	add("Component", c.Component)
	if c.CVSS3 != "" {
		add("CVSS v3.1", fmt.Sprintf("%.1f %s", c.CVSS3Base, c.CVSS3))
	}
	if c.CVSS4 != "" {
		add("CVSS v4.0", fmt.Sprintf("%.1f %s", c.CVSS4Base, c.CVSS4))
	}
	add("CWE", c.CWE)
	add("Root cause", c.RootCause)
	if c.Decision != "" {
		add("Decision", fmt.Sprintf("%s by %s at %s", c.Decision, c.DecidedBy, c.DecidedAt.Format(time.RFC3339)))
		add("Rationale", c.DecisionRationale)
	}
	add("Aware", c.AwareAt.Format(time.RFC3339))
	if !c.DueAt.IsZero() {
		add("Due", c.DueAt.Format(time.RFC3339))
	}
	if !c.FixAvailableAt.IsZero() {
		add("Fix available", c.FixAvailableAt.Format(time.RFC3339))
	}
	if c.Exploited {
		add("Actively exploited", "yes, marked "+c.ExploitedAt.Format(time.RFC3339))
	}
	if !c.UpstreamNotifiedAt.IsZero() {
		add("Upstream informed", fmt.Sprintf("%s via %s %s", c.UpstreamNotifiedAt.Format(time.RFC3339), c.UpstreamChannel, c.UpstreamRef))
	}
	e.fields(kv)
	if len(c.Releases) > 0 {
		fmt.Fprintln(e.stdout)
		var rows [][]string
		for _, r := range c.Releases {
			rows = append(rows, []string{r.Product, r.Version, string(r.Lifecycle), r.Status, dateOr(r.Justification+r.Impact, "-"), dateOr(r.Action, "-")})
		}
		e.table([]string{"PRODUCT", "RELEASE", "LIFECYCLE", "STATUS", "JUSTIFICATION / IMPACT", "ACTION"}, rows)
	}
	if len(ds) > 0 {
		fmt.Fprintln(e.stdout, "\nCRA Art. 14 reporting:")
		var rows [][]string
		for _, d := range ds {
			due := "-"
			if !d.Due.IsZero() {
				due = d.Due.Format("2006-01-02 15:04 MST")
			}
			state := d.State
			if d.State == cradle.DeadlineOpen || d.State == cradle.DeadlineDueSoon {
				state += " (" + d.Left.Round(time.Minute).String() + " left)"
			}
			rows = append(rows, []string{cradle.StageLabel(d.Stage), due, state, d.Basis})
		}
		e.table([]string{"STAGE", "DUE", "STATE", "BASIS"}, rows)
	}
	return nil
}

func caseUpdate(e *env, args []string) error {
	fs := e.flags("case update", "case update CASE-N [flags]", "Change a case's triage: only the flags given change.")
	str := map[string]*string{}
	for _, f := range []struct{ name, help string }{
		{"title", "title"}, {"description", "description"}, {"component", "component purl or name"}, {"vuln", "vulnerability ID"},
		{"validity", "pending, valid, invalid or duplicate"}, {"cvss3", "CVSS v3.1 vector (\"\" clears)"}, {"cvss4", "CVSS v4.0 vector"},
		{"cwe", "CWE-N"}, {"root-cause", "root cause"}, {"decision", "fix, mitigate, defer or accept"},
		{"rationale", "residual-risk justification (defer, accept)"}, {"state", "open or closed"}, {"owner", "owner"},
		{"malicious-actor", "who exploited it, if known"}, {"upstream-channel", "how the component's maintainer was informed"},
		{"upstream-ref", "maintainer's reference (issue, advisory)"}, {"upstream-note", "what was shared, fix offered"},
	} {
		str[f.name] = fs.String(f.name, "", f.help)
	}
	exploited := fs.String("exploited", "", "true or false: actively exploited")
	var aware, fix, upstream, exploitedAt timeFlag
	fs.Var(&aware, "aware", "awareness time")
	fs.Var(&exploitedAt, "exploited-at", "when it became known that the vulnerability is actively exploited (the Art. 14 clocks start there)")
	fs.Var(&fix, "fix-available", "when a fix or mitigation became available")
	fs.Var(&upstream, "upstream-notified", "when the component's maintainer was informed (Art. 13(6))")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("case update needs one case, e.g. CASE-12")
	}
	set := setFlags(fs)
	var p psirt.CasePatch
	pick := func(name string) *string {
		if set[name] {
			return str[name]
		}
		return nil
	}
	p.Title, p.Description, p.Component, p.VulnID = pick("title"), pick("description"), pick("component"), pick("vuln")
	p.Validity, p.CVSS3, p.CVSS4, p.CWE, p.RootCause = pick("validity"), pick("cvss3"), pick("cvss4"), pick("cwe"), pick("root-cause")
	p.Decision, p.DecisionRationale, p.State, p.Owner = pick("decision"), pick("rationale"), pick("state"), pick("owner")
	p.MaliciousActor, p.UpstreamChannel, p.UpstreamRef, p.UpstreamNote = pick("malicious-actor"), pick("upstream-channel"), pick("upstream-ref"), pick("upstream-note")
	if set["exploited"] {
		b, err := strconv.ParseBool(*exploited)
		if err != nil {
			return usagef("--exploited must be true or false")
		}
		p.Exploited = &b
	}
	if aware.set {
		p.AwareAt = &aware.t
	}
	if exploitedAt.set {
		p.ExploitedAt = &exploitedAt.t
	}
	if fix.set {
		p.FixAvailableAt = &fix.t
	}
	if upstream.set {
		p.UpstreamNotifiedAt = &upstream.t
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := psirt.New(db, nil).Update(e.ctx, cliActor(), pos[0], p)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(c)
	}
	fmt.Fprintf(e.stdout, "Updated %s (%s, due %s).\n", c.Ref, c.Rating, c.DueAt.Format("2006-01-02"))
	return nil
}

func statementFlags(fs *flag.FlagSet) *cradle.CaseRelease {
	st := &cradle.CaseRelease{}
	fs.StringVar(&st.Status, "status", "", "under_investigation, affected, not_affected or fixed")
	fs.StringVar(&st.Justification, "justification", "", "not_affected: "+strings.Join(cradle.Justifications, ", "))
	fs.StringVar(&st.Impact, "impact", "", "not_affected: why the product is not affected")
	fs.StringVar(&st.Action, "action", "", "affected: what users should do")
	return st
}

func caseStatus(e *env, args []string) error {
	fs := e.flags("case status", "case status CASE-N --product P --release V --status S [--justification J | --impact TEXT] [--action TEXT]",
		"Set the VEX status of one release for a case.")
	st := statementFlags(fs)
	fs.StringVar(&st.Product, "product", "", "product")
	fs.StringVar(&st.Version, "release", "", "release version")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || st.Product == "" || st.Version == "" {
		return usagef("case status needs a case, --product and --release")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Case(e.ctx, pos[0])
	if err != nil {
		return err
	}
	rs := append([]cradle.CaseRelease{}, c.Releases...)
	found := false
	for i := range rs {
		if rs[i].Product == st.Product && rs[i].Version == st.Version {
			rs[i].Status, rs[i].Justification, rs[i].Impact, rs[i].Action = st.Status, st.Justification, st.Impact, st.Action
			found = true
		}
	}
	if !found {
		rs = append(rs, *st)
	}
	c, err = psirt.New(db, nil).Update(e.ctx, cliActor(), c.Ref, psirt.CasePatch{Releases: &rs})
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(c)
	}
	fmt.Fprintf(e.stdout, "%s: %s %s is %s.\n", c.Ref, st.Product, st.Version, st.Status)
	return nil
}

func caseDecide(e *env, args []string) error {
	fs := e.flags("case decide", "case decide CASE-N --status S [--justification J] [--impact TEXT] [--action TEXT] [--component NAME]",
		`Record a VEX decision for the case's component version in every release that ships it,
now and in SBOMs imported later (per product).`)
	st := statementFlags(fs)
	comp := fs.String("component", "", "component (default: the case's)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("case decide needs one case")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ds, err := db.ApplyDecision(e.ctx, cliActor(), pos[0], *st, *comp)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"decisions": ds})
	}
	var rows [][]string
	for _, d := range ds {
		rows = append(rows, []string{d.Product, d.Package, d.Version, d.VulnID, d.Status})
	}
	e.table([]string{"PRODUCT", "COMPONENT", "VERSION", "VULNERABILITY", "STATUS"}, rows)
	return nil
}

func caseArt14(e *env, args []string) error {
	fs := e.flags("case art14", "case art14 CASE-N --stage early_warning|notification|intermediate|final",
		`Draft a CRA Art. 14 report with the content the Regulation requires, each field within
the single reporting platform's limits. File it on ENISA's platform, then record it with
"cradle case submit".`)
	stage := fs.String("stage", cradle.StageEarlyWarning, "report stage")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("case art14 needs one case")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	fields, err := psirt.New(db, nil).Draft(e.ctx, pos[0], *stage)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"stage": *stage, "fields": fields})
	}
	for _, f := range fields {
		note := ""
		if f.Missing {
			note = "  [missing: fill in]"
		} else if f.Truncated {
			note = "  [shortened to the limit]"
		}
		fmt.Fprintf(e.stdout, "%s (%d/%d characters)%s\n%s\n\n", f.Label, len([]rune(f.Value)), f.Limit, note, f.Value)
	}
	return nil
}

func caseSubmit(e *env, args []string) error {
	fs := e.flags("case submit", "case submit CASE-N --stage S --reference REF [--at TIME]", "Record that an Art. 14 report was filed on ENISA's single reporting platform.")
	stage := fs.String("stage", "", "early_warning, notification, intermediate or final")
	ref := fs.String("reference", "", "the platform's reference")
	var at timeFlag
	fs.Var(&at, "at", "when it was submitted (default now)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("case submit needs one case")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	s := &cradle.Art14Submission{Stage: *stage, Reference: *ref, SubmittedAt: at.t}
	if err := db.RecordSubmission(e.ctx, cliActor(), pos[0], s); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(s)
	}
	fmt.Fprintf(e.stdout, "Recorded the %s of %s, submitted %s.\n", cradle.StageLabel(s.Stage), pos[0], s.SubmittedAt.Format(time.RFC3339))
	return nil
}

func caseReview(e *env, args []string) error {
	fs := e.flags("case review", "case review --notes TEXT", "Record a periodic review of the open cases (IEC 62443-4-1 DM-4, DM-6).")
	notes := fs.String("notes", "", "what was reviewed and decided")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.RecordReview(e.ctx, cliActor(), *notes)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "Recorded review %d: %d open case(s), %d overdue.\n", r.ID, r.OpenCases, r.Overdue)
	return nil
}

func runIntake(e *env, args []string) error {
	return subcommand(e, "intake", args, map[string]func(*env, []string) error{"list": intakeList, "show": intakeShow})
}

func intakeList(e *env, args []string) error {
	fs := e.flags("intake list", "intake list [--status received|accepted|rejected|duplicate]", "List vulnerability reports from the public form, newest first.")
	status := fs.String("status", "", "only this status")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListIntake(e.ctx, *status, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "No reports.")
		return nil
	}
	var rows [][]string
	for _, r := range items {
		rows = append(rows, []string{r.TrackingID, r.CreatedAt.Format("2006-01-02 15:04"), r.Status, r.Product + " " + r.Version, r.Title, dateOr(r.CaseRef, "-")})
	}
	e.table([]string{"ID", "RECEIVED", "STATUS", "PRODUCT", "TITLE", "CASE"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func intakeShow(e *env, args []string) error {
	fs := e.flags("intake show", "intake show VR-XXXX-XXXX", "Show a report.")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("intake show needs a tracking ID")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Intake(e.ctx, pos[0])
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r)
	}
	e.fields([][2]string{{"Report", r.TrackingID}, {"Received", r.CreatedAt.Format(time.RFC3339)}, {"Status", r.Status},
		{"Product", r.Product + " " + r.Version}, {"Title", r.Title}, {"Contact", dateOr(strings.TrimSpace(r.Name+" "+r.Email), "anonymous")}, {"Case", dateOr(r.CaseRef, "-")}})
	fmt.Fprintf(e.stdout, "\n%s\n", sanitizeText(r.Description))
	for _, a := range r.Attachments {
		fmt.Fprintf(e.stdout, "\nAttachment: %s (%s, %d bytes, sha256 %s)", oneLine(a.Filename), a.ContentType, a.Size, a.SHA256)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// sanitizeText keeps newlines but drops control characters (a report is
// untrusted: it must not move the terminal's cursor).
func sanitizeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func runUpdate(e *env, args []string) error {
	return subcommand(e, "update", args, map[string]func(*env, []string) error{"create": updateCreate, "list": updateList, "time-to-fix": updateTimeToFix})
}

func updateCreate(e *env, args []string) error {
	fs := e.flags("update create", "update create --product P --release V --case CASE-N... [flags]",
		`Mark a release as a security update fixing cases. Its availability time starts the
CRA Art. 14 final-report clock of each case; subscribed customers are e-mailed.`)
	product := fs.String("product", "", "product")
	release := fs.String("release", "", "the release that is the update")
	var u cradle.SecurityUpdate
	var avail timeFlag
	fs.Var(&avail, "available", "when it became available (default now)")
	fs.StringVar(&u.Summary, "summary", "", "what it fixes, for users")
	fs.StringVar(&u.Install, "install", "", "installation instructions")
	fs.StringVar(&u.Verify, "verify", "", "how users verify it")
	fs.StringVar(&u.Impact, "impact", "", "impact of installing (reboot, downtime)")
	fs.StringVar(&u.Qualification, "qualification", "", "tests that qualified it (SUM-1)")
	fs.StringVar(&u.ArtifactName, "artifact", "", "artefact file name")
	fs.StringVar(&u.ArtifactHash, "sha256", "", "artefact SHA-256")
	fs.StringVar(&u.SignatureURL, "signature-url", "", "https URL of the artefact's signature")
	var cases multiFlag
	fs.Var(&cases, "case", "case the update fixes (repeatable)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	u.AvailableAt, u.Cases = avail.t, cases
	if !avail.set {
		u.AvailableAt = time.Now().UTC()
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateSecurityUpdate(e.ctx, cliActor(), *product, *release, &u, psirt.New(db, nil).ComposeUpdate); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(u)
	}
	fmt.Fprintf(e.stdout, "%s %s is a security update fixing %s, available %s (listed until %s).\n", u.Product, u.Version,
		strings.Join(u.Cases, ", "), u.AvailableAt.Format(time.RFC3339), u.AvailableUntil.Format("2006-01-02"))
	return nil
}

func updateList(e *env, args []string) error {
	fs := e.flags("update list", "update list [--product P]", "List security updates, newest first.")
	product := fs.String("product", "", "only this product")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.SecurityUpdates(e.ctx, *product)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(nonNil(us))
	}
	var rows [][]string
	for _, u := range us {
		rows = append(rows, []string{u.Product, u.Version, u.AvailableAt.Format("2006-01-02"), strings.Join(u.Cases, ","), u.AvailableUntil.Format("2006-01-02")})
	}
	e.table([]string{"PRODUCT", "RELEASE", "AVAILABLE", "FIXES", "LISTED UNTIL"}, rows)
	return nil
}

func updateTimeToFix(e *env, args []string) error {
	fs := e.flags("update time-to-fix", "update time-to-fix", "Time from awareness to an available fix, per severity, against the remediation policy (SUM-5).")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.RemediationPolicy(e.ctx)
	if err != nil {
		return err
	}
	rows, err := db.TimeToFixReport(e.ctx, p)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(rows)
	}
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.Rating, strconv.Itoa(r.PolicyDays), strconv.Itoa(r.Fixed), strconv.Itoa(r.WithinDays),
			strconv.FormatFloat(r.MedianDays, 'f', 1, 64), strconv.FormatFloat(r.MaxDays, 'f', 1, 64), strconv.Itoa(r.OpenLate)})
	}
	e.table([]string{"SEVERITY", "POLICY DAYS", "FIXED", "WITHIN POLICY", "MEDIAN DAYS", "MAX DAYS", "OPEN OVERDUE"}, out)
	return nil
}

func runPolicy(e *env, args []string) error {
	fs := e.flags("policy", "policy [--critical N --high N --medium N --low N --unknown N --due-soon N --review-every N]",
		"Show or change the remediation policy: days to fix per severity (IEC 62443-4-1 DM-4, SUM-5).")
	vals := map[string]*int{}
	for _, f := range []struct{ name, help string }{{"critical", "days for critical"}, {"high", "days for high"}, {"medium", "days for medium"},
		{"low", "days for low"}, {"unknown", "days while unscored"}, {"due-soon", "days before the due date a case counts as due soon"},
		{"review-every", "days between reviews of open cases"}} {
		vals[f.name] = fs.Int(f.name, 0, f.help)
	}
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.RemediationPolicy(e.ctx)
	if err != nil {
		return err
	}
	set := setFlags(fs)
	changed := false
	for name, dst := range map[string]*int{"critical": &p.Critical, "high": &p.High, "medium": &p.Medium, "low": &p.Low,
		"unknown": &p.Unknown, "due-soon": &p.DueSoonDays, "review-every": &p.ReviewEveryDays} {
		if set[name] {
			*dst, changed = *vals[name], true
		}
	}
	if changed {
		if err := p.Validate(); err != nil {
			return err
		}
		if err := db.PutSetting(e.ctx, cliActor(), "remediation_policy", p, nil); err != nil {
			return err
		}
	}
	if e.json {
		return e.printJSON(p)
	}
	e.fields([][2]string{{"Critical", strconv.Itoa(p.Critical) + " days"}, {"High", strconv.Itoa(p.High) + " days"},
		{"Medium", strconv.Itoa(p.Medium) + " days"}, {"Low", strconv.Itoa(p.Low) + " days"}, {"Unscored", strconv.Itoa(p.Unknown) + " days"},
		{"Due soon", strconv.Itoa(p.DueSoonDays) + " days before"}, {"Review open cases every", strconv.Itoa(p.ReviewEveryDays) + " days"}})
	return nil
}

func runSubscriber(e *env, args []string) error {
	return subcommand(e, "subscriber", args, map[string]func(*env, []string) error{"add": subscriberAdd, "list": subscriberList, "remove": subscriberRemove})
}

func subscriberAdd(e *env, args []string) error {
	fs := e.flags("subscriber add", "subscriber add --email ADDR [--product P]", "Subscribe a customer to advisories and security updates (all products by default).")
	var s cradle.Subscriber
	fs.StringVar(&s.Email, "email", "", "e-mail address")
	fs.StringVar(&s.Name, "name", "", "name")
	fs.StringVar(&s.Product, "product", "", "only this product")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.AddSubscriber(e.ctx, cliActor(), &s); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(s)
	}
	fmt.Fprintf(e.stdout, "Subscribed %s (%s).\n", s.Email, dateOr(s.Product, "all products"))
	return nil
}

func subscriberList(e *env, args []string) error {
	fs := e.flags("subscriber list", "subscriber list", "List subscriptions.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	subs, err := db.Subscribers(e.ctx)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(nonNil(subs))
	}
	var rows [][]string
	for _, s := range subs {
		rows = append(rows, []string{strconv.FormatInt(s.ID, 10), s.Email, dateOr(s.Product, "all products")})
	}
	e.table([]string{"ID", "E-MAIL", "PRODUCT"}, rows)
	return nil
}

func subscriberRemove(e *env, args []string) error {
	fs := e.flags("subscriber remove", "subscriber remove ID", "Remove a subscription.")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("subscriber remove needs an ID (see subscriber list)")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return usagef("%q is not a subscription ID", pos[0])
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	return db.RemoveSubscriber(e.ctx, cliActor(), id)
}
