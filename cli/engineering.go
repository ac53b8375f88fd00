package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/quality"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// withEngineering opens the database and runs fn with the service.
func (e *env) withEngineering(fn func(s *engineering.Service, db *store.DB) error) error {
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(engineering.New(db), db)
}

// ---- threat models ----

func runThreatModel(e *env, args []string) error {
	return subcommand(e, "threatmodel", args, map[string]func(*env, []string) error{
		"import": tmImport, "show": tmShow, "diff": tmDiff, "review": tmReview, "diagram": tmDiagram, "check": tmCheck,
	})
}

func tmImport(e *env, args []string) error {
	fs := e.flags("threatmodel import", "threatmodel import --product P [--release V] FILE",
		`Check a threat model (YAML, see "cradle threatmodel check --help") and store it as the
next version of the product's model; with --release, as the model of that release.
Importing the model already in force changes nothing. FILE "-" reads standard input.`)
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version (optional)")
	server := e.remoteFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *product == "" || len(rest) != 1 {
		return usagef("threatmodel import needs --product and one FILE")
	}
	raw, name, err := readInput(e, rest[0], engineering.MaxThreatModelSize)
	if err != nil {
		return err
	}
	c, err := server()
	if err != nil {
		return err
	}
	var res engineering.ThreatModelImport
	if c != nil {
		q := url.Values{"filename": {filepath.Base(name)}}
		if *release != "" {
			q.Set("release", *release)
		}
		err = c.call(e, http.MethodPost, "/api/v1/products/"+url.PathEscape(*product)+"/threat-model", q, raw, "application/yaml", &res)
		if err == nil && res.Model == nil {
			err = fmt.Errorf("the server's answer to the threat model upload has no model: is --server the cradle server?")
		}
	} else {
		err = e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
			r, err := s.ImportThreatModel(e.ctx, cliActor(), *product, *release, filepath.Base(name), raw)
			if r != nil {
				res = *r
			}
			return err
		})
	}
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(res)
	}
	m := res.Model
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "Unchanged: this model is already version %d of %s's threat model.\n", m.Version, m.Product)
		return nil
	}
	fmt.Fprintf(e.stdout, "Imported threat model version %d of %s: %d threats, %d open.\n", m.Version, m.Product, m.Threats, m.OpenThreats)
	return nil
}

func tmCheck(e *env, args []string) error {
	fs := e.flags("threatmodel check", "threatmodel check FILE...",
		`Check threat model files without storing them: every defect with its line and
column (unknown keys, wrong types, duplicate IDs, unknown references, boundary
cycles, invalid CVSS vectors). Exit 0 when all are valid, 2 otherwise.

The format (YAML): version: 1; product {name, version, description}; assets
[{id, name, confidentiality, integrity, availability}]; boundaries [{id, name,
parent}]; elements [{id, kind: process|datastore|external_entity, name,
boundary, assets}]; interfaces [{id, element, kind: jtag|uart|usb|..., debug,
disabled_in_production}]; flows [{id, from, to, protocol, data, authenticated,
encrypted, bidirectional}]; threats [{id, title, severity | cvss, mitigation,
status: open|mitigated|accepted|transferred, rationale, requirements, tests}];
reviews [{date, by, notes}]; rules (your own STRIDE rules).`)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("threatmodel check needs at least one FILE")
	}
	bad := 0
	for _, f := range rest {
		raw, name, err := readInput(e, f, engineering.MaxThreatModelSize)
		if err == nil {
			var m *threatmodel.Model
			if m, err = threatmodel.Parse(name, raw); err == nil {
				ts := threatmodel.Threats(m)
				s := threatmodel.Summarize(ts)
				fmt.Fprintf(e.stdout, "%s: valid; %d elements, %d flows, %d threats (%d open)\n", name, len(m.Elements), len(m.Flows), len(ts), len(s.Open("")))
				continue
			}
		}
		bad++
		fmt.Fprintln(e.stderr, err)
	}
	if bad > 0 {
		return &cradle.Error{Code: cradle.EInvalid, Message: fmt.Sprintf("%d of %d threat models are invalid", bad, len(rest))}
	}
	return nil
}

