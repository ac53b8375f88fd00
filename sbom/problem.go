package sbom

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
)

// maxProblems bounds how many problems one document collects: enough to fix
// a file in one go, not so many that a hostile file can exhaust memory.
const maxProblems = 100

// Locations are rendered as "name:12:5" (line and column), "name:12"
// (line), "name:/components/3/purl" (JSON pointer, or an XPath-like path
// for XML). Without a file name the name part is left out.

func atPos(name string, line, col int) string {
	if name == "" {
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

func atLine(name string, line int) string {
	if name == "" {
		return "line " + strconv.Itoa(line)
	}
	return name + ":" + strconv.Itoa(line)
}

func atPath(name, path string) string {
	if path == "" {
		// The whole document.
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

func atFile(name string) string { return name }

// atOffset locates a byte offset as line and column (both 1-based; the
// column counts characters, not bytes).
func atOffset(name string, data []byte, off int64) string {
	line, col := lineCol(data, off)
	return atPos(name, line, col)
}

func lineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

// pointer joins JSON pointer tokens, escaping them as RFC 6901 requires.
func pointer(tokens ...string) string {
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

// pointerEscaper escapes a JSON Pointer token (RFC 6901). Built once: a
// Replacer builds its tables on first use, which cost more than the rest of
// a schema check when done per token.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// quote shows a value from the document in a message, shortened so that a
// megabyte-long string does not end up in an error message.
func quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// invalid builds the error returned for a rejected document.
func invalid(name, what string, problems []cradle.Problem) *cradle.Error {
	subject := "the document"
	if name != "" {
		subject = name
	}
	msg := fmt.Sprintf("%s is not a valid %s", subject, what)
	if n := len(problems); n > 1 {
		msg += fmt.Sprintf(" (%d problems)", n)
	}
	return cradle.Invalid(msg, problems...)
}

// unreadable builds the error for a document whose format cannot be
// determined or is not supported.
func unreadable(name string, p cradle.Problem) *cradle.Error {
	subject := "the document"
	if name != "" {
		subject = name
	}
	return cradle.Invalid(subject+" is not a CycloneDX or SPDX document cradle can read", p)
}
