package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// parseStrict reads data as exactly one JSON value and returns it as the
// tree the schema validator walks (objects as map[string]any, numbers as
// json.Number). Beyond what encoding/json checks it rejects invalid UTF-8
// (which encoding/json silently replaces), a leading byte order mark, and
// a key given twice in one object: encoding/json keeps the last value, so a
// duplicate would let a record show one ID to a reviewer reading the file
// and another to cradle.
func parseStrict(name string, data []byte) (any, *cradle.Problem) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &cradle.Problem{Location: locate.AtPos(name, 1, 1), Message: "expected JSON, found a byte order mark (JSON text must not start with one)"}
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, &cradle.Problem{Location: locate.AtOffset(name, data, int64(off)), Message: fmt.Sprintf("expected UTF-8 text, found the invalid byte 0x%02x", data[off])}
	}
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
	if ptr, key, ok := duplicateKey(data); ok {
		return nil, &cradle.Problem{Location: locate.AtPath(name, ptr), Message: fmt.Sprintf("expected each key once per object, found %s twice", locate.Quote(key))}
	}
	return tree, nil
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

// duplicateKey scans data, which must already be known to be valid JSON,
// for an object with the same key twice (compared after unescaping). It
// returns the JSON pointer of the second occurrence. The scan allocates
// only for keys that contain escapes and for the pointer it returns.
func duplicateKey(data []byte) (ptr, key string, found bool) {
	s := dupScanner{data: data}
	if s.value() {
		return s.dupPtr, s.dupKey, true
	}
	return "", "", false
}

type dupScanner struct {
	data   []byte
	i      int
	path   []step // where the scanner is, for the pointer of a duplicate
	keys   [][]byte
	dupPtr string
	dupKey string
}

// step is one token of the current path: an object key or an array index.
type step struct {
	key     []byte
	index   int
	isIndex bool
}

func (s *dupScanner) space() {
	for s.i < len(s.data) && isSpace(s.data[s.i]) {
		s.i++
	}
}

// value skips one value and reports whether it found a duplicate key.
func (s *dupScanner) value() bool {
	s.space()
	if s.i >= len(s.data) {
		return false
	}
	switch s.data[s.i] {
	case '{':
		return s.object()
	case '[':
		s.i++
		s.space()
		if s.i < len(s.data) && s.data[s.i] == ']' {
			s.i++
			return false
		}
		for n := 0; s.i < len(s.data); n++ {
			s.path = append(s.path, step{index: n, isIndex: true})
			if s.value() {
				return true
			}
			s.path = s.path[:len(s.path)-1]
			s.space()
			if s.i < len(s.data) && s.data[s.i] == ',' {
				s.i++
				continue
			}
			s.i++ // ']'
			return false
		}
	case '"':
		s.str()
	default: // number, true, false, null
		for s.i < len(s.data) && !isSpace(s.data[s.i]) && s.data[s.i] != ',' && s.data[s.i] != ']' && s.data[s.i] != '}' {
			s.i++
		}
	}
	return false
}

func (s *dupScanner) object() bool {
	s.i++ // '{'
	// Keys of this object live on s.keys above base; nested objects push
	// theirs above and pop them again before this one continues.
	base := len(s.keys)
	defer func() { s.keys = s.keys[:base] }()
	// Objects are small in OSV records, so keys are compared in a list; a
	// map takes over for large ones, which would otherwise cost O(n²).
	var seen map[string]bool
	for {
		s.space()
		if s.i >= len(s.data) {
			return false
		}
		if s.data[s.i] == '}' {
			s.i++
			return false
		}
		if s.data[s.i] == ',' {
			s.i++
			continue
		}
		key := s.str()
		dup := false
		if seen != nil {
			dup = seen[string(key)]
			seen[string(key)] = true
		} else {
			for _, k := range s.keys[base:] {
				if bytes.Equal(k, key) {
					dup = true
					break
				}
			}
			s.keys = append(s.keys, key)
			if len(s.keys)-base > 32 {
				seen = make(map[string]bool, 64)
				for _, k := range s.keys[base:] {
					seen[string(k)] = true
				}
			}
		}
		if dup {
			s.dupKey = string(key)
			s.path = append(s.path, step{key: key})
			s.dupPtr = s.pointer()
			return true
		}
		s.space()
		s.i++ // ':'
		s.path = append(s.path, step{key: key})
		if s.value() {
			return true
		}
		s.path = s.path[:len(s.path)-1]
	}
}

// str skips a string and returns its content, unescaped when it has
// escapes (the returned slice may alias data).
func (s *dupScanner) str() []byte {
	s.i++ // opening quote
	start, escaped := s.i, false
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			raw := s.data[start:s.i]
			s.i++
			if !escaped {
				return raw
			}
			var u string
			if err := json.Unmarshal(s.data[start-1:s.i], &u); err != nil {
				return raw
			}
			return []byte(u)
		}
		s.i++
	}
	return s.data[start:]
}

func (s *dupScanner) pointer() string {
	tokens := make([]string, len(s.path))
	for i, st := range s.path {
		if st.isIndex {
			tokens[i] = strconv.Itoa(st.index)
		} else {
			tokens[i] = string(st.key)
		}
	}
	return locate.Pointer(tokens...)
}
