package threatmodel

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	data := readExample(t)
	old := example(t)
	if d := Compare(old, example(t)); !d.Empty() || d.String() != "no changes\n" {
		t.Errorf("identical models differ:\n%s", d)
	}
	// Release 1.1: the web UI talks to the config store unencrypted as
	// before, but the agent ↔ broker link loses TLS, a flow and an asset
	// are added, an interface removed, a threat mitigated.
	s := string(data)
	s = strings.Replace(s, "  version: \"1.0\"", "  version: \"1.1\"", 1)
	s = strings.Replace(s, "    protocol: MQTT over TLS\n    data: [telemetry]\n    authenticated: true\n    encrypted: true",
		"    protocol: MQTT\n    data: [telemetry]\n    authenticated: true\n    encrypted: false", 1)
	s = strings.Replace(s, "  - id: usb-service\n    element: webui\n    kind: usb\n    name: USB service port\n    description: Accepts configuration backups.\n", "", 1)
	s = strings.Replace(s, "assets:\n", "assets:\n  - id: logs\n    name: Audit log\n    integrity: high\n", 1)
	s = strings.Replace(s, "flows:\n", "flows:\n  - {id: f-webui-buffer, from: webui, to: buffer, protocol: file, data: [telemetry]}\n", 1)
	s = strings.Replace(s, "    mitigation: Release builds disable", "    status: mitigated\n    tests: [TEST-UART-LOCK]\n    mitigation: Release builds disable", 1)
	m2, err := Parse("gateway-1.1.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(old, m2)
	text := d.String()
	for _, want := range []string{
		"~ product product\n    version: 1.0 → 1.1\n",
		"+ asset logs\n",
		"- interface usb-service\n",
		"+ flow f-webui-buffer\n",
		"~ flow f-agent-broker\n    protocol: MQTT over TLS → MQTT\n    encrypted: true → false\n",
		"+ threat flow-cleartext-crossing:f-agent-broker\n",
		"- threat port-malicious-device:usb-service\n",
		"~ threat debug-enabled-eop:uart-console\n    status: open → mitigated\n    tests: (none) → TEST-UART-LOCK\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	if d.Empty() {
		t.Error("Empty() on a non-empty diff")
	}
	if d := Compare(nil, old); len(d.Changes) == 0 || d.Changes[1].Op != Added {
		t.Errorf("diff from nothing: %v", d.Changes[:2])
	}
}

func TestHash(t *testing.T) {
	a := example(t)
	h := a.Hash()
	if len(h) != 64 || h != example(t).Hash() {
		t.Fatalf("hash %q not stable", h)
	}
	// Reformatted, reordered, commented: the same model.
	s := string(readExample(t))
	s = "# a comment\n" + strings.Replace(s, "data: [config, credentials]", "data: [credentials, config]", 1)
	s = strings.Replace(s, "    authenticated: true\n    encrypted: true\n    bidirectional: true", "    bidirectional: true\n    encrypted: true\n    authenticated: true", 1)
	b, err := Parse("other-name.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if b.Hash() != h {
		t.Error("hash depends on formatting or order")
	}
	b.Flows[0].Encrypted = false
	if b.Hash() == h {
		t.Error("hash ignores a change")
	}
	var nilModel *Model
	if nilModel.Hash() != "" {
		t.Error("nil model hash")
	}
}

func checkXML(t *testing.T, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		case xml.StartElement:
			switch tok.Name.Local {
			case "script", "foreignObject", "image", "use", "a":
				t.Errorf("unexpected element <%s>", tok.Name.Local)
			}
			for _, a := range tok.Attr {
				if a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("unexpected attribute %s", a.Name.Local)
				}
			}
		}
	}
	return text.String()
}

