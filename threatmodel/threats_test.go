package threatmodel

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func find(ts []Threat, id string) *Threat {
	for i := range ts {
		if ts[i].ID == id {
			return &ts[i]
		}
	}
	return nil
}

func TestThreatsGenerated(t *testing.T) {
	m := example(t)
	ts := Threats(m)
	if !slices.IsSortedFunc(ts, func(a, b Threat) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("threats not sorted by ID")
	}
	for _, c := range []struct {
		id, cat, rating string
	}{
		// Modbus/TCP poller (gateway) → PLC (plant OT): unencrypted across a boundary.
		{"flow-cleartext-crossing:f-poller-plc", "I", "High"},
		{"flow-tamper-crossing:f-poller-plc", "T", "High"},
		// Web UI (gateway) → config store (secure domain, nested in gateway).
		{"flow-cleartext-crossing:f-webui-config", "I", "High"},
		// UART console enabled in production.
		{"debug-enabled-tamper:uart-console", "T", "High"},
		// JTAG disabled: only the residual threat.
		{"debug-disabled-reenable:jtag", "E", "Low"},
		{"datastore-tamper:config-store", "T", "Medium"},
		{"port-malicious-device:usb-service", "T", "Medium"},
	} {
		th := find(ts, c.id)
		if th == nil {
			t.Errorf("no threat %s", c.id)
			continue
		}
		if th.Category != c.cat || th.Severity.Rating != c.rating || !th.Generated || th.Status != StatusOpen && !th.Refined {
			t.Errorf("%s: %+v", c.id, th)
		}
	}
	for _, id := range []string{
		// Flows within one boundary yield no boundary threats.
		"flow-cleartext-crossing:f-poller-buffer", "flow-spoof-crossing:f-poller-buffer",
		"flow-tamper-crossing:f-buffer-agent", "flow-dos-crossing:f-updater-config",
		// Encrypted and authenticated flows across boundaries.
		"flow-cleartext-crossing:f-agent-broker", "flow-spoof-crossing:f-agent-broker",
		// A disabled debug port is not "enabled in production".
		"debug-enabled-eop:jtag", "debug-enabled-tamper:jtag",
		// Internal flow of medium-confidentiality data only.
		"flow-cleartext-internal:f-poller-buffer",
	} {
		if th := find(ts, id); th != nil {
			t.Errorf("unexpected threat %s: %s", id, th.Title)
		}
	}
	th := find(ts, "flow-cleartext-crossing:f-webui-config")
	if th != nil && (!strings.Contains(th.Title, "Secure domain (TrustZone)") || strings.Contains(th.Title, "Gateway device")) {
		t.Errorf("nested boundary crossing: %q names the wrong boundaries", th.Title)
	}
	if th != nil && (th.Target != Target{Kind: ToFlow, ID: "f-webui-config"} || th.Mitigation == "") {
		t.Errorf("target/mitigation: %+v", th)
	}
}

func TestThreatsMerged(t *testing.T) {
	ts := Threats(example(t))
	uart := find(ts, "debug-enabled-eop:uart-console")
	if uart == nil || !uart.Refined || uart.Severity.Rating != "Medium" || uart.Severity.Score == nil || *uart.Severity.Score != 6.8 ||
		uart.Vector != "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" || !strings.HasPrefix(uart.Mitigation, "Release builds") ||
		!slices.Equal(uart.Requirements, []string{"SR-DBG-1"}) || uart.Category != "E" || uart.Status != StatusOpen {
		t.Errorf("uart refinement: %+v", uart)
	}
	acc := find(ts, "flow-cleartext-crossing:f-agent-config")
	if acc == nil || acc.Status != StatusAccepted || acc.Rationale == "" || acc.Severity.Rating != "High" {
		t.Errorf("accepted refinement: %+v", acc)
	}
	tr := find(ts, "flow-spoof-crossing:f-poller-plc")
	if tr == nil || tr.Status != StatusTransferred || tr.To != "plant operator" {
		t.Errorf("transferred refinement: %+v", tr)
	}
	mit := find(ts, "datastore-disclosure:config-store")
	if mit == nil || mit.Status != StatusMitigated || len(mit.Tests) != 2 || !strings.Contains(mit.Mitigation, "secure element") {
		t.Errorf("mitigated refinement: %+v", mit)
	}
	rb := find(ts, "TM-rollback")
	if rb == nil || rb.Generated || rb.Category != "T" || rb.Target != (Target{Kind: ToElement, ID: "updater"}) ||
		rb.Severity.Score == nil || rb.Vector == "" || rb.Status != StatusMitigated {
		t.Errorf("manual CVSS v4 threat: %+v", rb)
	}
	cc := find(ts, "TM-cloud-commands")
	if cc == nil || cc.Severity.Rating != "High" || cc.Severity.Score != nil || cc.Target.Kind != ToFlow || cc.Status != StatusOpen {
		t.Errorf("manual threat: %+v", cc)
	}
}

