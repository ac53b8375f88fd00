package cvss

import "math"

// CVSS v4.0: the specification document, section 7 (vector string) and
// section 8 (scoring).

const (
	v4AV = iota
	v4AC
	v4AT
	v4PR
	v4UI
	v4VC
	v4VI
	v4VA
	v4SC
	v4SI
	v4SA
	v4E
	v4CR
	v4IR
	v4AR
	v4MAV
	v4MAC
	v4MAT
	v4MPR
	v4MUI
	v4MVC
	v4MVI
	v4MVA
	v4MSC
	v4MSI
	v4MSA
	v4S
	v4AU
	v4R
	v4V
	v4RE
	v4U
)

var spec40 = newSpec(V40, "CVSS:4.0/", true, []metric{
	{"AV", "Attack Vector", groupBase, []string{"N", "A", "L", "P"}},
	{"AC", "Attack Complexity", groupBase, []string{"L", "H"}},
	{"AT", "Attack Requirements", groupBase, []string{"N", "P"}},
	{"PR", "Privileges Required", groupBase, []string{"N", "L", "H"}},
	{"UI", "User Interaction", groupBase, []string{"N", "P", "A"}},
	{"VC", "Vulnerable System Confidentiality Impact", groupBase, []string{"H", "L", "N"}},
	{"VI", "Vulnerable System Integrity Impact", groupBase, []string{"H", "L", "N"}},
	{"VA", "Vulnerable System Availability Impact", groupBase, []string{"H", "L", "N"}},
	{"SC", "Subsequent System Confidentiality Impact", groupBase, []string{"H", "L", "N"}},
	{"SI", "Subsequent System Integrity Impact", groupBase, []string{"H", "L", "N"}},
	{"SA", "Subsequent System Availability Impact", groupBase, []string{"H", "L", "N"}},
	{"E", "Exploit Maturity", groupThreat, []string{"X", "A", "P", "U"}},
	{"CR", "Confidentiality Requirement", groupEnvironmental, []string{"X", "H", "M", "L"}},
	{"IR", "Integrity Requirement", groupEnvironmental, []string{"X", "H", "M", "L"}},
	{"AR", "Availability Requirement", groupEnvironmental, []string{"X", "H", "M", "L"}},
	{"MAV", "Modified Attack Vector", groupEnvironmental, []string{"X", "N", "A", "L", "P"}},
	{"MAC", "Modified Attack Complexity", groupEnvironmental, []string{"X", "L", "H"}},
	{"MAT", "Modified Attack Requirements", groupEnvironmental, []string{"X", "N", "P"}},
	{"MPR", "Modified Privileges Required", groupEnvironmental, []string{"X", "N", "L", "H"}},
	{"MUI", "Modified User Interaction", groupEnvironmental, []string{"X", "N", "P", "A"}},
	{"MVC", "Modified Vulnerable System Confidentiality", groupEnvironmental, []string{"X", "H", "L", "N"}},
	{"MVI", "Modified Vulnerable System Integrity", groupEnvironmental, []string{"X", "H", "L", "N"}},
	{"MVA", "Modified Vulnerable System Availability", groupEnvironmental, []string{"X", "H", "L", "N"}},
	{"MSC", "Modified Subsequent System Confidentiality", groupEnvironmental, []string{"X", "H", "L", "N"}},
	{"MSI", "Modified Subsequent System Integrity", groupEnvironmental, []string{"X", "S", "H", "L", "N"}},
	{"MSA", "Modified Subsequent System Availability", groupEnvironmental, []string{"X", "S", "H", "L", "N"}},
	{"S", "Safety", groupSupplemental, []string{"X", "N", "P"}},
	{"AU", "Automatable", groupSupplemental, []string{"X", "N", "Y"}},
	{"R", "Recovery", groupSupplemental, []string{"X", "A", "U", "I"}},
	{"V", "Value Density", groupSupplemental, []string{"X", "D", "C"}},
	{"RE", "Vulnerability Response Effort", groupSupplemental, []string{"X", "L", "M", "H"}},
	{"U", "Provider Urgency", groupSupplemental, []string{"X", "Clear", "Green", "Amber", "Red"}},
})

