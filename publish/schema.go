package publish

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cradle-sdl/cradle/internal/csafspec"
)

// The OASIS provider metadata schema, embedded so that validation never
// touches the network (schema/README.md). It takes
// /properties/document/properties/publisher from the CSAF schema, which
// references the CVSS schemas: those come from internal/csafspec.
//
//go:embed schema/provider_json_schema.json
var providerSchemaJSON []byte

const providerSchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json"

// providerSchema compiles the provider metadata schema once per process.
var providerSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	// provider-metadata.json is generated here, so its URIs and times are
	// asserted too: a malformed canonical_url must not reach a web server.
	c.AssertFormat()
	// Compiling the CSAF schema resolves every reference, even those the
	// publisher object does not use: all of them are registered.
	files := map[string]string{"schema/provider_json_schema.json": providerSchemaURL}
	for name, url := range csafspec.SchemaFiles {
		files[name] = url
	}
	for name, url := range files {
		b := providerSchemaJSON
		if url != providerSchemaURL {
			var err error
			if b, err = csafspec.Schemas.ReadFile(name); err != nil {
				return nil, err
			}
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
	}
	s, err := c.Compile(providerSchemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile provider metadata schema: %w", err)
	}
	return s, nil
})
