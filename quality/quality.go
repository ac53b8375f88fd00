// Package quality checks an SBOM against a quality profile: the BSI
// TR-03183-2 field lists (v2.1 and v2.0) or the NTIA minimum elements. It
// reads CycloneDX 1.2–1.6 (JSON, XML), SPDX 2.1–2.3 (JSON, tag-value) and
// SPDX 3.0 JSON-LD (compact form, the fields the profiles need), checks each
// field of the document and of every component for presence and validity
// (e-mail and URL syntax, RFC 3339 timestamps, SPDX licence expressions,
// SHA-512 hashes, dangling dependency references, explicit completeness,
// format versions, no vulnerability data) and returns a Report with a JSON
// pointer (or SPDX tag) for every field. See docs/conformance.md ("SBOM quality").
package quality

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cradle-sdl/cradle"
)

// Profile names.
const (
	ProfileBSI21 = "bsi-tr-03183-2-v2.1"
	ProfileBSI20 = "bsi-tr-03183-2-v2.0"
	ProfileNTIA  = "ntia"
)

// Levels.
const (
	Required    = "required"
	Conditional = "conditional" // required if it exists ("additional" in the TR)
	Optional    = "optional"
)

// States.
const (
	Present = "present"
	Missing = "missing"
	Invalid = "invalid"
)

// ProfileInfo describes a profile.
type ProfileInfo struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Report is the result of Check.
type Report struct {
	Profile     string            `json:"profile"`
	Format      string            `json:"format"`       // cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tag-value, spdx3-json
	SpecVersion string            `json:"spec_version"` // 1.6, 2.3, ...
	Conforms    bool              `json:"conforms"`     // every required field present and valid
	Document    []Field           `json:"document"`
	Components  []ComponentReport `json:"components"`
	Summary     Summary           `json:"summary"`
}

// Field is the verdict on one field.
type Field struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Level   string `json:"level"` // required, conditional, optional
	State   string `json:"state"` // present, missing, invalid
	Path    string `json:"path"`  // JSON pointer (or SPDX tag) where it is or should be
	Message string `json:"message,omitempty"`
}

// ComponentReport holds the fields of one component.
type ComponentReport struct {
	Ref      string  `json:"ref,omitempty"`
	Name     string  `json:"name"`
	Version  string  `json:"version,omitempty"`
	Path     string  `json:"path"`
	Conforms bool    `json:"conforms"`
	Fields   []Field `json:"fields"`
}

// Summary counts the verdicts.
type Summary struct {
	Components           int `json:"components"`
	ComponentsConforming int `json:"components_conforming"`
	// Counts is level -> state -> number of fields (document and components).
	Counts map[string]map[string]int `json:"counts"`
	// Failing lists the field IDs that fail: required fields not present,
	// and fields of any level that are present but invalid.
	Failing []FailingField `json:"failing"`
}

// FailingField counts how often a field fails.
type FailingField struct {
	ID      string `json:"id"`
	Level   string `json:"level"`
	Missing int    `json:"missing"`
	Invalid int    `json:"invalid"`
}

type fieldDef struct {
	key   string // internal key the format readers fill
	id    string // public ID
	name  string
	level string
}

type profile struct {
	info ProfileInfo
	doc  []fieldDef
	comp []fieldDef
	bsi  int // 0 (not BSI), 20 or 21
}

