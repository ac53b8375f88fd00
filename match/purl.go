package match

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cradle-sdl/cradle"
	"github.com/package-url/packageurl-go"
)

// Package is a component as OSV names it: the key under which its
// advisories are filed, and its version.
type Package struct {
	// Type is the purl type the package came from ("golang", "deb", ...).
	Type string
	// Ecosystem is the OSV ecosystem, with the release suffix OSV uses
	// where the purl names the release: "Go", "Debian:12",
	// "Ubuntu:22.04:LTS", "Alpine:v3.18", "Rocky Linux:9".
	Ecosystem string
	// Name is the package name as OSV spells it: the Go module path, the
	// npm "@scope/name", the PEP 503 normal PyPI name, the Maven
	// "group:artifact", the Composer "vendor/name", the source package of
	// a Linux distribution where the purl gives it.
	Name string
	// Version is the version in the form OSV's ranges use ("1.21.3" for
	// go1.21.3, no "v" on Go modules, "epoch:version" for RPMs); "" when
	// the purl has none.
	Version string
	// Binary is the purl's own package name when Name is the source
	// package taken from a qualifier (deb "upstream", apk "origin", rpm
	// source RPM).
	Binary string
	// Release is the distribution release named by the purl's distro
	// qualifier ("12", "22.04", "3.18", "8.6"). It matters where the OSV
	// ecosystem cannot carry it: Red Hat advisories are filed per product
	// stream ("Red Hat:rhel_aus:8.6::appstream"), which a purl does not name.
	Release string
}

// Key returns the index key of the package: advisories whose
// KeyOf(ecosystem, name) equals it are candidates, to be confirmed with
// Matches.
func (p Package) Key() string { return KeyOf(p.Ecosystem, p.Name) }

// KeyOf returns the index key of an OSV package: the ecosystem without
// its release and the name folded as the ecosystem folds names. Go module
// paths are compared case-insensitively because the purl specification
// lower-cases them; PyPI names by PEP 503; NuGet and Packagist names
// case-insensitively, as their registries do.
func KeyOf(ecosystem, name string) string {
	base := baseEcosystem(ecosystem)
	switch base {
	case "Go", "NuGet", "Packagist":
		name = strings.ToLower(name)
	case "PyPI":
		name = pep503(name)
	}
	return base + ":" + name
}

// Matches reports whether an advisory's affected package (its OSV
// ecosystem and name) is this package. Releases are compared where both
// sides name one: an advisory for "Debian:11" does not match a Debian 12
// package, while one for plain "Debian" matches every release, and a
// package whose release is unknown matches every release (a false alarm is
// cheaper than a missed one). Ubuntu Pro and FIPS streams match the
// release they serve; SUSE module products match the service pack of the
// server; Red Hat streams match by the release number in their CPE.
func (p Package) Matches(ecosystem, name string) bool {
	if KeyOf(ecosystem, name) != p.Key() {
		return false
	}
	_, want, _ := strings.Cut(ecosystem, ":")
	_, have, _ := strings.Cut(p.Ecosystem, ":")
	if want == "" {
		return true
	}
	switch baseEcosystem(ecosystem) {
	case "Maven", "Packagist", "VSCode":
		return true // the suffix names a repository, not a release
	case "Ubuntu":
		return have == "" || ubuntuNumber.FindString(want) == ubuntuNumber.FindString(have)
	case "SUSE", "openSUSE":
		if have == "" {
			return true
		}
		return want == have || suseNumber.FindString(want) == suseNumber.FindString(have)
	case "Red Hat":
		if p.Release == "" {
			return true
		}
		// "rhel_aus:8.6::appstream", "enterprise_linux:8::baseos"
		fields := strings.Split(want, ":")
		if len(fields) < 2 || fields[1] == "" {
			return true
		}
		v := fields[1]
		return v == p.Release || strings.HasPrefix(p.Release, v+".") || strings.HasPrefix(v, p.Release+".")
	}
	return have == "" || want == have
}

var (
	ubuntuNumber = regexp.MustCompile(`\d+\.\d+`)
	suseNumber   = regexp.MustCompile(`\d+(?:[ .]SP\d+|\.\d+)?$`)
)

