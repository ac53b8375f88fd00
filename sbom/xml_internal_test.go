package sbom

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestXMLRulesMatchSchemas keeps the enums and patterns checkXML enforces
// for XML equal to those of the JSON schemas of the same versions.
func TestXMLRulesMatchSchemas(t *testing.T) {
	type schema struct {
		Properties struct {
			SerialNumber struct{ Pattern string } `json:"serialNumber"`
		} `json:"properties"`
		Definitions struct {
			Component struct {
				Properties struct {
					Type  struct{ Enum []string } `json:"type"`
					Scope struct{ Enum []string } `json:"scope"`
				} `json:"properties"`
			} `json:"component"`
			HashAlg     struct{ Enum []string }  `json:"hash-alg"`
			HashContent struct{ Pattern string } `json:"hash-content"`
			Patch       struct {
				Properties struct {
					Type struct{ Enum []string } `json:"type"`
				} `json:"properties"`
			} `json:"patch"`
			Issue struct {
				Properties struct {
					Type struct{ Enum []string } `json:"type"`
				} `json:"properties"`
			} `json:"issue"`
			DataFlow          struct{ Enum []string } `json:"dataFlow"`
			DataFlowDirection struct{ Enum []string } `json:"dataFlowDirection"`
		} `json:"definitions"`
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, v := range []string{"1.2", "1.3", "1.4", "1.5", "1.6"} {
		b, err := schemaFS.ReadFile("schema/bom-" + v + ".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		var s schema
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		d := s.Definitions
		flows := d.DataFlow.Enum
		if len(flows) == 0 {
			flows = d.DataFlowDirection.Enum
		}
		for _, c := range []struct {
			what      string
			got, want []string
		}{
			{"component types", componentTypes(v), d.Component.Properties.Type.Enum},
			{"scopes", scopes, d.Component.Properties.Scope.Enum},
			{"hash algorithms", hashAlgs, d.HashAlg.Enum},
			{"patch types", patchTypes, d.Patch.Properties.Type.Enum},
			{"issue types", issueTypes, d.Issue.Properties.Type.Enum},
			{"data flows", dataFlows, flows},
			{"hash content", []string{hashContent.String()}, []string{d.HashContent.Pattern}},
			{"serial number", []string{serialRE.String()}, []string{s.Properties.SerialNumber.Pattern}},
		} {
			if !slices.Equal(sorted(c.got), sorted(c.want)) {
				t.Errorf("CycloneDX %s %s: checkXML has %q, the schema %q", v, c.what, c.got, c.want)
			}
		}
	}
}
