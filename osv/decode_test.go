package osv_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/osv"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantInvalid checks that err is an EInvalid *cradle.Error with located
// problems and returns it.
func wantInvalid(t *testing.T, err error) *cradle.Error {
	t.Helper()
	var e *cradle.Error
	if !errors.As(err, &e) || e.Code != cradle.EInvalid {
		t.Fatalf("error = %v, want a *cradle.Error with code %q", err, cradle.EInvalid)
	}
	if len(e.Problems) == 0 || e.Problems[0].Location == "" {
		t.Fatalf("error %q has no located problem", e)
	}
	return e
}

// TestDecodeGolden decodes each real record in testdata/records and
// compares the domain value with testdata/golden.
func TestDecodeGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	if len(files) == 0 {
		t.Fatal("no records in testdata/records")
	}
	for _, path := range files {
		name := filepath.Base(path)
		if name == "PYSEC-2019-155.json" {
			continue // rejected, see TestDecodeRealRejected
		}
		t.Run(name, func(t *testing.T) {
			v, err := osv.Decode(name, readTestdata(t, "records/"+name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Decode(%s) mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestDecodeFields spells out what the golden files hold for the fields
// that matter most, so that a wrong golden file cannot hide a bug.
func TestDecodeFields(t *testing.T) {
	decode := func(name string) *cradle.Vulnerability {
		t.Helper()
		v, err := osv.Decode(name, readTestdata(t, "records/"+name))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("PyPI GIT and ECOSYSTEM ranges", func(t *testing.T) {
		v := decode("PYSEC-2013-10.json")
		want := []cradle.Affected{{
			Ecosystem: "PyPI",
			Name:      "pyshop",
			PURL:      "pkg:pypi/pyshop",
			Ranges: []cradle.Range{
				{Type: cradle.RangeGit, Repo: "https://github.com/mardiros/pyshop", Events: []cradle.Event{{Introduced: "0"}, {Fixed: "ffadb0bcdef1e385884571670210cfd6ba351784"}}},
				{Type: cradle.RangeEcosystem, Events: []cradle.Event{{Introduced: "0"}, {Fixed: "0.7.1"}}},
			},
			Versions: []string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"},
		}}
		if diff := cmp.Diff(want, v.Affected); diff != "" {
			t.Errorf("Affected mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"CVE-2013-1630"}, v.Aliases); diff != "" {
			t.Errorf("Aliases mismatch (-want +got):\n%s", diff)
		}
		if want := time.Date(2021, 7, 5, 0, 1, 25, 257414000, time.UTC); !v.Modified.Equal(want) {
			t.Errorf("Modified = %v, want %v", v.Modified, want)
		}
		if len(v.References) != 3 || v.References[2] != "https://github.com/mardiros/pyshop/commit/ffadb0bcdef1e385884571670210cfd6ba351784" {
			t.Errorf("References = %q", v.References)
		}
	})

	t.Run("crates.io CVSS v4", func(t *testing.T) {
		v := decode("RUSTSEC-2024-0445.json")
		want := []cradle.Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N"}}
		if diff := cmp.Diff(want, v.Severity); diff != "" {
			t.Errorf("Severity mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"CVE-2024-51756", "GHSA-hxf5-99xg-86hw"}, v.Aliases); diff != "" {
			t.Errorf("Aliases mismatch (-want +got):\n%s", diff)
		}
		if v.Affected[0].Versions != nil {
			t.Errorf("Versions = %q, want none for an empty list", v.Affected[0].Versions)
		}
	})

	t.Run("withdrawn", func(t *testing.T) {
		v := decode("GO-2024-2442.json")
		if want := time.Date(2024, 1, 23, 12, 50, 23, 0, time.UTC); !v.Withdrawn.Equal(want) {
			t.Errorf("Withdrawn = %v, want %v", v.Withdrawn, want)
		}
		// The Go export writes the zero time for modified and published.
		if !v.Modified.IsZero() || !v.Published.IsZero() {
			t.Errorf("Modified, Published = %v, %v, want zero times", v.Modified, v.Published)
		}
	})

	t.Run("per-package severity lifted to the record", func(t *testing.T) {
		v := decode("HSEC-2023-0001.json")
		want := []cradle.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H"}}
		if diff := cmp.Diff(want, v.Severity); diff != "" {
			t.Errorf("Severity mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("GIT only, no package", func(t *testing.T) {
		v := decode("PSF-2023-3.json")
		want := []cradle.Affected{{Ranges: []cradle.Range{{
			Type:   cradle.RangeGit,
			Repo:   "https://github.com/python/cpython",
			Events: []cradle.Event{{Introduced: "1ef61cf71a218c71860ff6aecf0fd51edb8b65dc"}, {Fixed: "d5a97074d24cd14cb2a35a2b1ad3074863cde264"}},
		}}}}
		if diff := cmp.Diff(want, v.Affected); diff != "" {
			t.Errorf("Affected mismatch (-want +got):\n%s", diff)
		}
		if v.Source != "" {
			t.Errorf("Source = %q, want it left to the caller", v.Source)
		}
	})
}

// TestDecodeRealRejected: a real PyPA record whose GIT range has an
// abbreviated commit hash, which the OSV schema forbids.
func TestDecodeRealRejected(t *testing.T) {
	_, err := osv.Decode("PYSEC-2019-155.json", readTestdata(t, "records/PYSEC-2019-155.json"))
	e := wantInvalid(t, err)
	want := []cradle.Problem{{
		Location: "PYSEC-2019-155.json:/affected/0/ranges/0/events/1/fixed",
		Message:  `expected a full-length commit hash (40 or 64 lowercase hex digits) or "0" in a GIT range, found "4e7d0df9093"`,
	}}
	if diff := cmp.Diff(want, e.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestAliasesCVEFirst(t *testing.T) {
	rec := `{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","aliases":["PYSEC-2024-1","CVE-2024-2","GHSA-aaaa-bbbb-cccc","PYSEC-2024-1","CVE-2024-1"],
	"affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}]}`
	v, err := osv.Decode("", []byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CVE-2024-2", "CVE-2024-1", "PYSEC-2024-1"}, v.Aliases); diff != "" {
		t.Errorf("Aliases mismatch (-want +got):\n%s", diff)
	}
}

func TestEcosystemSuffixes(t *testing.T) {
	for _, eco := range []string{"Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS", "Maven:https://maven.google.com", "Red Hat:rhel_aus:8.4::appstream", "Photon OS:3.0", "GIT", "crates.io", "Go"} {
		t.Run(eco, func(t *testing.T) {
			rec := `{"id":"x_1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":` + quoteJSON(eco) + `,"name":"p"},"versions":["1"]}]}`
			v, err := osv.Decode("", []byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			if v.Affected[0].Ecosystem != eco {
				t.Errorf("Ecosystem = %q, want %q", v.Affected[0].Ecosystem, eco)
			}
		})
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEcosystemsMatchSchema keeps the two embedded lists from drifting
// apart when they are updated: every name the schema's enumeration has must
// be in ecosystems.json and the other way round.
func TestEcosystemsMatchSchema(t *testing.T) {
	var schema struct {
		Defs struct {
			EcosystemName struct {
				Enum []string `json:"enum"`
			} `json:"ecosystemName"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(readTestdata(t, "../schema/schema.json"), &schema); err != nil {
		t.Fatal(err)
	}
	want := append(schema.Defs.EcosystemName.Enum, "GIT")
	got := osv.Ecosystems()
	if diff := cmp.Diff(sortedFold(want), got); diff != "" {
		t.Errorf("Ecosystems() differs from the schema's enumeration (-schema +ecosystems.json):\n%s", diff)
	}
}

func sortedFold(ss []string) []string {
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if strings.ToLower(out[j]) < strings.ToLower(out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestCheckEcosystem(t *testing.T) {
	for _, ok := range []string{"PyPI", "Debian:12", "Ubuntu:22.04:LTS", "GIT"} {
		if err := osv.CheckEcosystem(ok); err != nil {
			t.Errorf("CheckEcosystem(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "pypi", "Debian:", "npm/../x", "Cargo"} {
		if err := osv.CheckEcosystem(bad); cradle.ErrorCode(err) != cradle.EInvalid {
			t.Errorf("CheckEcosystem(%q) = %v, want EInvalid", bad, err)
		}
	}
}
