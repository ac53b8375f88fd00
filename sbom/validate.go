package sbom

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The schemas are embedded so that validation never touches the network.
// See schema/README.md for their origin and licences.
//
//go:embed schema/*.json
var schemaFS embed.FS

// CycloneDX schemas $ref "spdx.schema.json" and "jsf-0.82.schema.json"
// relative to their $id, so every file is registered under the CycloneDX
// base URL; the SPDX schema has no external references.
const schemaBase = "http://cyclonedx.org/schema/"

// schemaFile maps a format and version to its schema file.
func schemaFile(format, spec string) string {
	if format == cradle.FormatSPDX {
		return "spdx-2.3.schema.json" // for 2.2 too, see schema/README.md
	}
	return "bom-" + spec + ".schema.json"
}

// compiled holds one lazily compiled schema per file: compiling the
// CycloneDX 1.6 schema takes tens of milliseconds, so it happens once per
// process, on first use.
var compiled sync.Map // file name → func() (*jsonschema.Schema, error)

func schemaFor(format, spec string) (*jsonschema.Schema, error) {
	file := schemaFile(format, spec)
	f, _ := compiled.LoadOrStore(file, sync.OnceValues(func() (*jsonschema.Schema, error) {
		return compileSchema(file)
	}))
	return f.(func() (*jsonschema.Schema, error))()
}

func compileSchema(file string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	// JSON Schema draft-07 leaves asserting "format" to the implementation.
	// cradle asserts them, except iri-reference, the format of URLs in
	// external references: those are references cradle neither imports
	// nor follows, and real SBOMs write scp-style git remotes there
	// ("git@github.com:chaijs/deep-eql.git" in redis-commander's), which
	// git and npm accept and RFC 3987 does not. (The CycloneDX schemas use
	// iri-reference only on its own or in an anyOf, so relaxing it cannot
	// make a oneOf ambiguous; "uri" stays asserted for that reason: JSF's
	// signature algorithm is a oneOf of a name and a URI.)
	c.RegisterFormat(&jsonschema.Format{Name: "iri-reference", Validate: func(any) error { return nil }})
	entries, err := schemaFS.ReadDir("schema")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := schemaFS.ReadFile("schema/" + e.Name())
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
		if err := c.AddResource(schemaBase+e.Name(), doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", e.Name(), err)
		}
	}
	s, err := c.Compile(schemaBase + file)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", file, err)
	}
	return s, nil
}

// violation is one schema error: where (the instance location, as JSON
// pointer tokens), which property for required and additionalProperties
// errors, and what.
type violation struct {
	path    []string
	prop    string
	message string
}

func (v violation) problem(name string) cradle.Problem {
	return cradle.Problem{Location: locate.AtPath(name, locate.Pointer(v.path...)), Message: v.message}
}

// validateSchema checks the parsed JSON tree against the schema for the
// document's format and version and returns the violations.
func validateSchema(d *document) ([]violation, error) {
	s, err := schemaFor(d.format, d.spec)
	if err != nil {
		return nil, err
	}
	err = s.Validate(any(d.tree))
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate %s: %w", d.what(), err)
	}
	var out []violation
	seen := map[string]bool{}
	add := func(v violation) {
		key := locate.Pointer(v.path...) + "\x00" + v.prop + "\x00" + v.message
		if !seen[key] {
			seen[key] = true
			out = append(out, v)
		}
	}
	for _, leaf := range locate.SchemaLeaves(ve, nil) {
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, p := range k.Missing {
				add(violation{path: leaf.InstanceLocation, prop: p, message: "expected the required property " + locate.Quote(p) + ", found none"})
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				add(violation{path: leaf.InstanceLocation, prop: p, message: "expected no property " + locate.Quote(p) + " here (the schema does not define it)"})
			}
		default:
			add(violation{path: leaf.InstanceLocation, message: describe(leaf.ErrorKind)})
		}
	}
	// The validator walks objects in map order; sort by place in the
	// document so that the same document always gives the same report.
	slices.SortFunc(out, func(a, b violation) int {
		return cmp.Or(locate.ComparePaths(a.path, b.path), strings.Compare(a.prop, b.prop), strings.Compare(a.message, b.message))
	})
	return out, nil
}

func problemsOf(name string, vs []violation) []cradle.Problem {
	var ps []cradle.Problem
	for _, v := range vs {
		if len(ps) == maxProblems {
			break
		}
		ps = append(ps, v.problem(name))
	}
	return ps
}

var printer = message.NewPrinter(language.English)

// describe turns a schema error into "expected X, found Y" where the kind is
// common, and falls back to the validator's own wording (shortened, since an
// enum of 600 licence IDs makes a useless message).
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("expected %s, found %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		if len(k.Want) <= 8 {
			want := make([]string, len(k.Want))
			for i, w := range k.Want {
				want[i] = jsonValue(w)
			}
			return fmt.Sprintf("expected one of %s, found %s", strings.Join(want, ", "), jsonValue(k.Got))
		}
		return fmt.Sprintf("expected one of %d allowed values, found %s", len(k.Want), jsonValue(k.Got))
	case *kind.Const:
		return fmt.Sprintf("expected %s, found %s", jsonValue(k.Want), jsonValue(k.Got))
	case *kind.Pattern:
		return fmt.Sprintf("expected a value matching %s, found %s", locate.Quote(k.Want), locate.Quote(k.Got))
	case *kind.Format:
		return fmt.Sprintf("expected a valid %s, found %s", k.Want, jsonValue(k.Got))
	case *kind.OneOf, *kind.AnyOf:
		return "expected a value matching one of the allowed forms, found one that matches none"
	case *kind.MinItems:
		return fmt.Sprintf("expected at least %d items, found %d", k.Want, k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("expected at least %d characters, found %d", k.Want, k.Got)
	case *kind.UniqueItems:
		return fmt.Sprintf("expected unique items, found items %d and %d equal", k.Duplicates[0], k.Duplicates[1])
	}
	return firstN(k.LocalizedString(printer), 200)
}

func quotedList(ss []string) string {
	ss = slices.Clone(ss)
	for i, s := range ss {
		ss[i] = locate.Quote(s)
	}
	return strings.Join(ss, ", ")
}
