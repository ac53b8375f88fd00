package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/csaf"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/quality"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
	"github.com/cradle-sdl/cradle/threatmodel"
	"github.com/cradle-sdl/cradle/vex"
)

// The tests in this file keep openapi.json true: it must be a well-formed
// OpenAPI 3.1 document, describe exactly the API routes of the routing
// table, mirror the Go types it documents, and every response a real
// server gives must have a status, content type, headers and body that
// the document declares for that operation.

// openAPIBase is the URL the document is registered under for schema
// compilation; it is never fetched.
const openAPIBase = "https://cradle.invalid/api/v1/openapi.json"

// loadOpenAPI parses the embedded document.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPIDoc))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if dec.More() {
		t.Fatal("openapi.json has data after the document")
	}
	return doc
}

// oaResolve resolves a JSON pointer ("" or "/a/b") in v.
func oaResolve(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// oaPointer builds a JSON pointer from unescaped tokens.
func oaPointer(toks ...string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// oaDeref follows a local $ref (one level at a time, until there is none)
// and returns the object and its pointer.
func oaDeref(doc map[string]any, v any, ptr string) (map[string]any, string) {
	for range 10 {
		m, _ := v.(map[string]any)
		r, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = strings.TrimPrefix(r, "#")
		v, _ = oaResolve(doc, ptr)
	}
	return nil, ptr
}

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaOperations returns "METHOD /path" → operation object.
func oaOperations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range oaMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

// oaIsAPIRoute reports whether a routing-table pattern belongs in the
// OpenAPI document.
func oaIsAPIRoute(pattern string) bool {
	return strings.Contains(pattern, " /api/v1/") || strings.Contains(pattern, " /.well-known/") || pattern == "GET /healthz"
}

// oaRoutePattern is the routing-table pattern an operation ("METHOD
// /path") documents. An operation marked x-cradle-prefix documents a
// net/http prefix pattern ("GET /.well-known/csaf/"): its path ends in
// one parameter that stands for the rest of the path, slashes included.
// wildcard gives that parameter as a net/http wildcard ("{path...}"),
// for matching requests. ok is false when the mark is malformed.
func oaRoutePattern(key string, op map[string]any) (pattern, wildcard string, ok bool) {
	mark, marked := op["x-cradle-prefix"]
	if !marked {
		return key, key, true
	}
	i := strings.LastIndexByte(key, '/')
	last := key[i+1:]
	if mark != true || !strings.HasPrefix(last, "{") || !strings.HasSuffix(last, "}") || strings.Count(last, "{") != 1 {
		return key, key, false
	}
	return key[:i+1], key[:i+1] + strings.TrimSuffix(last, "}") + "...}", true
}

// oaPublic reports whether an operation admits anonymous callers (an
// empty security requirement).
func oaPublic(op map[string]any) bool {
	sec, _ := op["security"].([]any)
	return slices.ContainsFunc(sec, func(r any) bool { m, _ := r.(map[string]any); return m != nil && len(m) == 0 })
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if d := doc["jsonSchemaDialect"]; d != nil && d != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("jsonSchemaDialect = %v, want the 2020-12 dialect", d)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "cradle API" || info["version"] == nil || info["description"] == "" {
		t.Errorf("info = %v: want title, version and description", info)
	}

	// Every $ref is local and resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				if !strings.HasPrefix(r, "#/") {
					t.Errorf("%s: $ref %q is not a local reference", at, r)
				} else if _, ok := oaResolve(doc, r[1:]); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, r)
				}
			}
			for k, e := range x {
				walk(e, at+oaPointer(k))
			}
		case []any:
			for i, e := range x {
				walk(e, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "")

	tags := map[string]bool{}
	for _, tg := range doc["tags"].([]any) {
		tags[tg.(map[string]any)["name"].(string)] = true
	}
	schemes, _ := oaResolve(doc, "/components/securitySchemes")
	ids := map[string]string{}
	for key, op := range oaOperations(doc) {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q is also used by %s", key, id, other)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		opTags, _ := op["tags"].([]any)
		if len(opTags) == 0 {
			t.Errorf("%s: no tags", key)
		}
		for _, tg := range opTags {
			if !tags[tg.(string)] {
				t.Errorf("%s: tag %v is not declared at the top level", key, tg)
			}
		}
		if sec, ok := op["security"].([]any); ok {
			for _, req := range sec {
				for name := range req.(map[string]any) {
					if _, ok := schemes.(map[string]any)[name]; !ok {
						t.Errorf("%s: security scheme %q is not declared", key, name)
					}
				}
			}
		}
		resps, _ := op["responses"].(map[string]any)
		if len(resps) == 0 {
			t.Errorf("%s: no responses", key)
		}
		for status, r := range resps {
			if n, err := strconv.Atoi(status); err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is not a status code", key, status)
			}
			if r, _ := oaDeref(doc, r, ""); r == nil || r["description"] == nil {
				t.Errorf("%s %s: response has no description", key, status)
			}
		}

		// Path parameters: exactly the template's, each required.
		path := key[strings.IndexByte(key, ' ')+1:]
		var want []string
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				want = append(want, seg[1:len(seg)-1])
			}
		}
		var got []string
		params, _ := op["parameters"].([]any)
		seen := map[string]bool{}
		for _, p := range params {
			p, _ := oaDeref(doc, p, "")
			name, _ := p["name"].(string)
			in, _ := p["in"].(string)
			if seen[in+" "+name] {
				t.Errorf("%s: parameter %s %s is declared twice", key, in, name)
			}
			seen[in+" "+name] = true
			if p["schema"] == nil {
				t.Errorf("%s: parameter %s has no schema", key, name)
			}
			if in == "path" {
				got = append(got, name)
				if p["required"] != true {
					t.Errorf("%s: path parameter %s is not required", key, name)
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: path parameters differ from the template (-template +declared):\n%s", key, diff)
		}
	}

	// Every schema in components compiles as JSON Schema 2020-12.
	c := newOpenAPICompiler(t)
	schemas, _ := oaResolve(doc, "/components/schemas")
	for name := range schemas.(map[string]any) {
		if _, err := c.compile(oaPointer("components", "schemas", name)); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}

func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := map[string]map[string]any{} // by routing-table pattern
	var inDoc, inTable []string
	for key, op := range oaOperations(doc) {
		// A path ending in "/" would be one literal path to OpenAPI but
		// a prefix to net/http: prefixes are marked x-cradle-prefix.
		if strings.HasSuffix(key, "/") {
			t.Errorf("%s: a path ending in / is a prefix in the routing table; document it as .../{rest} with x-cradle-prefix", key)
		}
		pattern, _, ok := oaRoutePattern(key, op)
		if !ok {
			t.Errorf("%s: x-cradle-prefix must be true and the path must end in one parameter, found %v", key, op["x-cradle-prefix"])
		}
		inDoc = append(inDoc, pattern)
		ops[pattern] = op
	}
	table := map[string]route{}
	for _, rt := range (&Server{}).routes() {
		if oaIsAPIRoute(rt.Pattern) {
			inTable = append(inTable, rt.Pattern)
			table[rt.Pattern] = rt
		}
	}
	sort.Strings(inDoc)
	sort.Strings(inTable)
	if diff := cmp.Diff(inTable, inDoc); diff != "" {
		t.Fatalf("routing table and openapi.json differ (-table +document):\n%s", diff)
	}

	for key, rt := range table {
		op := ops[key]
		method := key[:strings.IndexByte(key, ' ')]
		if got, _ := op["x-cradle-permission"].(string); got != string(rt.Perm) {
			t.Errorf("%s: x-cradle-permission = %v, want %q", key, got, rt.Perm)
		}
		// Public routes say that credentials are optional; the others
		// inherit the document's bearer-or-cookie requirement.
		if public := oaPublic(op); public != (rt.Perm == "") {
			t.Errorf("%s: security %v does not match permission %q", key, op["security"], rt.Perm)
		}
		resps := op["responses"].(map[string]any)
		// wrap answers 401 for missing or invalid credentials on every
		// route but the public ones (which ignore credentials), and 500 for
		// internal errors everywhere.
		for _, s := range []string{"401", "500"} {
			_, ok := resps[s]
			if s == "401" && rt.Perm == "" {
				if ok {
					t.Errorf("%s: public route declares 401, which it cannot answer", key)
				}
				continue
			}
			if !ok {
				t.Errorf("%s: response %s is not declared", key, s)
			}
		}
		// 403 is possible when some role lacks the permission, or for a
		// session write without its CSRF token.
		want403 := !safeMethod(method)
		if rt.Perm != "" && rt.Perm != permAuthenticated {
			for _, r := range cradle.Roles {
				if !r.Can(rt.Perm) {
					want403 = true
				}
			}
		}
		if _, ok := resps["403"]; ok != want403 {
			t.Errorf("%s: response 403 declared = %v, want %v", key, ok, want403)
		}
		// Session writes need the CSRF header; it is declared on them.
		csrf := false
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if p, _ := oaDeref(doc, p, ""); p["in"] == "header" && p["name"] == "X-CSRF-Token" {
				csrf = true
			}
		}
		if csrf != !safeMethod(method) {
			t.Errorf("%s: X-CSRF-Token header declared = %v, want %v", key, csrf, !safeMethod(method))
		}
	}
}

// oaJSONFields lists the JSON names of a struct's fields and which of them
// are always present (no omitempty or omitzero).
func oaJSONFields(t reflect.Type) (names, always []string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			// encoding/json inlines an embedded struct's fields.
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			n, a := oaJSONFields(et)
			names, always = append(names, n...), append(always, a...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
		if !slices.Contains(strings.Split(opts, ","), "omitempty") && !slices.Contains(strings.Split(opts, ","), "omitzero") {
			always = append(always, name)
		}
	}
	sort.Strings(names)
	sort.Strings(always)
	return names, always
}

func oaSchemaKeys(s map[string]any) (props, required []string) {
	for k := range s["properties"].(map[string]any) {
		props = append(props, k)
	}
	for _, r := range s["required"].([]any) {
		required = append(required, r.(string))
	}
	sort.Strings(props)
	sort.Strings(required)
	return props, required
}

