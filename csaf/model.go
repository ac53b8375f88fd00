package csaf

// The model follows the CSAF 2.0 JSON schema (internal/csafspec/schema/csaf_json_schema.json)
// member by member: JSON names are the schema's, required members have no
// omitempty, optional ones do. A Document built in Go and passed to
// json.Marshal gives a CSAF file, which Validate then checks like any other.
//
// Optional objects are pointers and optional lists are slices, so that
// "absent" and "present" stay apart where a test asks about presence (an
// empty list is never valid: every list in the schema has minItems 1).
// Scores are float64 and are written as JSON numbers; optional scores are
// pointers because 0.0 is a valid score.

// Document is a CSAF 2.0 document.
type Document struct {
	Document        DocumentMeta    `json:"document"`
	ProductTree     *ProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// DocumentMeta is /document: what the document is, who published it and
// how it evolved (CSAF 2.0 section 3.2.1).
type DocumentMeta struct {
	Acknowledgments   []Acknowledgment   `json:"acknowledgments,omitempty"`
	AggregateSeverity *AggregateSeverity `json:"aggregate_severity,omitempty"`
	// Category is the profile ("csaf_security_advisory", "csaf_vex", ...)
	// or any other value for a CSAF Base document: see the Category
	// constants.
	Category     string        `json:"category"`
	CSAFVersion  string        `json:"csaf_version"` // "2.0"
	Distribution *Distribution `json:"distribution,omitempty"`
	// Lang is the document's language as a BCP 47 tag ("en", "de-DE").
	Lang       string      `json:"lang,omitempty"`
	Notes      []Note      `json:"notes,omitempty"`
	Publisher  Publisher   `json:"publisher"`
	References []Reference `json:"references,omitempty"`
	// SourceLang is the language of the original when the document is a
	// translation; required when the publisher's category is translator.
	SourceLang string   `json:"source_lang,omitempty"`
	Title      string   `json:"title"`
	Tracking   Tracking `json:"tracking"`
}

// Profiles: the values of /document/category that select a profile
// (CSAF 2.0 section 4). Any other value makes a CSAF Base document.
const (
	CategoryBase                     = "csaf_base"
	CategorySecurityIncidentResponse = "csaf_security_incident_response"
	CategoryInformationalAdvisory    = "csaf_informational_advisory"
	CategorySecurityAdvisory         = "csaf_security_advisory"
	CategoryVEX                      = "csaf_vex"
)

// Acknowledgment names those who contributed. At least one member must be
// set.
type Acknowledgment struct {
	Names        []string `json:"names,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Summary      string   `json:"summary,omitempty"`
	URLs         []string `json:"urls,omitempty"`
}

// AggregateSeverity is the issuer's own overall rating of the document
// ("Critical", "Important", ...), in the namespace of its scale.
type AggregateSeverity struct {
	Namespace string `json:"namespace,omitempty"`
	Text      string `json:"text"`
}

// Distribution says how the document may be shared: a text, a TLP label,
// or both (at least one).
type Distribution struct {
	Text string `json:"text,omitempty"`
	TLP  *TLP   `json:"tlp,omitempty"`
}

// TLP is a Traffic Light Protocol label (CSAF 2.0 uses TLP 1.0 labels:
// WHITE, GREEN, AMBER, RED) and the URL that defines it.
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// Note is a piece of text with a category (description, details, faq,
// general, legal_disclaimer, other, summary).
type Note struct {
	Audience string `json:"audience,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

// Publisher is the party that issued the document. Category is one of
// coordinator, discoverer, other, translator, user, vendor; Namespace is a
// URL identifying the publisher.
type Publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

// Reference is a link to more information. Category is "external"
// (the default) or "self".
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Tracking identifies the document and its versions. Dates are RFC 3339
// date-times as written in the document.
type Tracking struct {
	Aliases            []string   `json:"aliases,omitempty"`
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          *Generator `json:"generator,omitempty"`
	// ID is the document's identifier within its publisher's namespace;
	// the file name derives from it (see Filename).
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []Revision `json:"revision_history"`
	// Status is draft, final or interim.
	Status string `json:"status"`
	// Version is an integer ("3") or a semantic version ("1.2.0"), the
	// same kind throughout the document.
	Version string `json:"version"`
}

// Tracking statuses.
const (
	StatusDraft   = "draft"
	StatusFinal   = "final"
	StatusInterim = "interim"
)

// Generator names the tool that wrote the document.
type Generator struct {
	Date   string `json:"date,omitempty"`
	Engine Engine `json:"engine"`
}

// Engine is the generator's name and version.
type Engine struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Revision is one entry of the revision history.
type Revision struct {
	Date          string `json:"date"`
	LegacyVersion string `json:"legacy_version,omitempty"`
	Number        string `json:"number"`
	Summary       string `json:"summary"`
}

// ProductTree defines the products the document talks about and the
// product IDs by which the rest of the document refers to them. At least
// one member must be set.
type ProductTree struct {
	Branches         []Branch          `json:"branches,omitempty"`
	FullProductNames []FullProductName `json:"full_product_names,omitempty"`
	ProductGroups    []ProductGroup    `json:"product_groups,omitempty"`
	Relationships    []Relationship    `json:"relationships,omitempty"`
}

// Branch is one level of the vendor / product name / version hierarchy.
// A leaf branch defines a product; an inner branch has sub-branches.
type Branch struct {
	Branches []Branch `json:"branches,omitempty"`
	// Category is architecture, host_name, language, legacy, patch_level,
	// product_family, product_name, product_version,
	// product_version_range, service_pack, specification or vendor.
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Product  *FullProductName `json:"product,omitempty"`
}

// FullProductName defines a product and its product ID.
type FullProductName struct {
	Name                        string                       `json:"name"`
	ProductID                   string                       `json:"product_id"`
	ProductIdentificationHelper *ProductIdentificationHelper `json:"product_identification_helper,omitempty"`
}

// ProductIdentificationHelper carries the identifiers by which a product
// can be recognised: at least one must be set.
type ProductIdentificationHelper struct {
	CPE           string        `json:"cpe,omitempty"`
	Hashes        []Hashes      `json:"hashes,omitempty"`
	ModelNumbers  []string      `json:"model_numbers,omitempty"`
	PURL          string        `json:"purl,omitempty"`
	SBOMURLs      []string      `json:"sbom_urls,omitempty"`
	SerialNumbers []string      `json:"serial_numbers,omitempty"`
	SKUs          []string      `json:"skus,omitempty"`
	XGenericURIs  []XGenericURI `json:"x_generic_uris,omitempty"`
}

// Hashes are the cryptographic hashes of one file.
type Hashes struct {
	FileHashes []FileHash `json:"file_hashes"`
	Filename   string     `json:"filename"`
}

// FileHash is one hash value; Algorithm is a name as OpenSSL writes it
// ("sha256").
type FileHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// XGenericURI is an identifier in a namespace the standard does not know.
type XGenericURI struct {
	Namespace string `json:"namespace"`
	URI       string `json:"uri"`
}

// ProductGroup gives a set of at least two product IDs a group ID.
type ProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
	Summary    string   `json:"summary,omitempty"`
}

// Relationship defines a new product (FullProductName) made of two others,
// such as a component installed on a platform.
type Relationship struct {
	// Category is default_component_of, external_component_of,
	// installed_on, installed_with or optional_component_of.
	Category                  string          `json:"category"`
	FullProductName           FullProductName `json:"full_product_name"`
	ProductReference          string          `json:"product_reference"`
	RelatesToProductReference string          `json:"relates_to_product_reference"`
}

// Vulnerability is one item of /vulnerabilities.
type Vulnerability struct {
	Acknowledgments []Acknowledgment  `json:"acknowledgments,omitempty"`
	CVE             string            `json:"cve,omitempty"`
	CWE             *CWE              `json:"cwe,omitempty"`
	DiscoveryDate   string            `json:"discovery_date,omitempty"`
	Flags           []Flag            `json:"flags,omitempty"`
	IDs             []VulnerabilityID `json:"ids,omitempty"`
	Involvements    []Involvement     `json:"involvements,omitempty"`
	Notes           []Note            `json:"notes,omitempty"`
	ProductStatus   *ProductStatus    `json:"product_status,omitempty"`
	References      []Reference       `json:"references,omitempty"`
	ReleaseDate     string            `json:"release_date,omitempty"`
	Remediations    []Remediation     `json:"remediations,omitempty"`
	Scores          []Score           `json:"scores,omitempty"`
	Threats         []Threat          `json:"threats,omitempty"`
	Title           string            `json:"title,omitempty"`
}

// CWE is a weakness: its ID ("CWE-79") and its full name as the CWE list
// gives it.
type CWE struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Flag is a machine-readable statement about products, in CSAF 2.0 one
// of the VEX justifications (see the Label constants).
type Flag struct {
	Date       string   `json:"date,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

// Flag labels: the VEX justifications for known_not_affected.
const (
	LabelComponentNotPresent                         = "component_not_present"
	LabelInlineMitigationsAlreadyExist               = "inline_mitigations_already_exist"
	LabelVulnerableCodeCannotBeControlledByAdversary = "vulnerable_code_cannot_be_controlled_by_adversary"
	LabelVulnerableCodeNotInExecutePath              = "vulnerable_code_not_in_execute_path"
	LabelVulnerableCodeNotPresent                    = "vulnerable_code_not_present"
)

// VulnerabilityID is an identifier of the vulnerability in another system
// than CVE (a vendor's bug ID, a GHSA).
type VulnerabilityID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

// Involvement is the status of a party's work on the vulnerability.
// Party is coordinator, discoverer, other, user or vendor; Status is
// completed, contact_attempted, disputed, in_progress, not_contacted or
// open.
type Involvement struct {
	Date    string `json:"date,omitempty"`
	Party   string `json:"party"`
	Status  string `json:"status"`
	Summary string `json:"summary,omitempty"`
}

// ProductStatus sorts product IDs by how the vulnerability concerns them.
// At least one list must be set.
type ProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	Recommended        []string `json:"recommended,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

// Remediation says what to do about the vulnerability for the products it
// names directly or through groups. Category is mitigation,
// no_fix_planned, none_available, vendor_fix or workaround.
type Remediation struct {
	Category        string           `json:"category"`
	Date            string           `json:"date,omitempty"`
	Details         string           `json:"details"`
	Entitlements    []string         `json:"entitlements,omitempty"`
	GroupIDs        []string         `json:"group_ids,omitempty"`
	ProductIDs      []string         `json:"product_ids,omitempty"`
	RestartRequired *RestartRequired `json:"restart_required,omitempty"`
	URL             string           `json:"url,omitempty"`
}

// RestartRequired says what must be restarted for a remediation to take
// effect (connected, dependencies, machine, none, parent, service, system,
// vulnerable_component, zone).
type RestartRequired struct {
	Category string `json:"category"`
	Details  string `json:"details,omitempty"`
}

// Score gives CVSS scores for a list of products. At least one of CVSSv2
// and CVSSv3 must be set.
type Score struct {
	CVSSv2   *CVSSv2  `json:"cvss_v2,omitempty"`
	CVSSv3   *CVSSv3  `json:"cvss_v3,omitempty"`
	Products []string `json:"products"`
}

// CVSSv2 is a CVSS v2.0 score in FIRST's JSON representation
// (https://www.first.org/cvss/cvss-v2.0.json). The vector is what counts;
// the other members must agree with it (tests 6.1.9 and 6.1.10).
type CVSSv2 struct {
	Version      string  `json:"version"` // "2.0"
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`

	AccessVector          string `json:"accessVector,omitempty"`
	AccessComplexity      string `json:"accessComplexity,omitempty"`
	Authentication        string `json:"authentication,omitempty"`
	ConfidentialityImpact string `json:"confidentialityImpact,omitempty"`
	IntegrityImpact       string `json:"integrityImpact,omitempty"`
	AvailabilityImpact    string `json:"availabilityImpact,omitempty"`

	Exploitability   string   `json:"exploitability,omitempty"`
	RemediationLevel string   `json:"remediationLevel,omitempty"`
	ReportConfidence string   `json:"reportConfidence,omitempty"`
	TemporalScore    *float64 `json:"temporalScore,omitempty"`

	CollateralDamagePotential  string   `json:"collateralDamagePotential,omitempty"`
	TargetDistribution         string   `json:"targetDistribution,omitempty"`
	ConfidentialityRequirement string   `json:"confidentialityRequirement,omitempty"`
	IntegrityRequirement       string   `json:"integrityRequirement,omitempty"`
	AvailabilityRequirement    string   `json:"availabilityRequirement,omitempty"`
	EnvironmentalScore         *float64 `json:"environmentalScore,omitempty"`
}

// CVSSv3 is a CVSS v3.0 or v3.1 score in FIRST's JSON representation
// (https://www.first.org/cvss/cvss-v3.1.json); Version says which. The
// severities are upper case ("CRITICAL").
type CVSSv3 struct {
	Version      string  `json:"version"` // "3.0" or "3.1"
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`

	AttackVector          string `json:"attackVector,omitempty"`
	AttackComplexity      string `json:"attackComplexity,omitempty"`
	PrivilegesRequired    string `json:"privilegesRequired,omitempty"`
	UserInteraction       string `json:"userInteraction,omitempty"`
	Scope                 string `json:"scope,omitempty"`
	ConfidentialityImpact string `json:"confidentialityImpact,omitempty"`
	IntegrityImpact       string `json:"integrityImpact,omitempty"`
	AvailabilityImpact    string `json:"availabilityImpact,omitempty"`

	ExploitCodeMaturity string   `json:"exploitCodeMaturity,omitempty"`
	RemediationLevel    string   `json:"remediationLevel,omitempty"`
	ReportConfidence    string   `json:"reportConfidence,omitempty"`
	TemporalScore       *float64 `json:"temporalScore,omitempty"`
	TemporalSeverity    string   `json:"temporalSeverity,omitempty"`

	ConfidentialityRequirement    string   `json:"confidentialityRequirement,omitempty"`
	IntegrityRequirement          string   `json:"integrityRequirement,omitempty"`
	AvailabilityRequirement       string   `json:"availabilityRequirement,omitempty"`
	ModifiedAttackVector          string   `json:"modifiedAttackVector,omitempty"`
	ModifiedAttackComplexity      string   `json:"modifiedAttackComplexity,omitempty"`
	ModifiedPrivilegesRequired    string   `json:"modifiedPrivilegesRequired,omitempty"`
	ModifiedUserInteraction       string   `json:"modifiedUserInteraction,omitempty"`
	ModifiedScope                 string   `json:"modifiedScope,omitempty"`
	ModifiedConfidentialityImpact string   `json:"modifiedConfidentialityImpact,omitempty"`
	ModifiedIntegrityImpact       string   `json:"modifiedIntegrityImpact,omitempty"`
	ModifiedAvailabilityImpact    string   `json:"modifiedAvailabilityImpact,omitempty"`
	EnvironmentalScore            *float64 `json:"environmentalScore,omitempty"`
	EnvironmentalSeverity         string   `json:"environmentalSeverity,omitempty"`
}

// Threat describes the vulnerability's kinetics for products: category
// exploit_status, impact or target_set.
type Threat struct {
	Category   string   `json:"category"`
	Date       string   `json:"date,omitempty"`
	Details    string   `json:"details"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	ProductIDs []string `json:"product_ids,omitempty"`
}
