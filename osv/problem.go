package osv

import (
	"fmt"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// maxProblems bounds how many problems one record collects: enough to fix a
// record in one go, not so many that a hostile record exhausts memory.
const maxProblems = 100

// Locations are "name:12:5" (line and column) or "name:/affected/0/package"
// (a JSON pointer); without a name the name part is left out.

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
