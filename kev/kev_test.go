package kev_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/kev"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("CRADLE_TEST_DATA")
	if dir == "" {
		t.Skip("CRADLE_TEST_DATA not set: skipping conformance against ../shared/data")
	}
	return dir
}

func TestDecodeSample(t *testing.T) {
	c, err := kev.Decode("sample.json", readTestdata(t, "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.CatalogVersion != "2025.08.25" || c.Count != 5 || len(c.Vulnerabilities) != 5 || c.Title != "CISA Catalog of Known Exploited Vulnerabilities" {
		t.Errorf("catalog = %q, %d, %d entries, %q", c.CatalogVersion, c.Count, len(c.Vulnerabilities), c.Title)
	}
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !c.DateReleased.Equal(want) {
		t.Errorf("DateReleased = %v, want %v", c.DateReleased, want)
	}
	want := kev.Entry{
		CVEID:                      "CVE-2025-48384",
		VendorProject:              "Git",
		Product:                    "Git",
		VulnerabilityName:          "Git Link Following Vulnerability",
		DateAdded:                  time.Date(2025, 8, 25, 0, 0, 0, 0, time.UTC),
		ShortDescription:           "Git contains a link following vulnerability that stems from Git\u2019s inconsistent handling of carriage return characters in configuration files.",
		RequiredAction:             "Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.",
		DueDate:                    time.Date(2025, 9, 15, 0, 0, 0, 0, time.UTC),
		KnownRansomwareCampaignUse: "Unknown",
		Notes:                      "This vulnerability affects a common open-source component, third-party library, or a protocol used by different products. For more information, please see: https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9 ; https://access.redhat.com/errata/RHSA-2025:13933 ; https://alas.aws.amazon.com/AL2/ALAS2-2025-2941.html ; https://linux.oracle.com/errata/ELSA-2025-11534.html ; https://msrc.microsoft.com/update-guide/vulnerability/CVE-2025-48384 ; https://nvd.nist.gov/vuln/detail/CVE-2025-48384",
		CWEs:                       []string{"CWE-59", "CWE-436"},
	}
	if diff := cmp.Diff(want, c.Vulnerabilities[0]); diff != "" {
		t.Errorf("first entry mismatch (-want +got):\n%s", diff)
	}
	if c.Vulnerabilities[3].CWEs != nil {
		t.Errorf("CWEs = %q, want none", c.Vulnerabilities[3].CWEs)
	}
	if !c.Vulnerabilities[4].KnownRansomware() || c.Vulnerabilities[0].KnownRansomware() {
		t.Error("KnownRansomware does not follow knownRansomwareCampaignUse")
	}
}

// TestConformanceCatalog reads the real catalog, which must also satisfy
// CISA's own schema.
func TestConformanceCatalog(t *testing.T) {
	path := filepath.Join(corpus(t), "kev", "known_exploited_vulnerabilities.json")
	c, err := kev.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Vulnerabilities) != 1404 || c.Count != 1404 || c.CatalogVersion != "2025.08.25" {
		t.Errorf("catalog %s with %d entries (count %d), want 2025.08.25 with 1,404", c.CatalogVersion, len(c.Vulnerabilities), c.Count)
	}
	// Due dates are not checked against dates added: 15 entries added in
	// November 2021 kept the earlier due dates of the directives that
	// first listed them (CVE-2021-34527: due 2021-07-20, added 2021-11-03).
	known, cwes := 0, 0
	for _, e := range c.Vulnerabilities {
		if e.KnownRansomware() {
			known++
		}
		if len(e.CWEs) > 0 {
			cwes++
		}
	}
	t.Logf("%d entries, %d with known ransomware use, %d with CWEs", len(c.Vulnerabilities), known, cwes)
	if known != 293 || cwes != 1252 {
		t.Errorf("%d known ransomware, %d with CWEs; want 293 and 1,252", known, cwes)
	}
	if err := officialSchema(t).Validate(mustUnmarshal(t, readFile(t, path))); err != nil {
		t.Errorf("the real catalog fails CISA's schema: %v", err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// officialSchema compiles CISA's schema (testdata/schema.json) with formats
// asserted, to compare its verdicts with Decode's.
func officialSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("kev.json", mustUnmarshal(t, readTestdata(t, "schema.json"))); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("kev.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUnmarshal(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// entryJSON is one valid entry; the cases below change one thing in it.
const entryJSON = `{"cveID":"CVE-2024-0001","vendorProject":"V","product":"P","vulnerabilityName":"N","dateAdded":"2024-01-02","shortDescription":"S","requiredAction":"A","dueDate":"2024-01-23","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":["CWE-79"]}`

func catalog(count string, entries ...string) string {
	return `{"title":"t","catalogVersion":"2024.01.02","dateReleased":"2024-01-02T10:00:00.000Z","count":` + count + `,"vulnerabilities":[` + strings.Join(entries, ",") + `]}`
}

func TestDecodeBadInput(t *testing.T) {
	tests := []struct {
		name          string
		data          string
		location      string
		message       string
		schemaRejects bool // whether CISA's schema rejects it too
	}{
		{"empty", ``, "k.json", "empty document", true},
		{"syntax error", "{\n \"count\": 1,,\n}", "k.json:2:13", "invalid JSON", true},
		{"truncated", catalog("1", entryJSON)[:100], "k.json:1:101", "ends inside a value", true},
		{"trailing data", catalog("1", entryJSON) + "]", "k.json:1:", "found more data", true},
		{"invalid UTF-8", catalog("1", strings.Replace(entryJSON, `"P"`, "\"\xff\"", 1)), "k.json:1:", "invalid byte 0xff", false},
		{"not an object", `[]`, "k.json", "expected a JSON object", true},
		{"no catalogVersion", `{"dateReleased":"2024-01-02T10:00:00Z","count":0,"vulnerabilities":[]}`, "k.json", `required property "catalogVersion"`, true},
		{"no vulnerabilities", `{"catalogVersion":"1","dateReleased":"2024-01-02T10:00:00Z","count":0}`, "k.json", `required property "vulnerabilities"`, true},
		{"bad dateReleased", strings.Replace(catalog("1", entryJSON), "2024-01-02T10:00:00.000Z", "2024-01-02 10:00", 1), "k.json:/dateReleased", "RFC 3339", true},
		{"count of the wrong type", catalog(`"1"`, entryJSON), "k.json:/count", "expected a number, found a string", true},
		{"count not a whole number", catalog(`1.5`, entryJSON), "k.json:/count", "whole number", true},
		{"count mismatch", catalog("2", entryJSON), "k.json:/count", "expected the number of entries in the catalog (1), found 2", false},
		{"missing cveID", catalog("1", strings.Replace(entryJSON, `"cveID":"CVE-2024-0001",`, "", 1)), "k.json:/vulnerabilities/0", `required property "cveID"`, true},
		{"missing dueDate", catalog("1", strings.Replace(entryJSON, `,"dueDate":"2024-01-23"`, "", 1)), "k.json:/vulnerabilities/0", `required property "dueDate"`, true},
		{"bad CVE ID", catalog("1", strings.Replace(entryJSON, "CVE-2024-0001", "CVE-2024-1", 1)), "k.json:/vulnerabilities/0/cveID", `expected a CVE ID such as "CVE-2025-48384", found "CVE-2024-1"`, true},
		{"GHSA instead of CVE", catalog("1", strings.Replace(entryJSON, "CVE-2024-0001", "GHSA-aaaa-bbbb-cccc", 1)), "k.json:/vulnerabilities/0/cveID", "expected a CVE ID", true},
		{"bad dateAdded", catalog("1", strings.Replace(entryJSON, "2024-01-02", "01/02/2024", 1)), "k.json:/vulnerabilities/0/dateAdded", "YYYY-MM-DD", true},
		{"impossible dueDate", catalog("1", strings.Replace(entryJSON, "2024-01-23", "2024-02-30", 1)), "k.json:/vulnerabilities/0/dueDate", "YYYY-MM-DD", true},
		{"product a number", catalog("1", strings.Replace(entryJSON, `"P"`, `7`, 1)), "k.json:/vulnerabilities/0/product", "expected a string, found a number", true},
		{"empty vendor", catalog("1", strings.Replace(entryJSON, `"V"`, `" "`, 1)), "k.json:/vulnerabilities/0/vendorProject", "non-empty string", false},
		{"bad CWE", catalog("1", strings.Replace(entryJSON, "CWE-79", "79", 1)), "k.json:/vulnerabilities/0/cwes/0", `expected a CWE ID such as "CWE-79", found "79"`, true},
		{"cwes not an array", catalog("1", strings.Replace(entryJSON, `["CWE-79"]`, `"CWE-79"`, 1)), "k.json:/vulnerabilities/0/cwes", "expected an array", true},
		{"entry not an object", catalog("1", `"CVE-2024-0001"`), "k.json:/vulnerabilities/0", "expected an object", true},
		{"same CVE twice", catalog("2", entryJSON, entryJSON), "k.json:/vulnerabilities/1/cveID", "expected each CVE once, found CVE-2024-0001 again (first at /vulnerabilities/0)", false},
	}
	schema := officialSchema(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kev.Decode("k.json", []byte(tt.data))
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid || len(e.Problems) == 0 {
				t.Fatalf("error = %v, want EInvalid with problems", err)
			}
			p := e.Problems[0]
			if !strings.HasPrefix(p.Location, tt.location) || (!strings.HasSuffix(tt.location, ":") && p.Location != tt.location) {
				t.Errorf("location = %q, want %q\n%v", p.Location, tt.location, e)
			}
			if !strings.Contains(p.Message, tt.message) {
				t.Errorf("message = %q, want it to contain %q", p.Message, tt.message)
			}
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.data))
			rejects := err != nil || schema.Validate(doc) != nil
			if rejects != tt.schemaRejects {
				t.Errorf("CISA's schema rejects it: %v; the table says %v", rejects, tt.schemaRejects)
			}
		})
	}
}

