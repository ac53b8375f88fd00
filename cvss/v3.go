package cvss

import "math"

// CVSS v3.0 and v3.1: the specification documents, section 7 (formulas),
// section 6 (vector string) and, for v3.1, Appendix A (Roundup). Both
// versions share the metrics; v3.1 changed the Modified Impact formula for a
// changed scope and defined Roundup, which this package uses for both since
// it computes the v3.0 "Round up" exactly (see round.go).
//
// FIRST's v3.0 calculator (cvsscalc30.js) rounds up with
// Math.ceil(x * 10) / 10 on float64 values, which adds 0.1 whenever float
// noise lands just above a boundary: for CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/
// C:H/I:H/A:H/RC:U it computes 10.0 × 0.92 = 9.200000000000001 and shows a
// temporal score of 9.3. The v3.0 specification defines the exact value,
// 9.2, and so do Red Hat's reference scores and this package; that bug is
// why v3.1 defined Roundup.

const (
	v3AV = iota
	v3AC
	v3PR
	v3UI
	v3S
	v3C
	v3I
	v3A
	v3E
	v3RL
	v3RC
	v3CR
	v3IR
	v3AR
	v3MAV
	v3MAC
	v3MPR
	v3MUI
	v3MS
	v3MC
	v3MI
	v3MA
)

// v3Metrics is shared by v3.0 and v3.1. Each modified metric lists "X" and
// then the values of its base metric in the same order, which score3 relies
// on.
var v3Metrics = []metric{
	{"AV", "Attack Vector", groupBase, []string{"N", "A", "L", "P"}},
	{"AC", "Attack Complexity", groupBase, []string{"L", "H"}},
	{"PR", "Privileges Required", groupBase, []string{"N", "L", "H"}},
	{"UI", "User Interaction", groupBase, []string{"N", "R"}},
	{"S", "Scope", groupBase, []string{"U", "C"}},
	{"C", "Confidentiality", groupBase, []string{"N", "L", "H"}},
	{"I", "Integrity", groupBase, []string{"N", "L", "H"}},
	{"A", "Availability", groupBase, []string{"N", "L", "H"}},
	{"E", "Exploit Code Maturity", groupTemporal, []string{"X", "U", "P", "F", "H"}},
	{"RL", "Remediation Level", groupTemporal, []string{"X", "O", "T", "W", "U"}},
	{"RC", "Report Confidence", groupTemporal, []string{"X", "U", "R", "C"}},
	{"CR", "Confidentiality Requirement", groupEnvironmental, []string{"X", "L", "M", "H"}},
	{"IR", "Integrity Requirement", groupEnvironmental, []string{"X", "L", "M", "H"}},
	{"AR", "Availability Requirement", groupEnvironmental, []string{"X", "L", "M", "H"}},
	{"MAV", "Modified Attack Vector", groupEnvironmental, []string{"X", "N", "A", "L", "P"}},
	{"MAC", "Modified Attack Complexity", groupEnvironmental, []string{"X", "L", "H"}},
	{"MPR", "Modified Privileges Required", groupEnvironmental, []string{"X", "N", "L", "H"}},
	{"MUI", "Modified User Interaction", groupEnvironmental, []string{"X", "N", "R"}},
	{"MS", "Modified Scope", groupEnvironmental, []string{"X", "U", "C"}},
	{"MC", "Modified Confidentiality", groupEnvironmental, []string{"X", "N", "L", "H"}},
	{"MI", "Modified Integrity", groupEnvironmental, []string{"X", "N", "L", "H"}},
	{"MA", "Modified Availability", groupEnvironmental, []string{"X", "N", "L", "H"}},
}

var (
	spec30 = newSpec(V30, "CVSS:3.0/", false, v3Metrics)
	spec31 = newSpec(V31, "CVSS:3.1/", false, v3Metrics)
)

