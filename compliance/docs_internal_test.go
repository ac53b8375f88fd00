package compliance

import (
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

func TestSafeName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"../../etc/passwd", "etc_passwd"},
		{"report (final) ü.pdf", "report_final_.pdf"},
		{"", "file"},
		{".", "file"},
		{"..", "file"},
		{".hidden", "hidden"},
		{"a/../b", "a_._b"},
		{`C:\Windows\system32`, "C_Windows_system32"},
		{"a..b", "a.b"},
		{"名前.pdf", "pdf"},
		{"1.0", "1.0"},
		{"2.0 <beta>", "2.0_beta"},
	} {
		got := safeName(tc.in, 100)
		if got != tc.want {
			t.Errorf("safeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if err := checkEntryName("files/" + got); err != nil {
			t.Errorf("safeName(%q) = %q: %v", tc.in, got, err)
		}
	}
	long := strings.Repeat("x", 300) + ".pdf"
	if got := safeName(long, 100); len(got) != 100 || !strings.HasSuffix(got, ".pdf") {
		t.Errorf("long name: %q (%d)", got, len(got))
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "..", ".", "", `a\b`, "con:x", "..a..", "a/./b", "\x00", "-.-._"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeName(s, 40)
		if len(got) > 40 || strings.Contains(got, "..") {
			t.Fatalf("safeName(%q) = %q", s, got)
		}
		if err := checkEntryName("6-test-reports/files/" + got); err != nil {
			t.Fatalf("safeName(%q) = %q: %v", s, got, err)
		}
	})
}

func TestCheckEntryName(t *testing.T) {
	for _, bad := range []string{"", ".", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", `a\b`, "C:/x", ".hidden", "a/.git/config", "a/", "a b", "ü", "a/..", "%2e%2e/x"} {
		if checkEntryName(bad) == nil {
			t.Errorf("checkEntryName(%q) accepted", bad)
		}
	}
	for _, good := range []string{"index.html", "retention.txt", "6-test-reports/files/dfcc6353d5f6961b-passwd", "2-design-development/sbom/GW-1.0.cdx.json"} {
		if err := checkEntryName(good); err != nil {
			t.Errorf("checkEntryName(%q): %v", good, err)
		}
	}
	b := &bundle{names: map[string]bool{}}
	if err := b.add("../evil", nil); err == nil {
		t.Errorf("bundle accepted ../evil")
	}
	if err := b.add("a/b.txt", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.add("a/b.txt", nil); err == nil {
		t.Errorf("bundle accepted a duplicate")
	}
	if got := b.unique("a", "b", ".txt"); got != "a/b-2.txt" {
		t.Errorf("unique: %s", got)
	}
}

func TestRel(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"index.html", "1-general-description/x.html", "1-general-description/x.html"},
		{"2-design-development/d.html", "2-design-development/sbom/a.json", "sbom/a.json"},
		{"8-sbom-note/n.html", "2-design-development/sbom/a.json", "../2-design-development/sbom/a.json"},
	} {
		if got := rel(tc.from, tc.to); got != tc.want {
			t.Errorf("rel(%s, %s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestRetention(t *testing.T) {
	rel := func(v, date string, l cradle.Lifecycle) *cradle.Release {
		return &cradle.Release{Version: v, ReleaseDate: date, Lifecycle: l}
	}
	for _, tc := range []struct {
		name     string
		end      string
		releases []*cradle.Release
		want     string // "" for unknown
		why      string
	}{
		{"ten years after the latest release", "2030-01-01",
			[]*cradle.Release{rel("1", "2024-05-01", cradle.LifecycleReleased), rel("2", "2025-06-15", cradle.LifecycleEndOfSupport), rel("3", "2029-01-01", cradle.LifecycleDevelopment)},
			"2035-06-15", "Latest release placed on the market: 2"},
		{"the support period ends later", "2040-12-31",
			[]*cradle.Release{rel("1", "2024-05-01", cradle.LifecycleReleased)}, "2040-12-31", "End of the support period: 2040-12-31"},
		{"withdrawn releases were placed on the market", "",
			[]*cradle.Release{rel("1", "2024-05-01", cradle.LifecycleReleased), rel("2", "2026-02-01", cradle.LifecycleWithdrawn)}, "2036-02-01", "No end of the support period"},
		{"a leap day", "", []*cradle.Release{rel("1", "2024-02-29", cradle.LifecycleReleased)}, "2034-03-01", ""},
		{"undated releases are named", "",
			[]*cradle.Release{rel("1", "2024-05-01", cradle.LifecycleReleased), rel("2", "", cradle.LifecycleReleased)}, "2034-05-01", "without a release date (not counted; record their dates): 2"},
		{"nothing known", "", []*cradle.Release{rel("1", "", cradle.LifecycleDevelopment)}, "", "No release placed on the market has a release date."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			until, why := Retention(&cradle.Product{SupportEnd: tc.end}, tc.releases)
			got := ""
			if !until.IsZero() {
				got = until.Format(cradle.DateLayout)
			}
			if got != tc.want || !strings.Contains(strings.Join(why, "\n"), tc.why) {
				t.Errorf("got %s %q, want %s with %q", got, why, tc.want, tc.why)
			}
		})
	}
}

// A document's text is cleaned of what neither HTML nor XML nor the PDF
// can carry, and short rows are padded.
func TestDocumentClean(t *testing.T) {
	d := (&Document{Title: "a\x00b\x1bc\r\nd\xff", Sections: []Section{{Heading: "h", Level: 7,
		Table: &Table{Header: []string{"x", "y"}, Rows: [][]string{{"1"}, {"1", "2", "3"}}}}}}).clean()
	if d.Title != "abc\nd\uFFFD" {
		t.Errorf("title %q", d.Title)
	}
	s := d.Sections[0]
	if s.Level != 1 || len(s.Table.Header) != 3 || len(s.Table.Rows[0]) != 3 || len(s.Table.Rows[1]) != 3 {
		t.Errorf("section %+v", s)
	}
}