func tmShow(e *env, args []string) error {
	fs := e.flags("threatmodel show", "threatmodel show --product P [--release V | --version N] [--open]",
		"Show the threat model in force for a release (or the product's newest): its threats with severity, status and mitigation, and its reviews. With --release, the tests each threat names and whether they passed in the release's JUnit results.")
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	version := fs.Int("version", 0, "a stored version of the model")
	onlyOpen := fs.Bool("open", false, "only open threats")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" {
		return usagef("threatmodel show needs --product")
	}
	return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
		v, err := s.ThreatModel(e.ctx, *product, *release, *version)
		if err != nil {
			return err
		}
		if v == nil {
			return cradle.Errorf(cradle.ENotFound, "%s has no threat model; import one with cradle threatmodel import", *product)
		}
		if e.json {
			return e.printJSON(v)
		}
		reviewed := "never"
		if v.ReviewedAt != nil {
			reviewed = v.ReviewedAt.Format(cradle.DateLayout)
		}
		flag := ""
		if v.Stale {
			flag = "  (older than 12 months for a product on the market: review it)"
		}
		e.fields([][2]string{
			{"Product", v.Stored.Product}, {"Version", strconv.Itoa(v.Stored.Version)}, {"File", v.Stored.Filename},
			{"Imported", v.Stored.ImportedAt.Format(time.RFC3339) + " by " + v.Stored.ImportedBy},
			{"Elements", fmt.Sprintf("%d elements, %d flows, %d boundaries, %d interfaces", len(v.Model.Elements), len(v.Model.Flows), len(v.Model.Boundaries), len(v.Model.Interfaces))},
			{"Last review", reviewed + flag},
		})
		fmt.Fprintln(e.stdout)
		var rows [][]string
		for _, t := range v.Threats {
			if *onlyOpen && t.Status != threatmodel.StatusOpen {
				continue
			}
			tests := ""
			if len(t.Tests) > 0 {
				passed := 0
				for _, ref := range t.Tests {
					if v.Tests[ref] == "passed" {
						passed++
					}
				}
				tests = fmt.Sprintf("%d", len(t.Tests))
				if v.Tests != nil {
					tests = fmt.Sprintf("%d/%d passed", passed, len(t.Tests))
				}
			}
			rows = append(rows, []string{t.ID, t.Category, t.Severity.Rating, t.Status, clipText(t.Title, 60), clipText(t.Mitigation, 40), tests})
		}
		e.table([]string{"THREAT", "STRIDE", "SEVERITY", "STATUS", "TITLE", "MITIGATION", "TESTS"}, rows)
		if len(v.Untested) > 0 {
			fmt.Fprintf(e.stdout, "\n%d mitigated threat(s) have no passing test in %s: %s (IEC 62443-4-1 SVV-2)\n", len(v.Untested), *release, strings.Join(v.Untested, ", "))
		}
		return nil
	})
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func tmDiff(e *env, args []string) error {
	fs := e.flags("threatmodel diff", "threatmodel diff --product P (--from-release V1 --to-release V2 | --from N --to M)",
		"Show what changed in the threat model between two releases (the models in force for each) or two stored versions.")
	product := fs.String("product", "", "product name")
	fromRel := fs.String("from-release", "", "older release")
	toRel := fs.String("to-release", "", "newer release")
	from := fs.Int("from", 0, "older model version")
	to := fs.Int("to", 0, "newer model version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || ((*fromRel == "") != (*toRel == "")) || ((*from == 0) != (*to == 0)) || ((*fromRel == "") == (*from == 0)) {
		return usagef("threatmodel diff needs --product and either --from-release and --to-release, or --from and --to")
	}
	return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
		a, b := *from, *to
		if *fromRel != "" {
			var err error
			if a, b, err = s.ReleaseModelVersions(e.ctx, *product, *fromRel, *toRel); err != nil {
				return err
			}
		}
		d, err := s.ThreatModelDiff(e.ctx, *product, a, b)
		if err != nil {
			return err
		}
		if e.json {
			return e.printJSON(d)
		}
		if d.Empty() {
			fmt.Fprintf(e.stdout, "No change between threat model versions %d and %d.\n", a, b)
			return nil
		}
		fmt.Fprintf(e.stdout, "Threat model of %s, version %d → %d:\n", *product, a, b)
		_, err = io.WriteString(e.stdout, d.String())
		return err
	})
}