// v3Weights are the specification's values, aligned with the values of
// the base metrics and, for the others, with their own values ("X" first).
var v3Weights = [...][]float64{
	v3AV: {0.85, 0.62, 0.55, 0.2},
	v3AC: {0.77, 0.44},
	v3UI: {0.85, 0.62},
	v3C:  {0, 0.22, 0.56},
	v3I:  {0, 0.22, 0.56},
	v3A:  {0, 0.22, 0.56},
	v3E:  {1, 0.91, 0.94, 0.97, 1},
	v3RL: {1, 0.95, 0.96, 0.97, 1},
	v3RC: {1, 0.92, 0.96, 1},
	v3CR: {1, 0.5, 1, 1.5},
	v3IR: {1, 0.5, 1, 1.5},
	v3AR: {1, 0.5, 1, 1.5},
}

// Privileges Required weighs more when the scope changes.
var (
	v3PRUnchanged = []float64{0.85, 0.62, 0.27}
	v3PRChanged   = []float64{0.85, 0.68, 0.5}
)

// v3Index returns the value index of metric i (0 when absent, which for
// non-base metrics is "X").
func v3Index(v *vec, i int) int {
	if v.vals[i] == 0 {
		return 0
	}
	return int(v.vals[i]) - 1
}

// v3Modified returns the value index, among the base metric's values, that
// modified metric m takes in the environmental formulas: its own unless it
// is Not Defined, the base metric b's otherwise.
func v3Modified(v *vec, m, b int) int {
	if j := v3Index(v, m); j > 0 {
		return j - 1
	}
	return v3Index(v, b)
}

// score3 returns the base, temporal and environmental scores of a v3.0 or
// v3.1 vector, the latter two computed whether or not their metrics are
// present (as FIRST's calculators do).
func score3(v *vec) (base, temporal, env float64) {
	w := func(i int) float64 { return v3Weights[i][v3Index(v, i)] }
	changed := v3Index(v, v3S) == 1
	pr := v3PRUnchanged
	if changed {
		pr = v3PRChanged
	}

	iss := 1 - (1-w(v3C))*(1-w(v3I))*(1-w(v3A))
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	exploitability := 8.22 * w(v3AV) * w(v3AC) * pr[v3Index(v, v3PR)] * w(v3UI)
	base = subScore3(impact, exploitability, changed)

	threat := w(v3E) * w(v3RL) * w(v3RC)
	temporal = roundUp(base * threat)

	mw := func(m, b int) float64 { return v3Weights[b][v3Modified(v, m, b)] }
	mChanged := v3Modified(v, v3MS, v3S) == 1
	mpr := v3PRUnchanged
	if mChanged {
		mpr = v3PRChanged
	}
	miss := math.Min(1-(1-mw(v3MC, v3C)*w(v3CR))*(1-mw(v3MI, v3I)*w(v3IR))*(1-mw(v3MA, v3A)*w(v3AR)), 0.915)
	var mImpact float64
	switch {
	case !mChanged:
		mImpact = 6.42 * miss
	case v.version == V30:
		mImpact = 7.52*(miss-0.029) - 3.25*math.Pow(miss-0.02, 15)
	default:
		mImpact = 7.52*(miss-0.029) - 3.25*math.Pow(miss*0.9731-0.02, 13)
	}
	mExploitability := 8.22 * mw(v3MAV, v3AV) * mw(v3MAC, v3AC) * mpr[v3Modified(v, v3MPR, v3PR)] * mw(v3MUI, v3UI)
	env = subScore3(mImpact, mExploitability, mChanged)
	if env > 0 {
		env = roundUp(env * threat)
	}
	return base, temporal, env
}

// subScore3 combines an impact and an exploitability sub-score into a
// rounded base (or modified base) score.
func subScore3(impact, exploitability float64, changed bool) float64 {
	switch {
	case impact <= 0:
		return 0
	case changed:
		return roundUp(math.Min(1.08*(impact+exploitability), 10))
	default:
		return roundUp(math.Min(impact+exploitability, 10))
	}
}
