package osv

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// ecosystemsJSON is the OSV project's list of ecosystems (schema/README.md).
//
//go:embed schema/ecosystems.json
var ecosystemsJSON []byte

// gitEcosystem is admitted by the schema's ecosystemWithSuffix pattern for
// packages that are git repositories, but ecosystems.json does not describe
// it. The schema is the stricter of the two documents, so cradle follows it.
const gitEcosystem = "GIT"

var ecosystems = sync.OnceValue(func() map[string]bool {
	var m map[string]string
	if err := json.Unmarshal(ecosystemsJSON, &m); err != nil {
		panic("osv: embedded ecosystems.json: " + err.Error())
	}
	set := make(map[string]bool, len(m)+1)
	for name := range m {
		set[name] = true
	}
	set[gitEcosystem] = true
	return set
})

// Ecosystems returns the names of the ecosystems OSV defines, sorted, as
// cradle accepts them before the optional ":suffix".
func Ecosystems() []string {
	var names []string
	for name := range ecosystems() {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return names
}

// checkEcosystem returns why s is not an OSV ecosystem, or "". An ecosystem
// is a name from the list, optionally followed by ":" and a non-empty
// suffix that scopes it to a release ("Debian:12", "Alpine:v3.18",
// "Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS"). Names are case-sensitive,
// as in OSV: "pypi" is not "PyPI".
func checkEcosystem(s string) string {
	base, suffix, hasSuffix := strings.Cut(s, ":")
	if ecosystems()[base] {
		if hasSuffix && suffix == "" {
			return fmt.Sprintf("expected a release after the colon in ecosystem %s (as in \"Debian:12\"), found none", locate.Quote(s))
		}
		return ""
	}
	if base == "" {
		return "expected an OSV ecosystem name, found an empty string"
	}
	for name := range ecosystems() {
		if strings.EqualFold(name, base) {
			return fmt.Sprintf("unknown ecosystem %s: ecosystem names are case-sensitive, did you mean %s?", locate.Quote(s), locate.Quote(name))
		}
	}
	return fmt.Sprintf("unknown ecosystem %s: expected one of the ecosystems OSV defines (ecosystems.json) or GIT, optionally with a \":release\" suffix", locate.Quote(s))
}

// CheckEcosystem returns an EInvalid *cradle.Error if name is not an OSV
// ecosystem as a record may name it ("PyPI", "Debian:12"), for checking an
// ecosystem a user asks to sync before a URL is built from it.
func CheckEcosystem(name string) error {
	if msg := checkEcosystem(name); msg != "" {
		return cradle.Invalid("unknown OSV ecosystem", cradle.Problem{Location: "ecosystem", Message: msg})
	}
	return nil
}