func TestSummary(t *testing.T) {
	ts := Threats(example(t))
	s := Summarize(ts)
	if s.Total != len(ts) || s.ByStatus[StatusMitigated] != 2 || s.ByStatus[StatusAccepted] != 1 || s.ByStatus[StatusTransferred] != 2 {
		t.Errorf("summary %+v", s)
	}
	sum := 0
	for _, n := range s.BySeverity {
		sum += n
	}
	if sum != s.Total || s.Untested != 0 {
		t.Errorf("summary %+v", s)
	}
	high := s.Open("high")
	if len(high) == 0 {
		t.Fatal("no open high threats")
	}
	for i, th := range high {
		if th.Status != StatusOpen || ratingRank(th.Severity.Rating) < 3 {
			t.Errorf("Open(high) returned %s %s %s", th.ID, th.Status, th.Severity.Rating)
		}
		if i > 0 && ratingRank(high[i-1].Severity.Rating) < ratingRank(th.Severity.Rating) {
			t.Error("Open not most severe first")
		}
	}
	if all := s.Open(""); len(all) != s.ByStatus[StatusOpen] {
		t.Errorf("Open(\"\") = %d, want %d", len(all), s.ByStatus[StatusOpen])
	}
	if crit := s.Open("Critical"); len(crit) != 0 {
		t.Errorf("Open(Critical) = %v (the only critical one is refined to Medium)", crit)
	}
}

func TestUserRules(t *testing.T) {
	doc := head + `flows:
  - {id: f1, from: e2, to: e1, protocol: HTTP, data: [a1]}
rules:
  - id: http-plain
    title: "Plain HTTP from {from} to {to}: {data}"
    category: information_disclosure
    applies_to: flow
    when: {protocols: [http], confidentiality: high}
    severity: critical
    mitigation: Use HTTPS.
  - id: process-repudiation
    title: "Overridden: {name}"
    category: R
    applies_to: element
    kinds: [process]
    severity: medium
threats:
  - id: http-plain:f1
    status: mitigated
    tests: [T-1]
  - id: lib-rule:e1
    severity: low
`
	lib, err := LoadRules("lib.yaml", []byte("version: 1\nrules:\n  - {id: lib-rule, title: 'Lib {kind}', category: S, applies_to: element, severity: high}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("test.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), `unknown rule "lib-rule"`) {
		t.Errorf("without the library: %v", err)
	}
	m, err := Parse("test.yaml", []byte(doc), lib...)
	if err != nil {
		t.Fatal(err)
	}
	ts := Threats(m, lib...)
	h := find(ts, "http-plain:f1")
	if h == nil || h.Title != "Plain HTTP from User to Proc: Secret" || h.Category != "I" || h.Severity.Rating != "Critical" || h.Status != StatusMitigated {
		t.Errorf("user rule: %+v", h)
	}
	r := find(ts, "process-repudiation:e1")
	if r == nil || r.Title != "Overridden: Proc" || r.Severity.Rating != "Medium" {
		t.Errorf("overriding a built-in rule: %+v", r)
	}
	l := find(ts, "lib-rule:e1")
	if l == nil || l.Title != "Lib process" || l.Severity.Rating != "Low" || !l.Refined {
		t.Errorf("library rule: %+v", l)
	}
	if find(Threats(m), "lib-rule:e1") != nil {
		t.Error("library rule applied without being passed")
	}
}

func TestExpand(t *testing.T) {
	got := expand("{a} and {b} {unknown} {", map[string]string{"a": "x", "b": "{a}"})
	if got != "x and {a} {unknown} {" {
		t.Errorf("expand = %q", got)
	}
}

func TestBoundaryNesting(t *testing.T) {
	m := &Model{
		Boundaries: []Boundary{{ID: "outer"}, {ID: "inner", Parent: "outer"}, {ID: "other"}},
		Elements: []Element{{ID: "a", Kind: Process, Boundary: "outer"}, {ID: "b", Kind: Process, Boundary: "inner"},
			{ID: "c", Kind: Process, Boundary: "inner"}, {ID: "d", Kind: Process, Boundary: "other"}, {ID: "e", Kind: Process}},
		Flows: []Flow{{ID: "ab", From: "a", To: "b"}, {ID: "bc", From: "b", To: "c"}, {ID: "bd", From: "b", To: "d"}, {ID: "ea", From: "e", To: "a"}},
	}
	ix := buildIndex(m)
	want := map[string][]string{"ab": {"inner"}, "bc": nil, "bd": {"inner", "outer", "other"}, "ea": {"outer"}}
	for i := range m.Flows {
		f := &m.Flows[i]
		if got := ix.crossed(f); !slices.Equal(got, want[f.ID]) {
			t.Errorf("%s crosses %v, want %v", f.ID, got, want[f.ID])
		}
	}
}

func TestReviewDue(t *testing.T) {
	m := example(t)
	if last, ok := m.LastReview(); !ok || last.Format("2006-01-02") != "2026-03-02" {
		t.Errorf("LastReview = %v, %v", last, ok)
	}
	for _, c := range []struct {
		now  string
		want bool
	}{{"2026-06-01", false}, {"2027-03-02", false}, {"2027-03-03", true}} {
		now, _ := time.Parse(time.DateOnly, c.now)
		if got := m.ReviewDue(now); got != c.want {
			t.Errorf("ReviewDue(%s) = %v", c.now, got)
		}
	}
	if !(&Model{}).ReviewDue(time.Now()) {
		t.Error("a model never reviewed is due")
	}
}
