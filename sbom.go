package cradle

import (
	"time"
)

// SBOM formats cradle reads and writes.
const (
	FormatCycloneDX = "cyclonedx"
	FormatSPDX      = "spdx"
)

// Export formats.
const (
	ExportCycloneDXJSON = "cyclonedx-json"
	ExportCycloneDXXML  = "cyclonedx-xml"
	ExportSPDXJSON      = "spdx-json"
)

// ExportFormats lists the formats `sbom export` writes.
var ExportFormats = []string{ExportCycloneDXJSON, ExportCycloneDXXML, ExportSPDXJSON}

// SBOM is a software bill of materials normalised from CycloneDX or SPDX:
// the components and the dependency graph between them. Refs are the
// document's own identifiers (bom-ref, SPDXID) and unique within it.
type SBOM struct {
	Format      string    `json:"format"`       // FormatCycloneDX or FormatSPDX
	Encoding    string    `json:"encoding"`     // json, xml, tag-value
	SpecVersion string    `json:"spec_version"` // "1.6", "2.3"
	Name        string    `json:"name,omitempty"`
	Serial      string    `json:"serial,omitempty"` // CycloneDX serialNumber or SPDX namespace
	Created     time.Time `json:"created,omitzero"`
	Authors     []string  `json:"authors,omitempty"`
	Tools       []string  `json:"tools,omitempty"`

	// Root is the ref of the component the SBOM describes, "" if none.
	Root         string       `json:"root,omitempty"`
	Components   []Component  `json:"components"`
	Dependencies []Dependency `json:"dependencies"`

	// Warnings are things worth telling the person that do not make the
	// document unusable (e.g. a dependency cycle).
	Warnings []Problem `json:"warnings,omitempty"`
}

// Component is one entry of an SBOM, normalised.
type Component struct {
	Ref          string `json:"ref"`
	Type         string `json:"type,omitempty"` // library, application, framework, container, operating-system, device, firmware, file, ...
	Group        string `json:"group,omitempty"`
	Name         string `json:"name"`
	Version      string `json:"version,omitempty"`
	PURL         string `json:"purl,omitempty"`
	CPE          string `json:"cpe,omitempty"`
	Supplier     string `json:"supplier,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	// Licenses is one SPDX licence expression ("MIT OR Apache-2.0"), or a
	// LicenseRef-/free-text name where the document has no SPDX id.
	Licenses    string `json:"licenses,omitempty"`
	Hashes      []Hash `json:"hashes,omitempty"`
	Scope       string `json:"scope,omitempty"` // required, optional, excluded
	Description string `json:"description,omitempty"`

	// The OSV package the purl names (ecosystem, e.g. "PyPI", "Debian:12",
	// and the package name as OSV spells it), filled before storing; empty
	// when the purl is missing or its type has no OSV ecosystem.
	Ecosystem string `json:"ecosystem,omitempty"`
	Package   string `json:"package,omitempty"`

	// Set when stored.
	ID     int64 `json:"id,omitempty"`
	SBOMID int64 `json:"sbom_id,omitempty"`
	// Depth from the root in the dependency graph: 0 the root, 1 a direct
	// dependency, 2+ transitive, -1 not reachable from the root.
	Depth int `json:"depth"`
}

// Hash is a checksum of a component.
type Hash struct {
	Algorithm string `json:"alg"` // normalised: SHA-1, SHA-256, SHA-512, MD5, SHA3-256, BLAKE2b-256, ...
	Value     string `json:"content"`
}

// Dependency is a directed edge: From depends on (or contains) To.
type Dependency struct {
	From string `json:"ref"`
	To   string `json:"depends_on"`
}

// Relation says how a component relates to the release it is in.
func (c *Component) Relation() string {
	switch {
	case c.Depth == 0:
		return "root"
	case c.Depth == 1:
		return "direct"
	case c.Depth > 1:
		return "transitive"
	}
	return "unlinked"
}

// SBOMDocument is a stored SBOM: the original bytes' identity and summary.
type SBOMDocument struct {
	ID             int64     `json:"id"`
	ReleaseID      int64     `json:"release_id"`
	Format         string    `json:"format"`
	Encoding       string    `json:"encoding"`
	SpecVersion    string    `json:"spec_version"`
	Name           string    `json:"name,omitempty"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	ComponentCount int       `json:"component_count"`
	EdgeCount      int       `json:"edge_count"`
	Current        bool      `json:"current"`
	ImportedAt     time.Time `json:"imported_at"`
	ImportedBy     string    `json:"imported_by"`
}

// ComputeDepths sets each component's Depth by a breadth-first walk from
// the root. Without a root, or when the root's dependencies are not
// recorded (many tools list components but no edges from the root),
// components nobody depends on are taken as direct dependencies (depth 1)
// of the product.
func (s *SBOM) ComputeDepths() {
	idx := make(map[string]int, len(s.Components))
	for i := range s.Components {
		s.Components[i].Depth = -1
		idx[s.Components[i].Ref] = i
	}
	out := make(map[string][]string)
	hasParent := make(map[string]bool)
	for _, d := range s.Dependencies {
		out[d.From] = append(out[d.From], d.To)
		if d.From != d.To {
			hasParent[d.To] = true
		}
	}
	var queue []string
	rootIdx, hasRoot := idx[s.Root]
	hasRoot = hasRoot && s.Root != ""
	if hasRoot {
		s.Components[rootIdx].Depth = 0
		queue = append(queue, s.Root)
	}
	if !hasRoot || len(out[s.Root]) == 0 {
		for i := range s.Components {
			if s.Components[i].Depth == -1 && !hasParent[s.Components[i].Ref] {
				s.Components[i].Depth = 1
				queue = append(queue, s.Components[i].Ref)
			}
		}
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		d := s.Components[idx[ref]].Depth
		for _, to := range out[ref] {
			if j, ok := idx[to]; ok && s.Components[j].Depth == -1 {
				s.Components[j].Depth = d + 1
				queue = append(queue, to)
			}
		}
	}
}
