package cvss

import (
	"fmt"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
)

// group is a metric group. v2.0 and v3.x have Temporal metrics; v4.0 has
// Threat and Supplemental metrics instead.
type group uint8

const (
	groupBase group = iota
	groupTemporal
	groupThreat
	groupEnvironmental
	groupSupplemental
)

// metric is one metric of a version's vector string.
type metric struct {
	name  string
	title string
	group group
	// values are the allowed values in the specification's order. For
	// metrics outside the base group values[0] is Not Defined ("X", or
	// "ND" in v2.0), which scores as if the metric were absent.
	values []string
}

// spec is one version's vector grammar: its metrics in the order of the
// specification's table, which is also the canonical order.
type spec struct {
	version Version
	prefix  string // "CVSS:3.1/"; empty for v2.0
	metrics []metric
	ordered bool // metrics must appear in table order
	index   map[string]int
}

// maxMetrics is the number of metrics of the largest version (v4.0).
const maxMetrics = 32

// maxLen bounds the input: the longest valid vector, v4.0 with every metric
// at its longest value, is 178 bytes (TestMaxLen).
const maxLen = 1024

// maxProblems is how many problems a rejection reports before giving up.
const maxProblems = 10

func newSpec(v Version, prefix string, ordered bool, metrics []metric) *spec {
	s := &spec{version: v, prefix: prefix, metrics: metrics, ordered: ordered, index: map[string]int{}}
	for i, m := range metrics {
		s.index[m.name] = i
	}
	return s
}

// vec is a parsed vector: for each metric of its spec, 0 when absent, or
// 1 + the index of its value.
type vec struct {
	spec    *spec
	version Version
	vals    [maxMetrics]uint8
}

// value returns the value of metric i, or "" when absent.
func (v *vec) value(i int) string {
	if v.vals[i] == 0 {
		return ""
	}
	return v.spec.metrics[i].values[v.vals[i]-1]
}

// defined reports whether metric i has a value other than Not Defined.
func (v *vec) defined(i int) bool {
	if v.spec.metrics[i].group == groupBase {
		return v.vals[i] != 0
	}
	return v.vals[i] > 1
}

// defines reports whether the vector gives any metric of group g a value
// other than Not Defined.
func (v *vec) defines(g group) bool {
	for i, m := range v.spec.metrics {
		if m.group == g && v.defined(i) {
			return true
		}
	}
	return false
}

// clear removes the metrics of group g.
func (v *vec) clear(g group) {
	for i, m := range v.spec.metrics {
		if m.group == g {
			v.vals[i] = 0
		}
	}
}

// String returns the canonical vector: see Score.Vector.
func (v *vec) String() string {
	var b strings.Builder
	b.WriteString(v.spec.prefix)
	first := true // the prefix, if any, ends with "/"
	for i, m := range v.spec.metrics {
		if !v.defined(i) {
			continue
		}
		if !first {
			b.WriteByte('/')
		}
		first = false
		b.WriteString(m.name)
		b.WriteByte(':')
		b.WriteString(v.value(i))
	}
	return b.String()
}

// parser collects the problems of one vector.
type parser struct {
	in       string
	version  Version // "" until the prefix is known
	problems []cradle.Problem
}

// add records a problem and reports whether there is room for more.
func (p *parser) add(loc, format string, args ...any) bool {
	p.problems = append(p.problems, cradle.Problem{Location: loc, Message: fmt.Sprintf(format, args...)})
	return len(p.problems) < maxProblems
}

func (p *parser) err() error {
	msg := "invalid CVSS vector"
	if p.version != "" {
		msg = "invalid CVSS v" + string(p.version) + " vector"
	}
	return cradle.Invalid(msg, p.problems...)
}

func offset(n int) string { return fmt.Sprintf("offset %d", n) }

func parse(in string) (*vec, error) {
	p := &parser{in: in}
	if in == "" {
		p.add(offset(0), "empty vector")
		return nil, p.err()
	}
	if len(in) > maxLen {
		p.add(offset(maxLen), "vector is %d bytes long; no valid CVSS vector is longer than %d", len(in), maxLen)
		return nil, p.err()
	}
	for i, r := range in {
		if r <= ' ' || r >= 0x7f {
			p.add(offset(i), "unexpected %q: a CVSS vector is printable ASCII without spaces", r)
			return nil, p.err()
		}
	}
	s, body, at := p.prefix()
	if s == nil {
		return nil, p.err()
	}
	p.version = s.version
	if body == "" {
		if s.prefix == "" {
			p.add(offset(at), "no metrics between the parentheses")
		} else {
			p.add(offset(at), "no metrics after the %q prefix", strings.TrimSuffix(s.prefix, "/"))
		}
		return nil, p.err()
	}
	v := &vec{spec: s, version: s.version}
	if !p.fields(v, body, at) {
		return nil, p.err()
	}
	for i, m := range s.metrics {
		if m.group == groupBase && v.vals[i] == 0 {
			if !p.add(m.name, "missing base metric %s (%s)", m.name, m.title) {
				break
			}
		}
	}
	if len(p.problems) > 0 {
		return nil, p.err()
	}
	return v, nil
}

