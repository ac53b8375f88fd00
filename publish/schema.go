package publish

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The OASIS provider metadata schema, the CSAF schema it takes
// /properties/document/properties/publisher from and the CVSS schemas that
// one references, embedded so that
// validation never touches the network. See schema/README.md.
//
//go:embed schema/*.json
var schemaFS embed.FS

const (
	providerSchemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json"
	csafSchemaURL     = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
)

// providerSchema compiles the provider metadata schema once per process.
var providerSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	// provider-metadata.json is generated here, so its URIs and times are
	// asserted too: a malformed canonical_url must not reach a web server.
	c.AssertFormat()
	for name, url := range map[string]string{
		"schema/provider_json_schema.json": providerSchemaURL,
		"schema/csaf_json_schema.json":     csafSchemaURL,
		// The CSAF schema refers to the CVSS schemas without the "?date"
		// of their ids; compiling it resolves every reference, even
		// those the publisher object does not use.
		"schema/cvss-v2.0.json": "https://www.first.org/cvss/cvss-v2.0.json",
		"schema/cvss-v3.0.json": "https://www.first.org/cvss/cvss-v3.0.json",
		"schema/cvss-v3.1.json": "https://www.first.org/cvss/cvss-v3.1.json",
	} {
		b, err := schemaFS.ReadFile(name)
		if err != nil {
			return nil, err
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
