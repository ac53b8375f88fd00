package publish

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

// SecurityTxt is the content of /.well-known/security.txt (RFC 9116): how
// to report a vulnerability, and, with CSAF, where the advisories are
// (CSAF 2.0 §7.1.8). Every field but Expires may appear more than once.
type SecurityTxt struct {
	// Comment is written as "# " lines at the top (RFC 9116 §2.4 allows
	// comments anywhere); a generic line when empty.
	Comment string

	Contacts           []string  // Contact: mailto:, https: or tel: URIs; at least one (§2.5.3)
	Expires            time.Time // Expires: required, in the future (§2.5.5)
	Encryption         []string  // Encryption: URIs of keys for encrypted reports (§2.5.4)
	Acknowledgments    []string  // Acknowledgments: https URIs (§2.5.1)
	Policy             []string  // Policy: https URIs (§2.5.7)
	Hiring             []string  // Hiring: https URIs (§2.5.6)
	PreferredLanguages []string  // Preferred-Languages: RFC 5646 tags, written as one line (§2.5.8)
	Canonical          []string  // Canonical: https URIs where this file is served (§2.5.2)
	CSAF               []string  // CSAF: https URIs of provider-metadata.json (CSAF 2.0 §7.1.8)
}

// Validate checks s against RFC 9116 and CSAF 2.0 §7.1.8 as of now. Errors
// (an *cradle.Error, code invalid, one located problem per defect) make
// the file non-conforming; warnings are the RFC's recommendations it does
// not follow.
func (s *SecurityTxt) Validate(now time.Time) (warnings []cradle.Problem, err error) {
	var problems []cradle.Problem
	bad := func(loc, format string, args ...any) {
		problems = append(problems, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	warn := func(loc, format string, args ...any) {
		warnings = append(warnings, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	}
	uris := func(field string, values []string, check func(loc string, u *url.URL)) {
		for i, v := range values {
			loc := field
			if len(values) > 1 {
				loc = fmt.Sprintf("%s[%d]", field, i)
			}
			if msg := valueProblem(v); msg != "" {
				bad(loc, "%s", msg)
				continue
			}
			u, err := url.Parse(v)
			if err != nil || u.Scheme == "" {
				bad(loc, "%q is not an absolute URI", v)
				continue
			}
			check(loc, u)
		}
	}
	httpsOnly := func(loc string, u *url.URL) {
		if u.Scheme != "https" || u.Host == "" {
			bad(loc, "%q must be an https:// URI (RFC 9116 §2.5)", u.String())
		}
	}

	if len(s.Contacts) == 0 {
		bad("Contact", "at least one Contact is required (RFC 9116 §2.5.3)")
	}
	uris("Contact", s.Contacts, func(loc string, u *url.URL) {
		switch strings.ToLower(u.Scheme) {
		case "mailto":
			if !validEmail(u.Opaque) {
				bad(loc, "%q: mailto: needs one e-mail address", u.String())
			}
		case "tel":
			if !strings.ContainsAny(u.Opaque, "0123456789") {
				bad(loc, "%q: tel: needs a telephone number (RFC 3966)", u.String())
			}
		case "https":
			httpsOnly(loc, u)
		case "http":
			bad(loc, "%q: web URIs must begin with https:// (RFC 9116 §2.5.3)", u.String())
		default:
			bad(loc, "%q: use a mailto:, https: or tel: URI", u.String())
		}
	})
	switch {
	case s.Expires.IsZero():
		bad("Expires", "Expires is required (RFC 9116 §2.5.5)")
	case !s.Expires.After(now):
		bad("Expires", "the file expired at %s", s.Expires.UTC().Format(time.RFC3339))
	case s.Expires.After(now.AddDate(1, 0, 0)):
		warn("Expires", "%s is more than a year ahead; RFC 9116 §2.5.5 recommends less, so that stale files expire", s.Expires.UTC().Format(time.RFC3339))
	}
	uris("Encryption", s.Encryption, func(loc string, u *url.URL) {
		// dns: (RFC 4398 OPENPGPKEY) and openpgp4fpr: are fine; a web
		// URI must be https like every other (§2.5.4, §2.5).
		if u.Scheme == "http" || (u.Scheme == "https" && u.Host == "") {
			bad(loc, "%q must be an https:// URI (RFC 9116 §2.5.4)", u.String())
		}
	})
	uris("Acknowledgments", s.Acknowledgments, httpsOnly)
	uris("Policy", s.Policy, httpsOnly)
	uris("Hiring", s.Hiring, httpsOnly)
	uris("Canonical", s.Canonical, httpsOnly)
	uris("CSAF", s.CSAF, func(loc string, u *url.URL) {
		httpsOnly(loc, u)
		if !strings.HasSuffix(u.Path, "/provider-metadata.json") {
			bad(loc, "%q must point to a provider-metadata.json (CSAF 2.0 §7.1.8)", u.String())
		}
	})
	for i, v := range s.CSAF {
		if u, err := url.Parse(v); err == nil && u.Path == "/.well-known/csaf/provider-metadata.json" {
			if i > 0 {
				bad(fmt.Sprintf("CSAF[%d]", i), "the /.well-known/csaf/provider-metadata.json URL must be the first CSAF field (CSAF 2.0 §7.1.8)")
			}
			break
		}
	}
	if len(s.CSAF) > 1 {
		warn("CSAF", "CSAF 2.0 §7.1.8: more than one provider-metadata.json SHOULD NOT be advertised")
	}
	for i, tag := range s.PreferredLanguages {
		if !wellFormedLanguageTag(tag) {
			bad(fmt.Sprintf("Preferred-Languages[%d]", i), "%q is not a well-formed RFC 5646 language tag", tag)
		}
	}
	if len(s.Canonical) == 0 {
		warn("Canonical", "no Canonical URI: RFC 9116 §2.3 and §2.5.2 recommend one, above all in a signed file")
	}
	if len(problems) > 0 {
		return warnings, cradle.Invalid("security.txt does not conform to RFC 9116", problems...)
	}
	return warnings, nil
}

// valueProblem rejects what would break the line format: a line break in
// a value would start a field of the attacker's choosing.
func valueProblem(v string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return "is empty"
	case strings.ContainsAny(v, "\r\n"):
		return fmt.Sprintf("%q contains a line break", v)
	case strings.TrimSpace(v) != v:
		return fmt.Sprintf("%q has leading or trailing space", v)
	}
	return ""
}

// Render writes s as security.txt, fields in the order RFC 9116 §2.5
// defines them, then CSAF, under a "#" comment header, LF line endings.
// It does not validate: call Validate first. Sign the result with
// Key.ClearSign for the signed form RFC 9116 §2.3 describes.
func (s *SecurityTxt) Render() []byte {
	var b bytes.Buffer
	comment := s.Comment
	if comment == "" {
		comment = "Security contact information, RFC 9116 (https://www.rfc-editor.org/rfc/rfc9116)."
	}
	for _, line := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+strings.TrimRight(line, "\r"), " "))
		b.WriteByte('\n')
	}
	field := func(name string, values []string) {
		for _, v := range values {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	field("Acknowledgments", s.Acknowledgments)
	field("Canonical", s.Canonical)
	field("Contact", s.Contacts)
	field("Encryption", s.Encryption)
	if !s.Expires.IsZero() {
		fmt.Fprintf(&b, "Expires: %s\n", s.Expires.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	field("Hiring", s.Hiring)
	field("Policy", s.Policy)
	if len(s.PreferredLanguages) > 0 {
		fmt.Fprintf(&b, "Preferred-Languages: %s\n", strings.Join(s.PreferredLanguages, ", "))
	}
	field("CSAF", s.CSAF)
	return b.Bytes()
}

// ParseSecurityTxt reads a security.txt, plain or clear-signed (the
// signature is not checked: use Verify or VerifyClearSigned). Field names
// are case-insensitive and unknown fields are ignored (RFC 9116 §2.4);
// a line that is neither a comment nor a field, a second Expires or
// Preferred-Languages, and an Expires that is not an RFC 3339 date-time
// are errors, located by line. It does not apply Validate's rules.
func ParseSecurityTxt(data []byte) (*SecurityTxt, error) {
	text, offset, err := signedText(data)
	if err != nil {
		return nil, err
	}
	s := &SecurityTxt{}
	var problems []cradle.Problem
	seen := map[string]int{}
	for i, line := range strings.Split(string(text), "\n") {
		n := i + 1 + offset
		loc := fmt.Sprintf("line %d", n)
		line = strings.TrimRight(line, "\r")
		if i == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			problems = append(problems, cradle.Problem{Location: loc, Message: fmt.Sprintf("%q is neither a comment nor a \"Field: value\" line", line)})
			continue
		}
		value = strings.TrimSpace(value)
		key := strings.ToLower(name)
		if prev, dup := seen[key]; dup && (key == "expires" || key == "preferred-languages") {
			problems = append(problems, cradle.Problem{Location: loc, Message: fmt.Sprintf("%s must not appear more than once (first on line %d)", name, prev)})
			continue
		}
		seen[key] = n
		switch key {
		case "acknowledgments":
			s.Acknowledgments = append(s.Acknowledgments, value)
		case "canonical":
			s.Canonical = append(s.Canonical, value)
		case "contact":
			s.Contacts = append(s.Contacts, value)
		case "encryption":
			s.Encryption = append(s.Encryption, value)
		case "expires":
			t, err := parseRFC3339(value)
			if err != nil {
				problems = append(problems, cradle.Problem{Location: loc, Message: fmt.Sprintf("Expires %q is not an RFC 3339 date-time", value)})
				continue
			}
			s.Expires = t
		case "hiring":
			s.Hiring = append(s.Hiring, value)
		case "policy":
			s.Policy = append(s.Policy, value)
		case "preferred-languages":
			for _, tag := range strings.Split(value, ",") {
				s.PreferredLanguages = append(s.PreferredLanguages, strings.TrimSpace(tag))
			}
		case "csaf":
			s.CSAF = append(s.CSAF, value)
		}
	}
	if len(problems) > 0 {
		return nil, cradle.Invalid("cannot read security.txt", problems...)
	}
	return s, nil
}

// parseRFC3339 accepts the lower-case "t" and "z" RFC 3339 §5.6 allows and
// Go's parser does not.
func parseRFC3339(v string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.Map(func(r rune) rune {
		switch r {
		case 't':
			return 'T'
		case 'z':
			return 'Z'
		}
		return r
	}, v))
}

// signedText returns the text of a clear-signed message (dash-escaping
// undone) and how many lines precede it, or data itself when it is not
// clear-signed. It reads the structure only, so that a file whose
// signature cannot be checked here (the RFC's own example) still parses.
func signedText(data []byte) ([]byte, int, error) {
	trimmed := bytes.TrimLeft(data, "\ufeff \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte(clearSignedHeader)) {
		return data, 0, nil
	}
	lines := strings.Split(string(data), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(strings.TrimPrefix(lines[i], "\ufeff")) != clearSignedHeader {
		i++
	}
	i++
	// Armor headers ("Hash: SHA512") up to the first empty line.
	for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
		i++
	}
	i++
	start := i
	var out []string
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if l == "-----BEGIN PGP SIGNATURE-----" {
			return []byte(strings.Join(out, "\n")), start, nil
		}
		out = append(out, strings.TrimPrefix(l, "- "))
	}
	return nil, 0, cradle.Invalid("cannot read security.txt", cradle.Problem{Message: "clear-signed message without a signature block"})
}

