package osv

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
)

// maxProblems bounds how many problems one record collects: enough to fix a
// record in one go, not so many that a hostile record exhausts memory.
const maxProblems = 100

// Locations are "name:12:5" (line and column) or "name:/affected/0/package"
// (a JSON pointer); without a name the name part is left out.

func atPos(name string, line, col int) string {
	if name == "" {
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

func atPath(name, ptr string) string {
	if ptr == "" {
		if name != "" {
			return name
		}
		ptr = "/"
	}
	if name == "" {
		return ptr
	}
	return name + ":" + ptr
}

// atOffset locates a byte offset as line and column (1-based; the column
// counts characters, not bytes).
func atOffset(name string, data []byte, off int64) string {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return atPos(name, line, 1+utf8.RuneCount(before[start:]))
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer joins JSON pointer tokens, escaping them as RFC 6901 requires.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		pointerEscaper.WriteString(&b, t)
	}
	return b.String()
}

// quote shows a value from a record in a message, shortened so that a
// megabyte-long string does not end up in an error message.
func quote(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// invalid builds the error returned for a rejected record.
func invalid(name string, problems []cradle.Problem) *cradle.Error {
	subject := "the record"
	if name != "" {
		subject = name
	}
	msg := subject + " is not a valid OSV record"
	if n := len(problems); n > 1 {
		msg += fmt.Sprintf(" (%d problems)", n)
	}
	return cradle.Invalid(msg, problems...)
}

// byteSize formats n for people: "16 MiB", "1.5 KiB", "12 bytes".
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	s := strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + string("KMGTPE"[exp]) + "iB"
}