// PackageOf maps a purl to the OSV package it names. A malformed purl is
// a cradle.EInvalid error; a purl type (or distribution) OSV has no
// ecosystem for is an EInvalid error that is also ErrUnsupported.
func PackageOf(purl string) (Package, error) {
	u, err := packageurl.FromString(purl)
	if err != nil {
		return Package{}, cradle.Invalid("invalid purl", cradle.Problem{Location: "purl", Message: fmt.Sprintf("%q: %v", purl, err)})
	}
	q := u.Qualifiers.Map()
	p := Package{Type: u.Type, Name: u.Name, Version: u.Version}
	ns := u.Namespace
	bad := func(msg string) (Package, error) {
		return Package{}, cradle.Invalid("invalid purl", cradle.Problem{Location: "purl", Message: fmt.Sprintf("%q: %s", purl, msg)})
	}
	switch u.Type {
	case packageurl.TypeGolang:
		p.Ecosystem = "Go"
		if ns != "" {
			p.Name = ns + "/" + u.Name
		}
		switch p.Name {
		case "stdlib", "std":
			p.Name = "stdlib"
		case "toolchain", "golang.org/toolchain":
			// The toolchain module's versions are "v0.0.1-go1.21.3.linux-amd64".
			if m := toolchainVersion.FindStringSubmatch(p.Version); m != nil {
				p.Version = "go" + m[1]
			}
			p.Name = "toolchain"
		}
		p.Version = normalise("Go", p.Version)
	case packageurl.TypeNPM:
		p.Ecosystem = "npm"
		if ns != "" {
			p.Name = ns + "/" + u.Name
		}
	case packageurl.TypePyPi:
		p.Ecosystem, p.Name = "PyPI", pep503(u.Name)
	case packageurl.TypeMaven:
		if ns == "" {
			return bad("a maven purl needs a namespace (the groupId)")
		}
		p.Ecosystem, p.Name = "Maven", ns+":"+u.Name
	case packageurl.TypeCargo:
		p.Ecosystem = "crates.io"
	case packageurl.TypeNuget:
		p.Ecosystem = "NuGet"
	case packageurl.TypeGem:
		p.Ecosystem = "RubyGems"
	case packageurl.TypeComposer:
		p.Ecosystem = "Packagist"
		if ns != "" {
			p.Name = ns + "/" + u.Name
		}
	case packageurl.TypeHex:
		p.Ecosystem = "Hex" // the namespace is a Hex organisation; OSV names the package alone
	case packageurl.TypePub:
		p.Ecosystem = "Pub"
	case packageurl.TypeHackage:
		p.Ecosystem = "Hackage"
	case packageurl.TypeCran:
		p.Ecosystem = "CRAN"
	case packageurl.TypeDebian:
		if err := debPackage(&p, ns, q); err != nil {
			return Package{}, unsupported("unsupported purl", cradle.Problem{Location: "purl", Message: fmt.Sprintf("%q: %v", purl, err)})
		}
	case packageurl.TypeApk, "alpine":
		// "pkg:alpine/..." is what syft wrote before the apk type existed.
		if u.Type == "alpine" {
			p.Type, ns = packageurl.TypeApk, "alpine"
		}
		if err := apkPackage(&p, ns, q); err != nil {
			return Package{}, unsupported("unsupported purl", cradle.Problem{Location: "purl", Message: fmt.Sprintf("%q: %v", purl, err)})
		}
	case packageurl.TypeRPM:
		if err := rpmPackage(&p, ns, q); err != nil {
			return Package{}, unsupported("unsupported purl", cradle.Problem{Location: "purl", Message: fmt.Sprintf("%q: %v", purl, err)})
		}
	default:
		return Package{}, unsupported("unsupported purl type", cradle.Problem{Location: "purl",
			Message: fmt.Sprintf("%q: OSV has no ecosystem for purl type %q", purl, u.Type)})
	}
	return p, nil
}

var toolchainVersion = regexp.MustCompile(`go(\d+(?:\.\d+)*(?:(?:alpha|beta|rc)\d+)?)`)

