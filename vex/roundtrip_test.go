package vex_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/vex"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestRoundTripOpenVEXCycloneDX takes OpenVEX through the model to
// CycloneDX 1.6, back to the model and out as OpenVEX again: the second
// OpenVEX document must be the first, byte for byte, and every statement
// must keep its status, justification (all five, including the three
// CycloneDX has no exact label for), products and words.
func TestRoundTripOpenVEXCycloneDX(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "openvex-*.json"))
	if len(files) < 4 {
		t.Fatalf("found %d OpenVEX test files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d := decodeTestdata(t, filepath.Base(path))
			first, err := vex.EncodeOpenVEX(d)
			if err != nil {
				t.Fatalf("EncodeOpenVEX: %v", err)
			}
			bom, err := vex.EncodeCycloneDX(d, "1.6")
			if err != nil {
				t.Fatalf("EncodeCycloneDX: %v", err)
			}
			if _, err := sbom.Decode("vex.cdx.json", bom); err != nil {
				t.Fatalf("the CycloneDX schema rejects the BOM: %v", err)
			}
			fromBOM, err := vex.Decode("vex.cdx.json", bom)
			if err != nil {
				t.Fatalf("Decode(CycloneDX): %v", err)
			}
			if got, want := meaning(fromBOM, true), meaning(d, true); !slices.Equal(got, want) {
				t.Errorf("CycloneDX changed the meaning:%s", diffLines(got, want))
			}
			second, err := vex.EncodeOpenVEX(fromBOM)
			if err != nil {
				t.Fatalf("EncodeOpenVEX(from CycloneDX): %v", err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("OpenVEX → CycloneDX → OpenVEX differs:\n%s\nwant:\n%s", second, first)
			}
			again, err := vex.Decode("again.openvex.json", second)
			if err != nil {
				t.Fatalf("Decode(OpenVEX): %v", err)
			}
			if got, want := meaning(again, true), meaning(d, true); !slices.Equal(got, want) {
				t.Errorf("OpenVEX changed the meaning:%s", diffLines(got, want))
			}
		})
	}
}

// TestJustificationMapping pins how the five labels travel through
// CycloneDX: two have exact equivalents, component_not_present becomes the
// state false_positive, and the other two ride in a cradle property.
func TestJustificationMapping(t *testing.T) {
	d := decodeTestdata(t, "openvex-cradle-all.json")
	bom, err := vex.EncodeCycloneDX(d, "1.5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"justification": "code_not_reachable"`,
		`"justification": "code_not_present"`,
		`"state": "false_positive"`,
		`"value": "vulnerable_code_cannot_be_controlled_by_adversary"`,
		`"value": "inline_mitigations_already_exist"`,
		`"specVersion": "1.5"`,
	} {
		if !bytes.Contains(bom, []byte(want)) {
			t.Errorf("CycloneDX output lacks %s", want)
		}
	}
	back, err := vex.Decode("vex.cdx.json", bom)
	if err != nil {
		t.Fatal(err)
	}
	for vuln, want := range map[string]vex.Justification{
		"CVE-2022-0001":  vex.ComponentNotPresent,
		"CVE-2022-0002":  vex.VulnerableCodeCannotBeControlledByAdversary,
		"CVE-2022-0003":  vex.InlineMitigationsAlreadyExist,
		"CVE-2022-0004":  vex.VulnerableCodeNotPresent,
		"CVE-2021-44228": vex.VulnerableCodeNotInExecutePath,
	} {
		if got := findStatement(t, back, vuln, vex.StatusNotAffected).Justification; got != want {
			t.Errorf("%s: justification %q, want %q", vuln, got, want)
		}
	}
}

