package results

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantInvalid checks that err is an EInvalid error with a problem whose
// location matches loc (a regexp) and whose message contains msg.
func wantInvalid(t *testing.T, err error, loc, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error at %s (%s), got none", loc, msg)
	}
	if cradle.ErrorCode(err) != cradle.EInvalid {
		t.Fatalf("want EInvalid, got %s: %v", cradle.ErrorCode(err), err)
	}
	for _, p := range cradle.ErrorProblems(err) {
		if regexp.MustCompile(loc).MatchString(p.Location) && strings.Contains(p.Message, msg) {
			return
		}
	}
	t.Fatalf("want a problem at %s containing %q, got %v", loc, msg, err)
}

func TestTestdataSARIF(t *testing.T) {
	rep, err := Decode("grype.sarif", readTestdata(t, "nginx-grype-5.sarif.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != FormatSARIF || rep.Kind != KindContainer || rep.Tests != nil || len(rep.Results) != 5 {
		t.Fatalf("report: %+v", rep)
	}
	want := []string{SeverityCritical, SeverityMedium, SeverityMedium, SeverityMedium, SeverityMedium}
	for i, r := range rep.Results {
		if r.Severity != want[i] {
			t.Errorf("result %d (%s): severity %s, want %s", i, r.RuleID, r.Severity, want[i])
		}
	}
	if r := rep.Results[0]; r.RuleName != "DpkgMatcherExactDirectMatch" || r.Location != "image//usr/share/doc/tar/copyright:1:1" || !strings.HasPrefix(r.Message, "The path /usr/share/doc/tar/copyright reports tar") {
		t.Errorf("first result: %+v", r)
	}

	rep, err = Decode("msbuild.sarif", readTestdata(t, "MSBuild-SomeErrors.txt.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != KindSAST || rep.Tools[0].Name != "MSBuild" || len(rep.Results) != 7 {
		t.Fatalf("msbuild: %+v", rep)
	}
	if r := rep.Results[0]; r.RuleID != "CS1026" || r.Level != "error" || r.Severity != SeverityHigh || r.Line != 30 || r.Column != 35 {
		t.Errorf("msbuild first: %+v", r)
	}

	rep, err = Decode("semmle.sarif", readTestdata(t, "SemmleQL-Simple.csv.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Location != "RelativePath:1:2" {
		t.Errorf("semmle: %+v", rep.Results)
	}
}

const minimal = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec","rules":[
 {"id":"G101","name":"HardcodedCredentials","defaultConfiguration":{"level":"error"},"messageStrings":{"default":{"text":"Credential {0} in {1}"}}},
 {"id":"G104","properties":{"security-severity":"9.1"}}]},
 "extensions":[{"name":"ext","rules":[{"id":"X1","name":"ExtRule","defaultConfiguration":{"level":"note"}}]}]},
 "originalUriBaseIds":{"SRC":{"uri":"src/","uriBaseId":"ROOT"},"ROOT":{"uri":"file:///work/"}},
 "artifacts":[{"location":{"uri":"lib/a.go","uriBaseId":"SRC"}}],
 "logicalLocations":[{"fullyQualifiedName":"pkg.Func"}],
 "results":[
  {"ruleId":"G101","message":{"id":"default","arguments":["password","main.go"]},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"cmd/main.go","uriBaseId":"SRC"},"region":{"startLine":12}}}]},
  {"ruleIndex":1,"level":"note","message":{"text":"Unhandled error"},"locations":[{"physicalLocation":{"artifactLocation":{"index":0},"region":{"startLine":3,"startColumn":7}}}]},
  {"rule":{"id":"X1","index":0,"toolComponent":{"index":0}},"message":{"markdown":"**ext** finding"},"locations":[{"logicalLocations":[{"index":0}]}]},
  {"ruleId":"G999","kind":"pass","message":{"text":"ok"}},
  {"ruleId":"G101","message":{"text":"suppressed"},"suppressions":[{"kind":"inSource","status":"accepted","justification":"test data"}],"baselineState":"unchanged"},
  {"ruleId":"G101","message":{"text":"under review"},"suppressions":[{"kind":"external","status":"underReview"}]}
 ]}]}`

func TestResolution(t *testing.T) {
	rep, err := Decode("m.sarif", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	// A message with only markdown breaks the schema (text is required
	// with markdown): a warning, and the markdown is used.
	if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], "m.sarif:/runs/0/results/2/message: ") {
		t.Errorf("warnings: %q", rep.Warnings)
	}
	rs := rep.Results
	check := func(i int, field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("result %d %s: got %q, want %q", i, field, got, want)
		}
	}
	check(0, "message", rs[0].Message, "Credential password in main.go")
	check(0, "level", rs[0].Level, "error") // rule default
	check(0, "severity", rs[0].Severity, SeverityHigh)
	check(0, "rule name", rs[0].RuleName, "HardcodedCredentials")
	check(0, "uri", rs[0].URI, "file:///work/src/cmd/main.go")
	check(0, "location", rs[0].Location, "file:///work/src/cmd/main.go:12:1")
	check(1, "rule", rs[1].RuleID, "G104")
	check(1, "severity", rs[1].Severity, SeverityCritical) // security-severity beats level
	check(1, "level", rs[1].Level, "note")
	check(1, "location", rs[1].Location, "file:///work/src/lib/a.go:3:7")
	check(2, "rule", rs[2].RuleID, "X1")
	check(2, "rule name", rs[2].RuleName, "ExtRule")
	check(2, "level", rs[2].Level, "note")
	check(2, "message", rs[2].Message, "**ext** finding")
	check(2, "location", rs[2].Location, "pkg.Func")
	check(3, "kind", rs[3].Kind, "pass")
	check(3, "level", rs[3].Level, "none")
	check(3, "severity", rs[3].Severity, SeverityInfo)
	if !rs[4].Suppressed || rs[4].Justification != "test data" || rs[4].BaselineState != "unchanged" {
		t.Errorf("suppressed: %+v", rs[4])
	}
	if rs[5].Suppressed {
		t.Errorf("under review counts as suppressed: %+v", rs[5])
	}
	if rep.Tools[0].Name != "gosec" || rep.Kind != KindSAST {
		t.Errorf("tools: %+v %s", rep.Tools, rep.Kind)
	}
}

func TestErrors(t *testing.T) {
	good := []byte(minimal)
	for _, c := range []struct {
		name, data, loc, msg string
	}{
		{"truncated", string(good[:200]), `^x:\d+:\d+$`, "malformed JSON: unexpected end of JSON input"},
		{"truncated in results", string(good[:len(good)-200]), `^x:\d+:\d+$`, "malformed JSON"},
		{"garbage", "\n\n  {\"version\": 2.1.0}", `^x:3:19$`, "malformed JSON"},
		{"wrong version", `{"version":"2.2","runs":[]}`, `^x:/version$`, `expected SARIF version "2.1.0", found "2.2"`},
		{"old version", `{"version":"2.0.0","runs":[{"tool":{"name":"x"},"originalUriBaseIds":{"A":"file:///"}}]}`, `^x:/version$`, `found "2.0.0" (a pre-standard draft`},
		{"no version", `{"runs":[]}`, `^x$`, `"version"`},
		{"no runs", `{"version":"2.1.0"}`, `^x$`, `"runs"`},
		{"runs not array", `{"version":"2.1.0","runs":{}}`, `^x:1:\d+$`, "expected an array for runs"},
		{"results not array", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":{"a":1}}]}`, `^x:1:70$`, "expected an array for /runs/0/results"},
		{"result not object", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"message":{"text":"a"}}, 7]}]}`, `^x:1:\d+$`, "expected an object for /runs/0/results/1"},
		{"bad line type", "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"t\"}},\"results\":[\n{\"message\":{\"text\":\"a\"},\"locations\":[{\"physicalLocation\":{\"region\":{\"startLine\":\"12\"}}}]}]}]}", `^x:2:\d+$`, "expected a number for /runs/0/results/0/locations/physicalLocation/region/startLine, found a JSON string"},
		{"no tool name", `{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]}`, `^x:/runs/0/tool/driver/name$`, "expected the name"},
		{"not a report", "hello", `^x:1:1$`, "found \"hello\""},
		{"empty", "  \n", `^x$`, "empty"},
		{"xml not junit", `<?xml version="1.0"?><html><body/></html>`, `^x:1:\d+$`, "found <html>"},
		{"bad xml", "<testsuites>\n  <testsuite name=\"a\">\n    <testcase name=\"b\">\n  </testsuite>\n</testsuites>", `^x:4:\d+$`, "malformed XML"},
		{"truncated xml", "<testsuites>\n<testsuite name=\"a\"><testcase name=\"b\"/>", `^x:2:\d+$`, "malformed XML"},
		{"two roots", "<testsuite/>\n<testsuite/>", `^x:2:\d+$`, "found <testsuite>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("x", []byte(c.data))
			wantInvalid(t, err, c.loc, c.msg)
		})
	}
}

func TestLimits(t *testing.T) {
	_, err := Decode("big", make([]byte, MaxSize+1))
	if cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("size: %v", err)
	}
	// MaxResults+1 empty results: 4 MB.
	var b bytes.Buffer
	b.WriteString(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[`)
	b.WriteString(strings.Repeat("{},", MaxResults))
	b.WriteString(`{}]}]}`)
	_, err = Decode("many", b.Bytes())
	if cradle.ErrorCode(err) != cradle.ETooLarge || !strings.Contains(err.Error(), "1000001 results") {
		t.Errorf("results: %v", err)
	}
}

