package quality

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// A small reader for SPDX 3.0 JSON-LD: only the elements and properties the
// profiles need, in the compact form (plain "type", "spdxId", "@graph").
// Mapping per BSI TR-03183-2 v2.1 §8.2 (see the spdx3 fixtures' README).

type strList []string

func (s *strList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return nil // tolerate other shapes (objects): not needed here
	}
	*s = many
	return nil
}

type s3hash struct {
	Algorithm string `json:"algorithm"`
	HashValue string `json:"hashValue"`
}

type s3node struct {
	Type               string  `json:"type"`
	AtType             string  `json:"@type"`
	SpdxID             string  `json:"spdxId"`
	AtID               string  `json:"@id"`
	Name               string  `json:"name"`
	CreationInfo       strList `json:"creationInfo"`
	SpecVersion        string  `json:"specVersion"`
	Created            string  `json:"created"`
	CreatedBy          strList `json:"createdBy"`
	ExternalIdentifier []struct {
		Type       string `json:"externalIdentifierType"`
		Identifier string `json:"identifier"`
	} `json:"externalIdentifiers"`
	ExternalRef []struct {
		Type    string  `json:"externalRefType"`
		Locator strList `json:"locator"`
	} `json:"externalRef"`
	NamespaceMap []struct {
		Namespace string `json:"namespace"`
	} `json:"namespaceMap"`
	RootElement       strList  `json:"rootElement"`
	PackageVersion    string   `json:"software_packageVersion"`
	DownloadLocation  string   `json:"software_downloadLocation"`
	SourceInfo        string   `json:"software_sourceInfo"`
	OriginatedBy      strList  `json:"originatedBy"`
	SuppliedBy        strList  `json:"suppliedBy"`
	AdditionalPurpose []string `json:"software_additionalPurpose"`
	PrimaryPurpose    string   `json:"software_primaryPurpose"`
	VerifiedUsing     []s3hash `json:"verifiedUsing"`
	LicenseExpr       string   `json:"simplelicensing_licenseExpression"`
	LicenseExprShort  string   `json:"licenseExpression"`
	From              string   `json:"from"`
	To                strList  `json:"to"`
	RelationshipType  string   `json:"relationshipType"`
	Completeness      string   `json:"completeness"`
	Comment           string   `json:"comment"`
}

func (n *s3node) id() string { return cmpOr(n.SpdxID, n.AtID) }

type s3rel struct {
	idx  int
	node *s3node
}

