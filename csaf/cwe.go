package csaf

import (
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Test 6.1.11 (CWE): "It MUST be tested that given CWE exists and is
// valid." CSAF 2.0 names no version of the CWE list. cradle checks against
// the list that BSI's reference validator, @secvisogram/csaf-validator-lib
// 2.0.10, uses for this test: the 968 weaknesses of CWE list 4.17
// (cweListVersion; cweNames in cwedata.go, generated from that package by
// csaf/internal/cwegen, whose header gives the source and the licences).
// Like the reference validator, cradle fails a vulnerability's cwe when
//
//   - its ID is not the ID of a weakness of that list (reported at
//     /vulnerabilities/N/cwe/id): an ID that is not in the CWE list at all,
//     the ID of a category or a view (the list holds weaknesses only), and
//     the ID of a weakness added after version 4.17 all fail; or
//   - its name is not exactly the list's name for that ID (reported at
//     /vulnerabilities/N/cwe/name): the comparison is byte for byte, so
//     case, punctuation and white space count; a name with a trailing space
//     (as some CISA advisories give CWE-280's) fails.
//
// A name from an older version of the list, for a weakness renamed since,
// fails too, as in the reference validator. To follow a new CWE list,
// regenerate cwedata.go from a newer release of the package.
func (c *checker) cwe() {
	for i := range c.doc.Vulnerabilities {
		w := c.doc.Vulnerabilities[i].CWE
		if w == nil {
			continue
		}
		want, ok := cweNames[w.ID]
		switch {
		case !ok:
			c.fail("6.1.11", "/vulnerabilities/"+itoa(i)+"/cwe/id", "%s is not a weakness of the CWE list (version %s)", locate.Quote(w.ID), cweListVersion)
		case w.Name != want:
			c.fail("6.1.11", "/vulnerabilities/"+itoa(i)+"/cwe/name", "expected the name of %s in the CWE list (version %s), %q, found %s", w.ID, cweListVersion, want, locate.Quote(w.Name))
		}
	}
}