// csafSynthetic exercises what the OASIS examples do not: relationships
// (a purl-identified package inside a CPE-identified product), product
// groups in flags and remediations, first/last_affected and first_fixed,
// ids instead of cve, and full_product_names.
const csafSynthetic = `{
  "document": {
    "category": "csaf_vex", "csaf_version": "2.0", "title": "t",
    "publisher": {"category": "vendor", "name": "Example PSIRT", "namespace": "https://psirt.example.com"},
    "tracking": {"id": "EX-2024-0001", "current_release_date": "2024-06-01T12:00:00Z", "initial_release_date": "2024-06-01T12:00:00Z",
      "revision_history": [{"date": "2024-06-01T12:00:00Z", "number": "1.0.0", "summary": "s"}, {"date": "2024-06-01T12:00:00Z", "number": "1.1.0", "summary": "s"}],
      "status": "final", "version": "1.1.0"}
  },
  "product_tree": {
    "branches": [{"category": "vendor", "name": "Example", "branches": [
      {"category": "product_name", "name": "Controller", "branches": [
        {"category": "product_version", "name": "4.2", "product": {"name": "Example Controller 4.2", "product_id": "CTRL-4.2",
          "product_identification_helper": {"cpe": "cpe:2.3:h:example:controller:4.2:*:*:*:*:*:*:*"}}},
        {"category": "product_version", "name": "4.3", "product": {"name": "Example Controller 4.3", "product_id": "CTRL-4.3"}}
      ]},
      {"category": "product_name", "name": "Gateway", "branches": [
        {"category": "product_version_range", "name": "vers:generic/<3.0", "product": {"name": "Example Gateway < 3.0", "product_id": "GW-OLD"}}
      ]}
    ]}],
    "full_product_names": [
      {"name": "log4j-core 2.14.1", "product_id": "LOG4J", "product_identification_helper": {"purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}},
      {"name": "openssl 3.0.8", "product_id": "OPENSSL", "product_identification_helper": {"purl": "pkg:generic/openssl@3.0.8"}}
    ],
    "relationships": [
      {"category": "default_component_of", "product_reference": "LOG4J", "relates_to_product_reference": "CTRL-4.2",
       "full_product_name": {"name": "log4j in Controller 4.2", "product_id": "CTRL-4.2:LOG4J"}},
      {"category": "installed_on", "product_reference": "OPENSSL", "relates_to_product_reference": "CTRL-4.3",
       "full_product_name": {"name": "openssl on Controller 4.3", "product_id": "CTRL-4.3:OPENSSL"}}
    ],
    "product_groups": [{"group_id": "ALL-CTRL", "product_ids": ["CTRL-4.2:LOG4J", "CTRL-4.3:OPENSSL"]}]
  },
  "vulnerabilities": [
    {
      "cve": "CVE-2021-44228",
      "ids": [{"system_name": "GitHub", "text": "GHSA-jfh8-c2jp-5v3q"}],
      "product_status": {"known_not_affected": ["CTRL-4.2:LOG4J"], "first_affected": ["GW-OLD"], "fixed": ["CTRL-4.3"]},
      "flags": [{"label": "vulnerable_code_not_in_execute_path", "group_ids": ["ALL-CTRL"]}],
      "remediations": [{"category": "vendor_fix", "details": "Replace the gateway.", "product_ids": ["GW-OLD"]}]
    },
    {
      "ids": [{"system_name": "Example", "text": "EX-BUG-17"}],
      "product_status": {"last_affected": ["CTRL-4.3:OPENSSL"], "first_fixed": ["CTRL-4.2"], "under_investigation": ["GW-OLD"]},
      "remediations": [
        {"category": "workaround", "details": "Disable TLS renegotiation.", "group_ids": ["ALL-CTRL"]},
        {"category": "vendor_fix", "details": "Update to 4.4.", "product_ids": ["CTRL-4.3:OPENSSL"]}
      ]
    }
  ]
}`

// TestCSAF checks the product tree resolution and the status mapping on
// csafSynthetic.
func TestCSAF(t *testing.T) {
	d, err := vex.Decode("ex.json", []byte(csafSynthetic))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "EX-2024-0001" || d.Author != "Example PSIRT" || d.Version != 2 {
		t.Errorf("document %q by %q version %d; want EX-2024-0001 by Example PSIRT, version 2 (two revisions)", d.ID, d.Author, d.Version)
	}
	got := meaning(d, true)
	ctrl42 := "cpe:2.3:h:example:controller:4.2:*:*:*:*:*:*:*"
	ctrl43 := "pkg:generic/Example/Controller@4.3"
	gw := "pkg:generic/Example/Gateway vers:generic/<3.0"
	at := " response=[] at=2024-06-01T12:00:00Z"
	want := []string{
		"CVE-2021-44228 [GHSA-jfh8-c2jp-5v3q] " + ctrl42 + " > pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 not_affected vulnerable_code_not_in_execute_path cdx= impact=\"\" action=\"\" detail=\"\"" + at,
		"CVE-2021-44228 [GHSA-jfh8-c2jp-5v3q] " + gw + " affected  cdx= impact=\"\" action=\"Replace the gateway.\" detail=\"\"" + at,
		"CVE-2021-44228 [GHSA-jfh8-c2jp-5v3q] " + ctrl43 + " fixed  cdx= impact=\"\" action=\"\" detail=\"\"" + at,
		"EX-BUG-17 [] " + ctrl43 + " > pkg:generic/openssl@3.0.8 affected  cdx= impact=\"\" action=\"Disable TLS renegotiation.\\n\\nUpdate to 4.4.\" detail=\"\"" + at,
		"EX-BUG-17 [] " + ctrl42 + " fixed  cdx= impact=\"\" action=\"\" detail=\"\"" + at,
		"EX-BUG-17 [] " + gw + " under_investigation  cdx= impact=\"\" action=\"\" detail=\"\"" + at,
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("meaning:%s", diffLines(got, want))
	}
}

