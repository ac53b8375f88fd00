package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/kev"
	"github.com/cradle-sdl/cradle/monitor"
	"github.com/cradle-sdl/cradle/sbom"
)

var scanFormats = []string{"table", "json", "sarif", "cyclonedx-vex", "openvex"}

func runScan(e *env, args []string) error {
	fs := e.flags("scan", "scan SBOM --vulndb PATH [--kev FILE] [--format F] [--fail-on T]",
		`Scan an SBOM file against local OSV data, without a server or database (for CI).
PATH is an OSV all.zip, a folder of OSV records, or a folder of all.zip archives at
any depth (e.g. a copy of the OSV bucket). Exit codes: 0 nothing at or above the
--fail-on threshold, 1 the threshold was met, 2 usage or input errors.`)
	vulndb := fs.String("vulndb", envOr("CRADLE_VULNDB", ""), "OSV data: a zip, a folder of records, or a folder of zips (env CRADLE_VULNDB)")
	kevFile := fs.String("kev", "", "CISA KEV catalog JSON, to flag actively exploited vulnerabilities")
	format := fs.String("format", "table", "table, json, sarif, cyclonedx-vex or openvex")
	failOn := fs.String("fail-on", "", "exit 1 when a finding is at least: critical, high, medium, low, or kev (KEV-listed)")
	out := fs.String("o", "-", "output file, - for standard output")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *vulndb == "" {
		return usagef("scan needs one SBOM file and --vulndb PATH")
	}
	if !slices.Contains(scanFormats, *format) {
		return usagef("unknown --format %q; expected one of %s", *format, strings.Join(scanFormats, ", "))
	}
	if *failOn != "" && *failOn != "kev" && !slices.Contains(cradle.Ratings[:4], *failOn) {
		return usagef("unknown --fail-on %q; expected critical, high, medium, low or kev", *failOn)
	}
	raw, name, err := readInput(e, rest[0], sbom.DefaultMaxSize)
	if err != nil {
		return err
	}
	doc, err := sbom.Decode(filepath.Base(name), raw)
	if err != nil {
		return err
	}
	monitor.PrepareSBOM(doc)
	ecos, keys := monitor.Needs(doc)
	vdb, err := monitor.LoadVulnDB(*vulndb, ecos, keys)
	if err != nil {
		return err
	}
	if *kevFile != "" {
		cat, err := kev.ReadFile(*kevFile)
		if err != nil {
			return err
		}
		for _, k := range cat.Vulnerabilities {
			vdb.KEV[k.CVEID] = k.DateAdded.Format(cradle.DateLayout)
		}
	}
	res := monitor.Scan(doc, vdb)

	var buf bytes.Buffer
	switch *format {
	case "table":
		writeScanTable(&buf, name, res, vdb)
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	case "sarif":
		err = writeSARIF(&buf, name, res)
	case "cyclonedx-vex":
		err = writeCycloneDXVEX(&buf, doc, res)
	case "openvex":
		err = writeOpenVEX(&buf, raw, res)
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = e.stdout.Write(buf.Bytes())
	} else {
		err = writeFileAtomic(*out, buf.Bytes())
	}
	if err != nil {
		return err
	}
	if *failOn != "" {
		for _, f := range res.Findings {
			if (*failOn == "kev" && f.KEV) || (*failOn != "kev" && f.Rating != "unknown" && cradle.RatingRank(f.Rating) <= cradle.RatingRank(*failOn)) {
				fmt.Fprintf(e.stderr, "cradle scan: findings at or above %q: failing\n", *failOn)
				return errReported
			}
		}
	}
	return nil
}

