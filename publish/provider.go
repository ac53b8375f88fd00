package publish

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/csafspec"
)

// Publisher is the publisher object of provider-metadata.json, the same
// as a CSAF document's /document/publisher (CSAF 2.0 §3.2.1.8).
type Publisher struct {
	Name             string
	Namespace        string // URL of the publisher's namespace, e.g. https://psirt.example.com
	Category         string // coordinator, discoverer, other, translator, user or vendor
	ContactDetails   string // optional
	IssuingAuthority string // optional
}

// Provider describes the issuing party of a CSAF trusted provider
// (CSAF 2.0 §7.2.3).
type Provider struct {
	// CanonicalURL is the https URL of the folder that holds
	// provider-metadata.json, normally https://<domain>/.well-known/csaf
	// (§7.1.9); the URL of provider-metadata.json itself is accepted too.
	// Every URL in the tree is absolute under it.
	CanonicalURL string
	Publisher    Publisher
	// Role is csaf_trusted_provider when empty; csaf_provider and
	// csaf_publisher are accepted (the tree satisfies all three).
	Role string
	// Key signs every document; its public part is published under
	// openpgp/<FINGERPRINT>.asc (§7.1.19, §7.1.20).
	Key *Key
	// LastUpdated is provider-metadata.json's last_updated; required,
	// so that building the same input twice gives the same metadata.
	LastUpdated time.Time
	// NotListed and NotMirrored ask CSAF aggregators not to list or not
	// to mirror the documents (list_on_CSAF_aggregators and
	// mirror_on_CSAF_aggregators false, §7.2); both are true by default.
	NotListed, NotMirrored bool
}

// Doc is one CSAF 2.0 document to publish. JSON is required and is
// published byte for byte; the other fields are read from it when left
// zero and must agree with it when given.
type Doc struct {
	TrackingID         string // /document/tracking/id
	TLP                string // WHITE, GREEN, AMBER or RED; CLEAR is taken as WHITE
	Title              string // /document/title
	InitialReleaseDate time.Time
	CurrentReleaseDate time.Time
	JSON               []byte
}

// File is one file of a Tree.
type File struct {
	Data []byte
	// TLP is the distribution the file belongs to: WHITE, GREEN, AMBER or
	// RED; empty for the provider-level files (provider-metadata.json,
	// service.json, the public key), which are public.
	TLP         string
	ContentType string
}

// Tree is a CSAF provider's file tree: slash-separated paths relative to
// Provider.CanonicalURL → files.
//
// Layout (the one gocsaf's csaf_provider writes, which CISA's follows):
//
//	provider-metadata.json           the metadata (§7.1.7), validated against the OASIS schema
//	service.json                     ROLIE service document listing every feed (§7.1.16)
//	openpgp/<FINGERPRINT>.asc        the public key (§7.1.20)
//	<tlp>/                           one distribution per TLP: white, green, amber, red
//	<tlp>/csaf-feed-tlp-<tlp>.json   ROLIE feed (§7.1.15)
//	<tlp>/category-<tlp>.json        ROLIE category document: the document categories (§7.1.17)
//	<tlp>/index.txt                  every document, "2024/x.json" (§7.1.12)
//	<tlp>/changes.csv                "2024/x.json","<current_release_date>", newest first (§7.1.13)
//	<tlp>/<YYYY>/<name>.json         the document, in the year of its initial_release_date (§7.1.11)
//	<tlp>/<YYYY>/<name>.json.sha256  and .sha512: "<hex>  <name>.json" (§7.1.18)
//	<tlp>/<YYYY>/<name>.json.asc     armored detached signature (§7.1.19)
//
// The white distribution always exists, empty or not, because §7.1.15
// requires a TLP:WHITE, TLP:GREEN or unlabeled feed.
type Tree map[string]File

// Content types. csaf_checker insists on exactly "application/json" for
// documents, without a charset parameter (JSON is UTF-8 by definition).
const (
	typeJSON      = "application/json"
	typeText      = "text/plain; charset=utf-8"
	typeCSV       = "text/csv; charset=utf-8"
	typeSignature = "application/pgp-signature"
	typeKeys      = "application/pgp-keys"
)

