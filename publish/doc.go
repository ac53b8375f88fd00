// Package publish owns what a manufacturer publishes for others to
// retrieve and check: the OpenPGP key that signs, the RFC 9116
// security.txt, and the CSAF 2.0 trusted-provider tree (§7.1, §7.2.3)
// that carries the advisories.
//
//   - keys.go: GenerateKey (Ed25519, v4, as GnuPG makes it) and LoadKey
//     (a company's existing key, refused when it cannot sign, is expired,
//     revoked or weak); detached (.asc) and clear signatures; Verify.
//   - securitytxt.go: SecurityTxt with Validate (RFC 9116 and CSAF 2.0
//     §7.1.8), Render and ParseSecurityTxt.
//   - provider.go: Build turns a Provider and its CSAF documents into a
//     Tree: provider-metadata.json (validated against the OASIS schema
//     embedded in schema/), one distribution per TLP with year folders,
//     .sha256/.sha512/.asc per document, index.txt, changes.csv, ROLIE
//     feed, category and service documents, and the public key.
//   - write.go, handler.go: Tree.WriteDir writes it atomically per file
//     and never outside its folder; Tree.Handler serves it with directory
//     listings, TLP:WHITE public and GREEN, AMBER, RED behind a callback.
//
// The documents themselves are validated by package csaf before they get
// here; this package checks only what it needs (tracking ID, TLP, title,
// dates) and that the given fields agree with the JSON. Errors in input
// are EInvalid [cradle.Error]s with located problems.
//
// bench/check-csaf-provider.sh runs gocsaf's csaf_checker against a
// served tree.
package publish
