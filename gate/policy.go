package gate

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the documented default policy as YAML, a starting
// point for a product's own policy file.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

// MaxPolicySize is the largest policy file ParsePolicy accepts.
const MaxPolicySize = 1 << 20

// Severity names, lowest to highest.
const (
	SeverityNone     = "none"
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Severities lists the severity names a policy accepts, lowest first.
var Severities = []string{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// SBOM quality profiles a policy accepts.
const (
	ProfileNTIA   = "ntia"
	ProfileBSI20  = "bsi-tr-03183-2-v2.0"
	ProfileBSI21  = "bsi-tr-03183-2-v2.1"
	PolicyVersion = 1
)

// Profiles lists the SBOM quality profiles a policy accepts.
var Profiles = []string{ProfileNTIA, ProfileBSI20, ProfileBSI21}

// Policy is what a release must meet to ship. The zero value is not
// useful: start from DefaultPolicy or ParsePolicy.
type Policy struct {
	Version       int               `json:"version"`
	SBOM          SBOMPolicy        `json:"sbom"`
	Findings      FindingsPolicy    `json:"findings"`
	ThreatModel   ThreatModelPolicy `json:"threat_model"`
	SAST          SASTPolicy        `json:"sast"`
	SVVEvidence   EvidencePolicy    `json:"svv_evidence"`
	SupportPeriod SupportPolicy     `json:"support_period"`
	Disclosure    DisclosurePolicy  `json:"disclosure"`
	SDLChecklist  ChecklistPolicy   `json:"sdl_checklist"`
}

// SBOMPolicy configures the sbom check.
type SBOMPolicy struct {
	Enabled            bool   `json:"enabled"`
	Profile            string `json:"profile"`
	RequireConformance bool   `json:"require_conformance"`
}

// FindingsPolicy configures the findings check.
type FindingsPolicy struct {
	Enabled     bool   `json:"enabled"`
	MaxSeverity string `json:"max_severity"` // undecided findings at or above it block
	KEV         bool   `json:"kev"`          // undecided KEV-listed findings block whatever their rating
}

// ThreatModelPolicy configures the threat_model check.
type ThreatModelPolicy struct {
	Enabled         bool   `json:"enabled"`
	MaxReviewAge    Age    `json:"max_review_age"`
	MaxOpenSeverity string `json:"max_open_severity"`
}

// SASTPolicy configures the sast check.
type SASTPolicy struct {
	Enabled     bool   `json:"enabled"`
	Required    bool   `json:"required"`
	MaxSeverity string `json:"max_severity"`
}

// EvidencePolicy configures the svv_evidence check.
type EvidencePolicy struct {
	Enabled      bool     `json:"enabled"`
	Requirements []string `json:"requirements"`
}

// SupportPolicy configures the support_period check.
type SupportPolicy struct {
	Enabled      bool `json:"enabled"`
	MinRemaining Age  `json:"min_remaining"` // "" = only declared and not ended
}

// DisclosurePolicy configures the disclosure check.
type DisclosurePolicy struct {
	Enabled     bool `json:"enabled"`
	SecurityTxt bool `json:"security_txt"`
	CVDPolicy   bool `json:"cvd_policy"`
}

// ChecklistPolicy configures the sdl_checklist check.
type ChecklistPolicy struct {
	Enabled bool `json:"enabled"`
}

// Age is a duration in calendar terms: a whole number and a unit, d
// (days), w (weeks), mo (months) or y (years), e.g. "365d", "12mo", "5y".
// The empty Age means "not set".
type Age string

var ageRE = regexp.MustCompile(`^([0-9]{1,5})(d|w|mo|y)$`)

// parse returns the age's parts; ok is false for a malformed age.
func (a Age) parse() (n int, unit string, ok bool) {
	m := ageRE.FindStringSubmatch(string(a))
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, "", false
	}
	limit := map[string]int{"d": 36600, "w": 5300, "mo": 1200, "y": 100}[m[2]]
	if n > limit {
		return 0, "", false
	}
	return n, m[2], true
}

// Valid reports whether a is a well-formed, positive age of at most 100 years.
func (a Age) Valid() bool { _, _, ok := a.parse(); return ok }

// AddTo returns t plus the age (t itself for an empty or malformed age).
func (a Age) AddTo(t time.Time) time.Time {
	n, unit, ok := a.parse()
	if !ok {
		return t
	}
	switch unit {
	case "d":
		return t.AddDate(0, 0, n)
	case "w":
		return t.AddDate(0, 0, 7*n)
	case "mo":
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(n, 0, 0)
}

// SubFrom returns t minus the age.
func (a Age) SubFrom(t time.Time) time.Time {
	n, unit, ok := a.parse()
	if !ok {
		return t
	}
	switch unit {
	case "d":
		return t.AddDate(0, 0, -n)
	case "w":
		return t.AddDate(0, 0, -7*n)
	case "mo":
		return t.AddDate(0, -n, 0)
	}
	return t.AddDate(-n, 0, 0)
}

var defaultPolicy *Policy

func init() {
	p, err := parseOnto(&Policy{}, "default.yaml", defaultYAML)
	if err != nil {
		panic("gate: embedded default policy: " + err.Error())
	}
	defaultPolicy = p
}

// DefaultPolicy returns a fresh copy of the built-in policy (default.yaml).
func DefaultPolicy() *Policy { return defaultPolicy.Clone() }

// Clone returns a deep copy of p.
func (p *Policy) Clone() *Policy {
	if p == nil {
		return nil
	}
	c := *p
	c.SVVEvidence.Requirements = slices.Clone(p.SVVEvidence.Requirements)
	return &c
}

// ParsePolicy parses a policy file onto a copy of the default policy: the
// keys data gives replace the default's, the keys it leaves out keep the
// default's values. name locates errors ("policy.yaml:12:3").
func ParsePolicy(name string, data []byte) (*Policy, error) {
	return ParsePolicyOnto(DefaultPolicy(), name, data)
}

// ParsePolicyOnto parses a policy file onto a copy of base (for layers:
// default, then organisation, then product). base is not changed; a nil
// base means the default policy. The result is validated as a whole.
func ParsePolicyOnto(base *Policy, name string, data []byte) (*Policy, error) {
	if base == nil {
		base = defaultPolicy
	}
	return parseOnto(base.Clone(), name, data)
}

// raw mirrors the YAML; a nil pointer is a key that was not given.
type raw struct {
	Version *int `yaml:"version"`
	SBOM    *struct {
		Enabled            *bool   `yaml:"enabled"`
		Profile            *string `yaml:"profile"`
		RequireConformance *bool   `yaml:"require_conformance"`
	} `yaml:"sbom"`
	Findings *struct {
		Enabled     *bool   `yaml:"enabled"`
		MaxSeverity *string `yaml:"max_severity"`
		KEV         *bool   `yaml:"kev"`
	} `yaml:"findings"`
	ThreatModel *struct {
		Enabled         *bool   `yaml:"enabled"`
		MaxReviewAge    *string `yaml:"max_review_age"`
		MaxOpenSeverity *string `yaml:"max_open_severity"`
	} `yaml:"threat_model"`
	SAST *struct {
		Enabled     *bool   `yaml:"enabled"`
		Required    *bool   `yaml:"required"`
		MaxSeverity *string `yaml:"max_severity"`
	} `yaml:"sast"`
	SVVEvidence *struct {
		Enabled      *bool     `yaml:"enabled"`
		Requirements *[]string `yaml:"requirements"`
	} `yaml:"svv_evidence"`
	SupportPeriod *struct {
		Enabled      *bool   `yaml:"enabled"`
		MinRemaining *string `yaml:"min_remaining"`
	} `yaml:"support_period"`
	Disclosure *struct {
		Enabled     *bool `yaml:"enabled"`
		SecurityTxt *bool `yaml:"security_txt"`
		CVDPolicy   *bool `yaml:"cvd_policy"`
	} `yaml:"disclosure"`
	SDLChecklist *struct {
		Enabled *bool `yaml:"enabled"`
	} `yaml:"sdl_checklist"`
}

// Kinds of YAML values the schema table expects.
const (
	kMap = iota
	kBool
	kInt
	kString
	kStrings
)

// schema is the type of every key, by dotted path; the strict decoder
// checks unknown keys and most types, this table catches what it would
// coerce silently (a number given for a string, ~ for any value).
var schema = map[string]int{
	"version":                        kInt,
	"sbom":                           kMap,
	"sbom.enabled":                   kBool,
	"sbom.profile":                   kString,
	"sbom.require_conformance":       kBool,
	"findings":                       kMap,
	"findings.enabled":               kBool,
	"findings.max_severity":          kString,
	"findings.kev":                   kBool,
	"threat_model":                   kMap,
	"threat_model.enabled":           kBool,
	"threat_model.max_review_age":    kString,
	"threat_model.max_open_severity": kString,
	"sast":                           kMap,
	"sast.enabled":                   kBool,
	"sast.required":                  kBool,
	"sast.max_severity":              kString,
	"svv_evidence":                   kMap,
	"svv_evidence.enabled":           kBool,
	"svv_evidence.requirements":      kStrings,
	"support_period":                 kMap,
	"support_period.enabled":         kBool,
	"support_period.min_remaining":   kString,
	"disclosure":                     kMap,
	"disclosure.enabled":             kBool,
	"disclosure.security_txt":        kBool,
	"disclosure.cvd_policy":          kBool,
	"sdl_checklist":                  kMap,
	"sdl_checklist.enabled":          kBool,
}

var kindName = map[int]string{kMap: "a mapping", kBool: "true or false", kInt: "a whole number", kString: "a string", kStrings: "a list of strings"}

func parseOnto(p *Policy, name string, data []byte) (pol *Policy, err error) {
	if name == "" {
		name = "policy.yaml"
	}
	// The YAML library is third-party code: a panic in it must not take
	// the caller down.
	defer func() {
		if r := recover(); r != nil {
			pol, err = nil, cradle.Invalid("policy is not valid YAML", cradle.Problem{Location: name, Message: fmt.Sprint("cannot parse: ", r)})
		}
	}()
	if len(data) > MaxPolicySize {
		return nil, cradle.Invalid("policy is too large", cradle.Problem{Location: name, Message: fmt.Sprintf("%d bytes, at most %d", len(data), MaxPolicySize)})
	}
	w := &walker{name: name, pos: map[string]string{}, keyAt: map[string]string{}}
	if err := w.check(data); err != nil {
		return nil, cradle.Invalid("policy is not valid YAML", yamlProblem(name, err, nil))
	}
	var r raw
	if err := yaml.UnmarshalWithOptions(data, &r, yaml.Strict()); err != nil {
		probs := []cradle.Problem{yamlProblem(name, err, w.keyAt)}
		for _, pr := range w.probs {
			if pr.Location != probs[0].Location {
				probs = append(probs, pr)
			}
		}
		return nil, cradle.Invalid("policy is not valid", probs...)
	}
	if len(w.probs) > 0 {
		return nil, cradle.Invalid("policy is not valid", w.probs...)
	}
	pos := w.pos
	var probs []cradle.Problem
	bad := func(key, format string, args ...any) {
		loc := pos[key]
		if loc == "" {
			loc = name
		}
		probs = append(probs, cradle.Problem{Location: loc, Message: fmt.Sprintf("%s: ", key) + fmt.Sprintf(format, args...)})
	}
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	setS := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	if r.Version != nil {
		p.Version = *r.Version
		if p.Version != PolicyVersion {
			bad("version", "unsupported policy version %d (this cradle reads version %d)", p.Version, PolicyVersion)
		}
	}
	if s := r.SBOM; s != nil {
		set(&p.SBOM.Enabled, s.Enabled)
		setS(&p.SBOM.Profile, s.Profile)
		set(&p.SBOM.RequireConformance, s.RequireConformance)
	}
	if s := r.Findings; s != nil {
		set(&p.Findings.Enabled, s.Enabled)
		setS(&p.Findings.MaxSeverity, s.MaxSeverity)
		set(&p.Findings.KEV, s.KEV)
	}
	if s := r.ThreatModel; s != nil {
		set(&p.ThreatModel.Enabled, s.Enabled)
		if s.MaxReviewAge != nil {
			p.ThreatModel.MaxReviewAge = Age(strings.TrimSpace(*s.MaxReviewAge))
		}
		setS(&p.ThreatModel.MaxOpenSeverity, s.MaxOpenSeverity)
	}
	if s := r.SAST; s != nil {
		set(&p.SAST.Enabled, s.Enabled)
		set(&p.SAST.Required, s.Required)
		setS(&p.SAST.MaxSeverity, s.MaxSeverity)
	}
	if s := r.SVVEvidence; s != nil {
		set(&p.SVVEvidence.Enabled, s.Enabled)
		if s.Requirements != nil {
			p.SVVEvidence.Requirements = nil
			for _, id := range *s.Requirements {
				p.SVVEvidence.Requirements = append(p.SVVEvidence.Requirements, strings.ToUpper(strings.TrimSpace(id)))
			}
		}
	}
	if s := r.SupportPeriod; s != nil {
		set(&p.SupportPeriod.Enabled, s.Enabled)
		if s.MinRemaining != nil {
			p.SupportPeriod.MinRemaining = Age(strings.TrimSpace(*s.MinRemaining))
		}
	}
	if s := r.Disclosure; s != nil {
		set(&p.Disclosure.Enabled, s.Enabled)
		set(&p.Disclosure.SecurityTxt, s.SecurityTxt)
		set(&p.Disclosure.CVDPolicy, s.CVDPolicy)
	}
	if s := r.SDLChecklist; s != nil {
		set(&p.SDLChecklist.Enabled, s.Enabled)
	}
	if p.Version == 0 {
		p.Version = PolicyVersion
	}
	for _, pr := range p.validate() {
		bad(pr.Location, "%s", pr.Message)
	}
	if len(probs) > 0 {
		return nil, cradle.Invalid("policy is not valid", probs...)
	}
	return p, nil
}

// Validate checks a policy's values (for a Policy built in code; parsed
// policies are already valid). Problems are located by key.
func (p *Policy) Validate() error {
	if p == nil {
		return cradle.Invalid("no policy")
	}
	probs := p.validate()
	if len(probs) == 0 {
		return nil
	}
	return cradle.Invalid("policy is not valid", probs...)
}

// iecRequirement matches the 47 requirement IDs of IEC 62443-4-1:2018
// (engineering's tests hold it equal to the catalogue).
var iecRequirement = regexp.MustCompile(`^(SM-([1-9]|1[0-3])|SR-[1-5]|SD-[1-4]|SI-[12]|SVV-[1-5]|DM-[1-6]|SUM-[1-5]|SG-[1-7])$`)

// validate returns problems with the dotted key as Location.
func (p *Policy) validate() []cradle.Problem {
	var probs []cradle.Problem
	bad := func(key, msg string) { probs = append(probs, cradle.Problem{Location: key, Message: msg}) }
	sev := func(key, v string) {
		if !slices.Contains(Severities, v) {
			bad(key, fmt.Sprintf("severity %s is not one of %s", locate.Quote(v), strings.Join(Severities, ", ")))
		}
	}
	if p.Version != PolicyVersion {
		bad("version", fmt.Sprintf("unsupported policy version %d", p.Version))
	}
	if !slices.Contains(Profiles, p.SBOM.Profile) {
		bad("sbom.profile", fmt.Sprintf("profile %s is not one of %s", locate.Quote(p.SBOM.Profile), strings.Join(Profiles, ", ")))
	}
	sev("findings.max_severity", p.Findings.MaxSeverity)
	if !p.ThreatModel.MaxReviewAge.Valid() {
		bad("threat_model.max_review_age", fmt.Sprintf("duration %s is not a number and a unit d, w, mo or y (e.g. 365d, 12mo), at most 100 years", locate.Quote(string(p.ThreatModel.MaxReviewAge))))
	}
	sev("threat_model.max_open_severity", p.ThreatModel.MaxOpenSeverity)
	sev("sast.max_severity", p.SAST.MaxSeverity)
	seen := map[string]bool{}
	for i, id := range p.SVVEvidence.Requirements {
		switch {
		case id == "" || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			bad("svv_evidence.requirements", fmt.Sprintf("entry %d: requirement ID %s is empty or has spaces", i+1, locate.Quote(id)))
		case len(id) > 64:
			bad("svv_evidence.requirements", fmt.Sprintf("entry %d: requirement ID is longer than 64 characters", i+1))
		case seen[id]:
			bad("svv_evidence.requirements", fmt.Sprintf("entry %d: requirement ID %s is listed twice", i+1, id))
		case !iecRequirement.MatchString(id):
			bad("svv_evidence.requirements", fmt.Sprintf("entry %d: %s is not an IEC 62443-4-1 requirement ID (SM-1..13, SR-1..5, SD-1..4, SI-1..2, SVV-1..5, DM-1..6, SUM-1..5, SG-1..7)", i+1, locate.Quote(id)))
		}
		seen[id] = true
	}
	if a := p.SupportPeriod.MinRemaining; a != "" && !a.Valid() {
		bad("support_period.min_remaining", fmt.Sprintf("duration %s is not a number and a unit d, w, mo or y (e.g. 5y), at most 100 years", locate.Quote(string(a))))
	}
	return probs
}

// yamlProblem locates a decoder error; keyAt names the key at a location.
func yamlProblem(name string, err error, keyAt map[string]string) cradle.Problem {
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return cradle.Problem{Location: name, Message: err.Error()}
	}
	msg := cleanYAMLMessage(ye.GetMessage())
	tk := ye.GetToken()
	if tk == nil {
		return cradle.Problem{Location: name, Message: msg}
	}
	loc := locate.AtPos(name, tk.Position.Line, tk.Position.Column)
	if key := keyAt[loc]; key != "" && !strings.HasPrefix(msg, "unknown key") {
		msg = key + ": " + msg
	} else if key != "" {
		if i := strings.LastIndexByte(key, '.'); i > 0 {
			msg += " in " + key[:i]
		}
	}
	return cradle.Problem{Location: loc, Message: msg}
}

// cleanYAMLMessage turns the decoder's Go-flavoured wording into the
// policy's terms.
func cleanYAMLMessage(msg string) string {
	if strings.HasPrefix(msg, "unknown field ") {
		return "unknown key " + strings.TrimPrefix(msg, "unknown field ")
	}
	if i := strings.Index(msg, " into Go struct field "); i >= 0 {
		// "cannot unmarshal string into Go struct field raw.Findings of type bool"
		what := strings.TrimPrefix(msg[:i], "cannot unmarshal ")
		rest := msg[i+len(" into Go struct field "):]
		if j := strings.LastIndex(rest, " of type "); j >= 0 {
			return fmt.Sprintf("wrong type: %s given, %s expected", goKind(what), goKind(rest[j+len(" of type "):]))
		}
	}
	if strings.HasPrefix(msg, "cannot unmarshal ") && strings.Contains(msg, "overflow") {
		return "number out of range"
	}
	return msg
}

func goKind(t string) string {
	switch {
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map"):
		return "a mapping"
	case strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "int") || strings.HasPrefix(t, "float"):
		return "a number"
	}
	return "a " + t
}

