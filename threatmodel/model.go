package threatmodel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// Limits on the documents Parse and LoadRules accept.
const (
	// MaxSize is the largest document accepted, in bytes.
	MaxSize = 4 << 20
	// MaxItems is the most items (assets, boundaries, elements, interfaces,
	// flows, threats, rules and reviews together) a document may hold.
	MaxItems = 10000
	// maxIndent, maxCompact and maxFlowDepth bound the nesting of a
	// document before the YAML parser sees it: its cost grows with the
	// square of the nesting depth, and a threat model needs a handful of
	// levels.
	// maxEntries bounds the list entries of a document, items and
	// references (flow data, element assets, tests, ...) together.
	maxEntries   = 10 * MaxItems
	maxIndent    = 200
	maxCompact   = 40
	maxFlowDepth = 64
)

// Level rates how much a security property of an asset matters: "" (not
// stated, the same as none), "low", "medium" or "high".
type Level string

// The levels, in increasing order.
const (
	LevelNone   Level = "none"
	LevelLow    Level = "low"
	LevelMedium Level = "medium"
	LevelHigh   Level = "high"
)

func (l Level) rank() int {
	switch l {
	case LevelLow:
		return 1
	case LevelMedium:
		return 2
	case LevelHigh:
		return 3
	}
	return 0
}

// Element kinds.
const (
	Process        = "process"
	Datastore      = "datastore"
	ExternalEntity = "external_entity"
)

// Threat statuses.
const (
	StatusOpen        = "open"
	StatusMitigated   = "mitigated"
	StatusAccepted    = "accepted"
	StatusTransferred = "transferred"
)

// InterfaceKinds are the kinds of interface (entry point) a model may name.
var InterfaceKinds = []string{"jtag", "swd", "uart", "usb", "ethernet", "serial", "wireless", "bluetooth", "sdcard", "other"}

// Model is a parsed and validated threat model.
type Model struct {
	Version    int         `yaml:"version" json:"version"`
	Product    Product     `yaml:"product" json:"product"`
	Reviews    []Review    `yaml:"reviews" json:"reviews"`
	Assets     []Asset     `yaml:"assets" json:"assets"`
	Boundaries []Boundary  `yaml:"boundaries" json:"boundaries"`
	Elements   []Element   `yaml:"elements" json:"elements"`
	Interfaces []Interface `yaml:"interfaces" json:"interfaces"`
	Flows      []Flow      `yaml:"flows" json:"flows"`
	Threats    []Entry     `yaml:"threats" json:"threats"`
	Rules      []Rule      `yaml:"rules" json:"rules"`

	// Name is the name the document was parsed under (for locations).
	Name string `yaml:"-" json:"-"`

	idx *index
}

// Product names what the model describes.
type Product struct {
	Name        string `yaml:"name" json:"name"`
	Version     string `yaml:"version" json:"version,omitempty"`
	Description string `yaml:"description" json:"description,omitempty"`
}

// Review records a review of the model (SR-2 asks for one at least yearly).
type Review struct {
	Date  string `yaml:"date" json:"date"` // YYYY-MM-DD
	By    string `yaml:"by" json:"by"`
	Notes string `yaml:"notes" json:"notes,omitempty"`
}

// Asset is something worth protecting.
type Asset struct {
	ID              string `yaml:"id" json:"id"`
	Name            string `yaml:"name" json:"name"`
	Description     string `yaml:"description" json:"description,omitempty"`
	Confidentiality Level  `yaml:"confidentiality" json:"confidentiality,omitempty"`
	Integrity       Level  `yaml:"integrity" json:"integrity,omitempty"`
	Availability    Level  `yaml:"availability" json:"availability,omitempty"`
}

// Boundary is a trust boundary, possibly inside another (Parent).
type Boundary struct {
	ID          string `yaml:"id" json:"id"`
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description,omitempty"`
	Parent      string `yaml:"parent" json:"parent,omitempty"`
}

// Element is a node of the data-flow diagram.
type Element struct {
	ID          string   `yaml:"id" json:"id"`
	Kind        string   `yaml:"kind" json:"kind"`
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Boundary    string   `yaml:"boundary" json:"boundary,omitempty"`
	Assets      []string `yaml:"assets" json:"assets,omitempty"`
}

