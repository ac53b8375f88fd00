// Package sbom owns reading, validating and writing software bills of
// materials in the CycloneDX (JSON and XML) and SPDX (JSON and tag-value)
// formats, and turning them into the domain's normalised [cradle.SBOM].
//
// Decode detects the format, validates the document and normalises it;
// Encode writes a [cradle.SBOM] as CycloneDX 1.6 JSON or XML, or SPDX 2.3
// JSON; ReadLimited reads an upload without letting it grow past a limit.
// The parsing is done by the CycloneDX and SPDX projects' Go libraries
// (SPDX JSON by one pass of encoding/json into the SPDX library's model,
// spdxjson.go) and the JSON Schema validation by santhosh-tekuri/jsonschema,
// against the official schemas embedded in this package (schema/README.md);
// this package adds validation, locations and normalisation.
//
// Every rejection is an EInvalid [cradle.Error] whose problems say where
// (file:line:column for syntax, a JSON pointer such as
// file:/components/3/purl for JSON, an XPath-like path or line and column
// for XML, file:line for tag-value) and what was expected and found.
// Defects that do not make the imported data wrong are SBOM.Warnings,
// located the same way. The rules, each explained where it is applied:
//
//   - CycloneDX JSON must satisfy its version's schema in full (validate.go);
//     CycloneDX XML is decoded strictly and checked against the XSD rules
//     that matter (xml.go). Together they pass the CycloneDX suite.
//   - SPDX schema violations are errors in the data cradle imports and
//     warnings elsewhere, because the leading SPDX generators violate the
//     schema in fields kept for licence compliance (spdxlenient.go).
//   - A ref used by two different components is an error; the same
//     component listed twice is kept once (build.go).
//   - An edge to an undefined ref is an error; an edge from one is dropped
//     (build.go).
//   - A malformed package URL is an error; a purl field holding no package
//     URL at all (a URL, a nameless template) is dropped (build.go).
//   - Dependency cycles are warnings: real dependency graphs have them
//     (graph.go).
package sbom