func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	schema := func(name string) map[string]any {
		s, ok := oaResolve(doc, oaPointer("components", "schemas", name))
		if !ok {
			t.Fatalf("no schema %s", name)
		}
		return s.(map[string]any)
	}
	check := func(name string, s map[string]any, typ reflect.Type, response bool) {
		t.Helper()
		names, always := oaJSONFields(typ)
		if s["required"] == nil {
			s["required"] = []any{}
		}
		props, required := oaSchemaKeys(s)
		if diff := cmp.Diff(names, props); diff != "" {
			t.Errorf("schema %s: properties differ from %v (-Go +schema):\n%s", name, typ, diff)
		}
		if s["additionalProperties"] != false {
			t.Errorf("schema %s: want additionalProperties false (the Go type %v is a struct)", name, typ)
		}
		if response {
			if diff := cmp.Diff(always, required); diff != "" {
				t.Errorf("schema %s: required differs from the fields %v always encodes (-Go +schema):\n%s", name, typ, diff)
			}
		}
	}
	responses := map[string]reflect.Type{
		"Product":         reflect.TypeFor[cradle.Product](),
		"Release":         reflect.TypeFor[cradle.Release](),
		"Component":       reflect.TypeFor[cradle.Component](),
		"Hash":            reflect.TypeFor[cradle.Hash](),
		"SBOMDocument":    reflect.TypeFor[cradle.SBOMDocument](),
		"ImportResult":    reflect.TypeFor[monitor.SBOMResult](),
		"FindingChanges":  reflect.TypeFor[store.FindingChanges](),
		"ComponentDetail": reflect.TypeFor[store.ComponentDetail](),
		"Occurrence":      reflect.TypeFor[store.Occurrence](),
		"User":            reflect.TypeFor[cradle.User](),
		"Token":           reflect.TypeFor[cradle.Token](),
		"TokenCreated":    reflect.TypeFor[TokenCreated](),
		"AuditEntry":      reflect.TypeFor[cradle.AuditEntry](),
		"AuditBreak":      reflect.TypeFor[cradle.AuditBreak](),
		"AuditReport":     reflect.TypeFor[store.AuditReport](),
		"Problem":         reflect.TypeFor[cradle.Problem](),
		"Error":           reflect.TypeFor[APIError](),

		"Finding":            reflect.TypeFor[cradle.Finding](),
		"Vulnerability":      reflect.TypeFor[cradle.Vulnerability](),
		"Severity":           reflect.TypeFor[cradle.Severity](),
		"Affected":           reflect.TypeFor[cradle.Affected](),
		"Range":              reflect.TypeFor[cradle.Range](),
		"Event":              reflect.TypeFor[cradle.Event](),
		"VulnerabilityGroup": reflect.TypeFor[VulnGroup](),
		"Feed":               reflect.TypeFor[store.Feed](),
		"VulnStatus":         reflect.TypeFor[VulnStatus](),

		"Notice":   reflect.TypeFor[cradle.Notice](),
		"Webhook":  reflect.TypeFor[store.Webhook](),
		"Delivery": reflect.TypeFor[store.Delivery](),

		"Case":              reflect.TypeFor[cradle.Case](),
		"CaseRelease":       reflect.TypeFor[cradle.CaseRelease](),
		"CaseView":          reflect.TypeFor[CaseView](),
		"Deadline":          reflect.TypeFor[cradle.Deadline](),
		"Art14Submission":   reflect.TypeFor[cradle.Art14Submission](),
		"DraftField":        reflect.TypeFor[cradle.DraftField](),
		"Art14Draft":        reflect.TypeFor[Art14Draft](),
		"CaseReview":        reflect.TypeFor[cradle.CaseReview](),
		"ReviewList":        reflect.TypeFor[ReviewList](),
		"ComponentDecision": reflect.TypeFor[store.ComponentDecision](),
		"DecisionResult":    reflect.TypeFor[DecisionResult](),
		"RemediationPolicy": reflect.TypeFor[cradle.RemediationPolicy](),
		"CVSSResult":        reflect.TypeFor[CVSSResult](),
		"CVSSItem":          reflect.TypeFor[cvssItem](),
		"CVSSScore":         reflect.TypeFor[cvss.Score](),
		"IntakeReceipt":     reflect.TypeFor[IntakeReceipt](),
		"IntakeStatusView":  reflect.TypeFor[IntakeStatus](),
		"IntakeReport":      reflect.TypeFor[cradle.IntakeReport](),
		"IntakeAttachment":  reflect.TypeFor[cradle.IntakeAttachment](),
		"SecurityUpdate":    reflect.TypeFor[cradle.SecurityUpdate](),
		"TimeToFix":         reflect.TypeFor[store.TimeToFix](),
		"Subscriber":        reflect.TypeFor[cradle.Subscriber](),
		"MailLog":           reflect.TypeFor[store.MailLog](),
		"Advisory":          reflect.TypeFor[cradle.Advisory](),
		"AdvisoryRevision":  reflect.TypeFor[cradle.AdvisoryRevision](),
		"AdvisoryView":      reflect.TypeFor[AdvisoryView](),
		"ValidationReport":  reflect.TypeFor[ValidationReport](),
		"CSAFFinding":       reflect.TypeFor[csaf.Finding](),
		"PSIRTSettings":     reflect.TypeFor[cradle.PSIRTSettings](),
		"SigningKeyView":    reflect.TypeFor[SigningKeyView](),
		"VEXImport":         reflect.TypeFor[psirt.VEXImport](),

		"CatalogList":       reflect.TypeFor[CatalogList](),
		"CatalogSummary":    reflect.TypeFor[CatalogSummary](),
		"CrosswalkSummary":  reflect.TypeFor[CrosswalkSummary](),
		"CatalogImport":     reflect.TypeFor[CatalogImport](),
		"Catalog":           reflect.TypeFor[catalog.Catalog](),
		"CatalogGroup":      reflect.TypeFor[catalog.Group](),
		"Requirement":       reflect.TypeFor[catalog.Requirement](),
		"Freshness":         reflect.TypeFor[catalog.Freshness](),
		"Evidence":          reflect.TypeFor[cradle.Evidence](),
		"Assessment":        reflect.TypeFor[cradle.Assessment](),
		"Derived":           reflect.TypeFor[compliance.Derived](),
		"RequirementStatus": reflect.TypeFor[compliance.ReqStatus](),
		"MaturityResult":    reflect.TypeFor[cradle.MaturityResult](),
		"MaturityOverride":  reflect.TypeFor[store.MaturityOverride](),
		"PracticeStatus":    reflect.TypeFor[compliance.PracticeStatus](),
		"ComplianceStatus":  reflect.TypeFor[compliance.Status](),
		"ProductScope":      reflect.TypeFor[store.ProductScope](),
		"Applicability":     reflect.TypeFor[store.Applicability](),
		"MaturityPoint":     reflect.TypeFor[store.MaturityPoint](),
		"MaturityHistory":   reflect.TypeFor[MaturityHistory](),
		"Matrix":            reflect.TypeFor[Matrix](),
		"MatrixPractice":    reflect.TypeFor[MatrixPractice](),
		"MatrixRow":         reflect.TypeFor[MatrixRow](),
		"MatrixCell":        reflect.TypeFor[MatrixCell](),

		"ThreatModel":            reflect.TypeFor[cradle.ThreatModel](),
		"ThreatModelImport":      reflect.TypeFor[engineering.ThreatModelImport](),
		"ThreatModelView":        reflect.TypeFor[engineering.ThreatModelView](),
		"ThreatSummary":          reflect.TypeFor[threatmodel.Summary](),
		"Threat":                 reflect.TypeFor[threatmodel.Threat](),
		"ThreatTarget":           reflect.TypeFor[threatmodel.Target](),
		"ThreatSeverity":         reflect.TypeFor[threatmodel.Severity](),
		"ThreatReview":           reflect.TypeFor[cradle.ThreatReview](),
		"ThreatModelDocument":    reflect.TypeFor[threatmodel.Model](),
		"ThreatModelProduct":     reflect.TypeFor[threatmodel.Product](),
		"ThreatModelReviewEntry": reflect.TypeFor[threatmodel.Review](),
		"ThreatModelAsset":       reflect.TypeFor[threatmodel.Asset](),
		"ThreatModelBoundary":    reflect.TypeFor[threatmodel.Boundary](),
		"ThreatModelElement":     reflect.TypeFor[threatmodel.Element](),
		"ThreatModelInterface":   reflect.TypeFor[threatmodel.Interface](),
		"ThreatModelFlow":        reflect.TypeFor[threatmodel.Flow](),
		"ThreatModelEntry":       reflect.TypeFor[threatmodel.Entry](),
		"ThreatModelRule":        reflect.TypeFor[threatmodel.Rule](),
		"ThreatModelConditions":  reflect.TypeFor[threatmodel.Conditions](),
		"ThreatModelDiff":        reflect.TypeFor[threatmodel.Diff](),
		"ThreatModelChange":      reflect.TypeFor[threatmodel.Change](),
		"ThreatModelFieldChange": reflect.TypeFor[threatmodel.FieldChange](),
		"ResultImport":           reflect.TypeFor[cradle.ResultImport](),
		"ResultImportResponse":   reflect.TypeFor[ResultImportResponse](),
		"ScanResult":             reflect.TypeFor[cradle.ScanResult](),
		"ResultCounts":           reflect.TypeFor[store.ResultCounts](),
		"QualityReport":          reflect.TypeFor[quality.Report](),
		"QualityField":           reflect.TypeFor[quality.Field](),
		"QualityComponent":       reflect.TypeFor[quality.ComponentReport](),
		"QualitySummary":         reflect.TypeFor[quality.Summary](),
		"QualityFailingField":    reflect.TypeFor[quality.FailingField](),
		"GateRun":                reflect.TypeFor[engineering.GateRun](),
		"GateRecord":             reflect.TypeFor[cradle.GateRecord](),
		"GateDecision":           reflect.TypeFor[gate.Decision](),
		"GateCheckResult":        reflect.TypeFor[gate.CheckResult](),
		"GateReason":             reflect.TypeFor[gate.Reason](),
		"GateExceptionUse":       reflect.TypeFor[gate.ExceptionUse](),
		"GateVerification":       reflect.TypeFor[GateVerification](),
		"GatePolicyView":         reflect.TypeFor[GatePolicyView](),
		"GatePolicy":             reflect.TypeFor[gate.Policy](),
		"GateSBOMPolicy":         reflect.TypeFor[gate.SBOMPolicy](),
		"GateFindingsPolicy":     reflect.TypeFor[gate.FindingsPolicy](),
		"GateThreatModelPolicy":  reflect.TypeFor[gate.ThreatModelPolicy](),
		"GateSASTPolicy":         reflect.TypeFor[gate.SASTPolicy](),
		"GateEvidencePolicy":     reflect.TypeFor[gate.EvidencePolicy](),
		"GateSupportPolicy":      reflect.TypeFor[gate.SupportPolicy](),
		"GateDisclosurePolicy":   reflect.TypeFor[gate.DisclosurePolicy](),
		"GateChecklistPolicy":    reflect.TypeFor[gate.ChecklistPolicy](),
		"GateException":          reflect.TypeFor[cradle.GateException](),
	}
	for name, typ := range responses {
		check(name, schema(name), typ, true)
	}
	errObj := schema("Error")["properties"].(map[string]any)["error"].(map[string]any)
	check("Error.error", errObj, reflect.TypeFor[APIError]().Field(0).Type, true)
	for name, typ := range map[string]reflect.Type{
		"ProductInput": reflect.TypeFor[productInput](),
		"ReleaseInput": reflect.TypeFor[releaseInput](),
		"UserInput":    reflect.TypeFor[userInput](),
		"TokenInput":   reflect.TypeFor[tokenInput](),
		"WebhookInput": reflect.TypeFor[webhookInput](),

		"NewCase":                reflect.TypeFor[psirt.NewCase](),
		"CasePatch":              reflect.TypeFor[psirt.CasePatch](),
		"CaseReleaseInput":       reflect.TypeFor[cradle.CaseRelease](),
		"DecisionInput":          reflect.TypeFor[decisionInput](),
		"SubmissionInput":        reflect.TypeFor[submissionInput](),
		"RemediationPolicyInput": reflect.TypeFor[cradle.RemediationPolicy](),
		"IntakeRequest":          reflect.TypeFor[IntakeRequest](),
		"IntakeAttachmentInput":  reflect.TypeFor[IntakeAttachment](),
		"SecurityUpdateInput":    reflect.TypeFor[updateInput](),
		"AdvisoryInput":          reflect.TypeFor[advisoryInput](),
		"PSIRTSettingsInput":     reflect.TypeFor[cradle.PSIRTSettings](),

		"AssessmentInput":    reflect.TypeFor[assessmentInput](),
		"EvidenceInput":      reflect.TypeFor[evidenceInput](),
		"ScopeInput":         reflect.TypeFor[scopeInput](),
		"ApplicabilityInput": reflect.TypeFor[applicabilityInput](),
		"MaturityInput":      reflect.TypeFor[maturityInput](),

		"ThreatReviewInput":  reflect.TypeFor[reviewInput](),
		"SuppressionInput":   reflect.TypeFor[suppressInput](),
		"GateExceptionInput": reflect.TypeFor[exceptionInput](),
	} {
		check(name, schema(name), typ, false)
	}
	for _, l := range []string{"ProductList", "ReleaseList", "ComponentList", "SBOMDocumentList", "OccurrenceList", "UserList", "TokenList", "AuditEntryList", "FindingList", "NoticeList", "DeliveryList",
		"CaseList", "IntakeList", "ScanResultList"} {
		check(l, schema(l), reflect.TypeFor[List[int]](), true)
	}
	// The lists that are not paginated: {"items": [...]} (handlers write
	// them as maps).
	for _, l := range []string{"CaseItems", "AdvisoryItems", "SecurityUpdateItems", "TimeToFixItems", "SubscriberItems", "MailLogItems"} {
		check(l, schema(l), reflect.TypeFor[ReviewList](), true)
	}

	enum := func(ptr string) []string {
		v, ok := oaResolve(doc, ptr)
		if !ok {
			t.Fatalf("no %s", ptr)
		}
		var out []string
		for _, e := range v.([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	strs := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	for ptr, want := range map[string][]string{
		"/components/schemas/CRAClass/enum":         strs(oaAnys(cradle.CRAClasses)...),
		"/components/schemas/Lifecycle/enum":        strs(oaAnys(cradle.Lifecycles)...),
		"/components/schemas/Role/enum":             strs(oaAnys(cradle.Roles)...),
		"/components/parameters/Format/schema/enum": cradle.ExportFormats,
		"/components/schemas/Error/properties/error/properties/code/enum": {
			cradle.ENotFound, cradle.EInvalid, cradle.EConflict, cradle.EUnauthorized, cradle.EForbidden, cradle.ETooLarge, cradle.ETooMany, cradle.EInternal},
		"/components/schemas/ProductInput/properties/cra_class/enum": append(strs(oaAnys(cradle.CRAClasses)...), ""),
		"/components/schemas/ReleaseInput/properties/lifecycle/enum": append(strs(oaAnys(cradle.Lifecycles)...), ""),
		"/components/schemas/Rating/enum":                            cradle.Ratings,
		"/components/parameters/Severity/schema/enum":                minRatings,
		"/components/schemas/Range/properties/type/enum":             {cradle.RangeSemver, cradle.RangeEcosystem, cradle.RangeGit},
		"/components/schemas/NoticeKind/enum":                        cradle.NoticeKinds,
		"/components/schemas/VEXStatus/enum":                         cradle.VEXStatuses,
		"/components/schemas/Justification/enum":                     cradle.Justifications,
		"/components/schemas/Art14Stage/enum":                        cradle.Art14Stages,
		"/components/schemas/MemberState/enum":                       cradle.EUMemberStates,
		"/components/schemas/TLP/enum":                               cradle.TLPLabels,
		"/components/schemas/IntakeStatus/enum":                      {cradle.IntakeReceived, cradle.IntakeAccepted, cradle.IntakeRejected, cradle.IntakeDuplicate},
		"/components/schemas/Case/properties/type/enum":              {cradle.CaseVulnerability, cradle.CaseIncident},
		"/components/schemas/Case/properties/source/enum":            {cradle.SourceIntake, cradle.SourceInternal, cradle.SourceMonitoring, cradle.SourceVEX},
		"/components/schemas/Case/properties/validity/enum":          {cradle.ValidityPending, cradle.ValidityValid, cradle.ValidityInvalid, cradle.ValidityDuplicate},
		"/components/schemas/Case/properties/decision/enum":          {cradle.DecisionFix, cradle.DecisionMitigate, cradle.DecisionDefer, cradle.DecisionAccept},
		"/components/schemas/Case/properties/state/enum":             {cradle.CaseOpen, cradle.CaseClosed},
		"/components/schemas/Deadline/properties/state/enum": {cradle.DeadlineWaiting, cradle.DeadlineOpen, cradle.DeadlineDueSoon,
			cradle.DeadlineOverdue, cradle.DeadlineSubmitted, cradle.DeadlineSubmittedLate},
		"/components/schemas/Advisory/properties/status/enum":    {cradle.AdvisoryDraft, cradle.AdvisoryInterim, cradle.AdvisoryFinal},
		"/components/schemas/CVSSScore/properties/version/enum":  strs(cvss.V20, cvss.V30, cvss.V31, cvss.V40),
		"/components/schemas/CVSSScore/properties/rating/enum":   {cvss.RatingNone, cvss.RatingLow, cvss.RatingMedium, cvss.RatingHigh, cvss.RatingCritical},
		"/components/schemas/VEXImport/properties/format/enum":   {vex.FormatOpenVEX, vex.FormatCycloneDX, vex.FormatCSAF},
		"/components/parameters/VEXFormat/schema/enum":           {vex.FormatOpenVEX, vex.FormatCycloneDX, vex.FormatCSAF},
		"/components/schemas/AssessmentStatus/enum":              cradle.AssessmentStatuses,
		"/components/schemas/AssessmentScope/enum":               {cradle.ScopeOrganisation, cradle.ScopeProduct, cradle.ScopeRelease},
		"/components/schemas/EvidenceKind/enum":                  {cradle.EvidenceFile, cradle.EvidenceURL, cradle.EvidenceRecord},
		"/components/schemas/RecordType/enum":                    store.RecordTypes,
		"/components/schemas/RequirementKind/enum":               strs(oaAnys(catalog.Kinds)...),
		"/components/schemas/EvidenceInput/properties/kind/enum": {cradle.EvidenceURL, cradle.EvidenceRecord},

		"/components/parameters/ResultKindImport/schema/enum":                 cradle.ResultKinds,
		"/components/parameters/ResultKind/schema/enum":                       cradle.ResultKinds,
		"/components/schemas/ResultImport/properties/kind/enum":               cradle.ResultKinds,
		"/components/schemas/ScanResult/properties/kind/enum":                 cradle.ResultKinds,
		"/components/parameters/ResultStatus/schema/enum":                     {cradle.ResultOpen, cradle.ResultFixed, cradle.ResultSuppressed},
		"/components/schemas/ScanResult/properties/status/enum":               {cradle.ResultOpen, cradle.ResultFixed, cradle.ResultSuppressed},
		"/components/parameters/QualityProfile/schema/enum":                   oaProfileNames(quality.Profiles()),
		"/components/schemas/QualityReport/properties/profile/enum":           oaProfileNames(quality.Profiles()),
		"/components/schemas/GateSBOMPolicy/properties/profile/enum":          gate.Profiles,
		"/components/schemas/GateFindingsPolicy/properties/max_severity/enum": gate.Severities,
		"/components/schemas/ThreatReview/properties/outcome/enum":            {cradle.ReviewApproved, cradle.ReviewChangesRequested},
		"/components/schemas/ThreatReviewInput/properties/outcome/enum":       {cradle.ReviewApproved, cradle.ReviewChangesRequested},
		"/components/schemas/GateCheckResult/properties/id/enum":              oaCheckIDs(),
		"/components/schemas/GateException/properties/check/enum":             oaCheckIDs(),
		"/components/schemas/GateExceptionInput/properties/check/enum":        oaCheckIDs(),
		"/components/schemas/GateCheckResult/properties/status/enum":          strs(gate.StatusPass, gate.StatusFail, gate.StatusExcepted, gate.StatusDisabled),
		"/components/schemas/GateExceptionUse/properties/status/enum":         {gate.ExceptionApplied, gate.ExceptionUnused, gate.ExceptionExpired, gate.ExceptionInvalid, gate.ExceptionFuture},
		"/components/schemas/ThreatModelElement/properties/kind/enum":         {threatmodel.Process, threatmodel.Datastore, threatmodel.ExternalEntity},
		"/components/schemas/Threat/properties/status/enum":                   {threatmodel.StatusOpen, threatmodel.StatusMitigated, threatmodel.StatusAccepted, threatmodel.StatusTransferred},
		"/components/schemas/ThreatModelChange/properties/op/enum":            {threatmodel.Added, threatmodel.Removed, threatmodel.Changed},
	} {
		if diff := cmp.Diff(want, enum(ptr)); diff != "" {
			t.Errorf("%s differs from the Go values (-Go +document):\n%s", ptr, diff)
		}
	}
	// Each error code's shared response is the status statusOf gives it.
	for code, resp := range map[string]string{
		cradle.EInvalid: "BadRequest", cradle.EUnauthorized: "Unauthorized", cradle.EForbidden: "Forbidden",
		cradle.ENotFound: "NotFound", cradle.EConflict: "Conflict", cradle.ETooLarge: "TooLarge", cradle.ETooMany: "TooManyRequests", cradle.EInternal: "Internal",
	} {
		want := oaPointer("components", "responses", resp)
		found := false
		for key, op := range oaOperations(doc) {
			// The files under /.well-known are not the JSON API: a
			// missing one is a plain-text 404.
			if strings.Contains(key, " /.well-known/") && code == cradle.ENotFound {
				continue
			}
			if r, ok := op["responses"].(map[string]any)[strconv.Itoa(statusOf(code))].(map[string]any); ok {
				if ref, _ := r["$ref"].(string); ref == "#"+want {
					found = true
				} else {
					t.Errorf("%s: status %d is declared as %v, want $ref %s", op["operationId"], statusOf(code), r, want)
				}
			}
		}
		if !found {
			t.Errorf("no operation uses response %s", resp)
		}
	}
}

func oaProfileNames(ps []quality.ProfileInfo) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func oaCheckIDs() []string {
	var out []string
	for _, c := range gate.Checks {
		out = append(out, c.ID)
	}
	return out
}

func oaAnys[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// openAPICompiler compiles schemas of the document by JSON pointer.
type openAPICompiler struct {
	c     *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

func newOpenAPICompiler(t *testing.T) *openAPICompiler {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openAPIBase, v); err != nil {
		t.Fatal(err)
	}
	return &openAPICompiler{c: c, cache: map[string]*jsonschema.Schema{}}
}

func (oc *openAPICompiler) compile(ptr string) (*jsonschema.Schema, error) {
	if s, ok := oc.cache[ptr]; ok {
		return s, nil
	}
	// The fragment is percent-decoded before it is read as a pointer.
	var frag strings.Builder
	for i, tok := range strings.Split(ptr, "/") {
		if i > 0 {
			frag.WriteByte('/')
		}
		frag.WriteString(url.PathEscape(tok))
	}
	s, err := oc.c.Compile(openAPIBase + "#" + frag.String())
	if err != nil {
		return nil, err
	}
	oc.cache[ptr] = s
	return s, nil
}

// oaChecker checks live responses against the document.
type oaChecker struct {
	t      *testing.T
	doc    map[string]any
	schema *openAPICompiler
	mux    *http.ServeMux    // the document's operations, to match requests
	keys   map[string]string // mux pattern → operation ("METHOD /path")
	seen   map[string]map[int]bool
}

func newOAChecker(t *testing.T) *oaChecker {
	ch := &oaChecker{t: t, doc: loadOpenAPI(t), schema: newOpenAPICompiler(t), mux: http.NewServeMux(), keys: map[string]string{}, seen: map[string]map[int]bool{}}
	for key, op := range oaOperations(ch.doc) {
		_, pattern, _ := oaRoutePattern(key, op)
		ch.mux.Handle(pattern, http.NotFoundHandler())
		ch.keys[pattern] = key
	}
	return ch
}

func oaIsJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// check validates one exchange. reqBody is the request body sent.
func (ch *oaChecker) check(req *http.Request, reqBody []byte, resp *http.Response, body []byte) {
	t := ch.t
	t.Helper()
	_, pattern := ch.mux.Handler(req)
	key := ch.keys[pattern]
	if key == "" {
		t.Errorf("%s %s: no operation in openapi.json matches", req.Method, req.URL.Path)
		return
	}
	method, path, _ := strings.Cut(key, " ")
	opPtr := oaPointer("paths", path, strings.ToLower(method))
	what := fmt.Sprintf("%s %s (%s) → %d", req.Method, req.URL.RequestURI(), key, resp.StatusCode)
	if ch.seen[key] == nil {
		ch.seen[key] = map[int]bool{}
	}
	ch.seen[key][resp.StatusCode] = true

	raw, ok := oaResolve(ch.doc, opPtr+oaPointer("responses", strconv.Itoa(resp.StatusCode)))
	if !ok {
		t.Errorf("%s: status not declared in openapi.json; body: %s", what, body)
		return
	}
	r, rPtr := oaDeref(ch.doc, raw, opPtr+oaPointer("responses", strconv.Itoa(resp.StatusCode)))

	if hs, ok := r["headers"].(map[string]any); ok {
		for name, h := range hs {
			if h, _ := oaDeref(ch.doc, h, ""); h["required"] == true && resp.Header.Get(name) == "" {
				t.Errorf("%s: required header %s is missing", what, name)
			}
		}
	}

	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			t.Errorf("%s: response declares no content but has a body: %s", what, body)
		}
		return
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Errorf("%s: bad Content-Type %q: %v", what, resp.Header.Get("Content-Type"), err)
		return
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		t.Errorf("%s: content type %s is not declared (declared: %v)", what, mt, slices.Sorted(maps.Keys(content)))
		return
	}
	if oaIsJSON(mt) && media["schema"] != nil {
		ch.validate(what+" response", rPtr+oaPointer("content", mt, "schema"), body)
	}

	// A body the server accepted must be valid against the request schema:
	// the schema must not be narrower than the server.
	if resp.StatusCode < 300 && len(reqBody) > 0 {
		rmt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		rbRaw, _ := oaResolve(ch.doc, opPtr+"/requestBody")
		rb, rbPtr := oaDeref(ch.doc, rbRaw, opPtr+"/requestBody")
		if rb == nil {
			t.Errorf("%s: request has a body but the operation declares none", what)
		} else if rc, ok := rb["content"].(map[string]any)[rmt]; !ok {
			t.Errorf("%s: request content type %s is not declared", what, rmt)
		} else if oaIsJSON(rmt) && rc.(map[string]any)["schema"] != nil {
			ch.validate(what+" request", rbPtr+oaPointer("content", rmt, "schema"), reqBody)
		}
	}

	// Error bodies carry the code that maps to the status.
	if resp.StatusCode >= 400 && oaIsJSON(mt) {
		var e APIError
		if json.Unmarshal(body, &e) == nil && e.Error.Code != "" && statusOf(e.Error.Code) != resp.StatusCode {
			t.Errorf("%s: error code %q maps to %d", what, e.Error.Code, statusOf(e.Error.Code))
		}
	}
}

func (ch *oaChecker) validate(what, ptr string, body []byte) {
	t := ch.t
	t.Helper()
	s, err := ch.schema.compile(ptr)
	if err != nil {
		t.Errorf("%s: compile schema %s: %v", what, ptr, err)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v\n%s", what, err, body)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: body does not match %s:\n%v\nbody: %s", what, ptr, err, body)
	}
}