// Interface is a physical or debug entry point of an element.
type Interface struct {
	ID                   string `yaml:"id" json:"id"`
	Element              string `yaml:"element" json:"element"`
	Kind                 string `yaml:"kind" json:"kind"`
	Name                 string `yaml:"name" json:"name,omitempty"`
	Description          string `yaml:"description" json:"description,omitempty"`
	Debug                bool   `yaml:"debug" json:"debug"`
	DisabledInProduction bool   `yaml:"disabled_in_production" json:"disabled_in_production"`
}

// Flow is a data flow between two elements.
type Flow struct {
	ID            string   `yaml:"id" json:"id"`
	Name          string   `yaml:"name" json:"name,omitempty"`
	From          string   `yaml:"from" json:"from"`
	To            string   `yaml:"to" json:"to"`
	Protocol      string   `yaml:"protocol" json:"protocol,omitempty"`
	Description   string   `yaml:"description" json:"description,omitempty"`
	Data          []string `yaml:"data" json:"data,omitempty"`
	Authenticated bool     `yaml:"authenticated" json:"authenticated"`
	Encrypted     bool     `yaml:"encrypted" json:"encrypted"`
	Bidirectional bool     `yaml:"bidirectional" json:"bidirectional"`
}

// Entry is a threat as written in the model: either the refinement of a
// generated threat (ID "<rule-id>:<target-id>") or a manual threat (an ID
// without a colon).
type Entry struct {
	ID           string   `yaml:"id" json:"id"`
	Title        string   `yaml:"title" json:"title,omitempty"`
	Description  string   `yaml:"description" json:"description,omitempty"`
	Category     string   `yaml:"category" json:"category,omitempty"`
	Target       string   `yaml:"target" json:"target,omitempty"`
	CVSS         string   `yaml:"cvss" json:"cvss,omitempty"`
	Severity     string   `yaml:"severity" json:"severity,omitempty"`
	Mitigation   string   `yaml:"mitigation" json:"mitigation,omitempty"`
	Status       string   `yaml:"status" json:"status,omitempty"`
	Rationale    string   `yaml:"rationale" json:"rationale,omitempty"`
	To           string   `yaml:"to" json:"to,omitempty"`
	Requirements []string `yaml:"requirements" json:"requirements,omitempty"`
	Tests        []string `yaml:"tests" json:"tests,omitempty"`
}

// Refines reports whether the entry refines a generated threat.
func (e Entry) Refines() bool { return strings.Contains(e.ID, ":") }

// Parse decodes and validates a threat model. name locates problems
// ("model.yaml:12:3"). extra rules (as from LoadRules) take part in the
// validation of threat entries that refine generated threats; pass the same
// ones to Threats. Every error is a *cradle.Error: EInvalid with one
// located problem per defect, or ETooLarge.
func Parse(name string, data []byte, extra ...Rule) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, cradle.Invalid("the threat model could not be parsed",
				cradle.Problem{Location: name, Message: "the YAML parser failed on this document"})
		}
	}()
	var doc Model
	w, err := decode(name, data, &doc)
	if err != nil {
		return nil, err
	}
	doc.Name = name
	v := &validator{name: name, locs: w.locs}
	if doc.Version != 1 || w.version != "1" {
		v.add("version", "expected version: 1, found %s", quoteOr(w.version, "none"))
	}
	v.model(&doc, extra)
	if len(v.problems) > 0 {
		return nil, cradle.Invalid("the threat model is not valid", v.problems...)
	}
	doc.idx = buildIndex(&doc)
	return &doc, nil
}

// locations maps paths such as "flows[3].from" to a line and column.
type locations struct {
	name string
	pos  map[string][2]int
}

// at locates the most specific of the given path and its ancestors as
// "name:line:col".
func (l locations) at(path string) string {
	for {
		if p, ok := l.pos[path]; ok {
			return posOf(l.name, p[0], p[1])
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			return locate.AtPos(l.name, 1, 1)
		}
		path = path[:i]
	}
}

