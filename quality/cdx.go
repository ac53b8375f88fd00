package quality

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
)

type cdxComp struct {
	c    *cdx.Component
	path string
}

// fromCDX evaluates every field key for a CycloneDX BOM.
func fromCDX(bom *cdx.BOM, format string, p *profile) *parsed {
	spec := bom.SpecVersion.String()
	d := &parsed{format: format, spec: spec, doc: map[string]result{}}

	// --- collect components (primary first, then the tree) ---
	var all []cdxComp
	var primary *cdx.Component
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		primary = bom.Metadata.Component
		all = append(all, cdxComp{primary, "/metadata/component"})
		all = walkCDX(primary.Components, "/metadata/component/components", all)
	}
	all = walkCDX(bom.Components, "/components", all)
	refs := make(map[string]bool, len(all))
	for _, c := range all {
		if c.c.BOMRef != "" {
			refs[c.c.BOMRef] = true
		}
	}
	if bom.Services != nil {
		var walkS func([]cdx.Service)
		walkS = func(ss []cdx.Service) {
			for _, s := range ss {
				if s.BOMRef != "" {
					refs[s.BOMRef] = true
				}
				if s.Services != nil {
					walkS(*s.Services)
				}
			}
		}
		walkS(*bom.Services)
	}

	// --- dependency graph ---
	deps := map[string][]string{} // ref -> dependsOn (entry exists)
	depIdx := map[string]int{}    // ref -> index of its first entry
	var brokenSrc, brokenTgt []string
	badTargets := map[string][]string{}
	if bom.Dependencies != nil {
		for di, dep := range *bom.Dependencies {
			var on []string
			if dep.Dependencies != nil {
				on = *dep.Dependencies
			}
			if _, ok := deps[dep.Ref]; !ok {
				depIdx[dep.Ref] = di
			}
			deps[dep.Ref] = append(deps[dep.Ref], on...)
			if !refs[dep.Ref] {
				brokenSrc = append(brokenSrc, dep.Ref)
			}
			for _, t := range on {
				if !refs[t] {
					brokenTgt = append(brokenTgt, t)
					badTargets[dep.Ref] = append(badTargets[dep.Ref], t)
				}
			}
		}
	}

	// --- document fields ---
	md := bom.Metadata
	if md == nil {
		md = &cdx.Metadata{}
	}
	d.doc["sbom.spec_version"] = cdxSpec(spec, format, p)
	d.doc["sbom.creator"] = cdxCreator("/metadata", []entity{
		{"/metadata/manufacturer", md.Manufacturer}, {"/metadata/manufacture", md.Manufacture}, {"/metadata/supplier", md.Supplier},
	}, md.Authors, "/metadata/authors", "/metadata/manufacturer")
	d.doc["sbom.timestamp"] = timestampResult(md.Timestamp, "/metadata/timestamp")
	switch {
	case bom.SerialNumber == "":
		d.doc["sbom.uri"] = result{Missing, "/serialNumber", "no serialNumber"}
	case !validURI(bom.SerialNumber):
		d.doc["sbom.uri"] = result{Invalid, "/serialNumber", fmt.Sprintf("%q is not a URI/URN", bom.SerialNumber)}
	default:
		d.doc["sbom.uri"] = result{Present, "/serialNumber", ""}
	}
	if bom.Vulnerabilities != nil && len(*bom.Vulnerabilities) > 0 {
		ids := []string{}
		for i, v := range *bom.Vulnerabilities {
			if i == 5 {
				ids = append(ids, "...")
				break
			}
			ids = append(ids, v.ID)
		}
		d.doc["sbom.no_vulnerabilities"] = result{Invalid, "/vulnerabilities",
			fmt.Sprintf("%d vulnerabilities (%s); the TR wants them in CSAF/VEX, not in the SBOM", len(*bom.Vulnerabilities), strings.Join(ids, ", "))}
	} else {
		d.doc["sbom.no_vulnerabilities"] = result{Present, "/vulnerabilities", ""}
	}
	if primary == nil {
		d.doc["sbom.primary_component"] = result{Missing, "/metadata/component", "no primary component (metadata.component)"}
	} else {
		d.doc["sbom.primary_component"] = result{Present, "/metadata/component", ""}
	}
	d.doc["sbom.dependencies"] = graphResult(primaryRef(primary), bom.Dependencies != nil, deps, brokenSrc, brokenTgt, all, "/dependencies")
	d.doc["sbom.completeness"] = cdxCompleteness(bom.Compositions)
	// NTIA
	d.doc["ntia.author"] = cdxAuthor(md)
	d.doc["ntia.dependencies"] = ntiaDeps(primaryRef(primary), deps, len(all), brokenSrc, brokenTgt, "/dependencies")

	// --- components ---
	d.comps = make([]comp, 0, len(all))
	for _, cc := range all {
		d.comps = append(d.comps, cdxComponent(cc, deps, depIdx, badTargets, p))
	}
	return d
}