func tmReview(e *env, args []string) error {
	fs := e.flags("threatmodel review", "threatmodel review --product P [--version N] [--changes-requested] [--notes TEXT]",
		"Record a review of the product's threat model (the newest version unless --version): approved, or changes requested (with notes). IEC 62443-4-1 SR-2 asks for a review at least yearly.")
	product := fs.String("product", "", "product name")
	version := fs.Int("version", 0, "model version reviewed (default: the newest)")
	changes := fs.Bool("changes-requested", false, "the review asks for changes (default: approved)")
	notes := fs.String("notes", "", "review notes")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" {
		return usagef("threatmodel review needs --product")
	}
	return e.withEngineering(func(s *engineering.Service, db *store.DB) error {
		r := &cradle.ThreatReview{Product: *product, Version: *version, Outcome: cradle.ReviewApproved, Notes: *notes}
		if *changes {
			r.Outcome = cradle.ReviewChangesRequested
		}
		if r.Version == 0 {
			m, err := db.ThreatModelFor(e.ctx, *product, "")
			if err != nil {
				return err
			}
			if m == nil {
				return cradle.Errorf(cradle.ENotFound, "%s has no threat model to review", *product)
			}
			r.Version = m.Version
		}
		if err := db.AddThreatReview(e.ctx, cliActor(), r); err != nil {
			return err
		}
		if e.json {
			return e.printJSON(r)
		}
		fmt.Fprintf(e.stdout, "Recorded review of %s threat model version %d: %s.\n", r.Product, r.Version, strings.ReplaceAll(r.Outcome, "_", " "))
		return nil
	})
}

func tmDiagram(e *env, args []string) error {
	fs := e.flags("threatmodel diagram", "threatmodel diagram --product P [--release V | --version N] [-o FILE.svg]",
		"Write the data-flow diagram of the threat model as SVG.")
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	version := fs.Int("version", 0, "a stored version of the model")
	out := fs.String("o", "-", "output file, - for standard output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" {
		return usagef("threatmodel diagram needs --product")
	}
	return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
		v, err := s.ThreatModel(e.ctx, *product, *release, *version)
		if err != nil {
			return err
		}
		if v == nil {
			return cradle.Errorf(cradle.ENotFound, "%s has no threat model", *product)
		}
		return e.writeOut(*out, threatmodel.Diagram(v.Model))
	})
}

// writeOut writes data to a file or standard output.
func (e *env) writeOut(path string, data []byte) error {
	if path == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// ---- scan and test results ----

func runResults(e *env, args []string) error {
	return subcommand(e, "results", args, map[string]func(*env, []string) error{
		"import": resultsImport, "list": resultsList, "suppress": resultsSuppress,
	})
}

// MaxResultsSize bounds a results file.
const maxResultsSize = 256 << 20

func resultsImport(e *env, args []string) error {
	fs := e.flags("results import", "results import --product P --release V [--kind K] FILE...",
		`Import scan and test results for a release: SARIF 2.1.0 (SAST, DAST, fuzzing,
container scanners) and JUnit XML. Results are deduplicated by fingerprint
across imports; results of the same tool that a new import no longer has are
marked fixed — within the same category (default: the file name; CodeQL per
language or unit and integration tests are tracked apart). The kind (sast,
dast, fuzzing, container, sca, test) is guessed from the tool; --kind sets it.`)
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	kind := fs.String("kind", "", "sast | dast | fuzzing | container | sca | test (default: from the tool)")
	category := fs.String("category", "", "what this file covers, e.g. go or unit-tests: results of the same tool and category that a new import no longer has are marked fixed (default: the file name)")
	server := e.remoteFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *product == "" || *release == "" || len(rest) == 0 {
		return usagef("results import needs --product, --release and at least one FILE")
	}
	c, err := server()
	if err != nil {
		return err
	}
	var all []cradle.ResultImport
	for _, f := range rest {
		raw, name, err := readInput(e, f, maxResultsSize)
		if err != nil {
			return err
		}
		var imp cradle.ResultImport
		var warnings []string
		if c != nil {
			var res struct {
				Import   cradle.ResultImport `json:"import"`
				Warnings []string            `json:"warnings"`
			}
			q := url.Values{"filename": {filepath.Base(name)}}
			if *kind != "" {
				q.Set("kind", *kind)
			}
			if *category != "" {
				q.Set("category", *category)
			}
			err = c.call(e, http.MethodPost, releasePath(*product, *release)+"/results", q, raw, "application/octet-stream", &res)
			if err == nil && res.Import.ID == 0 {
				err = fmt.Errorf("the server's answer to the results upload has no import: is --server the cradle server?")
			}
			imp, warnings = res.Import, res.Warnings
		} else {
			err = e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
				r, w, err := s.ImportResultsAs(e.ctx, cliActor(), *product, *release, *kind, *category, filepath.Base(name), raw)
				if r != nil {
					imp, warnings = *r, w
				}
				return err
			})
		}
		if err != nil {
			return err
		}
		all = append(all, imp)
		for i, w := range warnings {
			if i == 10 {
				fmt.Fprintf(e.stderr, "warning: ... and %d more\n", len(warnings)-10)
				break
			}
			fmt.Fprintln(e.stderr, "warning:", w)
		}
		if !e.json {
			msg := fmt.Sprintf("Imported %s (%s, %s) into %s %s: %d results, %d new, %d fixed since the last import.", filepath.Base(name), imp.Tool, imp.Kind, *product, *release, imp.Results, imp.New, imp.Fixed)
			if imp.Format == "junit" {
				msg += fmt.Sprintf(" Tests: %d, %d failed.", imp.Tests, imp.TestsFailed)
			}
			fmt.Fprintln(e.stdout, msg)
		}
	}
	if e.json {
		return e.printJSON(all)
	}
	return nil
}