func bsiProfile(v int) *profile {
	p := &profile{bsi: v}
	complLevel := Required
	if v == 20 {
		p.info = ProfileInfo{ProfileBSI20, "BSI TR-03183-2 v2.0.0 (SBOM)",
			"German technical guideline, v2.0.0: CycloneDX >= 1.5 or SPDX >= 2.2.1; creator, timestamp, per-component creator, name, version, filename, dependencies, distribution licence, SHA-512 hash, executable/archive/structured."}
		complLevel = Optional
	} else {
		p.info = ProfileInfo{ProfileBSI21, "BSI TR-03183-2 v2.1.0 (SBOM)",
			"German technical guideline, v2.1.0 (2025-08): CycloneDX >= 1.6 or SPDX >= 3.0.1; as v2.0 plus explicit completeness of the dependency enumeration and the deployable hash on the distribution reference."}
	}
	p.doc = []fieldDef{
		{"sbom.spec_version", "sbom.spec_version", "SBOM format and version", Required},
		{"sbom.creator", "sbom.creator", "Creator of the SBOM (e-mail or URL)", Required},
		{"sbom.timestamp", "sbom.timestamp", "Timestamp (RFC 3339)", Required},
		{"sbom.no_vulnerabilities", "sbom.no_vulnerabilities", "No vulnerability information in the SBOM", Required},
		{"sbom.primary_component", "sbom.primary_component", "Primary component the SBOM describes", Required},
		{"sbom.dependencies", "sbom.dependencies", "Dependency graph (resolvable, rooted at the primary component)", Required},
		{"sbom.completeness", "sbom.completeness", "Explicit completeness of the dependency enumeration", complLevel},
		{"sbom.uri", "sbom.uri", "SBOM-URI", Conditional},
	}
	p.comp = []fieldDef{
		{"component.creator", "component.creator", "Creator of the component (e-mail or URL)", Required},
		{"component.name", "component.name", "Component name", Required},
		{"component.version", "component.version", "Component version", Required},
		{"component.filename", "component.filename", "Filename of the component", Required},
		{"component.dependencies", "component.dependencies", "Dependencies of the component", Required},
		{"component.distribution_licence", "component.distribution_licence", "Distribution licences (SPDX expression)", Required},
		{"component.deployable_hash", "component.deployable_hash", "SHA-512 hash of the deployable component", Required},
		{"component.executable", "component.executable", "Executable property", Required},
		{"component.archive", "component.archive", "Archive property", Required},
		{"component.structured", "component.structured", "Structured property", Required},
		{"component.source_uri", "component.source_uri", "Source code URI", Conditional},
		{"component.deployable_uri", "component.deployable_uri", "URI of the deployable form", Conditional},
		{"component.unique_ids", "component.unique_ids", "Other unique identifiers (purl, CPE, SWID)", Conditional},
		{"component.original_licence", "component.original_licence", "Original licences", Conditional},
		{"component.effective_licence", "component.effective_licence", "Effective licence", Optional},
		{"component.source_hash", "component.source_hash", "Hash of the source code", Optional},
		{"component.security_txt", "component.security_txt", "URL of the security.txt", Optional},
	}
	return p
}

var profiles = map[string]*profile{
	ProfileBSI21: bsiProfile(21),
	ProfileBSI20: bsiProfile(20),
	ProfileNTIA: {
		info: ProfileInfo{ProfileNTIA, "NTIA minimum elements (2021)",
			"Supplier, component name, version, other unique identifiers, dependency relationship, author of the SBOM data, timestamp."},
		doc: []fieldDef{
			{"ntia.author", "sbom.author", "Author of SBOM data", Required},
			{"sbom.timestamp", "sbom.timestamp", "Timestamp", Required},
			{"ntia.dependencies", "sbom.dependencies", "Dependency relationship", Required},
		},
		comp: []fieldDef{
			{"ntia.supplier", "component.supplier", "Supplier name", Required},
			{"component.name", "component.name", "Component name", Required},
			{"component.version", "component.version", "Version of the component", Required},
			{"ntia.unique_ids", "component.unique_ids", "Other unique identifiers", Required},
		},
	},
}

// Profiles lists the profiles Check knows.
func Profiles() []ProfileInfo {
	return []ProfileInfo{profiles[ProfileBSI21].info, profiles[ProfileBSI20].info, profiles[ProfileNTIA].info}
}

// result is what a format reader found for one field key.
type result struct {
	state, path, msg string
}

type comp struct {
	ref, name, version, path string
	f                        map[string]result
}

type parsed struct {
	format, spec string
	doc          map[string]result
	comps        []comp
}

// Check reads the SBOM in data (name is used in error locations) and checks
// it against the profile. It returns an error (a *cradle.Error with code
// invalid) only for an unknown profile or input it cannot read.
func Check(name string, data []byte, profileName string) (*Report, error) {
	p, ok := profiles[profileName]
	if !ok {
		names := make([]string, 0, len(profiles))
		for _, pi := range Profiles() {
			names = append(names, pi.Name)
		}
		return nil, cradle.Invalid("unknown SBOM quality profile",
			cradle.Problem{Location: "profile", Message: fmt.Sprintf("%q is not one of %s", profileName, strings.Join(names, ", "))})
	}
	doc, err := read(name, data, p)
	if err != nil {
		return nil, err
	}
	return build(p, doc), nil
}