// decode parses data into v (a *Model or *ruleFile) after checking the
// limits, and returns the location of every node.
func decode(name string, data []byte, v any) (*walker, error) {
	if len(data) > MaxSize {
		return nil, &cradle.Error{Code: cradle.ETooLarge,
			Message: fmt.Sprintf("the document is %d bytes, larger than the limit of %d bytes (4 MiB)", len(data), MaxSize)}
	}
	if p := checkNesting(name, data); p != nil {
		return nil, cradle.Invalid("the threat model is not valid YAML", *p)
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err, nil)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, cradle.Invalid("the threat model is empty", cradle.Problem{Location: locate.AtPos(name, 1, 1), Message: "expected a mapping with version, product, elements, ..., found an empty document"})
	}
	if len(docs) > 1 {
		return nil, cradle.Invalid("the threat model is not valid", cradle.Problem{Location: nodePos(name, docs[1].Body), Message: "expected a single YAML document, found another one"})
	}
	body := docs[0].Body
	w := &walker{name: name, locs: locations{name: name, pos: map[string][2]int{}}, paths: map[[2]int]string{}}
	w.walk(body, "")
	if len(w.problems) > 0 {
		return nil, cradle.Invalid("the threat model is not valid", w.problems...)
	}
	if w.entries > maxEntries {
		return nil, &cradle.Error{Code: cradle.ETooLarge,
			Message: fmt.Sprintf("the document holds more than %d list entries", maxEntries)}
	}
	if w.items > MaxItems {
		return nil, &cradle.Error{Code: cradle.ETooLarge,
			Message: fmt.Sprintf("the document holds %d items, more than the limit of %d", w.items, MaxItems)}
	}
	if _, ok := body.(*ast.MappingNode); !ok {
		if _, ok := body.(*ast.MappingValueNode); !ok {
			return nil, cradle.Invalid("the threat model is not valid", cradle.Problem{Location: nodePos(name, body), Message: "expected a mapping (version: 1, product: ..., elements: ...), found " + nodeKind(body)})
		}
	}
	if err := yaml.NodeToValue(body, v, yaml.Strict()); err != nil {
		return nil, yamlError(name, err, w.paths)
	}
	return w, nil
}

// firstToken returns the token that locates a node: for a block mapping,
// whose own token is its first colon, the first key.
func firstToken(n ast.Node) *token.Token {
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 && m.Values[0] != nil && m.Values[0].Key != nil {
			if kt := m.Values[0].Key.GetToken(); kt != nil {
				return kt
			}
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			if kt := m.Key.GetToken(); kt != nil {
				return kt
			}
		}
	}
	return n.GetToken()
}

func nodePos(name string, n ast.Node) string {
	tk := firstToken(n)
	if tk == nil {
		return locate.AtPos(name, 1, 1)
	}
	return posOf(name, tk.Position.Line, tk.Position.Column)
}

func posOf(name string, line, col int) string {
	return locate.AtPos(name, max(line, 1), max(col, 1))
}

// yamlError turns a goccy error into a located problem, describing type
// errors with the document's field path instead of Go type names.
func yamlError(name string, err error, paths map[[2]int]string) error {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return cradle.Invalid("the threat model is not valid YAML", cradle.Problem{Location: name, Message: err.Error()})
	}
	tk := ye.GetToken()
	loc := posOf(name, tk.Position.Line, tk.Position.Column)
	msg := ye.GetMessage()
	path := paths[[2]int{tk.Position.Line, tk.Position.Column}]
	var te *yaml.TypeError
	var ue *yaml.UnexpectedNodeTypeError
	var fe *yaml.UnknownFieldError
	switch {
	case errors.As(err, &te):
		msg = fmt.Sprintf("expected %s, found %s", goKind(te.DstType.Kind().String()), locate.Quote(tk.Value))
	case errors.As(err, &ue):
		msg = fmt.Sprintf("expected %s, found %s", nodeTypeName(ue.Expected), nodeTypeName(ue.Actual))
	case errors.As(err, &fe):
		msg = fe.Message + " (check the spelling; see the package documentation for the format)"
	}
	if path != "" {
		msg = path + ": " + msg
	}
	return cradle.Invalid("the threat model is not valid", cradle.Problem{Location: loc, Message: msg})
}

func goKind(k string) string {
	switch k {
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct":
		return "a mapping"
	case "int", "int64":
		return "an integer"
	}
	return "a value of another type"
}

func nodeTypeName(t ast.NodeType) string {
	switch t {
	case ast.MappingType, ast.MappingValueType, ast.MappingKeyType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.NullType:
		return "nothing (null)"
	case ast.StringType, ast.LiteralType:
		return "a string"
	case ast.IntegerType, ast.FloatType, ast.InfinityType, ast.NanType:
		return "a number"
	case ast.BoolType:
		return "a boolean"
	}
	return "a " + strings.ToLower(t.String())
}

