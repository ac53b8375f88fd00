// Package csafspec holds what the csaf and publish packages share from the
// CSAF 2.0 standard: the embedded JSON schemas (the CSAF schema and the
// CVSS schemas it references; schema/README.md says where they come from)
// and the file-name rule. Sibling format packages do not import each
// other, so the shared parts live here once.
package csafspec

import (
	"embed"
	"strings"
)

// Schemas holds schema/csaf_json_schema.json and schema/cvss-v2.0.json,
// cvss-v3.0.json and cvss-v3.1.json.
//
//go:embed schema/*.json
var Schemas embed.FS

// Schema URLs: the CSAF schema's $id, and the URLs its references use for
// the CVSS schemas (their own ids carry a "?date" the references leave
// out, so they are registered under these).
const (
	CSAFSchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
	CVSS20URL     = "https://www.first.org/cvss/cvss-v2.0.json"
	CVSS30URL     = "https://www.first.org/cvss/cvss-v3.0.json"
	CVSS31URL     = "https://www.first.org/cvss/cvss-v3.1.json"
)

// SchemaFiles maps each embedded schema file to the URL it is registered
// under.
var SchemaFiles = map[string]string{
	"schema/csaf_json_schema.json": CSAFSchemaURL,
	"schema/cvss-v2.0.json":        CVSS20URL,
	"schema/cvss-v3.0.json":        CVSS30URL,
	"schema/cvss-v3.1.json":        CVSS31URL,
}

// Filename returns the file name a CSAF document with the given
// /document/tracking/id must have (CSAF 2.0 section 5.1): the ID in lower
// case, every run of characters other than a–z, 0–9, '+' and '-' replaced
// by one '_', and ".json" appended. "2022_#01-A" becomes "2022_01-a.json".
func Filename(trackingID string) string {
	var b strings.Builder
	b.Grow(len(trackingID) + len(".json"))
	run := false
	for _, r := range strings.ToLower(trackingID) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' {
			b.WriteRune(r)
			run = false
			continue
		}
		if !run {
			b.WriteByte('_')
			run = true
		}
	}
	b.WriteString(".json")
	return b.String()
}
