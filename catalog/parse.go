package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// maxProblems bounds the problems one file collects: enough to fix a file
// in one go, not so many that a hostile one exhausts memory.
const maxProblems = 100

// maxDepth bounds nesting. A catalogue is four levels deep; encoding/json
// stops at 10000, which is far more than any file here needs.
const maxDepth = 32

// Parse reads a catalogue file. name is used in error locations (a file
// name; it may be empty). The file must be strict JSON (UTF-8, one value,
// no key twice in one object, no property the schema does not define)
// that satisfies schema/catalog.schema.json and the rules the schema
// cannot state (see the package documentation). Every rejection is an
// EInvalid *cradle.Error whose problems are located as "name:line:col"
// (syntax) or "name:/json/pointer".
func Parse(name string, data []byte) (*Catalog, error) {
	tree, p := parseStrict(name, data)
	if p != nil {
		return nil, invalid(name, "catalogue", []cradle.Problem{*p})
	}
	vs, err := validateSchema(catalogSchema, tree)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return nil, invalid(name, "catalogue", problemsOf(name, vs))
	}
	var c Catalog
	if p := decodeStrict(name, data, &c); p != nil {
		return nil, invalid(name, "catalogue", []cradle.Problem{*p})
	}
	if vs := c.check(); len(vs) > 0 {
		return nil, invalid(name, "catalogue", problemsOf(name, vs))
	}
	return &c, nil
}

// ParseCrosswalk reads a cross-walk file like Parse reads a catalogue,
// and checks every link against catalogs (by catalogue ID): both
// catalogues must be there and every ID must name a requirement or group
// of its catalogue.
func ParseCrosswalk(name string, data []byte, catalogs map[string]*Catalog) (*Crosswalk, error) {
	tree, p := parseStrict(name, data)
	if p != nil {
		return nil, invalid(name, "cross-walk", []cradle.Problem{*p})
	}
	vs, err := validateSchema(crosswalkSchema, tree)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return nil, invalid(name, "cross-walk", problemsOf(name, vs))
	}
	var x Crosswalk
	if p := decodeStrict(name, data, &x); p != nil {
		return nil, invalid(name, "cross-walk", []cradle.Problem{*p})
	}
	if vs := x.check(catalogs); len(vs) > 0 {
		return nil, invalid(name, "cross-walk", problemsOf(name, vs))
	}
	return &x, nil
}

// violation is one problem: where (JSON pointer tokens) and what.
type violation struct {
	path    []string
	message string
}

func at(msg string, path ...string) violation { return violation{path: path, message: msg} }

func problemsOf(name string, vs []violation) []cradle.Problem {
	slices.SortStableFunc(vs, func(a, b violation) int { return locate.ComparePaths(a.path, b.path) })
	ps := make([]cradle.Problem, 0, min(len(vs), maxProblems))
	for _, v := range vs {
		if len(ps) == maxProblems {
			break
		}
		ps = append(ps, cradle.Problem{Location: locate.AtPath(name, locate.Pointer(v.path...)), Message: v.message})
	}
	return ps
}

// invalid builds the error for a rejected file; what is "catalogue" or
// "cross-walk".
func invalid(name, what string, problems []cradle.Problem) *cradle.Error {
	subject := "the " + what
	if name != "" {
		subject = name
	}
	msg := subject + " is not a valid cradle " + what
	if n := len(problems); n > 1 {
		msg += fmt.Sprintf(" (%d problems)", n)
	}
	return cradle.Invalid(msg, problems...)
}

