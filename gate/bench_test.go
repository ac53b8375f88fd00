package gate

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// bigInputs is a release of 5,000 components: 300 findings, 2,000 open
// results, 50 threats and a few exceptions.
func bigInputs() *Inputs {
	in := sampleInputs()
	in.SBOM.Components = 5000
	ratings := []string{"critical", "high", "medium", "low", "none", ""}
	decisions := []string{"", "affected", "not_affected", "fixed", "under_investigation"}
	in.Findings = nil
	for i := range 300 {
		in.Findings = append(in.Findings, Finding{
			VulnID: fmt.Sprintf("CVE-2025-%05d", (i*7919)%100000), Aliases: []string{fmt.Sprintf("GHSA-%04d-aaaa-bbbb", i)},
			Component: fmt.Sprintf("component-%04d", i*16), Version: "1.2.3", Purl: fmt.Sprintf("pkg:golang/example.com/c%d@1.2.3", i),
			Rating: ratings[i%len(ratings)], Score: float64(i%100) / 10, KEV: i%37 == 0, Decision: decisions[i%len(decisions)],
		})
	}
	in.ThreatModel.Threats = nil
	for i := range 50 {
		in.ThreatModel.Threats = append(in.ThreatModel.Threats, Threat{ID: fmt.Sprintf("T-%d", 50-i), Title: "threat", Rating: ratings[i%5], Status: []string{"open", "mitigated", ""}[i%3]})
	}
	in.Results.Open = nil
	for i := range 2000 {
		in.Results.Open = append(in.Results.Open, Result{Fingerprint: fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15), Tool: "semgrep",
			RuleID: fmt.Sprintf("rule-%d", i%40), Severity: []string{"error", "warning", "note", "high"}[i%4], Location: fmt.Sprintf("src/f%d.go:%d", i%300, i)})
	}
	for i := range 20 {
		in.Exceptions = append(in.Exceptions, Exception{ID: fmt.Sprintf("EX-%d", i), Check: CheckSAST, Subject: in.Results.Open[i*50].Fingerprint,
			Approver: "a", Reason: "r", Expires: now.Add(time.Duration(i-10) * 24 * time.Hour)})
	}
	return in
}

func BenchmarkEvaluate(b *testing.B) {
	p, in := DefaultPolicy(), bigInputs()
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(p, in)
	}
}

func BenchmarkWriteAll(b *testing.B) {
	d := Evaluate(nil, bigInputs())
	b.ReportAllocs()
	for b.Loop() {
		WriteText(io.Discard, d)
		WriteJSON(io.Discard, d)
		WriteJUnit(io.Discard, d)
		WriteSARIF(io.Discard, d)
	}
}

func TestBigInputs(t *testing.T) {
	in := bigInputs()
	d := Evaluate(nil, in)
	if d.Pass || d.Failures < 1000 {
		t.Fatalf("%d failures", d.Failures)
	}
	if err := Verify(nil, in, d); err != nil {
		t.Fatal(err)
	}
}