// v4Values are the metric values that enter the v4.0 score, each the first
// letter of its value (every one is a single letter).
type v4Values struct {
	AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR byte
}

// effective4 returns the values the score is computed from: a modified
// metric replaces its base metric unless Not Defined, and Not Defined
// threat and requirement metrics take their worst case (E:A, xR:H), as the
// specification prescribes.
func effective4(v *vec) v4Values {
	get := func(i int) byte {
		if s := v.value(i); s != "" {
			return s[0]
		}
		return 'X'
	}
	mod := func(base, modified int) byte {
		if x := get(modified); x != 'X' {
			return x
		}
		return get(base)
	}
	worst := func(i int, w byte) byte {
		if x := get(i); x != 'X' {
			return x
		}
		return w
	}
	return v4Values{
		AV: mod(v4AV, v4MAV), AC: mod(v4AC, v4MAC), AT: mod(v4AT, v4MAT),
		PR: mod(v4PR, v4MPR), UI: mod(v4UI, v4MUI),
		VC: mod(v4VC, v4MVC), VI: mod(v4VI, v4MVI), VA: mod(v4VA, v4MVA),
		SC: mod(v4SC, v4MSC), SI: mod(v4SI, v4MSI), SA: mod(v4SA, v4MSA),
		E:  worst(v4E, 'A'),
		CR: worst(v4CR, 'H'), IR: worst(v4IR, 'H'), AR: worst(v4AR, 'H'),
	}
}

// macroVector4 returns the levels of the six equivalence classes (EQ1 to
// EQ6) of m, the specification's Table 24 to 29.
func macroVector4(m v4Values) (eq [6]int) {
	switch {
	case m.AV == 'N' && m.PR == 'N' && m.UI == 'N':
		eq[0] = 0
	case (m.AV == 'N' || m.PR == 'N' || m.UI == 'N') && m.AV != 'P':
		eq[0] = 1
	default:
		eq[0] = 2
	}
	if !(m.AC == 'L' && m.AT == 'N') {
		eq[1] = 1
	}
	switch {
	case m.VC == 'H' && m.VI == 'H':
		eq[2] = 0
	case m.VC == 'H' || m.VI == 'H' || m.VA == 'H':
		eq[2] = 1
	default:
		eq[2] = 2
	}
	switch {
	case m.SI == 'S' || m.SA == 'S':
		eq[3] = 0
	case m.SC == 'H' || m.SI == 'H' || m.SA == 'H':
		eq[3] = 1
	default:
		eq[3] = 2
	}
	switch m.E {
	case 'P':
		eq[4] = 1
	case 'U':
		eq[4] = 2
	}
	if !(m.CR == 'H' && m.VC == 'H' || m.IR == 'H' && m.VI == 'H' || m.AR == 'H' && m.VA == 'H') {
		eq[5] = 1
	}
	return eq
}

// macroVectorScore returns the score of the MacroVector eq, and false when
// no such MacroVector exists (a level past the last one).
func macroVectorScore(eq [6]int) (float64, bool) {
	var key [6]byte
	for i, l := range eq {
		if l > 9 {
			return 0, false
		}
		key[i] = byte('0' + l)
	}
	s, ok := v4MacroVectorScores[string(key[:])]
	return s, ok
}

