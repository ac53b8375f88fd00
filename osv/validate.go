package osv

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// schemaJSON is the OSV JSON schema, embedded so that validation never
// touches the network (schema/README.md).
//
//go:embed schema/schema.json
var schemaJSON []byte

const schemaURL = "https://raw.githubusercontent.com/ossf/osv-schema/main/validation/schema.json"

// schema is compiled once per process, on first use.
var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("osv schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	// Draft 2020-12 leaves "format" to the implementation; cradle asserts
	// it, so that a reference is an absolute URL and a timestamp parses
	// (the schema's timestamp pattern is not anchored and would accept
	// "x2024-01-01T00:00:00Zx").
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("osv schema: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile osv schema: %w", err)
	}
	return s, nil
})

// violation is one schema error: where (JSON pointer tokens) and what.
type violation struct {
	path    []string
	message string
}

// validateSchema checks the parsed record against the OSV schema.
func validateSchema(tree any) ([]violation, error) {
	s, err := schema()
	if err != nil {
		return nil, err
	}
	vs, err := locate.SchemaViolations(s, tree, "the OSV schema does not define it", describe)
	if err != nil {
		return nil, fmt.Errorf("validate osv record: %w", err)
	}
	out := make([]violation, len(vs))
	for i, v := range vs {
		out[i] = violation{path: v.Path, message: v.Message}
	}
	return out, nil
}

var printer = message.NewPrinter(language.English)

// describe turns a schema error into "expected X, found Y". The OSV schema
// states several rules only as titles of anonymous subschemas (GIT ranges
// use full commit hashes, fixed and last_affected exclude each other, ...);
// those are recognised by where in the schema they failed and explained in
// the schema's own words.
func describe(e *jsonschema.ValidationError) string {
	kw := locate.SchemaKeyword(e)
	switch k := e.ErrorKind.(type) {
	case *kind.Contains:
		if strings.HasSuffix(kw, "/properties/events/contains") {
			return `expected an "introduced" event in the range (events must contain an introduced object), found none`
		}
	case *kind.Not:
		if strings.Contains(kw, "/ranges/items/allOf/2/") {
			return "expected fixed or last_affected events in one range, found both (they are mutually exclusive)"
		}
	case *kind.OneOf:
		if strings.HasSuffix(kw, "/events/items/oneOf") {
			if len(k.Subschemas) > 1 {
				return "expected an event with exactly one of introduced, fixed, last_affected or limit, found several"
			}
			return "expected an event with exactly one of introduced, fixed, last_affected or limit, found none"
		}
		return "expected a value matching exactly one of the allowed forms, found one that matches " + map[bool]string{true: "several", false: "none"}[len(k.Subschemas) > 1]
	case *kind.Pattern:
		switch {
		case strings.Contains(kw, "/ranges/items/allOf/1/"):
			return fmt.Sprintf(`expected a full-length commit hash (40 or 64 lowercase hex digits) or "0" in a GIT range, found %s`, locate.Quote(k.Got))
		case kw == "/properties/id/$ref/pattern" || strings.HasPrefix(kw, "/$defs/prefix"):
			return fmt.Sprintf("expected an ID with a known database prefix (CVE-, GHSA-, GO-, PYSEC-, RUSTSEC-, ... or x_ for private use), found %s", locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/timestamp"):
			return fmt.Sprintf(`expected an RFC 3339 UTC timestamp such as "2024-05-01T12:00:00Z", found %s`, locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/severity/items/allOf/0/"):
			return fmt.Sprintf("expected a CVSS v2 vector for severity type CVSS_V2, found %s", locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/severity/items/allOf/1/"):
			return fmt.Sprintf(`expected a CVSS v3.0 or v3.1 vector ("CVSS:3.1/AV:...") for severity type CVSS_V3, found %s`, locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/severity/items/allOf/2/"):
			return fmt.Sprintf(`expected a CVSS v4.0 vector ("CVSS:4.0/AV:...") for severity type CVSS_V4, found %s`, locate.Quote(k.Got))
		}
		return fmt.Sprintf("expected a value matching %s, found %s", locate.Quote(k.Want), locate.Quote(k.Got))
	case *kind.Format:
		switch k.Want {
		case "date-time":
			return fmt.Sprintf(`expected an RFC 3339 UTC timestamp such as "2024-05-01T12:00:00Z", found %s`, locate.JSONValue(k.Got))
		case "uri":
			return fmt.Sprintf("expected an absolute URL, found %s", locate.JSONValue(k.Got))
		}
		return fmt.Sprintf("expected a valid %s, found %s", k.Want, locate.JSONValue(k.Got))
	case *kind.Type:
		if slices.Equal(k.Want, []string{"null"}) && strings.HasPrefix(kw, "/allOf/0/then/") {
			return "expected no per-package severity because the record has a top-level severity, found one"
		}
		return fmt.Sprintf("expected %s, found %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = locate.JSONValue(w)
		}
		return fmt.Sprintf("expected one of %s, found %s", strings.Join(want, ", "), locate.JSONValue(k.Got))
	case *kind.Const:
		return fmt.Sprintf("expected %s, found %s", locate.JSONValue(k.Want), locate.JSONValue(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("expected at least %d items, found %d", k.Want, k.Got)
	}
	s := e.ErrorKind.LocalizedString(printer)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
