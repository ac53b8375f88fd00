package quality

import (
	_ "embed"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"
)

//go:embed licenses.txt
var licenseData string

//go:embed exceptions.txt
var exceptionData string

var (
	listOnce   sync.Once
	licenseIDs map[string]bool // upper-cased SPDX licence IDs
	exceptIDs  map[string]bool // upper-cased SPDX exception IDs
)

func loadLists() {
	listOnce.Do(func() {
		licenseIDs = readList(licenseData)
		exceptIDs = readList(exceptionData)
	})
}

func readList(s string) map[string]bool {
	m := make(map[string]bool, 800)
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		m[strings.ToUpper(l)] = true
	}
	return m
}

// validEmail reports whether s is a bare e-mail address (local@domain.tld).
func validEmail(s string) bool {
	s = strings.TrimSpace(strings.TrimPrefix(s, "mailto:"))
	if s == "" || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	dom := s[at+1:]
	return at > 0 && strings.Contains(dom, ".") && !strings.HasPrefix(dom, ".") && !strings.HasSuffix(dom, ".")
}

// validURL reports whether s is an absolute URL with a scheme and a host
// (http, https, ftp, git+https, ssh, ...).
func validURL(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	return u.Host != ""
}

// validURI accepts a URL or a URN (urn:uuid:..., urn:cdx:...).
func validURI(s string) bool {
	if validURL(s) {
		return true
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(s), "urn:") {
		parts := strings.SplitN(s, ":", 3)
		return len(parts) == 3 && parts[1] != "" && parts[2] != "" && !strings.ContainsAny(s, " \t\n")
	}
	return false
}

// validTimestamp reports whether s is an RFC 3339 date-time.
func validTimestamp(s string) bool {
	_, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	return err == nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// normAlg turns "SHA-512", "SHA512", "sha512" into "SHA512".
func normAlg(a string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(a), "-", ""))
}

// hashLen is the hex length of a hash of the algorithm; 0 if unknown.
var hashLen = map[string]int{
	"MD5": 32, "SHA1": 40, "SHA256": 64, "SHA384": 96, "SHA512": 128,
	"SHA3256": 64, "SHA3384": 96, "SHA3512": 128,
	"BLAKE2B256": 64, "BLAKE2B384": 96, "BLAKE2B512": 128, "BLAKE3": 64,
}

// strongAlg: algorithms accepted for the (optional) source code hash.
var strongAlg = map[string]bool{"SHA256": true, "SHA384": true, "SHA512": true,
	"SHA3256": true, "SHA3384": true, "SHA3512": true, "BLAKE2B256": true,
	"BLAKE2B384": true, "BLAKE2B512": true, "BLAKE3": true}

// validHashValue checks the hex length for known algorithms.
func validHashValue(alg, v string) bool {
	n := hashLen[normAlg(alg)]
	if n == 0 {
		return strings.TrimSpace(v) != ""
	}
	return isHex(strings.TrimSpace(v), n)
}

// checkLicenseExpr validates an SPDX licence expression (SPDX 2.3 annex D):
// known licence IDs (or LicenseRef-/DocumentRef-), "+", WITH exception,
// AND / OR, parentheses. NONE and NOASSERTION are rejected: they say that
// there is no licence information. It returns "" when valid, else why not.
func checkLicenseExpr(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "":
		return "empty licence expression"
	case "NONE", "NOASSERTION":
		return s + " is not a licence"
	}
	loadLists()
	p := &lexParser{toks: lexLicense(s)}
	if msg := p.expr(0); msg != "" {
		return msg
	}
	if p.i < len(p.toks) {
		return "unexpected " + quote(p.toks[p.i]) + " in licence expression"
	}
	return ""
}

func quote(s string) string { return "\"" + s + "\"" }

func lexLicense(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type lexParser struct {
	toks []string
	i    int
}

func (p *lexParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

// expr parses and-expressions joined by OR.
func (p *lexParser) expr(depth int) string {
	if depth > 50 {
		return "licence expression nested too deeply"
	}
	if msg := p.and(depth); msg != "" {
		return msg
	}
	for strings.EqualFold(p.peek(), "OR") {
		p.i++
		if msg := p.and(depth); msg != "" {
			return msg
		}
	}
	return ""
}

func (p *lexParser) and(depth int) string {
	if msg := p.prim(depth); msg != "" {
		return msg
	}
	for strings.EqualFold(p.peek(), "AND") {
		p.i++
		if msg := p.prim(depth); msg != "" {
			return msg
		}
	}
	return ""
}

func (p *lexParser) prim(depth int) string {
	t := p.peek()
	switch {
	case t == "":
		return "licence expression ends early"
	case t == "(":
		p.i++
		if msg := p.expr(depth + 1); msg != "" {
			return msg
		}
		if p.peek() != ")" {
			return "missing \")\" in licence expression"
		}
		p.i++
		return ""
	case t == ")" || isOperator(t):
		return "unexpected " + quote(t) + " in licence expression"
	}
	p.i++
	if msg := checkLicenseID(t); msg != "" {
		return msg
	}
	if strings.EqualFold(p.peek(), "WITH") {
		p.i++
		e := p.peek()
		if e == "" || e == "(" || e == ")" || isOperator(e) {
			return "WITH needs an exception identifier"
		}
		p.i++
		if !exceptIDs[strings.ToUpper(e)] && !strings.HasPrefix(e, "AdditionRef-") {
			return "unknown SPDX licence exception " + quote(e)
		}
	}
	return ""
}

func isOperator(t string) bool {
	return strings.EqualFold(t, "AND") || strings.EqualFold(t, "OR") || strings.EqualFold(t, "WITH")
}

func checkLicenseID(id string) string {
	if strings.HasPrefix(id, "LicenseRef-") || strings.HasPrefix(id, "DocumentRef-") && strings.Contains(id, ":LicenseRef-") {
		if idstring(id) {
			return ""
		}
		return "malformed licence reference " + quote(id)
	}
	base := strings.TrimSuffix(id, "+")
	if licenseIDs[strings.ToUpper(base)] {
		return ""
	}
	switch strings.ToUpper(id) {
	case "NONE", "NOASSERTION":
		return id + " is not a licence"
	}
	return "unknown SPDX licence identifier " + quote(id)
}

func idstring(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// versionAtLeast compares dotted numeric versions ("1.6" >= "1.5").
func versionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = atoi(a[i])
		}
		y = atoi(b[i])
		if x != y {
			return x > y
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<20 {
			break
		}
	}
	return n
}