func resultsList(e *env, args []string) error {
	fs := e.flags("results list", "results list --product P --release V [--status open|fixed|suppressed] [--min-severity S] [--tool T]",
		"List a release's scan and test results, most severe first, and its imports.")
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	var f store.ResultFilter
	fs.StringVar(&f.Status, "status", "open", "open, fixed, suppressed, or all")
	fs.StringVar(&f.MinSeverity, "min-severity", "", "critical, high, medium, low, info")
	fs.StringVar(&f.Tool, "tool", "", "only this tool")
	fs.StringVar(&f.Kind, "kind", "", "only this kind")
	limit := fs.Int("limit", cradle.MaxPerPage, "at most this many results")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *release == "" {
		return usagef("results list needs --product and --release")
	}
	if f.Status == "all" {
		f.Status = ""
	} else if f.Status != cradle.ResultOpen && f.Status != cradle.ResultFixed && f.Status != cradle.ResultSuppressed {
		return usagef("--status must be open, fixed, suppressed or all; found %q", f.Status)
	}
	if f.MinSeverity != "" && cradle.SeverityRank(f.MinSeverity) < 0 {
		return usagef("--min-severity must be critical, high, medium, low or info; found %q", f.MinSeverity)
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		rs, total, err := db.ListResults(e.ctx, *product, *release, f, cradle.Page{PerPage: *limit})
		if err != nil {
			return err
		}
		if e.json {
			return e.printJSON(map[string]any{"items": rs, "total": total})
		}
		var rows [][]string
		for _, r := range rs {
			what := r.RuleID
			if r.Test != "" {
				what = r.Test
			}
			rows = append(rows, []string{r.Severity, r.Status, r.Tool, clipText(what, 40), clipText(r.Location, 50), r.SinceVersion, short(r.Fingerprint)})
		}
		e.table([]string{"SEVERITY", "STATUS", "TOOL", "RULE/TEST", "LOCATION", "SINCE", "FINGERPRINT"}, rows)
		if total > len(rs) {
			fmt.Fprintf(e.stdout, "(%d of %d shown)\n", len(rs), total)
		}
		return nil
	})
}

func resultsSuppress(e *env, args []string) error {
	fs := e.flags("results suppress", "results suppress --product P --reason TEXT FINGERPRINT",
		"Record that a result needs no fix, with the reason: it is suppressed in every release of the product, now and in later imports.")
	product := fs.String("product", "", "product name")
	reason := fs.String("reason", "", "why the result needs no fix (required)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *product == "" || len(rest) != 1 {
		return usagef("results suppress needs --product, --reason and one FINGERPRINT")
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		if err := db.SuppressResult(e.ctx, cliActor(), *product, rest[0], *reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Suppressed %s in %s.\n", rest[0], *product)
		return nil
	})
}

