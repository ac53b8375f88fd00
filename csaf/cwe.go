package csaf

import (
	"github.com/cradle-sdl/cradle/internal/locate"
)

// cweNames are the weakness names cradle can check offline. CSAF 2.0 names
// no version of the CWE list, and no copy of the list is available to
// cradle's build: the table holds the names that the standard itself and
// the OASIS CSAF 2.0 examples and test documents give (each entry says
// where), which are the names of the CWE list since version 4.0. A CWE ID
// outside the table is checked for its form only (the schema's pattern
// ^CWE-[1-9]\d{0,5}$).
//
// To check every ID, generate this table from MITRE's cwec_vX.Y.xml
// (ID → Name of every Weakness, Category and View), or from the list in
// BSI's csaf-validator-lib, and keep this comment's note of the version.
var cweNames = map[string]string{
	"CWE-20":  "Improper Input Validation",                                                            // OASIS 2.0 examples rhsa-2021_5186, test 6.3.4-12
	"CWE-22":  "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",       // CSAF 2.0 §3.2.3.3, examples 43 and 44
	"CWE-79":  "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')", // CSAF 2.0 §6.1.11 and examples 43, 44
	"CWE-119": "Improper Restriction of Operations within the Bounds of a Memory Buffer",              // OASIS 2.0 example rhsa-2022_0011, tests 6.3.4-02, -12
	"CWE-352": "Cross-Site Request Forgery (CSRF)",                                                    // CSAF 2.0 §3.2.3.3, examples 43 and 44
	"CWE-416": "Use After Free",                                                                       // OASIS 2.0 tests 6.3.4-11, -12
	"CWE-611": "Improper Restriction of XML External Entity Reference",                                // OASIS 2.0 example bsi-2022-0001
	"CWE-863": "Incorrect Authorization",                                                              // OASIS 2.0 example rhsa-2021_5217
}

// cwe runs 6.1.11 CWE: a weakness the table knows must carry its name.
func (c *checker) cwe() {
	for i := range c.doc.Vulnerabilities {
		w := c.doc.Vulnerabilities[i].CWE
		if w == nil {
			continue
		}
		if want, ok := cweNames[w.ID]; ok && w.Name != want {
			c.fail("6.1.11", "/vulnerabilities/"+itoa(i)+"/cwe/name", "expected the name of %s, %q, found %s", w.ID, want, locate.Quote(w.Name))
		}
	}
}
