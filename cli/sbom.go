package cli

import (
	"bufio"
	"bytes"
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

	"golang.org/x/term"

	"github.com/cradle-sdl/cradle/monitor"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
)

func runSBOM(e *env, args []string) error {
	return subcommand(e, "sbom", args, map[string]func(*env, []string) error{
		"import": sbomImport, "export": sbomExport, "list": sbomList, "check": sbomCheck,
	})
}

func sbomImport(e *env, args []string) error {
	fs := e.flags("sbom import", "sbom import --product NAME --release VERSION FILE",
		`Import an SBOM as the release's current component set. CycloneDX 1.4-1.6 (JSON, XML)
and SPDX 2.2-2.3 (JSON, tag-value) are detected automatically and validated.
The previous SBOM stays in the release's history; importing the identical
document again changes nothing. FILE "-" reads standard input.`)
	product := fs.String("product", "", "product name")
	version := fs.String("release", "", "release version")
	maxSize := fs.Int64("max-size", sbom.DefaultMaxSize, "refuse files larger than this many bytes")
	server := e.remoteFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *product == "" || *version == "" || len(rest) != 1 {
		return usagef("sbom import needs --product, --release and one FILE")
	}
	raw, name, err := readInput(e, rest[0], *maxSize)
	if err != nil {
		return err
	}
	c, err := server()
	if err != nil {
		return err
	}
	var res *monitor.SBOMResult
	if c != nil {
		res = new(monitor.SBOMResult)
		err = c.call(e, http.MethodPost, releasePath(*product, *version)+"/sboms", url.Values{"filename": {filepath.Base(name)}}, raw, "application/octet-stream", res)
		if err == nil && (res.ImportResult == nil || res.Document.ID == 0) {
			err = fmt.Errorf("the server's answer to the SBOM upload has no import result: is --server the cradle server?")
		}
	} else {
		var db *store.DB
		if db, err = e.open(); err != nil {
			return err
		}
		defer db.Close()
		prog := e.progress()
		prog.status(fmt.Sprintf("Validating %s (%s)", name, humanBytes(int64(len(raw)))))
		res, err = monitor.New(db, nil).ImportSBOM(e.ctx, cliActor(), *product, *version, name, raw, func(done, total int) {
			prog.status(fmt.Sprintf("Storing components %d/%d", done, total))
		})
		prog.done()
	}
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(res)
	}
	d := res.Document
	switch {
	case res.Unchanged:
		fmt.Fprintf(e.stdout, "Unchanged: this document (sha256 %s) is already the current SBOM of %s %s.\n", d.SHA256[:12], *product, *version)
	case res.Replaced != 0:
		fmt.Fprintf(e.stdout, "Imported %s %s SBOM #%d into %s %s: %d components, %d dependency edges (replaces SBOM #%d, kept in history).\n",
			d.Format, d.SpecVersion, d.ID, *product, *version, d.ComponentCount, d.EdgeCount, res.Replaced)
	default:
		fmt.Fprintf(e.stdout, "Imported %s %s SBOM #%d into %s %s: %d components, %d dependency edges.\n",
			d.Format, d.SpecVersion, d.ID, *product, *version, d.ComponentCount, d.EdgeCount)
	}
	if f := res.Findings; f != nil && f.New+f.Still > 0 {
		fmt.Fprintf(e.stdout, "Findings: %d vulnerable package versions (%d new). See: cradle findings --product %q --release %q\n",
			f.New+f.Still, f.New, *product, *version)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w.String())
	}
	return nil
}