// ---- SBOM quality ----

func sbomCheck(e *env, args []string) error {
	fs := e.flags("sbom check", "sbom check (FILE | --product P --release V) [--profile P] [--verbose]",
		`Check an SBOM against a quality profile and report, for the document and each
component, every required, conditional and optional field of the profile as
present, missing or invalid, with its path.

Profiles: bsi-tr-03183-2-v2.1 (default), bsi-tr-03183-2-v2.0, ntia.
Exit 0 when the SBOM has every required field of the profile, 1 when it does
not, 2 for usage or input errors.`)
	product := fs.String("product", "", "check the current SBOM of a stored release")
	release := fs.String("release", "", "release version (with --product)")
	profile := fs.String("profile", quality.ProfileBSI21, "bsi-tr-03183-2-v2.1, bsi-tr-03183-2-v2.0 or ntia")
	verbose := fs.Bool("verbose", false, "list every field, not only the failing ones")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	stored := *product != "" || *release != ""
	if (stored && (len(rest) != 0 || *product == "" || *release == "")) || (!stored && len(rest) != 1) {
		return usagef("sbom check needs one FILE, or --product and --release")
	}
	var rep *quality.Report
	if stored {
		err = e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
			rep, _, err = s.CheckSBOM(e.ctx, *product, *release, *profile)
			return err
		})
	} else {
		raw, name, rerr := readInput(e, rest[0], 512<<20)
		if rerr != nil {
			return usageOf(rerr)
		}
		rep, err = quality.Check(name, raw, *profile)
	}
	if err != nil {
		return usageOf(err)
	}
	if e.json {
		if err := e.printJSON(rep); err != nil {
			return err
		}
	} else if err := rep.WriteText(e.stdout, *verbose); err != nil {
		return err
	}
	if !rep.Conforms {
		return errReported
	}
	return nil
}

// usageOf maps every error of a checking command to exit code 2 (usage or
// input), keeping its message: 1 is reserved for "the check failed".
func usageOf(err error) error {
	if err == nil || errors.Is(err, errReported) {
		return err
	}
	var ce *cradle.Error
	if errors.As(err, &ce) && (ce.Code == cradle.EInvalid || ce.Code == cradle.ETooLarge) {
		return err
	}
	if cradle.ErrorCode(err) == cradle.EInternal {
		return err
	}
	return &cradle.Error{Code: cradle.EInvalid, Message: cradle.ErrorMessage(err), Problems: cradle.ErrorProblems(err)}
}

// ---- the release gate ----

// gateError makes every error of a gate run exit 2: exit 1 means only
// "the gate decided the release may not ship", so a pipeline can tell a
// refusal from a run that could not decide (bad input, unreachable
// server, internal error).
func gateError(err error) error {
	if err == nil || errors.Is(err, errReported) {
		return err
	}
	return &exitError{code: ExitUsage, err: err}
}

func runGate(e *env, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return subcommand(e, "gate", args, map[string]func(*env, []string) error{
			"verify": gateVerify, "policy": gatePolicy, "exception": gateException, "history": gateHistory, "show": gateShow,
		})
	}
	return gateRun(e, args)
}