func fromSPDX3(name string, data []byte, p *profile) (*parsed, error) {
	var doc struct {
		Context strList           `json:"@context"`
		Graph   []json.RawMessage `json:"@graph"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, inputErr(name, "cannot read the SPDX 3 JSON-LD", jsonErr(name, data, err))
	}
	nodes := make([]s3node, len(doc.Graph))
	for i, raw := range doc.Graph {
		if err := json.Unmarshal(raw, &nodes[i]); err != nil {
			return nil, inputErr(name, "cannot read the SPDX 3 JSON-LD", fmt.Errorf("/@graph/%d: %v", i, err))
		}
		if nodes[i].Type == "" {
			nodes[i].Type = nodes[i].AtType
		}
	}
	gp := func(i int, key string) string {
		if key == "" {
			return fmt.Sprintf("/@graph/%d", i)
		}
		return fmt.Sprintf("/@graph/%d/%s", i, key)
	}
	byID := make(map[string]int, len(nodes))
	var docIdx, ciIdx = -1, -1
	var pkgs, vulns []int
	out := map[string][]s3rel{} // from -> relationships
	in := map[string][]s3rel{}  // to -> relationships
	for i := range nodes {
		n := &nodes[i]
		if id := n.id(); id != "" {
			byID[id] = i
		}
		switch n.Type {
		case "SpdxDocument":
			if docIdx < 0 {
				docIdx = i
			}
		case "CreationInfo":
			if ciIdx < 0 {
				ciIdx = i
			}
		case "software_Package":
			pkgs = append(pkgs, i)
		case "security_Vulnerability":
			vulns = append(vulns, i)
		case "Relationship", "LifecycleScopedRelationship":
			out[n.From] = append(out[n.From], s3rel{i, n})
			for _, t := range n.To {
				in[t] = append(in[t], s3rel{i, n})
			}
		}
	}
	spec := ""
	if ciIdx >= 0 {
		spec = nodes[ciIdx].SpecVersion
	}
	d := &parsed{format: "spdx3-json", spec: cmpOr(spec, "3.0"), doc: map[string]result{}}

	// spec version
	sv := gp(ciIdx, "specVersion")
	switch {
	case spec == "":
		ctx := strings.Join(doc.Context, " ")
		d.doc["sbom.spec_version"] = result{Missing, sv, "CreationInfo.specVersion is missing (@context: " + ctx + ")"}
	case p.bsi == 21 && !versionAtLeast(spec, "3.0.1"):
		d.doc["sbom.spec_version"] = result{Invalid, sv, "SPDX " + spec + "; v2.1 of the TR needs SPDX >= 3.0.1"}
	default:
		d.doc["sbom.spec_version"] = result{Present, sv, "SPDX " + spec}
	}

	// agents: e-mail or URL identifiers
	agent := func(refs []string, path, what string) result {
		var bad []string
		for _, r := range refs {
			j, ok := byID[r]
			if !ok {
				continue
			}
			for k, ei := range nodes[j].ExternalIdentifier {
				ep := gp(j, fmt.Sprintf("externalIdentifiers/%d/identifier", k))
				switch strings.ToLower(ei.Type) {
				case "email":
					if validEmail(ei.Identifier) {
						return result{Present, ep, ""}
					}
					bad = append(bad, fmt.Sprintf("%s: %q is not an e-mail address", ep, ei.Identifier))
				case "urlscheme":
					if validURL(ei.Identifier) {
						return result{Present, ep, ""}
					}
					bad = append(bad, fmt.Sprintf("%s: %q is not a URL", ep, ei.Identifier))
				}
			}
		}
		if len(bad) > 0 {
			return result{Invalid, strings.SplitN(bad[0], ": ", 2)[0], strings.Join(bad, "; ")}
		}
		return result{Missing, path, "no " + what + " with an email or urlScheme external identifier"}
	}
	var ci s3node
	if ciIdx >= 0 {
		ci = nodes[ciIdx]
	}
	d.doc["sbom.creator"] = agent(ci.CreatedBy, gp(ciIdx, "createdBy"), "createdBy agent")
	d.doc["sbom.timestamp"] = timestampResult(ci.Created, gp(ciIdx, "created"))
	author := result{Missing, gp(ciIdx, "createdBy"), "no createdBy"}
	if len(ci.CreatedBy) > 0 {
		author = result{Present, gp(ciIdx, "createdBy"), ""}
	}
	d.doc["ntia.author"] = author

	// SBOM-URI: the document's spdxId as a URI, else a namespaceMap entry
	uri := result{Missing, gp(docIdx, "spdxId"), "no SpdxDocument with a URI spdxId or namespaceMap"}
	if docIdx >= 0 {
		dn := nodes[docIdx]
		if validURI(dn.SpdxID) {
			uri = result{Present, gp(docIdx, "spdxId"), ""}
		} else {
			for k, nm := range dn.NamespaceMap {
				if validURI(nm.Namespace) {
					uri = result{Present, gp(docIdx, fmt.Sprintf("namespaceMap/%d/namespace", k)), ""}
					break
				}
				uri = result{Invalid, gp(docIdx, fmt.Sprintf("namespaceMap/%d/namespace", k)), fmt.Sprintf("%q is not a URI", nm.Namespace)}
			}
		}
	}
	d.doc["sbom.uri"] = uri
	if len(vulns) > 0 {
		d.doc["sbom.no_vulnerabilities"] = result{Invalid, gp(vulns[0], ""), fmt.Sprintf("%d security_Vulnerability elements; the TR wants them in CSAF/VEX", len(vulns))}
	} else {
		d.doc["sbom.no_vulnerabilities"] = result{Present, "/@graph", ""}
	}

	// primary: "describes" targets, else rootElement of the document / Sbom
	var roots []string
	for _, rs := range out {
		for _, r := range rs {
			if r.node.RelationshipType == "describes" {
				roots = append(roots, r.node.To...)
			}
		}
	}
	for i := range nodes {
		if nodes[i].Type == "SpdxDocument" || nodes[i].Type == "software_Sbom" {
			roots = append(roots, nodes[i].RootElement...)
		}
	}
	primary := ""
	for _, r := range roots {
		if j, ok := byID[r]; ok && nodes[j].Type == "software_Package" {
			primary = r
			break
		}
	}
	if primary == "" {
		d.doc["sbom.primary_component"] = result{Missing, "/@graph", "no software_Package is described by the document"}
	} else {
		d.doc["sbom.primary_component"] = result{Present, gp(byID[primary], ""), ""}
	}

	// dependency graph
	isDep := func(t string) bool { return t == "dependsOn" || t == "contains" }
	var brokenSrc, brokenTgt []string
	declared := map[string]bool{}
	bad := map[string][]string{}
	completeness := result{Missing, "/@graph", "no dependsOn relationship states its completeness"}
	nDeps := 0
	for from, rs := range out {
		for _, r := range rs {
			if !isDep(r.node.RelationshipType) {
				continue
			}
			nDeps++
			if _, ok := byID[from]; !ok {
				brokenSrc = append(brokenSrc, from)
			}
			declared[from] = true
			for _, t := range r.node.To {
				if _, ok := byID[t]; !ok {
					brokenTgt = append(brokenTgt, t)
					bad[from] = append(bad[from], t)
				}
			}
			switch r.node.Completeness {
			case "complete", "incomplete":
				completeness = result{Present, gp(r.idx, "completeness"), r.node.Completeness}
			case "noAssertion":
				if completeness.state == Missing {
					completeness = result{Invalid, gp(r.idx, "completeness"), "noAssertion states nothing"}
				}
			}
		}
	}
	d.doc["sbom.completeness"] = completeness
	d.doc["sbom.dependencies"] = func() result {
		if msg := brokenMsg(brokenSrc, brokenTgt); msg != "" {
			return result{Invalid, "/@graph", strings.Replace(msg, "dependency entries", "relationships", 1)}
		}
		if primary == "" {
			return result{Missing, "/@graph", "no primary package to root the dependency graph"}
		}
		if nDeps == 0 {
			return result{Missing, "/@graph", "no dependsOn relationships"}
		}
		if !declared[primary] {
			return result{Invalid, "/@graph", "the primary package declares no dependencies"}
		}
		seen := map[string]bool{primary: true}
		stack := []string{primary}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, r := range out[x] {
				if isDep(r.node.RelationshipType) {
					for _, t := range r.node.To {
						if !seen[t] {
							seen[t] = true
							stack = append(stack, t)
						}
					}
				}
			}
		}
		var orphans []string
		for _, i := range pkgs {
			if !seen[nodes[i].id()] {
				orphans = append(orphans, nodes[i].id())
			}
		}
		if len(orphans) > 0 {
			return result{Invalid, "/@graph", fmt.Sprintf("%d packages not reachable from the primary package: %s", len(orphans), short(orphans))}
		}
		return result{Present, "/@graph", ""}
	}()
	d.doc["ntia.dependencies"] = result{Missing, "/@graph", "the primary package has no dependsOn relationship"}
	if declared[primary] {
		d.doc["ntia.dependencies"] = result{Present, "/@graph", ""}
	}

	// components
	target := func(id, relType, comment string, wantType string) (int, int) {
		for _, r := range out[id] {
			if r.node.RelationshipType == relType && (comment == "" || r.node.Comment == comment) {
				for _, t := range r.node.To {
					if j, ok := byID[t]; ok && (wantType == "" || nodes[j].Type == wantType) {
						return j, r.idx
					}
				}
				return -1, r.idx
			}
		}
		return -1, -1
	}
	order := pkgs
	if primary != "" {
		order = []int{byID[primary]}
		for _, i := range pkgs {
			if nodes[i].id() != primary {
				order = append(order, i)
			}
		}
	}
	for _, i := range order {
		n := &nodes[i]
		id := n.id()
		f := make(map[string]result, 24)
		c := comp{ref: id, name: n.Name, version: n.PackageVersion, path: gp(i, ""), f: f}
		cr := agent(n.OriginatedBy, gp(i, "originatedBy"), "originatedBy agent")
		if cr.state != Present && len(n.SuppliedBy) > 0 {
			if r := agent(n.SuppliedBy, gp(i, "suppliedBy"), "suppliedBy agent"); r.state == Present || cr.state == Missing {
				cr = r
			}
		}
		f["component.creator"] = cr
		sup := result{Missing, gp(i, "suppliedBy"), "no suppliedBy or originatedBy"}
		for _, r := range append(append([]string{}, n.SuppliedBy...), n.OriginatedBy...) {
			if j, ok := byID[r]; ok && nodes[j].Name != "" {
				sup = result{Present, gp(j, "name"), ""}
				break
			}
		}
		f["ntia.supplier"] = sup
		f["component.name"] = nonEmpty(n.Name, gp(i, "name"), "no name")
		f["component.version"] = nonEmpty(n.PackageVersion, gp(i, "software_packageVersion"), "no software_packageVersion")

		// distribution artifact: filename, hash, properties, download URI
		fi, _ := target(id, "hasDistributionArtifact", "", "software_File")
		if fi < 0 {
			why := "no hasDistributionArtifact relationship to a software_File"
			for _, k := range []string{"component.filename", "component.deployable_hash", "component.executable", "component.archive", "component.structured"} {
				f[k] = result{Missing, gp(i, ""), why}
			}
		} else {
			fn := &nodes[fi]
			f["component.filename"] = nonEmpty(fn.Name, gp(fi, "name"), "software_File has no name")
			f["component.deployable_hash"] = s3hashResult(fn.VerifiedUsing, gp(fi, "verifiedUsing"), true)
			for _, kv := range [][2]string{{"component.executable", "executable"}, {"component.archive", "archive"}, {"component.structured", "container"}} {
				f[kv[0]] = result{Missing, gp(fi, "software_additionalPurpose"), "software_additionalPurpose does not list " + kv[1]}
				for _, ap := range append([]string{fn.PrimaryPurpose}, fn.AdditionalPurpose...) {
					if ap == kv[1] {
						f[kv[0]] = result{Present, gp(fi, "software_additionalPurpose"), ""}
					}
				}
			}
		}
		f["component.deployable_uri"] = s3uri(n.DownloadLocation, gp(i, "software_downloadLocation"))
		if f["component.deployable_uri"].state == Missing && fi >= 0 {
			f["component.deployable_uri"] = s3extref(&nodes[fi], fi, "binaryArtifact", gp)
		}

		// dependencies
		switch {
		case len(bad[id]) > 0:
			f["component.dependencies"] = result{Invalid, gp(i, ""), "dependsOn points at nothing: " + short(bad[id])}
		case declared[id]:
			_, ri := target(id, "dependsOn", "", "")
			if ri < 0 {
				_, ri = target(id, "contains", "", "")
			}
			f["component.dependencies"] = result{Present, gp(ri, ""), ""}
		default:
			f["component.dependencies"] = result{Missing, gp(i, ""), "no dependsOn relationship from " + id + " (leaves: dependsOn with an empty to and completeness complete)"}
		}

		// licences
		lic := func(key, relType, comment string) {
			j, ri := target(id, relType, comment, "")
			switch {
			case ri < 0:
				f[key] = result{Missing, gp(i, ""), "no " + cmpOr(comment, relType) + " relationship"}
			case j < 0:
				f[key] = result{Invalid, gp(ri, "to"), "the licence element does not exist"}
			default:
				e := cmpOr(nodes[j].LicenseExpr, nodes[j].LicenseExprShort)
				if msg := checkLicenseExpr(e); msg != "" {
					f[key] = result{Invalid, gp(j, "simplelicensing_licenseExpression"), msg}
				} else {
					f[key] = result{Present, gp(j, "simplelicensing_licenseExpression"), ""}
				}
			}
		}
		lic("component.distribution_licence", "hasConcludedLicense", "")
		lic("component.original_licence", "hasDeclaredLicense", "")
		lic("component.effective_licence", "other", "hasEffectiveLicense")

		// source: sourceInfo URL or a generating SoftwareArtifact
		src := result{Missing, gp(i, "software_sourceInfo"), "no source code URI"}
		if si := strings.TrimSpace(n.SourceInfo); si != "" {
			if validURL(si) {
				src = result{Present, gp(i, "software_sourceInfo"), ""}
			} else {
				src = result{Invalid, gp(i, "software_sourceInfo"), fmt.Sprintf("%q is not a URL", si)}
			}
		}
		srcHash := result{Missing, gp(i, ""), "no generating source artifact with a hash"}
		for _, r := range in[id] {
			if r.node.RelationshipType != "generates" {
				continue
			}
			if j, ok := byID[r.node.From]; ok {
				if src.state != Present {
					if x := s3extref(&nodes[j], j, "SourceArtifact", gp); x.state != Missing {
						src = x
					}
				}
				if len(nodes[j].VerifiedUsing) > 0 {
					srcHash = s3hashResult(nodes[j].VerifiedUsing, gp(j, "verifiedUsing"), false)
				}
			}
		}
		f["component.source_uri"] = src
		f["component.source_hash"] = srcHash
		f["component.security_txt"] = s3extref(n, i, "securityOther", gp)

		ids := result{Missing, gp(i, "externalIdentifiers"), "no purl, CPE or SWID"}
		for k, ei := range n.ExternalIdentifier {
			switch ei.Type {
			case "packageUrl", "cpe22", "cpe23", "swid", "gitoid", "swhid":
				ids = result{Present, gp(i, fmt.Sprintf("externalIdentifiers/%d", k)), ""}
			}
			if ids.state == Present {
				break
			}
		}
		f["component.unique_ids"] = ids
		f["ntia.unique_ids"] = ids
		d.comps = append(d.comps, c)
	}
	return d, nil
}

func s3hashResult(hs []s3hash, path string, sha512Only bool) result {
	if len(hs) == 0 {
		return result{Missing, path, "no hash"}
	}
	var bad []string
	for k, h := range hs {
		alg := normAlg(h.Algorithm)
		ok := alg == "SHA512" && isHex(h.HashValue, 128)
		if !sha512Only {
			ok = strongAlg[alg] && validHashValue(alg, h.HashValue)
		}
		if ok {
			return result{Present, fmt.Sprintf("%s/%d", path, k), ""}
		}
		bad = append(bad, hashMsg(h.Algorithm, h.HashValue))
	}
	return result{Invalid, path, strings.Join(bad, "; ")}
}

func s3uri(v, path string) result {
	v = strings.TrimSpace(v)
	switch {
	case v == "" || v == "NOASSERTION" || v == "NONE":
		return result{Missing, path, "no URI"}
	case validURL(v) || validURL(stripVCS(v)):
		return result{Present, path, ""}
	}
	return result{Invalid, path, fmt.Sprintf("%q is not a URL", v)}
}

func s3extref(n *s3node, i int, typ string, gp func(int, string) string) result {
	for k, er := range n.ExternalRef {
		if er.Type != typ {
			continue
		}
		p := gp(i, fmt.Sprintf("externalRef/%d/locator", k))
		for _, l := range er.Locator {
			if validURL(l) {
				return result{Present, p, ""}
			}
		}
		return result{Invalid, p, fmt.Sprintf("%q is not a URL", strings.Join(er.Locator, " "))}
	}
	return result{Missing, gp(i, "externalRef"), "no externalRef of type " + typ}
}
