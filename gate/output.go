package gate

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// TextOptions adjusts WriteTextOptions.
type TextOptions struct {
	// ASCII uses [PASS]/[FAIL]-style marks instead of ✓ and ✗, for
	// terminals and logs that mangle UTF-8.
	ASCII bool
}

// WriteText writes a report for people: the verdict, then each check
// with its reasons and how to resolve them.
func WriteText(w io.Writer, d *Decision) error { return WriteTextOptions(w, d, TextOptions{}) }

// WriteTextOptions is WriteText with options.
func WriteTextOptions(w io.Writer, d *Decision, o TextOptions) error {
	if d == nil {
		return fmt.Errorf("gate: no decision")
	}
	b := bufio.NewWriter(w)
	mark := map[Status]string{StatusPass: "✓", StatusFail: "✗", StatusExcepted: "!", StatusDisabled: "-"}
	dash, bullet := "—", "•"
	if o.ASCII {
		mark = map[Status]string{StatusPass: "[pass]", StatusFail: "[FAIL]", StatusExcepted: "[excp]", StatusDisabled: "[off] "}
		dash, bullet = "-", "-"
	}
	verdict := "PASS: the release may ship"
	if !d.Pass {
		verdict = fmt.Sprintf("FAIL: the release may not ship (%s)", plural(d.Failures, "reason"))
	}
	fmt.Fprintf(b, "cradle gate %s %s %s %s\n", oneLine(d.Product), oneLine(d.Release), dash, verdict)
	fmt.Fprintf(b, "evaluated %s, decision %s\n\n", d.EvaluatedAt.UTC().Format(time.RFC3339), short(d.Hash))
	for _, c := range d.Checks {
		extra := ""
		switch c.Status {
		case StatusFail:
			n := 0
			for _, r := range c.Reasons {
				if r.ExceptionID == "" {
					n++
				}
			}
			extra = " (" + plural(n, "reason") + ")"
		case StatusExcepted:
			extra = " (excepted)"
		case StatusDisabled:
			extra = " (disabled by policy)"
		}
		fmt.Fprintf(b, "%s %s: %s%s\n", mark[c.Status], c.ID, c.Title, extra)
		for _, r := range c.Reasons {
			if r.ExceptionID != "" {
				fmt.Fprintf(b, "    %s %s [excepted by %s]\n", bullet, oneLine(r.Message), oneLine(r.ExceptionID))
				continue
			}
			fmt.Fprintf(b, "    %s %s\n", bullet, oneLine(r.Message))
			fmt.Fprintf(b, "      resolve: %s\n", oneLine(r.Resolve))
		}
	}
	if len(d.Exceptions) > 0 {
		fmt.Fprintf(b, "\nexceptions:\n")
		for _, e := range d.Exceptions {
			subj := e.Subject
			if subj == "" {
				subj = "(whole check)"
			}
			line := fmt.Sprintf("  %s %s %s: %s", oneLine(e.ID), oneLine(e.Check), oneLine(subj), e.Status)
			if e.Covered > 0 {
				line += fmt.Sprintf(", covers %s", plural(e.Covered, "reason"))
			}
			if !e.Expires.IsZero() {
				line += ", expires " + stamp(e.Expires)
			}
			if e.Approver != "" {
				line += ", approved by " + oneLine(e.Approver)
			}
			if e.Note != "" && e.Status != ExceptionExpired {
				line += " (" + oneLine(e.Note) + ")"
			}
			fmt.Fprintln(b, line)
		}
	}
	fmt.Fprintf(b, "\npolicy %s, inputs %s\n", short(d.PolicyHash), short(d.InputsHash))
	return b.Flush()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// oneLine keeps user text from breaking the report's layout.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// WriteJSON writes the decision as indented JSON (the form that is stored
// and that Verify checks).
func WriteJSON(w io.Writer, d *Decision) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// ---- JUnit

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// xmlSafe drops characters XML 1.0 cannot carry (encoding/xml would
// write U+FFFD for some and reject none, but CI parsers are strict).
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < ' ', r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}