// sarifWith builds a log with the given results JSON.
func sarifWith(results string) []byte {
	return []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"semgrep","rules":[{"id":"r1"},{"id":"r2"}]}},"results":[` + results + `]}]}`)
}

func decodeResults1(t *testing.T, data []byte) []Result {
	t.Helper()
	rep, err := Decode("f", data)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Results
}

func TestFingerprintStableWhenLinesShift(t *testing.T) {
	before := decodeResults1(t, sarifWith(`
		{"ruleId":"r1","message":{"text":"unused variable x declared on line 10"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":10}}}]},
		{"ruleId":"r1","message":{"text":"unused variable x declared on line 40"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":40}}}]},
		{"ruleId":"r2","message":{"text":"call at a.go:12:5 is unchecked"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":12}}}]},
		{"ruleId":"r2","message":{"text":"CVE-2024-1234 in libfoo 1.2.3"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]},
		{"ruleId":"r1","message":{"text":"m"},"partialFingerprints":{"primaryLocationLineHash":"abc:1","other":"z"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.go"},"region":{"startLine":5}}}]}`))
	after := decodeResults1(t, sarifWith(`
		{"ruleId":"r2","message":{"text":"CVE-2024-1234 in libfoo 1.2.3"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]},
		{"ruleId":"r1","message":{"text":"unused variable x declared on line 13"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":13}}}]},
		{"ruleId":"r1","message":{"text":"unused variable x declared on line 43"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":43}}}]},
		{"ruleId":"r2","message":{"text":"call at a.go:15:5 is unchecked"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":15}}}]},
		{"ruleId":"r1","message":{"text":"m changed"},"partialFingerprints":{"primaryLocationLineHash":"abc:1","other":"y"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.go"},"region":{"startLine":9}}}]},
		{"ruleId":"r2","message":{"text":"CVE-2024-5678 in libfoo 1.2.3"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":1}}}]}`))
	c := Compare(before, after)
	if len(c.Unchanged) != 5 || len(c.New) != 1 || len(c.Fixed) != 0 || len(c.Suppressed) != 0 {
		t.Fatalf("new %d, fixed %d, unchanged %d, suppressed %d", len(c.New), len(c.Fixed), len(c.Unchanged), len(c.Suppressed))
	}
	if c.New[0].Message != "CVE-2024-5678 in libfoo 1.2.3" {
		t.Errorf("new: %+v", c.New[0])
	}
	// The two identical findings in a.go keep distinct fingerprints, the
	// one higher up keeping the plain one.
	if before[0].Fingerprint == before[1].Fingerprint || before[0].Fingerprint != after[1].Fingerprint || before[1].Fingerprint != after[2].Fingerprint {
		t.Errorf("duplicates not told apart stably")
	}
}

func TestCompare(t *testing.T) {
	r := func(fp string, suppressed bool) Result { return Result{Fingerprint: fp, Suppressed: suppressed} }
	prev := []Result{r("a", false), r("b", false), r("c", false), r("d", true), r("e", true)}
	cur := []Result{r("a", false), r("c", true), r("d", false), r("f", false), r("g", true)}
	c := Compare(prev, cur)
	fps := func(rs []Result) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Fingerprint)
		}
		return strings.Join(s, ",")
	}
	if got := fps(c.New); got != "d,f" {
		t.Errorf("new %s", got)
	}
	if got := fps(c.Fixed); got != "b" {
		t.Errorf("fixed %s", got)
	}
	if got := fps(c.Unchanged); got != "a" {
		t.Errorf("unchanged %s", got)
	}
	if got := fps(c.Suppressed); got != "c,g" {
		t.Errorf("suppressed %s", got)
	}
	if c := Compare(nil, nil); c.New != nil || c.Fixed != nil {
		t.Errorf("empty: %+v", c)
	}
}

func TestSchemaWarnings(t *testing.T) {
	rep, err := Decode("w.sarif", sarifWith(`{"ruleId":"r1","level":"fatal","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":0}}}],"extra":1}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`w.sarif:/runs/0/results/0/extra: expected no property "extra" here`,
		`w.sarif:/runs/0/results/0/level: expected one of "none", "note", "warning", "error", found "fatal"`,
		`w.sarif:/runs/0/results/0/locations/0/physicalLocation/region`,
	}
	if len(rep.Warnings) != len(want) {
		t.Fatalf("warnings: %q", rep.Warnings)
	}
	for i, w := range want {
		if !strings.HasPrefix(rep.Warnings[i], w) {
			t.Errorf("warning %d: %q, want prefix %q", i, rep.Warnings[i], w)
		}
	}
	// The unknown level is kept as written; its severity is info.
	if r := rep.Results[0]; r.Level != "fatal" || r.Severity != SeverityInfo || r.Line != 0 || r.Location != "a.go" {
		t.Errorf("result: %+v", r)
	}
}

func TestSchemaSeesOnlyFirstResults(t *testing.T) {
	// A violation in result 1,500 is beyond what the schema check sees;
	// one in result 10 is reported.
	var b strings.Builder
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		level := "warning"
		if i == 10 || i == 1500 {
			level = "bad"
		}
		b.WriteString(`{"ruleId":"r1","level":"` + level + `","message":{"text":"m"}}`)
	}
	rep, err := Decode("s", sarifWith(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2000 || len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], "s:/runs/0/results/10/level") {
		t.Errorf("%d results, warnings %q", len(rep.Results), rep.Warnings)
	}
}

func TestBOMAndGuessKind(t *testing.T) {
	rep, err := Decode("bom", append([]byte("\xef\xbb\xbf"), minimal...))
	if err != nil || len(rep.Results) != 6 {
		t.Fatalf("BOM: %v", err)
	}
	for tool, kind := range map[string]string{
		"Trivy": KindContainer, "Grype": KindContainer, "Snyk Container": KindContainer, "Snyk Open Source": KindSCA,
		"OWASP ZAP": KindDAST, "Burp Suite": KindDAST, "go-fuzz": KindFuzzing, "libFuzzer": KindFuzzing, "AFL++": KindFuzzing,
		"OSS-Fuzz": KindFuzzing, "CodeQL": KindSAST, "Semgrep OSS": KindSAST, "gosec": KindSAST, "osv-scanner": KindSCA,
	} {
		if got := GuessKind(tool); got != kind {
			t.Errorf("GuessKind(%q) = %s, want %s", tool, got, kind)
		}
	}
}

func TestStripLineRefs(t *testing.T) {
	for in, want := range map[string]string{
		"declared on line 12":           "declared on ",
		"see lines 3-5 and Line 7":      "see  and ",
		"at main.go:12:5, col 4":        "at main.go, ",
		"file.cs(12,5): error":          "file.cs: error",
		"L42 is long":                   " is long",
		"CVE-2024-1234 in 1.2.3":        "CVE-2024-1234 in 1.2.3",
		"nginx:1.25.3 image":            "nginx:1.25.3 image",
		"Line too long (110/100)":       "Line too long (110/100)",
		"no digits":                     "no digits",
		"uses 3 arguments on line 9999": "uses 3 arguments on ",
	} {
		if got := stripLineRefs(in); got != want {
			t.Errorf("stripLineRefs(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyCase(t *testing.T) {
	// encoding/json matches keys case-insensitively; the skeleton scan
	// must agree, or results would be lost.
	data := `{"Version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}},"results":[{"message":{"text":"lost"}}]}],"RUNS":[{"tool":{"driver":{"name":"t"}},"ReSuLtS":[{"message":{"text":"x"}},{"message":{"text":"y"}}]}]}`
	rep, err := Decode("k", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Results[0].Tool != "t" {
		t.Errorf("results %+v", rep.Results)
	}
	data = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}},"results":[{}]}],"runs":null}`
	if _, err := Decode("k", []byte(data)); err == nil || !strings.Contains(err.Error(), `"runs"`) {
		t.Errorf("runs null: %v", err)
	}
}
