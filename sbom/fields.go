package sbom

import (
	"encoding/json"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
)

// Field normalisation shared by both formats: licences, hashes and
// component types.

// spdxLicenseIDs maps the lower-cased SPDX licence and exception IDs to
// their canonical spelling. The list is the one CycloneDX ships in
// spdx.schema.json, which is embedded anyway.
var spdxLicenseIDs = sync.OnceValue(func() map[string]string {
	var s struct {
		Enum []string `json:"enum"`
	}
	b, err := schemaFS.ReadFile("schema/spdx.schema.json")
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		panic("sbom: embedded spdx.schema.json: " + err.Error()) // a build defect, caught by any test
	}
	m := make(map[string]string, len(s.Enum))
	for _, id := range s.Enum {
		m[strings.ToLower(id)] = id
	}
	return m
})

// licenseTerm is one licence as an SPDX expression term: the SPDX ID if
// there is one (or the name is one, as some tools put "MIT" in the name),
// otherwise a LicenseRef- made from the name, so that the joined result is
// still a well-formed expression.
func licenseTerm(id, name string) string {
	if id = strings.TrimSpace(id); id != "" {
		return id
	}
	name = strings.TrimSpace(name)
	switch strings.ToUpper(name) {
	case "", "NOASSERTION", "NONE":
		return ""
	}
	if canon, ok := spdxLicenseIDs()[strings.ToLower(name)]; ok {
		return canon
	}
	if strings.HasPrefix(name, "LicenseRef-") && isIDString(strings.TrimPrefix(name, "LicenseRef-")) {
		return name
	}
	return "LicenseRef-" + idString(name)
}

// idString makes s an SPDX idstring: letters, digits, "." and "-".
func idString(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "unknown"
	}
	return out
}

func isIDString(s string) bool { return s != "" && idString(s) == s }

// joinLicenses ANDs licence terms into one expression, parenthesising
// compound terms and dropping repeats.
func joinLicenses(terms []string) string {
	var out []string
	seen := map[string]bool{}
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) == 1 {
		return out[0]
	}
	for i, t := range out {
		if strings.ContainsAny(t, " \t") && !wrapped(t) {
			out[i] = "(" + t + ")"
		}
	}
	return strings.Join(out, " AND ")
}

// wrapped reports whether the whole of s is one parenthesised group.
func wrapped(s string) bool {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return false
	}
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}

// spdxLicense picks the concluded licence, else the declared one;
// NOASSERTION and NONE say nothing about the licence and become "".
func spdxLicense(concluded, declared string) string {
	for _, l := range []string{concluded, declared} {
		l = strings.TrimSpace(l)
		switch strings.ToUpper(l) {
		case "", "NOASSERTION", "NONE":
			continue
		}
		return l
	}
	return ""
}

// hashAlgorithms maps algorithm names as written by either format
// (upper-cased, "_" as "-") to the names cradle stores.
var hashAlgorithms = map[string]string{
	"MD2": "MD2", "MD4": "MD4", "MD5": "MD5", "MD6": "MD6",
	"SHA1": "SHA-1", "SHA-1": "SHA-1",
	"SHA224": "SHA-224", "SHA-224": "SHA-224",
	"SHA256": "SHA-256", "SHA-256": "SHA-256",
	"SHA384": "SHA-384", "SHA-384": "SHA-384",
	"SHA512": "SHA-512", "SHA-512": "SHA-512",
	"SHA3-224": "SHA3-224", "SHA3-256": "SHA3-256", "SHA3-384": "SHA3-384", "SHA3-512": "SHA3-512",
	"BLAKE2B-256": "BLAKE2b-256", "BLAKE2B-384": "BLAKE2b-384", "BLAKE2B-512": "BLAKE2b-512",
	"BLAKE3":       "BLAKE3",
	"STREEBOG-256": "Streebog-256", "STREEBOG-512": "Streebog-512",
	"ADLER32": "ADLER32",
}

func normHashAlgorithm(alg string) string {
	key := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(alg), "_", "-"))
	if n, ok := hashAlgorithms[key]; ok {
		return n
	}
	return strings.TrimSpace(alg)
}

// appendHash adds a hash with a normalised algorithm name; hex digests are
// lower-cased so that the two formats compare equal.
func appendHash(hs []cradle.Hash, alg, value string) []cradle.Hash {
	value = strings.TrimSpace(value)
	if value == "" {
		return hs
	}
	if isHex(value) {
		value = strings.ToLower(value)
	}
	h := cradle.Hash{Algorithm: normHashAlgorithm(alg), Value: value}
	for _, x := range hs {
		if x == h {
			return hs
		}
	}
	return append(hs, h)
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// SPDX 2.3 primaryPackagePurpose values (as JSON spells them; tag-value
// writes "-" for "_") and the component types they become: the CycloneDX
// type where there is one, else the purpose in lower case.
var purposeTypes = map[string]string{
	"APPLICATION":      "application",
	"FRAMEWORK":        "framework",
	"LIBRARY":          "library",
	"CONTAINER":        "container",
	"OPERATING_SYSTEM": "operating-system",
	"DEVICE":           "device",
	"FIRMWARE":         "firmware",
	"FILE":             "file",
	"SOURCE":           "source",
	"ARCHIVE":          "archive",
	"INSTALL":          "install",
	"OTHER":            "other",
}

func purposeType(purpose string) string {
	p := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(purpose), "-", "_"))
	if t, ok := purposeTypes[p]; ok {
		return t
	}
	return strings.ToLower(strings.ReplaceAll(p, "_", "-"))
}