// walker checks each known key's value kind in the YAML tree, which the
// strict decoder would coerce silently (a number for a string, ~ for any
// value), and records where keys and values are.
type walker struct {
	name  string
	pos   map[string]string // dotted key → location of its value
	keyAt map[string]string // location of a key or value → dotted key
	probs []cradle.Problem
}

func (w *walker) check(data []byte) error {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return err
	}
	n := 0
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.CommentNode); ok {
			continue
		}
		if n++; n > 1 {
			start := doc.Body
			if vals, ok := mapValues(start); ok && len(vals) > 0 && vals[0] != nil && vals[0].Key != nil {
				start = vals[0].Key
			}
			w.probs = append(w.probs, cradle.Problem{Location: w.at(start), Message: "a second YAML document; a policy is one document"})
			break
		}
		w.walk("", doc.Body)
	}
	return nil
}

func (w *walker) at(n ast.Node) string {
	if n == nil || n.GetToken() == nil {
		return w.name
	}
	p := n.GetToken().Position
	return locate.AtPos(w.name, p.Line, p.Column)
}

func (w *walker) bad(n ast.Node, key, format string, args ...any) {
	w.probs = append(w.probs, cradle.Problem{Location: w.at(n), Message: key + ": " + fmt.Sprintf(format, args...)})
}

func mapValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

func (w *walker) walk(prefix string, n ast.Node) {
	vals, ok := mapValues(n)
	if !ok {
		return // the strict decoder reports a non-mapping
	}
	for _, mv := range vals {
		if mv == nil || mv.Key == nil {
			continue
		}
		key := mv.Key.String()
		if sn, ok := mv.Key.(*ast.StringNode); ok {
			key = sn.Value // unquoted
		}
		if prefix != "" {
			key = prefix + "." + key
		}
		w.keyAt[w.at(mv.Key)] = key
		kind, known := schema[key]
		if !known {
			continue // the strict decoder reports unknown keys
		}
		v := mv.Value
		if v == nil {
			continue
		}
		w.pos[key] = w.at(v)
		w.keyAt[w.at(v)] = key
		if _, isNull := v.(*ast.NullNode); isNull {
			w.bad(mv.Key, key, "no value given; %s expected (leave the key out to keep the default)", kindName[kind])
			continue
		}
		switch kind {
		case kMap:
			w.walk(key, v)
		case kInt:
			if _, ok := v.(*ast.IntegerNode); !ok {
				w.bad(v, key, "wrong type: %s given, a whole number expected", nodeKind(v))
			}
		case kString:
			if !isString(v) {
				w.bad(v, key, "wrong type: %s given, a string expected", nodeKind(v))
			}
		case kStrings:
			if seq, ok := v.(*ast.SequenceNode); ok {
				for _, e := range seq.Values {
					w.keyAt[w.at(e)] = key
					if !isString(e) {
						w.bad(e, key, "wrong type: %s given in the list, a string expected", nodeKind(e))
					}
				}
			}
		}
	}
}

func isString(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.AliasNode, *ast.TagNode, *ast.AnchorNode:
		return true
	}
	return false
}

func nodeKind(n ast.Node) string {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "true or false"
	case *ast.NullNode:
		return "null"
	case *ast.SequenceNode:
		return "a list"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	}
	return "a " + strings.ToLower(n.Type().String())
}