func build(p *profile, d *parsed) *Report {
	r := &Report{Profile: p.info.Name, Format: d.format, SpecVersion: d.spec, Conforms: true,
		Components: make([]ComponentReport, 0, len(d.comps))}
	r.Summary.Counts = map[string]map[string]int{}
	fail := map[string]*FailingField{}
	mk := func(def fieldDef, m map[string]result) (Field, bool) {
		res, ok := m[def.key]
		if !ok {
			res = result{state: Missing}
		}
		f := Field{ID: def.id, Name: def.name, Level: def.level, State: res.state, Path: res.path, Message: res.msg}
		c := r.Summary.Counts[def.level]
		if c == nil {
			c = map[string]int{}
			r.Summary.Counts[def.level] = c
		}
		c[f.State]++
		bad := def.level == Required && f.State != Present
		if bad || f.State == Invalid {
			ff := fail[def.id]
			if ff == nil {
				ff = &FailingField{ID: def.id, Level: def.level}
				fail[def.id] = ff
			}
			if f.State == Missing {
				ff.Missing++
			} else {
				ff.Invalid++
			}
		}
		return f, !bad
	}
	for _, def := range p.doc {
		f, ok := mk(def, d.doc)
		r.Document = append(r.Document, f)
		r.Conforms = r.Conforms && ok
	}
	for _, c := range d.comps {
		cr := ComponentReport{Ref: c.ref, Name: c.name, Version: c.version, Path: c.path, Conforms: true,
			Fields: make([]Field, 0, len(p.comp))}
		for _, def := range p.comp {
			f, ok := mk(def, c.f)
			cr.Fields = append(cr.Fields, f)
			cr.Conforms = cr.Conforms && ok
		}
		if cr.Conforms {
			r.Summary.ComponentsConforming++
		}
		r.Conforms = r.Conforms && cr.Conforms
		r.Components = append(r.Components, cr)
	}
	r.Summary.Components = len(d.comps)
	order := map[string]int{}
	for i, def := range append(slices.Clone(p.doc), p.comp...) {
		order[def.id] = i
	}
	for _, ff := range fail {
		r.Summary.Failing = append(r.Summary.Failing, *ff)
	}
	slices.SortFunc(r.Summary.Failing, func(a, b FailingField) int { return order[a.ID] - order[b.ID] })
	if r.Summary.Failing == nil {
		r.Summary.Failing = []FailingField{}
	}
	return r
}

// Failed reports whether a field counts against conformance or is invalid.
func (f Field) Failed() bool {
	return f.State == Invalid || f.Level == Required && f.State != Present
}

// WriteText writes a human-readable report: the summary, then the failing
// fields of the document and of each component (all fields when verbose),
// each with its path.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	verdict := "does NOT conform"
	if r.Conforms {
		verdict = "conforms"
	}
	fmt.Fprintf(&b, "Profile %s: %s (%s %s)\n", r.Profile, verdict, r.Format, r.SpecVersion)
	fmt.Fprintf(&b, "Components: %d, conforming: %d\n", r.Summary.Components, r.Summary.ComponentsConforming)
	for _, lvl := range []string{Required, Conditional, Optional} {
		c := r.Summary.Counts[lvl]
		if c == nil {
			continue
		}
		fmt.Fprintf(&b, "  %-11s present %d, missing %d, invalid %d\n", lvl+":", c[Present], c[Missing], c[Invalid])
	}
	if len(r.Summary.Failing) > 0 {
		b.WriteString("Failing fields:\n")
		for _, ff := range r.Summary.Failing {
			fmt.Fprintf(&b, "  %-32s %-11s missing %d, invalid %d\n", ff.ID, ff.Level, ff.Missing, ff.Invalid)
		}
	}
	writeFields := func(indent string, fs []Field) {
		for _, f := range fs {
			if !verbose && !f.Failed() {
				continue
			}
			fmt.Fprintf(&b, "%s%-8s %-32s %-11s %s", indent, f.State, f.ID, f.Level, f.Path)
			if f.Message != "" {
				b.WriteString("  — " + f.Message)
			}
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nDocument:\n")
	writeFields("  ", r.Document)
	for _, c := range r.Components {
		if !verbose && c.Conforms && !anyFailed(c.Fields) {
			continue
		}
		label := c.Name
		if c.Version != "" {
			label += "@" + c.Version
		}
		if label == "" {
			label = "(unnamed)"
		}
		fmt.Fprintf(&b, "\nComponent %s (%s):\n", label, c.Path)
		writeFields("  ", c.Fields)
		if b.Len() > 64<<10 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func anyFailed(fs []Field) bool {
	for _, f := range fs {
		if f.Failed() {
			return true
		}
	}
	return false
}
