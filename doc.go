// Package cradle is the domain of the cradle secure-development-lifecycle
// system: products, releases, SBOMs and their components, users and roles,
// the audit trail, and the one error type every layer speaks.
//
// It imports nothing of ours and only the standard library. Adapters live in
// sub-packages named after what they wrap: store (SQLite and PostgreSQL),
// sbom (CycloneDX and SPDX), web (HTTP API and UI), jobs (background work);
// cli wires them together for the cradle command.
package cradle