// parseStrict reads data as exactly one JSON value and returns the tree
// the schema validator walks (objects as map[string]any, numbers as
// json.Number). Beyond what encoding/json checks it rejects invalid UTF-8
// (which encoding/json silently replaces), a byte order mark, nesting
// deeper than a catalogue needs, and a key given twice in one object:
// encoding/json keeps the last value, so a reviewer reading the file could
// see one title and cradle another.
func parseStrict(name string, data []byte) (any, *cradle.Problem) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &cradle.Problem{Location: locate.AtPos(name, 1, 1), Message: "expected JSON, found a byte order mark (JSON text must not start with one)"}
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, &cradle.Problem{Location: locate.AtOffset(name, data, int64(off)), Message: fmt.Sprintf("expected UTF-8 text, found the invalid byte 0x%02x", data[off])}
	}
	// Decode first: its syntax errors carry exact offsets (the token
	// stream's do not count the delimiters it consumed).
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			// Offset counts the offending byte; the location is the byte.
			return nil, &cradle.Problem{Location: locate.AtOffset(name, data, max(0, syn.Offset-1)), Message: "invalid JSON: " + syn.Error()}
		case errors.Is(err, io.EOF):
			return nil, &cradle.Problem{Location: locate.AtPath(name, ""), Message: "expected a JSON object, found an empty document"}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &cradle.Problem{Location: locate.AtOffset(name, data, int64(len(data))), Message: "invalid JSON: the document ends inside a value (truncated?)"}
		default:
			return nil, &cradle.Problem{Location: locate.AtPath(name, ""), Message: "invalid JSON: " + err.Error()}
		}
	}
	off := dec.InputOffset()
	for ; off < int64(len(data)); off++ {
		if !isSpace(data[off]) {
			return nil, &cradle.Problem{Location: locate.AtOffset(name, data, off), Message: "expected the end of the document after the JSON value, found more data"}
		}
	}
	w := walker{name: name, dec: json.NewDecoder(bytes.NewReader(data))}
	if p := w.value(nil); p != nil {
		return nil, p
	}
	return tree, nil
}

// walker goes through the token stream of a document already known to be
// valid JSON, which sees every key (decoding into a map keeps only the last
// of two), and checks keys and depth.
type walker struct {
	name string
	dec  *json.Decoder
}

func (w *walker) value(path []string) *cradle.Problem {
	if len(path) > maxDepth {
		return &cradle.Problem{Location: locate.AtPath(w.name, locate.Pointer(path...)), Message: fmt.Sprintf("expected at most %d levels of nesting, found more", maxDepth)}
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.broken(err)
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for w.dec.More() {
			k, err := w.dec.Token()
			if err != nil {
				return w.broken(err)
			}
			key, _ := k.(string)
			kp := append(slices.Clip(path), key)
			if seen[key] {
				return &cradle.Problem{Location: locate.AtPath(w.name, locate.Pointer(kp...)), Message: fmt.Sprintf("expected each key once per object, found %s twice", locate.Quote(key))}
			}
			seen[key] = true
			if p := w.value(kp); p != nil {
				return p
			}
		}
		if _, err := w.dec.Token(); err != nil { // '}'
			return w.broken(err)
		}
	case json.Delim('['):
		for i := 0; w.dec.More(); i++ {
			if p := w.value(append(slices.Clip(path), strconv.Itoa(i))); p != nil {
				return p
			}
		}
		if _, err := w.dec.Token(); err != nil { // ']'
			return w.broken(err)
		}
	}
	return nil
}

// broken reports a token error, which the decoder has already ruled out.
func (w *walker) broken(err error) *cradle.Problem {
	return &cradle.Problem{Location: locate.AtPath(w.name, ""), Message: "invalid JSON: " + err.Error()}
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeStrict fills v from data that already passed the schema, refusing
// unknown fields as a second line of defence. What the schema allows and
// Go does not (a whole number written as 365.0 or 3.65e2) is reported
// where it is.
func decodeStrict(name string, data []byte, v any) *cradle.Problem {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Offset is the end of the value; a number's text is in Value.
		found, off := te.Value, te.Offset
		if lit, ok := strings.CutPrefix(te.Value, "number "); ok {
			found, off = lit, te.Offset-int64(len(lit))
		}
		field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		return &cradle.Problem{Location: locate.AtOffset(name, data, max(0, off)), Message: fmt.Sprintf("expected %s for %s, found %s", goType(te.Type.String()), locate.Quote(field), found)}
	}
	return &cradle.Problem{Location: locate.AtPath(name, ""), Message: "invalid JSON: " + err.Error()}
}

func goType(t string) string {
	switch t {
	case "int":
		return "a whole number written without a fraction or exponent"
	case "string", "catalog.Kind", "cradle.Lifecycle":
		return "a string"
	}
	return t
}
