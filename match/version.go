package match

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cradle-sdl/cradle"
	"github.com/google/osv-scalibr/semantic"
)

// ErrUnsupported is in the chain of every error about an ecosystem or purl
// type this package cannot evaluate, so that callers can report "not
// checked" apart from "bad input": errors.Is(err, match.ErrUnsupported).
var ErrUnsupported = errors.New("unsupported")

// unsupportedError is a cradle.Error (code invalid, message safe to show)
// that also answers errors.Is(err, ErrUnsupported).
type unsupportedError struct{ err *cradle.Error }

func (e *unsupportedError) Error() string        { return e.err.Error() }
func (e *unsupportedError) Unwrap() error        { return e.err }
func (e *unsupportedError) Is(target error) bool { return target == ErrUnsupported }

func unsupported(msg string, problems ...cradle.Problem) error {
	return &unsupportedError{cradle.Invalid(msg, problems...)}
}

// Compare orders two versions of one OSV ecosystem ("PyPI", "Debian:12";
// the ":release" suffix is ignored) the way that ecosystem does, returning
// -1, 0 or +1. It accepts whatever the ecosystem's ordering can place, odd
// strings included; Compile and Affects are stricter about what they accept
// as a version, because an odd string that sorts below everything would
// turn into a silent "not affected".
func Compare(ecosystem, a, b string) (int, error) {
	base := baseEcosystem(ecosystem)
	var vs [2]semantic.Version
	for i, s := range [2]string{a, b} {
		v, err := parseOrdered(base, normalise(base, strings.TrimSpace(s)))
		if errors.Is(err, ErrUnsupported) {
			return 0, err
		} else if err != nil {
			return 0, cradle.Invalid(fmt.Sprintf("cannot compare %s versions %q and %q", ecosystem, a, b),
				cradle.Problem{Location: "version", Message: err.Error()})
		}
		vs[i] = v
	}
	n, err := compareVersions(vs[0], vs[1])
	if err != nil {
		return 0, cradle.Invalid(fmt.Sprintf("cannot compare %s versions %q and %q", ecosystem, a, b),
			cradle.Problem{Location: "version", Message: err.Error()})
	}
	return n, nil
}

// CompareSemver orders two versions by SemVer 2.0 precedence, the ordering
// of OSV's SEMVER ranges whatever the ecosystem.
func CompareSemver(a, b string) int {
	c, _ := semantic.ParseSemverVersion(a).Compare(semantic.ParseSemverVersion(b))
	return c
}

// Supported reports whether the ecosystem's version ordering is known, that
// is whether its ECOSYSTEM ranges can be evaluated.
func Supported(ecosystem string) bool {
	_, err := semantic.Parse("0", baseEcosystem(ecosystem))
	return !errors.Is(err, semantic.ErrUnsupportedEcosystem)
}

// baseEcosystem strips the ":release" suffix: "Debian:12" → "Debian".
func baseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

// semverLike are the ecosystems whose ordering is SemVer's or a relative
// of it. Their parser accepts any string, placing one that does not start
// with a number below every real version, so we refuse such strings.
var semverLike = map[string]bool{
	"Bioconductor": true, "Bitnami": true, "ConanCenter": true, "crates.io": true,
	"Docker Hardened Images": true, "GHC": true, "Go": true, "Hackage": true,
	"Hex": true, "Julia": true, "npm": true, "NuGet": true, "Pub": true, "SwiftURL": true,
}

// normalise rewrites a component version into the form the ecosystem's
// advisories use. Go: the standard library is versioned "go1.21.3" by the
// toolchain and "1.21.3" by OSV; module versions carry a "v" that OSV drops.
func normalise(base, v string) string {
	if base == "Go" {
		if strings.HasPrefix(v, "go") && len(v) > 2 && isDigit(v[2]) {
			return goSemver(v[2:])
		}
		return strings.TrimPrefix(v, "v")
	}
	return v
}

// goSemver turns a Go release number without its "go" prefix into the
// SemVer form OSV uses: "1.21" → "1.21.0", "1.21rc2" → "1.21.0-rc.2",
// "1.9.2rc2" → "1.9.2-rc.2". Anything it does not recognise is returned
// as is and left to the parser.
func goSemver(v string) string {
	m := goRelease.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	minor, patch := m[2], m[3]
	if minor == "" {
		minor = "0"
	}
	if patch == "" {
		patch = "0"
	}
	s := m[1] + "." + minor + "." + patch
	if m[4] != "" {
		s += "-" + m[4] + "." + m[5]
	}
	return s
}