func gateRun(e *env, args []string) error {
	fs := e.flags("gate", "gate --product P --release V [--policy FILE] [--format text|json|junit|sarif] [-o FILE]",
		`Decide whether a release may ship. Exit 0 when it may, 1 when it may not (every
reason is listed with how to resolve it), 2 when no decision was made: usage or
input errors (an unknown product or release, an invalid policy file), an
unreachable server, or any other error.

The policy is the built-in default (cradle gate policy default), overridden by
the product's policy (cradle gate policy set) and by --policy for this run.
Each decision is stored with a hash of its policy and inputs:
cradle gate verify ID re-evaluates it. Other subcommands: verify, show,
history, policy (show|set|default), exception (add|list|revoke).`)
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	policyFile := fs.String("policy", "", "a policy YAML file for this run")
	format := fs.String("format", "text", "text, json, junit or sarif")
	out := fs.String("o", "-", "write the report in --format to this file; the text report still goes to standard output (the exit code says pass or fail)")
	server := e.remoteFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *release == "" {
		return usagef("gate needs --product and --release")
	}
	if e.json {
		*format = "json"
	}
	switch *format {
	case "text", "json", "junit", "sarif":
	default:
		return usagef("--format must be text, json, junit or sarif; found %q", *format)
	}
	var policy []byte
	var policyName string
	if *policyFile != "" {
		raw, name, err := readInput(e, *policyFile, gate.MaxPolicySize)
		if err != nil {
			return usageOf(err)
		}
		policy, policyName = raw, name
	}
	c, err := server()
	if err != nil {
		return err
	}
	var run engineering.GateRun
	if c != nil {
		q := url.Values{}
		if policy != nil {
			q.Set("policy_name", filepath.Base(policyName))
		}
		err = c.call(e, http.MethodPost, releasePath(*product, *release)+"/gate", q, policy, "application/yaml", &run)
		if err == nil && (run.Decision == nil || run.Record == nil) {
			err = fmt.Errorf("the server's answer to the gate run has no decision: is --server the cradle server?")
		}
	} else {
		err = e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
			r, err := s.Gate(e.ctx, cliActor(), *product, *release, policyName, policy)
			if r != nil {
				run = *r
			}
			return err
		})
	}
	if err != nil {
		return gateError(err)
	}
	if err := e.writeDecision(*out, *format, run); err != nil {
		return gateError(fmt.Errorf("decision %d was stored, but the report could not be written: %w", run.Record.ID, err))
	}
	if *out != "-" && !e.json {
		if err := e.writeDecision("-", "text", run); err != nil {
			return gateError(err)
		}
	}
	if !run.Decision.Pass {
		return errReported
	}
	return nil
}

func (e *env) writeDecision(path, format string, run engineering.GateRun) error {
	var b bytes.Buffer
	var err error
	switch format {
	case "json":
		err = gate.WriteJSON(&b, run.Decision)
	case "junit":
		err = gate.WriteJUnit(&b, run.Decision)
	case "sarif":
		err = gate.WriteSARIF(&b, run.Decision)
	default:
		err = gate.WriteText(&b, run.Decision)
		if err == nil && run.Record != nil && run.Record.ID != 0 {
			fmt.Fprintf(&b, "\nDecision %d stored (hash %s); re-check it with: cradle gate verify %d\n", run.Record.ID, short(run.Decision.Hash), run.Record.ID)
		}
	}
	if err != nil {
		return err
	}
	return e.writeOut(path, b.Bytes())
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func decisionID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("a decision ID is a positive number; found %q", s)
	}
	return id, nil
}

func gateVerify(e *env, args []string) error {
	fs := e.flags("gate verify", "gate verify DECISION-ID",
		"Re-evaluate a stored gate decision from its stored policy and inputs and check that the verdict and every hash match. Exit 0 when it verifies, 1 when it does not.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("gate verify needs one DECISION-ID")
	}
	id, err := decisionID(rest[0])
	if err != nil {
		return err
	}
	return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
		run, err := s.Verify(e.ctx, id)
		if run == nil {
			return usageOf(err)
		}
		if e.json {
			body := map[string]any{"id": id, "verified": err == nil, "hash": run.Record.Hash, "pass": run.Record.Pass, "note": run.Note}
			if err != nil {
				body["problems"] = cradle.ErrorProblems(err)
			}
			if perr := e.printJSON(body); perr != nil {
				return perr
			}
			if err != nil {
				return errReported
			}
			return nil
		}
		if err != nil {
			fmt.Fprintln(e.stdout, "NOT VERIFIED:", err.Error())
			return errReported
		}
		if run.Note != "" {
			fmt.Fprintf(e.stdout, "Intact, not re-evaluated: %s.\n", run.Note)
			return nil
		}
		verdict := "PASS"
		if !run.Record.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(e.stdout, "Verified: decision %d for %s %s (%s, %s by %s) is unaltered (hashes and audit trail agree) and re-evaluates to the same verdict; hash %s.\n",
			id, run.Record.Product, run.Record.Release, verdict, run.Record.EvaluatedAt.Format(time.RFC3339), run.Record.EvaluatedBy, short(run.Record.Hash))
		return nil
	})
}