func primaryRef(c *cdx.Component) string {
	if c == nil {
		return ""
	}
	if c.BOMRef == "" {
		return "\x00no-ref"
	}
	return c.BOMRef
}

func walkCDX(cs *[]cdx.Component, base string, out []cdxComp) []cdxComp {
	if cs == nil {
		return out
	}
	for i := range *cs {
		c := &(*cs)[i]
		path := base + "/" + strconv.Itoa(i)
		out = append(out, cdxComp{c, path})
		out = walkCDX(c.Components, path+"/components", out)
	}
	return out
}

func cdxSpec(spec, format string, p *profile) result {
	path := "/specVersion"
	if p.bsi == 0 {
		return result{Present, path, ""}
	}
	min := "1.6"
	if p.bsi == 20 {
		min = "1.5"
	}
	if !versionAtLeast(spec, min) {
		return result{Invalid, path, fmt.Sprintf("CycloneDX %s; the profile needs CycloneDX >= %s", spec, min)}
	}
	return result{Present, path, "CycloneDX " + spec + " (" + format + ")"}
}

type entity struct {
	path string
	e    *cdx.OrganizationalEntity
}

// cdxCreator: present if an entity has a valid contact e-mail or URL, or an
// author has a valid e-mail; invalid if contact data exists but none is
// valid; missing otherwise.
func cdxCreator(_ string, ents []entity, authors *[]cdx.OrganizationalContact, authorsPath, wantPath string) result {
	var bad []string
	badPath := ""
	for _, en := range ents {
		if en.e == nil {
			continue
		}
		if en.e.Contact != nil {
			for i, c := range *en.e.Contact {
				if c.Email == "" {
					continue
				}
				p := fmt.Sprintf("%s/contact/%d/email", en.path, i)
				if validEmail(c.Email) {
					return result{Present, p, ""}
				}
				bad = append(bad, fmt.Sprintf("%q is not an e-mail address", c.Email))
				badPath = cmpOr(badPath, p)
			}
		}
	}
	for _, en := range ents {
		if en.e == nil || en.e.URL == nil {
			continue
		}
		for i, u := range *en.e.URL {
			p := fmt.Sprintf("%s/url/%d", en.path, i)
			if validURL(u) {
				return result{Present, p, ""}
			}
			bad = append(bad, fmt.Sprintf("%q is not a URL", u))
			badPath = cmpOr(badPath, p)
		}
	}
	if authors != nil {
		for i, a := range *authors {
			if a.Email == "" {
				continue
			}
			p := fmt.Sprintf("%s/%d/email", authorsPath, i)
			if validEmail(a.Email) {
				return result{Present, p, ""}
			}
			bad = append(bad, fmt.Sprintf("%q is not an e-mail address", a.Email))
			badPath = cmpOr(badPath, p)
		}
	}
	if len(bad) > 0 {
		return result{Invalid, badPath, strings.Join(bad, "; ")}
	}
	return result{Missing, wantPath, "no e-mail address or URL of the creator (manufacturer, supplier or authors)"}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func timestampResult(ts, path string) result {
	switch {
	case strings.TrimSpace(ts) == "":
		return result{Missing, path, "no timestamp"}
	case !validTimestamp(ts):
		return result{Invalid, path, fmt.Sprintf("%q is not an RFC 3339 date-time", ts)}
	}
	return result{Present, path, ""}
}

func cdxCompleteness(cs *[]cdx.Composition) result {
	if cs == nil || len(*cs) == 0 {
		return result{Missing, "/compositions", "no compositions: the completeness of the dependencies is not stated"}
	}
	for i, c := range *cs {
		switch c.Aggregate {
		case "", cdx.CompositionAggregateUnknown, cdx.CompositionAggregateNotSpecified:
		default:
			return result{Present, fmt.Sprintf("/compositions/%d/aggregate", i), string(c.Aggregate)}
		}
	}
	return result{Invalid, "/compositions/0/aggregate", "compositions only say unknown / not_specified"}
}

func cdxAuthor(md *cdx.Metadata) result {
	if md.Authors != nil {
		for i, a := range *md.Authors {
			if strings.TrimSpace(a.Name+a.Email) != "" {
				return result{Present, fmt.Sprintf("/metadata/authors/%d", i), ""}
			}
		}
	}
	for _, en := range []entity{{"/metadata/manufacturer", md.Manufacturer}, {"/metadata/manufacture", md.Manufacture}, {"/metadata/supplier", md.Supplier}} {
		if en.e != nil && strings.TrimSpace(en.e.Name) != "" {
			return result{Present, en.path + "/name", ""}
		}
	}
	if md.Tools != nil {
		if md.Tools.Components != nil && len(*md.Tools.Components) > 0 ||
			md.Tools.Services != nil && len(*md.Tools.Services) > 0 ||
			md.Tools.Tools != nil && len(*md.Tools.Tools) > 0 {
			return result{Present, "/metadata/tools", "only a tool is named"}
		}
	}
	return result{Missing, "/metadata/authors", "no author, manufacturer, supplier or tool"}
}

// graphResult checks the document's dependency graph: references resolve,
// the primary component declares its dependencies, every component is
// reachable from it.
func graphResult(primary string, hasGraph bool, deps map[string][]string, brokenSrc, brokenTgt []string, all []cdxComp, path string) result {
	if msg := brokenMsg(brokenSrc, brokenTgt); msg != "" {
		return result{Invalid, path, msg}
	}
	if primary == "" {
		return result{Missing, "/metadata/component", "no primary component to root the dependency graph"}
	}
	if !hasGraph || len(deps) == 0 {
		return result{Missing, path, "no dependency graph"}
	}
	if len(deps[primary]) == 0 && len(all) > 1 {
		return result{Invalid, path, "the primary component declares no dependencies"}
	}
	seen := map[string]bool{primary: true}
	stack := []string{primary}
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
	for _, c := range all[1:] {
		if !seen[c.c.BOMRef] {
			orphans = append(orphans, cmpOr(c.c.BOMRef, c.c.Name))
		}
	}
	if len(orphans) > 0 {
		return result{Invalid, path, fmt.Sprintf("%d components not reachable from the primary component: %s", len(orphans), short(orphans))}
	}
	return result{Present, path, ""}
}

func brokenMsg(src, tgt []string) string {
	var parts []string
	if len(src) > 0 {
		parts = append(parts, fmt.Sprintf("%d dependency entries name an unknown ref: %s", len(src), short(src)))
	}
	if len(tgt) > 0 {
		parts = append(parts, fmt.Sprintf("%d dependsOn refs point at nothing: %s", len(tgt), short(tgt)))
	}
	return strings.Join(parts, "; ")
}

func short(s []string) string {
	if len(s) > 3 {
		return strings.Join(s[:3], ", ") + fmt.Sprintf(", ... (%d more)", len(s)-3)
	}
	return strings.Join(s, ", ")
}

func ntiaDeps(primary string, deps map[string][]string, n int, brokenSrc, brokenTgt []string, path string) result {
	if msg := brokenMsg(brokenSrc, brokenTgt); msg != "" {
		return result{Invalid, path, msg}
	}
	if primary == "" {
		return result{Missing, path, "no primary component whose dependencies could be listed"}
	}
	if _, ok := deps[primary]; ok && (len(deps[primary]) > 0 || n <= 1) {
		return result{Present, path, ""}
	}
	return result{Missing, path, "the primary component has no dependency relationships"}
}

func cdxComponent(cc cdxComp, deps map[string][]string, depIdx map[string]int, badTargets map[string][]string, p *profile) comp {
	c, base := cc.c, cc.path
	f := make(map[string]result, 24)
	out := comp{ref: c.BOMRef, name: c.Name, version: c.Version, path: base, f: f}

	f["component.creator"] = cdxCreator("", []entity{{base + "/manufacturer", c.Manufacturer}, {base + "/supplier", c.Supplier}},
		c.Authors, base+"/authors", base+"/manufacturer")
	if f["component.creator"].state == Missing && authorEmail(c.Author) {
		// the deprecated free-text author, when it holds an e-mail address
		f["component.creator"] = result{Present, base + "/author", "e-mail in the deprecated author field"}
	}
	f["component.name"] = nonEmpty(c.Name, base+"/name", "no name")
	f["component.version"] = nonEmpty(c.Version, base+"/version", "no version")

	props := map[string]string{}
	propIdx := map[string]int{}
	if c.Properties != nil {
		for i, pr := range *c.Properties {
			if _, ok := props[pr.Name]; !ok {
				props[pr.Name], propIdx[pr.Name] = pr.Value, i
			}
		}
	}
	propPath := func(n string) string {
		if i, ok := propIdx[n]; ok {
			return fmt.Sprintf("%s/properties/%d/value", base, i)
		}
		return base + "/properties"
	}
	fn := "bsi:component:filename"
	if v, ok := props[fn]; ok && strings.TrimSpace(v) != "" {
		f["component.filename"] = result{Present, propPath(fn), ""}
	} else if ok {
		f["component.filename"] = result{Invalid, propPath(fn), "empty filename"}
	} else {
		f["component.filename"] = result{Missing, propPath(fn), "no property " + fn}
	}
	for _, kv := range [][3]string{
		{"component.executable", "bsi:component:executable", "executable non-executable"},
		{"component.archive", "bsi:component:archive", "archive no-archive"},
		{"component.structured", "bsi:component:structured", "structured unstructured"},
	} {
		v, ok := props[kv[1]]
		switch {
		case !ok:
			f[kv[0]] = result{Missing, propPath(kv[1]), "no property " + kv[1]}
		case boolish(v, kv[2]):
			f[kv[0]] = result{Present, propPath(kv[1]), ""}
		default:
			f[kv[0]] = result{Invalid, propPath(kv[1]), fmt.Sprintf("%q: expected true/false (or %s)", v, strings.ReplaceAll(kv[2], " ", "/"))}
		}
	}
	el := "bsi:component:effectiveLicense"
	if v, ok := props[el]; !ok {
		f["component.effective_licence"] = result{Missing, propPath(el), "no property " + el}
	} else if msg := checkLicenseExpr(v); msg != "" {
		f["component.effective_licence"] = result{Invalid, propPath(el), msg}
	} else {
		f["component.effective_licence"] = result{Present, propPath(el), ""}
	}

	// dependencies
	dpath := "/dependencies"
	if i, ok := depIdx[c.BOMRef]; ok {
		dpath = fmt.Sprintf("/dependencies/%d", i)
	}
	if c.BOMRef == "" {
		f["component.dependencies"] = result{Missing, base + "/bom-ref", "component has no bom-ref, so the dependency graph cannot name it"}
	} else if bad := badTargets[c.BOMRef]; len(bad) > 0 {
		f["component.dependencies"] = result{Invalid, dpath, "dependsOn points at nothing: " + short(bad)}
	} else if _, ok := deps[c.BOMRef]; ok {
		f["component.dependencies"] = result{Present, dpath, ""}
	} else {
		f["component.dependencies"] = result{Missing, dpath, "no dependency entry for " + c.BOMRef + " (leaf components need an empty dependsOn)"}
	}

	// licences
	cdxLicences(c.Licenses, base+"/licenses", f)

	// external references
	var dist, src, sec []int
	if c.ExternalReferences != nil {
		for i, er := range *c.ExternalReferences {
			switch er.Type {
			case cdx.ERTypeDistribution, cdx.ERTypeDistributionIntake:
				dist = append(dist, i)
			case cdx.ERTypeSourceDistribution, cdx.ERTypeVCS:
				src = append(src, i)
			case "rfc-9116":
				sec = append(sec, i)
			}
		}
	}
	ers := func() []cdx.ExternalReference { return *c.ExternalReferences }
	urlField := func(key string, idx []int, what string) {
		if len(idx) == 0 {
			f[key] = result{Missing, base + "/externalReferences", "no externalReferences of type " + what}
			return
		}
		for _, i := range idx {
			if validURL(ers()[i].URL) {
				f[key] = result{Present, fmt.Sprintf("%s/externalReferences/%d/url", base, i), ""}
				return
			}
		}
		f[key] = result{Invalid, fmt.Sprintf("%s/externalReferences/%d/url", base, idx[0]), fmt.Sprintf("%q is not a URL", ers()[idx[0]].URL)}
	}
	urlField("component.deployable_uri", dist, "distribution")
	urlField("component.source_uri", src, "vcs or source-distribution")
	urlField("component.security_txt", sec, "rfc-9116")

	// deployable hash: SHA-512 on the distribution reference (v2.1);
	// v2.0 also takes the component's own hashes.
	f["component.deployable_hash"] = cdxDeployHash(c, base, dist, p)
	// source hash
	var srcHashIdx []int
	for _, i := range src {
		if ers()[i].Type == cdx.ERTypeSourceDistribution {
			srcHashIdx = append(srcHashIdx, i)
		}
	}
	f["component.source_hash"] = cdxSourceHash(c, base, srcHashIdx)

	// unique ids
	f["component.unique_ids"] = cdxIDs(c, base)
	f["ntia.unique_ids"] = f["component.unique_ids"]
	f["ntia.supplier"] = cdxSupplier(c, base)
	return out
}

func nonEmpty(v, path, msg string) result {
	if strings.TrimSpace(v) == "" {
		return result{Missing, path, msg}
	}
	return result{Present, path, ""}
}

func boolish(v, alt string) bool {
	v = lower(v)
	if v == "true" || v == "false" {
		return true
	}
	for _, a := range strings.Fields(alt) {
		if v == a || v == strings.ReplaceAll(a, "-", " ") {
			return true
		}
	}
	return false
}

// cdxLicences fills distribution (concluded, or no acknowledgement) and
// original (declared) licence results.
func cdxLicences(ls *cdx.Licenses, path string, f map[string]result) {
	type acc struct {
		n    int
		bad  []string
		path string
	}
	var dist, orig acc
	if ls != nil {
		for i, l := range *ls {
			var ack, msg, what string
			p := fmt.Sprintf("%s/%d", path, i)
			switch {
			case l.License != nil:
				ack = string(l.License.Acknowledgement)
				switch {
				case l.License.ID != "":
					msg, what = checkLicenseExpr(l.License.ID), l.License.ID
					if strings.ContainsAny(l.License.ID, " ()") {
						msg = fmt.Sprintf("%q is not a single licence identifier", l.License.ID)
					}
					p += "/license/id"
				case l.License.Name != "":
					msg = fmt.Sprintf("licence name %q is not an SPDX identifier or expression", l.License.Name)
					p += "/license/name"
				default:
					msg = "licence without id or name"
					p += "/license"
				}
			case l.Expression != "":
				if l.Acknowledgement != nil {
					ack = string(*l.Acknowledgement)
				}
				msg, what = checkLicenseExpr(l.Expression), l.Expression
				p += "/expression"
			default:
				continue
			}
			_ = what
			a := &dist
			if ack == string(cdx.LicenseAcknowledgementDeclared) {
				a = &orig
			}
			a.n++
			if a.path == "" || (msg != "" && len(a.bad) == 0) {
				a.path = p
			}
			if msg != "" {
				a.bad = append(a.bad, msg)
			}
		}
	}
	set := func(key string, a acc, what string) {
		switch {
		case a.n == 0:
			f[key] = result{Missing, path, "no " + what}
		case len(a.bad) > 0:
			f[key] = result{Invalid, a.path, strings.Join(a.bad, "; ")}
		default:
			f[key] = result{Present, a.path, ""}
		}
	}
	set("component.distribution_licence", dist, "concluded (or unacknowledged) licence")
	set("component.original_licence", orig, "declared licence")
}

func cdxDeployHash(c *cdx.Component, base string, dist []int, p *profile) result {
	var bad []string
	badPath := ""
	for _, i := range dist {
		er := (*c.ExternalReferences)[i]
		if er.Hashes == nil {
			continue
		}
		for j, h := range *er.Hashes {
			hp := fmt.Sprintf("%s/externalReferences/%d/hashes/%d", base, i, j)
			if normAlg(string(h.Algorithm)) == "SHA512" && isHex(strings.TrimSpace(h.Value), 128) {
				return result{Present, hp, ""}
			}
			badPath = cmpOr(badPath, hp)
			bad = append(bad, hashMsg(string(h.Algorithm), h.Value))
		}
	}
	if c.Hashes != nil {
		for j, h := range *c.Hashes {
			hp := fmt.Sprintf("%s/hashes/%d", base, j)
			if normAlg(string(h.Algorithm)) == "SHA512" && isHex(strings.TrimSpace(h.Value), 128) {
				if p.bsi != 21 {
					return result{Present, hp, ""}
				}
				badPath = cmpOr(badPath, hp)
				bad = append(bad, "SHA-512 is on the component, v2.1 wants it on externalReferences[type=distribution].hashes")
				continue
			}
			badPath = cmpOr(badPath, hp)
			bad = append(bad, hashMsg(string(h.Algorithm), h.Value))
		}
	}
	if len(bad) > 0 {
		return result{Invalid, badPath, strings.Join(bad, "; ")}
	}
	want := base + "/externalReferences"
	if len(dist) > 0 {
		want = fmt.Sprintf("%s/externalReferences/%d/hashes", base, dist[0])
	}
	return result{Missing, want, "no SHA-512 hash of the deployable component"}
}

func hashMsg(alg, v string) string {
	if strings.TrimSpace(v) == "" {
		return alg + " hash is empty"
	}
	if normAlg(alg) == "SHA512" {
		return "SHA-512 value is not 128 hex digits"
	}
	return alg + " is not SHA-512"
}

func cdxSourceHash(c *cdx.Component, base string, src []int) result {
	var bad []string
	badPath := ""
	for _, i := range src {
		er := (*c.ExternalReferences)[i]
		if er.Hashes == nil {
			continue
		}
		for j, h := range *er.Hashes {
			hp := fmt.Sprintf("%s/externalReferences/%d/hashes/%d", base, i, j)
			if strongAlg[normAlg(string(h.Algorithm))] && validHashValue(string(h.Algorithm), h.Value) {
				return result{Present, hp, ""}
			}
			badPath = cmpOr(badPath, hp)
			if strings.TrimSpace(h.Value) == "" {
				bad = append(bad, string(h.Algorithm)+" hash is empty")
			} else if !strongAlg[normAlg(string(h.Algorithm))] {
				bad = append(bad, string(h.Algorithm)+" is not a secure hash algorithm")
			} else {
				bad = append(bad, string(h.Algorithm)+" value has the wrong length")
			}
		}
	}
	if len(bad) > 0 {
		return result{Invalid, badPath, strings.Join(bad, "; ")}
	}
	return result{Missing, base + "/externalReferences", "no hash on an externalReferences[type=source-distribution]"}
}

func cdxIDs(c *cdx.Component, base string) result {
	var bad []string
	badPath := ""
	if c.PackageURL != "" {
		if _, err := packageurl.FromString(c.PackageURL); err == nil {
			return result{Present, base + "/purl", ""}
		} else {
			bad, badPath = append(bad, fmt.Sprintf("purl %q: %v", c.PackageURL, err)), base+"/purl"
		}
	}
	if c.CPE != "" {
		if validCPE(c.CPE) {
			return result{Present, base + "/cpe", ""}
		}
		bad = append(bad, fmt.Sprintf("%q is not a CPE 2.2/2.3 name", c.CPE))
		badPath = cmpOr(badPath, base+"/cpe")
	}
	if c.SWID != nil {
		if strings.TrimSpace(c.SWID.TagID) != "" {
			return result{Present, base + "/swid/tagId", ""}
		}
		bad = append(bad, "SWID without tagId")
		badPath = cmpOr(badPath, base+"/swid")
	}
	if c.OmniborID != nil && len(*c.OmniborID) > 0 {
		return result{Present, base + "/omniborId", ""}
	}
	if c.SWHID != nil && len(*c.SWHID) > 0 {
		return result{Present, base + "/swhid", ""}
	}
	if len(bad) > 0 {
		return result{Invalid, badPath, strings.Join(bad, "; ")}
	}
	return result{Missing, base + "/purl", "no purl, CPE or SWID"}
}

func validCPE(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "cpe:2.3:") {
		return len(strings.Split(s, ":")) >= 13 || strings.Count(s, ":") >= 12
	}
	return strings.HasPrefix(s, "cpe:/") && len(s) > 6
}