// TestRoundTripCSAFToOpenVEX writes CSAF VEX as OpenVEX: read back, every
// statement says the same, words included.
func TestRoundTripCSAFToOpenVEX(t *testing.T) {
	docs := map[string][]byte{"synthetic": []byte(csafSynthetic)}
	for _, name := range []string{"csaf-vexctl.json", "csaf-go-vex.json"} {
		docs[name] = readFile(t, filepath.Join("testdata", name))
	}
	if dir := os.Getenv("CRADLE_TEST_DATA"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "conformance/csaf/2.0/examples/csaf/csaf_vex/2022-evd-*.json"))
		if len(files) != 12 {
			t.Fatalf("found %d OASIS CSAF-VEX use cases, want 12 (sec-vex-2022-0001 has a range OpenVEX cannot carry)", len(files))
		}
		for _, f := range files {
			docs[filepath.Base(f)] = readFile(t, f)
		}
	} else {
		t.Log("CRADLE_TEST_DATA not set: only the local CSAF documents")
	}
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			d, err := vex.Decode(name, data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := vex.EncodeOpenVEX(d)
			if err != nil {
				t.Fatalf("EncodeOpenVEX: %v", err)
			}
			back, err := vex.Decode("out.openvex.json", out)
			if err != nil {
				t.Fatalf("Decode(OpenVEX): %v\n%s", err, out)
			}
			if got, want := meaning(back, true), meaning(d, true); !slices.Equal(got, want) {
				t.Errorf("meaning changed:%s", diffLines(got, want))
			}
			if back.Author != d.Author || !back.Timestamp.Equal(d.Timestamp) {
				t.Errorf("author %q at %v, want %q at %v", back.Author, back.Timestamp, d.Author, d.Timestamp)
			}
		})
	}
}

// TestEncodeGolden pins the encoders' output.
func TestEncodeGolden(t *testing.T) {
	csaf, err := vex.Decode("ex.json", []byte(csafSynthetic))
	if err != nil {
		t.Fatal(err)
	}
	all := decodeTestdata(t, "openvex-cradle-all.json")
	case6 := decodeTestdata(t, "cdx-cisa-case-6.json")
	for _, tc := range []struct {
		golden string
		encode func() ([]byte, error)
	}{
		{"openvex-cradle-all.cdx15.json", func() ([]byte, error) { return vex.EncodeCycloneDX(all, "1.5") }},
		{"openvex-cradle-all.cdx16.json", func() ([]byte, error) { return vex.EncodeCycloneDX(all, "1.6") }},
		{"cdx-cisa-case-6.openvex.json", func() ([]byte, error) { return vex.EncodeOpenVEX(case6) }},
		{"csaf-synthetic.openvex.json", func() ([]byte, error) { return vex.EncodeOpenVEX(csaf) }},
		{"csaf-synthetic.cdx16.json", func() ([]byte, error) { return vex.EncodeCycloneDX(csaf, "1.6") }},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := tc.encode()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.golden)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run the test with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", path, got)
			}
		})
	}
}

// TestEncodeCycloneDXVersions rejects versions other than 1.5 and 1.6.
func TestEncodeCycloneDXVersions(t *testing.T) {
	d := decodeTestdata(t, "openvex-vexctl-demo.json")
	for _, v := range []string{"1.4", "1.7", "", "1.6 "} {
		_, err := vex.EncodeCycloneDX(d, v)
		if e := wantInvalidUnlocated(t, err); !strings.Contains(e, "expected version 1.5 or 1.6") {
			t.Errorf("EncodeCycloneDX(%q): %v", v, e)
		}
	}
}
