// Package gate is the release gate (IEC 62443-4-1 SM-11, SM-12; CRA
// Annex I Part I (2)(a), Part II (1)): it judges whether a product release
// may ship, lists every reason it may not and how to resolve each, and
// hashes policy, inputs and result so that a stored decision can be
// verified later.
//
// The package is pure: the caller gathers Inputs from the database,
// parses the policy (ParsePolicy: a product's file over the default,
// default.yaml), calls Evaluate and writes the Decision with WriteText,
// WriteJSON, WriteJUnit or WriteSARIF. Verify re-evaluates a stored
// decision.
//
// Rules the checks apply:
//   - A finding is resolved only by the decisions not_affected, fixed,
//     false_positive or resolved. "", under_investigation and affected
//     (even with a fix planned) still block unless an exception covers it.
//   - Thresholds block ratings at or above them; a missing or unknown
//     rating always blocks. SARIF levels error, warning, note count as
//     high, medium, low; moderate counts as medium.
//   - An exception applies only when it has an ID, a known check, an
//     approver, a reason and an expiry after Inputs.EvaluatedAt (and was
//     not created after it). Subject "" covers the whole check; otherwise
//     it covers the reasons with that subject (case-insensitive; for
//     findings also any alias). Expired and invalid exceptions are listed
//     in Decision.Exceptions and named in the resolve hint.
//   - A check whose every reason is excepted has status excepted and does
//     not fail the gate; Decision.Pass is Failures == 0.
package gate
