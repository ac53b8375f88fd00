package sbom

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/internal/locate"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Encode writes s in one of cradle.ExportFormats: CycloneDX 1.6 as JSON
// (cradle.ExportCycloneDXJSON) or XML (cradle.ExportCycloneDXXML), or
// SPDX 2.3 JSON (cradle.ExportSPDXJSON). The output validates against the
// format's schema; what a format cannot carry is left out rather than
// written invalid (a hash algorithm CycloneDX does not know, a CycloneDX
// scope in SPDX).
func Encode(w io.Writer, s *cradle.SBOM, format string) error {
	var err error
	switch format {
	case cradle.ExportCycloneDXJSON:
		err = cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).Encode(toCycloneDX(s))
	case cradle.ExportCycloneDXXML:
		err = cdx.NewBOMEncoder(w, cdx.BOMFileFormatXML).SetPretty(true).Encode(toCycloneDX(s))
	case cradle.ExportSPDXJSON:
		err = spdxjson.Write(toSPDX(s), w, spdxjson.Indent("  "))
	default:
		return cradle.Errorf(cradle.EInvalid, "unknown export format %s: expected %s", locate.Quote(format), strings.Join(cradle.ExportFormats, ", "))
	}
	if err != nil {
		return fmt.Errorf("encode sbom as %s: %w", format, err)
	}
	return nil
}

func toCycloneDX(s *cradle.SBOM) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.XMLNS = cycloneDXNamespace + "1.6"
	if serialRE.MatchString(s.Serial) {
		bom.SerialNumber = s.Serial
	}
	md := &cdx.Metadata{}
	if !s.Created.IsZero() {
		md.Timestamp = s.Created.UTC().Format(time.RFC3339)
	}
	if len(s.Tools) > 0 {
		tools := make([]cdx.Component, len(s.Tools))
		for i, t := range s.Tools {
			tools[i] = cdx.Component{Type: cdx.ComponentTypeApplication, Name: t}
		}
		md.Tools = &cdx.ToolsChoice{Components: &tools}
	}
	if len(s.Authors) > 0 {
		authors := make([]cdx.OrganizationalContact, len(s.Authors))
		for i, a := range s.Authors {
			authors[i] = cdx.OrganizationalContact{Name: a}
		}
		md.Authors = &authors
	}
	components := []cdx.Component{}
	for _, c := range s.Components {
		if c.Ref == s.Root {
			root := cdxFrom(c)
			md.Component = &root
			continue
		}
		components = append(components, cdxFrom(c))
	}
	if *md != (cdx.Metadata{}) {
		bom.Metadata = md
	}
	if len(components) > 0 {
		bom.Components = &components
	}
	if deps := groupEdges(s); len(deps) > 0 {
		out := make([]cdx.Dependency, len(deps))
		for i, d := range deps {
			out[i] = cdx.Dependency{Ref: d.ref, Dependencies: &d.on}
		}
		bom.Dependencies = &out
	}
	return bom
}

type dependsOn struct {
	ref string
	on  []string
}

// groupEdges groups the edges by the depending component, in component
// order.
func groupEdges(s *cradle.SBOM) []dependsOn {
	by := map[string][]string{}
	for _, d := range s.Dependencies {
		by[d.From] = append(by[d.From], d.To)
	}
	var out []dependsOn
	for _, c := range s.Components {
		if on, ok := by[c.Ref]; ok {
			out = append(out, dependsOn{c.Ref, on})
		}
	}
	return out
}

