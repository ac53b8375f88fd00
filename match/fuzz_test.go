package match_test

import (
	"testing"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
)

// fuzzAffected are advisories of every supported ordering, to throw
// random versions at.
var fuzzAffected = []cradle.Affected{
	{Ecosystem: "Go", Name: "m", Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "fixed", "1.2.3"), rng("SEMVER", "introduced", "2.0.0-0", "last_affected", "2.1.0")}},
	{Ecosystem: "npm", Name: "m", Versions: []string{"3.0.0"}, Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0-rc.1", "fixed", "1.0.1", "limit", "5.0.0")}},
	{Ecosystem: "PyPI", Name: "p", Versions: []string{"1.0", "0.3m1"}, Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1!2.0.post1")}},
	{Ecosystem: "Maven", Name: "g:a", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "1.0-alpha-1", "fixed", "2.0.Final")}},
	{Ecosystem: "Debian:12", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1:2.0~rc1-1+deb12u1")}},
	{Ecosystem: "Ubuntu:22.04:LTS", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "7.81.0-1ubuntu1.15")}},
	{Ecosystem: "Alpine:v3.18", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.36.1_rc1-r5")}},
	{Ecosystem: "Red Hat", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1:2.13.3-3.el8_6.1")}},
	{Ecosystem: "SUSE:Linux Enterprise Server 15 SP3", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "8.0.1-150400.5.32.1")}},
	{Ecosystem: "RubyGems", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "4.0.1", "fixed", "4.0.5.rc1")}},
	{Ecosystem: "NuGet", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.2.3.4-beta")}},
	{Ecosystem: "Packagist", Name: "v/p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "1.0.0-beta1", "fixed", "1.0.0-p1")}},
	{Ecosystem: "Pub", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.0.0+hotfix.1")}},
	{Ecosystem: "Hackage", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "2.1.2.1")}},
	{Ecosystem: "CRAN", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "3.4-1")}},
	{Ecosystem: "crates.io", Name: "p", Ranges: []cradle.Range{rng("SEMVER", "introduced", "0.0.0-0", "fixed", "0.10.0", "introduced", "0.10.0", "fixed", "0.10.0")}},
	{Ecosystem: "Hex", Name: "p", Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "fixed", "1.7.7")}},
	{Ecosystem: "GHC", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "9.2.1")}},
}

// FuzzAffects throws random versions at compiled ranges of every ordering,
// and random event versions at Compile: no panic, and a verdict that
// agrees with itself.
func FuzzAffects(f *testing.F) {
	for _, v := range []string{"1.2.3", "v1.2.3", "go1.21rc2", "1:2.0-1~deb12u1", "1.36.1-r5", "2.0.Final", "1!2.0.post1.dev3+local.7",
		"0.0.0-20210101000000-abcdef123456", "", "-", "~", ":", "1:", "9999999999999999999999999", "1..2", "a", "0.3m1", "1.0-", "+"} {
		f.Add(uint8(0), v, "1.0.0")
	}
	f.Add(uint8(2), "1.0", "x")
	f.Add(uint8(4), "1:1", "1:")
	f.Fuzz(func(t *testing.T, which uint8, version, event string) {
		a := fuzzAffected[int(which)%len(fuzzAffected)]
		c, err := match.Compile(a)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Affects(version)
		if err == nil && res.Affected != (len(res.Matches) > 0) {
			t.Errorf("%s %q: %+v", a.Ecosystem, version, res)
		}
		again, err2 := c.Affects(version)
		if (err == nil) != (err2 == nil) || again.Affected != res.Affected {
			t.Errorf("%s %q: two verdicts: %+v, %v; %+v, %v", a.Ecosystem, version, res, err, again, err2)
		}

		// The same ordering with a random event version.
		b := a
		b.Ranges = []cradle.Range{rng(a.Ranges[0].Type, "introduced", event, "fixed", version, "introduced", version)}
		if c, err := match.Compile(b); err == nil {
			_, _ = c.Affects(version)
			_, _ = c.Affects(event)
		}
		_, _ = match.Compare(a.Ecosystem, version, event)
	})
}

// FuzzPackageOf throws random strings at the purl mapping: no panic, and
// a mapped package always has an ecosystem and a name.
func FuzzPackageOf(f *testing.F) {
	for _, s := range []string{
		"pkg:golang/github.com/BurntSushi/toml@v1.3.2", "pkg:golang/stdlib@go1.21rc2",
		"pkg:golang/golang.org/toolchain@v0.0.1-go1.21.3.linux-amd64", "pkg:npm/%40angular/core@16.2.0",
		"pkg:pypi/Products.PluggableAuthService@2.6.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
		"pkg:cargo/serde@1.0.188", "pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:gem/activesupport@4.2.1",
		"pkg:composer/laravel/framework@10.0.0", "pkg:hex/acme/foo@1.0.0", "pkg:pub/http@1.1.0", "pkg:hackage/aeson@2.1.2.1",
		"pkg:deb/debian/login@1:4.13+dfsg1-1+b1?upstream=shadow%401:4.13%2Bdfsg1-1&distro=bookworm",
		"pkg:deb/ubuntu/libpcre3@2:8.39-13ubuntu0.20.04.1?distro=focal&source=pcre3",
		"pkg:apk/alpine/ssl_client@1.36.1-r27?arch=x86_64&upstream=busybox&distro=alpine-3.17.2",
		"pkg:alpine/musl@1.2.3-r0?distro=3.16.3", "pkg:rpm/rhel/openssl-libs@3.0.7-24.el9?epoch=1&distro=rhel-9.3",
		"pkg:rpm/sles/aaa_base@84.87-150300.10.3.1?upstream=aaa_base-84.87-150300.10.3.1.src.rpm&distro=sles-15.3",
		"pkg:rpm/opensuse/curl@8.4.0-1.1?distro=opensuse-tumbleweed-20231101", "pkg:rpm/rocky/x@1?upstream=.src.rpm",
		"pkg:deb/debian/x@1?distro=-", "pkg:apk/alpine/x@1?distro=v.", "pkg:docker/library/nginx@1.25", "", "pkg:", "pkg:npm/@x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, purl string) {
		p, err := match.PackageOf(purl)
		if err != nil {
			if cradle.ErrorCode(err) != cradle.EInvalid {
				t.Errorf("PackageOf(%q): code %q: %v", purl, cradle.ErrorCode(err), err)
			}
			return
		}
		if p.Ecosystem == "" || p.Name == "" {
			t.Errorf("PackageOf(%q) = %+v", purl, p)
		}
		if !p.Matches(p.Ecosystem, p.Name) {
			t.Errorf("PackageOf(%q) = %+v does not match its own ecosystem and name", purl, p)
		}
	})
}