// score4 computes the CVSS v4.0 score of v as the specification's section
// 8.2 describes: the score of the vector's MacroVector, lowered by the mean,
// over the EQs that have a lower MacroVector, of the proportion of the way
// the vector is from the MacroVector's highest-severity vectors towards the
// next lower MacroVector.
//
// The specification describes the method in prose; FIRST's reference
// calculator defines it to the last bit. This follows the calculator's
// float64 operations in the same order, so that the unrounded results are
// identical, and rounds as it does (see roundV4). Products are converted to float64
// explicitly so that the compiler cannot fuse them with the following
// addition into an FMA instruction, which JavaScript never does.
func score4(v *vec) float64 {
	return roundV4(unrounded4(v))
}

// unrounded4 is score4 before rounding.
func unrounded4(v *vec) float64 {
	m := effective4(v)
	if m.VC == 'N' && m.VI == 'N' && m.VA == 'N' && m.SC == 'N' && m.SI == 'N' && m.SA == 'N' {
		return 0
	}
	eq := macroVector4(m)
	value, _ := macroVectorScore(eq) // every vector's MacroVector exists

	// The next lower MacroVector of each EQ, one level down. EQ3 and EQ6
	// move together: from (0,0) there are two ways down, and the higher
	// scoring one counts; (2,1) is the lowest.
	lower := func(i int) (float64, bool) {
		next := eq
		next[i]++
		return macroVectorScore(next)
	}
	lower1, ok1 := lower(0)
	lower2, ok2 := lower(1)
	lower4, ok4 := lower(3)
	lower5, ok5 := lower(4)
	var lower36 float64
	var ok36 bool
	switch eq3, eq6 := eq[2], eq[5]; {
	case eq3 == 0 && eq6 == 0:
		left, okLeft := lower(5)
		right, okRight := lower(2)
		lower36, ok36 = math.Max(left, right), okLeft && okRight
	case eq6 == 1 && eq3 < 2:
		lower36, ok36 = lower(2)
	case eq3 == 1 && eq6 == 0:
		lower36, ok36 = lower(5)
	}

	// The highest-severity vector of the MacroVector that the vector does
	// not exceed in any metric, and the severity distance from it.
	h1, h2, h36, h4 := highest4(m, eq)
	dAV := v4LevelAV[m.AV] - v4LevelAV[h1.AV]
	dPR := v4LevelPR[m.PR] - v4LevelPR[h1.PR]
	dUI := v4LevelUI[m.UI] - v4LevelUI[h1.UI]
	dAC := v4LevelAC[m.AC] - v4LevelAC[h2.AC]
	dAT := v4LevelAT[m.AT] - v4LevelAT[h2.AT]
	dVC := v4LevelV[m.VC] - v4LevelV[h36.VC]
	dVI := v4LevelV[m.VI] - v4LevelV[h36.VI]
	dVA := v4LevelV[m.VA] - v4LevelV[h36.VA]
	dCR := v4LevelR[m.CR] - v4LevelR[h36.CR]
	dIR := v4LevelR[m.IR] - v4LevelR[h36.IR]
	dAR := v4LevelR[m.AR] - v4LevelR[h36.AR]
	dSC := v4LevelSC[m.SC] - v4LevelSC[h4.SC]
	dSI := v4LevelS[m.SI] - v4LevelS[h4.SI]
	dSA := v4LevelS[m.SA] - v4LevelS[h4.SA]
	distance1 := dAV + dPR + dUI
	distance2 := dAC + dAT
	distance36 := dVC + dVI + dVA + dCR + dIR + dAR
	distance4 := dSC + dSI + dSA

	// Proportion of each EQ's depth, times the score difference to the
	// next lower MacroVector. EQ5 counts in the mean with a proportion of
	// 0: a vector is always at its EQ5 level's highest severity.
	step := 0.1
	n := 0
	var normalized1, normalized2, normalized36, normalized4, normalized5 float64
	if ok1 {
		n++
		normalized1 = float64((value - lower1) * float64(distance1/float64(float64(v4EQ1Depth[eq[0]])*step)))
	}
	if ok2 {
		n++
		normalized2 = float64((value - lower2) * float64(distance2/float64(float64(v4EQ2Depth[eq[1]])*step)))
	}
	if ok36 {
		n++
		normalized36 = float64((value - lower36) * float64(distance36/float64(float64(v4EQ3EQ6Depth[eq[2]][eq[5]])*step)))
	}
	if ok4 {
		n++
		normalized4 = float64((value - lower4) * float64(distance4/float64(float64(v4EQ4Depth[eq[3]])*step)))
	}
	if ok5 {
		n++
		normalized5 = float64((value - lower5) * 0)
	}
	mean := 0.0
	if n > 0 {
		mean = (normalized1 + normalized2 + normalized36 + normalized4 + normalized5) / float64(n)
	}
	return math.Max(0, math.Min(10, value-mean))
}