func writeScanTable(w io.Writer, name string, res *monitor.ScanResult, vdb *monitor.VulnDB) {
	fmt.Fprintf(w, "Scanned %s: %d components, %d matchable by purl, against %d advisories.\n", name, res.Components, res.Matchable, res.Advisories)
	if res.Unmatchable > 0 {
		fmt.Fprintf(w, "%d components have a purl of a type no OSV ecosystem covers; they were not checked.\n", res.Unmatchable)
	}
	if res.Unevaluated > 0 {
		fmt.Fprintf(w, "%d GIT ranges could not be evaluated from versions (they name commits).\n", res.Unevaluated)
	}
	if res.Unparsable > 0 {
		fmt.Fprintf(w, "%d checks could not be made: a component's version does not parse in its ecosystem (e.g. Go's \"(devel)\"); see --format json.\n", res.Unparsable)
	}
	if len(res.Findings) == 0 {
		fmt.Fprintln(w, "No known vulnerabilities.")
		return
	}
	counts := map[string]int{}
	for _, f := range res.Findings {
		counts[f.Rating]++
	}
	var parts []string
	for _, r := range cradle.Ratings {
		if counts[r] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[r], r))
		}
	}
	fmt.Fprintf(w, "%d vulnerabilities: %s.\n\n", len(res.Findings), strings.Join(parts, ", "))
	var buf bytes.Buffer
	e := &env{stdout: &buf}
	rows := make([][]string, 0, len(res.Findings))
	for _, f := range res.Findings {
		score, kevs := "", ""
		if f.Score > 0 {
			score = strconv.FormatFloat(f.Score, 'f', 1, 64)
		}
		if f.KEV {
			kevs = "KEV"
		}
		rows = append(rows, []string{strings.ToUpper(f.Rating), score, kevs, f.GroupID, f.Component.Name, f.Component.Version, dateOr(f.Fixed, "-"), f.Summary})
	}
	e.table([]string{"SEVERITY", "CVSS", "EXPLOITED", "VULNERABILITY", "COMPONENT", "VERSION", "FIXED IN", "SUMMARY"}, rows)
	w.Write(buf.Bytes())
}

// SARIF 2.1.0, the subset code-scanning tools read.
type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}
type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}
type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}
type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version"`
	Rules          []sarifRule `json:"rules"`
}
type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}
type sarifText struct {
	Text string `json:"text"`
}
type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}
type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}
type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
}
type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

func writeSARIF(w io.Writer, name string, res *monitor.ScanResult) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "cradle", InformationURI: "https://github.com/cradle-sdl/cradle", Version: Version}}, Results: []sarifResult{}}
	rules := map[string]bool{}
	for _, f := range res.Findings {
		if !rules[f.GroupID] {
			rules[f.GroupID] = true
			desc := f.Summary
			if desc == "" {
				desc = f.GroupID
			}
			props := map[string]any{"tags": []string{"security", "vulnerability"}}
			if f.Score > 0 {
				props["security-severity"] = strconv.FormatFloat(f.Score, 'f', 1, 64)
			}
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: f.GroupID, ShortDescription: sarifText{desc},
				FullDescription: sarifText{desc + " (" + strings.Join(append([]string{f.GroupID}, f.Aliases...), ", ") + ")"},
				HelpURI:         "https://osv.dev/vulnerability/" + f.VulnID, Properties: props})
		}
		level := map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "note"}[f.Rating]
		if level == "" {
			level = "warning"
		}
		msg := fmt.Sprintf("%s %s is affected by %s (%s)", f.Component.Name, f.Component.Version, f.GroupID, f.Matched)
		if f.Fixed != "" {
			msg += "; fixed in " + f.Fixed
		}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Component.Name, FullyQualifiedName: f.Component.PURL, Kind: "package"}}}
		loc.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(name)
		sum := sha256.Sum256([]byte(f.Component.PURL + "|" + f.GroupID))
		run.Results = append(run.Results, sarifResult{RuleID: f.GroupID, Level: level, Message: sarifText{msg},
			Locations: []sarifLocation{loc}, PartialFingerprints: map[string]string{"componentVulnerability/v1": hex.EncodeToString(sum[:16])}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
}

// writeCycloneDXVEX writes a CycloneDX 1.6 document listing the scanned
// components and a vulnerabilities section that points at them.
func writeCycloneDXVEX(w io.Writer, doc *cradle.SBOM, res *monitor.ScanResult) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.Metadata = &cdx.Metadata{Timestamp: time.Now().UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "cradle", Version: Version}}}}
	refs := map[string]string{} // component ref → bom-ref
	comps := []cdx.Component{}
	for _, c := range doc.Components {
		ref := c.Ref
		refs[c.Ref] = ref
		typ := cdx.ComponentType(c.Type)
		switch typ {
		case cdx.ComponentTypeApplication, cdx.ComponentTypeContainer, cdx.ComponentTypeDevice, cdx.ComponentTypeFile, cdx.ComponentTypeFirmware,
			cdx.ComponentTypeFramework, cdx.ComponentTypeLibrary, cdx.ComponentTypeOS, cdx.ComponentTypePlatform:
		default:
			typ = cdx.ComponentTypeLibrary
		}
		comps = append(comps, cdx.Component{BOMRef: ref, Type: typ, Name: c.Name, Version: c.Version, PackageURL: c.PURL})
	}
	bom.Components = &comps
	byGroup := map[string]*cdx.Vulnerability{}
	var order []string
	for _, f := range res.Findings {
		v, ok := byGroup[f.GroupID]
		if !ok {
			v = &cdx.Vulnerability{BOMRef: "vuln:" + f.GroupID, ID: f.GroupID, Description: f.Summary,
				Source: &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + f.VulnID}, Affects: &[]cdx.Affects{}}
			var refs []cdx.VulnerabilityReference
			for _, a := range f.Aliases {
				refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + a}})
			}
			if len(refs) > 0 {
				v.References = &refs
			}
			if f.Score > 0 {
				method := cdx.ScoringMethodCVSSv31
				switch {
				case strings.HasPrefix(f.Vector, "CVSS:4.0"):
					method = cdx.ScoringMethodCVSSv4
				case strings.HasPrefix(f.Vector, "CVSS:3.0"):
					method = cdx.ScoringMethodCVSSv3
				case !strings.HasPrefix(f.Vector, "CVSS:"):
					method = cdx.ScoringMethodCVSSv2
				}
				score := f.Score
				v.Ratings = &[]cdx.VulnerabilityRating{{Score: &score, Severity: cdx.Severity(f.Rating), Method: method, Vector: f.Vector}}
			}
			if f.Fixed != "" {
				v.Recommendation = "Upgrade to " + f.Fixed
			}
			byGroup[f.GroupID] = v
			order = append(order, f.GroupID)
		}
		*v.Affects = append(*v.Affects, cdx.Affects{Ref: refs[f.Component.Ref]})
	}
	var vulns []cdx.Vulnerability
	for _, g := range order {
		vulns = append(vulns, *byGroup[g])
	}
	bom.Vulnerabilities = &vulns
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

