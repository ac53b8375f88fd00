// Package sbom owns reading, validating and writing software bills of
// materials in the CycloneDX (JSON and XML) and SPDX (JSON and tag-value)
// formats, and turning them into the domain's normalised [cradle.SBOM].
//
// Decode detects the format, checks the document against its JSON schema
// (offline, with the schemas embedded in this package) or, for XML and
// tag-value, by strict decoding plus the same semantic checks, and reports
// every defect as a located [cradle.Problem]: a line and column for syntax
// errors, a JSON pointer (or an XPath-like path for XML) for everything else.
// Encode writes a [cradle.SBOM] as CycloneDX 1.6 JSON or XML, or SPDX 2.3
// JSON.
//
// The parsing itself is done by the CycloneDX and SPDX projects' Go
// libraries; this package adds validation, locations and normalisation.
package sbom
