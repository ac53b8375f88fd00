package threatmodel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cradle-sdl/cradle"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(head))
	f.Add([]byte(head + "flows:\n  - &x {id: f1, from: e2, to: e1}\n  - *x\n"))
	f.Add([]byte(head + "rules:\n  - {id: r, title: '{name}', category: S, applies_to: flow, when: {crosses_boundary: true}, severity: low}\n"))
	f.Add([]byte(strings.Replace(head, "parent: b1", "parent: b2", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Parse and the rest took %v on %d bytes", d, len(data))
			}
		}()
		m, err := Parse("fuzz.yaml", data)
		if err != nil {
			if code := cradle.ErrorCode(err); code != cradle.EInvalid && code != cradle.ETooLarge {
				t.Fatalf("error code %q: %v", code, err)
			}
			return
		}
		ts := Threats(m)
		Summarize(ts).Open("high")
		if m.Hash() == "" {
			t.Fatal("empty hash")
		}
		if d := Compare(m, m); !d.Empty() {
			t.Fatalf("model differs from itself: %s", d)
		}
		dec := xml.NewDecoder(bytes.NewReader(Diagram(m)))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("diagram is not XML: %v", err)
			}
		}
	})
}

// generated returns a model of n elements and 2n flows in ten boundaries,
// some nested, with an interface every tenth element.
func generated(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nproduct: {name: Generated}\nassets:\n")
	levels := []string{"low", "medium", "high"}
	for i := range 5 {
		fmt.Fprintf(&b, "  - {id: a%d, name: Asset %d, confidentiality: %s, integrity: %s, availability: %s}\n", i, i, levels[i%3], levels[(i+1)%3], levels[(i+2)%3])
	}
	b.WriteString("boundaries:\n")
	for i := range 10 {
		parent := ""
		if i%3 == 2 {
			parent = fmt.Sprintf(", parent: b%d", i-1)
		}
		fmt.Fprintf(&b, "  - {id: b%d, name: Boundary %d%s}\n", i, i, parent)
	}
	b.WriteString("elements:\n")
	kinds := []string{Process, Process, Datastore, ExternalEntity}
	for i := range n {
		fmt.Fprintf(&b, "  - id: e%d\n    kind: %s\n    name: Element %d\n    boundary: b%d\n    assets: [a%d]\n", i, kinds[i%4], i, i%10, i%5)
	}
	b.WriteString("interfaces:\n")
	for i := 0; i < n; i += 10 {
		fmt.Fprintf(&b, "  - {id: i%d, element: e%d, kind: %s, debug: %t, disabled_in_production: %t}\n", i, i, []string{"jtag", "uart", "usb"}[i%3], i%3 != 2, i%4 == 0)
	}
	b.WriteString("flows:\n")
	for i := range 2 * n {
		from, to := i%n, (i*7+1)%n
		if from == to {
			to = (to + 1) % n
		}
		fmt.Fprintf(&b, "  - id: f%d\n    from: e%d\n    to: e%d\n    protocol: P%d\n    data: [a%d]\n    authenticated: %t\n    encrypted: %t\n", i, from, to, i%5, i%5, i%2 == 0, i%3 == 0)
	}
	b.WriteString("threats:\n")
	for i := range 50 {
		fmt.Fprintf(&b, "  - {id: t%d, title: Manual %d, category: T, severity: high, status: accepted, rationale: fine}\n", i, i)
	}
	return []byte(b.String())
}

func BenchmarkParseThreats(b *testing.B) {
	data := generated(500)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse("gen.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		if ts := Threats(m); len(ts) == 0 {
			b.Fatal("no threats")
		}
	}
}

func BenchmarkDiagram(b *testing.B) {
	m, err := Parse("gen.yaml", generated(500))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Diagram(m)
	}
}

func TestGeneratedModel(t *testing.T) {
	m, err := Parse("gen.yaml", generated(500))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Elements) != 500 || len(m.Flows) != 1000 {
		t.Fatalf("%d elements, %d flows", len(m.Elements), len(m.Flows))
	}
	t.Logf("%d threats", len(Threats(m)))
}
