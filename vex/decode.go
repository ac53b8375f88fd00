package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Decode detects the format of data (OpenVEX 0.2.0, CycloneDX JSON with
// vulnerability analyses, CSAF 2.0 VEX or security advisory), checks it
// and returns its statements in the common model. name is the file name
// used in error locations (may be ""). Every rejection is an EInvalid
// *cradle.Error whose problems say where ("name:3:14", or
// "name:/statements/2/status").
func Decode(name string, data []byte) (doc *Document, err error) {
	defer func() {
		// Decode runs on uploads; a bug must cost one request, not the
		// server. A plain error is internal (its text is logged, never
		// shown), and fuzzing still finds it.
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("decode vex %s: panic: %v\n%s", name, r, debug.Stack())
		}
	}()
	tree, p := parseJSON(name, data)
	if p != nil {
		return nil, cradle.Invalid(subject(name)+" is not valid JSON", *p)
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, unreadable(name, cradle.Problem{Location: locate.AtPath(name, ""),
			Message: "expected a JSON object, found " + jsonType(tree)})
	}
	switch {
	case root["@context"] != nil:
		ctx, _ := root["@context"].(string)
		if !strings.HasPrefix(ctx, "https://openvex.dev/ns") {
			return nil, unreadable(name, cradle.Problem{Location: locate.AtPath(name, "/@context"),
				Message: "expected an OpenVEX context (https://openvex.dev/ns/v0.2.0), found " + jsonValue(root["@context"])})
		}
		if ctx != openVEXContext {
			// v0.0.1 (https://openvex.dev/ns) wrote vulnerabilities and
			// products as plain strings; its documents do not satisfy the
			// 0.2.0 schema and are reported as what they are.
			return nil, unreadable(name, cradle.Problem{Location: locate.AtPath(name, "/@context"),
				Message: fmt.Sprintf("expected OpenVEX v0.2.0 (%s), found %s: other OpenVEX versions are not supported", openVEXContext, locate.Quote(ctx))})
		}
		return decodeOpenVEX(name, data, tree)
	case root["bomFormat"] != nil:
		if root["bomFormat"] != "CycloneDX" {
			return nil, unreadable(name, cradle.Problem{Location: locate.AtPath(name, "/bomFormat"),
				Message: "expected \"CycloneDX\", found " + jsonValue(root["bomFormat"])})
		}
		return decodeCycloneDX(name, data)
	case root["document"] != nil:
		return decodeCSAF(name, data, root)
	}
	return nil, unreadable(name, cradle.Problem{Location: locate.AtPath(name, ""),
		Message: "expected an OpenVEX (@context), CycloneDX (bomFormat) or CSAF (document) document, found none of their keys"})
}

func subject(name string) string {
	if name == "" {
		return "the document"
	}
	return name
}

func unreadable(name string, p cradle.Problem) *cradle.Error {
	return cradle.Invalid(subject(name)+" is not a VEX document cradle can read", p)
}

// maxProblems bounds how many problems one document collects: enough to fix
// a file in one go, not so many that a hostile file can exhaust memory.
const maxProblems = 100

// report collects the problems of one document.
type report struct {
	name     string
	what     string // "OpenVEX document", ...
	cannot   bool   // an encoder's report: d cannot be written as what
	problems []cradle.Problem
}

// at records a problem at a JSON pointer.
func (r *report) at(ptr, format string, args ...any) {
	r.add(locate.AtPath(r.name, ptr), fmt.Sprintf(format, args...))
}

func (r *report) add(location, msg string) {
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, cradle.Problem{Location: location, Message: msg})
	}
}

func (r *report) full() bool { return len(r.problems) >= maxProblems }

func (r *report) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s is not a valid %s", subject(r.name), r.what)
	if r.cannot {
		msg = "the document cannot be written as " + r.what
	}
	if n := len(r.problems); n > 1 {
		msg += fmt.Sprintf(" (%d problems)", n)
	}
	return cradle.Invalid(msg, r.problems...)
}

// typeError locates an error of encoding/json decoding a document that has
// already been parsed once (so it is a type mismatch, not bad syntax).
func (r *report) typeError(data []byte, err error) {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the value"
		}
		r.add(locate.AtOffset(r.name, data, max(0, te.Offset-1)), fmt.Sprintf("expected %s for %s, found a JSON %s", goTypeName(te.Type.Kind().String()), field, te.Value))
	case errors.As(err, &se):
		r.add(locate.AtOffset(r.name, data, max(0, se.Offset-1)), "invalid JSON: "+se.Error())
	default:
		r.add(locate.AtPath(r.name, ""), "cannot read the document: "+err.Error())
	}
}

func goTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	}
	return kind
}

// maxDepth bounds nesting: VEX documents are shallow, and a recursive walk
// over a document of a million "[" must not exhaust the stack.
const maxDepth = 256

// parseJSON reads data as exactly one JSON value (objects as map[string]any,
// numbers as json.Number). Beyond encoding/json it rejects invalid UTF-8
// (which encoding/json silently replaces), a byte order mark, nesting
// deeper than maxDepth, and a key given twice in one object: encoding/json
// keeps the last value, so "status" given twice would let a reviewer read
// one status and cradle another.
func parseJSON(name string, data []byte) (any, *cradle.Problem) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &cradle.Problem{Location: locate.AtPos(name, 1, 1), Message: "expected JSON, found a byte order mark (JSON text must not start with one)"}
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, &cradle.Problem{Location: locate.AtOffset(name, data, int64(off)), Message: fmt.Sprintf("expected UTF-8 text, found the invalid byte 0x%02x", data[off])}
	}
	p := parser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	v, prob := p.value(nil)
	if prob != nil {
		return nil, prob
	}
	off := p.dec.InputOffset()
	for ; off < int64(len(data)); off++ {
		if c := data[off]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return nil, &cradle.Problem{Location: locate.AtOffset(name, data, off), Message: "expected the end of the document after the JSON value, found more data"}
		}
	}
	return v, nil
}

type parser struct {
	name string
	data []byte
	dec  *json.Decoder
}

func (p *parser) fail(err error) *cradle.Problem {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// The token reader reports some errors at the token before the
		// bad byte ("1," then "}"); the full scanner finds the byte.
		var v any
		if full := json.NewDecoder(bytes.NewReader(p.data)).Decode(&v); full != nil {
			errors.As(full, &syn)
		}
	}
	switch {
	case syn != nil:
		return &cradle.Problem{Location: locate.AtOffset(p.name, p.data, max(0, syn.Offset-1)), Message: "invalid JSON: " + syn.Error()}
	case errors.Is(err, io.EOF) && p.dec.InputOffset() == 0:
		return &cradle.Problem{Location: locate.AtPath(p.name, ""), Message: "expected a JSON object, found an empty document"}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &cradle.Problem{Location: locate.AtOffset(p.name, p.data, int64(len(p.data))), Message: "invalid JSON: the document ends inside a value (truncated?)"}
	}
	return &cradle.Problem{Location: locate.AtOffset(p.name, p.data, p.dec.InputOffset()), Message: "invalid JSON: " + err.Error()}
}

// value reads one value; path is where it is, for messages.
func (p *parser) value(path []string) (any, *cradle.Problem) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if len(path) >= maxDepth {
		return nil, &cradle.Problem{Location: locate.AtOffset(p.name, p.data, p.dec.InputOffset()-1),
			Message: fmt.Sprintf("expected at most %d levels of nesting, found more", maxDepth)}
	}
	switch d {
	case '{':
		obj := map[string]any{}
		for p.dec.More() {
			kt, err := p.dec.Token()
			if err != nil {
				return nil, p.fail(err)
			}
			key, _ := kt.(string)
			if _, dup := obj[key]; dup {
				return nil, &cradle.Problem{Location: locate.AtPath(p.name, locate.Pointer(append(path, key)...)),
					Message: fmt.Sprintf("expected each key once per object, found %s twice", locate.Quote(key))}
			}
			v, prob := p.value(append(path, key))
			if prob != nil {
				return nil, prob
			}
			obj[key] = v
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, p.fail(err)
		}
		return obj, nil
	case '[':
		arr := []any{}
		for i := 0; p.dec.More(); i++ {
			v, prob := p.value(append(path, strconv.Itoa(i)))
			if prob != nil {
				return nil, prob
			}
			arr = append(arr, v)
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, p.fail(err)
		}
		return arr, nil
	}
	return nil, p.fail(fmt.Errorf("unexpected %v", d))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return locate.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > 80 {
		return jsonType(v)
	}
	return string(b)
}

// parseTime reads an RFC 3339 timestamp; "" is the zero time.
func parseTime(r *report, ptr, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.at(ptr, "expected an RFC 3339 date and time, found %s", locate.Quote(s))
	}
	return t
}

// ptr joins JSON pointer tokens; numbers are array indexes.
func ptr(tokens ...any) string {
	s := make([]string, len(tokens))
	for i, t := range tokens {
		switch t := t.(type) {
		case string:
			s[i] = t
		case int:
			s[i] = strconv.Itoa(t)
		default:
			s[i] = fmt.Sprint(t)
		}
	}
	return locate.Pointer(s...)
}
