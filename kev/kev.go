// Package kev owns reading the CISA Known Exploited Vulnerabilities
// catalog (https://www.cisa.gov/known-exploited-vulnerabilities-catalog),
// the main public signal that a vulnerability is being exploited.
//
// Decode reads the catalog's JSON feed and checks it against the rules of
// CISA's JSON schema (required fields, CVE and CWE ID patterns, dates) and
// a few the schema leaves out: the count must match the entries, a CVE may
// be listed once, and required text may not be empty. Fields the schema
// does not define are ignored, so that a catalog with a new field still
// reads. Every rejection is an EInvalid [cradle.Error] whose problems say
// where: "name:12:5" for JSON syntax, "name:/vulnerabilities/3/dueDate" (a
// JSON pointer) for everything else.
package kev

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
)

// Catalog is one release of the KEV catalog.
type Catalog struct {
	Title           string
	CatalogVersion  string    // "2025.08.25"
	DateReleased    time.Time // UTC
	Count           int       // equal to len(Vulnerabilities)
	Vulnerabilities []Entry
}

// Entry is one known exploited vulnerability.
type Entry struct {
	CVEID             string // "CVE-2025-48384"
	VendorProject     string
	Product           string
	VulnerabilityName string
	DateAdded         time.Time // a date: midnight UTC
	ShortDescription  string
	RequiredAction    string
	DueDate           time.Time // a date: midnight UTC
	// KnownRansomwareCampaignUse is "Known" when CISA knows of ransomware
	// campaigns using the vulnerability, "Unknown" otherwise; other values
	// are kept as they are.
	KnownRansomwareCampaignUse string
	Notes                      string
	CWEs                       []string // "CWE-59"
}

// KnownRansomware reports whether CISA knows of ransomware campaigns that
// use the vulnerability.
func (e Entry) KnownRansomware() bool { return e.KnownRansomwareCampaignUse == "Known" }

// MaxSize is the largest catalog ReadFile reads: the catalog of August
// 2025 (1,404 entries) is 1.2 MB.
const MaxSize = 64 << 20

// maxProblems bounds how many problems one catalog collects.
const maxProblems = 100

// ReadFile reads and decodes the catalog at path; path is the name in
// error locations.
func ReadFile(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, cradle.Errorf(cradle.ETooLarge, "%s is larger than the limit of %d MiB for a KEV catalog", path, MaxSize>>20)
	}
	return Decode(path, data)
}

// Decode reads a KEV catalog in CISA's JSON format. name is used in error
// locations (it may be empty).
func Decode(name string, data []byte) (*Catalog, error) {
	tree, p := parse(name, data)
	if p != nil {
		return nil, invalid(name, []cradle.Problem{*p})
	}
	d := decoder{name: name}
	c := d.catalog(tree)
	if len(d.problems) > 0 {
		return nil, invalid(name, d.problems)
	}
	return c, nil
}

// parse reads data as exactly one JSON value in valid UTF-8 (encoding/json
// would silently replace invalid bytes).
func parse(name string, data []byte) (any, *cradle.Problem) {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, &cradle.Problem{Location: atOffset(name, data, off), Message: fmt.Sprintf("expected UTF-8 text, found the invalid byte 0x%02x", data[off])}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, &cradle.Problem{Location: atOffset(name, data, int(max(0, syn.Offset-1))), Message: "invalid JSON: " + syn.Error()}
		case errors.Is(err, io.EOF):
			return nil, &cradle.Problem{Location: at(name, ""), Message: "expected a JSON object, found an empty document"}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &cradle.Problem{Location: atOffset(name, data, len(data)), Message: "invalid JSON: the document ends inside a value (truncated?)"}
		default:
			return nil, &cradle.Problem{Location: at(name, ""), Message: "invalid JSON: " + err.Error()}
		}
	}
	if off := int(dec.InputOffset()); len(bytes.TrimLeft(data[off:], " \t\r\n")) > 0 {
		off = len(data) - len(bytes.TrimLeft(data[off:], " \t\r\n"))
		return nil, &cradle.Problem{Location: atOffset(name, data, off), Message: "expected the end of the document after the JSON value, found more data"}
	}
	return tree, nil
}

var (
	cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)
	cweID = regexp.MustCompile(`^CWE-[0-9]+$`)
)

// decoder collects the problems of one catalog while building it.
type decoder struct {
	name     string
	problems []cradle.Problem
}

func (d *decoder) bad(ptr, format string, args ...any) {
	if len(d.problems) < maxProblems {
		d.problems = append(d.problems, cradle.Problem{Location: at(d.name, ptr), Message: fmt.Sprintf(format, args...)})
	}
}