func TestDiagram(t *testing.T) {
	m := example(t)
	svg := Diagram(m)
	text := checkXML(t, svg)
	for _, e := range m.Elements {
		if !strings.Contains(text, e.Name) {
			t.Errorf("element %q missing", e.Name)
		}
	}
	for _, b := range m.Boundaries {
		if !strings.Contains(text, b.Name) {
			t.Errorf("boundary %q missing", b.Name)
		}
	}
	for _, f := range m.Flows {
		if !strings.Contains(text, f.Protocol) || !strings.Contains(text, "flow "+f.ID+":") {
			t.Errorf("flow %s (%s) missing", f.ID, f.Protocol)
		}
	}
	if !strings.Contains(text, "⚠ uart: UART console [ENABLED]") {
		t.Error("debug interface not marked")
	}
	for _, attr := range []string{`width="`, `height="`, `viewBox="0 0 `, `marker-end="url(#arrow)"`, `stroke-dasharray`} {
		if !bytes.Contains(svg, []byte(attr)) {
			t.Errorf("no %s", attr)
		}
	}
	if !bytes.Equal(svg, Diagram(example(t))) {
		t.Error("diagram not deterministic")
	}
}

func TestDiagramHostile(t *testing.T) {
	evil := `<script>alert(1)</script>&"'` + "\x00\x1b]"
	m := &Model{
		Product:    Product{Name: evil},
		Boundaries: []Boundary{{ID: "b", Name: evil, Description: evil}, {ID: "c1", Parent: "c2"}, {ID: "c2", Parent: "c1"}},
		Elements: []Element{{ID: "x", Kind: Process, Name: evil, Boundary: "b"}, {ID: "y", Kind: "weird", Name: "]]>", Boundary: "c1"},
			{ID: "z", Kind: Datastore, Name: "z", Boundary: "missing"}},
		Interfaces: []Interface{{ID: "i", Element: "x", Kind: "jtag", Name: evil, Debug: true}},
		Flows:      []Flow{{ID: "f", From: "x", To: "y", Protocol: evil}, {ID: "g", From: "x", To: "x"}, {ID: "h", From: "x", To: "nowhere"}},
	}
	svg := Diagram(m)
	text := checkXML(t, svg)
	if bytes.Contains(svg, []byte("<script")) {
		t.Error("unescaped markup")
	}
	if !strings.Contains(text, "<script>alert(1)</script>&\"'") || !strings.Contains(text, "]]>") {
		t.Errorf("hostile names not rendered as text:\n%s", text)
	}
	checkXML(t, Diagram(nil))
	checkXML(t, Diagram(&Model{}))
}

// TestDiagramLarge: twenty elements in three boundaries stay apart.
func TestDiagramLarge(t *testing.T) {
	m := &Model{Boundaries: []Boundary{{ID: "b0", Name: "Zero"}, {ID: "b1", Name: "One", Parent: "b0"}, {ID: "b2", Name: "Two"}}}
	for i := range 20 {
		m.Elements = append(m.Elements, Element{ID: fmt.Sprintf("e%d", i), Kind: []string{Process, Datastore, ExternalEntity}[i%3],
			Name: fmt.Sprintf("Element number %d", i), Boundary: []string{"", "b0", "b1", "b2"}[i%4]})
		if i > 0 {
			m.Flows = append(m.Flows, Flow{ID: fmt.Sprintf("f%d", i), From: fmt.Sprintf("e%d", i-1), To: fmt.Sprintf("e%d", i), Protocol: fmt.Sprintf("P%d", i)})
		}
	}
	svg := Diagram(m)
	text := checkXML(t, svg)
	for _, e := range m.Elements {
		if !strings.Contains(text, e.Name) {
			t.Errorf("%s missing", e.Name)
		}
	}
	// No two element shapes overlap.
	dg := render(m).centers
	for a, pa := range dg {
		for b, pb := range dg {
			if a < b && abs(pa.x-pb.x) < nodeW && abs(pa.y-pb.y) < nodeH {
				t.Errorf("%s and %s overlap", a, b)
			}
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