func nodeKind(n ast.Node) string { return nodeTypeName(n.Type()) }

// walker records the location of every node, counts items and rejects what
// the format does not allow: aliases, anchors, tags and merge keys.
type walker struct {
	name     string
	locs     locations
	paths    map[[2]int]string
	items    int
	entries  int
	version  string // the text of the top-level version value
	problems []cradle.Problem
}

func (w *walker) walk(n ast.Node, path string) {
	if n == nil || len(w.problems) > 100 {
		return
	}
	tk := firstToken(n)
	if tk != nil {
		key := [2]int{tk.Position.Line, tk.Position.Column}
		if _, ok := w.locs.pos[path]; !ok {
			w.locs.pos[path] = key
		}
		if _, ok := w.paths[key]; !ok && path != "" {
			w.paths[key] = path
		}
	}
	bad := func(what string) {
		loc := locate.AtPos(w.name, 1, 1)
		if tk != nil {
			loc = posOf(w.name, tk.Position.Line, tk.Position.Column)
		}
		w.problems = append(w.problems, cradle.Problem{Location: loc, Message: what + " are not supported in threat models: write the value out"})
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			w.walk(mv, path)
		}
	case *ast.MappingValueNode:
		key := ""
		if n.Key != nil {
			if _, ok := n.Key.(*ast.MergeKeyNode); ok {
				bad("merge keys (<<)")
				return
			}
			if kt := n.Key.GetToken(); kt != nil {
				key = kt.Value
				w.paths[[2]int{kt.Position.Line, kt.Position.Column}] = join(path, key)
			}
		}
		if path == "" && key == "version" && n.Value != nil {
			if _, ok := n.Value.(*ast.IntegerNode); ok {
				w.version = n.Value.GetToken().Value
			} else if vt := n.Value.GetToken(); vt != nil {
				w.version = vt.Value + " (" + nodeKind(n.Value) + ")"
			}
		}
		if path == "" {
			if seq, ok := n.Value.(*ast.SequenceNode); ok {
				w.items += len(seq.Values)
			}
		}
		w.walk(n.Value, join(path, key))
	case *ast.SequenceNode:
		w.entries += len(n.Values)
		if w.entries > maxEntries {
			return
		}
		for i, it := range n.Values {
			w.walk(it, path+"["+strconv.Itoa(i)+"]")
		}
	case *ast.AliasNode:
		bad("aliases (*name)")
	case *ast.AnchorNode:
		bad("anchors (&name)")
	case *ast.TagNode:
		bad("tags (!!type)")
	case *ast.MergeKeyNode:
		bad("merge keys (<<)")
	case *ast.MappingKeyNode:
		bad("complex mapping keys (?)")
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checkNesting rejects documents nested deeper than a threat model needs
// before the YAML parser, whose cost grows with the square of the depth,
// sees them. It is conservative: brackets inside strings count too.
func checkNesting(name string, data []byte) *cradle.Problem {
	depth := 0
	line := 1
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] == ' ' {
			i++
		}
		if i > maxIndent {
			return &cradle.Problem{Location: locate.AtPos(name, line, i+1), Message: fmt.Sprintf("expected at most %d columns of indentation, found %d", maxIndent, i)}
		}
		compact := 0
		for i+1 < len(data) && (data[i] == '-' || data[i] == '?' || data[i] == ':') && data[i+1] == ' ' {
			compact++
			i += 2
			for i < len(data) && data[i] == ' ' {
				i++
			}
		}
		if compact > maxCompact {
			return &cradle.Problem{Location: locate.AtPos(name, line, 1), Message: fmt.Sprintf("expected at most %d nested list entries on one line, found %d", maxCompact, compact)}
		}
		end := i
		for end < len(data) && data[end] != '\n' {
			switch data[end] {
			case '[', '{':
				depth++
				if depth > maxFlowDepth {
					return &cradle.Problem{Location: locate.AtPos(name, line, end+1), Message: fmt.Sprintf("expected brackets nested at most %d deep", maxFlowDepth)}
				}
			case ']', '}':
				depth = max(0, depth-1)
			}
			end++
		}
		if end < len(data) {
			end++
		}
		data = data[end:]
		line++
	}
	return nil
}
