// Package cli is the cradle command: it parses arguments, wires the store,
// formats, jobs and web server together, and prints tables or JSON. Run is
// the whole program, so tests drive the CLI in-process.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"
	"strings"
	"text/tabwriter"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/jobs"
	"github.com/cradle-sdl/cradle/store"
)

// Version is set at build time with -ldflags "-X .../cli.Version=...".
var Version = "dev"

// Exit codes.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the operation failed, or a check found a problem (audit verify)
	ExitUsage    = 2 // bad usage or invalid input: nothing was changed
	ExitNotFound = 3 // a named product, release, user ... does not exist
	ExitConflict = 4 // it already exists, or the database schema is not current
	ExitAuth     = 5 // authentication or permission refused
)

// env is one invocation's world.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	dbPath string
	json   bool
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web UI, REST API and background jobs", runServe},
		{"migrate", "create or upgrade the database schema", runMigrate},
		{"demo", "load a sample industrial product portfolio", runDemo},
		{"product", "create, list and show products (create|list|show|update)", runProduct},
		{"release", "create, list and show releases (create|list|show|update)", runRelease},
		{"sbom", "import, export, list and quality-check SBOMs (import|export|list|check)", runSBOM},
		{"component", "find where a component is shipped (search)", runComponent},
		{"user", "manage users (create|list)", runUser},
		{"token", "issue API tokens for CI (create|list|revoke)", runToken},
		{"audit", "read and verify the audit trail (verify|list)", runAudit},
		{"vulndb", "load vulnerability data: OSV, CISA KEV, EPSS (import|sync|status|rematch)", runVulnDB},
		{"findings", "list vulnerable component versions in the portfolio", runFindings},
		{"vuln", "one vulnerability and its impact (show|impact)", runVuln},
		{"cvss", "score CVSS v2/v3.x/v4.0 vectors", runCVSS},
		{"scan", "scan an SBOM file against local OSV data, no server needed", runScan},
		{"events", "notices: new findings, newly exploited vulnerabilities, severity changes", runEvents},
		{"webhook", "send notices to other systems (create|list|log)", runWebhook},
		{"case", "vulnerability cases: triage, VEX statuses, CRA Art. 14 (open|list|show|update|status|decide|art14|submit|review)", runCase},
		{"intake", "vulnerability reports from the public form (list|show)", runIntake},
		{"update", "security updates and time to fix (create|list|time-to-fix)", runUpdate},
		{"policy", "show or set the remediation policy (days to fix per severity)", runPolicy},
		{"subscriber", "customers notified of advisories and updates (add|list|remove)", runSubscriber},
		{"advisory", "CSAF advisories from cases (create|list|show|publish)", runAdvisory},
		{"csaf", "validate anyone's CSAF 2.0 documents; export the provider tree (validate|export)", runCSAF},
		{"vex", "import and export VEX: OpenVEX, CycloneDX, CSAF (import|export)", runVEX},
		{"catalog", "compliance catalogues: IEC 62443-4-1, CRA, your own (list|show|export|import)", runCatalog},
		{"compliance", "compliance status and maturity per practice (status)", runCompliance},
		{"assess", "record the assessment of a requirement", runAssess},
		{"evidence", "attach evidence to requirements (add|remove)", runEvidence},
		{"scope", "record whether the SDL applies to a product (SM-3)", runScope},
		{"applicability", "record whether a requirement applies to a product (SM-5, Art. 13(3))", runApplicability},
		{"maturity", "override a practice's computed maturity level, with a rationale", runMaturity},
		{"threatmodel", "threat models as code: STRIDE threats, reviews, diagram, diff (import|check|show|diff|review|diagram)", runThreatModel},
		{"results", "scan and test results per release: SARIF, JUnit (import|list|suppress)", runResults},
		{"gate", "the release gate: may this release ship? (exit 0 yes, 1 no); verify|show|history|policy|exception", runGate},
		{"version", "print the version", func(e *env, _ []string) error { fmt.Fprintln(e.stdout, "cradle", Version); return nil }},
	}
}

// Run runs the cradle command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return e.exit(c.run(e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "cradle: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `cradle — secure product development lifecycle and CRA compliance

