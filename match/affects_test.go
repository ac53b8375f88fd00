package match_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/match"
	"github.com/google/go-cmp/cmp"
)

// rng builds a range from alternating kinds and versions:
// rng("SEMVER", "introduced", "0", "fixed", "1.2.3").
func rng(typ string, kv ...string) cradle.Range {
	r := cradle.Range{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		var e cradle.Event
		switch kv[i] {
		case "introduced":
			e.Introduced = kv[i+1]
		case "fixed":
			e.Fixed = kv[i+1]
		case "last_affected":
			e.LastAffected = kv[i+1]
		case "limit":
			e.Limit = kv[i+1]
		default:
			panic("bad event kind " + kv[i])
		}
		r.Events = append(r.Events, e)
	}
	return r
}

type versionCase struct {
	version string
	want    bool
	fixed   []string // when affected
}

func checkVersions(t *testing.T, a cradle.Affected, cases []versionCase) {
	t.Helper()
	c, err := match.Compile(a)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", a, err)
	}
	for _, tc := range cases {
		got, err := c.Affects(tc.version)
		if err != nil {
			t.Errorf("%s %s %s: %v", a.Ecosystem, a.Name, tc.version, err)
			continue
		}
		if got.Affected != tc.want {
			t.Errorf("%s %s %s: affected = %v, want %v (%+v)", a.Ecosystem, a.Name, tc.version, got.Affected, tc.want, got)
			continue
		}
		if tc.want {
			if diff := cmp.Diff(tc.fixed, got.Fixed); diff != "" {
				t.Errorf("%s %s %s: fixed (-want +got):\n%s", a.Ecosystem, a.Name, tc.version, diff)
			}
		}
	}
}

