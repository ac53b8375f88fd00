package catalog

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

// The schemas of the two file formats, embedded so that validation never
// touches the network. They are cradle's own formats.
var (
	//go:embed schema/catalog.schema.json
	catalogSchemaJSON []byte
	//go:embed schema/crosswalk.schema.json
	crosswalkSchemaJSON []byte
)

// CatalogSchema and CrosswalkSchema return the JSON schemas of the file
// formats, for people writing their own catalogues.
func CatalogSchema() []byte   { return bytes.Clone(catalogSchemaJSON) }
func CrosswalkSchema() []byte { return bytes.Clone(crosswalkSchemaJSON) }

var (
	catalogSchema   = sync.OnceValues(func() (*jsonschema.Schema, error) { return compile("catalog.schema.json", catalogSchemaJSON) })
	crosswalkSchema = sync.OnceValues(func() (*jsonschema.Schema, error) { return compile("crosswalk.schema.json", crosswalkSchemaJSON) })
)

func compile(file string, schemaJSON []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("catalog schema %s: %w", file, err)
	}
	url := "https://github.com/cradle-sdl/cradle/catalog/schema/" + file
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "url" must be an absolute URI
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("catalog schema %s: %w", file, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile catalog schema %s: %w", file, err)
	}
	return s, nil
}

// validateSchema checks a parsed file against one of the schemas.
func validateSchema(schema func() (*jsonschema.Schema, error), tree any) ([]violation, error) {
	s, err := schema()
	if err != nil {
		return nil, err
	}
	vs, err := locate.SchemaViolations(s, tree, "the format does not define it; check the spelling", describe)
	if err != nil {
		return nil, fmt.Errorf("validate catalogue: %w", err)
	}
	out := make([]violation, len(vs))
	for i, v := range vs {
		out[i] = violation{path: v.Path, message: v.Message}
	}
	return out, nil
}

// Messages for values that break a pattern, by the definition the pattern
// belongs to.
const (
	itemIDRule    = "expected an ID of 1 to 64 letters, digits, '.' and '-', starting and ending with a letter or digit (as in \"SM-1\" or \"I.I.2.a\"), found %s"
	catalogIDRule = "expected an ID of 1 to 64 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit (as in \"iec-62443-4-1-2018\"), found %s"
	lineRule      = "expected one line of text without leading or trailing spaces, found %s"
	textRule      = "expected text that is not blank, found %s"
)

// describe turns a schema error into "expected X, found Y".
func describe(e *jsonschema.ValidationError) string {
	kw := locate.SchemaKeyword(e)
	switch k := e.ErrorKind.(type) {
	case *kind.Pattern:
		switch {
		case strings.HasPrefix(kw, "/$defs/itemID/"):
			return fmt.Sprintf(itemIDRule, locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/catalogID/"):
			return fmt.Sprintf(catalogIDRule, locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/line/"):
			return fmt.Sprintf(lineRule, locate.Quote(k.Got))
		case strings.HasPrefix(kw, "/$defs/text/"):
			return fmt.Sprintf(textRule, locate.Quote(k.Got))
		}
		return fmt.Sprintf("expected a value matching %s, found %s", locate.Quote(k.Want), locate.Quote(k.Got))
	case *kind.Format:
		if k.Want == "uri" {
			return fmt.Sprintf("expected an absolute URL, found %s", locate.JSONValue(k.Got))
		}
		return fmt.Sprintf("expected a valid %s, found %s", k.Want, locate.JSONValue(k.Got))
	case *kind.Type:
		return fmt.Sprintf("expected %s, found %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = locate.JSONValue(w)
		}
		return fmt.Sprintf("expected one of %s, found %s", strings.Join(want, ", "), locate.JSONValue(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("expected at least %d items, found %d", k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("expected at most %d items, found %d", k.Want, k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("expected at most %d characters, found %d", k.Want, k.Got)
	case *kind.UniqueItems:
		return fmt.Sprintf("expected each value once, found items %d and %d equal", k.Duplicates[0], k.Duplicates[1])
	case *kind.Minimum:
		return fmt.Sprintf("expected at least %s, found %s", k.Want.RatString(), k.Got.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("expected at most %s, found %s", k.Want.RatString(), k.Got.RatString())
	case *kind.FalseSchema:
		return "expected nothing here, found a value"
	}
	// The schemas use no other keyword; should one be added, the message
	// still says which rule failed.
	return "expected a value satisfying the schema's " + locate.Quote(kw) + " rule"
}