// finish requires every operation to have succeeded at least once and
// every declared response to have been provoked: the document declares
// exactly the statuses the server gives.
func (ch *oaChecker) finish() {
	t := ch.t
	t.Helper()
	var untested []string
	for key, op := range oaOperations(ch.doc) {
		ok := false
		for s := range ch.seen[key] {
			if s >= 200 && s < 300 {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: never answered with success in this test", key)
		}
		for s := range op["responses"].(map[string]any) {
			n, _ := strconv.Atoi(s)
			if !ch.seen[key][n] {
				untested = append(untested, key+" "+s)
			}
		}
	}
	sort.Strings(untested)
	if len(untested) > 0 {
		t.Errorf("declared responses this test never provoked (add a case, or drop the response if it cannot happen):\n%s", strings.Join(untested, "\n"))
	}
}

// oaClient sends requests and has each exchange checked.
type oaClient struct {
	t    *testing.T
	base string
	ch   *oaChecker
}

// oaAuth is how a request authenticates; nil is anonymous.
type oaAuth func(*http.Request)

func oaBearer(secret string) oaAuth {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }
}

func oaSession(s *store.Session, csrf bool) oaAuth {
	return func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.Token})
		if csrf {
			r.Header.Set("X-CSRF-Token", s.CSRF)
		}
	}
}

// call sends method path with body (nil; []byte or string sent as is;
// anything else as JSON), checks the exchange against the document and
// that the status is want, and returns the response body.
func (c *oaClient) call(who oaAuth, method, path string, body any, want int, opts ...func(*http.Request)) ([]byte, *http.Response) {
	t := c.t
	t.Helper()
	var raw []byte
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		raw, ctype = b, "application/json"
	case string:
		raw, ctype = []byte(b), "application/json"
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
		ctype = "application/json"
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if who != nil {
		who(req)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Errorf("%s %s: status %d, want %d; body: %s", method, path, resp.StatusCode, want, got)
	}
	c.ch.check(req, raw, resp, got)
	return got, resp
}

func oaHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

func oaDecode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, b)
	}
	return v
}

// oaCycloneDXJSON is a CycloneDX 1.6 document: an application with one direct
// and one transitive dependency (3 components, 2 edges).
func oaCycloneDXJSON(serial string) []byte {
	return []byte(`{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:` + serial + `",
  "version": 1,
  "metadata": {
    "timestamp": "2025-03-01T12:00:00Z",
    "component": {
      "type": "application",
      "bom-ref": "widget-app",
      "name": "widget-app",
      "version": "1.0.0",
      "purl": "pkg:generic/widget-app@1.0.0"
    }
  },
  "components": [
    {
      "type": "library",
      "bom-ref": "pkg:npm/left-pad@1.3.0",
      "name": "left-pad",
      "version": "1.3.0",
      "purl": "pkg:npm/left-pad@1.3.0",
      "licenses": [{"license": {"id": "MIT"}}],
      "hashes": [{"alg": "SHA-256", "content": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}],
      "scope": "required"
    },
    {
      "type": "library",
      "bom-ref": "pkg:npm/pad-core@2.0.1",
      "group": "padders",
      "name": "pad-core",
      "version": "2.0.1",
      "purl": "pkg:npm/pad-core@2.0.1",
      "description": "The core of padding."
    }
  ],
  "dependencies": [
    {"ref": "widget-app", "dependsOn": ["pkg:npm/left-pad@1.3.0"]},
    {"ref": "pkg:npm/left-pad@1.3.0", "dependsOn": ["pkg:npm/pad-core@2.0.1"]},
    {"ref": "pkg:npm/pad-core@2.0.1", "dependsOn": []}
  ]
}
`)
}

// oaCycloneDXXML is a CycloneDX 1.6 XML document with two components.
const oaCycloneDXXML = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:6f1c1f4e-8a43-4d2b-9d8e-2f3b5c7a9e10" version="1">
  <metadata>
    <component type="application" bom-ref="widget-app">
      <name>widget-app</name>
      <version>2.0.0</version>
    </component>
  </metadata>
  <components>
    <component type="library" bom-ref="pkg:golang/example.com/lib@v1.0.0">
      <name>example.com/lib</name>
      <version>v1.0.0</version>
      <purl>pkg:golang/example.com/lib@v1.0.0</purl>
    </component>
  </components>
  <dependencies>
    <dependency ref="widget-app">
      <dependency ref="pkg:golang/example.com/lib@v1.0.0"/>
    </dependency>
  </dependencies>
</bom>
`

// oaSPDXTagValue is an SPDX 2.3 tag-value document with two packages.
const oaSPDXTagValue = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: gadget-1
DocumentNamespace: https://example.com/spdx/gadget-1-5d1c0f7e
Creator: Tool: cradle-test
Created: 2025-03-01T12:00:00Z

PackageName: gadget
SPDXID: SPDXRef-gadget
PackageVersion: 1
PackageDownloadLocation: NOASSERTION
FilesAnalyzed: false

PackageName: zlib
SPDXID: SPDXRef-zlib
PackageVersion: 1.3.1
PackageDownloadLocation: https://zlib.net/zlib-1.3.1.tar.gz
FilesAnalyzed: false
PackageLicenseConcluded: Zlib
ExternalRef: PACKAGE-MANAGER purl pkg:generic/zlib@1.3.1

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-gadget
Relationship: SPDXRef-gadget DEPENDS_ON SPDXRef-zlib
`

