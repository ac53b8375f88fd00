package quality

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// dependency relationship types: forward (A depends on B) and reverse (A is
// a dependency of B).
var (
	depForward = map[string]bool{"DEPENDS_ON": true, "CONTAINS": true, "STATIC_LINK": true, "DYNAMIC_LINK": true, "HAS_PREREQUISITE": true}
	depReverse = map[string]bool{"DEPENDENCY_OF": true, "CONTAINED_BY": true, "BUILD_DEPENDENCY_OF": true, "DEV_DEPENDENCY_OF": true,
		"OPTIONAL_DEPENDENCY_OF": true, "PROVIDED_DEPENDENCY_OF": true, "TEST_DEPENDENCY_OF": true, "RUNTIME_DEPENDENCY_OF": true,
		"PREREQUISITE_FOR": true}
)

var parenEmail = regexp.MustCompile(`\(([^()]*)\)\s*$`)

type spdxPaths struct{ json bool }

func (sp spdxPaths) doc(jsonPtr, tag string) string {
	if sp.json {
		return jsonPtr
	}
	return tag
}

func (sp spdxPaths) pkg(i int, id common.ElementID, key, tag string) string {
	if sp.json {
		if key == "" {
			return fmt.Sprintf("/packages/%d", i)
		}
		return fmt.Sprintf("/packages/%d/%s", i, key)
	}
	if tag == "" {
		return "Package SPDXRef-" + string(id)
	}
	return fmt.Sprintf("%s (SPDXRef-%s)", tag, id)
}