func gateShow(e *env, args []string) error {
	fs := e.flags("gate show", "gate show DECISION-ID [--format text|json|junit|sarif]", "Print a stored gate decision.")
	format := fs.String("format", "text", "text, json, junit or sarif")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("gate show needs one DECISION-ID")
	}
	id, err := decisionID(rest[0])
	if err != nil {
		return err
	}
	if e.json {
		*format = "json"
	}
	return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
		run, _, _, err := s.Decision(e.ctx, id)
		if err != nil {
			return err
		}
		return e.writeDecision("-", *format, *run)
	})
}

func gateHistory(e *env, args []string) error {
	fs := e.flags("gate history", "gate history --product P --release V", "List a release's gate decisions, newest first.")
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "release version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *release == "" {
		return usagef("gate history needs --product and --release")
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		ds, err := db.GateDecisions(e.ctx, *product, *release, 100)
		if err != nil {
			return err
		}
		if e.json {
			return e.printJSON(ds)
		}
		var rows [][]string
		for _, d := range ds {
			v := "pass"
			if !d.Pass {
				v = fmt.Sprintf("FAIL (%d)", d.Failures)
			}
			rows = append(rows, []string{strconv.FormatInt(d.ID, 10), d.EvaluatedAt.Format(time.RFC3339), v, d.EvaluatedBy, short(d.Hash)})
		}
		e.table([]string{"ID", "EVALUATED", "VERDICT", "BY", "HASH"}, rows)
		return nil
	})
}

func gatePolicy(e *env, args []string) error {
	return subcommand(e, "gate policy", args, map[string]func(*env, []string) error{
		"default": func(e *env, args []string) error {
			fs := e.flags("gate policy default", "gate policy default", "Print the built-in default policy (a documented starting point for your own).")
			if _, err := parse(fs, args); err != nil {
				return err
			}
			_, err := e.stdout.Write(gate.DefaultYAML())
			return err
		},
		"show": func(e *env, args []string) error {
			fs := e.flags("gate policy show", "gate policy show --product P", "Print a product's policy as it applies (the default with the product's overrides), and its own file.")
			product := fs.String("product", "", "product name")
			if _, err := parse(fs, args); err != nil {
				return err
			}
			if *product == "" {
				return usagef("gate policy show needs --product")
			}
			return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
				p, src, err := s.Policy(e.ctx, *product)
				if err != nil {
					return err
				}
				if e.json {
					return e.printJSON(map[string]any{"effective": p, "source": src})
				}
				if src == "" {
					fmt.Fprintf(e.stdout, "# %s has no policy of its own: the default applies.\n", *product)
					_, err = e.stdout.Write(gate.DefaultYAML())
					return err
				}
				fmt.Fprintf(e.stdout, "# %s's policy (overrides the default key by key):\n%s", *product, src)
				return nil
			})
		},
		"set": func(e *env, args []string) error {
			fs := e.flags("gate policy set", "gate policy set --product P (FILE | --clear)", "Store a product's gate policy (YAML, checked: unknown keys and wrong types are refused with their line). --clear returns the product to the default.")
			product := fs.String("product", "", "product name")
			clearIt := fs.Bool("clear", false, "remove the product's policy")
			rest, err := parse(fs, args)
			if err != nil {
				return err
			}
			if *product == "" || (len(rest) == 1) == *clearIt || len(rest) > 1 {
				return usagef("gate policy set needs --product and one FILE, or --clear")
			}
			var raw []byte
			name := ""
			if !*clearIt {
				if raw, name, err = readInput(e, rest[0], gate.MaxPolicySize); err != nil {
					return err
				}
			}
			return e.withEngineering(func(s *engineering.Service, _ *store.DB) error {
				if err := s.SetPolicy(e.ctx, cliActor(), *product, name, raw); err != nil {
					return err
				}
				if *clearIt {
					fmt.Fprintf(e.stdout, "%s now uses the default gate policy.\n", *product)
				} else {
					fmt.Fprintf(e.stdout, "Stored the gate policy of %s from %s.\n", *product, name)
				}
				return nil
			})
		},
	})
}

