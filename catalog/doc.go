// Package catalog owns the compliance catalogues cradle assesses products
// against, as versioned data rather than code: IEC 62443-4-1:2018 (the
// secure development lifecycle, 8 practices and 47 requirements) and the
// EU Cyber Resilience Act (Regulation (EU) 2024/2847), both embedded from
// data/, plus the cross-walks between catalogues and an OSCAL export.
//
// Nothing outside the data files knows a requirement ID. A new edition
// (EN IEC 62443-4-1:2018/A11 with renumbered IDs and a new practice), a
// national guideline (BSI TR-03183) or a company's own standard is one
// more file read with Parse, registered under its own catalogue ID, and
// linked to the others with a cross-walk read with ParseCrosswalk.
//
// # Model
//
// A Catalog has an ID that never changes ("iec-62443-4-1-2018",
// "cra-2024-2847"), a title, a Version of its data, source and licence
// notes, Groups (practices, annexes, articles; a group may sit in another
// group) and Requirements. A Requirement has an ID unique in its catalogue,
// a Title, the group it is filed under (Parent), the Clause of the source,
// a Kind (organisation: a process met once by the organisation; product:
// met and evidenced per product), a Description of what is required and
// Guidance on what evidence shows it, both in cradle's own words, and
// optionally a Freshness limit on the age of evidence (SR-2's threat model
// must be re-reviewed within 365 days for released products).
//
// A Crosswalk maps items of one catalogue to items of another: each Link
// names an item of the From catalogue (a requirement, or a group standing
// for all it holds) with the items of the To catalogue that contribute to
// it and a Gap note on what they leave uncovered; an empty To records that
// nothing covers the item. The built-in cross-walk maps CRA items to IEC
// 62443-4-1 requirements and is cradle's indicative analysis, not an
// official mapping.
//
// A Registry holds the built-in catalogues and cross-walks and the ones
// added at run time; it refuses an ID that is already taken, a built-in
// one above all, because evidence is filed under (catalogue ID,
// requirement ID). Mapped follows the cross-walks in both directions.
//
// # CRA IDs
//
// CRA items are named after where they are in the regulation: "I.I.1" is
// Annex I, Part I, point (1); "I.I.2.a" to "I.I.2.m" are its points (2)(a)
// to (m); "I.II.1" to "I.II.8" are Annex I, Part II, points (1) to (8);
// "Art.13.8" is Article 13(8), and a range of paragraphs tracked as one
// item is written with a hyphen ("Art.13.2-4" is Article 13(2) to (4),
// "Art.13.15-16"); "Art.14.1" (actively exploited vulnerabilities, with
// the stages of 14(2)), "Art.14.3" (severe incidents, with 14(4)) and
// "Art.14.8" (informing users); "II.1" to "II.8", "V.1" to "V.8" and
// "VII.1" to "VII.8" are the points of Annexes II, V and VII; "VI" is
// Annex VI, which has no points and stands alone without a group. The
// groups are "I" (with "I.I" and "I.II" inside), "Art.13", "Art.14", "II",
// "V" and "VII".
//
// # Files
//
// Catalogues and cross-walks are JSON files with the schemas in schema/
// (CatalogSchema, CrosswalkSchema). Parse and ParseCrosswalk accept only
// strict JSON: valid UTF-8, one value, no key twice in one object, no
// property the schema does not define. Beyond the schema they check what
// a schema cannot: IDs unique in the catalogue ignoring case (groups and
// requirements share one namespace), every parent naming a group, group
// nesting without cycles, a group holding requirements or groups but not
// both (as OSCAL requires), release states only on product requirements;
// and for a cross-walk, that both catalogues are known, every ID resolves
// in its catalogue, each item has one link, and a link to nothing says why
// in its gap. IDs are 1 to 64 letters, digits, "." and "-", starting and
// ending with a letter or digit; catalogue IDs are lower-case.
//
// Every rejection is an EInvalid *cradle.Error whose problems say where:
// "name:12:5" (line and column) for JSON syntax, "name:/requirements/3/parent"
// (a JSON pointer) for everything else.
//
// # OSCAL
//
// (*Catalog).OSCAL writes an OSCAL 1.1.3 catalog for GRC tools: groups
// become groups, requirements controls with "statement" and "guidance"
// parts, IDs lower-cased OSCAL tokens, and the catalog UUID a name-based
// (version 5) UUID of the catalogue ID and version, so exports are
// reproducible.
//
// # Copyright
//
// The descriptions and guidance are cradle's own words. Requirement IDs,
// titles and clause numbers identify the standards' content; the text of
// IEC 62443-4-1 is IEC's and is not reproduced, and only the Official
// Journal text of the CRA is authentic.
package catalog
