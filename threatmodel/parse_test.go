package threatmodel

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cradle-sdl/cradle"
)

func readExample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func example(t testing.TB) *Model {
	t.Helper()
	m, err := Parse("gateway.yaml", readExample(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParseExample(t *testing.T) {
	m := example(t)
	if m.Product.Name != "Acme IG-200 gateway" || len(m.Elements) != 10 || len(m.Flows) != 10 || len(m.Boundaries) != 3 || len(m.Interfaces) != 4 {
		t.Errorf("unexpected model: %q, %d elements, %d flows, %d boundaries, %d interfaces",
			m.Product.Name, len(m.Elements), len(m.Flows), len(m.Boundaries), len(m.Interfaces))
	}
	if len(m.Reviews) != 1 || m.Reviews[0].Date != "2026-03-02" {
		t.Errorf("reviews = %+v", m.Reviews)
	}
}

func TestBuiltinRulesValid(t *testing.T) {
	if _, err := LoadRules("rules.yaml", builtinYAML); err != nil {
		t.Fatal(err)
	}
	if len(BuiltinRules()) < 15 {
		t.Errorf("only %d built-in rules", len(BuiltinRules()))
	}
}

// head is a valid start of a model the error cases build on; its lines are
// 1 to 22.
const head = `version: 1
product:
  name: P
assets:
  - id: a1
    name: Secret
    confidentiality: high
boundaries:
  - id: b1
    name: Inside
  - id: b2
    name: Nested
    parent: b1
elements:
  - id: e1
    kind: process
    name: Proc
    boundary: b2
  - id: e2
    kind: external_entity
    name: User
`

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []string // "line:col message-substring"
	}{
		{"unknown key", head + "    colour: red\n", []string{"22:5 unknown field \"colour\""}},
		{"unknown top-level key", head + "flow:\n  - id: x\n", []string{"22:1 unknown field \"flow\""}},
		{"wrong type bool", head + "flows:\n  - id: f1\n    from: e2\n    to: e1\n    encrypted: yes\n", []string{"26:16 flows[0].encrypted: expected true or false"}},
		{"wrong type list", head + "flows:\n  - id: f1\n    from: e2\n    to: e1\n    data: a1\n", []string{"26:11 expected a list, found a string"}},
		{"duplicate key", head + "    name: Again\n", []string{"22:5 mapping key \"name\" already defined"}},
		{"version missing", strings.Replace(head, "version: 1\n", "", 1), []string{"1:1 expected version: 1, found none"}},
		{"version 2", strings.Replace(head, "version: 1", "version: 2", 1), []string{"1:10 expected version: 1, found \"2\""}},
		{"version float", strings.Replace(head, "version: 1", "version: 1.5", 1), []string{"1:10 expected version: 1"}},
		{"product name", strings.Replace(head, "  name: P\n", "  description: x\n", 1), []string{"3:3 expected product.name"}},
		{"duplicate id across sections", head + "flows:\n  - id: a1\n    from: e2\n    to: e1\n", []string{"23:9 duplicate id \"a1\": already used at test.yaml:5:9"}},
		{"bad id", head + "flows:\n  - id: 'has space'\n    from: e2\n    to: e1\n", []string{"23:9 expected an id of letters"}},
		{"missing id", head + "flows:\n  - from: e2\n    to: e1\n", []string{"23:5 expected an id"}},
		{"unknown from/to", head + "flows:\n  - id: f1\n    from: nope\n    to: b1\n", []string{
			"24:11 unknown element \"nope\"", "25:9 unknown element \"b1\" (it is the ID of a boundary)"}},
		{"missing from", head + "flows:\n  - id: f1\n    to: e1\n", []string{"23:5 expected from"}},
		{"self flow", head + "flows:\n  - id: f1\n    from: e1\n    to: e1\n", []string{"25:9 goes from element \"e1\" to itself"}},
		{"unknown data asset", head + "flows:\n  - id: f1\n    from: e2\n    to: e1\n    data: [a1, a9]\n", []string{"26:16 unknown asset \"a9\""}},
		{"element boundary", strings.Replace(head, "boundary: b2", "boundary: b9", 1), []string{"18:15 unknown boundary \"b9\""}},
		{"element kind", strings.Replace(head, "kind: process", "kind: service", 1), []string{"16:11 expected kind process, datastore or external_entity, found \"service\""}},
		{"element asset", head + "    assets: [zz]\n", []string{"22:14 unknown asset \"zz\""}},
		{"asset level", strings.Replace(head, "confidentiality: high", "confidentiality: very", 1), []string{"7:22 expected none, low, medium or high"}},
		{"boundary parent", strings.Replace(head, "parent: b1", "parent: bx", 1), []string{"13:13 unknown boundary \"bx\""}},
		{"boundary self parent", strings.Replace(head, "parent: b1", "parent: b2", 1), []string{"13:13 cannot be its own parent"}},
		{"boundary cycle", strings.Replace(head, "    name: Inside\n", "    name: Inside\n    parent: b2\n", 1), []string{"11:13 boundaries nest in a cycle: b1 → b2 → b1"}},
		{"interface element", head + "interfaces:\n  - id: i1\n    element: e9\n    kind: jtag\n", []string{"24:14 unknown element \"e9\""}},
		{"interface kind", head + "interfaces:\n  - id: i1\n    element: e1\n    kind: hdmi\n", []string{"25:11 expected kind jtag|"}},
		{"interface no element", head + "interfaces:\n  - id: i1\n    kind: jtag\n", []string{"23:5 expected element"}},
		{"cvss invalid", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    cvss: CVSS:3.1/AV:X\n", []string{"26:11 invalid CVSS v3.1 vector"}},
		{"cvss v2", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    cvss: AV:N/AC:L/Au:N/C:P/I:P/A:P\n", []string{"26:11 expected a CVSS v3.0, v3.1 or v4.0 vector, found a v2.0"}},
		{"both severities", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", []string{"26:15 give either cvss or severity"}},
		{"severity enum", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: huge\n", []string{"26:15 expected severity low, medium, high or critical, found \"huge\""}},
		{"manual needs title/category/severity", head + "threats:\n  - id: t1\n", []string{"23:5 expected a title", "23:5 expected a category", "23:5 expected cvss"}},
		{"category enum", head + "threats:\n  - id: t1\n    title: T\n    category: X\n    severity: low\n", []string{"25:15 expected a STRIDE category"}},
		{"status enum", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    status: done\n", []string{"27:13 expected status open, mitigated, accepted or transferred"}},
		{"accepted needs rationale", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    status: accepted\n", []string{"27:13 needs a rationale"}},
		{"transferred needs to", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    status: transferred\n    rationale: r\n", []string{"27:13 needs to: who"}},
		{"to without transfer", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    to: x\n", []string{"27:9 to is only for transferred"}},
		{"manual target", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    target: nowhere\n", []string{"27:13 unknown target \"nowhere\""}},
		{"refine unknown rule", head + "threats:\n  - id: no-rule:e1\n", []string{"23:9 unknown rule \"no-rule\""}},
		{"refine unknown target", head + "threats:\n  - id: process-eop-exposed:e9\n", []string{"23:9 unknown target \"e9\""}},
		{"refine stale", head + "threats:\n  - id: process-eop-exposed:e1\n", []string{"23:9 rule \"process-eop-exposed\" generates no threat for \"e1\""}},
		{"refine category", head + "flows:\n  - id: f1\n    from: e2\n    to: e1\nthreats:\n  - id: process-eop-exposed:e1\n    category: S\n", []string{"28:15 the category of a generated threat is its rule's (E)"}},
		{"empty test name", head + "threats:\n  - id: t1\n    title: T\n    category: S\n    severity: low\n    tests: ['']\n", []string{"27:13 expected a test ID"}},
		{"review date", head + "reviews:\n  - date: 2026-13-01\n    by: me\n", []string{"23:11 expected a date as YYYY-MM-DD"}},
		{"rule errors", head + "rules:\n  - id: r1\n    title: T\n    category: Q\n    applies_to: element\n    kinds: [router]\n    when: {encrypted: false}\n    severity: grave\n", []string{
			"25:15 expected a STRIDE category", "29:15 expected severity low", "27:13 expected one of process", "28:23 condition encrypted does not apply to element rules"}},
		{"rule applies_to", head + "rules:\n  - id: r1\n    title: T\n    category: S\n    applies_to: thing\n    severity: low\n", []string{"26:17 expected applies_to element, flow or interface"}},
		{"duplicate rule", head + "rules:\n  - {id: r1, title: T, category: S, applies_to: flow, severity: low}\n  - {id: r1, title: T, category: S, applies_to: flow, severity: low}\n", []string{"24:10 duplicate rule id \"r1\""}},
		{"alias", head + "flows:\n  - &x {id: f1, from: e2, to: e1}\n  - *x\n", []string{"23:5 anchors (&name) are not supported", "24:5 aliases (*name) are not supported"}},
		{"merge key", head + "flows:\n  - {id: f1, from: e2, to: e1}\n  - <<: {id: f2}\n", []string{"24:5 merge keys (<<) are not supported"}},
		{"tag", head + "flows:\n  - id: !!str f1\n    from: e2\n    to: e1\n", []string{"23:9 tags (!!type) are not supported"}},
		{"two documents", head + "---\nversion: 1\n", []string{"23:1 expected a single YAML document"}},
		{"empty", "", []string{"1:1 found an empty document"}},
		{"comment only", "# nothing\n", []string{"1:1 found an empty document"}},
		{"not a mapping", "- a\n- b\n", []string{"1:1 expected a mapping"}},
		{"syntax", "version: 1\nproduct: {name: P\n", []string{"test.yaml:"}},
		{"deep flow nesting", "version: 1\nproduct: " + strings.Repeat("[", 100), []string{"2:74 expected brackets nested at most 64 deep"}},
		{"deep indentation", "version: 1\n" + strings.Repeat(" ", 300) + "x: 1\n", []string{"2:301 expected at most 200 columns of indentation"}},
		{"compact nesting", "version: 1\nproduct:\n" + strings.Repeat("- ", 50) + "x\n", []string{"3:1 expected at most 40 nested list entries"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse("test.yaml", []byte(c.doc))
			if err == nil {
				t.Fatalf("no error; model %+v", m)
			}
			if code := cradle.ErrorCode(err); code != cradle.EInvalid {
				t.Errorf("code %q, want invalid", code)
			}
			ps := cradle.ErrorProblems(err)
			for _, w := range c.want {
				loc, msg, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(loc, "test.yaml") {
					loc = "test.yaml:" + loc
				}
				found := false
				for _, p := range ps {
					if (p.Location == loc || strings.HasPrefix(w, "test.yaml:") && strings.HasPrefix(p.Location, "test.yaml:")) && strings.Contains(p.Message, msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("want problem %q, got:\n%s", w, problems(ps))
				}
			}
		})
	}
}

func problems(ps []cradle.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}

// TestParseCollectsAll checks that validation reports every defect at once.
func TestParseCollectsAll(t *testing.T) {
	doc := head + "flows:\n  - id: f1\n    from: nope\n    to: e1\n  - id: f2\n    from: e1\n    to: e1\n    data: [zz]\n"
	_, err := Parse("test.yaml", []byte(doc))
	if n := len(cradle.ErrorProblems(err)); n != 3 {
		t.Errorf("%d problems, want 3: %v", n, err)
	}
}

func TestParseLimits(t *testing.T) {
	big := append([]byte(head+"# "), make([]byte, MaxSize)...)
	if _, err := Parse("big.yaml", big); cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("oversized document: %v", err)
	}
	var b strings.Builder
	b.WriteString(head + "flows:\n")
	for i := range MaxItems + 1 {
		fmt.Fprintf(&b, "  - {id: f%d, from: e2, to: e1}\n", i)
	}
	if _, err := Parse("many.yaml", []byte(b.String())); cradle.ErrorCode(err) != cradle.ETooLarge {
		t.Errorf("too many items: %v", err)
	}
}

// TestAliasBomb: a billion-laughs document is rejected quickly.
func TestAliasBomb(t *testing.T) {
	doc := "version: 1\nproduct: {name: P}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i < 10; i++ {
		doc += fmt.Sprintf("x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	doc += "assets: *a9\n"
	_, err := Parse("bomb.yaml", []byte(doc))
	if cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("alias bomb: %v", err)
	}
}

func TestLoadRules(t *testing.T) {
	rs, err := LoadRules("lib.yaml", []byte("version: 1\nrules:\n  - id: http-plain\n    title: Plain HTTP on {name}\n    category: information_disclosure\n    applies_to: flow\n    when: {protocols: [http]}\n    severity: medium\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Category != "I" {
		t.Errorf("rules = %+v", rs)
	}
	_, err = LoadRules("lib.yaml", []byte("rules: []\n"))
	if ps := cradle.ErrorProblems(err); len(ps) != 1 || ps[0].Location != "lib.yaml:1:1" {
		t.Errorf("missing version: %v", err)
	}
}
