package cvss

import "math"

// CVSS v2.0: "A Complete Guide to the Common Vulnerability Scoring System
// Version 2.0", section 3.2 (equations) and 2.4 (vector).

const (
	v2AV = iota
	v2AC
	v2Au
	v2C
	v2I
	v2A
	v2E
	v2RL
	v2RC
	v2CDP
	v2TD
	v2CR
	v2IR
	v2AR
)

var spec20 = newSpec(V20, "", false, []metric{
	{"AV", "Access Vector", groupBase, []string{"L", "A", "N"}},
	{"AC", "Access Complexity", groupBase, []string{"H", "M", "L"}},
	{"Au", "Authentication", groupBase, []string{"M", "S", "N"}},
	{"C", "Confidentiality Impact", groupBase, []string{"N", "P", "C"}},
	{"I", "Integrity Impact", groupBase, []string{"N", "P", "C"}},
	{"A", "Availability Impact", groupBase, []string{"N", "P", "C"}},
	{"E", "Exploitability", groupTemporal, []string{"ND", "U", "POC", "F", "H"}},
	{"RL", "Remediation Level", groupTemporal, []string{"ND", "OF", "TF", "W", "U"}},
	{"RC", "Report Confidence", groupTemporal, []string{"ND", "UC", "UR", "C"}},
	{"CDP", "Collateral Damage Potential", groupEnvironmental, []string{"ND", "N", "L", "LM", "MH", "H"}},
	{"TD", "Target Distribution", groupEnvironmental, []string{"ND", "N", "L", "M", "H"}},
	{"CR", "Confidentiality Requirement", groupEnvironmental, []string{"ND", "L", "M", "H"}},
	{"IR", "Integrity Requirement", groupEnvironmental, []string{"ND", "L", "M", "H"}},
	{"AR", "Availability Requirement", groupEnvironmental, []string{"ND", "L", "M", "H"}},
})

// v2Weights are the guide's values for each metric, aligned with
// spec20.metrics[i].values. Absent metrics score as their first value.
var v2Weights = [...][]float64{
	v2AV:  {0.395, 0.646, 1.0},
	v2AC:  {0.35, 0.61, 0.71},
	v2Au:  {0.45, 0.56, 0.704},
	v2C:   {0, 0.275, 0.660},
	v2I:   {0, 0.275, 0.660},
	v2A:   {0, 0.275, 0.660},
	v2E:   {1.0, 0.85, 0.9, 0.95, 1.0},
	v2RL:  {1.0, 0.87, 0.90, 0.95, 1.0},
	v2RC:  {1.0, 0.90, 0.95, 1.0},
	v2CDP: {0, 0, 0.1, 0.3, 0.4, 0.5},
	v2TD:  {1.0, 0, 0.25, 0.75, 1.0},
	v2CR:  {1.0, 0.5, 1.0, 1.51},
	v2IR:  {1.0, 0.5, 1.0, 1.51},
	v2AR:  {1.0, 0.5, 1.0, 1.51},
}

// w2 returns the weight of metric i of a v2.0 vector.
func w2(v *vec, i int) float64 {
	j := 0
	if v.vals[i] > 0 {
		j = int(v.vals[i]) - 1
	}
	return v2Weights[i][j]
}

// score2 returns the base, temporal and environmental scores of a v2.0
// vector, the latter two computed whether or not their metrics are present.
func score2(v *vec) (base, temporal, env float64) {
	c, i, a := w2(v, v2C), w2(v, v2I), w2(v, v2A)
	exploitability := 20 * w2(v, v2AV) * w2(v, v2AC) * w2(v, v2Au)
	threat := w2(v, v2E) * w2(v, v2RL) * w2(v, v2RC)

	impact := 10.41 * (1 - (1-c)*(1-i)*(1-a))
	base = baseEquation2(impact, exploitability)
	temporal = roundHalfUp(base * threat)

	// AdjustedImpact caps at 10 where Impact does not: with C, I and A
	// Complete, Impact is 10.000842 and AdjustedImpact 10.
	// The adjusted base and temporal scores are not clamped at 0: with
	// requirements Low the bracket of the base equation can be negative,
	// and a negative AdjustedTemporal still enters the environmental
	// equation (only the final score is clamped).
	adjusted := math.Min(10, 10.41*(1-(1-c*w2(v, v2CR))*(1-i*w2(v, v2IR))*(1-a*w2(v, v2AR))))
	adjustedTemporal := roundHalfUp(baseEquation2(adjusted, exploitability) * threat)
	env = roundHalfUp((adjustedTemporal + (10-adjustedTemporal)*w2(v, v2CDP)) * w2(v, v2TD))
	return max(base, 0), max(temporal, 0), max(env, 0)
}

// baseEquation2 is BaseScore = round_to_1_decimal(((0.6*Impact) +
// (0.4*Exploitability) - 1.5) * f(Impact)), f(Impact) = 0 if Impact = 0,
// 1.176 otherwise.
func baseEquation2(impact, exploitability float64) float64 {
	if impact == 0 {
		return 0 // f(Impact) = 0; avoids -0 from a negative bracket
	}
	return roundHalfUp(((0.6 * impact) + (0.4 * exploitability) - 1.5) * 1.176)
}