func cdxFrom(c cradle.Component) cdx.Component {
	out := cdx.Component{
		BOMRef:      c.Ref,
		Type:        cdx.ComponentType(c.Type),
		Group:       c.Group,
		Name:        c.Name,
		Version:     c.Version,
		PackageURL:  c.PURL,
		CPE:         c.CPE,
		Description: c.Description,
	}
	if !slices.Contains(componentTypes16, c.Type) {
		// SPDX purposes CycloneDX lacks (source, archive, install, other)
		// and unknown types: library is CycloneDX's most general type.
		out.Type = cdx.ComponentTypeLibrary
	}
	if slices.Contains(scopes, c.Scope) {
		out.Scope = cdx.Scope(c.Scope)
	}
	if c.Supplier != "" {
		out.Supplier = &cdx.OrganizationalEntity{Name: c.Supplier}
	}
	if c.Manufacturer != "" {
		out.Manufacturer = &cdx.OrganizationalEntity{Name: c.Manufacturer}
	}
	if c.Licenses != "" {
		choice := cdx.LicenseChoice{Expression: c.Licenses}
		if id, ok := spdxLicenseIDs()[strings.ToLower(c.Licenses)]; ok && id == c.Licenses {
			choice = cdx.LicenseChoice{License: &cdx.License{ID: id}}
		}
		out.Licenses = &cdx.Licenses{choice}
	}
	var hashes []cdx.Hash
	for _, h := range c.Hashes {
		if slices.Contains(hashAlgs, h.Algorithm) && hashContent.MatchString(h.Value) {
			hashes = append(hashes, cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: h.Value})
		}
	}
	if len(hashes) > 0 {
		out.Hashes = &hashes
	}
	return out
}

// spdxChecksums maps cradle's algorithm names to SPDX's.
var spdxChecksums = map[string]common.ChecksumAlgorithm{
	"SHA-1": common.SHA1, "SHA-224": common.SHA224, "SHA-256": common.SHA256,
	"SHA-384": common.SHA384, "SHA-512": common.SHA512,
	"SHA3-256": common.SHA3_256, "SHA3-384": common.SHA3_384, "SHA3-512": common.SHA3_512,
	"BLAKE2b-256": common.BLAKE2b_256, "BLAKE2b-384": common.BLAKE2b_384, "BLAKE2b-512": common.BLAKE2b_512,
	"BLAKE3": common.BLAKE3, "MD2": common.MD2, "MD4": common.MD4, "MD5": common.MD5, "MD6": common.MD6,
	"ADLER32": common.ADLER32,
}

func toSPDX(s *cradle.SBOM) *spdx.Document {
	created := s.Created
	if created.IsZero() {
		created = time.Now() // SPDX requires a creation time
	}
	creators := []common.Creator{{CreatorType: "Tool", Creator: "cradle"}}
	for _, t := range s.Tools {
		if t = strings.TrimSpace(t); t != "" {
			creators = append(creators, common.Creator{CreatorType: "Tool", Creator: t})
		}
	}
	for _, a := range s.Authors {
		if a = strings.TrimSpace(a); a != "" {
			creators = append(creators, common.Creator{CreatorType: "Person", Creator: a})
		}
	}
	name := s.Name
	if name == "" {
		name = "SBOM exported by cradle"
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      name,
		DocumentNamespace: spdxNamespace(s),
		CreationInfo: &spdx.CreationInfo{
			Created:  created.UTC().Format(time.RFC3339),
			Creators: creators,
		},
	}

	ids := spdxIDs(s)
	refs := map[string]bool{}
	for _, c := range s.Components {
		p := &spdx.Package{
			PackageName:               c.Name,
			PackageSPDXIdentifier:     ids[c.Ref],
			PackageVersion:            c.Version,
			PackageDownloadLocation:   "NOASSERTION",
			FilesAnalyzed:             false,
			IsFilesAnalyzedTagPresent: true,
			PackageLicenseConcluded:   "NOASSERTION",
			PackageLicenseDeclared:    "NOASSERTION",
			PackageDescription:        c.Description,
			PrimaryPackagePurpose:     spdxPurpose(c.Type),
		}
		if c.Licenses != "" {
			// Declared, not concluded: cradle passes on what the source
			// said without having analysed anything.
			p.PackageLicenseDeclared = c.Licenses
			for _, ref := range licenseRefs(c.Licenses) {
				refs[ref] = true
			}
		}
		if c.Supplier != "" {
			p.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: c.Supplier}
		}
		if c.Manufacturer != "" {
			p.PackageOriginator = &common.Originator{OriginatorType: "Organization", Originator: c.Manufacturer}
		}
		for _, h := range c.Hashes {
			if alg, ok := spdxChecksums[h.Algorithm]; ok {
				p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: alg, Value: h.Value})
			}
		}
		if c.PURL != "" {
			p.PackageExternalReferences = append(p.PackageExternalReferences,
				&spdx.PackageExternalReference{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: c.PURL})
		}
		if c.CPE != "" {
			typ := "cpe22Type"
			if strings.HasPrefix(c.CPE, "cpe:2.3:") {
				typ = "cpe23Type"
			}
			p.PackageExternalReferences = append(p.PackageExternalReferences,
				&spdx.PackageExternalReference{Category: "SECURITY", RefType: typ, Locator: c.CPE})
		}
		doc.Packages = append(doc.Packages, p)
	}
	for _, ref := range sortedSet(refs) {
		doc.OtherLicenses = append(doc.OtherLicenses, &spdx.OtherLicense{
			LicenseIdentifier: ref,
			ExtractedText:     "The source SBOM named this licence without its text.",
		})
	}
	if id, ok := ids[s.Root]; ok && s.Root != "" {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.MakeDocElementID("", "DOCUMENT"),
			RefB:         common.MakeDocElementID("", string(id)),
			Relationship: common.TypeRelationshipDescribe,
		})
	}
	for _, d := range s.Dependencies {
		from, okFrom := ids[d.From]
		to, okTo := ids[d.To]
		if okFrom && okTo {
			doc.Relationships = append(doc.Relationships, &spdx.Relationship{
				RefA:         common.MakeDocElementID("", string(from)),
				RefB:         common.MakeDocElementID("", string(to)),
				Relationship: common.TypeRelationshipDependsOn,
			})
		}
	}
	return doc
}

