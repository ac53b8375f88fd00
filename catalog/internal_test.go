package catalog

import (
	"encoding/json"
	"slices"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

// TestSchemaMatchesGo keeps the schemas and the Go checks (used for
// catalogues built in code) saying the same thing.
func TestSchemaMatchesGo(t *testing.T) {
	for file, raw := range map[string][]byte{"catalog": catalogSchemaJSON, "crosswalk": crosswalkSchemaJSON} {
		var s struct {
			Defs map[string]struct {
				Pattern   string `json:"pattern"`
				MaxLength int    `json:"maxLength"`
			} `json:"$defs"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		for def, want := range map[string]string{
			"itemID":    itemIDPattern.String(),
			"catalogID": catalogIDPattern.String(),
			"line":      linePattern.String(),
			"text":      textPattern.String(),
		} {
			if got := s.Defs[def].Pattern; got != want {
				t.Errorf("%s schema $defs/%s pattern %q, Go %q", file, def, got, want)
			}
		}
		if s.Defs["line"].MaxLength != maxLine || s.Defs["text"].MaxLength != maxText {
			t.Errorf("%s schema lengths %d/%d, Go %d/%d", file, s.Defs["line"].MaxLength, s.Defs["text"].MaxLength, maxLine, maxText)
		}
	}
	var s struct {
		Defs struct {
			Requirement struct {
				Properties struct {
					Kind struct{ Enum []Kind } `json:"kind"`
				} `json:"properties"`
			} `json:"requirement"`
			Freshness struct {
				Properties struct {
					MaxAgeDays struct{ Maximum int } `json:"max_age_days"`
					Lifecycle  struct {
						Items struct{ Enum []cradle.Lifecycle } `json:"items"`
					} `json:"lifecycle"`
				} `json:"properties"`
			} `json:"freshness"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(catalogSchemaJSON, &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Defs.Requirement.Properties.Kind.Enum; !slices.Equal(got, Kinds) {
		t.Errorf("schema kinds %v, Go %v", got, Kinds)
	}
	if got := s.Defs.Freshness.Properties.Lifecycle.Items.Enum; !slices.Equal(got, cradle.Lifecycles) {
		t.Errorf("schema release states %v, domain %v", got, cradle.Lifecycles)
	}
	if got := s.Defs.Freshness.Properties.MaxAgeDays.Maximum; got != maxMaxAge {
		t.Errorf("schema max_age_days maximum %d, Go %d", got, maxMaxAge)
	}
}

func TestUUID5(t *testing.T) {
	// RFC 9562 / Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
	if got := uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"); got != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Errorf("uuid5 = %s", got)
	}
	// uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/cradle-sdl/cradle/catalog")
	if oscalNamespace != "8b0b4313-6100-533e-8d6f-72ecd6ae53ed" {
		t.Errorf("namespace = %s", oscalNamespace)
	}
}

func TestOSCALID(t *testing.T) {
	for in, want := range map[string]string{"SM-1": "sm-1", "I.I.2.a": "i.i.2.a", "Art.13.2-4": "art.13.2-4", "5.2.1": "_5.2.1", "VI": "vi"} {
		if got := oscalID(in); got != want {
			t.Errorf("oscalID(%q) = %q, want %q", in, got, want)
		}
	}
}