// TestGHSAConversions evaluates the OSV side of the GitHub advisory →
// OSV conversion pairs of osv-schema's tools against the version ranges
// the GitHub side states.
func TestGHSAConversions(t *testing.T) {
	dir := filepath.Join(testData(t), "conformance", "osv", "tools", "ghsa", "testdata")
	tests := map[string]map[string][]versionCase{
		"equals_no_patch": {"paranoid2": { // = 1.1.6
			{"1.1.6", true, nil}, {"1.1.5", false, nil}, {"1.1.7", false, nil},
		}},
		"equals_with_patch": {"mixin-deep": { // = 2.0.0; < 1.3.2
			{"0.1.0", true, []string{"1.3.2"}}, {"1.3.1", true, []string{"1.3.2"}}, {"1.3.2", false, nil},
			{"1.9.9", false, nil}, {"2.0.0-rc.1", false, nil}, {"2.0.0", true, []string{"2.0.1"}},
			{"2.0.1-beta", true, []string{"2.0.1"}}, {"2.0.1", false, nil}, {"3.0.0", false, nil},
		}},
		"full_ranges": { // >= 2.5.0, < 2.5.16 (Maven)
			"com.typesafe.akka:akka-actor_2.12": {
				{"2.4.20", false, nil}, {"2.5.0-RC1", false, nil}, {"2.5.0", true, []string{"2.5.16"}},
				{"2.5.15", true, []string{"2.5.16"}}, {"2.5.16-M1", true, []string{"2.5.16"}},
				{"2.5.16", false, nil}, {"2.5.16.Final", false, nil}, {"2.6.0", false, nil},
			},
			"com.typesafe.akka:akka-actor_2.11": {{"2.5.3", true, []string{"2.5.16"}}, {"2.5.16", false, nil}},
		},
		"greater_than_equals_no_patch": {"marky-markdown": { // >= 0.0.0
			{"0.0.0", true, nil}, {"10.0.0", true, nil},
		}},
		"less_than_equals_no_patch": {"shiba": { // <= 1.2.1, converted to "introduced 0" only
			{"1.2.1", true, nil}, {"99.0.0", true, nil},
		}},
		"less_than_equals_with_patch": {"i18next": { // <= 1.10.2
			{"1.10.2", true, []string{"1.10.3"}}, {"1.10.3-rc.1", true, []string{"1.10.3"}}, {"1.10.3", false, nil},
		}},
		"maven_greater_than": {"org.xwiki.commons:xwiki-commons-core": { // >= 12.10.0, < 12.10.2; >= 12.0, < 12.6.7; > 11.6, < 11.10.13
			{"11.6", false, nil}, {"11.6.1", true, []string{"11.10.13"}}, {"11.10.12", true, []string{"11.10.13"}},
			{"11.10.13", false, nil}, {"12.0-rc-1", false, nil}, {"12.0", true, []string{"12.6.7"}},
			{"12.6.6", true, []string{"12.6.7"}}, {"12.6.7", false, nil}, {"12.7", false, nil},
			{"12.10.1-SNAPSHOT", true, []string{"12.10.2"}}, {"12.10.1", true, []string{"12.10.2"}},
			{"12.10.2", false, nil}, {"13.0", false, nil},
		}},
		"multiple_ranges_in_package": {"passenger": { // >= 4.0.1, < 4.0.5; < 3.0.21 (RubyGems)
			{"3.0.20", true, []string{"3.0.21"}}, {"3.0.21", false, nil}, {"4.0.0", false, nil},
			{"4.0.1", true, []string{"4.0.5"}}, {"4.0.5.rc1", true, []string{"4.0.5"}}, {"4.0.5", false, nil},
		}},
		"npm_greater_than": {"jquery": { // > 2.1.0, < 3.0.0
			{"2.1.0", false, nil}, {"2.1.1-0", true, []string{"3.0.0"}}, {"2.1.1-beta.1", true, []string{"3.0.0"}},
			{"2.1.1", true, []string{"3.0.0"}}, {"3.0.0-rc1", true, []string{"3.0.0"}}, {"3.0.0", false, nil},
		}},
		"pypi_normalize": {"products-pluggableauthservice": { // < 2.6.1
			{"2.6.0", true, []string{"2.6.1"}}, {"2.6.1rc1", true, []string{"2.6.1"}}, {"2.6.1", false, nil},
			{"2.6.1.post1", false, nil},
		}},
		"withdrawn": {"activesupport": { // >= 3.2.0, < 3.2.22; >= 4.2.0, < 4.2.2; >= 4.0.0, < 4.1.11
			{"3.1.9", false, nil}, {"3.2.21", true, []string{"3.2.22"}}, {"3.2.22", false, nil},
			{"4.0.5", true, []string{"4.1.11"}}, {"4.1.11", false, nil}, {"4.1.12", false, nil},
			{"4.2.1", true, []string{"4.2.2"}}, {"4.2.2", false, nil},
		}},
	}
	for file, byName := range tests {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, file+".osv.json"))
			if err != nil {
				t.Fatal(err)
			}
			var r osvRecord
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			seen := 0
			for i := range r.Affected {
				a := r.affected(i)
				if cases, ok := byName[a.Name]; ok {
					seen++
					checkVersions(t, a, cases)
				}
			}
			if seen != len(byName) {
				t.Errorf("found %d of the %d packages", seen, len(byName))
			}
		})
	}
}

