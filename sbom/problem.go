package sbom

import (
	"fmt"

	cradle "github.com/cradle-sdl/cradle"
)

// maxProblems bounds how many problems one document collects: enough to fix
// a file in one go, not so many that a hostile file can exhaust memory.
const maxProblems = 100

// Locations are rendered as "name:12:5" (line and column), "name:12"
// (line), "name:/components/3/purl" (JSON pointer, or an XPath-like path
// for XML). Without a file name the name part is left out.

func atFile(name string) string { return name }

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