// wellFormedLanguageTag reports whether tag follows the ABNF of RFC 5646
// §2.1 (well-formed, not necessarily valid: subtags are not looked up in
// the IANA registry).
func wellFormedLanguageTag(tag string) bool {
	t := strings.ToLower(tag)
	if grandfathered[t] {
		return true
	}
	sub := strings.Split(t, "-")
	for _, s := range sub {
		if len(s) < 1 || len(s) > 8 || !alnum(s) {
			return false
		}
	}
	i := 0
	if sub[0] == "x" { // privateuse only
		return len(sub) > 1
	}
	// language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
	if !alpha(sub[0]) || len(sub[0]) < 2 {
		return false
	}
	i++
	if len(sub[0]) <= 3 {
		for n := 0; n < 3 && i < len(sub) && len(sub[i]) == 3 && alpha(sub[i]); n++ {
			i++
		}
	}
	if i < len(sub) && len(sub[i]) == 4 && alpha(sub[i]) { // script
		i++
	}
	if i < len(sub) && ((len(sub[i]) == 2 && alpha(sub[i])) || (len(sub[i]) == 3 && digits(sub[i]))) { // region
		i++
	}
	for i < len(sub) && (len(sub[i]) >= 5 || (len(sub[i]) == 4 && sub[i][0] >= '0' && sub[i][0] <= '9')) { // variants
		i++
	}
	for i < len(sub) && len(sub[i]) == 1 && sub[i] != "x" { // extensions
		i++
		n := 0
		for i < len(sub) && len(sub[i]) >= 2 {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(sub) && sub[i] == "x" { // privateuse
		return i+1 < len(sub)
	}
	return i == len(sub)
}

func alnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func alpha(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// grandfathered are the irregular and regular tags of RFC 5646 §2.1.
var grandfathered = map[string]bool{
	"en-gb-oed": true, "i-ami": true, "i-bnn": true, "i-default": true, "i-enochian": true,
	"i-hak": true, "i-klingon": true, "i-lux": true, "i-mingo": true, "i-navajo": true,
	"i-pwn": true, "i-tao": true, "i-tay": true, "i-tsu": true, "sgn-be-fr": true,
	"sgn-be-nl": true, "sgn-ch-de": true,
	"art-lojban": true, "cel-gaulish": true, "no-bok": true, "no-nyn": true,
	"zh-guoyu": true, "zh-hakka": true, "zh-min": true, "zh-min-nan": true, "zh-xiang": true,
}
