package results

import (
	"strings"
	"testing"
)

func TestJUnitDialects(t *testing.T) {
	for _, c := range []struct {
		file                                           string
		suites, tests, passed, failed, errored, skiped int
		duration                                       float64
		tests1                                         []string // Test of each result
		warnings                                       []string // prefixes
	}{
		{"junit-surefire.xml", 1, 5, 2, 1, 1, 1, 1234.5,
			[]string{"com.example.cradle.ParserTest.rejectsTruncated", "com.example.cradle.ParserTest.readsLargeFile"}, nil},
		{"junit-pytest.xml", 1, 5, 2, 2, 0, 1, 0.412,
			[]string{"tests.test_sbom.test_decode_spdx[2.2]", "tests.test_vex.test_csaf"}, nil},
		{"junit-go.xml", 2, 6, 4, 1, 0, 1, 1.503,
			[]string{"github.com/example/app/store.TestMigrate"}, nil},
		{"junit-jest.xml", 2, 3, 2, 1, 0, 0, 2.113,
			[]string{"Cart removes an item"},
			[]string{"jest.xml:/testsuites/@tests: the suite says 4, its test cases count 3"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			name := strings.TrimPrefix(c.file, "junit-")
			rep, err := Decode(name, readTestdata(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			ts := rep.Tests
			if rep.Format != FormatJUnit || rep.Kind != KindTest || ts == nil {
				t.Fatalf("report: %+v", rep)
			}
			if ts.Suites != c.suites || ts.Tests != c.tests || ts.Passed != c.passed || ts.Failed != c.failed || ts.Errored != c.errored || ts.Skipped != c.skiped || ts.Duration != c.duration {
				t.Errorf("summary %+v", *ts)
			}
			if len(rep.Results) != len(c.tests1) {
				t.Fatalf("results: %+v", rep.Results)
			}
			for i, r := range rep.Results {
				if r.Test != c.tests1[i] || r.Severity != SeverityMedium || len(r.Fingerprint) != 64 || r.Message == "" {
					t.Errorf("result %d: %+v", i, r)
				}
			}
			if len(rep.Warnings) != len(c.warnings) {
				t.Fatalf("warnings: %q", rep.Warnings)
			}
			for i, w := range c.warnings {
				if !strings.HasPrefix(rep.Warnings[i], w) {
					t.Errorf("warning %q, want %q", rep.Warnings[i], w)
				}
			}
		})
	}
	rep, _ := Decode("s", readTestdata(t, "junit-surefire.xml"))
	r := rep.Results
	if r[0].RuleID != "test-failure" || r[0].Message != "expected: <true> but was: <false>" || r[1].RuleID != "test-error" {
		t.Errorf("surefire results: %+v", r)
	}
	rep, _ = Decode("j", readTestdata(t, "junit-jest.xml"))
	if m := rep.Results[0].Message; m != "Error: expect(received).toBe(expected) // Object.is equality" {
		t.Errorf("jest message from text: %q", m)
	}
}

func TestJUnitFingerprint(t *testing.T) {
	a, err := Decode("a", []byte(`<testsuite name="s"><testcase classname="c" name="t" time="1"><failure message="x at line 3"/></testcase></testsuite>`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode("b", []byte(`<testsuites><testsuite name="other"><testcase classname="c" name="t" time="2"><error message="y"/></testcase><testcase classname="c" name="u"><failure/></testcase></testsuite></testsuites>`))
	if err != nil {
		t.Fatal(err)
	}
	c := Compare(a.Results, b.Results)
	if len(c.Unchanged) != 1 || len(c.New) != 1 || c.New[0].Test != "c.u" || c.New[0].Message != "failure" {
		t.Errorf("%+v", c)
	}
}

func TestJUnitCountWarnings(t *testing.T) {
	rep, err := Decode("w.xml", []byte(`<testsuites tests="x"><testsuite tests="1" failures="1" errors="1" skipped="2"><testcase name="a"/></testsuite></testsuites>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"w.xml:/testsuites/testsuite[1]/@failures: the suite says 1, its test cases count 0",
		"w.xml:/testsuites/testsuite[1]/@errors: the suite says 1",
		"w.xml:/testsuites/testsuite[1]/@skipped: the suite says 2",
		`w.xml:/testsuites/@tests: expected a whole number, found "x"`,
	}
	if len(rep.Warnings) != len(want) {
		t.Fatalf("warnings %q", rep.Warnings)
	}
	for i, w := range want {
		if !strings.HasPrefix(rep.Warnings[i], w) {
			t.Errorf("warning %q, want %q", rep.Warnings[i], w)
		}
	}
}
