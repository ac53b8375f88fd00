// Package locate renders where a problem is in a document the person
// gave cradle, the same way for every format: "name:12:5" (line and
// column), "name:12" (line), "name:/components/3/purl" (a JSON pointer, or
// an XPath-like path for XML), and turns JSON Schema errors into the most
// specific ones worth showing. The sbom and osv decoders share it.
package locate

import (
	"bytes"
	"cmp"
	"fmt"
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