// prefix detects the version and returns its spec, the metrics part of the
// input and the offset where it starts; a nil spec when the prefix is wrong.
func (p *parser) prefix() (s *spec, body string, at int) {
	in := p.in
	if strings.HasPrefix(in, "CVSS:") {
		end := strings.IndexByte(in, '/')
		if end < 0 {
			end = len(in)
		}
		switch ver := in[len("CVSS:"):end]; ver {
		case "3.0":
			s = spec30
		case "3.1":
			s = spec31
		case "4.0":
			s = spec40
		case "2.0", "2":
			p.add(offset(0), "a CVSS v2.0 vector has no prefix: write it without %q", in[:end])
			return nil, "", 0
		default:
			p.add(offset(len("CVSS:")), "unknown CVSS version %q: expected 3.0, 3.1 or 4.0 (a CVSS v2.0 vector has no prefix)", ver)
			return nil, "", 0
		}
		if end == len(in) {
			return s, "", end
		}
		return s, in[end+1:], end + 1
	}
	if len(in) >= 4 && strings.EqualFold(in[:4], "CVSS") {
		p.add(offset(0), `a CVSS v3 or v4 vector must start with "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/" exactly`)
		return nil, "", 0
	}
	if in[0] == '(' {
		if in[len(in)-1] != ')' || len(in) == 1 {
			p.add(offset(len(in)), `missing ")" to close the "(" at offset 0`)
			return nil, "", 0
		}
		if strings.HasPrefix(in[1:], "CVSS:") {
			p.add(offset(0), "only CVSS v2.0 vectors may be wrapped in parentheses")
			return nil, "", 0
		}
		return spec20, in[1 : len(in)-1], 1
	}
	return spec20, in, 0
}

// fields parses the "/"-separated metrics of body, which starts at offset
// at of the input, into v. It reports whether to go on checking.
func (p *parser) fields(v *vec, body string, at int) bool {
	var seenAt [maxMetrics]int
	last := -1 // index of the previous metric, for the order check
	for off := at; ; {
		end := strings.IndexByte(body, '/')
		field := body
		if end >= 0 {
			field = body[:end]
		}
		if !p.field(v, field, off, &seenAt, &last) {
			return false
		}
		if end < 0 {
			break
		}
		body = body[end+1:]
		off += end + 1
		if body == "" {
			return p.add(offset(off-1), `trailing "/"`)
		}
	}
	return true
}

// field parses one METRIC:VALUE at offset off.
func (p *parser) field(v *vec, field string, off int, seenAt *[maxMetrics]int, last *int) bool {
	s := v.spec
	if field == "" {
		return p.add(offset(off), `empty metric: expected METRIC:VALUE before "/"`)
	}
	colon := strings.IndexByte(field, ':')
	if colon < 0 {
		return p.add(offset(off), "expected METRIC:VALUE, found %q", field)
	}
	name, value := field[:colon], field[colon+1:]
	i, ok := s.index[name]
	if !ok {
		hint := ""
		_, v3 := spec31.index[name]
		_, v4 := spec40.index[name]
		if s.version == V20 && (v3 || v4) {
			hint = ` (a CVSS v3 or v4 vector must start with "CVSS:3.1/" or "CVSS:4.0/")`
		}
		return p.add(offset(off), "unknown CVSS v%s metric %q%s", s.version, name, hint)
	}
	m := s.metrics[i]
	if v.vals[i] != 0 {
		return p.add(name, "%s appears twice, at offsets %d and %d", name, seenAt[i], off)
	}
	j := indexOf(m.values, value)
	if j < 0 {
		if value == "" {
			return p.add(name, "%s at offset %d has no value: expected one of %s", name, off, strings.Join(m.values, ", "))
		}
		return p.add(name, "%s:%s at offset %d: the value must be one of %s", name, value, off, strings.Join(m.values, ", "))
	}
	if s.ordered && i < *last {
		if !p.add(name, "%s at offset %d must come before %s: CVSS v%s metrics must follow the order of the specification", name, off, s.metrics[*last].name, s.version) {
			return false
		}
	}
	v.vals[i] = uint8(j + 1)
	seenAt[i] = off
	*last = max(*last, i)
	return true
}

func indexOf(values []string, v string) int {
	for i, x := range values {
		if x == v {
			return i
		}
	}
	return -1
}
