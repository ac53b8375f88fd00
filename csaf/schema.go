package csaf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/cradle-sdl/cradle/internal/csafspec"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// The schemas are embedded (internal/csafspec) so that validation never
// touches the network.
const (
	csafSchemaURL = csafspec.CSAFSchemaURL
	cvss20URL     = csafspec.CVSS20URL
	cvss30URL     = csafspec.CVSS30URL
	cvss31URL     = csafspec.CVSS31URL
)

// schemas are the compiled CSAF schema and, for test 6.1.8, the CVSS
// schemas on their own. They are compiled once per process, on first use.
type schemas struct {
	csaf, cvss20, cvss30, cvss31 *jsonschema.Schema
}

var compiled = sync.OnceValues(func() (*schemas, error) {
	c := jsonschema.NewCompiler()
	// 2020-12 leaves "format" to the implementation; cradle asserts it, as
	// BSI's reference validator does, so that dates are RFC 3339
	// date-times and URLs are absolute.
	c.AssertFormat()
	c.UseLoader(noLoader{})
	for file, url := range csafspec.SchemaFiles {
		data, err := csafspec.Schemas.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("csaf schema %s: %w", file, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("csaf schema %s: %w", file, err)
		}
		// The CVSS schemas' own ids carry a "?date" the CSAF schema's
		// references leave out: register them under the URL the CSAF
		// schema uses.
		if m, ok := doc.(map[string]any); ok {
			delete(m, "id")
			delete(m, "$id")
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("csaf schema %s: %w", file, err)
		}
	}
	var s schemas
	for _, x := range []struct {
		url string
		dst **jsonschema.Schema
	}{{csafSchemaURL, &s.csaf}, {cvss20URL, &s.cvss20}, {cvss30URL, &s.cvss30}, {cvss31URL, &s.cvss31}} {
		sch, err := c.Compile(x.url)
		if err != nil {
			return nil, fmt.Errorf("compile csaf schema %s: %w", x.url, err)
		}
		*x.dst = sch
	}
	return &s, nil
})

// noLoader refuses every URL the embedded schemas do not cover, so that a
// schema change can never make validation reach for the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// isCVSSPath tells whether a JSON pointer (as tokens) is inside a CVSS
// object: /vulnerabilities/i/scores/j/cvss_v2 or cvss_v3. Schema errors
// there are test 6.1.8's, which checks each CVSS object against its own
// version's schema and so explains them better than the CSAF schema's
// oneOf over v3.0 and v3.1.
func isCVSSPath(p []string) bool {
	return len(p) >= 5 && p[0] == "vulnerabilities" && p[2] == "scores" && (p[4] == "cvss_v2" || p[4] == "cvss_v3")
}

// validateSchema checks tree against the CSAF schema and returns the
// located violations, sorted by place; those inside CVSS objects only when
// withCVSS is set (otherwise test 6.1.8 reports them).
func validateSchema(s *schemas, tree any, withCVSS bool) ([]Finding, error) {
	err := s.csaf.Validate(tree)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate csaf document: %w", err)
	}
	keep := func(p []string) bool { return withCVSS || !isCVSSPath(p) }
	return schemaFindings(TestSchema, nil, ve, keep), nil
}

// schemaFindings turns a validation error into findings of test id, with
// prefix prepended to every instance location; keep filters by location.
func schemaFindings(id string, prefix []string, ve *jsonschema.ValidationError, keep func([]string) bool) []Finding {
	type located struct {
		path []string
		msg  string
	}
	var out []located
	seen := map[string]bool{}
	add := func(path []string, msg string) {
		if prefix != nil {
			path = append(slices.Clone(prefix), path...)
		}
		if keep != nil && !keep(path) {
			return
		}
		key := strings.Join(path, "/") + "\x00" + msg
		if !seen[key] {
			seen[key] = true
			out = append(out, located{path, msg})
		}
	}
	for _, leaf := range locate.SchemaLeaves(ve, nil) {
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, p := range k.Missing {
				add(leaf.InstanceLocation, "expected the required property "+locate.Quote(p)+", found none")
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				add(append(slices.Clone(leaf.InstanceLocation), p), "expected no property "+locate.Quote(p)+" here (the schema does not define it)")
			}
		default:
			add(leaf.InstanceLocation, describe(leaf))
		}
	}
	slices.SortFunc(out, func(a, b located) int {
		return cmp.Or(locate.ComparePaths(a.path, b.path), strings.Compare(a.msg, b.msg))
	})
	fs := make([]Finding, len(out))
	for i, l := range out {
		fs[i] = Finding{Test: id, Path: locate.Pointer(l.path...), Message: l.msg}
	}
	return fs
}

// describe turns one schema error into "expected X, found Y".
func describe(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return fmt.Sprintf("expected %s, found %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = jsonValue(w)
		}
		return fmt.Sprintf("expected one of %s, found %s", strings.Join(want, ", "), jsonValue(k.Got))
	case *kind.Const:
		return fmt.Sprintf("expected %s, found %s", jsonValue(k.Want), jsonValue(k.Got))
	case *kind.Pattern:
		return fmt.Sprintf("expected a value matching %s, found %s", locate.Quote(k.Want), locate.Quote(k.Got))
	case *kind.Format:
		switch k.Want {
		case "date-time":
			return fmt.Sprintf(`expected an RFC 3339 date-time such as "2024-05-01T12:00:00.000Z", found %s`, jsonValue(k.Got))
		case "uri":
			return fmt.Sprintf("expected an absolute URI, found %s", jsonValue(k.Got))
		}
		return fmt.Sprintf("expected a valid %s, found %s", k.Want, jsonValue(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("expected at least %d items, found %d", k.Want, k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("expected at least %d characters, found %d", k.Want, k.Got)
	case *kind.MinProperties:
		return fmt.Sprintf("expected at least %d properties, found %d", k.Want, k.Got)
	case *kind.UniqueItems:
		return fmt.Sprintf("expected unique items, found items %d and %d equal", k.Duplicates[0], k.Duplicates[1])
	case *kind.Minimum:
		return fmt.Sprintf("expected a number of at least %s, found %s", k.Want.FloatString(1), jsonValue(k.Got))
	case *kind.Maximum:
		return fmt.Sprintf("expected a number of at most %s, found %s", k.Want.FloatString(1), jsonValue(k.Got))
	case *kind.OneOf:
		if len(k.Subschemas) > 1 {
			return "expected a value matching exactly one of the allowed forms, found one that matches several"
		}
		return "expected a value matching one of the allowed forms, found one that matches none"
	}
	return "expected a value that satisfies the schema keyword " + locate.Quote(strings.Join(e.ErrorKind.KeywordPath(), "/"))
}

// jsonValue shows a value from the document, shortened.
func jsonValue(v any) string {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b)
	}
	return locate.JSONValue(v)
}