func TestOpenAPIResponses(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	const uploadLimit = 64 << 10
	srv, err := New(db, Config{Version: "test", MaxUploadSize: uploadLimit}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ch := newOAChecker(t)
	c := &oaClient{t: t, base: ts.URL, ch: ch}

	system := cradle.Actor{Name: "system", Via: "test"}
	newUser := func(email string, role cradle.Role) (*cradle.User, string) {
		u := &cradle.User{Email: email, Name: strings.Split(email, "@")[0], Role: role}
		if err := db.CreateUser(ctx, system, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		secret, err := db.CreateToken(ctx, system, &cradle.Token{Name: "test-" + string(role), Role: role, UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u, secret
	}
	adminUser, adminSecret := newUser("admin@example.com", cradle.RoleAdmin)
	_, devSecret := newUser("dev@example.com", cradle.RoleDeveloper)
	_, auditorSecret := newUser("auditor@example.com", cradle.RoleAuditor)
	admin, dev, auditor := oaBearer(adminSecret), oaBearer(devSecret), oaBearer(auditorSecret)

	// Meta.
	c.call(nil, "GET", "/healthz", nil, 200)
	c.call(oaBearer("cradle_wrong"), "GET", "/healthz", nil, 200) // public routes ignore bad credentials
	doc, _ := c.call(nil, "GET", "/api/v1/openapi.json", nil, 200)
	if !bytes.Equal(doc, openAPIDoc) {
		t.Error("GET /api/v1/openapi.json does not serve openapi.json")
	}
	c.call(admin, "GET", "/api/v1/me", nil, 200)
	c.call(nil, "GET", "/api/v1/me", nil, 401)
	c.call(nil, "GET", "/api/v1/me", nil, 401, oaHeader("Authorization", "Basic YTpi"))

	// Products.
	widget := map[string]any{
		"name": "Widget", "description": "A widget.", "manufacturer": "Example GmbH",
		"intended_purpose": "Widgeting.", "cra_class": "important-class-i",
		"support_start": "2025-01-01", "support_end": "2030-12-31", "support_rationale": "Five years and change.",
	}
	b, resp := c.call(admin, "POST", "/api/v1/products", widget, 201)
	if p := oaDecode[cradle.Product](t, b); p.Name != "Widget" || resp.Header.Get("Location") != "/api/v1/products/Widget" {
		t.Errorf("created product %+v at %s", p, resp.Header.Get("Location"))
	}
	c.call(admin, "POST", "/api/v1/products", map[string]any{"name": "Gadget"}, 201)
	c.call(admin, "POST", "/api/v1/products", widget, 409)
	c.call(admin, "POST", "/api/v1/products", map[string]any{"name": "", "cra_class": "essential", "support_start": "soon"}, 400)
	c.call(admin, "POST", "/api/v1/products", map[string]any{"name": "X", "colour": "red"}, 400)
	c.call(admin, "POST", "/api/v1/products", `{"name": 1}`, 400)
	c.call(admin, "POST", "/api/v1/products", `{"name": "X"`, 400)
	c.call(admin, "POST", "/api/v1/products", `{"name": "X"} {}`, 400)
	c.call(admin, "POST", "/api/v1/products", `{"name": "X", "description": "`+strings.Repeat("a", 1<<20)+`"}`, 413)
	c.call(dev, "POST", "/api/v1/products", map[string]any{"name": "Devs"}, 403)
	c.call(nil, "POST", "/api/v1/products", map[string]any{"name": "Anon"}, 401)
	c.call(admin, "GET", "/api/v1/products", nil, 200)
	c.call(auditor, "GET", "/api/v1/products?page=2&per_page=1", nil, 200)
	c.call(admin, "GET", "/api/v1/products?per_page=501", nil, 400)
	c.call(admin, "GET", "/api/v1/products?page=zero", nil, 400)
	c.call(nil, "GET", "/api/v1/products", nil, 401)
	c.call(admin, "GET", "/api/v1/products/Widget", nil, 200)
	c.call(admin, "GET", "/api/v1/products/Nope", nil, 404)
	widget["cra_class"] = "critical"
	c.call(admin, "PUT", "/api/v1/products/Widget", widget, 200)
	c.call(admin, "PUT", "/api/v1/products/Nope", widget, 404)
	c.call(admin, "PUT", "/api/v1/products/Gadget", widget, 409)
	c.call(admin, "PUT", "/api/v1/products/Gadget", map[string]any{"name": "Gadget", "support_start": "2030-01-01", "support_end": "2029-01-01"}, 400)
	c.call(dev, "PUT", "/api/v1/products/Gadget", map[string]any{"name": "Gadget"}, 403)

	// Releases.
	const rel = "/api/v1/products/Widget/releases/1.0.0"
	b, resp = c.call(admin, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "1.0.0", "release_date": "2025-01-15", "lifecycle": "released"}, 201)
	if r := oaDecode[cradle.Release](t, b); r.ProductName != "Widget" || resp.Header.Get("Location") != rel {
		t.Errorf("created release %+v at %s", r, resp.Header.Get("Location"))
	}
	c.call(dev, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "2.0.0"}, 201)
	c.call(admin, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "1.0.0"}, 409)
	c.call(admin, "POST", "/api/v1/products/Nope/releases", map[string]any{"version": "1.0.0"}, 404)
	c.call(admin, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": " ", "lifecycle": "beta"}, 400)
	c.call(auditor, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "3.0.0"}, 403)
	c.call(admin, "GET", "/api/v1/products/Widget/releases", nil, 200)
	c.call(admin, "GET", "/api/v1/products/Nope/releases", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Widget/releases?per_page=-1", nil, 400)
	c.call(admin, "GET", rel, nil, 200)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9", nil, 404)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/2.0.0", map[string]any{"release_date": "2026-02-01", "lifecycle": "end-of-support"}, 200)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/2.0.0", map[string]any{"version": "1.0.0"}, 409)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/2.0.0", map[string]any{"release_date": "1 Feb 2026"}, 400)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/9.9.9", map[string]any{}, 404)

	// SBOMs: before any import.
	c.call(admin, "GET", rel+"/sbom", nil, 404)
	c.call(admin, "GET", rel+"/components", nil, 200)
	c.call(admin, "GET", rel+"/sboms", nil, 200)

	// Import, re-import, replace, reinstate.
	first := oaCycloneDXJSON("3e671687-395b-41f5-a30f-a58921a69b79")
	second := bytes.Replace(oaCycloneDXJSON("0b0cbb4c-2e0c-4bfb-8a4c-0f9d0bd9a0c1"), []byte(`"1.3.0"`), []byte(`"1.3.1"`), 1)
	b, _ = c.call(dev, "POST", rel+"/sboms?filename=widget.cdx.json", first, 201)
	imp := oaDecode[store.ImportResult](t, b)
	if imp.Unchanged || imp.Document.ComponentCount != 3 || imp.Document.EdgeCount != 2 {
		t.Errorf("first import: %+v", imp)
	}
	b, _ = c.call(admin, "POST", rel+"/sboms", first, 200)
	if !oaDecode[store.ImportResult](t, b).Unchanged {
		t.Errorf("re-import of the current SBOM: %s", b)
	}
	b, _ = c.call(admin, "POST", rel+"/sboms", second, 201)
	if r := oaDecode[store.ImportResult](t, b); r.Replaced != imp.Document.ID {
		t.Errorf("second import: %s", b)
	}
	b, _ = c.call(admin, "POST", rel+"/sboms", first, 200) // reinstated
	if r := oaDecode[store.ImportResult](t, b); r.Document.ID != imp.Document.ID || !r.Document.Current || !r.Reinstated {
		t.Errorf("reinstating import: %s", b)
	}
	c.call(admin, "POST", rel+"/sboms?filename=bad.cdx.json", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 7}]}`, 400)
	c.call(admin, "POST", rel+"/sboms", "this is not an SBOM", 400)
	c.call(admin, "POST", rel+"/sboms", bytes.Repeat([]byte(" "), uploadLimit+1), 413)
	c.call(admin, "POST", "/api/v1/products/Widget/releases/9.9.9/sboms", first, 404)
	c.call(auditor, "POST", rel+"/sboms", first, 403)
	c.call(oaSession(oaNewSession(t, db, adminUser), false), "POST", rel+"/sboms", first, 403)

	// SBOM history and content.
	b, _ = c.call(admin, "GET", rel+"/sboms", nil, 200)
	docs := oaDecode[List[cradle.SBOMDocument]](t, b)
	if docs.Total != 2 {
		t.Errorf("SBOM history: %s", b)
	}
	sbomPath := rel + "/sboms/" + strconv.FormatInt(imp.Document.ID, 10)
	b, resp = c.call(admin, "GET", sbomPath, nil, 200)
	if !bytes.Equal(b, first) {
		t.Errorf("SBOM content differs from the upload")
	}
	c.call(admin, "GET", sbomPath, nil, 304, oaHeader("If-None-Match", resp.Header.Get("ETag")))
	c.call(admin, "GET", sbomPath, nil, 206, oaHeader("Range", "bytes=0-9"))
	c.call(admin, "GET", sbomPath, nil, 416, oaHeader("Range", "bytes=999999-"))
	c.call(admin, "GET", sbomPath, nil, 412, oaHeader("If-Match", `"0000"`))
	// The other encodings come back with their own content types.
	const rel2 = "/api/v1/products/Widget/releases/2.0.0"
	b, _ = c.call(admin, "POST", rel2+"/sboms?filename=widget.cdx.xml", oaCycloneDXXML, 201, oaHeader("Content-Type", "application/xml"))
	xmlDoc := oaDecode[store.ImportResult](t, b).Document
	c.call(admin, "GET", rel2+"/sboms/"+strconv.FormatInt(xmlDoc.ID, 10), nil, 200)
	c.call(admin, "POST", "/api/v1/products/Gadget/releases", map[string]any{"version": "1"}, 201)
	b, _ = c.call(admin, "POST", "/api/v1/products/Gadget/releases/1/sboms?filename=gadget.spdx", oaSPDXTagValue, 201, oaHeader("Content-Type", "text/plain"))
	tvDoc := oaDecode[store.ImportResult](t, b).Document
	c.call(admin, "GET", "/api/v1/products/Gadget/releases/1/sboms/"+strconv.FormatInt(tvDoc.ID, 10), nil, 200)
	c.call(admin, "POST", "/api/v1/products/Gadget/releases/1/sboms", oaSPDXTagValue, 200, oaHeader("Content-Type", "application/octet-stream"))
	c.call(admin, "GET", rel+"/sboms/first", nil, 400)
	c.call(admin, "GET", rel+"/sboms/99999", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/2.0.0/sboms/"+strconv.FormatInt(imp.Document.ID, 10), nil, 404)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/sboms", nil, 404)

	// Export.
	for _, f := range cradle.ExportFormats {
		c.call(admin, "GET", rel+"/sbom?format="+f, nil, 200)
	}
	c.call(admin, "GET", rel+"/sbom", nil, 200)
	c.call(admin, "GET", rel+"/sbom?format=pdf", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Nope/releases/1.0.0/sbom", nil, 404)

	// Components of a release.
	b, _ = c.call(admin, "GET", rel+"/components", nil, 200)
	comps := oaDecode[List[cradle.Component]](t, b)
	if comps.Total != 3 {
		t.Errorf("components: %s", b)
	}
	c.call(admin, "GET", rel+"/components?relation=direct", nil, 200)
	c.call(admin, "GET", rel+"/components?relation=transitive&q=pad", nil, 200)
	c.call(admin, "GET", rel+"/components?q=pkg:npm/left-pad", nil, 200)
	c.call(admin, "GET", rel+"/components?relation=root", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/components", nil, 404)
	for _, comp := range comps.Items {
		c.call(admin, "GET", rel+"/components/"+strconv.FormatInt(comp.ID, 10), nil, 200)
	}
	c.call(admin, "GET", rel+"/components/0", nil, 400)
	c.call(admin, "GET", rel+"/components/99999", nil, 404)

	// Search.
	c.call(admin, "GET", "/api/v1/components?q=left", nil, 200)
	c.call(dev, "GET", "/api/v1/components?q=pkg:npm/&per_page=1", nil, 200)
	c.call(admin, "GET", "/api/v1/components?q=nothing-like-it", nil, 200)
	c.call(admin, "GET", "/api/v1/components", nil, 400)

	// Findings and vulnerabilities, from real advisories (testdata/osv):
	// a released Go service ships golang.org/x/net v0.17.0 (GO-2024-3333,
	// given a KEV entry and an EPSS score), paho.mqtt.golang v1.4.3
	// (GO-2025-4173) and gorilla/websocket v1.5.0 (the made-up, CVSS-scored
	// CRADLE-TEST-0001).
	c.call(admin, "GET", "/api/v1/vulndb/status", nil, 200) // nothing loaded yet
	c.call(admin, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "3.0.0", "lifecycle": "released"}, 201)
	const rel3 = "/api/v1/products/Widget/releases/3.0.0"
	c.call(dev, "POST", rel3+"/sboms?filename=svc.cdx.json", goSBOM("v0.17.0"), 201)
	if ch := loadVulnData(t, db); ch.New != 3 {
		t.Errorf("findings after loading the advisories: %+v, want 3 new", ch)
	}
	b, _ = c.call(auditor, "GET", "/api/v1/findings", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 3 || !fs.Items[0].KEV || fs.Items[0].GroupID != "CVE-2024-45338" ||
		fs.Items[0].EPSS == 0 || fs.Items[1].Rating != "critical" || fs.Items[1].Score != 9.8 {
		t.Errorf("findings, most urgent first: %s", b)
	}
	c.call(admin, "GET", "/api/v1/findings?product=Widget&release=3.0.0&per_page=1&page=2", nil, 200)
	b, _ = c.call(admin, "GET", "/api/v1/findings?kev=true", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 1 {
		t.Errorf("KEV-listed findings: %s", b)
	}
	b, _ = c.call(admin, "GET", "/api/v1/findings?severity=high&fix_available=true&since=2020-01-01", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 1 || fs.Items[0].VulnID != "CRADLE-TEST-0001" {
		t.Errorf("high or worse with a fix: %s", b)
	}
	c.call(admin, "GET", "/api/v1/findings?since=2999-01-01", nil, 200)
	c.call(admin, "GET", "/api/v1/findings?release=3.0.0", nil, 400)
	b, _ = c.call(admin, "GET", "/api/v1/findings?severity=urgent&kev=maybe&since=yesterday", nil, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 3 {
		t.Errorf("three bad filters: %s", b)
	}
	c.call(admin, "GET", "/api/v1/findings?per_page=501", nil, 400)
	c.call(admin, "GET", "/api/v1/findings?product=Nope", nil, 404)
	c.call(admin, "GET", "/api/v1/findings?product=Widget&release=9.9.9", nil, 404)
	for _, id := range []string{"CVE-2024-45338", "GHSA-w32m-9786-jp63", "GO-2024-3333"} {
		b, _ = c.call(dev, "GET", "/api/v1/vulns/"+id, nil, 200)
		if g := oaDecode[VulnGroup](t, b); g.ID != "CVE-2024-45338" || len(g.Records) != 1 || g.Records[0].ID != "GO-2024-3333" || g.FindingsTotal != 1 {
			t.Errorf("vulnerability %s: %s", id, b)
		}
	}
	c.call(admin, "GET", "/api/v1/vulns/CVE-2099-0001", nil, 200) // with severities
	b, _ = c.call(admin, "GET", "/api/v1/vulns/GO-2023-1988", nil, 200)
	if g := oaDecode[VulnGroup](t, b); g.FindingsTotal != 0 {
		t.Errorf("a vulnerability no release ships: %s", b)
	}
	c.call(admin, "GET", "/api/v1/vulns/CVE-1999-0001", nil, 404)
	b, _ = c.call(auditor, "GET", "/api/v1/vulns/GHSA-32fw-gq77-f2f2/impact", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 1 || fs.Items[0].Product != "Widget" || fs.Items[0].Release != "3.0.0" {
		t.Errorf("impact: %s", b)
	}
	c.call(admin, "GET", "/api/v1/vulns/GO-2023-1988/impact", nil, 200)
	c.call(admin, "GET", "/api/v1/vulns/CVE-1999-0001/impact", nil, 404)
	c.call(admin, "GET", "/api/v1/vulns/CVE-2024-45338/impact?per_page=x", nil, 400)
	b, _ = c.call(auditor, "GET", "/api/v1/vulndb/status", nil, 200)
	if st := oaDecode[VulnStatus](t, b); len(st.Sources) != 2 || st.Loaded["osv:Go"] != 3 || st.Loaded["kev"] != 1 || st.Loaded["epss"] != 1 {
		t.Errorf("vulndb status: %s", b)
	}
	// A new SBOM without the vulnerable x/net resolves that finding.
	b, _ = c.call(admin, "POST", rel3+"/sboms?filename=svc.cdx.json", goSBOM("v0.33.0"), 201)
	if r := oaDecode[monitor.SBOMResult](t, b); r.Findings == nil || r.Findings.Resolved != 1 || r.Findings.Still != 2 {
		t.Errorf("import resolving a finding: %s", b)
	}
	b, _ = c.call(admin, "GET", "/api/v1/findings?all=true&kev=true", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 1 || fs.Items[0].ResolvedAt.IsZero() {
		t.Errorf("resolved findings with all=true: %s", b)
	}
	b, _ = c.call(admin, "POST", "/api/v1/vulndb/rematch", nil, 200)
	if ch := oaDecode[store.FindingChanges](t, b); ch.New != 0 || ch.Still != 2 || ch.Resolved != 0 {
		t.Errorf("rematch: %s", b)
	}
	c.call(dev, "POST", "/api/v1/vulndb/rematch", nil, 403)
	c.call(auditor, "POST", "/api/v1/vulndb/rematch", nil, 403)

	// Events: the imports above recorded notices (new findings for
	// Widget 3.0.0, and GO-2024-3333 on the KEV list in a released
	// product: CRA Art. 14).
	b, _ = c.call(auditor, "GET", "/api/v1/events", nil, 200)
	notices := oaDecode[List[cradle.Notice]](t, b)
	kinds := map[string]bool{}
	for _, n := range notices.Items {
		kinds[n.Kind] = true
	}
	if notices.Total == 0 || !kinds[cradle.NoticeNewFindings] || !kinds[cradle.NoticeKEV] {
		t.Errorf("events after the imports: %s", b)
	}
	for _, n := range notices.Items {
		if p := oaDecode[map[string]any](t, n.Payload); n.Kind == cradle.NoticeKEV && p["cra_article_14"] != true {
			t.Errorf("KEV notice for a released product without CRA Art. 14: %s", n.Payload)
		}
	}
	c.call(dev, "GET", "/api/v1/events?since=2020-01-01&per_page=1&page=2", nil, 200)
	b, _ = c.call(admin, "GET", "/api/v1/events?since=2999-01-01", nil, 200)
	if l := oaDecode[List[cradle.Notice]](t, b); l.Total != 0 || l.Items == nil {
		t.Errorf("events since 2999: %s", b)
	}
	b, _ = c.call(admin, "GET", "/api/v1/events?since=yesterday", nil, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 1 || e.Error.Problems[0].Location != "since" {
		t.Errorf("bad since: %s", b)
	}

	// Webhooks: the secret is never returned; deliveries are queued for
	// notices recorded after the webhook.
	b, _ = c.call(admin, "GET", "/api/v1/webhooks", nil, 200)
	if string(bytes.TrimSpace(b)) != "[]" {
		t.Errorf("no webhooks yet: %s", b)
	}
	b, _ = c.call(admin, "POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/cradle", "secret": "a-very-secret-key", "kinds": []string{"finding.kev", "findings.new"}}, 201)
	if wh := oaDecode[store.Webhook](t, b); wh.ID == 0 || !wh.Active || len(wh.Kinds) != 2 || bytes.Contains(b, []byte("a-very-secret-key")) {
		t.Errorf("created webhook: %s", b)
	}
	c.call(admin, "POST", "/api/v1/webhooks", map[string]any{"url": "http://all.example.com/", "secret": "another-secret-key"}, 201)
	b, _ = c.call(admin, "POST", "/api/v1/webhooks", map[string]any{"url": "ftp://example.com", "secret": "short", "kinds": []string{"everything"}}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 3 {
		t.Errorf("invalid webhook: %s", b)
	}
	c.call(admin, "POST", "/api/v1/webhooks", map[string]any{"url": "https://x.example.com", "secret": "a-very-secret-key", "events": "all"}, 400)
	c.call(dev, "POST", "/api/v1/webhooks", map[string]any{"url": "https://x.example.com", "secret": "a-very-secret-key"}, 403)
	b, _ = c.call(admin, "GET", "/api/v1/webhooks", nil, 200)
	if ws := oaDecode[[]store.Webhook](t, b); len(ws) != 2 || bytes.Contains(b, []byte("secret")) {
		t.Errorf("webhooks: %s", b)
	}
	c.call(auditor, "GET", "/api/v1/webhooks", nil, 403)
	b, _ = c.call(admin, "GET", "/api/v1/webhooks/deliveries", nil, 200)
	if l := oaDecode[List[store.Delivery]](t, b); l.Total != 0 {
		t.Errorf("deliveries before any new notice: %s", b)
	}
	// An SBOM with x/net fixed and then the vulnerable one again: the
	// finding comes back as new, a findings.new notice for both webhooks.
	c.call(dev, "POST", rel3+"/sboms?filename=svc.cdx.json", goSBOM("v0.17.0"), 200)
	b, _ = c.call(admin, "GET", "/api/v1/webhooks/deliveries?per_page=1", nil, 200)
	if l := oaDecode[List[store.Delivery]](t, b); l.Total != 2 || len(l.Items) != 1 || l.Items[0].Notice.Kind != cradle.NoticeNewFindings || l.Items[0].Attempts != 0 {
		t.Errorf("deliveries after a new finding: %s", b)
	}
	c.call(admin, "GET", "/api/v1/webhooks/deliveries?per_page=x", nil, 400)
	c.call(dev, "GET", "/api/v1/webhooks/deliveries", nil, 403)

	// Users.
	c.call(admin, "GET", "/api/v1/users", nil, 200)
	c.call(auditor, "GET", "/api/v1/users", nil, 403)
	c.call(admin, "GET", "/api/v1/users?page=0", nil, 400)
	b, _ = c.call(admin, "POST", "/api/v1/users", map[string]any{"email": "Carol@Example.com", "name": "Carol", "role": "developer", "password": "a long enough password"}, 201)
	carol := oaDecode[cradle.User](t, b)
	c.call(admin, "POST", "/api/v1/users", map[string]any{"email": "svc@example.com", "role": "auditor"}, 201)
	c.call(admin, "POST", "/api/v1/users", map[string]any{"email": "carol@example.com", "role": "developer"}, 409)
	c.call(admin, "POST", "/api/v1/users", map[string]any{"email": "not an address", "role": "boss", "password": "short"}, 400)
	c.call(dev, "POST", "/api/v1/users", map[string]any{"email": "x@example.com", "role": "admin"}, 403)
	carolPath := "/api/v1/users/" + strconv.FormatInt(carol.ID, 10)
	c.call(admin, "PUT", carolPath, map[string]any{"name": "Carol C.", "role": "security-officer", "password": "another long password"}, 200)
	c.call(admin, "PUT", carolPath, map[string]any{"name": "Carol C.", "role": "security-officer", "disabled": true}, 200)
	c.call(admin, "PUT", carolPath, map[string]any{"name": "Carol C."}, 400)
	c.call(admin, "PUT", "/api/v1/users/99999", map[string]any{"role": "auditor"}, 404)
	c.call(admin, "PUT", "/api/v1/users/carol", map[string]any{"role": "auditor"}, 400)

	// Tokens.
	c.call(admin, "GET", "/api/v1/tokens", nil, 200)
	c.call(dev, "GET", "/api/v1/tokens", nil, 403)
	c.call(admin, "GET", "/api/v1/tokens?per_page=x", nil, 400)
	b, _ = c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "ci", "role": "security-officer", "user_id": carol.ID,
		"expires_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}, 201)
	ci := oaDecode[TokenCreated](t, b)
	b, _ = c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "mine", "role": "auditor"}, 201)
	mine := oaDecode[TokenCreated](t, b)
	b, _ = c.call(oaBearer(mine.Secret), "GET", "/api/v1/me", nil, 200)
	if me := oaDecode[map[string]any](t, b); me["token"] != "mine" || me["role"] != "auditor" {
		t.Errorf("me with a token: %s", b)
	}
	c.call(oaBearer(ci.Secret), "GET", "/api/v1/me", nil, 401) // carol is disabled
	c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "wide", "role": "admin", "user_id": carol.ID}, 400)
	c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "ghost", "role": "auditor", "user_id": 99999}, 400)
	c.call(dev, "POST", "/api/v1/tokens", map[string]any{"name": "self", "role": "developer"}, 403)
	c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "", "role": "root"}, 400)
	c.call(admin, "POST", "/api/v1/tokens", map[string]any{"name": "x", "role": "auditor", "expires_at": "tomorrow"}, 400)
	c.call(admin, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(ci.Token.ID, 10), nil, 204)
	c.call(admin, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(ci.Token.ID, 10), nil, 404)
	c.call(admin, "DELETE", "/api/v1/tokens/ci", nil, 400)
	c.call(auditor, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(mine.Token.ID, 10), nil, 403)
	c.call(admin, "GET", "/api/v1/tokens", nil, 200) // now with last_used_at and expires_at

	// Sessions: cookie plus CSRF header for writes.
	sess := oaNewSession(t, db, adminUser)
	c.call(oaSession(sess, false), "GET", "/api/v1/me", nil, 200)
	c.call(oaSession(sess, false), "POST", "/api/v1/products", map[string]any{"name": "Cookie"}, 403)
	c.call(oaSession(sess, true), "POST", "/api/v1/products", map[string]any{"name": "Cookie"}, 201)
	c.call(oaSession(&store.Session{Token: "stale"}, false), "GET", "/api/v1/products", nil, 401)

	// Audit.
	c.call(auditor, "GET", "/api/v1/audit", nil, 200)
	c.call(admin, "GET", "/api/v1/audit?entity_type=release&entity_id=1&per_page=5", nil, 200)
	c.call(admin, "GET", "/api/v1/audit?page=-3", nil, 400)
	c.call(dev, "GET", "/api/v1/audit", nil, 403)
	b, _ = c.call(auditor, "GET", "/api/v1/audit/verify", nil, 200)
	if rep := oaDecode[store.AuditReport](t, b); !rep.Intact {
		t.Errorf("audit verify: %s", b)
	}
	c.call(dev, "GET", "/api/v1/audit/verify", nil, 403)

	// Vulnerability handling, from a case to the published advisory: the
	// KEV-listed x/net vulnerability (CVE-2024-45338) that Widget 3.0.0
	// ships. Widget is made available in three Member States.
	widget["member_states"] = []string{"de", "EL", "FR", "DE"}
	widget["model_numbers"] = []string{"WG-100", " "}
	b, _ = c.call(admin, "PUT", "/api/v1/products/Widget", widget, 200)
	if p := oaDecode[cradle.Product](t, b); !slices.Equal(p.MemberStates, []string{"DE", "FR", "GR"}) || !slices.Equal(p.ModelNumbers, []string{"WG-100"}) {
		t.Errorf("product with Member States and model numbers: %s", b)
	}
	c.call(admin, "PUT", "/api/v1/products/Gadget", map[string]any{"name": "Gadget", "member_states": []string{"XX"}}, 400)
	c.call(auditor, "GET", "/api/v1/cases", nil, 200)
	aware := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	b, resp = c.call(dev, "POST", "/api/v1/cases", map[string]any{"title": "HTML parser spins on crafted input", "vuln_id": "CVE-2024-45338",
		"component": "pkg:golang/golang.org/x/net@v0.17.0", "description": "Quadratic parsing of crafted HTML exhausts the CPU.", "suggest": true,
		"cvss_v3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "cwe": "CWE-400", "aware_at": aware.Format(time.RFC3339)}, 201)
	kase := oaDecode[CaseView](t, b)
	if kase.Case == nil || kase.Ref != "CASE-1" || resp.Header.Get("Location") != "/api/v1/cases/CASE-1" || len(kase.Releases) != 1 ||
		kase.Releases[0].Version != "3.0.0" || kase.Rating != "high" || len(kase.Deadlines) != 0 || kase.DueAt.IsZero() {
		t.Errorf("opened case: %s", b)
	}
	c.call(admin, "POST", "/api/v1/cases", map[string]any{"title": " ", "cvss_v3": "CVSS:3.1/AV:N"}, 400)
	c.call(admin, "POST", "/api/v1/cases", map[string]any{"title": "Unknown release", "releases": []map[string]any{{"product": "Widget", "version": "9.9.9", "status": "affected"}}}, 400)
	c.call(auditor, "POST", "/api/v1/cases", map[string]any{"title": "Auditors only read"}, 403)
	b, _ = c.call(admin, "GET", "/api/v1/cases?state=open&due=due-soon&exploited=false&product=Widget&type=vulnerability&q=html&per_page=10", nil, 200)
	if l := oaDecode[List[cradle.Case]](t, b); l.Total != 0 {
		t.Errorf("cases due soon: %s", b)
	}
	b, _ = c.call(admin, "GET", "/api/v1/cases?state=open&product=Widget&q=HTML", nil, 200)
	if l := oaDecode[List[cradle.Case]](t, b); l.Total != 1 || l.Items[0].Ref != "CASE-1" {
		t.Errorf("open cases of Widget: %s", b)
	}
	c.call(admin, "GET", "/api/v1/cases?state=pending", nil, 400)
	c.call(admin, "GET", "/api/v1/cases?product=Nope", nil, 404)
	c.call(auditor, "GET", "/api/v1/cases/CASE-1", nil, 200)
	c.call(admin, "GET", "/api/v1/cases/CASE-99", nil, 404)
	c.call(admin, "GET", "/api/v1/cases/first", nil, 404)
	b, _ = c.call(auditor, "GET", "/api/v1/case-suggestions/exploited", nil, 200)
	if l := oaDecode[struct{ Items []cradle.Case }](t, b); len(l.Items) != 1 || l.Items[0].Ref != "CASE-1" {
		t.Errorf("suggested as actively exploited: %s", b)
	}

	// Triage, then a VEX decision for every release shipping x/net v0.17.0.
	b, _ = c.call(admin, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"validity": "valid", "decision": "fix", "owner": "ada", "root_cause": "quadratic parsing", "title": nil}, 200)
	if v := oaDecode[CaseView](t, b); v.Decision != "fix" || v.DecidedBy == "" || v.Title != kase.Title {
		t.Errorf("triaged case: %s", b)
	}
	c.call(admin, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"decision": "defer"}, 400)
	c.call(admin, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"cvss_v4": "CVSS:4.0/AV:N"}, 400)
	c.call(admin, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"priority": "high"}, 400)
	c.call(admin, "PATCH", "/api/v1/cases/CASE-99", map[string]any{"owner": "bob"}, 404)
	c.call(dev, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"owner": "dev"}, 403)
	b, _ = c.call(admin, "POST", "/api/v1/cases/CASE-1/decision", map[string]any{"status": "affected", "action_statement": "Update to Widget 3.0.1."}, 200)
	if r := oaDecode[DecisionResult](t, b); len(r.Decisions) != 1 || r.Decisions[0].Package != "golang.org/x/net" || r.Decisions[0].CaseRef != "CASE-1" {
		t.Errorf("decision: %s", b)
	}
	c.call(admin, "POST", "/api/v1/cases/CASE-1/decision", map[string]any{"status": "not_affected"}, 400)
	c.call(admin, "POST", "/api/v1/cases/CASE-99/decision", map[string]any{"status": "fixed"}, 404)
	c.call(dev, "POST", "/api/v1/cases/CASE-1/decision", map[string]any{"status": "fixed"}, 403)
	c.call(auditor, "GET", "/api/v1/decisions", nil, 200)
	c.call(admin, "GET", "/api/v1/decisions?product=Nope", nil, 404)
	b, _ = c.call(admin, "GET", "/api/v1/decisions?product=Widget", nil, 200)
	if r := oaDecode[DecisionResult](t, b); len(r.Decisions) != 1 {
		t.Errorf("decisions of Widget: %s", b)
	}
	b, _ = c.call(admin, "GET", "/api/v1/findings?product=Widget&kev=true", nil, 200)
	if fs := oaDecode[List[cradle.Finding]](t, b); fs.Total != 1 || fs.Items[0].VEXStatus != cradle.VEXAffected || fs.Items[0].VEXCase != "CASE-1" {
		t.Errorf("finding with its decision: %s", b)
	}

	// CRA Art. 14: only once it is marked actively exploited.
	c.call(admin, "GET", "/api/v1/cases/CASE-1/art14/early_warning", nil, 409)
	b, _ = c.call(admin, "PATCH", "/api/v1/cases/CASE-1", map[string]any{"actively_exploited": true}, 200)
	if v := oaDecode[CaseView](t, b); !v.Exploited || len(v.Deadlines) != 3 {
		t.Errorf("case marked actively exploited: %s", b)
	}
	for _, stage := range cradle.Art14Stages {
		b, _ = c.call(admin, "GET", "/api/v1/cases/CASE-1/art14/"+stage, nil, 200)
		if d := oaDecode[Art14Draft](t, b); d.Case != "CASE-1" || d.Stage != stage || len(d.Fields) == 0 {
			t.Errorf("%s draft: %s", stage, b)
		}
	}
	c.call(admin, "GET", "/api/v1/cases/CASE-1/art14/weekly", nil, 400)
	c.call(admin, "GET", "/api/v1/cases/CASE-99/art14/final", nil, 404)
	c.call(dev, "GET", "/api/v1/cases/CASE-1/art14/early_warning", nil, 403)
	b, _ = c.call(admin, "POST", "/api/v1/cases/CASE-1/art14", map[string]any{"stage": "early_warning", "reference": "SRP-1",
		"content": map[string]string{"summary": "Actively exploited."}}, 201)
	if sub := oaDecode[cradle.Art14Submission](t, b); sub.ID == 0 || sub.SubmittedAt.IsZero() || sub.SubmittedBy == "" {
		t.Errorf("submission: %s", b)
	}
	c.call(admin, "POST", "/api/v1/cases/CASE-1/art14", map[string]any{"stage": "weekly"}, 400)
	c.call(admin, "POST", "/api/v1/cases/CASE-1/art14", map[string]any{"stage": "notification", "submitted_at": "yesterday"}, 400)
	c.call(admin, "POST", "/api/v1/cases/CASE-99/art14", map[string]any{"stage": "final"}, 404)
	c.call(dev, "POST", "/api/v1/cases/CASE-1/art14", map[string]any{"stage": "final"}, 403)
	b, _ = c.call(dev, "GET", "/api/v1/cases/CASE-1", nil, 200)
	if v := oaDecode[CaseView](t, b); len(v.Submissions) != 1 || v.Deadlines[0].State != cradle.DeadlineSubmitted || v.Deadlines[2].State != cradle.DeadlineWaiting {
		t.Errorf("case with a submission: %s", b)
	}
	b, _ = c.call(auditor, "GET", "/api/v1/cases?exploited=true", nil, 200)
	if l := oaDecode[List[cradle.Case]](t, b); l.Total != 1 {
		t.Errorf("cases with Art. 14 obligations: %s", b)
	}

	// Reviews, the remediation policy, the CVSS calculator.
	b, _ = c.call(auditor, "GET", "/api/v1/case-reviews", nil, 200)
	if l := oaDecode[ReviewList](t, b); l.Items == nil || len(l.Items) != 0 {
		t.Errorf("no reviews yet: %s", b)
	}
	b, _ = c.call(admin, "POST", "/api/v1/case-reviews", map[string]any{"notes": "Weekly review: CASE-1 is on track."}, 201)
	if rv := oaDecode[cradle.CaseReview](t, b); rv.OpenCases != 1 || !slices.Equal(rv.Cases, []string{"CASE-1"}) {
		t.Errorf("review: %s", b)
	}
	c.call(admin, "POST", "/api/v1/case-reviews", map[string]any{"notes": " "}, 400)
	c.call(dev, "POST", "/api/v1/case-reviews", map[string]any{"notes": "Looks fine."}, 403)
	c.call(dev, "GET", "/api/v1/case-reviews", nil, 200)
	b, _ = c.call(auditor, "GET", "/api/v1/settings/remediation-policy", nil, 200)
	if p := oaDecode[cradle.RemediationPolicy](t, b); p != cradle.DefaultRemediationPolicy {
		t.Errorf("default policy: %s", b)
	}
	policy := map[string]any{"critical": 5, "high": 30, "medium": 90, "low": 180, "unknown": 30, "review_every_days": 14}
	c.call(admin, "PUT", "/api/v1/settings/remediation-policy", policy, 200)
	c.call(admin, "PUT", "/api/v1/settings/remediation-policy", map[string]any{"critical": 90, "high": 30, "medium": 0, "low": 180, "unknown": 30, "review_every_days": 30}, 400)
	c.call(dev, "PUT", "/api/v1/settings/remediation-policy", policy, 403)
	b, _ = c.call(auditor, "POST", "/api/v1/cvss", map[string]any{"vectors": []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/CR:H",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", "CVSS:3.1/AV:N/AC:Z"}}, 200)
	if r := oaDecode[CVSSResult](t, b); len(r.Scores) != 4 || r.Scores[0].Score == nil || r.Scores[0].Score.Temporal == nil ||
		r.Scores[1].Score.Rating != cvss.RatingCritical || r.Scores[3].Score != nil || len(r.Scores[3].Problems) == 0 {
		t.Errorf("CVSS calculator: %s", b)
	}
	c.call(admin, "POST", "/api/v1/cvss", map[string]any{"vectors": []string{}}, 400)

	// The public intake. Every request from one address draws on its
	// burst of 5 (whatever its outcome); the sixth is refused.
	attach := func(data string) []map[string]string {
		return []map[string]string{{"filename": "../poc.txt", "content_type": "text/plain; charset=utf-8", "data": data}}
	}
	report := map[string]any{"product": "Widget", "version": "3.0.0", "title": "Login bypass", "description": "An empty password signs in as the first user.",
		"attachments": attach(base64.StdEncoding.EncodeToString([]byte("curl -d user=admin -d password= https://widget/login\n")))}
	b, _ = c.call(nil, "POST", "/api/v1/intake", report, 201) // 1
	receipt := oaDecode[IntakeReceipt](t, b)
	statusPath := "/api/v1/intake/" + receipt.TrackingID + "/status"
	if receipt.TrackingID == "" || receipt.Token == "" || !strings.Contains(receipt.StatusURL, receipt.Token) {
		t.Errorf("receipt: %s", b)
	}
	b, _ = c.call(nil, "GET", statusPath+"?t="+url.QueryEscape(receipt.Token), nil, 200)
	if st := oaDecode[IntakeStatus](t, b); st.Status != cradle.IntakeReceived || st.Title != "Login bypass" {
		t.Errorf("status for the reporter: %s", b)
	}
	c.call(nil, "GET", statusPath+"?t=wrong", nil, 404)
	c.call(nil, "GET", statusPath, nil, 404)
	c.call(nil, "GET", "/api/v1/intake/VR-NONE-0000/status?t="+url.QueryEscape(receipt.Token), nil, 404)
	c.call(nil, "POST", "/api/v1/intake", map[string]any{"product": "Widget", "title": "Bad file", "description": "The attachment is not base64 at all.",
		"attachments": attach("not base64!")}, 400) // 2
	c.call(nil, "POST", "/api/v1/intake", map[string]any{"product": "Widget", "title": "Short", "description": "Too short."}, 400) // 3
	c.call(nil, "POST", "/api/v1/intake", `{"product": "Widget", "description": "`+strings.Repeat("x", intakeMaxBody)+`"}`, 413)   // 4
	b, _ = c.call(oaBearer("cradle_wrong"), "POST", "/api/v1/intake", map[string]any{"product": "Gadget", "title": "Default credentials",
		"description": "Every Gadget ships with the same admin password.", "contact_name": "Jane Researcher", "contact_email": "jane@example.org"}, 201) // 5
	receipt2 := oaDecode[IntakeReceipt](t, b)
	_, resp = c.call(nil, "POST", "/api/v1/intake", report, 429) // 6
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// The PSIRT's inbox.
	b, _ = c.call(admin, "GET", "/api/v1/intake", nil, 200)
	if l := oaDecode[List[cradle.IntakeReport]](t, b); l.Total != 2 {
		t.Errorf("reports: %s", b)
	}
	c.call(admin, "GET", "/api/v1/intake?status=received&per_page=1&page=2", nil, 200)
	c.call(admin, "GET", "/api/v1/intake?status=bogus", nil, 400)
	c.call(dev, "GET", "/api/v1/intake", nil, 403)
	b, _ = c.call(admin, "GET", "/api/v1/intake/"+receipt.TrackingID, nil, 200)
	if r := oaDecode[cradle.IntakeReport](t, b); len(r.Attachments) != 1 || r.Attachments[0].Filename != "poc.txt" || r.Attachments[0].Size == 0 {
		t.Errorf("report with its attachment: %s", b)
	}
	c.call(admin, "GET", "/api/v1/intake/VR-NONE-0000", nil, 404)
	c.call(dev, "GET", "/api/v1/intake/"+receipt.TrackingID, nil, 403)
	c.call(admin, "PUT", "/api/v1/intake/"+receipt.TrackingID, map[string]any{"status": "rejected", "status_note": "Works as designed: the first user has no password until set."}, 200)
	c.call(admin, "PUT", "/api/v1/intake/"+receipt.TrackingID, map[string]any{"status": "lost"}, 400)
	c.call(admin, "PUT", "/api/v1/intake/VR-NONE-0000", map[string]any{"status": "rejected"}, 404)
	c.call(dev, "PUT", "/api/v1/intake/"+receipt.TrackingID, map[string]any{"status": "accepted"}, 403)
	b, _ = c.call(nil, "GET", statusPath+"?t="+url.QueryEscape(receipt.Token), nil, 200)
	if st := oaDecode[IntakeStatus](t, b); st.Status != cradle.IntakeRejected || st.StatusNote == "" {
		t.Errorf("status after the decision: %s", b)
	}
	// The second report opens a case in own code, with no known
	// vulnerability ID: no component decision, no Art. 14 report.
	b, _ = c.call(admin, "POST", "/api/v1/cases", map[string]any{"title": "Default credentials", "source": "intake", "intake_id": receipt2.TrackingID,
		"product": "Gadget", "suggest": true, "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}, 201)
	if v := oaDecode[CaseView](t, b); v.Ref != "CASE-2" || v.IntakeID != receipt2.TrackingID || len(v.Releases) != 1 || v.Rating != "critical" {
		t.Errorf("case from a report: %s", b)
	}
	c.call(admin, "POST", "/api/v1/cases/CASE-2/decision", map[string]any{"status": "affected", "action_statement": "Change the password."}, 409)
	c.call(admin, "POST", "/api/v1/cases/CASE-2/art14", map[string]any{"stage": "early_warning"}, 409)
	c.call(admin, "POST", "/api/v1/cases", map[string]any{"title": "Unknown report", "intake_id": "VR-NONE-0000"}, 400)

	// Subscribers, then the security update that fixes CASE-1 (mailed to
	// Widget's subscribers).
	b, _ = c.call(admin, "GET", "/api/v1/subscribers", nil, 200)
	if string(bytes.Join(bytes.Fields(b), nil)) != `{"items":[]}` {
		t.Errorf("no subscribers yet: %s", b)
	}
	c.call(admin, "POST", "/api/v1/subscribers", map[string]any{"email": "ops@customer.example", "name": "Ops", "product": "Widget"}, 201)
	c.call(admin, "POST", "/api/v1/subscribers", map[string]any{"email": "ops@customer.example", "product": "Widget"}, 409)
	c.call(admin, "POST", "/api/v1/subscribers", map[string]any{"email": "not an address"}, 400)
	c.call(admin, "POST", "/api/v1/subscribers", map[string]any{"email": "x@customer.example", "product": "Nope"}, 404)
	c.call(dev, "POST", "/api/v1/subscribers", map[string]any{"email": "dev@customer.example"}, 403)
	b, _ = c.call(admin, "POST", "/api/v1/subscribers", map[string]any{"email": "all@customer.example"}, 201)
	everything := oaDecode[cradle.Subscriber](t, b)
	b, _ = c.call(admin, "GET", "/api/v1/subscribers", nil, 200)
	if l := oaDecode[struct{ Items []cradle.Subscriber }](t, b); len(l.Items) != 2 {
		t.Errorf("subscribers: %s", b)
	}
	c.call(dev, "GET", "/api/v1/subscribers", nil, 403)
	subPath := "/api/v1/subscribers/" + strconv.FormatInt(everything.ID, 10)
	c.call(dev, "DELETE", subPath, nil, 403)
	c.call(admin, "DELETE", subPath, nil, 204)
	c.call(admin, "DELETE", subPath, nil, 404)
	c.call(admin, "DELETE", "/api/v1/subscribers/all", nil, 400)
	b, _ = c.call(auditor, "GET", "/api/v1/security-updates", nil, 200)
	if string(bytes.Join(bytes.Fields(b), nil)) != `{"items":[]}` {
		t.Errorf("no security updates yet: %s", b)
	}
	c.call(admin, "POST", "/api/v1/products/Widget/releases", map[string]any{"version": "3.0.1", "lifecycle": "released"}, 201)
	update := map[string]any{"available_at": time.Now().UTC().Format(time.RFC3339), "summary": "Fixes CVE-2024-45338.", "install": "Install the image.",
		"verify": "Check the signature, then the version page.", "qualification": "Regression suite.", "artifact": "widget-3.0.1.img",
		"artifact_sha256": strings.Repeat("ab", 32), "cases": []string{"1"}}
	b, _ = c.call(admin, "POST", "/api/v1/products/Widget/releases/3.0.1/security-update", update, 201)
	if u := oaDecode[cradle.SecurityUpdate](t, b); !slices.Equal(u.Cases, []string{"CASE-1"}) || u.AvailableUntil.IsZero() {
		t.Errorf("security update: %s", b)
	}
	c.call(admin, "POST", "/api/v1/products/Widget/releases/3.0.1/security-update", update, 409)
	c.call(admin, "POST", "/api/v1/products/Widget/releases/3.0.0/security-update", map[string]any{"available_at": time.Now().UTC().Format(time.RFC3339), "cases": []string{"CASE-1"}}, 400)
	c.call(admin, "POST", "/api/v1/products/Widget/releases/9.9.9/security-update", update, 404)
	c.call(dev, "POST", "/api/v1/products/Widget/releases/3.0.1/security-update", update, 403)
	b, _ = c.call(auditor, "GET", "/api/v1/security-updates?product=Widget", nil, 200)
	if l := oaDecode[struct{ Items []cradle.SecurityUpdate }](t, b); len(l.Items) != 1 || !slices.Equal(l.Items[0].Cases, []string{"CASE-1"}) {
		t.Errorf("security updates of Widget: %s", b)
	}
	c.call(admin, "GET", "/api/v1/security-updates?product=Nope", nil, 404)
	b, _ = c.call(auditor, "GET", "/api/v1/reports/time-to-fix", nil, 200)
	if l := oaDecode[struct{ Items []store.TimeToFix }](t, b); len(l.Items) != 5 || l.Items[1].Rating != "high" || l.Items[1].Fixed != 1 {
		t.Errorf("time to fix: %s", b)
	}

	// PSIRT settings, the signing key and the advisory. Before the
	// settings, there is no security.txt, no provider tree, nothing to
	// sign with and no CSAF publisher.
	b, _ = c.call(auditor, "GET", "/api/v1/settings/psirt", nil, 200)
	if st := oaDecode[cradle.PSIRTSettings](t, b); st.TrackingPrefix == "" || st.BaseURL != "" {
		t.Errorf("PSIRT settings before they are saved: %s", b)
	}
	c.call(nil, "GET", "/.well-known/security.txt", nil, 404)
	c.call(nil, "GET", "/.well-known/csaf/provider-metadata.json", nil, 404)
	b, _ = c.call(auditor, "GET", "/api/v1/settings/signing-key", nil, 200)
	if k := oaDecode[SigningKeyView](t, b); k.Configured {
		t.Errorf("signing key before any: %s", b)
	}
	c.call(admin, "POST", "/api/v1/settings/signing-key", map[string]any{"generate": true}, 409)
	b, _ = c.call(auditor, "GET", "/api/v1/advisories", nil, 200)
	if string(bytes.Join(bytes.Fields(b), nil)) != `{"items":[]}` {
		t.Errorf("no advisories yet: %s", b)
	}
	advisory := map[string]any{"title": "Denial of service in Widget", "summary": "Crafted HTML makes Widget 3.0.0 spin; 3.0.1 fixes it.",
		"details": "golang.org/x/net/html parses some inputs in quadratic time.", "references": []string{"https://pkg.go.dev/vuln/GO-2024-3333"},
		"acknowledgments": []string{"Jane Researcher"}}
	b, resp = c.call(admin, "POST", "/api/v1/cases/CASE-1/advisories", advisory, 201)
	adv := oaDecode[AdvisoryView](t, b)
	advPath := "/api/v1/advisories/" + adv.TrackingID
	if adv.Advisory == nil || adv.Status != cradle.AdvisoryDraft || adv.TLP != "WHITE" || resp.Header.Get("Location") != advPath {
		t.Errorf("draft advisory at %s: %s", resp.Header.Get("Location"), b)
	}
	c.call(admin, "POST", "/api/v1/cases/CASE-1/advisories", map[string]any{"tracking_id": adv.TrackingID, "title": "Again", "summary": "Again."}, 409)
	c.call(admin, "POST", "/api/v1/cases/CASE-1/advisories", map[string]any{"title": "", "tlp": "purple", "references": []string{"ftp://x"}}, 400)
	c.call(admin, "POST", "/api/v1/cases/CASE-99/advisories", advisory, 404)
	c.call(dev, "POST", "/api/v1/cases/CASE-1/advisories", advisory, 403)
	b, _ = c.call(dev, "GET", advPath, nil, 200)
	if v := oaDecode[AdvisoryView](t, b); v.Validation != nil {
		t.Errorf("advisory validated without a publisher: %s", b)
	}
	c.call(admin, "GET", advPath+"/csaf", nil, 409)
	c.call(admin, "POST", advPath+"/publish", map[string]any{"status": "final", "summary": "Initial public release"}, 409)
	settings := map[string]any{"contacts": []string{"mailto:psirt@example.com", "https://example.com/security"}, "preferred_languages": []string{"en", "de"},
		"expires_days": 180, "base_url": "https://psirt.example.com/", "sign_security_txt": true, "cvd_policy": cradle.DefaultCVDPolicy,
		"publisher_name": "Example GmbH", "publisher_namespace": "https://example.com", "publisher_contact": "psirt@example.com",
		"tracking_prefix": "EX-SA", "intake_enabled": true, "acknowledgments_url": "https://example.com/thanks"}
	c.call(admin, "PUT", "/api/v1/settings/psirt", map[string]any{"contacts": []string{"ftp://example.com"}, "base_url": "http://x", "expires_days": 0}, 400)
	c.call(dev, "PUT", "/api/v1/settings/psirt", settings, 403)
	b, _ = c.call(admin, "PUT", "/api/v1/settings/psirt", settings, 200)
	if st := oaDecode[cradle.PSIRTSettings](t, b); st.BaseURL != "https://psirt.example.com" {
		t.Errorf("saved PSIRT settings: %s", b)
	}
	c.call(auditor, "GET", "/api/v1/settings/psirt", nil, 200)
	c.call(nil, "GET", "/.well-known/security.txt", nil, 200)
	c.call(nil, "GET", "/.well-known/csaf/provider-metadata.json", nil, 404) // no key yet
	c.call(admin, "POST", "/api/v1/settings/signing-key", map[string]any{"generate": true, "armored_private": "x"}, 400)
	c.call(admin, "POST", "/api/v1/settings/signing-key", map[string]any{"armored_private": "not a key"}, 400)
	c.call(dev, "POST", "/api/v1/settings/signing-key", map[string]any{"generate": true}, 403)
	c.call(admin, "POST", "/api/v1/settings/signing-key", map[string]any{"generate": true}, 201)
	b, _ = c.call(auditor, "GET", "/api/v1/settings/signing-key", nil, 200)
	key := oaDecode[SigningKeyView](t, b)
	if !key.Configured || key.Source != "generated" || !strings.Contains(key.Public, "PGP PUBLIC KEY") {
		t.Errorf("signing key: %s", b)
	}
	b, _ = c.call(auditor, "GET", advPath, nil, 200)
	if v := oaDecode[AdvisoryView](t, b); v.Validation == nil || !v.Validation.Valid {
		t.Errorf("advisory draft does not validate: %s", b)
	}
	_, resp = c.call(auditor, "GET", advPath+"/csaf", nil, 200)
	if resp.Header.Get("X-CSAF-Valid") != "true" {
		t.Errorf("draft CSAF: X-CSAF-Valid %q", resp.Header.Get("X-CSAF-Valid"))
	}
	c.call(admin, "GET", "/api/v1/advisories/NOPE/csaf", nil, 404)
	advisory["workaround"] = "Limit request bodies at the reverse proxy."
	advisory["tlp"] = "clear"
	c.call(admin, "PUT", advPath, advisory, 200)
	c.call(admin, "PUT", advPath, map[string]any{"title": "", "summary": ""}, 400)
	c.call(admin, "PUT", "/api/v1/advisories/NOPE", advisory, 404)
	c.call(dev, "PUT", advPath, advisory, 403)
	c.call(admin, "POST", advPath+"/publish", map[string]any{"status": "final"}, 400)
	c.call(admin, "POST", "/api/v1/advisories/NOPE/publish", map[string]any{"status": "final", "summary": "Initial public release"}, 404)
	c.call(dev, "POST", advPath+"/publish", map[string]any{"status": "final", "summary": "Initial public release"}, 403)
	b, _ = c.call(admin, "POST", advPath+"/publish", map[string]any{"status": "final", "summary": "Initial public release"}, 200)
	pub := oaDecode[AdvisoryView](t, b)
	if pub.Status != cradle.AdvisoryFinal || pub.Version != "1" || len(pub.Revisions) != 1 || pub.InitialDate.IsZero() {
		t.Errorf("published advisory: %s", b)
	}
	c.call(admin, "POST", advPath+"/publish", map[string]any{"status": "interim", "summary": "Back to interim"}, 409)
	published, resp := c.call(dev, "GET", advPath+"/csaf", nil, 200)
	if resp.Header.Get("X-CSAF-Valid") != "true" || !strings.Contains(resp.Header.Get("Content-Disposition"), csaf.Filename(adv.TrackingID)) {
		t.Errorf("published CSAF: %v", resp.Header)
	}
	c.call(dev, "GET", advPath+"/csaf?preview=true", nil, 200)
	b, _ = c.call(auditor, "GET", "/api/v1/advisories?case=CASE-1&published=true", nil, 200)
	if l := oaDecode[struct{ Items []cradle.Advisory }](t, b); len(l.Items) != 1 || l.Items[0].TrackingID != adv.TrackingID {
		t.Errorf("published advisories of CASE-1: %s", b)
	}
	c.call(admin, "GET", "/api/v1/advisories?case=first", nil, 404)
	c.call(admin, "GET", "/api/v1/advisories/NOPE", nil, 404)
	b, _ = c.call(admin, "GET", "/api/v1/mail", nil, 200)
	if l := oaDecode[struct{ Items []store.MailLog }](t, b); len(l.Items) != 2 || l.Items[0].To != "ops@customer.example" {
		t.Errorf("mail for the security update and the advisory: %s", b)
	}
	c.call(dev, "GET", "/api/v1/mail", nil, 403)

	// Any CSAF document can be validated.
	b, _ = c.call(auditor, "POST", "/api/v1/csaf/validate", published, 200)
	if r := oaDecode[ValidationReport](t, b); !r.Valid {
		t.Errorf("the published document does not validate: %s", b)
	}
	b, _ = c.call(auditor, "POST", "/api/v1/csaf/validate", `{"document": {"category": "csaf_base"}}`, 200)
	if r := oaDecode[ValidationReport](t, b); r.Valid || len(r.Errors) == 0 {
		t.Errorf("an incomplete document: %s", b)
	}
	c.call(auditor, "POST", "/api/v1/csaf/validate", `[]`, 200)
	c.call(auditor, "POST", "/api/v1/csaf/validate", `{"document": `, 400)

	// VEX in and out.
	openVEX := func(statements ...string) string {
		return `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://supplier.example/vex/1", "author": "Supplier",
			"timestamp": "2026-01-01T00:00:00Z", "version": 1, "statements": [` + strings.Join(statements, ",") + `]}`
	}
	paho := `{"vulnerability": {"name": "GO-2025-4173"}, "products": [{"@id": "pkg:golang/github.com/eclipse/paho.mqtt.golang@v1.4.3"}],
		"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}`
	unknown := `{"vulnerability": {"name": "CVE-1999-0001"}, "products": [{"@id": "pkg:golang/golang.org/x/net@v0.17.0"}], "status": "fixed"}`
	b, _ = c.call(admin, "POST", "/api/v1/products/Widget/vex", openVEX(paho), 200)
	if r := oaDecode[psirt.VEXImport](t, b); r.Format != "openvex" || len(r.Decisions) != 1 || r.Decisions[0].Status != cradle.VEXNotAffected {
		t.Errorf("VEX import: %s", b)
	}
	c.call(admin, "POST", "/api/v1/products/Widget/vex", openVEX(paho, unknown), 400)
	b, _ = c.call(admin, "POST", "/api/v1/products/Widget/vex?allow_unmatched=true", openVEX(paho, unknown), 200)
	if r := oaDecode[psirt.VEXImport](t, b); len(r.Skipped) != 1 {
		t.Errorf("VEX import with a statement skipped: %s", b)
	}
	c.call(admin, "POST", "/api/v1/products/Widget/vex", `[]`, 400)
	c.call(admin, "POST", "/api/v1/products/Nope/vex", openVEX(paho), 404)
	c.call(dev, "POST", "/api/v1/products/Widget/vex", openVEX(paho), 403)
	for _, f := range []string{"", "?format=openvex", "?format=cyclonedx", "?format=csaf"} {
		_, resp = c.call(auditor, "GET", "/api/v1/products/Widget/vex"+f, nil, 200)
		if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="Widget-vex.`) {
			t.Errorf("VEX export%s: Content-Disposition %q", f, resp.Header.Get("Content-Disposition"))
		}
	}
	c.call(admin, "GET", "/api/v1/products/Widget/vex?format=spdx", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Nope/vex", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Gadget/vex", nil, 409) // no findings: nothing to state

	// The public files: security.txt (now signed) and the CSAF provider
	// tree, whose TLP:WHITE part anyone may read.
	b, _ = c.call(nil, "GET", "/.well-known/security.txt", nil, 200)
	if !bytes.Contains(b, []byte("BEGIN PGP SIGNED MESSAGE")) || !bytes.Contains(b, []byte("Contact: mailto:psirt@example.com")) {
		t.Errorf("security.txt: %s", b)
	}
	b, resp = c.call(nil, "GET", "/.well-known/csaf/provider-metadata.json", nil, 200)
	if pm := oaDecode[map[string]any](t, b); pm["canonical_url"] != "https://psirt.example.com/.well-known/csaf/provider-metadata.json" {
		t.Errorf("provider metadata: %s", b)
	}
	c.call(nil, "GET", "/.well-known/csaf/provider-metadata.json", nil, 304, oaHeader("If-None-Match", resp.Header.Get("ETag")))
	white := fmt.Sprintf("/.well-known/csaf/white/%d/%s", pub.InitialDate.Year(), csaf.Filename(adv.TrackingID))
	b, _ = c.call(nil, "GET", white, nil, 200)
	if !bytes.Equal(b, published) {
		t.Errorf("%s is not the published document", white)
	}
	c.call(nil, "GET", white+".sha256", nil, 200)
	c.call(nil, "GET", white+".asc", nil, 200)
	c.call(nil, "GET", "/.well-known/csaf/white/changes.csv", nil, 200)
	c.call(nil, "GET", "/.well-known/csaf/white/", nil, 200)
	c.call(nil, "GET", "/.well-known/csaf/openpgp/"+key.Fingerprint+".asc", nil, 200)
	c.call(nil, "GET", "/.well-known/csaf/amber/", nil, 404)
	c.call(nil, "GET", "/.well-known/csaf/white/1999/none.json", nil, 404)

	// Compliance: the catalogues, a product's and the organisation's
	// status, assessments, evidence (JSON and files), the SDL scope,
	// applicability, maturity overrides, the history and the matrix.
	const iec = "iec-62443-4-1-2018"
	b, _ = c.call(auditor, "GET", "/api/v1/catalogs", nil, 200)
	if l := oaDecode[CatalogList](t, b); len(l.Items) != 2 || len(l.Crosswalks) != 1 || !l.Items[0].Builtin || l.Items[0].Requirements != 47 || l.Items[0].Practices != 8 {
		t.Errorf("catalogues: %s", b)
	}
	b, _ = c.call(dev, "GET", "/api/v1/catalogs/"+iec, nil, 200)
	if cat := oaDecode[catalog.Catalog](t, b); len(cat.Requirements) != 47 || cat.Requirements[0].Parent != "SM" {
		t.Errorf("IEC 62443-4-1: %d requirements", len(cat.Requirements))
	}
	c.call(admin, "GET", "/api/v1/catalogs/iso-9001", nil, 404)
	b, resp = c.call(admin, "GET", "/api/v1/catalogs/cra-2024-2847/oscal", nil, 200)
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="cra-2024-2847-oscal.json"` || !bytes.Contains(b, []byte(`"oscal-version": "1.1.3"`)) {
		t.Errorf("OSCAL export: %s", cd)
	}
	c.call(admin, "GET", "/api/v1/catalogs/iso-9001/oscal", nil, 404)
	acme := `{"id": "acme-sdl-2025", "title": "ACME SDL", "version": "1", "groups": [{"id": "A", "title": "Access"}],
		"requirements": [{"id": "A-1", "title": "MFA for administrators", "parent": "A", "kind": "product"}]}`
	b, resp = c.call(admin, "POST", "/api/v1/catalogs?filename=acme.json", acme, 201)
	if im := oaDecode[CatalogImport](t, b); im.Kind != "catalog" || im.ID != "acme-sdl-2025" || im.Replaced || resp.Header.Get("Location") != "/api/v1/catalogs/acme-sdl-2025" {
		t.Errorf("import: %s", b)
	}
	b, _ = c.call(admin, "POST", "/api/v1/catalogs?filename=acme.json", acme, 200)
	if !oaDecode[CatalogImport](t, b).Replaced {
		t.Errorf("re-import: %s", b)
	}
	b, _ = c.call(admin, "POST", "/api/v1/catalogs?filename=acme.json", `{"id": "Acme", "title": "x", "version": "1", "requirements": []}`, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) == 0 || !strings.HasPrefix(e.Error.Problems[0].Location, "acme.json") {
		t.Errorf("a broken catalogue's problems are not located: %s", b)
	}
	builtinIEC, _ := catalog.BuiltinFile(iec + ".json")
	c.call(admin, "POST", "/api/v1/catalogs", builtinIEC, 409)
	c.call(dev, "POST", "/api/v1/catalogs", acme, 403)
	c.call(admin, "POST", "/api/v1/catalogs", bytes.Repeat([]byte(" "), 8<<20+1), 413)

	const wc = "/api/v1/products/Widget/compliance"
	b, _ = c.call(auditor, "GET", wc, nil, 200)
	if st := oaDecode[compliance.Status](t, b); len(st.Requirements) != 47 || len(st.Practices) != 8 || st.InScope != nil {
		t.Errorf("Widget's status: %d requirements, %d practices", len(st.Requirements), len(st.Practices))
	}
	c.call(admin, "GET", wc+"?catalog=cra-2024-2847", nil, 200)
	c.call(admin, "GET", wc+"?catalog=acme-sdl-2025", nil, 200)
	c.call(admin, "GET", wc+"?catalog=nope", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Nope/compliance", nil, 404)
	b, _ = c.call(dev, "GET", "/api/v1/compliance/organisation", nil, 200)
	if st := oaDecode[compliance.Status](t, b); len(st.Requirements) != 14 {
		t.Errorf("the organisation's status: %d requirements", len(st.Requirements))
	}
	c.call(admin, "GET", "/api/v1/compliance/organisation?catalog=nope", nil, 404)

	// Assessments: an organisation requirement asked through a product
	// is the organisation's.
	b, _ = c.call(admin, "PUT", wc+"/SI-1", map[string]any{"status": "met", "owner": "Ada", "review_date": "2030-01-01", "notes": "SAST on every merge."}, 200)
	if a := oaDecode[cradle.Assessment](t, b); a.Scope != cradle.ScopeProduct || a.Product != "Widget" || a.Status != cradle.StatusMet || a.UpdatedBy == "" {
		t.Errorf("SI-1: %s", b)
	}
	b, _ = c.call(admin, "PUT", wc+"/SI-2", map[string]any{"status": "met"}, 200)
	if a := oaDecode[cradle.Assessment](t, b); a.Scope != cradle.ScopeOrganisation || a.Product != "" {
		t.Errorf("SI-2 through Widget: %s", b)
	}
	b, _ = c.call(admin, "PUT", wc+"/SI-1", map[string]any{"status": "done", "review_date": "soon"}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 2 {
		t.Errorf("bad status and date: %s", b)
	}
	c.call(admin, "PUT", wc+"/XX-1", map[string]any{"status": "met"}, 404)
	c.call(dev, "PUT", wc+"/SI-1", map[string]any{"status": "met"}, 403)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/SM-1", map[string]any{"status": "partial", "owner": "PSIRT lead"}, 200)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/SI-1", map[string]any{"status": "met"}, 400) // assessed per product
	c.call(admin, "PUT", "/api/v1/compliance/organisation/XX-1", map[string]any{"status": "met"}, 404)
	c.call(auditor, "PUT", "/api/v1/compliance/organisation/SM-1", map[string]any{"status": "met"}, 403)

	// Evidence as JSON (a link, a record) and as files.
	b, _ = c.call(dev, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "url", "url": "https://ci.example.com/sast/1", "title": "SAST run", "expires_at": "2099-01-01T00:00:00Z"}, 201)
	linkEv := oaDecode[cradle.Evidence](t, b)
	c.call(admin, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "record", "record_type": "release", "record": "Widget@1.0.0"}, 201)
	b, _ = c.call(admin, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "url", "url": "javascript:alert(1)"}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 1 || e.Error.Problems[0].Location != "url" {
		t.Errorf("javascript link: %s", b)
	}
	c.call(admin, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "file"}, 400)
	c.call(admin, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "record", "record_type": "case", "record": "CASE-999"}, 400)
	c.call(admin, "POST", wc+"/XX-1/evidence", map[string]any{"kind": "url", "url": "https://example.com"}, 404)
	c.call(admin, "POST", "/api/v1/products/Nope/compliance/SI-1/evidence", map[string]any{"kind": "url", "url": "https://example.com"}, 404)
	c.call(auditor, "POST", wc+"/SI-1/evidence", map[string]any{"kind": "url", "url": "https://example.com"}, 403)
	multipartBody := func(filename, content string, fields map[string]string) ([]byte, func(*http.Request)) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		if filename != "" {
			w, _ := mw.CreateFormFile("file", filename)
			io.WriteString(w, content)
		}
		mw.Close()
		return buf.Bytes(), oaHeader("Content-Type", mw.FormDataContentType())
	}
	body, ctype := multipartBody("../../etc/passwd", "root:x:0:0", map[string]string{"title": "Coding standard", "expires": "2099-12-31"})
	b, _ = c.call(dev, "POST", "/api/v1/compliance/organisation/SI-2/evidence", body, 201, ctype)
	fileEv := oaDecode[cradle.Evidence](t, b)
	if fileEv.Filename != "passwd" || fileEv.Size != 10 || fileEv.Title != "Coding standard" || fileEv.ExpiresAt.Format(time.RFC3339) != "2100-01-01T00:00:00Z" {
		t.Errorf("file evidence: %s", b)
	}
	body, ctype = multipartBody("big.bin", strings.Repeat("x", uploadLimit+1), nil)
	c.call(admin, "POST", wc+"/SVV-3/evidence", body, 413, ctype)
	body, ctype = multipartBody("", "", map[string]string{"title": "no file"})
	c.call(admin, "POST", wc+"/SVV-3/evidence", body, 400, ctype)
	body, ctype = multipartBody("scan.txt", "ok", map[string]string{"expires": "next year"})
	c.call(admin, "POST", wc+"/SVV-3/evidence", body, 400, ctype)
	c.call(admin, "POST", "/api/v1/compliance/organisation/SI-2/evidence", map[string]any{"kind": "pdf"}, 400)
	c.call(admin, "POST", "/api/v1/compliance/organisation/XX-1/evidence", map[string]any{"kind": "url", "url": "https://example.com"}, 404)
	c.call(auditor, "POST", "/api/v1/compliance/organisation/SI-2/evidence", map[string]any{"kind": "url", "url": "https://example.com"}, 403)
	b, resp = c.call(auditor, "GET", "/api/v1/evidence/"+strconv.FormatInt(fileEv.ID, 10)+"/file", nil, 200)
	if string(b) != "root:x:0:0" || resp.Header.Get("Content-Type") != "application/octet-stream" || resp.Header.Get("Content-Disposition") != "attachment; filename=passwd" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("evidence file: %q %v", b, resp.Header)
	}
	c.call(admin, "GET", "/api/v1/evidence/"+strconv.FormatInt(linkEv.ID, 10)+"/file", nil, 404) // a link has no file
	c.call(admin, "GET", "/api/v1/evidence/99999/file", nil, 404)
	c.call(admin, "GET", "/api/v1/evidence/first/file", nil, 400)

	// Scope, applicability, maturity overrides.
	b, _ = c.call(admin, "PUT", "/api/v1/products/Widget/scope", map[string]any{"in_scope": true, "justification": "Placed on the EU market."}, 200)
	if sc := oaDecode[store.ProductScope](t, b); !sc.InScope || sc.Approver == "" {
		t.Errorf("scope: %s", b)
	}
	c.call(admin, "PUT", "/api/v1/products/Widget/scope", map[string]any{"justification": "x"}, 400)
	c.call(admin, "PUT", "/api/v1/products/Nope/scope", map[string]any{"in_scope": true, "justification": "x"}, 404)
	c.call(dev, "PUT", "/api/v1/products/Widget/scope", map[string]any{"in_scope": false, "justification": "x"}, 403)
	c.call(admin, "PUT", "/api/v1/products/Widget/applicability/SVV-4?catalog="+iec, map[string]any{"applies": false, "justification": "No network interface."}, 200)
	c.call(admin, "PUT", "/api/v1/products/Widget/applicability/SVV-4", map[string]any{"applies": false, "justification": " "}, 400)
	c.call(admin, "PUT", "/api/v1/products/Widget/applicability/XX-1", map[string]any{"applies": false, "justification": "x"}, 404)
	c.call(dev, "PUT", "/api/v1/products/Widget/applicability/SVV-4", map[string]any{"applies": true, "justification": "x"}, 403)
	b, _ = c.call(admin, "PUT", "/api/v1/products/Widget/maturity/SI", map[string]any{"level": 2, "rationale": "SAST covers the C code only."}, 200)
	if o := oaDecode[store.MaturityOverride](t, b); o.Level != 2 || o.SetBy == "" {
		t.Errorf("override: %s", b)
	}
	c.call(admin, "PUT", "/api/v1/products/Widget/maturity/SI", map[string]any{"level": 3}, 400)
	c.call(admin, "PUT", "/api/v1/products/Widget/maturity/SM-1", map[string]any{"level": 3, "rationale": "x"}, 404) // a requirement, not a practice
	c.call(dev, "PUT", "/api/v1/products/Widget/maturity/SI", map[string]any{"level": 3, "rationale": "x"}, 403)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/maturity/SM", map[string]any{"level": 3, "rationale": "Certified ISASecure SDLA."}, 200)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/maturity/SM", map[string]any{"level": 0}, 200)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/maturity/SM", map[string]any{"level": 5, "rationale": "x"}, 400)
	c.call(admin, "PUT", "/api/v1/compliance/organisation/maturity/XX", map[string]any{"level": 0}, 404)
	c.call(auditor, "PUT", "/api/v1/compliance/organisation/maturity/SM", map[string]any{"level": 0}, 403)

	// The history (recorded by the status calls above) and the matrix.
	b, _ = c.call(auditor, "GET", wc+"/history", nil, 200)
	if h := oaDecode[MaturityHistory](t, b); len(h.Items) != 8 {
		t.Errorf("history: %s", b)
	}
	c.call(admin, "GET", wc+"/history?catalog=nope", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Nope/compliance/history", nil, 404)
	c.call(admin, "GET", "/api/v1/compliance/organisation/history", nil, 200)
	c.call(admin, "GET", "/api/v1/compliance/organisation/history?catalog=nope", nil, 404)

	// One release assessed on its own.
	const wr = "/api/v1/products/Widget/releases/1.0.0"
	b, _ = c.call(auditor, "GET", wr+"/compliance", nil, 200)
	if st := oaDecode[compliance.Status](t, b); st.Release != "1.0.0" || len(st.Requirements) == 0 {
		t.Errorf("release status: %s", b)
	}
	c.call(auditor, "GET", "/api/v1/products/Widget/releases/9.9/compliance", nil, 404)
	c.call(admin, "PUT", wr+"/compliance/SVV-3", map[string]any{"status": "partial", "notes": "release-specific pentest pending"}, 200)
	c.call(admin, "PUT", wr+"/compliance/SVV-3", map[string]any{"status": "finished"}, 400)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/9.9/compliance/SVV-3", map[string]any{"status": "met"}, 404)
	c.call(dev, "POST", wr+"/compliance/SVV-3/evidence", map[string]any{"kind": "url", "url": "https://ci.example.com/widget/1.0.0/fuzz"}, 201)
	c.call(dev, "POST", wr+"/compliance/SVV-3/evidence", map[string]any{"kind": "url", "url": "ftp://x"}, 400)
	c.call(dev, "POST", "/api/v1/products/Widget/releases/9.9/compliance/SVV-3/evidence", map[string]any{"kind": "url", "url": "https://x.example"}, 404)
	c.call(admin, "PUT", wr+"/maturity/SVV", map[string]any{"level": 2, "rationale": "pentest of this release pending"}, 200)
	c.call(admin, "PUT", wr+"/maturity/SVV", map[string]any{"level": 2}, 400)
	c.call(admin, "PUT", "/api/v1/products/Widget/releases/9.9/maturity/SVV", map[string]any{"level": 2, "rationale": "x"}, 404)
	c.call(auditor, "GET", wr+"/compliance/history", nil, 200)
	c.call(auditor, "GET", "/api/v1/products/Widget/releases/9.9/compliance/history", nil, 404)

	// Documents generated from the data.
	for _, kind := range []string{"self-assessment", "soa", "declaration", "simplified-declaration", "user-information", "technical-documentation"} {
		b, resp := c.call(auditor, "GET", "/api/v1/products/Widget/documents/"+kind, nil, 200)
		if want := map[bool]string{true: "PK", false: "%PDF-"}[kind == "technical-documentation"]; !bytes.HasPrefix(b, []byte(want)) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("document %s: %.20q %v", kind, b, resp.Header)
		}
	}
	c.call(auditor, "GET", "/api/v1/products/Widget/documents/declaration?format=html", nil, 200)
	c.call(auditor, "GET", "/api/v1/products/Widget/documents/declaration?format=docx", nil, 400)
	c.call(auditor, "GET", "/api/v1/products/Widget/documents/poem", nil, 404)
	c.call(auditor, "GET", "/api/v1/products/Nope/documents/declaration", nil, 404)
	c.call(auditor, "GET", "/api/v1/compliance/organisation/documents/self-assessment", nil, 200)
	c.call(auditor, "GET", "/api/v1/compliance/organisation/documents/self-assessment?format=html", nil, 200)
	c.call(auditor, "GET", "/api/v1/compliance/organisation/documents/self-assessment?format=odt", nil, 400)
	b, _ = c.call(auditor, "GET", "/api/v1/compliance/matrix", nil, 200)
	m := oaDecode[Matrix](t, b)
	var widgetRow *MatrixRow
	for i := range m.Products {
		if m.Products[i].Product == "Widget" {
			widgetRow = &m.Products[i]
		}
	}
	if len(m.Practices) != 8 || widgetRow == nil || widgetRow.InScope == nil || widgetRow.Cells[3].Practice != "SI" ||
		widgetRow.Cells[3].Level != 2 || widgetRow.Cells[3].Computed != 3 || !widgetRow.Cells[3].Overridden {
		t.Errorf("matrix: %s", b)
	}
	c.call(admin, "GET", "/api/v1/compliance/matrix?catalog=cra-2024-2847&q=WID&cra_class=critical", nil, 200)
	c.call(admin, "GET", "/api/v1/compliance/matrix?cra_class=essential", nil, 400)
	c.call(admin, "GET", "/api/v1/compliance/matrix?catalog=nope", nil, 404)

	// Removing evidence.
	c.call(dev, "DELETE", "/api/v1/evidence/"+strconv.FormatInt(linkEv.ID, 10), nil, 403)
	c.call(admin, "DELETE", "/api/v1/evidence/"+strconv.FormatInt(linkEv.ID, 10), nil, 204)
	c.call(admin, "DELETE", "/api/v1/evidence/"+strconv.FormatInt(linkEv.ID, 10), nil, 404)
	c.call(admin, "DELETE", "/api/v1/evidence/zero", nil, 400)

	// Engineering evidence: threat models, scan and test results, SBOM
	// quality and the release gate.
	yamlType := oaHeader("Content-Type", "application/yaml")
	binType := oaHeader("Content-Type", "application/octet-stream")
	// oversized sends a body of n bytes, never held in memory, with
	// Expect: 100-continue: a server that refuses it by its length never
	// asks for it.
	oversized := func(who oaAuth, method, path, ctype string, n int64) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, io.LimitReader(oaZeros{}, n))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = n
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Expect", "100-continue")
		who(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s %s with %d bytes: status %d, want 413; body: %s", method, path, n, resp.StatusCode, body)
		}
		ch.check(req, nil, resp, body)
	}

	// Threat models: a version for release 1.0.0, then a product-wide one
	// with a new threat.
	const wp = "/api/v1/products/Widget"
	tmV1 := `version: 1
