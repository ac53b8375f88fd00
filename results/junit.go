package results

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// JUnit XML has no specification; this reads what Maven surefire, pytest,
// go-junit-report, gotestsum, jest-junit and PHPUnit write: a
// <testsuites> root or a single <testsuite>, suites nested in suites,
// <testcase> with <failure>, <error> and <skipped> children.

type junitSuite struct {
	Name     string       `xml:"name,attr"`
	Tests    string       `xml:"tests,attr"`
	Failures string       `xml:"failures,attr"`
	Errors   string       `xml:"errors,attr"`
	Skipped  string       `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
	Cases    []junitCase  `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	Time      string         `xml:"time,attr"`
	File      string         `xml:"file,attr"`
	Line      string         `xml:"line,attr"`
	Failures  []junitProblem `xml:"failure"`
	Errors    []junitProblem `xml:"error"`
	Skipped   []junitProblem `xml:"skipped"`
	Disabled  *struct{}      `xml:"disabled"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitTool is the tool name of every JUnit result: JUnit reports do
// not reliably say which test runner wrote them.
const junitTool = "junit"

func decodeJUnit(name string, data []byte, start int) (*Report, error) {
	dec := xml.NewDecoder(bytes.NewReader(data[start:]))
	// Surefire and others declare ISO-8859-1 now and then: read such
	// bytes as they are rather than refusing the report.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	where := func() string {
		line, col := dec.InputPos()
		if line == 1 {
			col += start // a byte order mark
		}
		return locate.AtPos(name, line, col)
	}
	bad := func(err error) error {
		msg := err.Error()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			msg = se.Msg
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			msg = "unexpected end of the document"
		}
		return cradle.Invalid("not a valid JUnit XML report", cradle.Problem{Location: where(), Message: "malformed XML: " + msg})
	}
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, cradle.Invalid("not a JUnit XML report", cradle.Problem{Location: where(), Message: "expected a <testsuites> or <testsuite> element, found none"})
			}
			return nil, bad(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	var suites []junitSuite
	var top junitSuite // the <testsuites> attributes
	rootIsSuites := false
	switch root.Name.Local {
	case "testsuites":
		rootIsSuites = true
		if err := dec.DecodeElement(&top, &root); err != nil {
			return nil, bad(err)
		}
		suites = top.Suites
	case "testsuite":
		var s junitSuite
		if err := dec.DecodeElement(&s, &root); err != nil {
			return nil, bad(err)
		}
		suites = []junitSuite{s}
	default:
		return nil, cradle.Invalid("not a JUnit XML report", cradle.Problem{Location: where(), Message: fmt.Sprintf("expected a <testsuites> or <testsuite> root element, found <%s>", root.Name.Local)})
	}
	// Anything after the root other than comments and white space is an
	// error: a second root means the file was concatenated or truncated.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return nil, cradle.Invalid("not a valid JUnit XML report", cradle.Problem{Location: where(), Message: fmt.Sprintf("expected the end of the document after the root element, found <%s>", t.Name.Local)})
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, cradle.Invalid("not a valid JUnit XML report", cradle.Problem{Location: where(), Message: "expected the end of the document after the root element, found text"})
			}
		}
	}

	j := junitReader{name: name, rep: &Report{Format: FormatJUnit, Kind: KindTest, Tools: []Tool{{Name: junitTool}}, Tests: &TestSummary{}}}
	rootPath := "/testsuites"
	if !rootIsSuites {
		rootPath = ""
	}
	var sum float64
	var haveSuiteTimes bool
	for i := range suites {
		j.rep.Tests.SuiteNames = append(j.rep.Tests.SuiteNames, strings.TrimSpace(suites[i].Name))
		j.suite(&suites[i], suitePath(rootPath, i, len(suites)))
		if t, ok := parseTime(suites[i].Time); ok {
			sum += t
			haveSuiteTimes = true
		}
		if j.tooMany {
			return nil, &cradle.Error{Code: cradle.ETooLarge, Message: fmt.Sprintf("%s has more than %d test cases", displayName(name), MaxResults)}
		}
	}
	ts := j.rep.Tests
	if rootIsSuites {
		j.checkCounts(&top, "/testsuites", counts{ts.Tests, ts.Failed, ts.Errored, ts.Skipped})
	}
	if t, ok := parseTime(top.Time); ok && rootIsSuites {
		ts.Duration = t
	} else if haveSuiteTimes {
		ts.Duration = sum
	} else {
		ts.Duration = j.caseTime
	}
	ts.Passed = ts.Tests - ts.Failed - ts.Errored - ts.Skipped
	disambiguate(j.rep.Results)
	j.rep.Warnings = j.w.done()
	return j.rep, nil
}

func suitePath(parent string, i, n int) string {
	if parent == "" {
		return "/testsuite"
	}
	return fmt.Sprintf("%s/testsuite[%d]", parent, i+1)
}

type counts struct{ tests, failed, errored, skipped int }

type junitReader struct {
	name     string
	rep      *Report
	w        warnings
	caseTime float64
	tooMany  bool
}

// suite adds a suite's cases and its nested suites' and returns their
// counts.
func (j *junitReader) suite(s *junitSuite, path string) counts {
	ts := j.rep.Tests
	ts.Suites++
	var c counts
	for i := range s.Cases {
		tc := &s.Cases[i]
		c.tests++
		if t, ok := parseTime(tc.Time); ok {
			j.caseTime += t
		}
		switch {
		case len(tc.Errors) > 0:
			c.errored++
			j.result(tc, s, "test-error", &tc.Errors[0])
		case len(tc.Failures) > 0:
			c.failed++
			j.result(tc, s, "test-failure", &tc.Failures[0])
		case len(tc.Skipped) > 0 || tc.Disabled != nil:
			c.skipped++
		default:
			ts.PassedNames = append(ts.PassedNames, caseName(tc, s))
		}
	}
	ts.Tests += c.tests
	ts.Failed += c.failed
	ts.Errored += c.errored
	ts.Skipped += c.skipped
	if ts.Tests > MaxResults {
		j.tooMany = true
		return c
	}
	for i := range s.Suites {
		sub := j.suite(&s.Suites[i], suitePath(path, i, len(s.Suites)))
		c.tests += sub.tests
		c.failed += sub.failed
		c.errored += sub.errored
		c.skipped += sub.skipped
		if j.tooMany {
			return c
		}
	}
	j.checkCounts(s, path, c)
	return c
}

// checkCounts warns when a suite's count attributes disagree with its
// test cases.
func (j *junitReader) checkCounts(s *junitSuite, path string, c counts) {
	for _, a := range []struct {
		attr, val string
		got       int
	}{{"tests", s.Tests, c.tests}, {"failures", s.Failures, c.failed}, {"errors", s.Errors, c.errored}, {"skipped", s.Skipped, c.skipped}} {
		if a.val == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(a.val))
		if err != nil {
			j.w.add(locate.AtPath(j.name, path+"/@"+a.attr), fmt.Sprintf("expected a whole number, found %s", locate.Quote(a.val)))
			continue
		}
		if n != a.got {
			j.w.add(locate.AtPath(j.name, path+"/@"+a.attr), fmt.Sprintf("the suite says %d, its test cases count %d; cradle uses the test cases", n, a.got))
		}
	}
}

// caseName is classname.name of a test case (the suite's name when the
// case has no class).
func caseName(tc *junitCase, s *junitSuite) string {
	test := tc.Name
	class := tc.Classname
	if class == "" {
		class = s.Name
	}
	if class != "" && class != tc.Name {
		test = class + "." + tc.Name
	}
	return test
}

func (j *junitReader) result(tc *junitCase, s *junitSuite, rule string, p *junitProblem) {
	test := caseName(tc, s)
	class := tc.Classname
	if class == "" {
		class = s.Name
	}
	msg := strings.TrimSpace(p.Message)
	if msg == "" {
		msg = strings.TrimSpace(p.Text)
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = strings.TrimSpace(msg[:i])
		}
	}
	if msg == "" {
		msg = p.Type
	}
	if msg == "" {
		msg = strings.TrimPrefix(rule, "test-")
	}
	r := Result{
		Tool:     junitTool,
		RuleID:   rule,
		RuleName: map[string]string{"test-error": "Test error", "test-failure": "Test failure"}[rule],
		Severity: SeverityMedium,
		Level:    "error",
		Kind:     "fail",
		Message:  msg,
		Test:     test,
		URI:      tc.File,
	}
	if n, err := strconv.Atoi(strings.TrimSpace(tc.Line)); err == nil && n > 0 {
		r.Line = n
	}
	switch {
	case r.URI != "" && r.Line > 0:
		r.Location = r.URI + ":" + strconv.Itoa(r.Line)
	case r.URI != "":
		r.Location = r.URI
	default:
		r.Location = test
	}
	r.Fingerprint = hashParts("junit", junitTool, class, tc.Name)
	j.rep.Results = append(j.rep.Results, r)
}

// parseTime reads a time attribute in seconds; Maven surefire writes
// "1,234.5" above a thousand seconds.
func parseTime(s string) (float64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != f || f > 1e12 {
		return 0, false
	}
	return f, true
}