// spdxIDs gives every component an SPDX element ID (without the SPDXRef-
// prefix, which the library adds): its own when it already is one, else
// one made from its ref, made unique.
func spdxIDs(s *cradle.SBOM) map[string]common.ElementID {
	ids := make(map[string]common.ElementID, len(s.Components))
	taken := map[string]bool{"DOCUMENT": true}
	for _, c := range s.Components {
		if id, ok := strings.CutPrefix(c.Ref, "SPDXRef-"); ok && isIDString(id) && !taken[id] {
			ids[c.Ref] = common.ElementID(id)
			taken[id] = true
		}
	}
	for _, c := range s.Components {
		if _, ok := ids[c.Ref]; ok {
			continue
		}
		base := idString(c.Ref)
		id := base
		for n := 2; taken[id]; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		ids[c.Ref] = common.ElementID(id)
		taken[id] = true
	}
	return ids
}

// spdxNamespace is the document's namespace, which SPDX requires to be a
// unique absolute URI without a fragment: the SBOM's own when it is one,
// else one derived from its serial or name, so that exporting the same
// SBOM twice gives the same namespace.
func spdxNamespace(s *cradle.SBOM) string {
	if u, err := url.Parse(s.Serial); err == nil && u.IsAbs() && u.Fragment == "" && !strings.Contains(s.Serial, "#") {
		return s.Serial
	}
	sum := sha256.Sum256([]byte(s.Serial + "\x00" + s.Name + "\x00" + s.Created.UTC().Format(time.RFC3339Nano)))
	return fmt.Sprintf("https://cradle.invalid/spdx/%x", sum[:16])
}

// spdxPurpose maps a component type to an SPDX primaryPackagePurpose.
func spdxPurpose(typ string) string {
	if typ == "" {
		return ""
	}
	for purpose, t := range purposeTypes {
		if t == typ {
			return purpose
		}
	}
	return "OTHER"
}

// licenseRefs returns the LicenseRef- identifiers in an expression.
func licenseRefs(expr string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(expr, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if strings.HasPrefix(f, "LicenseRef-") && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