// WriteJUnit writes JUnit XML: one test case per check, a <failure>
// listing a failing check's reasons and their resolutions, <skipped> for a
// disabled check; excepted reasons are listed in <system-out>.
func WriteJUnit(w io.Writer, d *Decision) error {
	if d == nil {
		return fmt.Errorf("gate: no decision")
	}
	s := junitSuite{
		Name:      xmlSafe(fmt.Sprintf("cradle gate %s %s", d.Product, d.Release)),
		Time:      "0",
		Timestamp: d.EvaluatedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"product", xmlSafe(d.Product)}, {"release", xmlSafe(d.Release)},
			{"pass", fmt.Sprint(d.Pass)}, {"policy_hash", d.PolicyHash},
			{"inputs_hash", d.InputsHash}, {"decision_hash", d.Hash},
		},
	}
	class := "cradle.gate"
	for _, c := range d.Checks {
		tc := junitCase{Name: c.ID + ": " + c.Title, Classname: class, Time: "0"}
		var fail, out strings.Builder
		n := 0
		for _, r := range c.Reasons {
			if r.ExceptionID != "" {
				fmt.Fprintf(&out, "excepted by %s: %s\n", r.ExceptionID, r.Message)
				continue
			}
			n++
			fmt.Fprintf(&fail, "%s\n  resolve: %s\n", r.Message, r.Resolve)
		}
		switch c.Status {
		case StatusFail:
			tc.Failure = &junitFailure{Message: xmlSafe(fmt.Sprintf("%s: %s", c.ID, plural(n, "reason"))), Type: "gate." + c.ID, Text: xmlSafe(fail.String())}
			s.Failures++
		case StatusDisabled:
			tc.Skipped = &junitSkipped{Message: "disabled by policy"}
			s.Skipped++
		}
		tc.SystemOut = xmlSafe(out.String())
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	all := junitSuites{Name: "cradle gate", Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Time: "0", Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// ---- SARIF

// SARIFSchema is the $schema the SARIF output names.
const SARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// WriteSARIF writes SARIF 2.1.0: tool driver cradle-gate with one rule per
// check, one result (level error) per reason; excepted reasons carry an
// accepted external suppression whose justification names the exception.
func WriteSARIF(w io.Writer, d *Decision) error {
	if d == nil {
		return fmt.Errorf("gate: no decision")
	}
	exc := map[string]ExceptionUse{}
	for _, e := range d.Exceptions {
		if _, dup := exc[e.ID]; !dup {
			exc[e.ID] = e
		}
	}
	rules := []sarifRule{}
	index := map[string]int{}
	for _, c := range d.Checks {
		index[c.ID] = len(rules)
		level := "error"
		if c.Status == StatusDisabled {
			level = "none"
		}
		rules = append(rules, sarifRule{
			ID: c.ID, Name: ruleName(c.ID),
			ShortDescription:     sarifText{c.Title},
			FullDescription:      sarifText{c.Title + ". Basis: " + c.Basis + "."},
			Help:                 sarifText{"A release may ship only when this check passes or an approved, unexpired exception covers it. Basis: " + c.Basis + "."},
			DefaultConfiguration: map[string]any{"level": level, "enabled": c.Status != StatusDisabled},
			Properties:           map[string]any{"status": string(c.Status)},
		})
	}
	results := []sarifResult{}
	for _, c := range d.Checks {
		for _, r := range c.Reasons {
			fp := sha256.Sum256([]byte(c.ID + "\x00" + r.Subject + "\x00" + r.Message))
			res := sarifResult{
				RuleID: c.ID, RuleIndex: index[c.ID], Level: "error",
				Message:             sarifText{r.Message + " Resolve: " + r.Resolve},
				PartialFingerprints: map[string]string{"cradleGateReason/v1": hex.EncodeToString(fp[:16])},
				Properties:          map[string]any{"subject": r.Subject, "resolve": r.Resolve},
			}
			if r.Subject != "" {
				res.Locations = []sarifLocation{{LogicalLocations: []sarifLogical{{Name: r.Subject,
					FullyQualifiedName: d.Product + "@" + d.Release + "/" + c.ID + "/" + r.Subject}}}}
			}
			if r.ExceptionID != "" {
				just := "exception " + r.ExceptionID
				if e, ok := exc[r.ExceptionID]; ok {
					just += fmt.Sprintf(" approved by %s until %s: %s", e.Approver, stamp(e.Expires), e.Reason)
				}
				res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: just}}
				res.Properties["exceptionId"] = r.ExceptionID
			}
			results = append(results, res)
		}
	}
	log := map[string]any{
		"$schema": SARIFSchema,
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "cradle-gate",
				"informationUri": "https://github.com/cradle-sdl/cradle",
				"rules":          rules,
			}},
			"automationDetails": map[string]any{"id": "cradle-gate/" + d.Product + "/" + d.Release + "/"},
			"invocations": []any{map[string]any{
				"executionSuccessful": true,
				"endTimeUtc":          d.EvaluatedAt.UTC().Format(time.RFC3339),
			}},
			"results": results,
			"properties": map[string]any{
				"product": d.Product, "release": d.Release, "pass": d.Pass, "failures": d.Failures,
				"policyHash": d.PolicyHash, "inputsHash": d.InputsHash, "decisionHash": d.Hash,
			},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// ruleName is a check ID in the PascalCase SARIF viewers expect.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