// TestEcosystemRules checks each ecosystem's documented ordering rules
// through ranges.
func TestEcosystemRules(t *testing.T) {
	tests := []struct {
		name  string
		a     cradle.Affected
		cases []versionCase
	}{
		{"npm pre-releases and build metadata", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "fixed", "1.2.0")}}, []versionCase{
			{"1.0.0-beta", false, nil}, {"1.0.0", true, []string{"1.2.0"}}, {"1.1.0+build.5", true, []string{"1.2.0"}},
			{"1.2.0-rc.1", true, []string{"1.2.0"}}, {"1.2.0-rc.11", true, []string{"1.2.0"}}, {"1.2.0", false, nil},
			{"1.2.0+build", false, nil}, {"v1.1.0", true, []string{"1.2.0"}},
		}},
		{"Maven qualifiers", cradle.Affected{Ecosystem: "Maven", Name: "g:a",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "1.0", "fixed", "2.0")}}, []versionCase{
			{"1.0-rc1", false, nil}, {"1.0", true, []string{"2.0"}}, {"1.0-sp1", true, []string{"2.0"}},
			{"2.0-alpha-1", true, []string{"2.0"}}, {"2.0-SNAPSHOT", true, []string{"2.0"}}, {"2.0.Final", false, nil},
			{"2.0.0", false, nil}, {"2.0-ga", false, nil},
		}},
		{"PEP 440 epochs, pre, post and dev releases", cradle.Affected{Ecosystem: "PyPI", Name: "x",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "1.0", "fixed", "2.0")}}, []versionCase{
			{"0.9", false, nil}, {"1.0.dev1", false, nil}, {"1.0.0", true, []string{"2.0"}}, {"1.0.post1", true, []string{"2.0"}},
			{"2.0.dev1", true, []string{"2.0"}}, {"2.0rc1", true, []string{"2.0"}}, {"2.0RC1", true, []string{"2.0"}},
			{"2.0", false, nil}, {"2.0.post1", false, nil}, {"1!0.5", false, nil}, {"v1.5", true, []string{"2.0"}},
		}},
		{"PEP 440 forms in versions[]", cradle.Affected{Ecosystem: "PyPI", Name: "x",
			Versions: []string{"1.0.0", "2.0RC1", "3.0-1", "4.0+Ubuntu.1"}}, []versionCase{
			{"1.0", true, nil}, {"1.0.0.0", true, nil}, {"1.0.1", false, nil}, {"2.0rc1", true, nil}, {"2.0c1", true, nil},
			{"3.0.post1", true, nil}, {"3.0", false, nil}, {"4.0+ubuntu-1", true, nil}, {"4.0", false, nil},
		}},
		{"Debian epochs and tildes", cradle.Affected{Ecosystem: "Debian:12", Name: "openssl",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1:2.0-1")}}, []versionCase{
			{"2.9-1", true, []string{"1:2.0-1"}}, {"1:2.0-1~deb12u1", true, []string{"1:2.0-1"}}, {"1:2.0~rc1-1", true, []string{"1:2.0-1"}},
			{"1:2.0-1", false, nil}, {"1:2.0-1+deb12u1", false, nil}, {"2:0.1-1", false, nil},
		}},
		{"Debian security updates", cradle.Affected{Ecosystem: "Debian:12", Name: "openssl",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "3.0.13-1~deb12u1")}}, []versionCase{
			{"3.0.11-1~deb12u2", true, []string{"3.0.13-1~deb12u1"}}, {"3.0.13-1~deb12u1", false, nil}, {"3.0.13-1", false, nil},
		}},
		{"Ubuntu", cradle.Affected{Ecosystem: "Ubuntu:22.04:LTS", Name: "curl",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "7.81.0-1ubuntu1.15")}}, []versionCase{
			{"7.81.0-1ubuntu1.14", true, []string{"7.81.0-1ubuntu1.15"}}, {"7.81.0-1ubuntu1.15", false, nil},
		}},
		{"Alpine -r suffixes", cradle.Affected{Ecosystem: "Alpine:v3.18", Name: "busybox",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.36.1-r5")}}, []versionCase{
			{"1.36.0-r30", true, []string{"1.36.1-r5"}}, {"1.36.1-r4", true, []string{"1.36.1-r5"}}, {"1.36.1_rc1-r9", true, []string{"1.36.1-r5"}},
			{"1.36.1-r5", false, nil}, {"1.36.1-r27", false, nil}, {"1.36.1a-r0", false, nil},
		}},
		{"Go pseudo-versions", cradle.Affected{Ecosystem: "Go", Name: "example.com/m",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "fixed", "0.0.0-20210201000000-abcdef123456")}}, []versionCase{
			{"v0.0.0-20210101000000-abcdef123456", true, []string{"0.0.0-20210201000000-abcdef123456"}},
			{"v0.0.0-20210201000000-abcdef123456", false, nil},
			{"v0.0.0-20210301000000-abcdef123456", false, nil},
			{"v0.1.0", false, nil},
		}},
		{"Go pseudo-versions after a release", cradle.Affected{Ecosystem: "Go", Name: "example.com/m",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.2.3", "fixed", "1.2.4")}}, []versionCase{
			{"v1.2.3", true, []string{"1.2.4"}}, {"v1.2.4-0.20210101000000-abcdef123456", true, []string{"1.2.4"}},
			{"1.2.4", false, nil}, {"v1.2.3-0.20200101000000-abcdef123456", false, nil},
			{"v2.0.0+incompatible", false, nil},
		}},
		{"Go standard library", cradle.Affected{Ecosystem: "Go", Name: "stdlib",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.21.0-0", "fixed", "1.21.4")}}, []versionCase{
			{"go1.20.10", false, nil}, {"go1.21rc2", true, []string{"1.21.4"}}, {"go1.21", true, []string{"1.21.4"}},
			{"go1.21.3", true, []string{"1.21.4"}}, {"1.21.3", true, []string{"1.21.4"}}, {"go1.21.4", false, nil},
		}},
		{"Go versions[] with and without v", cradle.Affected{Ecosystem: "Go", Name: "example.com/m",
			Versions: []string{"1.2.3", "v1.3.0"}}, []versionCase{
			{"v1.2.3", true, nil}, {"1.2.3", true, nil}, {"1.3.0", true, nil}, {"1.2.4", false, nil},
		}},
		{"Red Hat epochs", cradle.Affected{Ecosystem: "Red Hat:rhel_aus:8.6::appstream", Name: "git-lfs",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "0:2.13.3-3.el8_6.1")}}, []versionCase{
			{"2.13.3-3.el8_6", true, []string{"0:2.13.3-3.el8_6.1"}}, {"2.13.3-3.el8_6.1", false, nil},
			{"0:2.13.3-3.el8_6.1", false, nil}, {"1:2.0-1.el8", false, nil},
		}},
		{"SEMVER ordering in a non-SemVer ecosystem", cradle.Affected{Ecosystem: "PyPI", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "fixed", "1.0.1")}}, []versionCase{
			{"1.0.1-rc.1", true, []string{"1.0.1"}}, {"1.0.1", false, nil},
		}},
		{"last_affected is inclusive", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "last_affected", "1.5.0")}}, []versionCase{
			{"0.9.0", false, nil}, {"1.0.0", true, nil}, {"1.5.0", true, nil}, {"1.5.1-0", false, nil}, {"1.5.1", false, nil},
		}},
		{"limit bounds the range", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "limit", "2.0.0")}}, []versionCase{
			{"1.9.9", true, nil}, {"2.0.0", false, nil}, {"3.0.0", false, nil},
		}},
		{"limit * is infinity", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "limit", "2.0.0", "limit", "*")}}, []versionCase{
			{"3.0.0", true, nil},
		}},
		{"introduced inside an open interval changes nothing", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "introduced", "1.0.0", "fixed", "2.0.0")}}, []versionCase{
			{"0.5.0", true, []string{"2.0.0"}}, {"1.5.0", true, []string{"2.0.0"}}, {"2.0.0", false, nil},
		}},
		{"equal versions: an empty interval", cradle.Affected{Ecosystem: "crates.io", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "0.0.0-0", "fixed", "0.9.2", "introduced", "0.10.0", "fixed", "0.10.0")}}, []versionCase{
			{"0.9.1", true, []string{"0.9.2"}}, {"0.9.2", false, nil}, {"0.10.0", false, nil}, {"0.11.0", false, nil},
		}},
		{"equal versions: an empty interval inside an open one", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "introduced", "1.5.0", "fixed", "1.5.0", "fixed", "2.0.0")}}, []versionCase{
			{"1.5.0", true, []string{"2.0.0"}}, {"1.7.0", true, []string{"2.0.0"}}, {"2.0.0", false, nil},
		}},
		{"equal versions: touching intervals join", cradle.Affected{Ecosystem: "PyPI", Name: "pyspark",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "3.1.1", "introduced", "3.2.0", "fixed", "3.2.2", "introduced", "3.1.1", "fixed", "3.2.0")}}, []versionCase{
			{"3.1.0", true, []string{"3.1.1"}}, {"3.1.1", true, []string{"3.2.0"}}, {"3.2.0", true, []string{"3.2.2"}},
			{"3.2.1", true, []string{"3.2.2"}}, {"3.2.2", false, nil},
		}},
		{"equal versions: reopened after a redundant fix", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "fixed", "2.0.0", "fixed", "3.0.0", "introduced", "3.0.0")}}, []versionCase{
			{"2.5.0", false, nil}, {"3.0.0", true, nil}, {"4.0.0", true, nil},
		}},
		{"equal versions: a one-version interval", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "last_affected", "1.0.0")}}, []versionCase{
			{"0.9.0", false, nil}, {"1.0.0", true, nil}, {"1.0.1", false, nil},
		}},
		{"equal versions compare by ordering, not by spelling", cradle.Affected{Ecosystem: "PyPI", Name: "x",
			Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "1.0", "fixed", "1.0.0")}}, []versionCase{
			{"1.0", false, nil}, {"1.1", false, nil},
		}},
		{"several ranges", cradle.Affected{Ecosystem: "npm", Name: "x",
			Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "fixed", "1.4.5"), rng("ECOSYSTEM", "introduced", "1.2.0", "fixed", "1.3.0")}}, []versionCase{
			{"1.2.5", true, []string{"1.4.5", "1.3.0"}}, {"1.3.0", true, []string{"1.4.5"}}, {"1.4.5", false, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkVersions(t, tt.a, tt.cases) })
	}
}

