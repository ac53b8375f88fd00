package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	cradle "github.com/cradle-sdl/cradle"
)

func runProduct(e *env, args []string) error {
	return subcommand(e, "product", args, map[string]func(*env, []string) error{
		"create": productCreate, "list": productList, "show": productShow, "update": productUpdate,
	})
}

// productFlags binds the product fields to fs.
func productFlags(fs interface {
	StringVar(*string, string, string, string)
}, p *cradle.Product, class *string) {
	fs.StringVar(&p.Name, "name", "", "product name (unique)")
	fs.StringVar(&p.Description, "description", "", "what the product is")
	fs.StringVar(&p.Manufacturer, "manufacturer", "", "manufacturer name and address")
	fs.StringVar(&p.IntendedPurpose, "purpose", "", "intended purpose (CRA Annex II (4))")
	fs.StringVar(class, "class", "default", "CRA class: default, important-class-i, important-class-ii, critical")
	fs.StringVar(&p.SupportStart, "support-start", "", "start of the support period, YYYY-MM-DD")
	fs.StringVar(&p.SupportEnd, "support-end", "", "end of the support period, YYYY-MM-DD (CRA Art. 13(8): at least 5 years unless use is shorter)")
	fs.StringVar(&p.SupportRationale, "support-rationale", "", "why the support period has this length (Annex VII (4))")
}

func productCreate(e *env, args []string) error {
	var p cradle.Product
	var class string
	fs := e.flags("product create", "product create --name NAME [flags]", "Create a product.")
	productFlags(fs, &p, &class)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if p.Name == "" && len(rest) == 1 {
		p.Name, rest = rest[0], nil
	}
	if len(rest) > 0 {
		return usagef("unexpected arguments %q", rest)
	}
	p.Class = cradle.CRAClass(class)
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateProduct(e.ctx, cliActor(), &p); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(p)
	}
	fmt.Fprintf(e.stdout, "Created product %q (%s).\n", p.Name, p.Class.Label())
	return nil
}

func productUpdate(e *env, args []string) error {
	fs := e.flags("product update", "product update NAME [flags]", "Change a product's fields. Fields not given keep their values.")
	var in cradle.Product
	var class string
	productFlags(fs, &in, &class)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("product update needs the product's current NAME")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Product(e.ctx, rest[0])
	if err != nil {
		return err
	}
	set := setFlags(fs)
	for name, f := range map[string]struct{ dst, src *string }{"name": {&p.Name, &in.Name}, "description": {&p.Description, &in.Description},
		"manufacturer": {&p.Manufacturer, &in.Manufacturer}, "purpose": {&p.IntendedPurpose, &in.IntendedPurpose},
		"support-start": {&p.SupportStart, &in.SupportStart}, "support-end": {&p.SupportEnd, &in.SupportEnd},
		"support-rationale": {&p.SupportRationale, &in.SupportRationale}} {
		if set[name] {
			*f.dst = *f.src
		}
	}
	if set["class"] {
		p.Class = cradle.CRAClass(class)
	}
	if err := db.UpdateProduct(e.ctx, cliActor(), rest[0], p); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(p)
	}
	fmt.Fprintf(e.stdout, "Updated product %q.\n", p.Name)
	return nil
}