// highest4 returns, for EQ1, EQ2, EQ3+EQ6 and EQ4, the first of the
// MacroVector's highest-severity vectors whose metrics are all at least as
// severe as m's. FIRST's calculator tries every combination of them in that
// order and takes the first that qualifies as a whole, which is the first
// qualifying one of each EQ; were there none, it would keep the last
// combination tried, and so does this.
func highest4(m v4Values, eq [6]int) (h1, h2, h36, h4 v4Values) {
	first := func(candidates []v4Values, ok func(h v4Values) bool) (v4Values, bool) {
		for _, h := range candidates {
			if ok(h) {
				return h, true
			}
		}
		return candidates[len(candidates)-1], false
	}
	c1, c2, c36, c4 := v4EQ1Max[eq[0]], v4EQ2Max[eq[1]], v4EQ3EQ6Max[eq[2]][eq[5]], v4EQ4Max[eq[3]]
	var ok1, ok2, ok36, ok4 bool
	h1, ok1 = first(c1, func(h v4Values) bool {
		return v4LevelAV[m.AV] >= v4LevelAV[h.AV] && v4LevelPR[m.PR] >= v4LevelPR[h.PR] && v4LevelUI[m.UI] >= v4LevelUI[h.UI]
	})
	h2, ok2 = first(c2, func(h v4Values) bool {
		return v4LevelAC[m.AC] >= v4LevelAC[h.AC] && v4LevelAT[m.AT] >= v4LevelAT[h.AT]
	})
	h36, ok36 = first(c36, func(h v4Values) bool {
		return v4LevelV[m.VC] >= v4LevelV[h.VC] && v4LevelV[m.VI] >= v4LevelV[h.VI] && v4LevelV[m.VA] >= v4LevelV[h.VA] &&
			v4LevelR[m.CR] >= v4LevelR[h.CR] && v4LevelR[m.IR] >= v4LevelR[h.IR] && v4LevelR[m.AR] >= v4LevelR[h.AR]
	})
	h4, ok4 = first(c4, func(h v4Values) bool {
		return v4LevelSC[m.SC] >= v4LevelSC[h.SC] && v4LevelS[m.SI] >= v4LevelS[h.SI] && v4LevelS[m.SA] >= v4LevelS[h.SA]
	})
	if !(ok1 && ok2 && ok36 && ok4) {
		return c1[len(c1)-1], c2[len(c2)-1], c36[len(c36)-1], c4[len(c4)-1]
	}
	return h1, h2, h36, h4
}

// roundV4 rounds a v4.0 score to one decimal as FIRST's calculator does
// since November 2024: Math.round((x + 1e-6) * 10) / 10, halves up. The
// 1e-6 makes values such as 8.6 - 7.15 = 1.4499999999999993, a float64
// approximation of 1.45, round to 1.5 as the decimal value does. Rounding
// x * 10 without it, as the calculator did before, gives 0.1 less for a few
// vectors in every thousand.
func roundV4(x float64) float64 {
	y := (x + 1e-6) * 10
	r := math.Floor(y)
	if y-r >= 0.5 { // JavaScript's Math.round: the nearest integer, halves up
		r++
	}
	return r / 10
}