Usage: cradle <command> [subcommand] [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --db (default ./cradle.db, or $CRADLE_DB; a postgres:// URL
selects PostgreSQL) and --json for machine-readable output. "cradle <command>
--help" describes a command.

Exit codes: 0 ok, 1 failed, 2 bad usage or input (nothing changed),
3 not found, 4 conflict or schema not current, 5 not permitted.
`)
}

// errUsage marks a usage error already explained to the user.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func (e *env) exit(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(e.stderr, "cradle:", ue.msg)
		return ExitUsage
	}
	if errors.Is(err, errReported) {
		return ExitFailure
	}
	var xe *exitError
	if errors.As(err, &xe) {
		e.exit(xe.err) // prints it
		return xe.code
	}
	code := cradle.ErrorCode(err)
	if e.json {
		var body struct {
			Error struct {
				Code     string           `json:"code"`
				Message  string           `json:"message"`
				Problems []cradle.Problem `json:"problems,omitempty"`
			} `json:"error"`
		}
		body.Error.Code, body.Error.Message, body.Error.Problems = code, cradle.ErrorMessage(err), cradle.ErrorProblems(err)
		if code == cradle.EInternal {
			body.Error.Message = err.Error()
		}
		enc := json.NewEncoder(e.stderr)
		enc.SetIndent("", "  ")
		enc.Encode(body)
	} else {
		fmt.Fprintln(e.stderr, "cradle:", err.Error())
	}
	switch code {
	case cradle.EInvalid, cradle.ETooLarge:
		return ExitUsage
	case cradle.ENotFound:
		return ExitNotFound
	case cradle.EConflict:
		return ExitConflict
	case cradle.EUnauthorized, cradle.EForbidden:
		return ExitAuth
	}
	return ExitFailure
}

// exitError is an error with the exit code the command must end with.
type exitError struct {
	code int
	err  error
}

func (x *exitError) Error() string { return x.err.Error() }
func (x *exitError) Unwrap() error { return x.err }

// errReported means the command printed its own failure.
var errReported = errors.New("reported")

// flags returns a FlagSet with the global flags bound to e.
func (e *env) flags(name, usageLine, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def := os.Getenv("CRADLE_DB")
	if def == "" {
		def = "cradle.db"
	}
	fs.StringVar(&e.dbPath, "db", def, "database: a SQLite file path, or a postgres:// URL (env CRADLE_DB)")
	fs.BoolVar(&e.json, "json", false, "print JSON for machines")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: cradle %s\n\n%s\n\nFlags:\n", usageLine, help)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments ("cradle component search log4j --json").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// open opens the database and checks that its schema is current.
func (e *env) open() (*store.DB, error) {
	db, err := store.Open(e.ctx, e.dbPath)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(e.ctx); err != nil {
		// A fresh SQLite file is created on first use: migrate it.
		cur, _, verr := db.SchemaVersion(e.ctx)
		if verr == nil && cur == 0 && db.Engine() == store.SQLite {
			if err := migrateAll(e.ctx, db); err != nil {
				db.Close()
				return nil, err
			}
			return db, nil
		}
		db.Close()
		return nil, err
	}
	return db, nil
}

func migrateAll(ctx context.Context, db *store.DB) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, db)
}

// cliActor is who the local command line acts as in the audit trail.
func cliActor() cradle.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return cradle.Actor{Name: "cli:" + name, Via: "cli"}
}

// printJSON writes v as indented JSON.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table prints rows under a header, aligned.
func (e *env) table(header []string, rows [][]string) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			r[i] = oneLine(r[i])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// fields prints "key: value" lines, aligned.
func (e *env) fields(kv [][2]string) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, f := range kv {
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], oneLine(f[1]))
	}
	tw.Flush()
}

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1 // never let data move the terminal's cursor
		}
		return r
	}, s)
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:117], "") + "..." // never half a character
	}
	return s
}

// subcommand dispatches "cradle <group> <sub> ...".
func subcommand(e *env, group string, args []string, subs map[string]func(*env, []string) error) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: cradle %s <%s> [flags]\n\nRun \"cradle %s <subcommand> --help\" for details.\n", group, strings.Join(names, "|"), group)
		if len(args) == 0 {
			return usagef("%s needs a subcommand: %s", group, strings.Join(names, ", "))
		}
		return nil
	}
	fn, ok := subs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q for %s; expected one of %s", args[0], group, strings.Join(names, ", "))
	}
	return fn(e, args[1:])
}

func dateOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
