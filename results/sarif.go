package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// The SARIF 2.1.0 subset cradle reads. Everything else (code flows,
// fixes, web requests, ...) is skipped by encoding/json without being
// kept.

type sarifLog struct {
	Version *string    `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              *sarifTool `json:"tool"`
	AutomationDetails *struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds"`
	Artifacts          []struct {
		Location sarifArtifactLocation `json:"location"`
	} `json:"artifacts"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
	// Results are decoded one at a time from where the skeleton scan
	// found them (decodeResults), so that 50,000 of them are never held
	// in this raw form at once.
	Results json.RawMessage `json:"-"`
}

type sarifTool struct {
	Driver     sarifComponent   `json:"driver"`
	Extensions []sarifComponent `json:"extensions"`
}

type sarifComponent struct {
	Name            string      `json:"name"`
	FullName        string      `json:"fullName"`
	Version         string      `json:"version"`
	SemanticVersion string      `json:"semanticVersion"`
	InformationURI  string      `json:"informationUri"`
	Organization    string      `json:"organization"`
	GUID            string      `json:"guid"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string                       `json:"id"`
	Name                 string                       `json:"name"`
	ShortDescription     *sarifMessage                `json:"shortDescription"`
	DefaultConfiguration *struct{ Level string }      `json:"defaultConfiguration"`
	MessageStrings       map[string]sarifMessageValue `json:"messageStrings"`
	Properties           *sarifProperties             `json:"properties"`
}

type sarifMessageValue struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifProperties struct {
	SecuritySeverity json.RawMessage `json:"security-severity"`
}

type sarifMessage struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown"`
	ID        string   `json:"id"`
	Arguments []string `json:"arguments"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
	Index     *int   `json:"index"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Index              *int   `json:"index"`
}