// pep503 normalises a PyPI project name: lower case, each run of "-",
// "_" and "." one "-".
func pep503(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteRune(r)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// distro splits a distro qualifier ("debian-11.6", "ubuntu-22.04",
// "alpine-3.18.4", "3.16.3", "bookworm", "sles-15.3",
// "opensuse-leap-15.5") into its distribution id and its release.
func distro(q string) (id, release string) {
	q = strings.ToLower(q)
	i := strings.LastIndexByte(q, '-')
	if i < 0 {
		return "", q // a bare release or codename: "3.16.3", "bookworm"
	}
	return q[:i], q[i+1:]
}

// sourceQualifier returns the source package named by a qualifier and
// the source version if it carries one ("openssl@3.0.11-1").
func sourceQualifier(q map[string]string, keys ...string) (name, version string) {
	for _, k := range keys {
		if s := q[k]; s != "" {
			name, version, _ = strings.Cut(s, "@")
			return name, version
		}
	}
	return "", ""
}

var debianCodenames = map[string]string{
	"buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2", "slink": "2.1", "potato": "2.2",
	"woody": "3", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
	"trixie": "13", "forky": "14", "duke": "15",
}

var ubuntuCodenames = map[string]string{
	"warty": "4.10", "hoary": "5.04", "breezy": "5.10", "dapper": "6.06", "edgy": "6.10",
	"feisty": "7.04", "gutsy": "7.10", "hardy": "8.04", "intrepid": "8.10", "jaunty": "9.04",
	"karmic": "9.10", "lucid": "10.04", "maverick": "10.10", "natty": "11.04", "oneiric": "11.10",
	"precise": "12.04", "quantal": "12.10", "raring": "13.04", "saucy": "13.10", "trusty": "14.04",
	"utopic": "14.10", "vivid": "15.04", "wily": "15.10", "xenial": "16.04", "yakkety": "16.10",
	"zesty": "17.04", "artful": "17.10", "bionic": "18.04", "cosmic": "18.10", "disco": "19.04",
	"eoan": "19.10", "focal": "20.04", "groovy": "20.10", "hirsute": "21.04", "impish": "21.10",
	"jammy": "22.04", "kinetic": "22.10", "lunar": "23.04", "mantic": "23.10", "noble": "24.04",
	"oracular": "24.10", "plucky": "25.04", "questing": "25.10", "resolute": "26.04",
}

// debPackage fills in a Debian or Ubuntu package: the source package from
// the "upstream" (syft) or "source" qualifier, since OSV files Debian and
// Ubuntu advisories under source packages, and the release from "distro".
func debPackage(p *Package, ns string, q map[string]string) error {
	id, release := distro(q["distro"])
	switch {
	case ns == "debian" || ns == "" && id == "debian":
		p.Ecosystem = "Debian"
		if r, ok := debianCodenames[release]; ok {
			release = r
		}
		if release == "sid" || release == "unstable" {
			release = "sid"
		} else if release != "" {
			release, _, _ = strings.Cut(release, ".") // "11.6" → "11"
		}
		if release != "" {
			p.Ecosystem += ":" + release
		}
	case ns == "ubuntu" || ns == "" && id == "ubuntu":
		p.Ecosystem = "Ubuntu"
		if r, ok := ubuntuCodenames[release]; ok {
			release = r
		}
		release = ubuntuNumber.FindString(release) // "22.04.3" → "22.04"
		if release != "" {
			p.Ecosystem += ":" + release
			if ubuntuLTS(release) {
				p.Ecosystem += ":LTS"
			}
		}
	default:
		return fmt.Errorf("OSV has no ecosystem for deb namespace %q", ns)
	}
	p.Release = release
	if name, version := sourceQualifier(q, "upstream", "source", "src"); name != "" {
		p.Binary, p.Name = p.Name, name
		if version != "" {
			p.Version = version
		}
	}
	return nil
}

// ubuntuLTS reports whether an Ubuntu release ("22.04") is a long-term
// support release: every April release of an even year since 8.04, and
// 6.06.
func ubuntuLTS(release string) bool {
	if release == "6.06" {
		return true
	}
	year, month, ok := strings.Cut(release, ".")
	y, err := strconv.Atoi(year)
	return ok && err == nil && month == "04" && y >= 8 && y%2 == 0
}

// apkPackage fills in an Alpine (or Wolfi, Chainguard) package. OSV files
// Alpine advisories under the origin (source) package and the release
// branch "v3.18".
func apkPackage(p *Package, ns string, q map[string]string) error {
	switch ns {
	case "wolfi":
		p.Ecosystem = "Wolfi"
	case "chainguard":
		p.Ecosystem = "Chainguard"
	case "alpine", "":
		p.Ecosystem = "Alpine"
		_, release := distro(q["distro"])
		release = strings.TrimPrefix(release, "v")
		if parts := strings.Split(release, "."); len(parts) >= 2 && parts[0] != "" && isDigit(parts[0][0]) {
			p.Release = parts[0] + "." + parts[1]
			p.Ecosystem += ":v" + p.Release
		} else if release != "" {
			p.Release = release // "edge": no OSV release branch; matches every branch
		}
	default:
		return fmt.Errorf("OSV has no ecosystem for apk namespace %q", ns)
	}
	if name, _ := sourceQualifier(q, "origin", "upstream"); name != "" {
		p.Binary, p.Name = p.Name, name
	}
	return nil
}

// rpmPackage fills in an RPM package. The version gains the "epoch:"
// prefix from the epoch qualifier. Red Hat advisories name binary RPMs
// and the package keeps its own name; the other distributions name
// source RPMs, taken from the "upstream" qualifier ("acl-2.2.52-4.3.1.src.rpm").
func rpmPackage(p *Package, ns string, q map[string]string) error {
	id, release := distro(q["distro"])
	p.Release = release
	major, _, _ := strings.Cut(release, ".")
	switch ns {
	case "redhat", "rhel":
		p.Ecosystem = "Red Hat"
	case "rocky", "rockylinux":
		p.Ecosystem = "Rocky Linux"
		if major != "" {
			p.Ecosystem += ":" + major
		}
	case "almalinux", "alma":
		p.Ecosystem = "AlmaLinux"
		if major != "" {
			p.Ecosystem += ":" + major
		}
	case "mageia":
		p.Ecosystem = "Mageia"
		if release != "" {
			p.Ecosystem += ":" + release
		}
	case "opensuse":
		p.Ecosystem = "openSUSE"
		switch {
		case strings.HasSuffix(id, "tumbleweed") || release == "tumbleweed":
			p.Ecosystem += ":Tumbleweed"
		case strings.HasSuffix(id, "leap-micro") && release != "":
			p.Ecosystem += ":Leap Micro " + release
		case release != "":
			p.Ecosystem += ":Leap " + release
		}
	case "suse", "sles", "sled", "sle":
		p.Ecosystem = "SUSE"
		product := "Linux Enterprise Server"
		switch {
		case strings.HasSuffix(id, "sled"):
			product = "Linux Enterprise Desktop"
		case strings.HasSuffix(id, "micro"):
			product = "Linux Enterprise Micro"
		}
		if release != "" {
			// "15.3" → "15 SP3"; SLE Micro keeps its "5.5".
			v := release
			if major, minor, ok := strings.Cut(release, "."); ok && product != "Linux Enterprise Micro" {
				v = major
				if minor != "0" {
					v += " SP" + minor
				}
			}
			p.Ecosystem += ":" + product + " " + v
		}
	default:
		return fmt.Errorf("OSV has no ecosystem for rpm namespace %q", ns)
	}
	if e := q["epoch"]; e != "" && p.Version != "" && !strings.Contains(p.Version, ":") {
		p.Version = e + ":" + p.Version
	}
	if p.Ecosystem != "Red Hat" {
		if src := sourceRPM(q["upstream"]); src != "" {
			p.Binary, p.Name = p.Name, src
		}
	}
	return nil
}

// sourceRPM returns the package name of a source RPM file name
// ("acl-2.2.52-4.3.1.src.rpm" → "acl"), or s itself when it is a bare name.
func sourceRPM(s string) string {
	base, ok := strings.CutSuffix(s, ".src.rpm")
	if !ok {
		base, ok = strings.CutSuffix(s, ".nosrc.rpm")
	}
	if !ok {
		return s
	}
	for range 2 { // drop "-release" and "-version"
		i := strings.LastIndexByte(base, '-')
		if i <= 0 {
			return ""
		}
		base = base[:i]
	}
	return base
}
