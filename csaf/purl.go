package csaf

import (
	"strings"
	"unicode/utf8"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// checkPURL checks a package URL against the purl specification's
// parsing rules (package-url/purl-spec, PURL-SPECIFICATION.rst): a type
// that starts with a letter and uses only letters, digits, '.', '+' and
// '-'; a non-empty name; valid percent-encoding in every component;
// qualifier keys of letters, digits, '.', '-' and '_' that do not start
// with a digit, each given once. It returns "" for a valid purl and else
// what is wrong. Type-specific rules (such as Maven's required namespace)
// are not checked: CSAF 2.0 asks whether the purl is valid, not whether
// the package exists (known issue #1303 on the depth of this test).
func checkPURL(s string) string {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(scheme, "pkg") {
		return `expected the scheme "pkg:"`
	}
	rest, subpath, _ := strings.Cut(rest, "#")
	for _, seg := range strings.Split(subpath, "/") {
		if !validEscapes(seg) {
			return "the subpath has an invalid percent-encoding: " + locate.Quote(seg)
		}
	}
	rest, qualifiers, hasQualifiers := strings.Cut(rest, "?")
	if hasQualifiers && qualifiers != "" {
		seen := map[string]bool{}
		for _, q := range strings.Split(qualifiers, "&") {
			k, v, ok := strings.Cut(q, "=")
			if !ok || k == "" {
				return "expected qualifiers as key=value, found " + locate.Quote(q)
			}
			if !validQualifierKey(k) {
				return "the qualifier key " + locate.Quote(k) + " is not valid (letters, digits, '.', '-', '_', not starting with a digit)"
			}
			lk := strings.ToLower(k)
			if seen[lk] {
				return "the qualifier " + locate.Quote(k) + " is given twice"
			}
			seen[lk] = true
			if !validEscapes(v) {
				return "the qualifier " + locate.Quote(k) + " has an invalid percent-encoding"
			}
		}
	}
	rest = strings.TrimLeft(rest, "/")
	typ, path, hasPath := strings.Cut(rest, "/")
	if typ == "" {
		return "the type is missing"
	}
	if !validType(typ) {
		return "the type " + locate.Quote(typ) + " is not valid (a letter, then letters, digits, '.', '+', '-')"
	}
	if !hasPath {
		return "the name is missing"
	}
	path = strings.TrimRight(path, "/")
	if at := strings.LastIndexByte(path, '@'); at >= 0 {
		if !validEscapes(path[at+1:]) {
			return "the version has an invalid percent-encoding"
		}
		path = path[:at]
	}
	path = strings.TrimRight(path, "/")
	slash := strings.LastIndexByte(path, '/')
	name := path[slash+1:]
	if name == "" {
		return "the name is missing"
	}
	if !validEscapes(name) {
		return "the name has an invalid percent-encoding"
	}
	if slash >= 0 {
		for _, seg := range strings.Split(path[:slash], "/") {
			if !validEscapes(seg) {
				return "the namespace has an invalid percent-encoding"
			}
		}
	}
	return ""
}

func validType(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z', c == '.', c == '+', c == '-':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func validQualifierKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z', c == '.', c == '-', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// validEscapes reports whether every '%' starts a two-digit hexadecimal
// escape and the decoded bytes are UTF-8.
func validEscapes(s string) bool {
	if !strings.Contains(s, "%") {
		return true
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return false
		}
		h, l := unhex(s[i+1]), unhex(s[i+2])
		if h < 0 || l < 0 {
			return false
		}
		b = append(b, byte(h<<4|l))
		i += 2
	}
	return utf8.Valid(b)
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// purls runs 6.1.13 PURL on every product identification helper.
func (c *checker) purls() {
	for _, n := range c.fullNames {
		h := n.fpn.ProductIdentificationHelper
		if h == nil || h.PURL == "" {
			continue
		}
		if msg := checkPURL(h.PURL); msg != "" {
			c.fail("6.1.13", n.path+"/product_identification_helper/purl", "%s is not a valid purl: %s", locate.Quote(h.PURL), msg)
		}
	}
}