// readInput reads a file (or "-" for stdin) refusing anything over limit
// before reading it whole.
func readInput(e *env, path string, limit int64) ([]byte, string, error) {
	if path == "-" {
		b, err := sbom.ReadLimited(e.stdin, limit)
		return b, "stdin", err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, cradle.Errorf(cradle.EInvalid, "cannot read %s: %v", path, unwrapPathErr(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			return nil, path, cradle.Errorf(cradle.EInvalid, "%s is a folder, not an SBOM file", path)
		}
		if st.Size() > limit {
			return nil, path, cradle.Errorf(cradle.ETooLarge, "%s is %s, larger than the limit of %s (--max-size)", path, humanBytes(st.Size()), humanBytes(limit))
		}
	}
	b, err := sbom.ReadLimited(bufio.NewReaderSize(f, 1<<20), limit)
	return b, path, err
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func sbomExport(e *env, args []string) error {
	fs := e.flags("sbom export", "sbom export --product NAME --release VERSION [--format F] [-o FILE]",
		"Write the release's current SBOM from the stored components and edges.")
	product := fs.String("product", "", "product name")
	version := fs.String("release", "", "release version")
	format := fs.String("format", cradle.ExportCycloneDXJSON, "cyclonedx-json, cyclonedx-xml or spdx-json")
	out := fs.String("o", "-", "output file, - for standard output")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *version == "" {
		return usagef("sbom export needs --product and --release")
	}
	if !slices.Contains(cradle.ExportFormats, *format) {
		return usagef("unknown --format %q; expected one of %s", *format, strings.Join(cradle.ExportFormats, ", "))
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	doc, _, err := db.LoadSBOM(e.ctx, *product, *version)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, doc, *format); err != nil {
		return err
	}
	if *out == "-" {
		_, err = e.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Wrote %s (%s, %d components).\n", *out, *format, len(doc.Components))
	return nil
}

func sbomList(e *env, args []string) error {
	fs := e.flags("sbom list", "sbom list --product NAME --release VERSION", "List a release's SBOM history, newest first.")
	product := fs.String("product", "", "product name")
	version := fs.String("release", "", "release version")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *version == "" {
		return usagef("sbom list needs --product and --release")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListSBOMs(e.ctx, *product, *version, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintf(e.stdout, "No SBOMs for %s %s. Import one with: cradle sbom import --product %q --release %q FILE\n", *product, *version, *product, *version)
		return nil
	}
	rows := make([][]string, 0, len(items))
	for _, d := range items {
		cur := ""
		if d.Current {
			cur = "current"
		}
		rows = append(rows, []string{"#" + strconv.FormatInt(d.ID, 10), cur, d.Format + " " + d.SpecVersion + " " + d.Encoding,
			strconv.Itoa(d.ComponentCount), strconv.Itoa(d.EdgeCount), d.SHA256[:12], d.ImportedAt.Format("2006-01-02 15:04 MST"), d.ImportedBy})
	}
	e.table([]string{"SBOM", "", "FORMAT", "COMPONENTS", "EDGES", "SHA-256", "IMPORTED", "BY"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func runComponent(e *env, args []string) error {
	return subcommand(e, "component", args, map[string]func(*env, []string) error{"search": componentSearch})
}

func componentSearch(e *env, args []string) error {
	fs := e.flags("component search", "component search QUERY",
		`List every product and release that ships a component, directly or transitively.
QUERY is a purl or purl prefix (pkg:maven/org.apache.logging.log4j/log4j-core)
or the start of a component name (case-insensitive).`)
	pg := pageFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("component search needs one QUERY")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.SearchComponents(e.ctx, rest[0], *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintf(e.stdout, "No current release contains %q.\n", rest[0])
		return nil
	}
	rows := make([][]string, 0, len(items))
	for _, o := range items {
		rows = append(rows, []string{o.Product, o.Version, o.Lifecycle.Label(), o.Component.Name, o.Component.Version,
			o.Component.Relation(), o.Component.PURL})
	}
	e.table([]string{"PRODUCT", "RELEASE", "LIFECYCLE", "COMPONENT", "VERSION", "RELATION", "PURL"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

// progress shows one updating status line on a terminal, and nothing when
// stderr is a file or pipe (carriage returns do not belong in logs).
type progress struct {
	w     io.Writer
	on    bool
	last  time.Time
	width int
}

func (e *env) progress() *progress {
	p := &progress{w: e.stderr}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !e.json {
		p.on = true
	}
	return p
}

func (p *progress) status(s string) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r%-*s", p.width, s)
	p.width = max(p.width, len(s))
}

func (p *progress) done() {
	if p.on && p.width > 0 {
		fmt.Fprintf(p.w, "\r%*s\r", p.width, "")
	}
}