type sarifLocation struct {
	PhysicalLocation *struct {
		ArtifactLocation *sarifArtifactLocation `json:"artifactLocation"`
		Region           *struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Rule      *struct {
		ID            string `json:"id"`
		Index         *int   `json:"index"`
		ToolComponent *struct {
			Name  string `json:"name"`
			GUID  string `json:"guid"`
			Index *int   `json:"index"`
		} `json:"toolComponent"`
	} `json:"rule"`
	Level               string            `json:"level"`
	Kind                string            `json:"kind"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fingerprints        map[string]string `json:"fingerprints"`
	Suppressions        []struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
	BaselineState string           `json:"baselineState"`
	Properties    *sarifProperties `json:"properties"`
}

// schemaKeep is how many results (across all runs) the schema check
// sees; the rest are checked only by the typed decode.
const schemaKeep = 1000

func decodeSARIF(name string, data []byte, start int) (*Report, error) {
	bad := func(off int, msg string) error {
		return cradle.Invalid("not a valid SARIF log", cradle.Problem{Location: locateOffset(name, data, off), Message: msg})
	}
	// One scan of the bytes finds the results arrays; encoding/json then
	// decodes the log without them (small), and each result on its own.
	// Together they check every byte: the scanner checks what lies
	// between results, encoding/json everything else.
	sk, scanned := scanSkeleton(data, start, schemaKeep)
	if !scanned {
		var v struct{}
		err := json.Unmarshal(data[start:], &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, bad(start+int(se.Offset), "malformed JSON: "+se.Error())
		}
		if err == nil {
			return nil, fmt.Errorf("results: skeleton scan of %s rejected JSON encoding/json accepts", displayName(name))
		}
		return nil, bad(len(data), "malformed JSON: "+err.Error())
	}
	if sk.results > MaxResults {
		return nil, &cradle.Error{Code: cradle.ETooLarge, Message: fmt.Sprintf("%s has %d results, more than the %d a report may have", displayName(name), sk.results, MaxResults)}
	}
	var log sarifLog
	if err := json.Unmarshal(cutBytes(data, start, sk.all), &log); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, bad(originalOffset(start, sk.all, int(se.Offset)), "malformed JSON: "+se.Error())
		case errors.As(err, &te):
			// The JSON is well-formed (encoding/json checks that before
			// decoding): a log of another version has another shape, so
			// say that rather than what the shape violates.
			if sk.version != nil && *sk.version != "2.1.0" {
				return nil, versionError(name, *sk.version)
			}
			return nil, cradle.Invalid("not a valid SARIF log", cradle.Problem{
				Location: locateOffset(name, data, originalOffset(start, sk.all, int(te.Offset))),
				Message:  fmt.Sprintf("expected %s for %s, found a JSON %s", jsonKind(te.Type.Kind().String()), fieldPath(te.Field), te.Value),
			})
		}
		return nil, bad(len(data), "malformed JSON: "+err.Error())
	}
	if len(sk.resultsAt) != len(log.Runs) {
		return nil, fmt.Errorf("results: skeleton scan of %s disagrees with encoding/json", displayName(name))
	}
	if log.Version == nil {
		return nil, cradle.Invalid("not a SARIF 2.1.0 log", cradle.Problem{Location: locate.AtPath(name, ""), Message: `expected the property "version" with the value "2.1.0", found none`})
	}
	if *log.Version != "2.1.0" {
		return nil, versionError(name, *log.Version)
	}
	if log.Runs == nil {
		return nil, cradle.Invalid("not a valid SARIF log", cradle.Problem{Location: locate.AtPath(name, ""), Message: `expected the required property "runs" (an array), found none`})
	}

	rep := &Report{Format: FormatSARIF, Results: make([]Result, 0, sk.results)}
	var w warnings
	for ri := range log.Runs {
		run := &log.Runs[ri]
		if run.Tool == nil || strings.TrimSpace(run.Tool.Driver.Name) == "" {
			return nil, cradle.Invalid("not a valid SARIF log", cradle.Problem{Location: locate.AtPath(name, locate.Pointer("runs", strconv.Itoa(ri), "tool", "driver", "name")), Message: "expected the name of the tool that produced the run, found none"})
		}
		d := &run.Tool.Driver
		rep.Tools = append(rep.Tools, Tool{Name: d.Name, FullName: d.FullName, Version: d.Version, SemanticVersion: d.SemanticVersion, InformationURI: d.InformationURI, Organization: d.Organization,
			Category: runCategory(run)})
		rc := newRunContext(run)
		var err error
		if rep.Results, err = decodeResults(name, data, sk.resultsAt[ri], ri, rc, rep.Results); err != nil {
			return nil, err
		}
	}
	if len(rep.Tools) > 0 {
		rep.Kind = GuessKind(rep.Tools[0].Name)
	} else {
		rep.Kind = KindSAST
	}
	disambiguate(rep.Results)

	// The schema check, on the log with at most schemaKeep results.
	vs, err := validateSARIF(cutBytes(data, start, sk.cuts))
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		w.add(locate.AtPath(name, locate.Pointer(v.Path...)), v.Message)
	}
	rep.Warnings = w.done()
	return rep, nil
}

// decodeResults decodes the results array of run ri at offset at (-1:
// none) one result at a time, appending to out.
func decodeResults(name string, data []byte, at, ri int, rc *runContext, out []Result) ([]Result, error) {
	if at < 0 || bytes.HasPrefix(data[at:], []byte("null")) {
		return out, nil
	}
	ptr := locate.Pointer("runs", strconv.Itoa(ri), "results")
	if data[at] != '[' {
		return nil, cradle.Invalid("not a valid SARIF log", cradle.Problem{Location: locateOffset(name, data, at), Message: fmt.Sprintf("expected an array for %s, found %s", ptr, describeStart(data[at:]))})
	}
	var res sarifResult
	var failure error
	s := scanner{data: data, sk: &skeleton{}}
	_, ok := s.array(at, func(n, e int) (int, bool) {
		end, ok := s.skip(e)
		if !ok {
			failure = fmt.Errorf("results: rescan of %s failed", displayName(name))
			return end, false
		}
		// Reuse the fingerprint maps: encoding/json fills a non-nil map
		// in place.
		pf, fp := res.PartialFingerprints, res.Fingerprints
		clear(pf)
		clear(fp)
		res = sarifResult{PartialFingerprints: pf, Fingerprints: fp}
		if err := json.Unmarshal(data[e:end], &res); err != nil {
			var te *json.UnmarshalTypeError
			var se *json.SyntaxError
			if errors.As(err, &se) {
				failure = cradle.Invalid("not a valid SARIF log", cradle.Problem{Location: locateOffset(name, data, e+int(se.Offset)), Message: "malformed JSON: " + se.Error()})
			} else if errors.As(err, &te) {
				field := ptr + "/" + strconv.Itoa(n)
				if te.Field != "" {
					field += "/" + fieldPath(te.Field)
				}
				failure = cradle.Invalid("not a valid SARIF log", cradle.Problem{
					Location: locateOffset(name, data, e+int(te.Offset)),
					Message:  fmt.Sprintf("expected %s for %s, found a JSON %s", jsonKind(te.Type.Kind().String()), field, te.Value),
				})
			} else {
				failure = fmt.Errorf("results: decode %s result %d: %w", displayName(name), n, err)
			}
			return end, false
		}
		out = append(out, rc.result(&res))
		return end, true
	})
	if failure != nil {
		return nil, failure
	}
	if !ok {
		return nil, fmt.Errorf("results: rescan of %s failed", displayName(name))
	}
	return out, nil
}

func versionError(name, version string) error {
	msg := fmt.Sprintf("expected SARIF version \"2.1.0\", found %s", locate.Quote(version))
	if strings.HasPrefix(version, "2.0") || strings.HasPrefix(version, "1.") {
		msg += " (a pre-standard draft; the SARIF Multitool converts it: sarif transform --sarif-output-version Current)"
	}
	return cradle.Invalid("unsupported SARIF version", cradle.Problem{Location: locate.AtPath(name, "/version"), Message: msg})
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "ptr":
		return "a value"
	}
	return "a " + goKind
}

// fieldPath turns encoding/json's "runs.results.level" into a readable
// path.
func fieldPath(f string) string {
	if f == "" {
		return "the document"
	}
	return strings.ReplaceAll(f, ".", "/")
}

// runContext resolves rules, artifacts and base URIs within one run.
type runContext struct {
	run    *sarifRun
	tool   string
	byID   map[string]*sarifRule // driver rules by id
	bases  map[string]string     // resolved originalUriBaseIds
	levels map[*sarifRule]string
}

func newRunContext(run *sarifRun) *runContext {
	rc := &runContext{run: run, tool: run.Tool.Driver.Name, byID: make(map[string]*sarifRule, len(run.Tool.Driver.Rules))}
	for i := range run.Tool.Driver.Rules {
		r := &run.Tool.Driver.Rules[i]
		if _, dup := rc.byID[r.ID]; !dup {
			rc.byID[r.ID] = r
		}
	}
	if len(run.OriginalURIBaseIDs) > 0 {
		rc.bases = make(map[string]string, len(run.OriginalURIBaseIDs))
		for k := range run.OriginalURIBaseIDs {
			rc.bases[k] = rc.resolveBase(k, 0)
		}
	}
	return rc
}

// resolveBase resolves a uriBaseId through originalUriBaseIds, which may
// themselves be relative to another base (depth-limited against
// cycles).
func (rc *runContext) resolveBase(id string, depth int) string {
	loc, ok := rc.run.OriginalURIBaseIDs[id]
	if !ok || depth > 10 {
		return ""
	}
	if loc.URIBaseID == "" {
		return loc.URI
	}
	return joinURI(rc.resolveBase(loc.URIBaseID, depth+1), loc.URI)
}

// joinURI resolves ref against base (RFC 3986); with no usable base it
// returns ref.
func joinURI(base, ref string) string {
	if base == "" {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(ref, "/")
	}
	if !b.IsAbs() {
		return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(ref, "/")
	}
	return b.ResolveReference(r).String()
}

// rule finds the reportingDescriptor of a result: by rule.index or
// ruleIndex in the component rule.toolComponent names (the driver by
// default), else by id in the driver's rules.
func (rc *runContext) rule(res *sarifResult) *sarifRule {
	rules := rc.run.Tool.Driver.Rules
	index := res.RuleIndex
	if res.Rule != nil {
		if res.Rule.Index != nil {
			index = res.Rule.Index
		}
		if tc := res.Rule.ToolComponent; tc != nil {
			if c := rc.component(tc.Index, tc.Name, tc.GUID); c != nil {
				rules = c.Rules
			}
		}
	}
	if index != nil && *index >= 0 && *index < len(rules) {
		return &rules[*index]
	}
	id := ruleID(res)
	if r := rc.byID[id]; r != nil {
		return r
	}
	// A hierarchical id ("CA2000/1") may be listed by its first part.
	if i := strings.IndexByte(id, '/'); i > 0 {
		return rc.byID[id[:i]]
	}
	return nil
}

func (rc *runContext) component(index *int, name, guid string) *sarifComponent {
	ext := rc.run.Tool.Extensions
	if index != nil {
		if *index >= 0 && *index < len(ext) {
			return &ext[*index]
		}
		return nil
	}
	for i := range ext {
		if (guid != "" && strings.EqualFold(ext[i].GUID, guid)) || (name != "" && ext[i].Name == name) {
			return &ext[i]
		}
	}
	return nil
}

func ruleID(res *sarifResult) string {
	if res.RuleID != "" {
		return res.RuleID
	}
	if res.Rule != nil {
		return res.Rule.ID
	}
	return ""
}

func (rc *runContext) result(res *sarifResult) Result {
	rule := rc.rule(res)
	r := Result{Tool: rc.tool, RuleID: ruleID(res), Kind: res.Kind, BaselineState: res.BaselineState}
	if r.RuleID == "" && rule != nil {
		r.RuleID = rule.ID
	}
	if r.Kind == "" {
		r.Kind = "fail"
	}
	if rule != nil {
		r.RuleName = rule.Name
		if r.RuleName == "" && rule.ShortDescription != nil {
			r.RuleName = rule.ShortDescription.Text
		}
	}

	// Level (SARIF §3.27.10): the result's, else "none" for a kind other
	// than fail, else the rule's default, else warning.
	r.Level = res.Level
	if r.Level == "" {
		switch {
		case res.Kind != "" && res.Kind != "fail":
			r.Level = "none"
		case rule != nil && rule.DefaultConfiguration != nil && rule.DefaultConfiguration.Level != "":
			r.Level = rule.DefaultConfiguration.Level
		default:
			r.Level = "warning"
		}
	}
	r.Severity = ""
	if res.Properties != nil {
		r.Severity = scoreSeverity(res.Properties.SecuritySeverity)
	}
	if r.Severity == "" && rule != nil && rule.Properties != nil {
		r.Severity = scoreSeverity(rule.Properties.SecuritySeverity)
	}
	if r.Severity == "" {
		r.Severity = severityFromLevel(r.Level)
	}

	r.Message = truncate(message(&res.Message, rule), maxMessage)

	var rawURI, logical string
	if len(res.Locations) > 0 {
		loc := &res.Locations[0]
		if pl := loc.PhysicalLocation; pl != nil {
			if al := pl.ArtifactLocation; al != nil {
				rawURI, r.URI = rc.uri(al)
			}
			if pl.Region != nil {
				r.Line, r.Column = pl.Region.StartLine, pl.Region.StartColumn
				if r.Line > 0 && r.Column <= 0 {
					r.Column = 1 // the SARIF default
				}
				if r.Line <= 0 {
					r.Line, r.Column = 0, 0
				}
			}
		}
		logical = rc.logical(loc.LogicalLocations)
	}
	switch {
	case r.URI != "" && r.Line > 0:
		r.Location = r.URI + ":" + strconv.Itoa(r.Line) + ":" + strconv.Itoa(r.Column)
	case r.URI != "":
		r.Location = r.URI
	default:
		r.Location = logical
	}

	for _, s := range res.Suppressions {
		if s.Status == "" || s.Status == "accepted" {
			r.Suppressed = true
			if r.Justification == "" {
				r.Justification = s.Justification
			}
		}
	}
	r.Fingerprint = fingerprint(&r, toolFingerprint(res.Fingerprints, res.PartialFingerprints), rawURI, logical)
	return r
}

// uri returns an artifact location's URI as written (through
// run.artifacts when it only gives an index) and resolved against its
// base.
func (rc *runContext) uri(al *sarifArtifactLocation) (raw, resolved string) {
	uri, base := al.URI, al.URIBaseID
	if uri == "" && al.Index != nil && *al.Index >= 0 && *al.Index < len(rc.run.Artifacts) {
		a := rc.run.Artifacts[*al.Index].Location
		uri, base = a.URI, a.URIBaseID
	}
	if uri == "" {
		return "", ""
	}
	raw = uri
	if base != "" {
		raw = "%" + base + "%/" + uri
		if b, ok := rc.bases[base]; ok && b != "" {
			if strings.HasSuffix(b, "/") && simpleRelative(uri) {
				return raw, b + uri // what RFC 3986 resolution gives, without parsing
			}
			return raw, joinURI(b, uri)
		}
	}
	return raw, uri
}

// simpleRelative reports whether uri is a relative path without dot
// segments, query, fragment or scheme, which resolves against a base
// ending in "/" by concatenation.
func simpleRelative(uri string) bool {
	if uri == "" || uri[0] == '/' || strings.ContainsAny(uri, ":?#\\") {
		return false
	}
	return uri != "." && uri != ".." && !strings.HasPrefix(uri, "./") && !strings.HasPrefix(uri, "../") &&
		!strings.Contains(uri, "/./") && !strings.Contains(uri, "/../") && !strings.HasSuffix(uri, "/.") && !strings.HasSuffix(uri, "/..")
}

func (rc *runContext) logical(ls []sarifLogicalLocation) string {
	if len(ls) == 0 {
		return ""
	}
	l := ls[0]
	if l.FullyQualifiedName == "" && l.Name == "" && l.Index != nil && *l.Index >= 0 && *l.Index < len(rc.run.LogicalLocations) {
		l = rc.run.LogicalLocations[*l.Index]
	}
	if l.FullyQualifiedName != "" {
		return l.FullyQualifiedName
	}
	return l.Name
}

// message renders a result message: its text, else its markdown, else
// the rule's message string it names; "{0}" placeholders are replaced by
// the arguments.
func message(m *sarifMessage, rule *sarifRule) string {
	text := m.Text
	if text == "" {
		text = m.Markdown
	}
	if text == "" && m.ID != "" && rule != nil {
		if s, ok := rule.MessageStrings[m.ID]; ok {
			text = s.Text
			if text == "" {
				text = s.Markdown
			}
		}
	}
	if text == "" && m.ID != "" {
		text = m.ID
		if len(m.Arguments) > 0 {
			text += ": " + strings.Join(m.Arguments, ", ")
		}
		return text
	}
	if len(m.Arguments) > 0 && strings.Contains(text, "{") {
		text = substitute(text, m.Arguments)
	}
	return text
}

// substitute replaces {n} by args[n]; "{{" and "}}" are literal braces.
func substitute(s string, args []string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c == '{' || c == '}') && i+1 < len(s) && s[i+1] == c {
			b.WriteByte(c)
			i++
			continue
		}
		if c == '{' {
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i <= 6 {
				j++
			}
			if j > i+1 && j < len(s) && s[j] == '}' {
				if n, err := strconv.Atoi(s[i+1 : j]); err == nil && n < len(args) {
					b.WriteString(args[n])
					i = j
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// scoreSeverity reads a security-severity property (a string such as
// "7.5", as GitHub documents it, or a number); "" when absent or not a
// number.
func scoreSeverity(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return ""
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 || f != f {
		return ""
	}
	return severityFromScore(f)
}

// maxMessage caps a result message (some tools put whole stack traces in
// it); the fingerprint is computed from the capped message.
const maxMessage = 8 << 10

// truncate cuts s to at most n bytes at a character boundary, marking
// the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// runCategory is the category of a run from its automationDetails.id
// ("category/run-id" in SARIF 2.1.0 §3.17.4: the part up to the last "/";
// CodeQL writes "/language:go/"), or "".
func runCategory(run *sarifRun) string {
	if run.AutomationDetails == nil {
		return ""
	}
	id := strings.TrimSpace(run.AutomationDetails.ID)
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[:i+1]
	}
	id = strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, id), "")
	if r := []rune(id); len(r) > 100 {
		id = string(r[:100])
	}
	return id
}