// OpenVEX 0.2.0.
type openVEX struct {
	Context    string         `json:"@context"`
	ID         string         `json:"@id"`
	Author     string         `json:"author"`
	Timestamp  string         `json:"timestamp"`
	Version    int            `json:"version"`
	Tooling    string         `json:"tooling"`
	Statements []vexStatement `json:"statements"`
}
type vexStatement struct {
	Vulnerability struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases,omitempty"`
	} `json:"vulnerability"`
	Products []struct {
		ID string `json:"@id"`
	} `json:"products"`
	Status          string `json:"status"`
	ActionStatement string `json:"action_statement"`
}

// writeOpenVEX states, per vulnerability, that the scanned packages are
// affected (a scanner knows the version is in range, not whether the code
// is reachable: people refine that with a VEX decision).
func writeOpenVEX(w io.Writer, raw []byte, res *monitor.ScanResult) error {
	sum := sha256.Sum256(raw)
	doc := openVEX{Context: "https://openvex.dev/ns/v0.2.0", ID: "urn:cradle:scan:" + hex.EncodeToString(sum[:12]),
		Author: "cradle scan", Timestamp: time.Now().UTC().Format(time.RFC3339), Version: 1, Tooling: "cradle " + Version, Statements: []vexStatement{}}
	byGroup := map[string]*vexStatement{}
	var order []string
	for _, f := range res.Findings {
		if f.Component.PURL == "" {
			continue
		}
		st, ok := byGroup[f.GroupID]
		if !ok {
			st = &vexStatement{Status: "affected"}
			st.Vulnerability.Name = f.GroupID
			st.Vulnerability.Aliases = f.Aliases
			st.ActionStatement = "No fixed version is known: assess exploitability and mitigate."
			byGroup[f.GroupID] = st
			order = append(order, f.GroupID)
		}
		if f.Fixed != "" {
			st.ActionStatement = "Update " + f.Component.Name + " to " + f.Fixed + " or later."
		}
		st.Products = append(st.Products, struct {
			ID string `json:"@id"`
		}{f.Component.PURL})
	}
	sort.Strings(order)
	for _, g := range order {
		doc.Statements = append(doc.Statements, *byGroup[g])
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
