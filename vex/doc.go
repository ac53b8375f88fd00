// Package vex owns VEX (Vulnerability Exploitability eXchange) documents:
// it reads OpenVEX 0.2.0, CycloneDX VEX (vulnerabilities with an analysis,
// spec 1.4 to 1.7) and CSAF 2.0 VEX into one model, [Document], and writes
// that model as OpenVEX and as CycloneDX 1.5 or 1.6. CSAF output belongs to
// the csaf package; this package reads CSAF with its own minimal structs so
// that the two can change apart.
//
// # One meaning for three formats
//
// A [Statement] says, for one vulnerability and some products, one status
// in the OpenVEX vocabulary, why (a justification and/or an impact
// statement) and what to do (an action statement). The formats map onto it
// as DOMAIN.md gives it:
//
//	| OpenVEX / CSAF product status | CycloneDX `analysis.state` |
//	|---|---|
//	| not_affected / known_not_affected | not_affected (false_positive is the nearest for "not the component") |
//	| affected / known_affected | exploitable |
//	| fixed | resolved, resolved_with_pedigree |
//	| under_investigation | in_triage |
//
//	Justifications (OpenVEX = CSAF flags): component_not_present, vulnerable_code_not_present,
//	vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary,
//	inline_mitigations_already_exist. CycloneDX: code_not_present, code_not_reachable,
//	requires_configuration, requires_dependency, requires_environment, protected_by_compiler,
//	protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control (keep the native
//	value where there is no exact match). OpenVEX: not_affected needs a justification or impact
//	statement; affected needs an action statement. CycloneDX responses: can_not_fix, will_not_fix,
//	update, rollback, workaround_available.
//
// How this package applies the table:
//
//   - CSAF first_affected and last_affected read as affected, first_fixed
//     as fixed; recommended is not a status and is skipped.
//   - Exact justification matches are code_not_present =
//     vulnerable_code_not_present and code_not_reachable =
//     vulnerable_code_not_in_execute_path. Any other CycloneDX value is kept
//     in Statement.CycloneDXJustification with no OpenVEX label.
//   - false_positive reads as not_affected with component_not_present
//     (unless an exactly matching justification is given), and
//     not_affected with component_not_present is written as false_positive,
//     so the label survives a round trip.
//   - vulnerable_code_cannot_be_controlled_by_adversary and
//     inline_mitigations_already_exist have no CycloneDX equivalent; they
//     are written as state not_affected with the property
//     cradle:vex:justification, which Decode reads back.
//   - resolved_with_pedigree reads as fixed and is written back as resolved.
//   - CycloneDX analysis.detail is the impact statement of a not_affected
//     statement and the Detail of any other; vulnerability.recommendation
//     (and workaround) is the action statement. CSAF flags are the
//     justification, threats of category impact the impact statement,
//     remediation details the action statement.
//
// # Products
//
// A [Product] is named by purl, CPE, another IRI, a CycloneDX BOM-Link
// into another BOM (kept as a reference, not resolved) or a vendor, name and
// version, optionally narrowed to a version range, with the subcomponents
// (the packages inside it) the statement is about. [Component.Key] is the
// identity statements are compared by. In OpenVEX a product without purl,
// CPE or IRI is written as the generic purl pkg:generic/vendor/name@version
// and a version range as the purl's "vers" qualifier (the purl
// specification's recommended qualifier for ranges); the generic purl is
// also such a product's key, so the two forms compare equal.
//
// CycloneDX affects refs resolve against the BOM's components, services
// and metadata.component. A ref to metadata.component is that product; a
// ref to another component is that component as a subcomponent of
// metadata.component (the BOM's subject), or, without one, of the
// top-level component it is nested in. Version entries of affects narrow
// the product to a version or range; their status must agree with the
// analysis state, except that a resolved vulnerability may list the
// versions that were affected before the fix (read as affected). CSAF
// product IDs resolve through the product tree: branches (vendor,
// product_name, product_version, product_version_range), full_product_names
// and relationships, where "A default_component_of B" (and the other
// relationship kinds) is product B with subcomponent A.
//
// # What Decode checks
//
// Decode rejects, with a located EInvalid [cradle.Error] (file:line:column
// for syntax, file:/json/pointer for the rest): anything but one strict
// JSON object (valid UTF-8, no byte order mark, no key twice in an object,
// nesting at most 256 deep); OpenVEX that fails the embedded 0.2.0 schema
// (which makes not_affected without justification or impact statement and
// affected without action statement errors, as the specification's MUST
// says), OpenVEX of other versions, statements without products, invalid
// purls; CycloneDX analyses with unknown states, justifications or
// responses, refs to nothing, version entries that contradict the state;
// CSAF with undefined, doubly defined or circular product IDs (6.1.1-6.1.5),
// contradicting status groups (6.1.6), invalid purls (6.1.13), flags or
// remediations without products (6.1.29, 6.1.32), two justifications for
// one product (6.1.33), and, for csaf_vex, the VEX profile tests 6.1.27.7-10
// (a known_not_affected product needs a flag or impact threat, a
// known_affected one a remediation). csaf_security_advisory documents are
// read too, without the profile tests. In every format two statements that
// give one product (or subcomponent) different statuses for the same
// vulnerability (connected IDs and aliases) at the same time are an error;
// at different times they are a history, which OpenVEX allows.
package vex