const (
	rolieInfoType = "urn:ietf:params:rolie:category:information-type"
	metadataFile  = "provider-metadata.json"
	serviceFile   = "service.json"
)

// tlps lists the TLP labels in order of restriction, with their folders.
var tlps = []struct{ label, dir string }{
	{"WHITE", "white"}, {"GREEN", "green"}, {"AMBER", "amber"}, {"RED", "red"},
}

func tlpDir(label string) string {
	for _, t := range tlps {
		if t.label == label {
			return t.dir
		}
	}
	return ""
}

// normalTLP maps a label as written by a user or a CSAF 2.1 document to
// the CSAF 2.0 label: TLP 2.0's CLEAR is TLP 1.0's WHITE; TLP 2.0's
// AMBER+STRICT has no CSAF 2.0 equivalent and is refused.
func normalTLP(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "TLP:"))
	if s == "CLEAR" {
		return "WHITE"
	}
	if tlpDir(s) == "" {
		return ""
	}
	return s
}

// FileName returns the file name CSAF 2.0 §5.1 gives a document with this
// tracking ID: lower-cased, every run of characters other than + - a-z
// 0-9 replaced by one "_", ".json" appended.
func FileName(trackingID string) string { return csafspec.Filename(trackingID) }

// csafMeta is what Build reads from a document.
type csafMeta struct {
	Document struct {
		Category     string `json:"category"`
		Title        string `json:"title"`
		Distribution struct {
			TLP struct {
				Label string `json:"label"`
			} `json:"tlp"`
		} `json:"distribution"`
		Tracking struct {
			ID                 string `json:"id"`
			InitialReleaseDate string `json:"initial_release_date"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
	} `json:"document"`
}

// entry is a document ready to be placed.
type entry struct {
	Doc
	category string
	dir      string // tlp folder
	path     string // <tlp>/<year>/<name>.json
	rel      string // <year>/<name>.json, as index.txt and changes.csv list it
}

// Build returns the complete trusted-provider tree for docs, each signed
// with p.Key. It checks the provider and every document first and
// returns one *cradle.Error (code invalid) listing every problem,
// located as "provider/..." or "documents[i] (tracking id)/...". It does
// not validate the documents against the CSAF schema or run the CSAF
// mandatory tests: that is the csaf package's job, before publishing.
// provider-metadata.json is validated against the embedded OASIS schema.
//
// Everything but the .asc files is a function of the input; signatures
// carry the time they were made.
func Build(p Provider, docs []Doc) (Tree, error) {
	base, problems := checkProvider(&p)
	entries, docProblems := checkDocs(docs)
	problems = append(problems, docProblems...)
	if len(problems) > 0 {
		return nil, cradle.Invalid("cannot build the CSAF provider tree", problems...)
	}

	t := Tree{}
	byTLP := map[string][]*entry{"WHITE": nil}
	for _, e := range entries {
		sig, err := p.Key.SignDetached(e.JSON)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", e.path, err)
		}
		name := e.path[strings.LastIndexByte(e.path, '/')+1:]
		t[e.path] = File{Data: e.JSON, TLP: e.TLP, ContentType: typeJSON}
		t[e.path+".sha256"] = File{Data: fmt.Appendf(nil, "%x  %s\n", sha256.Sum256(e.JSON), name), TLP: e.TLP, ContentType: typeText}
		t[e.path+".sha512"] = File{Data: fmt.Appendf(nil, "%x  %s\n", sha512.Sum512(e.JSON), name), TLP: e.TLP, ContentType: typeText}
		t[e.path+".asc"] = File{Data: sig, TLP: e.TLP, ContentType: typeSignature}
		byTLP[e.TLP] = append(byTLP[e.TLP], e)
	}

	var feeds []feedRef
	var dirs, categories []string
	for _, tl := range tlps {
		list, ok := byTLP[tl.label]
		if !ok {
			continue
		}
		// Newest first, as changes.csv must be; ties by path, so that
		// the output does not depend on the input order.
		slices.SortFunc(list, func(a, b *entry) int {
			if c := b.CurrentReleaseDate.Compare(a.CurrentReleaseDate); c != 0 {
				return c
			}
			return cmp.Compare(a.path, b.path)
		})
		dirURL := base + "/" + tl.dir + "/"
		var index, changes bytes.Buffer
		rels := make([]string, 0, len(list))
		for _, e := range list {
			rels = append(rels, e.rel)
			fmt.Fprintf(&changes, "%q,%q\n", e.rel, rfc3339(e.CurrentReleaseDate))
		}
		slices.Sort(rels)
		for _, r := range rels {
			index.WriteString(r + "\n")
		}
		t[tl.dir+"/index.txt"] = File{Data: index.Bytes(), TLP: tl.label, ContentType: typeText}
		t[tl.dir+"/changes.csv"] = File{Data: changes.Bytes(), TLP: tl.label, ContentType: typeCSV}

		feedName := "csaf-feed-tlp-" + tl.dir + ".json"
		feedURL := dirURL + feedName
		f := rolieFeed{Feed: feedData{
			ID:       "csaf-feed-tlp-" + tl.dir,
			Title:    p.Publisher.Name + " CSAF feed (TLP:" + tl.label + ")",
			Link:     []link{{Rel: "self", HRef: feedURL}, {Rel: "service", HRef: base + "/" + serviceFile}},
			Category: []category{{Scheme: rolieInfoType, Term: "csaf"}},
			Entry:    []feedEntry{},
		}}
		// A feed is at least as recent as its newest entry.
		updated := p.LastUpdated
		cats := map[string]bool{}
		for _, e := range list {
			if e.CurrentReleaseDate.After(updated) {
				updated = e.CurrentReleaseDate
			}
			u := base + "/" + e.path
			fe := feedEntry{
				ID:    e.TrackingID,
				Title: e.Title,
				Link: []link{
					{Rel: "self", HRef: u},
					{Rel: "hash", HRef: u + ".sha256"},
					{Rel: "hash", HRef: u + ".sha512"},
					{Rel: "signature", HRef: u + ".asc"},
				},
				Published: rfc3339(e.InitialReleaseDate),
				Updated:   rfc3339(e.CurrentReleaseDate),
				Content:   content{Type: typeJSON, Src: u},
				Format:    format{Schema: csafspec.CSAFSchemaURL, Version: "2.0"},
			}
			if e.category != "" {
				fe.Category = []category{{Term: e.category}}
				cats[e.category] = true
			}
			f.Feed.Entry = append(f.Feed.Entry, fe)
		}
		f.Feed.Updated = rfc3339(updated)
		data, err := marshal(f)
		if err != nil {
			return nil, err
		}
		t[tl.dir+"/"+feedName] = File{Data: data, TLP: tl.label, ContentType: typeJSON}
		dirs = append(dirs, dirURL)
		feeds = append(feeds, feedRef{
			Summary:  "TLP:" + tl.label + " advisories of " + p.Publisher.Name,
			TLPLabel: tl.label,
			URL:      feedURL,
		})
		if len(cats) > 0 {
			var cd categoryDocument
			for _, c := range slices.Sorted(maps.Keys(cats)) {
				cd.Categories.Category = append(cd.Categories.Category, category{Term: c})
			}
			name := "category-" + tl.dir + ".json"
			if data, err = marshal(cd); err != nil {
				return nil, err
			}
			t[tl.dir+"/"+name] = File{Data: data, TLP: tl.label, ContentType: typeJSON}
			categories = append(categories, dirURL+name)
		}
	}

	svc := serviceDocument{}
	ws := workspace{Title: p.Publisher.Name + " CSAF feeds"}
	for _, f := range feeds {
		ws.Collection = append(ws.Collection, collection{
			Title:      p.Publisher.Name + " CSAF feed (TLP:" + f.TLPLabel + ")",
			HRef:       f.URL,
			Categories: collectionCategories{Category: []category{{Scheme: rolieInfoType, Term: "csaf"}}},
		})
	}
	svc.Service.Workspace = []workspace{ws}
	data, err := marshal(svc)
	if err != nil {
		return nil, err
	}
	t[serviceFile] = File{Data: data, ContentType: typeJSON}

	fp := p.Key.Fingerprint()
	keyPath := "openpgp/" + fp + ".asc"
	t[keyPath] = File{Data: p.Key.ArmoredPublic(), ContentType: typeKeys}

	pmd := providerMetadata{
		CanonicalURL:  base + "/" + metadataFile,
		LastUpdated:   rfc3339(p.LastUpdated),
		List:          !p.NotListed,
		Mirror:        !p.NotMirrored,
		Version:       "2.0",
		Keys:          []pgpKey{{Fingerprint: fp, URL: base + "/" + keyPath}},
		Publisher:     publisherJSON(p.Publisher),
		Role:          p.Role,
		Distributions: []distribution{{ROLIE: &rolie{Feeds: feeds, Services: []string{base + "/" + serviceFile}, Categories: categories}}},
	}
	// The directory-based distribution too (§7.1.11-14): consumers may
	// use either, and csaf_checker cross-checks the feeds with
	// index.txt and changes.csv.
	for _, d := range dirs {
		pmd.Distributions = append(pmd.Distributions, distribution{DirectoryURL: d})
	}
	data, err = marshal(pmd)
	if err != nil {
		return nil, err
	}
	if err := validateMetadata(data); err != nil {
		return nil, err
	}
	t[metadataFile] = File{Data: data, ContentType: typeJSON}
	return t, nil
}

// rfc3339 formats t in UTC with as many fractional digits as it has:
// csaf_checker compares changes.csv with current_release_date as instants,
// so a fraction must not be dropped.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var publisherCategories = []string{"coordinator", "discoverer", "other", "translator", "user", "vendor"}

// checkProvider validates p, fills the defaults and returns the base URL
// (no trailing slash).
func checkProvider(p *Provider) (string, []cradle.Problem) {
	var problems []cradle.Problem
	bad := func(loc, format string, args ...any) {
		problems = append(problems, cradle.Problem{Location: "provider/" + loc, Message: fmt.Sprintf(format, args...)})
	}
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(p.CanonicalURL), "/"+metadataFile), "/")
	u, err := url.Parse(base)
	switch {
	case base == "":
		bad("canonical_url", "the https URL of the folder of provider-metadata.json is required, e.g. https://example.com/.well-known/csaf")
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		bad("canonical_url", "%q must be a plain https:// URL (CSAF 2.0 §7.1.3, §7.1.9)", p.CanonicalURL)
	}
	pub := p.Publisher
	if strings.TrimSpace(pub.Name) == "" {
		bad("publisher/name", "is required")
	}
	if !slices.Contains(publisherCategories, pub.Category) {
		bad("publisher/category", "%q is not one of %s", pub.Category, strings.Join(publisherCategories, ", "))
	}
	if u, err := url.Parse(pub.Namespace); err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
		bad("publisher/namespace", "%q is not an absolute URL", pub.Namespace)
	}
	switch p.Role {
	case "":
		p.Role = "csaf_trusted_provider"
	case "csaf_trusted_provider", "csaf_provider", "csaf_publisher":
	default:
		bad("role", "%q is not csaf_publisher, csaf_provider or csaf_trusted_provider", p.Role)
	}
	if p.Key == nil {
		bad("key", "an OpenPGP key is required to sign the documents (CSAF 2.0 §7.1.19)")
	}
	if p.LastUpdated.IsZero() {
		bad("last_updated", "is required")
	}
	return base, problems
}

func publisherJSON(p Publisher) publisher {
	return publisher{
		Category:         p.Category,
		ContactDetails:   p.ContactDetails,
		IssuingAuthority: p.IssuingAuthority,
		Name:             p.Name,
		Namespace:        p.Namespace,
	}
}

// checkDocs reads, completes and cross-checks every document.
func checkDocs(docs []Doc) ([]*entry, []cradle.Problem) {
	var problems []cradle.Problem
	var entries []*entry
	byName := map[string]int{}
	for i, d := range docs {
		where := fmt.Sprintf("documents[%d]", i)
		if d.TrackingID != "" {
			where += " (" + d.TrackingID + ")"
		}
		bad := func(loc, format string, args ...any) {
			problems = append(problems, cradle.Problem{Location: where + loc, Message: fmt.Sprintf(format, args...)})
		}
		if len(d.JSON) == 0 {
			bad("", "the document's JSON is required")
			continue
		}
		if !utf8.Valid(d.JSON) {
			bad("", "the document is not valid UTF-8")
			continue
		}
		var m csafMeta
		if err := json.Unmarshal(d.JSON, &m); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				bad("/"+strings.ReplaceAll(te.Field, ".", "/"), "expected a %s, found a %s", te.Type, te.Value)
			} else {
				bad("", "not a JSON document: %v", err)
			}
			continue
		}
		doc := m.Document
		e := &entry{Doc: d, category: doc.Category}
		agree := func(loc string, given *string, found string, normal func(string) string) {
			switch {
			case *given == "":
				*given = found
			case found != "" && normal(*given) != normal(found):
				bad(loc, "%q is given but the document says %q", *given, found)
			}
		}
		same := func(s string) string { return s }
		agree("/document/tracking/id", &e.TrackingID, doc.Tracking.ID, same)
		agree("/document/title", &e.Title, doc.Title, same)
		agree("/document/distribution/tlp/label", &e.TLP, doc.Distribution.TLP.Label, normalTLP)
		date := func(loc string, given *time.Time, found string) {
			if found == "" {
				return
			}
			t, err := parseRFC3339(found)
			switch {
			case err != nil:
				bad(loc, "%q is not an RFC 3339 date-time", found)
			case given.IsZero():
				*given = t
			case !given.Equal(t):
				bad(loc, "%s is given but the document says %s", given.Format(time.RFC3339Nano), found)
			}
		}
		date("/document/tracking/initial_release_date", &e.InitialReleaseDate, doc.Tracking.InitialReleaseDate)
		date("/document/tracking/current_release_date", &e.CurrentReleaseDate, doc.Tracking.CurrentReleaseDate)

		n := len(problems)
		if e.TrackingID == "" {
			bad("/document/tracking/id", "is required")
		}
		if e.Title == "" {
			bad("/document/title", "is required")
		}
		if e.TLP == "" {
			bad("/document/distribution/tlp/label", "a TLP label is required to choose the distribution (WHITE, GREEN, AMBER or RED)")
		} else if normalTLP(e.TLP) == "" {
			bad("/document/distribution/tlp/label", "%q is not a CSAF 2.0 TLP label (WHITE, GREEN, AMBER, RED; CLEAR is taken as WHITE)", e.TLP)
		}
		if e.InitialReleaseDate.IsZero() {
			bad("/document/tracking/initial_release_date", "is required")
		} else if y := e.InitialReleaseDate.Year(); y < 1000 || y > 9999 {
			bad("/document/tracking/initial_release_date", "year %d does not make a YYYY folder", y)
		}
		if e.CurrentReleaseDate.IsZero() {
			bad("/document/tracking/current_release_date", "is required")
		}
		if len(problems) > n {
			continue
		}
		e.TLP = normalTLP(e.TLP)
		e.dir = tlpDir(e.TLP)
		name := FileName(e.TrackingID)
		// The year as written in initial_release_date (§7.1.11 "the
		// year given in the value"), not converted to UTC.
		e.rel = fmt.Sprintf("%04d/%s", e.InitialReleaseDate.Year(), name)
		e.path = e.dir + "/" + e.rel
		if j, dup := byName[name]; dup {
			bad("/document/tracking/id", "gives the file name %s, as documents[%d] does", name, j)
			continue
		}
		byName[name] = i
		entries = append(entries, e)
	}
	return entries, problems
}

// validateMetadata checks provider-metadata.json against the OASIS
// schema. The input was checked already, so a failure here is a bug or an
// input the checks above miss; it is reported with its JSON pointer.
func validateMetadata(data []byte) error {
	s, err := providerSchema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	err = s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate provider-metadata.json: %w", err)
	}
	var problems []cradle.Problem
	for _, leaf := range leaves(ve, nil) {
		problems = append(problems, cradle.Problem{
			Location: "provider-metadata.json/" + strings.Join(leaf.InstanceLocation, "/"),
			Message:  describe(leaf.ErrorKind),
		})
	}
	return cradle.Invalid("provider-metadata.json does not validate against the CSAF provider metadata schema", problems...)
}

func leaves(e *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(out, e)
	}
	for _, c := range e.Causes {
		out = leaves(c, out)
	}
	return out
}

// describe words the schema errors the provider metadata can produce;
// others name their keyword.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Required:
		return "missing " + strings.Join(k.Missing, ", ")
	case *kind.Enum:
		return fmt.Sprintf("%v is not one of %v", k.Got, k.Want)
	case *kind.Format:
		return fmt.Sprintf("%v is not a valid %s", k.Got, k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("%q does not match %s", k.Got, k.Want)
	case *kind.Type:
		return fmt.Sprintf("expected %s, got %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("shorter than %d characters", k.Want)
	case *kind.AdditionalProperties:
		return "unexpected property " + strings.Join(k.Properties, ", ")
	}
	return "violates " + strings.Join(k.KeywordPath(), "/")
}

// The JSON documents, fields in alphabetical order like the OASIS
// examples.

type providerMetadata struct {
	CanonicalURL  string         `json:"canonical_url"`
	Distributions []distribution `json:"distributions"`
	LastUpdated   string         `json:"last_updated"`
	List          bool           `json:"list_on_CSAF_aggregators"`
	Version       string         `json:"metadata_version"`
	Mirror        bool           `json:"mirror_on_CSAF_aggregators"`
	Keys          []pgpKey       `json:"public_openpgp_keys"`
	Publisher     publisher      `json:"publisher"`
	Role          string         `json:"role"`
}

type distribution struct {
	DirectoryURL string `json:"directory_url,omitempty"`
	ROLIE        *rolie `json:"rolie,omitempty"`
}

type rolie struct {
	Categories []string  `json:"categories,omitempty"`
	Feeds      []feedRef `json:"feeds"`
	Services   []string  `json:"services,omitempty"`
}

type feedRef struct {
	Summary  string `json:"summary"`
	TLPLabel string `json:"tlp_label"`
	URL      string `json:"url"`
}

type pgpKey struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

type publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

// ROLIE (RFC 8322) in its JSON form, as CSAF 2.0 §7.1.15 shows it.

type rolieFeed struct {
	Feed feedData `json:"feed"`
}

type feedData struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Link     []link      `json:"link"`
	Category []category  `json:"category"`
	Updated  string      `json:"updated"`
	Entry    []feedEntry `json:"entry"`
}

type feedEntry struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Link      []link     `json:"link"`
	Published string     `json:"published"`
	Updated   string     `json:"updated"`
	Category  []category `json:"category,omitempty"`
	Content   content    `json:"content"`
	Format    format     `json:"format"`
}

type link struct {
	Rel  string `json:"rel"`
	HRef string `json:"href"`
}

type category struct {
	Scheme string `json:"scheme,omitempty"`
	Term   string `json:"term"`
}

type content struct {
	Type string `json:"type"`
	Src  string `json:"src"`
}

type format struct {
	Schema  string `json:"schema"`
	Version string `json:"version"`
}

type serviceDocument struct {
	Service struct {
		Workspace []workspace `json:"workspace"`
	} `json:"service"`
}

type workspace struct {
	Title      string       `json:"title"`
	Collection []collection `json:"collection"`
}

type collection struct {
	Title      string               `json:"title"`
	HRef       string               `json:"href"`
	Categories collectionCategories `json:"categories"`
}

type collectionCategories struct {
	Category []category `json:"category"`
}

type categoryDocument struct {
	Categories struct {
		Category []category `json:"category"`
	} `json:"categories"`
}
