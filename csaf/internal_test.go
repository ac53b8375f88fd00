package csaf

import (
	"maps"
	"slices"
	"testing"
)

func TestCheckLanguageTag(t *testing.T) {
	valid := []string{"en", "EN-us", "de-DE", "de-CH-1901", "zh-Hant-TW", "sr-Latn-RS", "es-419", "yue", "zh-yue-HK",
		"i-default", "x-private", "en-x-custom", "en-US-u-ca-gregory", "sl-rozaj-biske", "qtx", "en-AA", "tlh"}
	for _, tag := range valid {
		if msg := checkLanguageTag(tag); msg != "" {
			t.Errorf("checkLanguageTag(%q) = %q, want valid", tag, msg)
		}
	}
	invalid := []string{"EZ", "xx", "eng", "en-JJ", "en-999", "en-Abcd", "de-1234x", "en-US-foobarx", "english", "e", "en--US",
		"en-", "en-u", "en-x", "en-a-bb-a-cc", "de-1901-1901", "en_US", "abcd"}
	for _, tag := range invalid {
		if msg := checkLanguageTag(tag); msg == "" {
			t.Errorf("checkLanguageTag(%q) = valid, want an error", tag)
		}
	}
}

func TestPrivateLanguageSubtag(t *testing.T) {
	tests := map[string]string{"qtx": "qtx", "en-QM": "qm", "en-Qaaa-US": "qaaa", "x-foo": "x-foo", "en-x-foo": "x-foo", "en-US": "", "de-CH-1901": "", "en-a-xx": ""}
	for tag, want := range tests {
		if got := privateLanguageSubtag(tag); got != want {
			t.Errorf("privateLanguageSubtag(%q) = %q, want %q", tag, got, want)
		}
	}
}

func TestCheckPURL(t *testing.T) {
	valid := []string{"pkg:npm/%40angular/animation@12.3.1", "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?repository_url=repo.spring.io%2Frelease",
		"pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da", "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
		"pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "pkg://npm/foo", "pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs"}
	for _, p := range valid {
		if msg := checkPURL(p); msg != "" {
			t.Errorf("checkPURL(%q) = %q, want valid", p, msg)
		}
	}
	invalid := []string{"pkg:maven/@1.3.4", "pkg:npm", "pkg:/foo", "pkg:1npm/foo", "pkg:n_pm/foo", "pkg:npm/foo%zz", "pkg:npm/foo?1a=b",
		"pkg:npm/foo?a=1&A=2", "pkg:npm/foo?=x", "http:npm/foo", "pkg:npm/foo@1%", "pkg:npm/foo#a%2"}
	for _, p := range invalid {
		if msg := checkPURL(p); msg == "" {
			t.Errorf("checkPURL(%q) = valid, want an error", p)
		}
	}
}

func TestVersions(t *testing.T) {
	for _, s := range []string{"0", "1", "42", "0.0.0", "1.2.3", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"} {
		if _, ok := parseVersion(s); !ok {
			t.Errorf("parseVersion(%q) failed", s)
		}
	}
	for _, s := range []string{"", "01", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b", "v1", "1.0.0-a_b"} {
		if _, ok := parseVersion(s); ok {
			t.Errorf("parseVersion(%q) succeeded", s)
		}
	}
	// SemVer 2.0.0 section 11's example of precedence.
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2", "2.0.1", "10"}
	for i := 1; i < len(order); i++ {
		a, _ := parseVersion(order[i-1])
		b, _ := parseVersion(order[i])
		if compareVersions(a, b) >= 0 || compareVersions(b, a) <= 0 {
			t.Errorf("%s should order before %s", order[i-1], order[i])
		}
	}
	a, _ := parseVersion("1.0.0+a")
	b, _ := parseVersion("1.0.0+b")
	if compareVersions(a, b) != 0 {
		t.Error("build metadata must not count in precedence")
	}
}

func TestCyclic(t *testing.T) {
	g := map[string][]string{
		"a": {"b"}, "b": {"c"}, "c": {"a", "x"}, // a cycle of three
		"d": {"d"},          // a self-reference
		"e": {"a", "f"},     // leads into a cycle, is not on one
		"f": {"g"}, "g": {}, // a chain
	}
	got := slices.Sorted(maps.Keys(cyclic(g)))
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("cyclic = %v, want %v", got, want)
	}
}

func TestNormalizeCategory(t *testing.T) {
	for in, want := range map[string]string{"Security      Advisory": "securityadvisory", "V_eX": "vex", "security‐incident–response": "securityincidentresponse"} {
		if got := normalizeCategory(in); got != want {
			t.Errorf("normalizeCategory(%q) = %q, want %q", in, got, want)
		}
	}
}