// fromSPDX evaluates every field key for an SPDX 2.x document.
func fromSPDX(doc *v2_3.Document, format string, p *profile) *parsed {
	sp := spdxPaths{json: format == "spdx-json"}
	spec := strings.TrimPrefix(doc.SPDXVersion, "SPDX-")
	d := &parsed{format: format, spec: spec, doc: map[string]result{}}
	ci := doc.CreationInfo
	if ci == nil {
		ci = &v2_3.CreationInfo{}
	}

	// --- spec version ---
	switch {
	case p.bsi == 21:
		d.doc["sbom.spec_version"] = result{Invalid, sp.doc("/spdxVersion", "SPDXVersion"), "SPDX " + spec + "; v2.1 of the TR needs SPDX >= 3.0.1 (or CycloneDX >= 1.6)"}
	case p.bsi == 20 && !versionAtLeast(spec, "2.2"):
		d.doc["sbom.spec_version"] = result{Invalid, sp.doc("/spdxVersion", "SPDXVersion"), "SPDX " + spec + "; v2.0 of the TR needs SPDX >= 2.2.1"}
	case p.bsi != 0 && !sp.json:
		d.doc["sbom.spec_version"] = result{Invalid, "SPDXVersion", "tag-value: the TR allows JSON or XML only"}
	default:
		d.doc["sbom.spec_version"] = result{Present, sp.doc("/spdxVersion", "SPDXVersion"), "SPDX " + spec + " (" + format + ")"}
	}

	// --- creator / author / timestamp / uri ---
	cpath := sp.doc("/creationInfo/creators", "Creator")
	creator := result{Missing, cpath, "no Person or Organization creator with an e-mail address"}
	author := result{Missing, cpath, "no creator"}
	for i, c := range ci.Creators {
		if strings.TrimSpace(c.Creator) != "" {
			author = result{Present, sp.doc(fmt.Sprintf("/creationInfo/creators/%d", i), "Creator"), ""}
		}
		if c.CreatorType != "Person" && c.CreatorType != "Organization" {
			continue
		}
		r := partyEmail(c.Creator, sp.doc(fmt.Sprintf("/creationInfo/creators/%d", i), "Creator"))
		if r.state == Present || r.state == Invalid && creator.state == Missing {
			creator = r
		}
		if r.state == Present {
			break
		}
	}
	d.doc["sbom.creator"] = creator
	d.doc["ntia.author"] = author
	d.doc["sbom.timestamp"] = timestampResult(ci.Created, sp.doc("/creationInfo/created", "Created"))
	upath := sp.doc("/documentNamespace", "DocumentNamespace")
	switch ns := strings.TrimSpace(doc.DocumentNamespace); {
	case ns == "":
		d.doc["sbom.uri"] = result{Missing, upath, "no documentNamespace"}
	case !validURI(ns):
		d.doc["sbom.uri"] = result{Invalid, upath, fmt.Sprintf("%q is not a URI", ns)}
	default:
		d.doc["sbom.uri"] = result{Present, upath, ""}
	}

	// --- elements and relationships ---
	elems := map[common.ElementID]bool{"DOCUMENT": true, doc.SPDXIdentifier: true}
	pkgIdx := make(map[common.ElementID]int, len(doc.Packages))
	for i, pk := range doc.Packages {
		if pk == nil {
			continue
		}
		elems[pk.PackageSPDXIdentifier] = true
		pkgIdx[pk.PackageSPDXIdentifier] = i
		for _, f := range pk.Files {
			if f != nil {
				elems[f.FileSPDXIdentifier] = true
			}
		}
	}
	for _, f := range doc.Files {
		if f != nil {
			elems[f.FileSPDXIdentifier] = true
		}
	}
	for _, s := range doc.Snippets {
		elems[s.SnippetSPDXIdentifier] = true
	}
	local := func(e common.DocElementID) bool { return e.DocumentRefID == "" && e.SpecialID == "" }
	deps := map[common.ElementID][]common.ElementID{}
	declared := map[common.ElementID]bool{} // has a dependency statement (incl. DEPENDS_ON NONE)
	bad := map[common.ElementID][]string{}
	var brokenSrc, brokenTgt []string
	var roots []common.ElementID
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		typ := strings.ToUpper(r.Relationship)
		a, b := r.RefA, r.RefB
		aOK := !local(a) || elems[a.ElementRefID]
		bOK := !local(b) || elems[b.ElementRefID]
		if !aOK {
			brokenSrc = append(brokenSrc, "SPDXRef-"+string(a.ElementRefID))
		}
		if !bOK {
			brokenTgt = append(brokenTgt, "SPDXRef-"+string(b.ElementRefID))
		}
		if typ == "DESCRIBES" && a.ElementRefID == doc.SPDXIdentifier && local(b) {
			roots = append(roots, b.ElementRefID)
			continue
		}
		if typ == "DESCRIBED_BY" && local(a) && b.ElementRefID == doc.SPDXIdentifier {
			roots = append(roots, a.ElementRefID)
			continue
		}
		from, to := a, b
		if depReverse[typ] {
			from, to = b, a
		} else if !depForward[typ] {
			continue
		}
		if !local(from) {
			continue
		}
		if to.SpecialID == "NONE" {
			declared[from.ElementRefID] = true
			continue
		}
		if to.SpecialID != "" {
			continue // NOASSERTION: unknown
		}
		declared[from.ElementRefID] = true
		if local(to) {
			deps[from.ElementRefID] = append(deps[from.ElementRefID], to.ElementRefID)
			if !elems[to.ElementRefID] {
				bad[from.ElementRefID] = append(bad[from.ElementRefID], "SPDXRef-"+string(to.ElementRefID))
			}
		}
	}
	rpath := sp.doc("/relationships", "Relationship")
	var primary common.ElementID
	for _, r := range roots {
		if _, ok := pkgIdx[r]; ok {
			primary = r
			break
		}
	}
	if primary == "" {
		d.doc["sbom.primary_component"] = result{Missing, rpath, "no package is DESCRIBED by the document"}
	} else {
		d.doc["sbom.primary_component"] = result{Present, sp.pkg(pkgIdx[primary], primary, "", ""), ""}
	}
	// graph
	d.doc["sbom.dependencies"] = func() result {
		if msg := brokenMsg(brokenSrc, brokenTgt); msg != "" {
			return result{Invalid, rpath, strings.Replace(msg, "dependency entries", "relationships", 1)}
		}
		if primary == "" {
			return result{Missing, rpath, "no primary package to root the dependency graph"}
		}
		if len(deps) == 0 {
			return result{Missing, rpath, "no dependency relationships (DEPENDS_ON, CONTAINS, ...)"}
		}
		if !declared[primary] && len(doc.Packages) > 1 {
			return result{Invalid, rpath, "the primary package declares no dependencies"}
		}
		seen := map[common.ElementID]bool{}
		stack := append([]common.ElementID(nil), roots...)
		for _, r := range roots {
			seen[r] = true
		}
		for len(stack) > 0 {
			r := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, t := range deps[r] {
				if !seen[t] {
					seen[t] = true
					stack = append(stack, t)
				}
			}
		}
		var orphans []string
		for _, pk := range doc.Packages {
			if pk != nil && !seen[pk.PackageSPDXIdentifier] {
				orphans = append(orphans, "SPDXRef-"+string(pk.PackageSPDXIdentifier))
			}
		}
		if len(orphans) > 0 {
			return result{Invalid, rpath, fmt.Sprintf("%d packages not reachable from the described package: %s", len(orphans), short(orphans))}
		}
		return result{Present, rpath, ""}
	}()
	d.doc["sbom.completeness"] = result{Missing, rpath, "SPDX 2 cannot state the completeness of the whole dependency enumeration"}
	d.doc["ntia.dependencies"] = func() result {
		if msg := brokenMsg(brokenSrc, brokenTgt); msg != "" {
			return result{Invalid, rpath, msg}
		}
		if primary == "" {
			return result{Missing, rpath, "no described package"}
		}
		if declared[primary] || len(doc.Packages) <= 1 {
			return result{Present, rpath, ""}
		}
		return result{Missing, rpath, "the described package has no dependency relationships"}
	}()

	// --- vulnerabilities ---
	vul := result{Present, sp.doc("/packages", "ExternalRef"), ""}
	nAdv := 0
	for i, pk := range doc.Packages {
		if pk == nil {
			continue
		}
		for j, er := range pk.PackageExternalReferences {
			if er != nil && strings.EqualFold(er.RefType, "advisory") {
				if nAdv == 0 {
					vul.path = sp.pkg(i, pk.PackageSPDXIdentifier, fmt.Sprintf("externalRefs/%d", j), "ExternalRef")
				}
				nAdv++
			}
		}
	}
	if nAdv > 0 {
		vul.state, vul.msg = Invalid, fmt.Sprintf("%d security advisory references; the TR wants vulnerabilities in CSAF/VEX, not in the SBOM", nAdv)
	}
	d.doc["sbom.no_vulnerabilities"] = vul

	// --- packages ---
	d.comps = make([]comp, 0, len(doc.Packages))
	add := func(i int, pk *v2_3.Package) {
		d.comps = append(d.comps, spdxPackage(sp, i, pk, declared, bad))
	}
	if primary != "" {
		add(pkgIdx[primary], doc.Packages[pkgIdx[primary]])
	}
	for i, pk := range doc.Packages {
		if pk != nil && (primary == "" || pk.PackageSPDXIdentifier != primary || i != pkgIdx[primary]) {
			add(i, pk)
		}
	}
	return d
}

