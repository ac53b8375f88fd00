package vex

import (
	"cmp"
	"strings"
	"time"

	packageurl "github.com/package-url/packageurl-go"
)

// Formats a Document can be read from.
const (
	FormatOpenVEX   = "openvex"
	FormatCycloneDX = "cyclonedx"
	FormatCSAF      = "csaf"
)

// Status is what a statement says about a vulnerability in its products,
// in the OpenVEX vocabulary.
type Status string

// The four VEX statuses.
const (
	StatusNotAffected        Status = "not_affected"
	StatusAffected           Status = "affected"
	StatusFixed              Status = "fixed"
	StatusUnderInvestigation Status = "under_investigation"
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusNotAffected, StatusAffected, StatusFixed, StatusUnderInvestigation:
		return true
	}
	return false
}

// Justification says why a product is not affected: one of the five labels
// OpenVEX and CSAF (as flags) share.
type Justification string

// The five VEX justifications.
const (
	ComponentNotPresent                         Justification = "component_not_present"
	VulnerableCodeNotPresent                    Justification = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              Justification = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary Justification = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               Justification = "inline_mitigations_already_exist"
)

// Valid reports whether j is one of the five labels.
func (j Justification) Valid() bool {
	switch j {
	case ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
		VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist:
		return true
	}
	return false
}

// Document is a set of VEX statements by one author, whatever format it
// came in.
type Document struct {
	// Format is the format the document was decoded from (FormatOpenVEX,
	// FormatCycloneDX, FormatCSAF); empty for a document built in code.
	Format string
	// ID identifies the document: the OpenVEX @id, the CycloneDX
	// serialNumber, the CSAF tracking ID.
	ID string
	// Author is the OpenVEX author, the CycloneDX metadata authors (or
	// manufacturer, or supplier), the CSAF publisher.
	Author string
	// Timestamp is when the document was issued; a statement without a
	// timestamp of its own inherits it.
	Timestamp time.Time
	// Version is the document's version (for CSAF with semantic
	// versioning, the number of revision history entries); 0 if unknown.
	Version    int
	Statements []Statement
}

// Statement says what a vulnerability means for some products.
type Statement struct {
	Vulnerability Vulnerability
	// Products the statement is about; empty when the source names none
	// (a CycloneDX vulnerability without affects: "all products").
	Products []Product
	Status   Status
	// Justification is one of the five labels, or empty.
	Justification Justification
	// CycloneDXJustification keeps a CycloneDX analysis justification that
	// has no exact equivalent among the five labels (requires_environment,
	// protected_by_compiler, ...), so that it is not lost.
	CycloneDXJustification string
	// ImpactStatement says why a product is not affected.
	ImpactStatement string
	// ActionStatement says what to do about an affected product.
	ActionStatement string
	// Response is the CycloneDX analysis response list (can_not_fix,
	// will_not_fix, update, rollback, workaround_available).
	Response []string
	// Detail is free text on how the status was determined: OpenVEX
	// status_notes, CycloneDX analysis detail (for statuses other than
	// not_affected, where the detail is the impact statement).
	Detail string
	// Timestamp is when the statement was known to be true; zero means
	// the document's timestamp.
	Timestamp time.Time
}

// Vulnerability names a vulnerability.
type Vulnerability struct {
	ID          string
	Aliases     []string
	Description string
}

// Component identifies a piece of software by purl, CPE, another IRI, a
// link into another CycloneDX BOM, or a name and version; the first one set
// (in that order) is its identity (see Key).
type Component struct {
	PURL string
	CPE  string
	// ID is an IRI naming the component that is neither a purl nor a BOM
	// link (an OpenVEX @id such as https://example.com/product).
	ID string
	// BOMLink is a CycloneDX BOM-Link (urn:cdx:serial/version#bom-ref) to a
	// component of another BOM: a reference cradle does not resolve.
	BOMLink string
	// Vendor is the CSAF vendor branch or the CycloneDX supplier.
	Vendor  string
	Name    string
	Version string
	// VersionRange restricts the component to a range of versions, as the
	// source gave it (normally a vers: range, e.g. "vers:generic/>=2.9|<=4.1");
	// when set, the component is not pinned to one version.
	VersionRange string
}

// Product is what a statement is about. Subcomponents, when present, are
// the components inside the product the statement concerns (the package a
// vulnerability is in).
type Product struct {
	Component
	Subcomponents []Component
}

// Key is the component's identity, used to tell whether two statements talk
// about the same thing: the canonical purl, else the CPE, the IRI, the BOM
// link, else the generic purl (pkg:generic/vendor/name@version) that names
// the component in OpenVEX; followed by the version range, if any.
func (c Component) Key() string {
	var k string
	switch {
	case c.PURL != "":
		k = canonicalPURL(c.PURL, c.Version, c.VersionRange)
	case c.CPE != "":
		k = c.CPE
	case c.ID != "", c.BOMLink != "":
		// The version narrows what the IRI or link names (a CycloneDX
		// affects version); purls and CPEs carry theirs.
		k = cmp.Or(c.ID, c.BOMLink)
		if c.Version != "" && c.VersionRange == "" {
			k += " " + c.Version
		}
	default:
		if c.VersionRange != "" {
			c.Version = ""
		}
		k = genericPURL(c)
	}
	if c.VersionRange != "" {
		k += " " + c.VersionRange
	}
	return k
}

// canonicalPURL normalises a purl (qualifier order, escaping, case of the
// type) so that equal purls compare equal, pinned to version when it has
// none, unpinned when a range widens it; one that does not parse is kept.
func canonicalPURL(s, version, versionRange string) string {
	p, err := packageurl.FromString(s)
	if err != nil {
		return s
	}
	switch {
	case versionRange != "":
		p.Version = ""
	case p.Version == "":
		p.Version = version
	}
	return p.ToString()
}

// genericPURL names a component known only by vendor, name and version:
// OpenVEX identifies products by IRI, and the purl type "generic" exists for
// software no package ecosystem names.
func genericPURL(c Component) string {
	if c.Name == "" {
		return ""
	}
	p := genericPackageURL(c)
	return p.ToString()
}

func genericPackageURL(c Component) packageurl.PackageURL {
	return *packageurl.NewPackageURL(packageurl.TypeGeneric, strings.Trim(c.Vendor, "/"), c.Name, c.Version, nil, "")
}

// empty reports whether c identifies nothing.
func (c Component) empty() bool {
	return c.PURL == "" && c.CPE == "" && c.ID == "" && c.BOMLink == "" && c.Name == ""
}

// uniqueAliases lists names once each, in order, without id and empty
// strings: OpenVEX allows a vulnerability's name among its aliases, and
// the other formats repeat IDs freely.
func uniqueAliases(id string, names []string) []string {
	var out []string
	seen := map[string]bool{id: true, "": true}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
