package results

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/cradle-sdl/cradle/internal/locate"
)

// sarifSchemaJSON is the OASIS SARIF 2.1.0 schema (errata 01), embedded so
// that validation never touches the network (schema/README.md).
//
//go:embed schema/sarif-schema-2.1.0.json
var sarifSchemaJSON []byte

const sarifSchemaURL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarifSchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("sarif schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader{})
	if err := c.AddResource(sarifSchemaURL, doc); err != nil {
		return nil, fmt.Errorf("sarif schema: %w", err)
	}
	s, err := c.Compile(sarifSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile sarif schema: %w", err)
	}
	return s, nil
})

// noLoader refuses to fetch anything: the schema is self-contained.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("sarif schema: refusing to load %s", url)
}

// validateSARIF checks a (possibly reduced) SARIF log against the
// schema. Violations are returned, not judged: decodeSARIF reports them
// as warnings (see the package documentation).
func validateSARIF(doc []byte) ([]locate.Violation, error) {
	s, err := sarifSchema()
	if err != nil {
		return nil, err
	}
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		// encoding/json accepted the document; a disagreement here is a
		// bug, not bad input.
		return nil, fmt.Errorf("sarif schema check: %w", err)
	}
	vs, err := locate.SchemaViolations(s, tree, "the SARIF 2.1.0 schema does not define it", describe)
	if err != nil {
		return nil, fmt.Errorf("validate sarif log: %w", err)
	}
	return vs, nil
}

// describe turns a schema error into "expected X, found Y".
func describe(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
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
	case *kind.MinLength:
		return fmt.Sprintf("expected a string of at least %d characters, found %d", k.Want, k.Got)
	case *kind.Minimum:
		return fmt.Sprintf("expected a number of at least %s, found %s", k.Want.RatString(), k.Got.RatString())
	case *kind.Format:
		return fmt.Sprintf("expected a valid %s, found %s", k.Want, locate.JSONValue(k.Got))
	case *kind.Pattern:
		return fmt.Sprintf("expected a value matching %s, found %s", locate.Quote(k.Want), locate.Quote(k.Got))
	case *kind.UniqueItems:
		return fmt.Sprintf("expected unique items, found items %d and %d equal", k.Duplicates[0], k.Duplicates[1])
	case *kind.OneOf:
		if len(k.Subschemas) > 1 {
			return "expected a value matching exactly one of the allowed forms, found one that matches several"
		}
		return "expected a value matching one of the allowed forms, found one that matches none"
	case *kind.AnyOf:
		return "expected a value matching one of the allowed forms, found one that matches none"
	case *kind.Dependency:
		return fmt.Sprintf("expected the properties %s together with %q, found some missing", strings.Join(k.Missing, ", "), k.Prop)
	}
	return "does not satisfy the schema at " + locate.SchemaKeyword(e)
}