func productList(e *env, args []string) error {
	fs := e.flags("product list", "product list", "List products.")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListProducts(e.ctx, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	if total == 0 {
		fmt.Fprintln(e.stdout, "No products yet. Create one with: cradle product create --name NAME (or load a sample with: cradle demo)")
		return nil
	}
	rows := make([][]string, 0, len(items))
	for _, p := range items {
		rows = append(rows, []string{p.Name, p.Class.Label(), p.Manufacturer, dateOr(p.SupportEnd, "-"), strconv.Itoa(p.ReleaseCount)})
	}
	e.table([]string{"NAME", "CRA CLASS", "MANUFACTURER", "SUPPORT END", "RELEASES"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func productShow(e *env, args []string) error {
	fs := e.flags("product show", "product show NAME", "Show a product and its releases.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("product show needs exactly one product NAME")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Product(e.ctx, rest[0])
	if err != nil {
		return err
	}
	rels, _, err := db.ListReleases(e.ctx, p.Name, cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"product": p, "releases": nonNil(rels)})
	}
	support := "not declared"
	if p.SupportEnd != "" {
		support = fmt.Sprintf("%s to %s (%.1f years)", dateOr(p.SupportStart, "?"), p.SupportEnd, p.SupportYears())
	}
	e.fields([][2]string{
		{"Product", p.Name}, {"Description", p.Description}, {"Manufacturer", p.Manufacturer},
		{"Intended purpose", p.IntendedPurpose}, {"CRA class", p.Class.Label()},
		{"Support period", support}, {"Support rationale", p.SupportRationale},
	})
	fmt.Fprintln(e.stdout)
	if len(rels) == 0 {
		fmt.Fprintf(e.stdout, "No releases. Add one with: cradle release create --product %q --version VERSION\n", p.Name)
		return nil
	}
	rows := make([][]string, 0, len(rels))
	for _, r := range rels {
		rows = append(rows, []string{r.Version, dateOr(r.ReleaseDate, "-"), r.Lifecycle.Label(), strconv.Itoa(r.ComponentCount)})
	}
	e.table([]string{"VERSION", "RELEASED", "LIFECYCLE", "COMPONENTS"}, rows)
	return nil
}

func runRelease(e *env, args []string) error {
	return subcommand(e, "release", args, map[string]func(*env, []string) error{
		"create": releaseCreate, "list": releaseList, "show": releaseShow, "update": releaseUpdate,
	})
}

func releaseCreate(e *env, args []string) error {
	fs := e.flags("release create", "release create --product NAME --version VERSION [flags]", "Create a release of a product.")
	product := fs.String("product", "", "product name")
	var r cradle.Release
	var lc string
	fs.StringVar(&r.Version, "version", "", "version, as shipped")
	fs.StringVar(&r.ReleaseDate, "date", "", "release date, YYYY-MM-DD")
	fs.StringVar(&lc, "lifecycle", "development", "development, released, end-of-support, withdrawn")
	existOK := fs.Bool("exist-ok", false, "succeed without change when the release already exists (pipelines that run again)")
	server := e.remoteFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || r.Version == "" {
		return usagef("release create needs --product and --version")
	}
	r.Lifecycle = cradle.Lifecycle(lc)
	c, err := server()
	if err != nil {
		return err
	}
	if c != nil {
		body, _ := json.Marshal(map[string]any{"version": r.Version, "release_date": r.ReleaseDate, "lifecycle": r.Lifecycle})
		err = c.call(e, http.MethodPost, "/api/v1/products/"+url.PathEscape(*product)+"/releases", nil, body, "application/json", &r)
	} else {
		db, oerr := e.open()
		if oerr != nil {
			return oerr
		}
		defer db.Close()
		err = db.CreateRelease(e.ctx, cliActor(), *product, &r)
	}
	if cradle.ErrorCode(err) == cradle.EConflict && *existOK {
		fmt.Fprintf(e.stderr, "Release %s %s already exists: unchanged.\n", *product, r.Version)
		return nil
	}
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "Created release %s %s (%s).\n", r.ProductName, r.Version, r.Lifecycle.Label())
	return nil
}

func releaseUpdate(e *env, args []string) error {
	fs := e.flags("release update", "release update --product NAME --version VERSION [--date D] [--lifecycle L] [--new-version V]", "Change a release.")
	product := fs.String("product", "", "product name")
	version := fs.String("version", "", "version")
	newVersion := fs.String("new-version", "", "rename the version")
	date := fs.String("date", "", "release date, YYYY-MM-DD")
	lc := fs.String("lifecycle", "", "development, released, end-of-support, withdrawn")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *version == "" {
		return usagef("release update needs --product and --version")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Release(e.ctx, *product, *version)
	if err != nil {
		return err
	}
	set := setFlags(fs)
	if set["date"] {
		r.ReleaseDate = *date
	}
	if set["lifecycle"] {
		r.Lifecycle = cradle.Lifecycle(*lc)
	}
	if set["new-version"] {
		r.Version = *newVersion
	}
	if err := db.UpdateRelease(e.ctx, cliActor(), *product, *version, r); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(r)
	}
	fmt.Fprintf(e.stdout, "Updated release %s %s (%s).\n", r.ProductName, r.Version, r.Lifecycle.Label())
	return nil
}

func releaseList(e *env, args []string) error {
	fs := e.flags("release list", "release list --product NAME", "List a product's releases, newest first.")
	product := fs.String("product", "", "product name")
	pg := pageFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *product == "" && len(rest) == 1 {
		*product = rest[0]
	}
	if *product == "" {
		return usagef("release list needs --product")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListReleases(e.ctx, *product, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	rows := make([][]string, 0, len(items))
	for _, r := range items {
		rows = append(rows, []string{r.Version, dateOr(r.ReleaseDate, "-"), r.Lifecycle.Label(), strconv.Itoa(r.ComponentCount)})
	}
	e.table([]string{"VERSION", "RELEASED", "LIFECYCLE", "COMPONENTS"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func releaseShow(e *env, args []string) error {
	fs := e.flags("release show", "release show --product NAME --version VERSION", "Show a release, its SBOM and its direct dependencies.")
	product := fs.String("product", "", "product name")
	version := fs.String("version", "", "version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *product == "" || *version == "" {
		return usagef("release show needs --product and --version")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.Release(e.ctx, *product, *version)
	if err != nil {
		return err
	}
	docs, _, err := db.ListSBOMs(e.ctx, *product, *version, cradle.Page{PerPage: 1})
	if err != nil {
		return err
	}
	if e.json {
		out := map[string]any{"release": r}
		if len(docs) > 0 && docs[0].Current {
			out["sbom"] = docs[0]
		}
		return e.printJSON(out)
	}
	kv := [][2]string{{"Product", r.ProductName}, {"Version", r.Version}, {"Release date", dateOr(r.ReleaseDate, "-")},
		{"Lifecycle", r.Lifecycle.Label()}, {"Components", strconv.Itoa(r.ComponentCount)}}
	if len(docs) > 0 && docs[0].Current {
		d := docs[0]
		kv = append(kv, [2]string{"SBOM", fmt.Sprintf("#%d %s %s (%s), %d components, %d edges", d.ID, d.Format, d.SpecVersion, d.Encoding, d.ComponentCount, d.EdgeCount)},
			[2]string{"SBOM SHA-256", d.SHA256}, [2]string{"Imported", d.ImportedAt.Format("2006-01-02 15:04 MST") + " by " + d.ImportedBy})
	} else {
		kv = append(kv, [2]string{"SBOM", "none: import one with cradle sbom import"})
	}
	e.fields(kv)
	return nil
}

func pageFlags(fs interface {
	IntVar(*int, string, int, string)
}) *cradle.Page {
	pg := &cradle.Page{}
	fs.IntVar(&pg.Number, "page", 1, "page number")
	fs.IntVar(&pg.PerPage, "per-page", 100, "items per page (at most 500)")
	return pg
}

func (e *env) footer(shown, total int, pg cradle.Page) {
	if total > shown {
		pg = pg.Normalize()
		fmt.Fprintf(e.stdout, "\nShowing %d of %d (page %d; use --page and --per-page for more).\n", shown, total, pg.Number)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