func TestResultDescribesTheMatch(t *testing.T) {
	a := cradle.Affected{Ecosystem: "npm", Name: "x", Versions: []string{"1.3.0"}, Ranges: []cradle.Range{
		{Type: "GIT", Repo: "https://example.com/x", Events: []cradle.Event{{Introduced: "abc"}}},
		rng("SEMVER", "introduced", "1.2.0", "fixed", "1.4.5"),
		rng("SEMVER", "introduced", "0", "last_affected", "1.3.5"),
	}}
	got, err := match.Affects(a, "1.3.0")
	if err != nil {
		t.Fatal(err)
	}
	want := match.Result{
		Affected: true,
		Matches: []match.Match{
			{Range: -1},
			{Range: 1, Type: "SEMVER", Introduced: "1.2.0", Fixed: "1.4.5"},
			{Range: 2, Type: "SEMVER", Introduced: "0", LastAffected: "1.3.5"},
		},
		Fixed:       []string{"1.4.5"},
		Unevaluated: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Affects (-want +got):\n%s", diff)
	}
	var s []string
	for _, m := range got.Matches {
		s = append(s, m.String())
	}
	if diff := cmp.Diff([]string{"listed in versions[]", "introduced 1.2.0, fixed 1.4.5", "introduced 0, last affected 1.3.5"}, s); diff != "" {
		t.Errorf("Match.String (-want +got):\n%s", diff)
	}
	if got.Uncertain() {
		t.Error("an affected verdict is not uncertain")
	}

	got, err = match.Affects(a, "2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if got.Affected || !got.Uncertain() || got.Unevaluated != 1 {
		t.Errorf("2.0.0: %+v; want not affected, uncertain, one GIT range unevaluated", got)
	}

	limited := cradle.Affected{Ecosystem: "npm", Name: "x", Ranges: []cradle.Range{rng("SEMVER", "introduced", "1.0.0", "limit", "2.0.0", "limit", "1.5.0")}}
	got, err = match.Affects(limited, "1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Matches) != 1 || got.Matches[0].String() != "introduced 1.0.0, limit 1.5.0" {
		t.Errorf("limited: %+v", got)
	}
}

