package match_test

import (
	"errors"
	"testing"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
	"github.com/google/go-cmp/cmp"
)

func TestPackageOf(t *testing.T) {
	tests := []struct {
		purl string
		want match.Package
	}{
		// Go: module path from namespace and name, no "v", the standard library.
		{"pkg:golang/github.com/BurntSushi/toml@v1.3.2", match.Package{Type: "golang", Ecosystem: "Go", Name: "github.com/burntsushi/toml", Version: "1.3.2"}},
		{"pkg:golang/golang.org/x/net@0.17.0#http2", match.Package{Type: "golang", Ecosystem: "Go", Name: "golang.org/x/net", Version: "0.17.0"}},
		{"pkg:golang/github.com/foo/bar/v2@v2.0.0-20210101000000-abcdef123456", match.Package{Type: "golang", Ecosystem: "Go", Name: "github.com/foo/bar/v2", Version: "2.0.0-20210101000000-abcdef123456"}},
		{"pkg:golang/stdlib@go1.21.3", match.Package{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.21.3"}},
		{"pkg:golang/stdlib@1.22.1", match.Package{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.22.1"}},
		{"pkg:golang/stdlib@go1.21rc2", match.Package{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.21.0-rc.2"}},
		{"pkg:golang/stdlib@go1.20", match.Package{Type: "golang", Ecosystem: "Go", Name: "stdlib", Version: "1.20.0"}},
		{"pkg:golang/toolchain@go1.21.3", match.Package{Type: "golang", Ecosystem: "Go", Name: "toolchain", Version: "1.21.3"}},
		{"pkg:golang/golang.org/toolchain@v0.0.1-go1.21.3.linux-amd64", match.Package{Type: "golang", Ecosystem: "Go", Name: "toolchain", Version: "1.21.3"}},
		{"pkg:golang/github.com/foo/bar", match.Package{Type: "golang", Ecosystem: "Go", Name: "github.com/foo/bar"}},
		// npm scopes, plain and percent-encoded.
		{"pkg:npm/%40angular/core@16.2.0", match.Package{Type: "npm", Ecosystem: "npm", Name: "@angular/core", Version: "16.2.0"}},
		{"pkg:npm/@babel/core@7.22.0", match.Package{Type: "npm", Ecosystem: "npm", Name: "@babel/core", Version: "7.22.0"}},
		{"pkg:npm/lodash@4.17.21", match.Package{Type: "npm", Ecosystem: "npm", Name: "lodash", Version: "4.17.21"}},
		// PyPI: PEP 503 names.
		{"pkg:pypi/Django@4.2.1", match.Package{Type: "pypi", Ecosystem: "PyPI", Name: "django", Version: "4.2.1"}},
		{"pkg:pypi/Products.PluggableAuthService@2.6.0", match.Package{Type: "pypi", Ecosystem: "PyPI", Name: "products-pluggableauthservice", Version: "2.6.0"}},
		{"pkg:pypi/zope.interface__x@5.0", match.Package{Type: "pypi", Ecosystem: "PyPI", Name: "zope-interface-x", Version: "5.0"}},
		// Maven, and the rest of the language ecosystems.
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", match.Package{Type: "maven", Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1"}},
		{"pkg:cargo/serde@1.0.188", match.Package{Type: "cargo", Ecosystem: "crates.io", Name: "serde", Version: "1.0.188"}},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", match.Package{Type: "nuget", Ecosystem: "NuGet", Name: "Newtonsoft.Json", Version: "13.0.1"}},
		{"pkg:gem/activesupport@4.2.1", match.Package{Type: "gem", Ecosystem: "RubyGems", Name: "activesupport", Version: "4.2.1"}},
		{"pkg:composer/laravel/framework@10.0.0", match.Package{Type: "composer", Ecosystem: "Packagist", Name: "laravel/framework", Version: "10.0.0"}},
		{"pkg:hex/phoenix@1.7.7", match.Package{Type: "hex", Ecosystem: "Hex", Name: "phoenix", Version: "1.7.7"}},
		{"pkg:hex/acme/foo@1.0.0", match.Package{Type: "hex", Ecosystem: "Hex", Name: "foo", Version: "1.0.0"}},
		{"pkg:pub/http@1.1.0", match.Package{Type: "pub", Ecosystem: "Pub", Name: "http", Version: "1.1.0"}},
		{"pkg:hackage/aeson@2.1.2.1", match.Package{Type: "hackage", Ecosystem: "Hackage", Name: "aeson", Version: "2.1.2.1"}},
		{"pkg:cran/ggplot2@3.4.0", match.Package{Type: "cran", Ecosystem: "CRAN", Name: "ggplot2", Version: "3.4.0"}},
		// Debian and Ubuntu: release from the distro qualifier, source package from upstream.
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12", match.Package{Type: "deb", Ecosystem: "Debian:12", Name: "openssl", Version: "3.0.11-1~deb12u2", Release: "12"}},
		{"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12.4", match.Package{Type: "deb", Ecosystem: "Debian:12", Name: "openssl", Version: "3.0.11-1~deb12u2", Binary: "libssl3", Release: "12"}},
		{"pkg:deb/debian/login@1:4.13+dfsg1-1+b1?upstream=shadow%401:4.13%2Bdfsg1-1&distro=bookworm", match.Package{Type: "deb", Ecosystem: "Debian:12", Name: "shadow", Version: "1:4.13+dfsg1-1", Binary: "login", Release: "12"}},
		{"pkg:deb/debian/curl@7.74.0-1.3+deb11u7?distro=debian-bullseye", match.Package{Type: "deb", Ecosystem: "Debian:11", Name: "curl", Version: "7.74.0-1.3+deb11u7", Release: "11"}},
		{"pkg:deb/debian/curl@8.0?distro=debian-sid", match.Package{Type: "deb", Ecosystem: "Debian:sid", Name: "curl", Version: "8.0", Release: "sid"}},
		{"pkg:deb/debian/curl@7.74.0-1.3", match.Package{Type: "deb", Ecosystem: "Debian", Name: "curl", Version: "7.74.0-1.3"}},
		{"pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04", match.Package{Type: "deb", Ecosystem: "Ubuntu:22.04:LTS", Name: "curl", Version: "7.81.0-1ubuntu1.15", Release: "22.04"}},
		{"pkg:deb/ubuntu/libpcre3@2:8.39-13ubuntu0.20.04.1?distro=focal&source=pcre3", match.Package{Type: "deb", Ecosystem: "Ubuntu:20.04:LTS", Name: "pcre3", Version: "2:8.39-13ubuntu0.20.04.1", Binary: "libpcre3", Release: "20.04"}},
		{"pkg:deb/ubuntu/curl@8.2.1-1ubuntu3?distro=ubuntu-23.10", match.Package{Type: "deb", Ecosystem: "Ubuntu:23.10", Name: "curl", Version: "8.2.1-1ubuntu3", Release: "23.10"}},
		// Alpine: the release branch, the origin package.
		{"pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=alpine-3.18.4", match.Package{Type: "apk", Ecosystem: "Alpine:v3.18", Name: "busybox", Version: "1.36.1-r5", Release: "3.18"}},
		{"pkg:apk/alpine/ssl_client@1.36.1-r27?arch=x86_64&upstream=busybox&distro=alpine-3.17.2", match.Package{Type: "apk", Ecosystem: "Alpine:v3.17", Name: "busybox", Version: "1.36.1-r27", Binary: "ssl_client", Release: "3.17"}},
		{"pkg:apk/alpine/zlib@1.2.13-r1?distro=3.22.0&origin=zlib", match.Package{Type: "apk", Ecosystem: "Alpine:v3.22", Name: "zlib", Version: "1.2.13-r1", Binary: "zlib", Release: "3.22"}},
		{"pkg:alpine/alpine-baselayout-data@3.2.0-r23?arch=x86_64&upstream=alpine-baselayout&distro=alpine-3.16.3", match.Package{Type: "apk", Ecosystem: "Alpine:v3.16", Name: "alpine-baselayout", Version: "3.2.0-r23", Binary: "alpine-baselayout-data", Release: "3.16"}},
		{"pkg:apk/wolfi/glibc@2.38-r1", match.Package{Type: "apk", Ecosystem: "Wolfi", Name: "glibc", Version: "2.38-r1"}},
		// RPM distributions.
		{"pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?arch=x86_64&distro=redhat-8.6", match.Package{Type: "rpm", Ecosystem: "Red Hat", Name: "git-lfs", Version: "2.13.3-3.el8_6.1", Release: "8.6"}},
		{"pkg:rpm/rhel/openssl-libs@3.0.7-24.el9?epoch=1&distro=rhel-9.3", match.Package{Type: "rpm", Ecosystem: "Red Hat", Name: "openssl-libs", Version: "1:3.0.7-24.el9", Release: "9.3"}},
		{"pkg:rpm/rocky/openssl@3.0.7-24.el9?distro=rocky-9.3&upstream=openssl-3.0.7-24.el9.src.rpm", match.Package{Type: "rpm", Ecosystem: "Rocky Linux:9", Name: "openssl", Version: "3.0.7-24.el9", Binary: "openssl", Release: "9.3"}},
		{"pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?distro=almalinux-9.2&upstream=openssl-3.0.7-24.el9.src.rpm", match.Package{Type: "rpm", Ecosystem: "AlmaLinux:9", Name: "openssl", Version: "3.0.7-24.el9", Binary: "openssl-libs", Release: "9.2"}},
		{"pkg:rpm/opensuse/libopenssl3@3.0.8-150500.5.8.1?distro=opensuse-leap-15.5&upstream=openssl-3-3.0.8-150500.5.8.1.src.rpm", match.Package{Type: "rpm", Ecosystem: "openSUSE:Leap 15.5", Name: "openssl-3", Version: "3.0.8-150500.5.8.1", Binary: "libopenssl3", Release: "15.5"}},
		{"pkg:rpm/opensuse/curl@8.4.0-1.1?distro=opensuse-tumbleweed-20231101", match.Package{Type: "rpm", Ecosystem: "openSUSE:Tumbleweed", Name: "curl", Version: "8.4.0-1.1", Release: "20231101"}},
		{"pkg:rpm/sles/aaa_base@84.87+git20180409.04c9dae-150300.10.3.1?arch=x86_64&upstream=aaa_base-84.87+git20180409.04c9dae-150300.10.3.1.src.rpm&distro=sles-15.3",
			match.Package{Type: "rpm", Ecosystem: "SUSE:Linux Enterprise Server 15 SP3", Name: "aaa_base", Version: "84.87+git20180409.04c9dae-150300.10.3.1", Binary: "aaa_base", Release: "15.3"}},
	}
	for _, tt := range tests {
		got, err := match.PackageOf(tt.purl)
		if err != nil {
			t.Errorf("PackageOf(%q): %v", tt.purl, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("PackageOf(%q) (-want +got):\n%s", tt.purl, diff)
		}
	}
}

func TestPackageOfErrors(t *testing.T) {
	for _, tc := range []struct {
		purl        string
		unsupported bool
	}{
		{"", false},
		{"openssl", false},
		{"https://example.com/x", false},
		{"pkg:", false},
		{"pkg:npm", false},
		{"pkg:npm/", false},
		{"pkg:npm/@4.17.21", false},
		{"pkg:maven/log4j-core@2.14.1", false},
		{"pkg:pypi/%zz@1.0", false},
		{"pkg:1bad/x@1", false},
		{"pkg:apk/alpine/@1.36.1-r27?arch=x86_64", false},
		{"pkg:docker/library/nginx@1.25", true},
		{"pkg:generic/openssl@3.0.0", true},
		{"pkg:github/actions/checkout@v4", true},
		{"pkg:deb/raspbian/curl@7.0", true},
		{"pkg:rpm/fedora/curl@8.0-1.fc39", true},
		{"pkg:apk/postmarketos/x@1.0-r0", true},
	} {
		_, err := match.PackageOf(tc.purl)
		if err == nil {
			t.Errorf("PackageOf(%q): no error", tc.purl)
			continue
		}
		if code := cradle.ErrorCode(err); code != cradle.EInvalid {
			t.Errorf("PackageOf(%q): code %q, want invalid: %v", tc.purl, code, err)
		}
		if got := errors.Is(err, match.ErrUnsupported); got != tc.unsupported {
			t.Errorf("PackageOf(%q): unsupported = %v, want %v: %v", tc.purl, got, tc.unsupported, err)
		}
	}
}

func TestMatches(t *testing.T) {
	pkg := func(purl string) match.Package {
		t.Helper()
		p, err := match.PackageOf(purl)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		purl            string
		ecosystem, name string
		want            bool
	}{
		{"pkg:golang/github.com/burntsushi/toml@v1.3.2", "Go", "github.com/BurntSushi/toml", true},
		{"pkg:golang/github.com/burntsushi/toml@v1.3.2", "Go", "github.com/BurntSushi/tomlx", false},
		{"pkg:pypi/Products.PluggableAuthService@2.6.0", "PyPI", "Products.PluggableAuthService", true},
		{"pkg:pypi/django@4.2", "npm", "django", false},
		{"pkg:nuget/newtonsoft.json@13.0.1", "NuGet", "Newtonsoft.Json", true},
		{"pkg:maven/org.example/a@1.0", "Maven:https://maven.google.com", "org.example:a", true},
		{"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12", "Debian:12", "openssl", true},
		{"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12", "Debian:11", "openssl", false},
		{"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12", "Debian", "openssl", true},
		{"pkg:deb/debian/openssl@3.0.11-1", "Debian:11", "openssl", true},
		{"pkg:deb/ubuntu/curl@7.81.0?distro=ubuntu-22.04", "Ubuntu:22.04:LTS", "curl", true},
		{"pkg:deb/ubuntu/curl@7.81.0?distro=ubuntu-22.04", "Ubuntu:Pro:22.04:LTS", "curl", true},
		{"pkg:deb/ubuntu/curl@7.81.0?distro=ubuntu-22.04", "Ubuntu:20.04:LTS", "curl", false},
		{"pkg:apk/alpine/busybox@1.36.1-r5?distro=alpine-3.18.4", "Alpine:v3.18", "busybox", true},
		{"pkg:apk/alpine/busybox@1.36.1-r5?distro=alpine-3.18.4", "Alpine:v3.19", "busybox", false},
		{"pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?distro=redhat-8.6", "Red Hat:rhel_aus:8.6::appstream", "git-lfs", true},
		{"pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?distro=redhat-8.6", "Red Hat:enterprise_linux:8::appstream", "git-lfs", true},
		{"pkg:rpm/redhat/git-lfs@2.13.3-3.el8_6.1?distro=redhat-8.6", "Red Hat:enterprise_linux:9::appstream", "git-lfs", false},
		{"pkg:rpm/sles/curl@8.0.1-150400.5.32.1?distro=sles-15.4", "SUSE:Linux Enterprise Module for Basesystem 15 SP4", "curl", true},
		{"pkg:rpm/sles/curl@8.0.1-150400.5.32.1?distro=sles-15.4", "SUSE:Linux Enterprise Server 15 SP5", "curl", false},
		{"pkg:rpm/opensuse/curl@8.0?distro=opensuse-leap-15.5", "openSUSE:Leap 15.5", "curl", true},
		{"pkg:rpm/opensuse/curl@8.0?distro=opensuse-leap-15.5", "openSUSE:Leap 15.4", "curl", false},
	}
	for _, tt := range tests {
		if got := pkg(tt.purl).Matches(tt.ecosystem, tt.name); got != tt.want {
			t.Errorf("PackageOf(%q).Matches(%q, %q) = %v, want %v", tt.purl, tt.ecosystem, tt.name, got, tt.want)
		}
	}
}
