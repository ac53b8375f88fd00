package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// parse reads data as exactly one JSON value into doc and returns the tree
// the schema validator walks (objects as map[string]any, numbers as
// json.Number). Beyond what encoding/json checks it rejects invalid UTF-8
// (which encoding/json silently replaces), a leading byte order mark, and
// a key given twice in one object: encoding/json keeps the last value, so
// a duplicate would let a document show one product status to a reader of
// the file and another to cradle.
//
// typed is false when a value has a JSON type the model does not expect
// (the schema check then says where); doc is filled as far as it could be.
func parse(name string, data []byte, doc *Document) (tree any, typed bool, p *cradle.Problem) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, false, &cradle.Problem{Location: locate.AtPos(name, 1, 1), Message: "expected JSON, found a byte order mark (JSON text must not start with one)"}
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, false, &cradle.Problem{Location: locate.AtOffset(name, data, int64(off)), Message: fmt.Sprintf("expected UTF-8 text, found the invalid byte 0x%02x", data[off])}
	}
	// Unmarshal checks the syntax of the whole input before it decodes
	// anything, so the tree builder below can rely on valid JSON.
	err := json.Unmarshal(data, doc)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return nil, false, syntaxProblem(name, data)
	}
	t := treeBuilder{data: data}
	t.space()
	v := t.value()
	if t.dupKey != "" {
		return nil, false, &cradle.Problem{Location: locate.AtPath(name, t.dupPtr), Message: fmt.Sprintf("expected each key once per object, found %s twice", locate.Quote(t.dupKey))}
	}
	return v, err == nil, nil
}

// syntaxProblem locates what makes data invalid JSON.
func syntaxProblem(name string, data []byte) *cradle.Problem {
	var v any
	err := json.Unmarshal(data, &v)
	var syn *json.SyntaxError
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return &cradle.Problem{Location: locate.AtPath(name, ""), Message: "expected a JSON object, found an empty document"}
	case errors.As(err, &syn):
		off := max(0, syn.Offset-1)
		if syn.Offset >= int64(len(data)) {
			return &cradle.Problem{Location: locate.AtOffset(name, data, int64(len(data))), Message: "invalid JSON: the document ends inside a value (truncated?)"}
		}
		return &cradle.Problem{Location: locate.AtOffset(name, data, off), Message: "invalid JSON: " + syn.Error()}
	case err != nil:
		return &cradle.Problem{Location: locate.AtPath(name, ""), Message: "invalid JSON: " + err.Error()}
	}
	return &cradle.Problem{Location: locate.AtPath(name, ""), Message: "invalid JSON"}
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

// treeBuilder turns JSON already known to be valid into a generic tree in
// one pass, noting the first key that occurs twice in an object. It is
// faster than encoding/json's decoding into any, which the schema check
// would otherwise need on top of the typed decode.
type treeBuilder struct {
	data   []byte
	i      int
	path   []string // where the builder is, for the pointer of a duplicate
	dupKey string
	dupPtr string
}

func (t *treeBuilder) space() {
	for t.i < len(t.data) {
		switch t.data[t.i] {
		case ' ', '\t', '\n', '\r':
			t.i++
		default:
			return
		}
	}
}

func (t *treeBuilder) value() any {
	switch t.data[t.i] {
	case '{':
		return t.object()
	case '[':
		t.i++
		arr := []any{}
		for n := 0; ; n++ {
			t.space()
			if t.data[t.i] == ']' {
				t.i++
				return arr
			}
			if t.data[t.i] == ',' {
				t.i++
				t.space()
			}
			t.path = append(t.path, strconv.Itoa(n))
			arr = append(arr, t.value())
			t.path = t.path[:len(t.path)-1]
		}
	case '"':
		return t.str()
	case 't':
		t.i += 4
		return true
	case 'f':
		t.i += 5
		return false
	case 'n':
		t.i += 4
		return nil
	}
	start := t.i
	for t.i < len(t.data) {
		switch c := t.data[t.i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			t.i++
			continue
		}
		break
	}
	return json.Number(t.data[start:t.i])
}

func (t *treeBuilder) object() map[string]any {
	t.i++ // '{'
	obj := map[string]any{}
	for {
		t.space()
		switch t.data[t.i] {
		case '}':
			t.i++
			return obj
		case ',':
			t.i++
			t.space()
		}
		key := t.str()
		t.space()
		t.i++ // ':'
		t.space()
		t.path = append(t.path, key)
		v := t.value()
		t.path = t.path[:len(t.path)-1]
		if _, dup := obj[key]; dup && t.dupKey == "" {
			t.dupKey = key
			t.dupPtr = locate.Pointer(append(t.path, key)...)
		}
		obj[key] = v
	}
}

// str reads a string; only strings with escapes go through encoding/json.
func (t *treeBuilder) str() string {
	t.i++ // opening quote
	start, escaped := t.i, false
	for {
		switch t.data[t.i] {
		case '\\':
			escaped = true
			t.i += 2
			continue
		case '"':
			raw := t.data[start:t.i]
			t.i++
			if !escaped {
				return string(raw)
			}
			var s string
			if err := json.Unmarshal(t.data[start-1:t.i], &s); err != nil {
				return string(raw)
			}
			return s
		}
		t.i++
	}
}
