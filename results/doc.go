// Package results reads scan and test results — SARIF 2.1.0 logs from
// static analysers, web scanners, fuzzers and container scanners, and
// JUnit XML test reports — and normalises them into findings that can be
// tracked from release to release (IEC 62443-4-1 SI-1 and SVV-1 to
// SVV-4). It is pure: no database, no network.
//
// Decode detects the format (a JSON object is SARIF, XML whose root is
// <testsuites> or <testsuite> is JUnit) and returns a Report; Compare
// tells new, fixed, unchanged and suppressed findings apart between two
// imports by fingerprint.
//
// # Errors and warnings
//
// Every rejection is an EInvalid [cradle.Error] with a located problem
// (ETooLarge for more than MaxSize bytes or MaxResults results):
// malformed JSON or XML at name:line:column; a SARIF version other than
// "2.1.0" (named in the message; the pre-standard 2.0 drafts some old
// converters wrote have another shape and are refused); a log without
// "version", "runs" or a tool name; a value of the wrong JSON type where
// cradle reads it (results that are not an array, a startLine that is a
// string, ...), at line:column.
//
// Violations of the official SARIF 2.1.0 schema (embedded, see
// schema/README.md) are Report.Warnings, located by JSON pointer
// ("scan.sarif:/runs/0/results/40/locations/0/physicalLocation/region:
// ..."), never errors: real tools break the schema in ways that do not
// affect what cradle reads — Semmle QL writes empty regions, others put
// only markdown in a message or unknown properties on results — and
// refusing their output would help nobody. What cradle needs is checked
// by the typed decode, which is strict about types.
//
// # Performance
//
// One byte scan (scan.go) finds the runs[].results arrays and counts
// their elements, so the result limit holds before anything is
// allocated. encoding/json then decodes the log without its results
// (small), and each result on its own into a reused struct, so the raw
// form of 50,000 results is never held at once. The schema check sees
// the log with only the first 1,000 results (across runs): a
// jsonschema tree of 50,000 results would cost hundreds of megabytes
// and most of the time, and results beyond the first thousand are
// still checked by the typed decode. 50,000 CodeQL-like results (29 MB)
// decode in about 0.35 s with about 125 MB allocated (BenchmarkDecode50k).
//
// # Severity
//
// A SARIF result's severity is, in order: its own "security-severity"
// property, else its rule's (a CVSS-like score, as GitHub code scanning
// reads it: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low, 0 info); else
// its level: error → high, warning → medium, note → low, none → info.
// The level is the result's, else "none" when the result's kind is not
// "fail" (SARIF §3.27.9), else the rule's defaultConfiguration.level,
// else "warning" (the SARIF default). A failed or errored JUnit test case
// is medium.
//
// # Fingerprints
//
// A fingerprint is the hex SHA-256 of length-prefixed parts, so it has a
// fixed size and no separator can be forged:
//
//  1. If the tool identifies the result, ("tool", tool name, rule ID, its
//     identity), where the identity is the result's "fingerprints" entry
//     with the smallest key; else its partialFingerprints entry for the
//     first of primaryLocationLineHash (CodeQL, GitHub),
//     primaryLocationStartColumnFingerprint, InstanceId (Fortify),
//     UniqueId (FxCop) that is present; else all partialFingerprints as
//     sorted key=value pairs.
//  2. Otherwise ("content", tool name, rule ID, where, message), where
//     "where" is the artifact URI as written — relative, prefixed with
//     its uriBaseId as %BASE%/, not resolved, so that it does not depend
//     on the build machine — or the logical location when there is no
//     URI, and the message has its line references removed ("line 12",
//     "lines 3-5", "L42", "main.go:12:5", "file.cs(12,5)"). Line and
//     column numbers are not part of it: a finding that only moved keeps
//     its fingerprint. Other numbers are kept (CVE IDs, versions).
//  3. Results of one report that would share a fingerprint (the same
//     message twice in a file) are told apart: ordered by URI, line,
//     column and position in the file, the first keeps it and the n-th
//     gets the hash of ("occurrence", fingerprint, n). Both keep theirs
//     when they move together.
//
// A JUnit result's fingerprint is ("junit", "junit", classname, name): a
// test that goes from failing to erroring is the same finding.
//
// Container scanners put the installed package version in the message
// (Trivy: "Installed Version: 2.6.1"), so upgrading a package without
// fixing the vulnerability reads as one finding fixed and one new.
package results
