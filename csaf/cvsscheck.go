package csaf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/internal/locate"
)

// cvss runs 6.1.8 Invalid CVSS, 6.1.9 Invalid CVSS computation and 6.1.10
// Inconsistent CVSS on every score.
func (c *checker) cvss() {
	vulns, _ := member(c.tree, "vulnerabilities").([]any)
	for i := range c.doc.Vulnerabilities {
		v := &c.doc.Vulnerabilities[i]
		var scoresTree []any
		if i < len(vulns) {
			scoresTree, _ = member(vulns[i], "scores").([]any)
		}
		for j := range v.Scores {
			s := &v.Scores[j]
			var scoreTree any
			if j < len(scoresTree) {
				scoreTree = scoresTree[j]
			}
			p := fmt.Sprintf("/vulnerabilities/%d/scores/%d", i, j)
			// The tree decides what is there: "cvss_v2": null is a CVSS
			// object that fails its schema, though the model has none.
			if v2, ok := lookup(scoreTree, "cvss_v2"); ok && c.cvssSchema(p+"/cvss_v2", c.s.cvss20, v2) && s.CVSSv2 != nil {
				c.cvss2(p+"/cvss_v2", s.CVSSv2)
			}
			if v3, ok := lookup(scoreTree, "cvss_v3"); ok {
				sch := c.s.cvss31
				if o := s.CVSSv3; o != nil && (o.Version == "3.0" || (o.Version != "3.1" && strings.HasPrefix(o.VectorString, "CVSS:3.0/"))) {
					sch = c.s.cvss30
				}
				if c.cvssSchema(p+"/cvss_v3", sch, v3) && s.CVSSv3 != nil {
					c.cvss3(p+"/cvss_v3", s.CVSSv3)
				}
			}
		}
	}
}

// member returns obj[key] when obj is a JSON object.
func member(obj any, key string) any {
	v, _ := lookup(obj, key)
	return v
}

// lookup returns obj[key] and whether obj is a JSON object with that key.
func lookup(obj any, key string) (any, bool) {
	m, _ := obj.(map[string]any)
	v, ok := m[key]
	return v, ok
}

// cvssSchema is test 6.1.8: the CVSS object must be valid against the
// schema of its version. A v3 object is checked against the v3.0 or v3.1
// schema as its version (or, failing that, its vector) says, which
// explains a defect better than the CSAF schema's oneOf over both.
// The vector must also be one that can be scored (the schema's pattern
// admits vectors without base metrics or with a metric twice).
func (c *checker) cvssSchema(path string, sch *jsonschema.Schema, obj any) bool {
	err := sch.Validate(obj)
	if err == nil {
		return true
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		c.fail("6.1.8", path, "the CVSS object cannot be checked: %v", err)
		return false
	}
	c.errors = append(c.errors, schemaFindings("6.1.8", strings.Split(path[1:], "/"), ve, nil)...)
	return false
}

// parseVector scores a vector for 6.1.9 and 6.1.10, reporting a vector
// that the schema's pattern admits but that is not a CVSS vector (a base
// metric missing, a metric twice) as 6.1.8.
func (c *checker) parseVector(path, vector string) (*cvss.Score, map[string]string) {
	sc, err := cvss.Parse(vector)
	if err != nil {
		msg := cradle.ErrorMessage(err)
		if ps := cradle.ErrorProblems(err); len(ps) > 0 {
			msg = ps[0].String()
		}
		c.fail("6.1.8", path+"/vectorString", "%s is not a valid CVSS vector: %s", locate.Quote(vector), msg)
		return nil, nil
	}
	metrics := map[string]string{}
	v := strings.TrimSuffix(strings.TrimPrefix(vector, "("), ")")
	if sc.Version != cvss.V20 {
		_, v, _ = strings.Cut(v, "/")
	}
	for _, m := range strings.Split(v, "/") {
		k, val, _ := strings.Cut(m, ":")
		metrics[k] = val
	}
	return sc, metrics
}

// rescore scores the vector with Temporal and Environmental scores forced:
// a metric whose value weighs the same as Not Defined is added, so that the
// score of a vector without such metrics, which the document may still
// give, can be compared.
func rescore(version cvss.Version, metrics map[string]string) (*cvss.Score, error) {
	m := make(map[string]string, len(metrics)+2)
	for k, v := range metrics {
		m[k] = v
	}
	var prefix string
	var temporal, environmental []string
	var tMetric, tValue, eMetric, eValue, notDefined string
	if version == cvss.V20 {
		temporal = []string{"E", "RL", "RC"}
		environmental = []string{"CDP", "TD", "CR", "IR", "AR"}
		// E:H and TD:H weigh 1.0, as Not Defined does.
		tMetric, tValue, eMetric, eValue, notDefined = "E", "H", "TD", "H", "ND"
	} else {
		prefix = "CVSS:" + string(version) + "/"
		temporal = []string{"E", "RL", "RC"}
		environmental = []string{"CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"}
		// E:H and CR:M weigh 1.0, as Not Defined does.
		tMetric, tValue, eMetric, eValue, notDefined = "E", "H", "CR", "M", "X"
	}
	defined := func(names []string) bool {
		for _, n := range names {
			if v, ok := m[n]; ok && v != notDefined {
				return true
			}
		}
		return false
	}
	if !defined(temporal) {
		m[tMetric] = tValue
	}
	if !defined(environmental) {
		m[eMetric] = eValue
	}
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+":"+v)
	}
	return cvss.Parse(prefix + strings.Join(parts, "/"))
}