func cdxSupplier(c *cdx.Component, base string) result {
	switch {
	case c.Supplier != nil && strings.TrimSpace(c.Supplier.Name) != "":
		return result{Present, base + "/supplier/name", ""}
	case c.Manufacturer != nil && strings.TrimSpace(c.Manufacturer.Name) != "":
		return result{Present, base + "/manufacturer/name", ""}
	case strings.TrimSpace(c.Publisher) != "":
		return result{Present, base + "/publisher", ""}
	case strings.TrimSpace(c.Author) != "":
		return result{Present, base + "/author", ""}
	}
	if c.Authors != nil {
		for i, a := range *c.Authors {
			if strings.TrimSpace(a.Name) != "" {
				return result{Present, fmt.Sprintf("%s/authors/%d/name", base, i), ""}
			}
		}
	}
	return result{Missing, base + "/supplier", "no supplier, manufacturer, publisher or author"}
}

var angleEmail = regexp.MustCompile(`<([^<>\s]+@[^<>\s]+)>`)

// authorEmail: "a@b.c" or "Name <a@b.c>".
func authorEmail(s string) bool {
	s = strings.TrimSpace(s)
	if validEmail(s) {
		return true
	}
	m := angleEmail.FindStringSubmatch(s)
	return m != nil && validEmail(m[1])
}