func TestErrors(t *testing.T) {
	semver := cradle.Affected{Ecosystem: "Go", Name: "m", Ranges: []cradle.Range{rng("SEMVER", "introduced", "0", "fixed", "1.0.0")}}
	debian := cradle.Affected{Ecosystem: "Debian:12", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.0-1")}}
	pypi := cradle.Affected{Ecosystem: "PyPI", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "1.0")}}
	for _, tc := range []struct {
		a       cradle.Affected
		version string
	}{
		{semver, ""}, {semver, "latest"}, {semver, "master"}, {semver, "1.0 beta"},
		{debian, "a:1.0-1"}, {debian, "nodigits"}, {pypi, "trunk"},
		{cradle.Affected{Ecosystem: "Linux", Name: "Kernel"}, ""},
	} {
		_, err := match.Affects(tc.a, tc.version)
		if err == nil {
			t.Errorf("%s %q: no error", tc.a.Ecosystem, tc.version)
			continue
		}
		if code := cradle.ErrorCode(err); code != cradle.EInvalid {
			t.Errorf("%s %q: code %q, want invalid: %v", tc.a.Ecosystem, tc.version, code, err)
		}
	}

	// A version the ordering cannot place, but the list names, is affected.
	listed := cradle.Affected{Ecosystem: "PyPI", Name: "pywps", Versions: []string{"trunk"}, Ranges: pypi.Ranges}
	if got, err := match.Affects(listed, "trunk"); err != nil || !got.Affected {
		t.Errorf("listed trunk: %+v, %v", got, err)
	}

	for _, tc := range []struct {
		name        string
		a           cradle.Affected
		location    string
		unsupported bool
	}{
		{"bad event version", cradle.Affected{Ecosystem: "Debian", Name: "p", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "x:1")}}, "ranges/0/events/1/fixed", false},
		{"bad semver event", cradle.Affected{Ecosystem: "npm", Name: "p", Ranges: []cradle.Range{rng("SEMVER", "introduced", "latest")}}, "ranges/0/events/0/introduced", false},
		{"two fields in an event", cradle.Affected{Ecosystem: "npm", Name: "p", Ranges: []cradle.Range{{Type: "SEMVER", Events: []cradle.Event{{Introduced: "0", Fixed: "1.0.0"}}}}}, "ranges/0/events/0", false},
		{"empty event", cradle.Affected{Ecosystem: "npm", Name: "p", Ranges: []cradle.Range{{Type: "SEMVER", Events: []cradle.Event{{Introduced: "0"}, {}}}}}, "ranges/0/events/1", false},
		{"no introduced", cradle.Affected{Ecosystem: "npm", Name: "p", Ranges: []cradle.Range{rng("SEMVER", "fixed", "1.0.0")}}, "ranges/0/events", false},
		{"unknown range type", cradle.Affected{Ecosystem: "npm", Name: "p", Ranges: []cradle.Range{rng("DATE", "introduced", "0")}}, "ranges/0/type", false},
		{"ecosystem without ordering", cradle.Affected{Ecosystem: "Linux", Name: "Kernel", Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "6.1")}}, "ranges/0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := match.Compile(tc.a)
			if err == nil {
				t.Fatal("no error")
			}
			if code := cradle.ErrorCode(err); code != cradle.EInvalid {
				t.Errorf("code %q, want invalid", code)
			}
			if got := errors.Is(err, match.ErrUnsupported); got != tc.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tc.unsupported)
			}
			ps := cradle.ErrorProblems(err)
			if len(ps) == 0 || ps[0].Location != tc.location {
				t.Errorf("problems %v, want the first at %s", ps, tc.location)
			}
		})
	}

	// SEMVER ranges work whatever the ecosystem; a versions list needs no ordering.
	if got, err := match.Affects(cradle.Affected{Ecosystem: "Linux", Name: "Kernel", Versions: []string{"6.1.2"},
		Ranges: []cradle.Range{rng("SEMVER", "introduced", "5.0.0", "fixed", "6.0.0")}}, "5.4.0"); err != nil || !got.Affected {
		t.Errorf("SEMVER range of an unsupported ecosystem: %+v, %v", got, err)
	}
}

// TestConcurrentUse asks one Compiled and one Version from many
// goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	c, err := match.Compile(cradle.Affected{Ecosystem: "PyPI", Name: "x", Versions: []string{"1.0"},
		Ranges: []cradle.Range{rng("ECOSYSTEM", "introduced", "0", "fixed", "2.0"), rng("SEMVER", "introduced", "1.5.0", "fixed", "3.0.0")}})
	if err != nil {
		t.Fatal(err)
	}
	v := match.ParseVersion("PyPI", "1.7")
	done := make(chan bool)
	for range 8 {
		go func() {
			for range 200 {
				r1, err1 := c.Affects("1.7")
				r2, err2 := c.AffectsVersion(v)
				if err1 != nil || err2 != nil || !r1.Affected || !r2.Affected || len(r2.Matches) != 2 {
					t.Errorf("%+v %v %+v %v", r1, err1, r2, err2)
				}
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
}