product: {name: Widget, version: "1.0.0"}
reviews:
  - {date: 2026-01-10, by: A. Architect, notes: First review.}
assets:
  - {id: config, name: Configuration, confidentiality: medium, integrity: high, availability: low}
boundaries:
  - {id: device, name: Widget device}
elements:
  - {id: operator, kind: external_entity, name: Operator}
  - {id: webui, kind: process, name: Web UI, boundary: device, assets: [config]}
  - {id: store, kind: datastore, name: Config store, boundary: device, assets: [config]}
interfaces:
  - {id: uart, element: webui, kind: uart, debug: true, disabled_in_production: true}
flows:
  - {id: f-login, from: operator, to: webui, protocol: HTTPS, data: [config], authenticated: true, encrypted: true}
  - {id: f-save, from: webui, to: store, protocol: local IPC, data: [config], authenticated: true, encrypted: false}
threats:
  - id: TM-1
    title: Configuration tampering through the web UI
    category: T
    target: webui
    severity: medium
    mitigation: Every change needs the admin password.
    status: mitigated
    tests: [TEST-CFG-1]
`
	tmV2 := tmV1 + `  - id: TM-2
    title: Firmware rollback
    category: tampering
    target: webui
    cvss: CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:N
    status: open
`
	b, _ = c.call(dev, "POST", wp+"/threat-model?release=1.0.0&filename=models/widget.yaml", tmV1, 201, yamlType)
	if im := oaDecode[engineering.ThreatModelImport](t, b); im.Model.Version != 1 || im.Model.Filename != "widget.yaml" || im.Model.Release != "1.0.0" || im.Unchanged || im.Summary.Total == 0 {
		t.Errorf("threat model import: %s", b)
	}
	b, _ = c.call(dev, "POST", wp+"/threat-model?release=1.0.0&filename=widget.yaml", tmV1, 200, yamlType)
	if im := oaDecode[engineering.ThreatModelImport](t, b); !im.Unchanged || im.Model.Version != 1 {
		t.Errorf("re-import of the same model: %s", b)
	}
	b, _ = c.call(admin, "POST", wp+"/threat-model", tmV2, 201, yamlType)
	if im := oaDecode[engineering.ThreatModelImport](t, b); im.Model.Version != 2 || im.Model.Filename != "threat-model.yaml" {
		t.Errorf("second version: %s", b)
	}
	b, _ = c.call(admin, "POST", wp+"/threat-model", "version: 2\nproduct: {name: Widget}\ncolour: red\n", 400, yamlType)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) == 0 {
		t.Errorf("invalid threat model without problems: %s", b)
	}
	c.call(admin, "POST", "/api/v1/products/Nope/threat-model", tmV1, 404, yamlType)
	c.call(admin, "POST", wp+"/threat-model?release=9.9.9", tmV1, 404, yamlType)
	c.call(auditor, "POST", wp+"/threat-model", tmV1, 403, yamlType)
	oversized(admin, "POST", wp+"/threat-model", "application/yaml", engineering.MaxThreatModelSize+1)
	b, _ = c.call(auditor, "GET", wp+"/threat-model", nil, 200)
	if v := oaDecode[engineering.ThreatModelView](t, b); v.Stored.Version != 2 || len(v.Versions) != 2 || v.Model == nil || len(v.Threats) == 0 || v.ModelReviewedAt == nil || v.Stored.Source == "" {
		t.Errorf("threat model view: %s", b)
	}
	b, _ = c.call(dev, "GET", wp+"/threat-model?release=1.0.0", nil, 200)
	if v := oaDecode[engineering.ThreatModelView](t, b); v.Stored.Version != 1 {
		t.Errorf("the model of release 1.0.0: version %d", v.Stored.Version)
	}
	c.call(admin, "GET", wp+"/threat-model?version=1", nil, 200)
	c.call(admin, "GET", wp+"/threat-model?version=0", nil, 400)
	c.call(admin, "GET", wp+"/threat-model?version=9", nil, 404)
	c.call(admin, "GET", wp+"/threat-model?release=9.9.9", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Gadget/threat-model", nil, 404)
	b, resp = c.call(auditor, "GET", wp+"/threat-model/diagram", nil, 200)
	if !bytes.Contains(b, []byte("<svg")) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("diagram: %.80q %v", b, resp.Header)
	}
	c.call(admin, "GET", wp+"/threat-model/diagram?version=2&release=1.0.0", nil, 200)
	c.call(admin, "GET", wp+"/threat-model/diagram?version=x", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Gadget/threat-model/diagram", nil, 404)
	b, _ = c.call(auditor, "GET", wp+"/threat-model/diff?from=1&to=2", nil, 200)
	if d := oaDecode[threatmodel.Diff](t, b); !slices.ContainsFunc(d.Changes, func(ch threatmodel.Change) bool { return ch.ID == "TM-2" && ch.Op == threatmodel.Added }) {
		t.Errorf("diff: %s", b)
	}
	b, _ = c.call(admin, "GET", wp+"/threat-model/diff?from_release=1.0.0&to_release=2.0.0", nil, 200)
	if d := oaDecode[threatmodel.Diff](t, b); len(d.Changes) == 0 {
		t.Errorf("diff between releases: %s", b)
	}
	c.call(admin, "GET", wp+"/threat-model/diff?from=2&to=2", nil, 200)        // nothing changed
	c.call(admin, "GET", wp+"/threat-model/diff?from_release=1.0.0", nil, 200) // to the newest
	c.call(admin, "GET", wp+"/threat-model/diff", nil, 400)
	c.call(admin, "GET", wp+"/threat-model/diff?from=first&to=2", nil, 400)
	c.call(admin, "GET", wp+"/threat-model/diff?from=1&to=9", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Gadget/threat-model/diff?from_release=1&to_release=1", nil, 404)
	b, _ = c.call(admin, "POST", wp+"/threat-model/reviews", map[string]any{"version": 1, "outcome": "approved", "notes": "Reviewed with the architect."}, 201)
	if rv := oaDecode[cradle.ThreatReview](t, b); rv.Version != 1 || rv.ModelID == 0 || rv.Reviewer == "" {
		t.Errorf("review: %s", b)
	}
	b, _ = c.call(admin, "POST", wp+"/threat-model/reviews", map[string]any{"outcome": "approved"}, 201)
	if rv := oaDecode[cradle.ThreatReview](t, b); rv.Version != 2 {
		t.Errorf("review of the newest version: %s", b)
	}
	b, _ = c.call(admin, "POST", wp+"/threat-model/reviews", map[string]any{"outcome": "looks good"}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 1 || e.Error.Problems[0].Location != "outcome" {
		t.Errorf("bad outcome: %s", b)
	}
	c.call(admin, "POST", wp+"/threat-model/reviews", map[string]any{"outcome": "changes_requested"}, 400) // no notes
	c.call(admin, "POST", wp+"/threat-model/reviews", map[string]any{"version": 9, "outcome": "approved"}, 404)
	c.call(admin, "POST", "/api/v1/products/Gadget/threat-model/reviews", map[string]any{"outcome": "approved"}, 404)
	c.call(dev, "POST", wp+"/threat-model/reviews", map[string]any{"outcome": "approved"}, 403)
	b, _ = c.call(auditor, "GET", wp+"/threat-model", nil, 200)
	if v := oaDecode[engineering.ThreatModelView](t, b); len(v.Reviews) != 2 || v.ChangedSinceReview {
		t.Errorf("threat model with its reviews: %s", b)
	}

	// Scan and test results.
	sarif := `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gosec", "version": "2.21.4",
	  "rules": [{"id": "G101", "name": "HardcodedCredentials"}, {"id": "G104", "name": "ErrorsUnhandled"}]}},
	  "results": [
	    {"ruleId": "G101", "level": "error", "message": {"text": "Potential hardcoded credentials"},
	     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "cmd/widget/main.go"}, "region": {"startLine": 12}}}]},
	    {"ruleId": "G104", "level": "warning", "message": {"text": "Errors unhandled"},
	     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "store/db.go"}, "region": {"startLine": 40}}}]}]}]}`
	junit := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1">
  <testsuite name="widget/auth" tests="2" failures="1">
    <testcase classname="widget/auth" name="TestLoginRateLimit" time="0.01"></testcase>
    <testcase classname="widget/auth" name="TestEmptyPassword" time="0.02"><failure message="signed in">auth_test.go:31: an empty password signs in</failure></testcase>
  </testsuite>
</testsuites>
`
	b, _ = c.call(dev, "POST", rel+"/results?filename=out/gosec.sarif", sarif, 201, binType)
	if r := oaDecode[ResultImportResponse](t, b); r.Import.Kind != "sast" || r.Import.Tool != "gosec" || r.Import.Results != 2 || r.Import.New != 2 || r.Import.Filename != "gosec.sarif" || r.Warnings == nil {
		t.Errorf("SARIF import: %s", b)
	}
	b, _ = c.call(dev, "POST", rel+"/results?kind=test&filename=junit.xml", junit, 201, binType)
	if r := oaDecode[ResultImportResponse](t, b); r.Import.Format != "junit" || r.Import.Kind != "test" || r.Import.Tests != 2 || r.Import.TestsFailed != 1 {
		t.Errorf("JUnit import: %s", b)
	}
	c.call(dev, "POST", rel+"/results?kind=pentest", sarif, 400, binType)
	c.call(dev, "POST", rel+"/results", "these are not results", 400, binType)
	c.call(dev, "POST", "/api/v1/products/Widget/releases/9.9.9/results", sarif, 404, binType)
	c.call(auditor, "POST", rel+"/results", sarif, 403, binType)
	oversized(dev, "POST", rel+"/results", "application/octet-stream", maxResultsUpload+1)
	b, _ = c.call(auditor, "GET", rel+"/results", nil, 200)
	results := oaDecode[List[cradle.ScanResult]](t, b)
	if results.Total != 3 || results.Items[0].Severity != "high" || results.Items[0].Status != cradle.ResultOpen {
		t.Errorf("results: %s", b)
	}
	b, _ = c.call(admin, "GET", rel+"/results?status=open&min_severity=high&tool=gosec&kind=sast&per_page=1", nil, 200)
	if l := oaDecode[List[cradle.ScanResult]](t, b); l.Total != 1 || l.Items[0].RuleID != "G101" {
		t.Errorf("open high SAST results: %s", b)
	}
	c.call(admin, "GET", rel+"/results?status=new", nil, 400)
	c.call(admin, "GET", rel+"/results?min_severity=urgent", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/results", nil, 404)
	b, _ = c.call(dev, "GET", rel+"/results/imports", nil, 200)
	if l := oaDecode[[]cradle.ResultImport](t, b); len(l) != 2 {
		t.Errorf("imports: %s", b)
	}
	c.call(admin, "GET", rel2+"/results/imports", nil, 200) // none
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/results/imports", nil, 404)
	c.call(admin, "POST", wp+"/results/suppressions", map[string]any{"fingerprint": results.Items[0].Fingerprint, "reason": "Test credentials of the demo mode."}, 204)
	b, _ = c.call(admin, "GET", rel+"/results?status=suppressed", nil, 200)
	if l := oaDecode[List[cradle.ScanResult]](t, b); l.Total != 1 || l.Items[0].Justification == "" {
		t.Errorf("suppressed results: %s", b)
	}
	c.call(admin, "POST", wp+"/results/suppressions", map[string]any{"fingerprint": "no-such-fingerprint", "reason": "x"}, 404)
	c.call(admin, "POST", wp+"/results/suppressions", map[string]any{"fingerprint": results.Items[1].Fingerprint}, 400)
	c.call(admin, "POST", "/api/v1/products/Nope/results/suppressions", map[string]any{"fingerprint": "x", "reason": "x"}, 404)
	c.call(dev, "POST", wp+"/results/suppressions", map[string]any{"fingerprint": results.Items[1].Fingerprint, "reason": "x"}, 403)
	b, _ = c.call(auditor, "GET", wp+"/results/trend", nil, 200)
	if tr := oaDecode[[]store.ResultCounts](t, b); len(tr) == 0 || tr[0].Release != "1.0.0" || tr[0].Imports != 2 || tr[0].Suppressed != 1 {
		t.Errorf("trend: %s", b)
	}
	c.call(admin, "GET", "/api/v1/products/Nope/results/trend", nil, 404)

	// SBOM quality: a release's SBOM, and any SBOM.
	b, _ = c.call(auditor, "GET", rel+"/sbom/quality", nil, 200)
	if q := oaDecode[quality.Report](t, b); q.Profile != quality.ProfileBSI21 || len(q.Components) != 3 || q.Conforms {
		t.Errorf("SBOM quality: %s", b)
	}
	c.call(admin, "GET", rel2+"/sbom/quality?profile=ntia", nil, 200)
	c.call(admin, "GET", rel+"/sbom/quality?profile=iso", nil, 400)
	c.call(admin, "GET", "/api/v1/products/Widget/releases/3.0.1/sbom/quality", nil, 404) // no SBOM
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/sbom/quality", nil, 404)
	b, _ = c.call(auditor, "POST", "/api/v1/sbom/check?filename=widget.cdx.json&profile=ntia", first, 200)
	if q := oaDecode[quality.Report](t, b); q.Profile != quality.ProfileNTIA || q.Format != "cyclonedx-json" {
		t.Errorf("SBOM check: %s", b)
	}
	c.call(dev, "POST", "/api/v1/sbom/check", oaCycloneDXXML, 200, oaHeader("Content-Type", "application/xml"))
	c.call(dev, "POST", "/api/v1/sbom/check", oaSPDXTagValue, 200, oaHeader("Content-Type", "text/plain"))
	c.call(admin, "POST", "/api/v1/sbom/check", "this is not an SBOM", 400, oaHeader("Content-Type", "text/plain"))
	c.call(admin, "POST", "/api/v1/sbom/check?profile=iso", first, 400)

	// The release gate.
	b, _ = c.call(dev, "POST", rel+"/gate", nil, 201)
	run := oaDecode[engineering.GateRun](t, b)
	if run.Record == nil || run.Record.ID == 0 || run.Decision == nil || run.Record.Hash != run.Decision.Hash || len(run.Decision.Checks) != len(gate.Checks) {
		t.Errorf("gate run: %s", b)
	}
	// A developer may not loosen the product's policy for a run; a
	// security officer may, and the decision is marked as an override.
	c.call(dev, "POST", rel+"/gate?policy_name=ci/gate.yaml", "sast:\n  required: false\nsdl_checklist:\n  enabled: false\n", 403, yamlType)
	b, _ = c.call(admin, "POST", rel+"/gate?policy_name=ci/gate.yaml", "sast:\n  required: false\nsdl_checklist:\n  enabled: false\n", 201, yamlType)
	if r := oaDecode[engineering.GateRun](t, b); !r.Record.Override {
		t.Errorf("override not marked: %s", b)
	}
	if r := oaDecode[engineering.GateRun](t, b); r.Decision.Checks[len(r.Decision.Checks)-1].Status != gate.StatusDisabled {
		t.Errorf("gate run with a policy override: %s", b)
	}
	b, _ = c.call(dev, "POST", rel+"/gate?policy_name=ci/gate.yaml", "colour: red\n", 400, yamlType)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) == 0 || !strings.HasPrefix(e.Error.Problems[0].Location, "gate.yaml") {
		t.Errorf("policy with an unknown key: %s", b)
	}
	c.call(dev, "POST", "/api/v1/products/Widget/releases/9.9.9/gate", nil, 404)
	c.call(auditor, "POST", rel+"/gate", nil, 403)
	oversized(dev, "POST", rel+"/gate", "application/yaml", gate.MaxPolicySize+1)
	for format, ctype := range map[string]string{"junit": "application/xml", "sarif": "application/sarif+json", "text": "text/plain"} {
		_, resp := c.call(dev, "POST", rel+"/gate?format="+format, nil, 200)
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != ctype {
			t.Errorf("gate as %s: Content-Type %q", format, resp.Header.Get("Content-Type"))
		}
	}
	b, _ = c.call(auditor, "GET", rel+"/gate", nil, 200)
	if rs := oaDecode[[]cradle.GateRecord](t, b); len(rs) != 5 || rs[len(rs)-1].ID != run.Record.ID {
		t.Errorf("gate history: %s", b)
	}
	c.call(admin, "GET", rel2+"/gate", nil, 200) // none
	c.call(admin, "GET", "/api/v1/products/Widget/releases/9.9.9/gate", nil, 404)
	runPath := "/api/v1/gate/decisions/" + strconv.FormatInt(run.Record.ID, 10)
	b, _ = c.call(auditor, "GET", runPath, nil, 200)
	if r := oaDecode[engineering.GateRun](t, b); r.Decision.Hash != run.Decision.Hash {
		t.Errorf("stored decision: %s", b)
	}
	c.call(admin, "GET", "/api/v1/gate/decisions/first", nil, 400)
	c.call(admin, "GET", "/api/v1/gate/decisions/99999", nil, 404)
	b, _ = c.call(auditor, "GET", runPath+"/verify", nil, 200)
	if v := oaDecode[GateVerification](t, b); !v.Verified || v.Hash != run.Record.Hash || len(v.Problems) != 0 {
		t.Errorf("verification: %s", b)
	}
	c.call(admin, "GET", "/api/v1/gate/decisions/0/verify", nil, 400)
	c.call(admin, "GET", "/api/v1/gate/decisions/99999/verify", nil, 404)

	// Policies.
	b, _ = c.call(auditor, "GET", wp+"/gate/policy", nil, 200)
	if v := oaDecode[GatePolicyView](t, b); v.Source != "" || v.Effective == nil || v.Effective.SBOM.Profile != gate.ProfileNTIA {
		t.Errorf("default policy: %s", b)
	}
	c.call(admin, "GET", "/api/v1/products/Nope/gate/policy", nil, 404)
	gatePolicy := "findings:\n  max_severity: critical\nsupport_period:\n  min_remaining: 2y\n"
	b, _ = c.call(admin, "PUT", wp+"/gate/policy", gatePolicy, 200, yamlType)
	if v := oaDecode[GatePolicyView](t, b); v.Source != gatePolicy || v.Effective.Findings.MaxSeverity != "critical" || !v.Effective.Findings.KEV {
		t.Errorf("product policy: %s", b)
	}
	b, _ = c.call(admin, "PUT", wp+"/gate/policy", "findings:\n  max_severity: urgent\n", 400, yamlType)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) == 0 {
		t.Errorf("invalid policy: %s", b)
	}
	c.call(admin, "PUT", "/api/v1/products/Nope/gate/policy", gatePolicy, 404, yamlType)
	c.call(dev, "PUT", wp+"/gate/policy", gatePolicy, 403, yamlType)
	oversized(admin, "PUT", wp+"/gate/policy", "application/yaml", gate.MaxPolicySize+1)
	c.call(dev, "POST", rel+"/gate", nil, 201)                                   // under the product's policy
	b, _ = c.call(admin, "PUT", "/api/v1/products/Gadget/gate/policy", nil, 200) // an empty body: the default applies
	if v := oaDecode[GatePolicyView](t, b); v.Source != "" {
		t.Errorf("empty policy: %s", b)
	}

	// Exceptions.
	expires := time.Now().AddDate(0, 6, 0).UTC().Format(time.DateOnly)
	b, _ = c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"release": "1.0.0", "check": "sast", "subject": results.Items[1].Fingerprint,
		"approver": "C. Iso", "reason": "Fixed in 1.0.1; the code path is unreachable in 1.0.0.", "expires": expires}, 201)
	exc := oaDecode[cradle.GateException](t, b)
	if exc.ID == 0 || exc.Release != "1.0.0" || exc.CreatedBy == "" || exc.ExpiresAt.Format(time.DateOnly) != expires {
		t.Errorf("exception: %s", b)
	}
	c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"check": "sdl_checklist", "approver": "C. Iso", "reason": "Checklist migrated next quarter.", "expires": expires}, 201)
	b, _ = c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"check": "sast", "reason": "x", "expires": expires}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 1 || e.Error.Problems[0].Location != "approver" {
		t.Errorf("exception without an approver: %s", b)
	}
	b, _ = c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"check": "sast", "approver": "C. Iso", "reason": "x", "expires": "2020-01-01"}, 400)
	if e := oaDecode[APIError](t, b); len(e.Error.Problems) != 1 || e.Error.Problems[0].Location != "expires" {
		t.Errorf("expired exception: %s", b)
	}
	c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"check": "lint", "approver": "C. Iso", "reason": "x", "expires": "soon"}, 400)
	c.call(admin, "POST", wp+"/gate/exceptions", map[string]any{"release": "9.9.9", "check": "sast", "approver": "C. Iso", "reason": "x", "expires": expires}, 404)
	c.call(admin, "POST", "/api/v1/products/Nope/gate/exceptions", map[string]any{"check": "sast", "approver": "C. Iso", "reason": "x", "expires": expires}, 404)
	c.call(dev, "POST", wp+"/gate/exceptions", map[string]any{"check": "sast", "approver": "Me", "reason": "x", "expires": expires}, 403)
	b, _ = c.call(dev, "POST", rel+"/gate", nil, 201)
	if r := oaDecode[engineering.GateRun](t, b); len(r.Decision.Exceptions) != 2 {
		t.Errorf("gate run with exceptions: %s", b)
	}
	b, _ = c.call(auditor, "GET", wp+"/gate/exceptions", nil, 200)
	if xs := oaDecode[[]cradle.GateException](t, b); len(xs) != 2 {
		t.Errorf("exceptions: %s", b)
	}
	b, _ = c.call(auditor, "GET", wp+"/gate/exceptions?release=2.0.0", nil, 200)
	if xs := oaDecode[[]cradle.GateException](t, b); len(xs) != 1 {
		t.Errorf("exceptions for 2.0.0: %s", b)
	}
	c.call(admin, "GET", wp+"/gate/exceptions?release=9.9.9", nil, 404)
	c.call(admin, "GET", "/api/v1/products/Nope/gate/exceptions", nil, 404)
	excPath := "/api/v1/gate/exceptions/" + strconv.FormatInt(exc.ID, 10)
	c.call(dev, "DELETE", excPath, nil, 403)
	c.call(admin, "DELETE", excPath, nil, 204)
	c.call(admin, "DELETE", excPath, nil, 404)
	c.call(admin, "DELETE", "/api/v1/gate/exceptions/99999", nil, 404)
	c.call(admin, "DELETE", "/api/v1/gate/exceptions/sast", nil, 400)
	b, _ = c.call(admin, "GET", wp+"/gate/exceptions?release=1.0.0", nil, 200)
	if xs := oaDecode[[]cradle.GateException](t, b); len(xs) != 2 || xs[1].RevokedAt.IsZero() || xs[1].RevokedBy == "" {
		t.Errorf("exceptions after the revocation: %s", b)
	}

	// What wrap and the shared helpers do, route by route: an invalid
	// bearer token is refused everywhere but on the public routes (which
	// ignore credentials); session writes need the CSRF header, public
	// ones included; JSON bodies are bounded; page parameters are checked.
	concrete := strings.NewReplacer("{product}", "Widget", "{version}", "1.0.0", "{id}", "1", "{ref}", "CASE-1", "{stage}", "final",
		"{path}", "provider-metadata.json", "{requirement}", "SM-1", "{practice}", "SM")
	huge := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`
	for key, op := range oaOperations(ch.doc) {
		method, path, _ := strings.Cut(key, " ")
		path = concrete.Replace(path)
		if !oaPublic(op) {
			c.call(oaBearer("cradle_not-a-token"), method, path, nil, 401)
		}
		if !safeMethod(method) {
			c.call(oaSession(sess, false), method, path, nil, 403)
		}
		// The intake and catalogue imports have their own, larger limits
		// (tested above).
		if rb, _ := oaDeref(ch.doc, op["requestBody"], ""); rb != nil && key != "POST /api/v1/intake" && key != "POST /api/v1/catalogs" {
			if _, ok := rb["content"].(map[string]any)["application/json"]; ok {
				c.call(admin, method, path, huge, 413)
			}
		}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if p, _ := oaDeref(ch.doc, p, ""); p["in"] == "query" && p["name"] == "page" {
				c.call(admin, method, path+"?page=0", nil, 400)
			}
		}
	}

	// A server whose database is not migrated is unhealthy.
	bare, err := store.Open(ctx, storetest.DSN(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	srv2, err := New(bare, Config{Version: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(srv2)
	defer ts2.Close()
	(&oaClient{t: t, base: ts2.URL, ch: ch}).call(nil, "GET", "/healthz", nil, 503)

	// Without its database every route fails with 500 (authenticating
	// the token is the first thing that needs it).
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for key := range oaOperations(ch.doc) {
		method, path, _ := strings.Cut(key, " ")
		c.call(admin, method, concrete.Replace(path), nil, 500)
	}

	ch.finish()
}

// oaZeros reads as an endless run of zero bytes.
type oaZeros struct{}

func (oaZeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func oaNewSession(t *testing.T, db *store.DB, u *cradle.User) *store.Session {
	t.Helper()
	s, err := db.CreateSession(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