func sameScore(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func formatScore(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// cvss2 runs 6.1.9 and 6.1.10 on a v2.0 object.
func (c *checker) cvss2(path string, o *CVSSv2) {
	sc, metrics := c.parseVector(path, o.VectorString)
	if sc == nil {
		return
	}
	if sc.Version != cvss.V20 {
		c.fail("6.1.8", path+"/vectorString", "%s is a CVSS v%s vector in cvss_v2", locate.Quote(o.VectorString), sc.Version)
		return
	}
	full, err := rescore(sc.Version, metrics)
	if err != nil {
		return
	}
	c.scoreMatches(path+"/baseScore", o.BaseScore, sc.Base)
	if o.TemporalScore != nil {
		c.scoreMatches(path+"/temporalScore", *o.TemporalScore, *full.Temporal)
	}
	if o.EnvironmentalScore != nil {
		c.scoreMatches(path+"/environmentalScore", *o.EnvironmentalScore, *full.Environmental)
	}
	c.consistent(path, metrics, v2Properties, map[string]string{
		"accessVector": o.AccessVector, "accessComplexity": o.AccessComplexity, "authentication": o.Authentication,
		"confidentialityImpact": o.ConfidentialityImpact, "integrityImpact": o.IntegrityImpact, "availabilityImpact": o.AvailabilityImpact,
		"exploitability": o.Exploitability, "remediationLevel": o.RemediationLevel, "reportConfidence": o.ReportConfidence,
		"collateralDamagePotential": o.CollateralDamagePotential, "targetDistribution": o.TargetDistribution,
		"confidentialityRequirement": o.ConfidentialityRequirement, "integrityRequirement": o.IntegrityRequirement, "availabilityRequirement": o.AvailabilityRequirement,
	})
}

// cvss3 runs 6.1.9 and 6.1.10 on a v3.x object.
func (c *checker) cvss3(path string, o *CVSSv3) {
	sc, metrics := c.parseVector(path, o.VectorString)
	if sc == nil {
		return
	}
	if string(sc.Version) != o.Version {
		c.fail("6.1.8", path+"/vectorString", "%s is a CVSS v%s vector, but version is %s", locate.Quote(o.VectorString), sc.Version, locate.Quote(o.Version))
		return
	}
	full, err := rescore(sc.Version, metrics)
	if err != nil {
		return
	}
	c.scoreMatches(path+"/baseScore", o.BaseScore, sc.Base)
	c.severityMatches(path+"/baseSeverity", o.BaseSeverity, sc.Base, sc.Version)
	if o.TemporalScore != nil {
		c.scoreMatches(path+"/temporalScore", *o.TemporalScore, *full.Temporal)
	}
	if o.TemporalSeverity != "" {
		c.severityMatches(path+"/temporalSeverity", o.TemporalSeverity, *full.Temporal, sc.Version)
	}
	if o.EnvironmentalScore != nil {
		c.scoreMatches(path+"/environmentalScore", *o.EnvironmentalScore, *full.Environmental)
	}
	if o.EnvironmentalSeverity != "" {
		c.severityMatches(path+"/environmentalSeverity", o.EnvironmentalSeverity, *full.Environmental, sc.Version)
	}
	c.consistent(path, metrics, v3Properties, map[string]string{
		"attackVector": o.AttackVector, "attackComplexity": o.AttackComplexity, "privilegesRequired": o.PrivilegesRequired,
		"userInteraction": o.UserInteraction, "scope": o.Scope,
		"confidentialityImpact": o.ConfidentialityImpact, "integrityImpact": o.IntegrityImpact, "availabilityImpact": o.AvailabilityImpact,
		"exploitCodeMaturity": o.ExploitCodeMaturity, "remediationLevel": o.RemediationLevel, "reportConfidence": o.ReportConfidence,
		"confidentialityRequirement": o.ConfidentialityRequirement, "integrityRequirement": o.IntegrityRequirement, "availabilityRequirement": o.AvailabilityRequirement,
		"modifiedAttackVector": o.ModifiedAttackVector, "modifiedAttackComplexity": o.ModifiedAttackComplexity,
		"modifiedPrivilegesRequired": o.ModifiedPrivilegesRequired, "modifiedUserInteraction": o.ModifiedUserInteraction,
		"modifiedScope": o.ModifiedScope, "modifiedConfidentialityImpact": o.ModifiedConfidentialityImpact,
		"modifiedIntegrityImpact": o.ModifiedIntegrityImpact, "modifiedAvailabilityImpact": o.ModifiedAvailabilityImpact,
	})
}

func (c *checker) scoreMatches(path string, got, want float64) {
	if !sameScore(got, want) {
		c.fail("6.1.9", path, "expected %s as the vector computes, found %s", formatScore(want), strconv.FormatFloat(got, 'f', -1, 64))
	}
}

func (c *checker) severityMatches(path, got string, score float64, v cvss.Version) {
	if want := strings.ToUpper(cvss.Rating(score, v)); got != want {
		c.fail("6.1.9", path, "expected %s for a score of %s, found %s", want, formatScore(score), locate.Quote(got))
	}
}

// metricProperty maps a JSON property to its vector metric and the
// property's value for each of the metric's vector values.
type metricProperty struct {
	property, metric string
	values           map[string]string
}

var (
	v3CIA        = map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH"}
	v3ModCIA     = map[string]string{"X": "NOT_DEFINED", "N": "NONE", "L": "LOW", "H": "HIGH"}
	v3Req        = map[string]string{"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	v3Properties = []metricProperty{
		{"attackVector", "AV", map[string]string{"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}},
		{"attackComplexity", "AC", map[string]string{"L": "LOW", "H": "HIGH"}},
		{"privilegesRequired", "PR", map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH"}},
		{"userInteraction", "UI", map[string]string{"N": "NONE", "R": "REQUIRED"}},
		{"scope", "S", map[string]string{"U": "UNCHANGED", "C": "CHANGED"}},
		{"confidentialityImpact", "C", v3CIA},
		{"integrityImpact", "I", v3CIA},
		{"availabilityImpact", "A", v3CIA},
		{"exploitCodeMaturity", "E", map[string]string{"X": "NOT_DEFINED", "U": "UNPROVEN", "P": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"}},
		{"remediationLevel", "RL", map[string]string{"X": "NOT_DEFINED", "O": "OFFICIAL_FIX", "T": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE"}},
		{"reportConfidence", "RC", map[string]string{"X": "NOT_DEFINED", "U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED"}},
		{"confidentialityRequirement", "CR", v3Req},
		{"integrityRequirement", "IR", v3Req},
		{"availabilityRequirement", "AR", v3Req},
		{"modifiedAttackVector", "MAV", map[string]string{"X": "NOT_DEFINED", "N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}},
		{"modifiedAttackComplexity", "MAC", map[string]string{"X": "NOT_DEFINED", "L": "LOW", "H": "HIGH"}},
		{"modifiedPrivilegesRequired", "MPR", map[string]string{"X": "NOT_DEFINED", "N": "NONE", "L": "LOW", "H": "HIGH"}},
		{"modifiedUserInteraction", "MUI", map[string]string{"X": "NOT_DEFINED", "N": "NONE", "R": "REQUIRED"}},
		{"modifiedScope", "MS", map[string]string{"X": "NOT_DEFINED", "U": "UNCHANGED", "C": "CHANGED"}},
		{"modifiedConfidentialityImpact", "MC", v3ModCIA},
		{"modifiedIntegrityImpact", "MI", v3ModCIA},
		{"modifiedAvailabilityImpact", "MA", v3ModCIA},
	}

	v2CIA        = map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}
	v2Req        = map[string]string{"ND": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	v2Properties = []metricProperty{
		{"accessVector", "AV", map[string]string{"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}},
		{"accessComplexity", "AC", map[string]string{"H": "HIGH", "M": "MEDIUM", "L": "LOW"}},
		{"authentication", "Au", map[string]string{"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}},
		{"confidentialityImpact", "C", v2CIA},
		{"integrityImpact", "I", v2CIA},
		{"availabilityImpact", "A", v2CIA},
		{"exploitability", "E", map[string]string{"ND": "NOT_DEFINED", "U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"}},
		{"remediationLevel", "RL", map[string]string{"ND": "NOT_DEFINED", "OF": "OFFICIAL_FIX", "TF": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE"}},
		{"reportConfidence", "RC", map[string]string{"ND": "NOT_DEFINED", "UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED"}},
		{"collateralDamagePotential", "CDP", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH"}},
		{"targetDistribution", "TD", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}},
		{"confidentialityRequirement", "CR", v2Req},
		{"integrityRequirement", "IR", v2Req},
		{"availabilityRequirement", "AR", v2Req},
	}
)

// consistent is test 6.1.10: every metric member that is given must say
// what the vector says about that metric. A metric the vector leaves out
// is not compared: the OASIS test documents of 6.2.19 (valid for every
// mandatory test) give modified impacts that their vectors do not, and
// BSI's reference validator reads the test the same way.
func (c *checker) consistent(path string, metrics map[string]string, props []metricProperty, given map[string]string) {
	for _, mp := range props {
		got := given[mp.property]
		if got == "" {
			continue
		}
		val, ok := metrics[mp.metric]
		if !ok {
			continue
		}
		want, ok := mp.values[val]
		if !ok {
			continue // not a value of the metric: the vector failed 6.1.8
		}
		if got != want {
			c.fail("6.1.10", path+"/"+mp.property, "expected %s as the vector says (%s:%s), found %s", want, mp.metric, val, locate.Quote(got))
		}
	}
}
