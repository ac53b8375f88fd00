package results

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// generateSARIF writes a SARIF 2.1.0 log shaped like CodeQL's: one run,
// rules rules with descriptions, tags and security-severity, n results
// over 2,000 files with locations, partial fingerprints, a related
// location on every fourth result and a suppression on every 50th.
func generateSARIF(n, rules int) []byte {
	var b bytes.Buffer
	b.Grow(n * 900)
	b.WriteString(`{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL","organization":"GitHub","semanticVersion":"2.17.0","informationUri":"https://codeql.github.com","rules":[`)
	levels := []string{"error", "warning", "note"}
	for i := range rules {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"go/rule-%d","name":"go/rule-%d","shortDescription":{"text":"Rule %d finds a problem"},"fullDescription":{"text":"A longer description of rule %d, which explains what the problem is and why it matters for the security of the product."},"defaultConfiguration":{"enabled":true,"level":%q},"help":{"text":"# Rule %d\n\nHow to fix it.","markdown":"# Rule %d\n\nHow to fix it."},"properties":{"tags":["security","external/cwe/cwe-%d"],"kind":"path-problem","precision":"high","security-severity":"%.1f"}}`,
			i, i, i, i, levels[i%3], i, i, 20+i, float64(i%100)/10)
	}
	b.WriteString(`]}},"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///home/runner/work/app/app/"}},"artifacts":[`)
	const files = 2000
	for i := range files {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"location":{"uri":"pkg/module%d/file%d.go","uriBaseId":"%%SRCROOT%%","index":%d}}`, i%50, i, i)
	}
	b.WriteString(`],"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		rule := (i * 7) % rules
		file := i % files
		line := 10 + (i*13)%5000
		fmt.Fprintf(&b, `{"ruleId":"go/rule-%d","ruleIndex":%d,"rule":{"id":"go/rule-%d","index":%d},"level":%q,"message":{"text":"This value flows from [user input](1) to a sink at line %d without sanitisation (finding %d)."},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"pkg/module%d/file%d.go","uriBaseId":"%%SRCROOT%%","index":%d},"region":{"startLine":%d,"startColumn":%d,"endColumn":%d}}}],"partialFingerprints":{"primaryLocationLineHash":"%016x:1","primaryLocationStartColumnFingerprint":"%d"}`,
			rule, rule, rule, rule, levels[rule%3], line, i, file%50, file, file, line, 1+i%40, 20+i%40, uint64(i)*0x9e3779b97f4a7c15, i%40)
		if i%4 == 0 {
			fmt.Fprintf(&b, `,"relatedLocations":[{"id":1,"physicalLocation":{"artifactLocation":{"uri":"pkg/module%d/input.go","uriBaseId":"%%SRCROOT%%"},"region":{"startLine":%d,"startColumn":5,"endColumn":30}},"message":{"text":"user input"}}]`, file%50, line/2+1)
		}
		if i%50 == 0 {
			b.WriteString(`,"suppressions":[{"kind":"inSource","justification":"reviewed: not reachable"}]`)
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"columnKind":"utf16CodeUnits","properties":{"semmle.formatSpecifier":"sarifv2.1.0"}}]}`)
	return b.Bytes()
}

func TestGenerated(t *testing.T) {
	data := generateSARIF(3000, 200)
	rep, err := Decode("gen.sarif", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3000 {
		t.Fatalf("results: %d", len(rep.Results))
	}
	for _, w := range rep.Warnings {
		t.Errorf("warning on generated SARIF: %s", w)
	}
	r := rep.Results[0]
	if r.URI != "file:///home/runner/work/app/app/pkg/module0/file0.go" || r.Location != r.URI+":10:1" || !r.Suppressed || r.Justification != "reviewed: not reachable" || r.RuleID != "go/rule-0" || r.Severity != SeverityInfo {
		t.Errorf("first result: %+v", r)
	}
	if r := rep.Results[1]; r.Severity != SeverityLow || r.RuleName != "go/rule-7" { // security-severity 0.7
		t.Errorf("second result: %+v", r)
	}
}

// TestPeakMemory50k logs the time and heap a 50,000-result log takes to
// decode. It asserts nothing about time (machines differ); the heap
// figure is what cradle's 500 MB budget is about.
func TestPeakMemory50k(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := generateSARIF(50_000, 200)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	// Sample the heap while decoding: ReadMemStats after the fact only
	// shows what is still live.
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	rep, err := Decode("gen.sarif", data)
	elapsed := time.Since(start)
	close(done)
	top := <-peak
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("50,000 results, %.1f MB of SARIF: decoded in %v; heap before %.1f MB, peak %.1f MB (sampled every 5 ms), total allocated %.1f MB, live after %.1f MB",
		float64(len(data))/1e6, elapsed, mb(before.HeapAlloc), mb(top), mb(after.TotalAlloc-before.TotalAlloc), mb(after.HeapAlloc))
	if len(rep.Results) != 50_000 {
		t.Fatalf("results: %d", len(rep.Results))
	}
	runtime.KeepAlive(data)
}

func mb(n uint64) float64 { return float64(n) / 1e6 }

func BenchmarkDecode50k(b *testing.B) {
	data := generateSARIF(50_000, 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decode("gen.sarif", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "input-bytes")
}

func BenchmarkDecodeJUnit(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`<testsuites>`)
	for s := range 100 {
		fmt.Fprintf(&buf, `<testsuite name="pkg%d" tests="100">`, s)
		for c := range 100 {
			fmt.Fprintf(&buf, `<testcase classname="pkg%d" name="Test%d" time="0.01">`, s, c)
			if c%10 == 0 {
				buf.WriteString(`<failure message="boom" type="assert">stack ` + strconv.Itoa(c) + `</failure>`)
			}
			buf.WriteString(`</testcase>`)
		}
		buf.WriteString(`</testsuite>`)
	}
	buf.WriteString(`</testsuites>`)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode("junit.xml", data); err != nil {
			b.Fatal(err)
		}
	}
}