func (d *decoder) catalog(tree any) *Catalog {
	root, ok := tree.(map[string]any)
	if !ok {
		d.bad("", "expected a JSON object (the KEV catalog), found %s", kind(tree))
		return nil
	}
	c := &Catalog{
		Title:          d.str(root, "", "title", false),
		CatalogVersion: d.str(root, "", "catalogVersion", true),
	}
	if s := d.str(root, "", "dateReleased", true); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			d.bad("/dateReleased", "expected an RFC 3339 date and time such as \"2025-08-25T17:04:19.9796Z\", found %s", quote(s))
		}
		c.DateReleased = t.UTC()
	}
	switch n := root["count"].(type) {
	case nil:
		d.bad("", `expected the required property "count", found none`)
	case json.Number:
		i, err := strconv.Atoi(n.String())
		if err != nil || i < 0 {
			d.bad("/count", "expected a whole number of entries, found %s", n)
		}
		c.Count = i
	default:
		d.bad("/count", "expected a number, found %s", kind(n))
	}
	list, ok := root["vulnerabilities"].([]any)
	switch {
	case root["vulnerabilities"] == nil:
		d.bad("", `expected the required property "vulnerabilities", found none`)
	case !ok:
		d.bad("/vulnerabilities", "expected an array, found %s", kind(root["vulnerabilities"]))
	}
	seen := make(map[string]int, len(list))
	for i, item := range list {
		ptr := "/vulnerabilities/" + strconv.Itoa(i)
		e, ok := d.entry(ptr, item)
		if !ok {
			continue
		}
		if first, dup := seen[e.CVEID]; dup {
			d.bad(ptr+"/cveID", "expected each CVE once, found %s again (first at /vulnerabilities/%d)", e.CVEID, first)
			continue
		}
		seen[e.CVEID] = i
		c.Vulnerabilities = append(c.Vulnerabilities, e)
	}
	if _, ok := root["count"].(json.Number); ok && list != nil && c.Count != len(list) {
		d.bad("/count", "expected the number of entries in the catalog (%d), found %d", len(list), c.Count)
	}
	return c
}

// required names the fields every entry must have, as CISA's schema does.
var required = []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription", "requiredAction", "dueDate"}

func (d *decoder) entry(ptr string, item any) (Entry, bool) {
	m, ok := item.(map[string]any)
	if !ok {
		d.bad(ptr, "expected an object (a catalog entry), found %s", kind(item))
		return Entry{}, false
	}
	before := len(d.problems)
	s := map[string]string{}
	for _, k := range required {
		s[k] = d.str(m, ptr, k, true)
	}
	e := Entry{
		CVEID:                      s["cveID"],
		VendorProject:              s["vendorProject"],
		Product:                    s["product"],
		VulnerabilityName:          s["vulnerabilityName"],
		ShortDescription:           s["shortDescription"],
		RequiredAction:             s["requiredAction"],
		KnownRansomwareCampaignUse: d.str(m, ptr, "knownRansomwareCampaignUse", false),
		Notes:                      d.str(m, ptr, "notes", false),
		DateAdded:                  d.date(ptr, "dateAdded", s["dateAdded"]),
		DueDate:                    d.date(ptr, "dueDate", s["dueDate"]),
	}
	if e.CVEID != "" && !cveID.MatchString(e.CVEID) {
		d.bad(ptr+"/cveID", "expected a CVE ID such as \"CVE-2025-48384\", found %s", quote(e.CVEID))
	}
	switch cwes := m["cwes"].(type) {
	case nil:
	case []any:
		for j, c := range cwes {
			id, ok := c.(string)
			if !ok || !cweID.MatchString(id) {
				d.bad(ptr+"/cwes/"+strconv.Itoa(j), "expected a CWE ID such as \"CWE-79\", found %s", display(c))
				continue
			}
			e.CWEs = append(e.CWEs, id)
		}
	default:
		d.bad(ptr+"/cwes", "expected an array of CWE IDs, found %s", kind(cwes))
	}
	return e, len(d.problems) == before
}

// str returns m[key] as a string, reporting a missing or empty required
// value and a value of another type.
func (d *decoder) str(m map[string]any, ptr, key string, required bool) string {
	v, present := m[key]
	if !present || v == nil {
		if required {
			d.bad(ptr, "expected the required property %s, found none", quote(key))
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		d.bad(ptr+"/"+key, "expected a string, found %s", kind(v))
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		d.bad(ptr+"/"+key, "expected a non-empty string, found %s", quote(s))
	}
	return s
}

func (d *decoder) date(ptr, key, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		d.bad(ptr+"/"+key, "expected a date in the form YYYY-MM-DD, found %s", quote(s))
	}
	return t
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func display(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	return kind(v)
}

// quote shows a value from the catalog in a message, shortened.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return strconv.Quote(s)
}

// at renders a location: "name:/vulnerabilities/3/cveID".
func at(name, ptr string) string {
	switch {
	case ptr == "" && name == "":
		return "/"
	case ptr == "":
		return name
	case name == "":
		return ptr
	}
	return name + ":" + ptr
}

// atOffset locates a byte offset as "name:line:column" (1-based, the
// column in characters).
func atOffset(name string, data []byte, off int) string {
	off = max(0, min(off, len(data)))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte{'\n'})
	col := 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	if name == "" {
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

func invalid(name string, problems []cradle.Problem) *cradle.Error {
	subject := "the document"
	if name != "" {
		subject = name
	}
	msg := subject + " is not a valid KEV catalog"
	if n := len(problems); n > 1 {
		msg += fmt.Sprintf(" (%d problems)", n)
	}
	return cradle.Invalid(msg, problems...)
}
