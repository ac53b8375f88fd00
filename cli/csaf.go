package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
	"github.com/cradle-sdl/cradle/psirt"
)

// CSAF, VEX and advisories from the command line.

func runCSAF(e *env, args []string) error {
	return subcommand(e, "csaf", args, map[string]func(*env, []string) error{"validate": csafValidate, "export": csafExport})
}

// csafResult is one file's verdict.
type csafResult struct {
	File     string         `json:"file"`
	Valid    bool           `json:"valid"`
	Failed   []string       `json:"failed_tests"`
	Errors   []csaf.Finding `json:"errors"`
	Warnings []csaf.Finding `json:"warnings"`
	Problem  string         `json:"problem,omitempty"` // unreadable, not JSON
}

func csafValidate(e *env, args []string) error {
	fs := e.flags("csaf validate", "csaf validate FILE|DIR...",
		`Check CSAF 2.0 documents against the schema and every mandatory test of section 6.1
(6.1.1-6.1.33, incl. the 6.1.27.x profile tests and the 6.1.9 CVSS computation);
optional tests 6.2.x are warnings. Directories are searched for *.json.
Exit 0 when every document passes, 1 when one fails, 2 when a file cannot be read.`)
	quiet := fs.Bool("quiet", false, "print only failing documents")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("csaf validate needs at least one file or directory")
	}
	var files []string
	for _, p := range pos {
		st, err := os.Stat(p)
		if err != nil {
			return usagef("%v", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		// In a directory, provider files (metadata, ROLIE feeds, service
		// and category documents) are not CSAF documents: skip them.
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") && !providerFile(path) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return usagef("%v", err)
		}
	}
	results := make([]csafResult, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = validateFile(files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	bad, unreadable := 0, 0
	for _, r := range results {
		if r.Problem != "" {
			unreadable++
		} else if !r.Valid {
			bad++
		}
	}
	if e.json {
		if err := e.printJSON(map[string]any{"documents": results, "valid": len(results) - bad - unreadable, "invalid": bad, "unreadable": unreadable}); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			switch {
			case r.Problem != "":
				fmt.Fprintf(e.stdout, "%s: UNREADABLE: %s\n", r.File, sanitizeText(r.Problem))
			case !r.Valid:
				fmt.Fprintf(e.stdout, "%s: INVALID: failed %s\n", r.File, strings.Join(r.Failed, ", "))
				for _, f := range r.Errors {
					fmt.Fprintf(e.stdout, "  [%s] %s: %s\n", f.Test, dateOr(f.Path, "/"), oneLine(f.Message))
				}
			case !*quiet:
				fmt.Fprintf(e.stdout, "%s: valid", r.File)
				if len(r.Warnings) > 0 {
					fmt.Fprintf(e.stdout, " (%d warning(s))", len(r.Warnings))
				}
				fmt.Fprintln(e.stdout)
			}
			if r.Problem == "" && !*quiet {
				for _, f := range r.Warnings {
					fmt.Fprintf(e.stdout, "  warning [%s] %s: %s\n", f.Test, dateOr(f.Path, "/"), oneLine(f.Message))
				}
			}
		}
		fmt.Fprintf(e.stdout, "\n%d document(s): %d valid, %d invalid, %d unreadable.\n", len(results), len(results)-bad-unreadable, bad, unreadable)
	}
	switch {
	case unreadable > 0:
		return &usageError{fmt.Sprintf("%d file(s) could not be read as CSAF documents", unreadable)}
	case bad > 0:
		return errReported
	}
	return nil
}

// providerFile reports whether path is one of a CSAF provider's own
// files rather than a document.
func providerFile(path string) bool {
	name := filepath.Base(path)
	if name == "provider-metadata.json" || name == "aggregator.json" || name == "service.json" || strings.HasPrefix(name, "category-") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := f.Read(head)
	return strings.HasPrefix(strings.Join(strings.Fields(string(head[:n])), ""), `{"feed":`)
}

func validateFile(path string) csafResult {
	res := csafResult{File: path, Failed: []string{}, Errors: []csaf.Finding{}, Warnings: []csaf.Finding{}}
	data, err := os.ReadFile(path)
	if err != nil {
		res.Problem = err.Error()
		return res
	}
	rep, err := csaf.Validate(filepath.Base(path), data)
	if err != nil {
		res.Problem = err.Error()
		return res
	}
	res.Valid = rep.Valid()
	if f := rep.FailedTests(); f != nil {
		res.Failed = f
	}
	res.Errors = append(res.Errors, rep.Errors...)
	res.Warnings = append(res.Warnings, rep.Warnings...)
	return res
}

func csafExport(e *env, args []string) error {
	fs := e.flags("csaf export", "csaf export DIR",
		`Write the CSAF trusted-provider tree of every published advisory (provider-metadata.json,
per-TLP folders with index.txt, changes.csv, ROLIE feeds, .sha256/.sha512 and .asc files, the
public key) into DIR, for publishing on another web server under /.well-known/csaf/.
TLP:AMBER and RED folders are included: protect them on that server.`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("csaf export needs one target directory")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	tree, err := psirt.New(db, nil).ProviderTree(e.ctx)
	if err != nil {
		return err
	}
	if err := tree.WriteDir(pos[0]); err != nil {
		return err
	}
	if e.json {
		paths := make([]string, 0, len(tree))
		for p := range tree {
			paths = append(paths, p)
		}
		return e.printJSON(map[string]any{"dir": pos[0], "files": len(paths)})
	}
	fmt.Fprintf(e.stdout, "Wrote %d files to %s.\n", len(tree), pos[0])
	return nil
}

func runVEX(e *env, args []string) error {
	return subcommand(e, "vex", args, map[string]func(*env, []string) error{"import": vexImport, "export": vexExport})
}

func vexImport(e *env, args []string) error {
	fs := e.flags("vex import", "vex import --product P FILE [--allow-unmatched]",
		`Apply a VEX document (OpenVEX 0.2.0, CycloneDX VEX 1.5/1.6 or CSAF VEX) to a product's
findings: each statement is recorded as the decision for the component versions it names.
All or nothing: a statement for an unknown vulnerability or for no shipped component
refuses the document, unless --allow-unmatched skips such statements.`)
	product := fs.String("product", "", "product")
	allow := fs.Bool("allow-unmatched", false, "skip statements that match no shipped component")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *product == "" {
		return usagef("vex import needs --product and one file")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return usagef("%v", err)
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := psirt.New(db, nil).ImportVEX(e.ctx, cliActor(), *product, filepath.Base(pos[0]), data, *allow)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(res)
	}
	fmt.Fprintf(e.stdout, "%s (%s): %d statement(s), %d decision(s) recorded for %s.\n", filepath.Base(pos[0]), res.Format, res.Statements, len(res.Decisions), *product)
	for _, p := range res.Skipped {
		fmt.Fprintf(e.stdout, "  skipped %s: %s\n", p.Location, p.Message)
	}
	return nil
}

func vexExport(e *env, args []string) error {
	fs := e.flags("vex export", "vex export --product P [--format openvex|cyclonedx|csaf] [--output FILE]",
		"Write the product's VEX: every open finding of its current releases with its decided status (under_investigation when none).")
	product := fs.String("product", "", "product")
	format := fs.String("format", "openvex", "openvex, cyclonedx (1.6) or csaf")
	output := fs.String("output", "", "file to write (default: standard output)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" {
		return usagef("vex export needs --product")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := psirt.New(db, nil).ExportVEX(e.ctx, *product, *format)
	if err != nil {
		return err
	}
	if *output != "" {
		return writeFileAtomic(*output, b)
	}
	_, err = e.stdout.Write(append(b, '\n'))
	return err
}

func runAdvisory(e *env, args []string) error {
	return subcommand(e, "advisory", args, map[string]func(*env, []string) error{
		"create": advisoryCreate, "list": advisoryList, "show": advisoryShow, "publish": advisoryPublish})
}

func advisoryCreate(e *env, args []string) error {
	fs := e.flags("advisory create", "advisory create --case CASE-N --title T --summary S [flags]", "Create a draft CSAF advisory from a case.")
	var a cradle.Advisory
	fs.StringVar(&a.CaseRef, "case", "", "the case")
	fs.StringVar(&a.TrackingID, "tracking-id", "", "tracking ID (default: next PREFIX-YEAR-NNNN)")
	fs.StringVar(&a.Category, "category", csaf.CategorySecurityAdvisory, "csaf_security_advisory or csaf_vex")
	fs.StringVar(&a.Title, "title", "", "title")
	fs.StringVar(&a.TLP, "tlp", "WHITE", "WHITE, GREEN, AMBER or RED")
	fs.StringVar(&a.Summary, "summary", "", "summary for users")
	fs.StringVar(&a.Details, "details", "", "technical details")
	fs.StringVar(&a.Workaround, "workaround", "", "workaround")
	var refs, acks multiFlag
	fs.Var(&refs, "reference", "reference URL (repeatable)")
	fs.Var(&acks, "ack", "name to acknowledge (repeatable)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a.References, a.Acknowledge = refs, acks
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	st, _, err := psirt.New(db, nil).PSIRTSettings(e.ctx)
	if err != nil {
		return err
	}
	if err := db.CreateAdvisory(e.ctx, cliActor(), &a, st.TrackingPrefix); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(a)
	}
	fmt.Fprintf(e.stdout, "Created draft advisory %s for %s.\n", a.TrackingID, a.CaseRef)
	return nil
}

func advisoryList(e *env, args []string) error {
	fs := e.flags("advisory list", "advisory list", "List advisories, newest first.")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	as, err := db.ListAdvisories(e.ctx, "", false)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(nonNil(as))
	}
	var rows [][]string
	for _, a := range as {
		rows = append(rows, []string{a.TrackingID, a.Status, a.Version, "TLP:" + a.TLP, a.CaseRef, a.Title})
	}
	e.table([]string{"TRACKING ID", "STATUS", "VERSION", "TLP", "CASE", "TITLE"}, rows)
	return nil
}

func advisoryShow(e *env, args []string) error {
	fs := e.flags("advisory show", "advisory show ID [--csaf]", "Show an advisory and whether its document passes validation; --csaf prints the CSAF document.")
	doc := fs.Bool("csaf", false, "print the CSAF document (a draft preview when unpublished)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("advisory show needs a tracking ID")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.Advisory(e.ctx, pos[0])
	if err != nil {
		return err
	}
	b, rep, err := psirt.New(db, nil).RenderAdvisory(e.ctx, a)
	if err != nil {
		return err
	}
	if *doc {
		if a.Document != nil {
			b = a.Document
		}
		_, err := e.stdout.Write(append(b, '\n'))
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"advisory": a, "valid": rep.Valid(), "errors": nonNil(rep.Errors), "warnings": nonNil(rep.Warnings)})
	}
	e.fields([][2]string{{"Advisory", a.TrackingID}, {"Title", a.Title}, {"Case", a.CaseRef}, {"Status", a.Status + ", version " + a.Version}, {"TLP", a.TLP}})
	if rep.Valid() {
		fmt.Fprintln(e.stdout, "\nThe document passes the CSAF 2.0 schema and all mandatory tests.")
	} else {
		fmt.Fprintf(e.stdout, "\nThe document fails %s:\n", strings.Join(rep.FailedTests(), ", "))
		for _, f := range rep.Errors {
			fmt.Fprintf(e.stdout, "  [%s] %s: %s\n", f.Test, dateOr(f.Path, "/"), oneLine(f.Message))
		}
	}
	return nil
}

func advisoryPublish(e *env, args []string) error {
	fs := e.flags("advisory publish", "advisory publish ID --summary TEXT [--status final|interim]",
		"Publish the next revision of an advisory; refused when the document fails a mandatory CSAF test.")
	status := fs.String("status", "final", "final or interim")
	summary := fs.String("summary", "", "what changed in this revision")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("advisory publish needs a tracking ID")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := psirt.New(db, nil).Publish(e.ctx, cliActor(), pos[0], *status, *summary)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(a)
	}
	fmt.Fprintf(e.stdout, "Published %s revision %s (%s).\n", a.TrackingID, a.Version, a.Status)
	return nil
}