func gateException(e *env, args []string) error {
	return subcommand(e, "gate exception", args, map[string]func(*env, []string) error{
		"add":    gateExceptionAdd,
		"list":   gateExceptionList,
		"revoke": gateExceptionRevoke,
	})
}

func gateExceptionAdd(e *env, args []string) error {
	fs := e.flags("gate exception add", "gate exception add --product P [--release V] --check C [--subject S] --approver NAME --reason TEXT --expires YYYY-MM-DD",
		"Let a release pass one gate check (or one item of it: a vulnerability ID, threat ID, result fingerprint, requirement ID) despite a failure. An exception needs a named approver, a reason and an expiry (at most two years).")
	var x cradle.GateException
	fs.StringVar(&x.Product, "product", "", "product name")
	fs.StringVar(&x.Release, "release", "", "only this release (default: every release of the product)")
	fs.StringVar(&x.Check, "check", "", "gate check: "+strings.Join(gateCheckIDs(), ", "))
	fs.StringVar(&x.Subject, "subject", "", "the item of the check (default: the whole check)")
	fs.StringVar(&x.Approver, "approver", "", "who approved the exception")
	fs.StringVar(&x.Reason, "reason", "", "why the release may ship anyway")
	expires := fs.String("expires", "", "last day the exception applies, YYYY-MM-DD")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if x.Product == "" {
		return usagef("gate exception add needs --product")
	}
	if *expires != "" {
		t, err := time.Parse(cradle.DateLayout, *expires)
		if err != nil {
			return usagef("--expires must be a date YYYY-MM-DD; found %q", *expires)
		}
		x.ExpiresAt = t.Add(24*time.Hour - time.Second) // the whole last day
	}
	if x.Check != "" && !slices.Contains(gateCheckIDs(), x.Check) {
		return usagef("--check must be one of %s; found %q", strings.Join(gateCheckIDs(), ", "), x.Check)
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		if err := db.AddGateException(e.ctx, cliActor(), &x); err != nil {
			return err
		}
		if e.json {
			return e.printJSON(x)
		}
		fmt.Fprintf(e.stdout, "Exception %d: %s may pass check %s%s until %s (approved by %s).\n", x.ID, x.Product, x.Check,
			map[bool]string{true: "", false: " for " + x.Subject}[x.Subject == ""], x.ExpiresAt.Format(cradle.DateLayout), x.Approver)
		return nil
	})
}

func gateCheckIDs() []string {
	var out []string
	for _, c := range gate.Checks {
		out = append(out, c.ID)
	}
	return out
}

func gateExceptionList(e *env, args []string) error {
	fs := e.flags("gate exception list", "gate exception list --product P [--release V]", "List a product's gate exceptions.")
	product := fs.String("product", "", "product name")
	release := fs.String("release", "", "only those that apply to this release")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" {
		return usagef("gate exception list needs --product")
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		xs, err := db.GateExceptions(e.ctx, *product, *release)
		if err != nil {
			return err
		}
		if e.json {
			return e.printJSON(xs)
		}
		now := time.Now()
		var rows [][]string
		for _, x := range xs {
			state := "active"
			switch {
			case !x.RevokedAt.IsZero():
				state = "revoked"
			case x.ExpiresAt.Before(now):
				state = "expired"
			}
			rows = append(rows, []string{strconv.FormatInt(x.ID, 10), dateOr(x.Release, "all"), x.Check, dateOr(x.Subject, "(whole check)"), x.Approver, x.ExpiresAt.Format(cradle.DateLayout), state, clipText(x.Reason, 50)})
		}
		e.table([]string{"ID", "RELEASE", "CHECK", "SUBJECT", "APPROVER", "EXPIRES", "STATE", "REASON"}, rows)
		return nil
	})
}

func gateExceptionRevoke(e *env, args []string) error {
	fs := e.flags("gate exception revoke", "gate exception revoke ID", "End an exception before its expiry.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("gate exception revoke needs one ID")
	}
	id, err := decisionID(rest[0])
	if err != nil {
		return err
	}
	return e.withEngineering(func(_ *engineering.Service, db *store.DB) error {
		if err := db.RevokeGateException(e.ctx, cliActor(), id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Revoked exception %d.\n", id)
		return nil
	})
}
