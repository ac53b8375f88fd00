// Package osv owns reading vulnerability records in the OSV schema (1.x,
// https://ossf.github.io/osv-schema/) and turning them into the domain's
// [cradle.Vulnerability].
//
// Decode reads one record. ReadZip reads the per-ecosystem all.zip archives
// the OSV project publishes (one JSON record per entry), ReadDir a folder of
// loose records (an advisory database checked out from git), ReadFile one
// file, and Read picks one of them for a path.
//
// A record is accepted only when it is strict JSON (valid UTF-8, one value,
// no key twice in one object) that satisfies the OSV JSON schema embedded in
// this package (schema/README.md), names only known ecosystems, carries
// timestamps that parse, and, unless it is withdrawn, lists at least one
// affected package or range. Every rejection is an EInvalid [cradle.Error]
// whose problems say where: "name:12:5" (line and column) for syntax and
// "name:/affected/0/ranges/1/events" (a JSON pointer) for everything else.
//
// The readers treat the two kinds of bad input differently. A record that
// is broken is skipped and reported in [Stats] with its entry name and the
// problem; the rest of the archive is still read. An archive that is broken
// (not a zip, a failed checksum, an entry name that would escape a folder it
// were extracted to, more data than [Limits] allow) fails as a whole,
// because nothing in it can be trusted. The central directory is checked
// before any record is decoded, so those failures mostly come before fn has
// seen a record; a checksum failure is only found on reading the entry, so
// callers that need all or nothing import inside one transaction.
package osv