// TestDecodeToleratesNewFields: CISA adds fields from time to time (cwes
// came in 2024); a catalog with a field cradle does not know still reads.
func TestDecodeToleratesNewFields(t *testing.T) {
	data := catalog("1", strings.Replace(entryJSON, `"notes":""`, `"notes":"","epss":0.5`, 1))
	data = strings.Replace(data, `"count"`, `"publisher":"CISA","count"`, 1)
	c, err := kev.Decode("", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Vulnerabilities) != 1 {
		t.Errorf("got %d entries, want 1", len(c.Vulnerabilities))
	}
}

func TestReadFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, bytes.Repeat([]byte(" "), kev.MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := kev.ReadFile(path); cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("error = %v, want %s", err, cradle.ETooLarge)
	}
}

// FuzzKEV feeds Decode mutations of the real catalog. It must never panic,
// and must either reject the input with a located EInvalid error or return
// a catalog that holds together.
//
//	go test -run='^$' -fuzz=FuzzKEV -fuzztime=45s -fuzzminimizetime=3s ./kev
//
// (Minimising a new input of the 20-entry seed takes up to a minute by
// default, during which no new inputs are tried.)
func FuzzKEV(f *testing.F) {
	f.Add(readTestdata(f, "sample.json"))
	f.Add([]byte(catalog("1", entryJSON)))
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "kev", "known_exploited_vulnerabilities.json")); err == nil {
			// The first 20 entries: the whole catalog makes each fuzzing
			// round slow.
			cut := 0
			for i := 0; i < 21 && cut >= 0; i++ {
				next := bytes.Index(data[cut+1:], []byte(`"cveID"`))
				if next < 0 {
					break
				}
				cut += next + 1
			}
			head := bytes.TrimRight(data[:bytes.LastIndexByte(data[:cut], '}')+1], " \n\t,")
			f.Add(append(bytes.Replace(head, []byte(`"count": 1404`), []byte(`"count": 20`), 1), []byte("]}")...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := kev.Decode("fuzz.json", data)
		if err != nil {
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid || len(e.Problems) == 0 || e.Problems[0].Location == "" {
				t.Fatalf("error %v is not a located EInvalid *cradle.Error", err)
			}
			return
		}
		if c.Count != len(c.Vulnerabilities) {
			t.Fatalf("count %d, %d entries", c.Count, len(c.Vulnerabilities))
		}
		seen := map[string]bool{}
		for _, e := range c.Vulnerabilities {
			if !strings.HasPrefix(e.CVEID, "CVE-") || seen[e.CVEID] || e.DateAdded.IsZero() || e.DueDate.IsZero() {
				t.Fatalf("entry %+v does not hold together", e)
			}
			seen[e.CVEID] = true
		}
	})
}