// partyEmail checks "Name (email)" strings of creators and suppliers.
func partyEmail(s, path string) result {
	m := parenEmail.FindStringSubmatch(s)
	if m == nil || strings.TrimSpace(m[1]) == "" {
		return result{Missing, path, fmt.Sprintf("%q has no e-mail address", s)}
	}
	if !validEmail(strings.TrimSpace(m[1])) {
		return result{Invalid, path, fmt.Sprintf("%q is not an e-mail address", m[1])}
	}
	return result{Present, path, ""}
}

func spdxPackage(sp spdxPaths, i int, pk *v2_3.Package, declared map[common.ElementID]bool, bad map[common.ElementID][]string) comp {
	id := pk.PackageSPDXIdentifier
	pp := func(key, tag string) string { return sp.pkg(i, id, key, tag) }
	f := make(map[string]result, 24)
	out := comp{ref: "SPDXRef-" + string(id), name: pk.PackageName, version: pk.PackageVersion, path: pp("", ""), f: f}

	// creator: supplier, else originator
	cr := result{Missing, pp("supplier", "PackageSupplier"), "no supplier or originator with an e-mail address"}
	ntiaSup := result{Missing, pp("supplier", "PackageSupplier"), "no supplier or originator"}
	if pk.PackageSupplier != nil && pk.PackageSupplier.Supplier != "" && pk.PackageSupplier.Supplier != "NOASSERTION" {
		cr = partyEmail(pk.PackageSupplier.Supplier, pp("supplier", "PackageSupplier"))
		ntiaSup = result{Present, pp("supplier", "PackageSupplier"), ""}
	}
	if cr.state != Present && pk.PackageOriginator != nil && pk.PackageOriginator.Originator != "" && pk.PackageOriginator.Originator != "NOASSERTION" {
		r := partyEmail(pk.PackageOriginator.Originator, pp("originator", "PackageOriginator"))
		if r.state == Present || cr.state == Missing {
			cr = r
		}
		if ntiaSup.state != Present {
			ntiaSup = result{Present, pp("originator", "PackageOriginator"), ""}
		}
	}
	f["component.creator"] = cr
	f["ntia.supplier"] = ntiaSup
	f["component.name"] = nonEmpty(pk.PackageName, pp("name", "PackageName"), "no name")
	f["component.version"] = nonEmpty(pk.PackageVersion, pp("versionInfo", "PackageVersion"), "no versionInfo")
	f["component.filename"] = nonEmpty(pk.PackageFileName, pp("packageFileName", "PackageFileName"), "no packageFileName")
	for _, k := range []string{"component.executable", "component.archive", "component.structured"} {
		f[k] = result{Missing, pp("", ""), "SPDX 2 has no field for this property (the TR maps it to SPDX 3 software_additionalPurpose)"}
	}
	f["component.effective_licence"] = result{Missing, pp("", ""), "SPDX 2 has no effective licence field"}

	// dependencies
	dp := sp.doc("/relationships", "Relationship")
	switch {
	case len(bad[id]) > 0:
		f["component.dependencies"] = result{Invalid, dp, "relationship targets point at nothing: " + short(bad[id])}
	case declared[id]:
		f["component.dependencies"] = result{Present, dp, ""}
	default:
		f["component.dependencies"] = result{Missing, dp, "no DEPENDS_ON/CONTAINS relationship from SPDXRef-" + string(id) + " (leaf packages: DEPENDS_ON NONE)"}
	}

	// licences
	lic := func(v, key, tag, what string) result {
		v = strings.TrimSpace(v)
		if v == "" {
			return result{Missing, pp(key, tag), "no " + what}
		}
		if msg := checkLicenseExpr(v); msg != "" {
			return result{Invalid, pp(key, tag), msg}
		}
		return result{Present, pp(key, tag), ""}
	}
	f["component.distribution_licence"] = lic(pk.PackageLicenseConcluded, "licenseConcluded", "PackageLicenseConcluded", "licenseConcluded")
	f["component.original_licence"] = lic(pk.PackageLicenseDeclared, "licenseDeclared", "PackageLicenseDeclared", "licenseDeclared")

	// hash of the deployable form: the package checksum
	hr := result{Missing, pp("checksums", "PackageChecksum"), "no SHA512 package checksum"}
	var hbad []string
	for j, c := range pk.PackageChecksums {
		if c.Algorithm == common.SHA512 && isHex(strings.TrimSpace(c.Value), 128) {
			hr = result{Present, pp(fmt.Sprintf("checksums/%d", j), "PackageChecksum"), ""}
			break
		}
		hbad = append(hbad, hashMsg(string(c.Algorithm), c.Value))
	}
	if hr.state != Present && len(hbad) > 0 {
		hr = result{Invalid, pp("checksums", "PackageChecksum"), strings.Join(hbad, "; ")}
	}
	f["component.deployable_hash"] = hr

	// deployable URI: downloadLocation
	dl := strings.TrimSpace(pk.PackageDownloadLocation)
	switch {
	case dl == "" || dl == "NOASSERTION" || dl == "NONE":
		f["component.deployable_uri"] = result{Missing, pp("downloadLocation", "PackageDownloadLocation"), "downloadLocation is " + cmpOr(dl, "empty")}
	case validURL(dl) || validURL(stripVCS(dl)):
		f["component.deployable_uri"] = result{Present, pp("downloadLocation", "PackageDownloadLocation"), ""}
	default:
		f["component.deployable_uri"] = result{Invalid, pp("downloadLocation", "PackageDownloadLocation"), fmt.Sprintf("%q is not a URL", dl)}
	}

	// source URI: sourceInfo holding a URL, or a vcs external reference
	src := result{Missing, pp("sourceInfo", "PackageSourceInfo"), "no source code URI"}
	if si := strings.TrimSpace(pk.PackageSourceInfo); si != "" {
		if validURL(si) {
			src = result{Present, pp("sourceInfo", "PackageSourceInfo"), ""}
		}
	}
	ids := result{Missing, pp("externalRefs", "ExternalRef"), "no purl, CPE or SWID external reference"}
	sec := result{Missing, pp("externalRefs", "ExternalRef"), "no security.txt URL"}
	for j, er := range pk.PackageExternalReferences {
		if er == nil {
			continue
		}
		ep := pp(fmt.Sprintf("externalRefs/%d", j), "ExternalRef")
		loc := strings.TrimSpace(er.Locator)
		switch strings.ToLower(er.RefType) {
		case "purl":
			if _, err := packageurl.FromString(loc); err == nil {
				ids = result{Present, ep, ""}
			} else if ids.state == Missing {
				ids = result{Invalid, ep, fmt.Sprintf("purl %q: %v", loc, err)}
			}
		case "cpe22type", "cpe23type":
			if validCPE(loc) {
				ids = result{Present, ep, ""}
			} else if ids.state == Missing {
				ids = result{Invalid, ep, fmt.Sprintf("%q is not a CPE name", loc)}
			}
		case "swid":
			if loc != "" {
				ids = result{Present, ep, ""}
			}
		case "vcs":
			if src.state != Present {
				if validURL(stripVCS(loc)) {
					src = result{Present, ep, ""}
				} else {
					src = result{Invalid, ep, fmt.Sprintf("%q is not a URL", loc)}
				}
			}
		case "url", "security-txt", "rfc-9116":
			if strings.HasSuffix(loc, "security.txt") {
				if validURL(loc) {
					sec = result{Present, ep, ""}
				} else {
					sec = result{Invalid, ep, fmt.Sprintf("%q is not a URL", loc)}
				}
			}
		}
		if ids.state == Present && src.state == Present && sec.state == Present {
			break
		}
	}
	f["component.unique_ids"] = ids
	f["ntia.unique_ids"] = ids
	f["component.source_uri"] = src
	f["component.security_txt"] = sec
	if pk.PackageVerificationCode != nil && strings.TrimSpace(pk.PackageVerificationCode.Value) != "" {
		f["component.source_hash"] = result{Present, pp("packageVerificationCode", "PackageVerificationCode"), ""}
	} else {
		f["component.source_hash"] = result{Missing, pp("packageVerificationCode", "PackageVerificationCode"), "no packageVerificationCode"}
	}
	return out
}

// stripVCS turns "git+https://host/x@ref" into "https://host/x@ref".
func stripVCS(s string) string {
	if i := strings.Index(s, "+"); i > 0 && i < 6 && strings.Contains(s, "://") {
		return s[i+1:]
	}
	return s
}
