package csaf

//go:generate go run langgen.go

import (
	"sort"
	"strings"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// inList reports whether s is one of the fixed-width codes concatenated in
// list (sorted), by binary search.
func inList(list, s string) bool {
	w := len(s)
	n := len(list) / w
	i := sort.Search(n, func(i int) bool { return list[i*w:i*w+w] >= s })
	return i < n && list[i*w:i*w+w] == s
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9') && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return s != ""
}

// checkLanguageTag checks a BCP 47 language tag (RFC 5646) against the
// IANA Language Subtag Registry: it must be well-formed, and its language,
// extended language, script, region and variant subtags must be
// registered. Extensions and private-use subtags are checked for form
// only, as the registry does not list their values. It returns "" for a
// valid tag and else what is wrong.
func checkLanguageTag(tag string) string {
	lower := strings.ToLower(tag)
	switch lower {
	case "i-default", "i-mingo", "i-ami", "i-bnn", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu",
		"art-lojban", "cel-gaulish", "en-gb-oed", "no-bok", "no-nyn", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de",
		"zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang":
		return "" // grandfathered tags (RFC 5646 section 2.2.8)
	}
	parts := strings.Split(lower, "-")
	i := 0
	if parts[0] == "x" {
		return privateUse(parts[1:])
	}
	// Language.
	lang := parts[0]
	switch {
	case len(lang) == 2 && isAlpha(lang):
		if !inList(languages2, lang) {
			return locate.Quote(parts[0]) + " is not a registered language subtag"
		}
	case len(lang) == 3 && isAlpha(lang):
		if !inList(languages3, lang) {
			return locate.Quote(parts[0]) + " is not a registered language subtag"
		}
	case len(lang) >= 4 && len(lang) <= 8 && isAlpha(lang):
		return locate.Quote(parts[0]) + " is not a registered language subtag (no language subtag of 4 to 8 letters is registered)"
	default:
		return locate.Quote(parts[0]) + " is not a language subtag (expected 2 or 3 letters)"
	}
	i++
	// Extended language subtags: up to three of 3 letters after a 2- or
	// 3-letter language.
	for n := 0; n < 3 && i < len(parts) && len(parts[i]) == 3 && isAlpha(parts[i]); n++ {
		if !inList(languages3, parts[i]) {
			return locate.Quote(parts[i]) + " is not a registered extended language subtag"
		}
		i++
	}
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) {
		if !inList(scripts4, parts[i]) {
			return locate.Quote(parts[i]) + " is not a registered script subtag"
		}
		i++
	}
	if i < len(parts) {
		p := parts[i]
		switch {
		case len(p) == 2 && isAlpha(p):
			if !inList(regions2, strings.ToUpper(p)) {
				return locate.Quote(strings.ToUpper(p)) + " is not a registered region subtag"
			}
			i++
		case len(p) == 3 && isDigits(p):
			if !inList(regions3, p) {
				return locate.Quote(p) + " is not a registered region subtag"
			}
			i++
		}
	}
	seenVariant := map[string]bool{}
	for i < len(parts) {
		p := parts[i]
		if !(len(p) >= 5 && len(p) <= 8 && isAlnum(p)) && !(len(p) == 4 && p[0] >= '0' && p[0] <= '9' && isAlnum(p)) {
			break
		}
		if !variantSubtags[p] {
			return locate.Quote(p) + " is not a registered variant subtag"
		}
		if seenVariant[p] {
			return "the variant " + locate.Quote(p) + " is given twice"
		}
		seenVariant[p] = true
		i++
	}
	seenExt := map[string]bool{}
	for i < len(parts) {
		p := parts[i]
		if len(p) != 1 || !isAlnum(p) {
			return locate.Quote(p) + " is not a valid subtag here"
		}
		if p == "x" {
			return privateUse(parts[i+1:])
		}
		if seenExt[p] {
			return "the extension " + locate.Quote(p) + " is given twice"
		}
		seenExt[p] = true
		i++
		n := 0
		for i < len(parts) && len(parts[i]) >= 2 && len(parts[i]) <= 8 && isAlnum(parts[i]) {
			i++
			n++
		}
		if n == 0 {
			return "the extension " + locate.Quote(p) + " has no subtags"
		}
	}
	return ""
}

func privateUse(parts []string) string {
	if len(parts) == 0 {
		return "the private-use part is empty"
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 8 || !isAlnum(p) {
			return locate.Quote(p) + " is not a valid private-use subtag"
		}
	}
	return ""
}

// privateLanguageSubtag returns the first subtag of tag that the registry
// reserves for private use, or "": the x- part, languages qaa–qtz,
// scripts Qaaa–Qabx, regions AA, QM–QZ, XA–XZ and ZZ (test 6.2.14).
func privateLanguageSubtag(tag string) string {
	parts := strings.Split(strings.ToLower(tag), "-")
	for i, p := range parts {
		switch {
		case p == "x" && (i > 0 || len(parts) > 1):
			return strings.Join(parts[i:], "-")
		case i == 0 && len(p) == 3 && p >= "qaa" && p <= "qtz":
			return p
		case i > 0 && len(p) == 4 && isAlpha(p) && p >= "qaaa" && p <= "qabx":
			return p
		case i > 0 && len(p) == 2 && isAlpha(p) && (p == "aa" || p == "zz" || (p >= "qm" && p <= "qz") || (p >= "xa" && p <= "xz")):
			return p
		case len(p) == 1:
			return "" // an extension: what follows is not a registry subtag
		}
	}
	return ""
}

// languages runs 6.1.12 Language, 6.1.15 Translator and 6.1.28
// Translation.
func (c *checker) languages() {
	d := &c.doc.Document
	for _, l := range []struct{ path, tag string }{{"/document/lang", d.Lang}, {"/document/source_lang", d.SourceLang}} {
		if l.tag == "" {
			continue
		}
		if msg := checkLanguageTag(l.tag); msg != "" {
			c.fail("6.1.12", l.path, "%s is not a valid language tag: %s", locate.Quote(l.tag), msg)
		}
	}
	if d.Publisher.Category == "translator" && d.SourceLang == "" {
		c.fail("6.1.15", "/document/source_lang", "expected the source language, as the publisher is a translator, found none")
	}
	if d.Lang != "" && strings.EqualFold(d.Lang, d.SourceLang) {
		c.fail("6.1.28", "/document/source_lang", "the source language is the document's language %s: a translation must change the language", locate.Quote(d.Lang))
	}
}
