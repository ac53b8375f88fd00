// Package locate renders where a problem is in a document the person
// gave cradle, the same way for every format: "name:12:5" (line and
// column), "name:12" (line), "name:/components/3/purl" (a JSON pointer, or
// an XPath-like path for XML), and turns JSON Schema errors into the most
// specific ones worth showing. The sbom and osv decoders share it.
package locate

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// AtPos locates a line and column; without a name the name part is left out.
func AtPos(name string, line, col int) string {
	if name == "" {
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

// AtLine locates a line.
func AtLine(name string, line int) string {
	if name == "" {
		return "line " + strconv.Itoa(line)
	}
	return name + ":" + strconv.Itoa(line)
}

// AtPath locates a JSON pointer (or XML path); "" is the whole document.
func AtPath(name, path string) string {
	if path == "" {
		if name != "" {
			return name
		}
		path = "/"
	}
	if name == "" {
		return path
	}
	return name + ":" + path
}

// AtOffset locates a byte offset as line and column.
func AtOffset(name string, data []byte, off int64) string {
	line, col := LineCol(data, off)
	return AtPos(name, line, col)
}

// LineCol turns a byte offset into a line and column, both 1-based; the
// column counts characters, not bytes.
func LineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

// Pointer builds a JSON pointer (RFC 6901) from tokens.
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		if strings.ContainsAny(t, "~/") {
			t = pointerEscaper.Replace(t)
		}
		b.WriteString(t)
	}
	return b.String()
}

// pointerEscaper is built once: a Replacer builds its tables on first use,
// which cost more than the rest of a schema check when done per token.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// JSONValue describes a JSON value for a message: a string quoted, null,
// "an object", "an array", anything else quoted as printed.
func JSONValue(v any) string {
	switch v := v.(type) {
	case string:
		return Quote(v)
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return Quote(fmt.Sprint(v))
}

// Quote shows a value from a document in a message, shortened so that a
// megabyte-long string does not end up in an error message.
func Quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// ComparePaths orders JSON pointer tokens, array indexes numerically.
func ComparePaths(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		x, errX := strconv.Atoi(a[i])
		y, errY := strconv.Atoi(b[i])
		if errX == nil && errY == nil {
			return cmp.Compare(x, y)
		}
		return strings.Compare(a[i], b[i])
	}
	return cmp.Compare(len(a), len(b))
}

// SchemaLeaves collects the most specific errors of a validation failure.
// For oneOf and anyOf every alternative fails, and listing why each did is
// noise: only the alternative that got deepest into the document is
// followed, as the one the author most likely meant. For contains, why
// each item failed to match is beside the point: none did.
func SchemaLeaves(e *jsonschema.ValidationError, out []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return append(out, e)
	}
	switch e.ErrorKind.(type) {
	case *kind.Contains:
		return append(out, e)
	case *kind.OneOf, *kind.AnyOf:
		best, depth := e.Causes[0], -1
		for _, c := range e.Causes {
			if d := maxDepth(c); d > depth {
				best, depth = c, d
			}
		}
		if depth <= len(e.InstanceLocation) {
			// No alternative got further than the value itself: the value
			// matches none of them.
			return append(out, e)
		}
		return SchemaLeaves(best, out)
	}
	for _, c := range e.Causes {
		out = SchemaLeaves(c, out)
	}
	return out
}

func maxDepth(e *jsonschema.ValidationError) int {
	d := len(e.InstanceLocation)
	for _, c := range e.Causes {
		d = max(d, maxDepth(c))
	}
	return d
}

// Violation is one JSON Schema problem at a place in a document.
type Violation struct {
	Path    []string // JSON pointer tokens of the instance location
	Message string
}

// SchemaViolations validates tree against s and returns the most specific
// problems, each once, sorted by place in the document (the validator
// walks objects in map order; sorting makes the report the same for the
// same document). unknown ends the message for a property the schema does
// not define ("the OSV schema does not define it"); describe renders every
// other kind of problem. The error is non-nil only when validation itself
// fails.
func SchemaViolations(s *jsonschema.Schema, tree any, unknown string, describe func(*jsonschema.ValidationError) string) ([]Violation, error) {
	err := s.Validate(tree)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []Violation
	seen := map[string]bool{}
	add := func(path []string, msg string) {
		key := Pointer(path...) + "\x00" + msg
		if !seen[key] {
			seen[key] = true
			out = append(out, Violation{Path: path, Message: msg})
		}
	}
	for _, leaf := range SchemaLeaves(ve, nil) {
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, p := range k.Missing {
				add(leaf.InstanceLocation, "expected the required property "+Quote(p)+", found none")
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				add(append(slices.Clone(leaf.InstanceLocation), p), "expected no property "+Quote(p)+" here ("+unknown+")")
			}
		default:
			add(leaf.InstanceLocation, describe(leaf))
		}
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(ComparePaths(a.Path, b.Path), strings.Compare(a.Message, b.Message))
	})
	return out, nil
}

// SchemaKeyword returns where in the schema e failed, as a JSON pointer
// into the schema ending in the keyword: "/$defs/itemID/pattern".
func SchemaKeyword(e *jsonschema.ValidationError) string {
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	return frag + "/" + strings.Join(e.ErrorKind.KeywordPath(), "/")
}