var goRelease = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?$`)

// check refuses versions that the ecosystem's ordering would place
// somewhere without meaning. semver is true for SEMVER ranges. PyPI
// versions need not follow PEP 440: releases from before it ("0.3m1",
// "2.0.0-final") are in advisories' versions lists, and the ordering
// places them as pip's legacy versions, below every PEP 440 version.
func check(base, v string, semver bool) error {
	if v == "" {
		return errors.New("the version is empty")
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("version %q contains a space or control character", v)
		}
	}
	if semver || semverLike[base] {
		s := strings.TrimPrefix(v, "v")
		if s == "" || !isDigit(s[0]) {
			return fmt.Errorf("version %q does not start with a number", v)
		}
		return nil
	}
	if !strings.ContainsAny(v, "0123456789") {
		return fmt.Errorf("version %q has no number in it", v)
	}
	return nil
}

// parseOrdered parses v in the ordering of the base ecosystem.
func parseOrdered(base, v string) (semantic.Version, error) {
	if v == "" {
		return nil, errors.New("the version is empty")
	}
	pv, err := parseSafely(v, base)
	if errors.Is(err, semantic.ErrUnsupportedEcosystem) {
		return nil, unsupported(fmt.Sprintf("no version ordering is known for ecosystem %q", base))
	} else if err != nil {
		return nil, fmt.Errorf("cannot parse %s version %q: %w", base, v, err)
	}
	return pv, nil
}

// parseSafely turns a panic in the ordering library into an error: a
// version string from an SBOM is untrusted input.
func parseSafely(v, base string) (pv semantic.Version, err error) {
	defer func() {
		if r := recover(); r != nil {
			pv, err = nil, fmt.Errorf("version parser failed: %v", r)
		}
	}()
	return semantic.Parse(v, base)
}

// compareVersions compares two parsed versions of one ordering, turning a
// panic into an error like parseSafely.
func compareVersions(a, b semantic.Version) (c int, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = 0, fmt.Errorf("version comparison failed: %v", r)
		}
	}()
	return a.Compare(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// pep440 is the version grammar of PEP 440 (its appendix B), matched
// case-insensitively.
var pep440 = regexp.MustCompile(`(?i)^v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?:[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>[0-9]+)?)?` +
	`(?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?` +
	`(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$`)

// NormalisePyPI returns the form of a PyPI version under which two
// versions PEP 440 considers equal are the same string: "1.0" and
// "1.0.0", "1.0RC1" and "1.0rc1", "1.0-1" and "1.0.post1" each normalise
// alike. A string that is not a PEP 440 version comes back lower-cased.
func NormalisePyPI(v string) string {
	v = strings.TrimSpace(v)
	m := pep440.FindStringSubmatch(v)
	if m == nil {
		return strings.ToLower(v)
	}
	group := func(name string) string { return m[pep440.SubexpIndex(name)] }
	var b strings.Builder
	b.WriteString(trimZeros(group("epoch")))
	b.WriteByte('!')
	release := strings.Split(group("release"), ".")
	for len(release) > 1 && trimZeros(release[len(release)-1]) == "0" {
		release = release[:len(release)-1]
	}
	for i, r := range release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(trimZeros(r))
	}
	if l := strings.ToLower(group("pre_l")); l != "" {
		switch l {
		case "alpha":
			l = "a"
		case "beta":
			l = "b"
		case "c", "pre", "preview":
			l = "rc"
		}
		b.WriteString(l + trimZeros(group("pre_n")))
	}
	if group("post_l") != "" || group("post_n1") != "" {
		b.WriteString(".post" + trimZeros(group("post_n1")+group("post_n2")))
	}
	if group("dev_l") != "" {
		b.WriteString(".dev" + trimZeros(group("dev_n")))
	}
	if local := group("local"); local != "" {
		parts := strings.FieldsFunc(strings.ToLower(local), func(r rune) bool {
			return r == '.' || r == '-' || r == '_'
		})
		for i, p := range parts {
			if p != "" && strings.Trim(p, "0123456789") == "" {
				parts[i] = trimZeros(p)
			}
		}
		b.WriteString("+" + strings.Join(parts, "."))
	}
	return b.String()
}

// trimZeros strips leading zeros from a decimal number; "" and "000" are "0".
func trimZeros(n string) string {
	n = strings.TrimLeft(n, "0")
	if n == "" {
		return "0"
	}
	return n
}
