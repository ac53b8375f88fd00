package cvss

import (
	"math/big"
	"testing"
)

// The v2.0 and v3.x scores are computed in float64 and rounded after
// snapping to five decimals (round.go). These tests prove that this gives,
// for every combination of metric values, the result of the specifications'
// formulas evaluated in exact rational arithmetic, which is also what Red
// Hat's reference library computes with Python's decimal module. Metrics
// that are Not Defined weigh like one of their values (X like H or M, a
// modified metric like its base value), so the combinations of defined
// values cover every vector.

// rat parses a decimal constant.
func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

func ratMul(xs ...*big.Rat) *big.Rat {
	p := big.NewRat(1, 1)
	for _, x := range xs {
		p.Mul(p, x)
	}
	return p
}

func ratSub(x, y *big.Rat) *big.Rat { return new(big.Rat).Sub(x, y) }
func ratAdd(x, y *big.Rat) *big.Rat { return new(big.Rat).Add(x, y) }

func ratMin(x, y *big.Rat) *big.Rat {
	if x.Cmp(y) < 0 {
		return x
	}
	return y
}

func ratPow(x *big.Rat, n int) *big.Rat {
	p := big.NewRat(1, 1)
	for range n {
		p.Mul(p, x)
	}
	return p
}

// ratCeil1 is the exact "round up" to one decimal.
func ratCeil1(x *big.Rat) *big.Rat {
	t := ratMul(x, big.NewRat(10, 1))
	q := new(big.Int).Div(t.Num(), t.Denom()) // floor: the denominator is positive
	if new(big.Rat).SetInt(q).Cmp(t) != 0 {
		q.Add(q, big.NewInt(1))
	}
	return new(big.Rat).SetFrac(q, big.NewInt(10))
}

// ratHalfUp1 rounds to one decimal, halves away from zero (ROUND_HALF_UP).
func ratHalfUp1(x *big.Rat) *big.Rat {
	if x.Sign() < 0 {
		return new(big.Rat).Neg(ratHalfUp1(new(big.Rat).Neg(x)))
	}
	t := ratAdd(ratMul(x, big.NewRat(10, 1)), big.NewRat(1, 2))
	q := new(big.Int).Div(t.Num(), t.Denom())
	return new(big.Rat).SetFrac(q, big.NewInt(10))
}

func ratFloat(x *big.Rat) float64 {
	f, _ := x.Float64()
	return f
}

// odometer calls f with every combination of values of the given metrics
// (value indices, absent metrics excluded), set in v.
func odometer(v *vec, metrics []int, values [][]int, f func()) {
	var rec func(k int)
	rec = func(k int) {
		if k == len(metrics) {
			f()
			return
		}
		for _, j := range values[k] {
			v.vals[metrics[k]] = uint8(j + 1)
			rec(k + 1)
		}
	}
	rec(0)
}

// all returns the value indices of metric i of s, without Not Defined for
// metrics outside the base group.
func all(s *spec, i int) []int {
	m := s.metrics[i]
	var out []int
	for j := range m.values {
		if m.group == groupBase || j > 0 {
			out = append(out, j)
		}
	}
	return out
}

// ratTable maps "METRIC:VALUE" to the specification's exact weight.
type ratTable map[string]*big.Rat

func parseTable(decimals map[string]string) ratTable {
	t := ratTable{}
	for k, d := range decimals {
		t[k] = rat(d)
	}
	return t
}

// ratWeight returns the exact weight of metric i's current value. The
// result must not be modified.
func ratWeight(v *vec, table ratTable, i int) *big.Rat {
	k := v.spec.metrics[i].name + ":" + v.value(i)
	r, ok := table[k]
	if !ok {
		panic("no weight for " + k)
	}
	return r
}

// threatCombos returns every combination of values of three metrics, the
// product of their exact weights, in odometer order.
func threatCombos(v *vec, table ratTable, metrics []int) (combos [][3]int, products []*big.Rat) {
	odometer(v, metrics, [][]int{all(v.spec, metrics[0]), all(v.spec, metrics[1]), all(v.spec, metrics[2])}, func() {
		combos = append(combos, [3]int{int(v.vals[metrics[0]]), int(v.vals[metrics[1]]), int(v.vals[metrics[2]])})
		products = append(products, ratMul(ratWeight(v, table, metrics[0]), ratWeight(v, table, metrics[1]), ratWeight(v, table, metrics[2])))
	})
	return combos, products
}

// memoKey identifies an exact score (a one-decimal value, so its float64
// is unique) combined with the k-th of a list of factors.
type memoKey struct {
	score float64
	k     int
}

var v3ExactWeights = parseTable(map[string]string{
	"AV:N": "0.85", "AV:A": "0.62", "AV:L": "0.55", "AV:P": "0.2",
	"AC:L": "0.77", "AC:H": "0.44",
	"UI:N": "0.85", "UI:R": "0.62",
	"C:N": "0", "C:L": "0.22", "C:H": "0.56",
	"I:N": "0", "I:L": "0.22", "I:H": "0.56",
	"A:N": "0", "A:L": "0.22", "A:H": "0.56",
	"E:U": "0.91", "E:P": "0.94", "E:F": "0.97", "E:H": "1",
	"RL:O": "0.95", "RL:T": "0.96", "RL:W": "0.97", "RL:U": "1",
	"RC:U": "0.92", "RC:R": "0.96", "RC:C": "1",
	"CR:L": "0.5", "CR:M": "1", "CR:H": "1.5",
	"IR:L": "0.5", "IR:M": "1", "IR:H": "1.5",
	"AR:L": "0.5", "AR:M": "1", "AR:H": "1.5",
	"MAV:N": "0.85", "MAV:A": "0.62", "MAV:L": "0.55", "MAV:P": "0.2",
	"MAC:L": "0.77", "MAC:H": "0.44",
	"MUI:N": "0.85", "MUI:R": "0.62",
	"MC:N": "0", "MC:L": "0.22", "MC:H": "0.56",
	"MI:N": "0", "MI:L": "0.22", "MI:H": "0.56",
	"MA:N": "0", "MA:L": "0.22", "MA:H": "0.56",
})

func v3ExactPR(value string, changed bool) *big.Rat {
	if changed {
		return rat(map[string]string{"N": "0.85", "L": "0.68", "H": "0.5"}[value])
	}
	return rat(map[string]string{"N": "0.85", "L": "0.62", "H": "0.27"}[value])
}

// v3ExactSubScore is the exact base (or modified base) score.
func v3ExactSubScore(impact, exploitability *big.Rat, changed bool) *big.Rat {
	if impact.Sign() <= 0 {
		return new(big.Rat)
	}
	sum := ratAdd(impact, exploitability)
	if changed {
		sum = ratMul(rat("1.08"), sum)
	}
	return ratCeil1(ratMin(sum, rat("10")))
}

func TestV3MatchesExactArithmetic(t *testing.T) {
	if testing.Short() {
		t.Skip("enumerates every v3.x combination")
	}
	t.Parallel()
	for _, s := range []*spec{spec30, spec31} {
		t.Run(string(s.version), func(t *testing.T) {
			checkV3Exact(t, s)
		})
	}
}

func checkV3Exact(t *testing.T, s *spec) {
	v := &vec{spec: s, version: s.version}
	temporal := []int{v3E, v3RL, v3RC}
	combos, threats := threatCombos(v, v3ExactWeights, temporal)
	setThreat := func(k int) {
		for j, i := range temporal {
			v.vals[i] = uint8(combos[k][j])
		}
	}
	// roundUpTimes memoises round up(score × threat k).
	memo := map[memoKey]float64{}
	roundUpTimes := func(score *big.Rat, k int) float64 {
		key := memoKey{ratFloat(score), k}
		r, ok := memo[key]
		if !ok {
			r = ratFloat(ratCeil1(ratMul(score, threats[k])))
			memo[key] = r
		}
		return r
	}
	n, bad := 0, 0
	report := func(what string, got, want float64) {
		n++
		if got != want {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s %.1f, exact %.1f", v, what, got, want)
			}
		}
	}

	// Base and temporal scores: every base vector with every temporal
	// combination.
	base := []int{v3AV, v3AC, v3PR, v3UI, v3S, v3C, v3I, v3A}
	baseValues := make([][]int, len(base))
	for k, i := range base {
		baseValues[k] = all(s, i)
	}
	odometer(v, base, baseValues, func() {
		changed := v.value(v3S) == "C"
		iss := ratSub(rat("1"), ratMul(
			ratSub(rat("1"), ratWeight(v, v3ExactWeights, v3C)),
			ratSub(rat("1"), ratWeight(v, v3ExactWeights, v3I)),
			ratSub(rat("1"), ratWeight(v, v3ExactWeights, v3A))))
		impact := ratMul(rat("6.42"), iss)
		if changed {
			impact = ratSub(ratMul(rat("7.52"), ratSub(iss, rat("0.029"))), ratMul(rat("3.25"), ratPow(ratSub(iss, rat("0.02")), 15)))
		}
		exploitability := ratMul(rat("8.22"), ratWeight(v, v3ExactWeights, v3AV), ratWeight(v, v3ExactWeights, v3AC),
			v3ExactPR(v.value(v3PR), changed), ratWeight(v, v3ExactWeights, v3UI))
		exact := v3ExactSubScore(impact, exploitability, changed)
		for k := range combos {
			setThreat(k)
			b, tm, _ := score3(v)
			report("base", b, ratFloat(exact))
			report("temporal", tm, roundUpTimes(exact, k))
		}
	})

	// Environmental scores: every modified base vector (the base metrics
	// no longer matter) with every requirement and temporal combination.
	env := []int{v3MAV, v3MAC, v3MPR, v3MUI, v3MS, v3MC, v3MI, v3MA, v3CR, v3IR, v3AR}
	envValues := make([][]int, len(env))
	for k, i := range env {
		envValues[k] = all(s, i)
	}
	powCache := map[string]*big.Rat{}
	odometer(v, env, envValues, func() {
		changed := v.value(v3MS) == "C"
		req := func(m, r int) *big.Rat {
			return ratSub(rat("1"), ratMul(ratWeight(v, v3ExactWeights, m), ratWeight(v, v3ExactWeights, r)))
		}
		miss := ratMin(ratSub(rat("1"), ratMul(req(v3MC, v3CR), req(v3MI, v3IR), req(v3MA, v3AR))), rat("0.915"))
		impact := ratMul(rat("6.42"), miss)
		if changed {
			key := miss.RatString()
			p, ok := powCache[key]
			if !ok {
				if s.version == V30 {
					p = ratMul(rat("3.25"), ratPow(ratSub(miss, rat("0.02")), 15))
				} else {
					p = ratMul(rat("3.25"), ratPow(ratSub(ratMul(miss, rat("0.9731")), rat("0.02")), 13))
				}
				powCache[key] = p
			}
			impact = ratSub(ratMul(rat("7.52"), ratSub(miss, rat("0.029"))), p)
		}
		exploitability := ratMul(rat("8.22"), ratWeight(v, v3ExactWeights, v3MAV), ratWeight(v, v3ExactWeights, v3MAC),
			v3ExactPR(v.value(v3MPR), changed), ratWeight(v, v3ExactWeights, v3MUI))
		modified := v3ExactSubScore(impact, exploitability, changed)
		for k := range combos {
			setThreat(k)
			_, _, e := score3(v)
			want := 0.0
			if modified.Sign() > 0 {
				want = roundUpTimes(modified, k)
			}
			report("environmental", e, want)
		}
	})
	t.Logf("CVSS v%s: %d scores compared, %d differ from exact arithmetic", s.version, n, bad)
	if n == 0 {
		t.Error("nothing compared")
	}
}

var v2ExactWeights = parseTable(map[string]string{
	"AV:L": "0.395", "AV:A": "0.646", "AV:N": "1.0",
	"AC:H": "0.35", "AC:M": "0.61", "AC:L": "0.71",
	"Au:M": "0.45", "Au:S": "0.56", "Au:N": "0.704",
	"C:N": "0", "C:P": "0.275", "C:C": "0.660",
	"I:N": "0", "I:P": "0.275", "I:C": "0.660",
	"A:N": "0", "A:P": "0.275", "A:C": "0.660",
	"E:U": "0.85", "E:POC": "0.9", "E:F": "0.95", "E:H": "1.00",
	"RL:OF": "0.87", "RL:TF": "0.90", "RL:W": "0.95", "RL:U": "1.00",
	"RC:UC": "0.90", "RC:UR": "0.95", "RC:C": "1.00",
	"CDP:N": "0", "CDP:L": "0.1", "CDP:LM": "0.3", "CDP:MH": "0.4", "CDP:H": "0.5",
	"TD:N": "0", "TD:L": "0.25", "TD:M": "0.75", "TD:H": "1.0",
	"CR:L": "0.5", "CR:M": "1.0", "CR:H": "1.51",
	"IR:L": "0.5", "IR:M": "1.0", "IR:H": "1.51",
	"AR:L": "0.5", "AR:M": "1.0", "AR:H": "1.51",
})

// v2ExactBase is round_to_1_decimal(((0.6*Impact)+(0.4*Exploitability)-1.5)*f(Impact)),
// not clamped.
func v2ExactBase(impact, exploitability *big.Rat) *big.Rat {
	if impact.Sign() == 0 {
		return new(big.Rat)
	}
	x := ratSub(ratAdd(ratMul(rat("0.6"), impact), ratMul(rat("0.4"), exploitability)), rat("1.5"))
	return ratHalfUp1(ratMul(x, rat("1.176")))
}

func ratMax0(x *big.Rat) *big.Rat {
	if x.Sign() < 0 {
		return new(big.Rat)
	}
	return x
}

func TestV2MatchesExactArithmetic(t *testing.T) {
	if testing.Short() {
		t.Skip("enumerates every v2.0 combination")
	}
	t.Parallel()
	s := spec20
	v := &vec{spec: s, version: s.version}
	w := func(i int) *big.Rat { return ratWeight(v, v2ExactWeights, i) }
	n, bad := 0, 0
	report := func(what string, got, want float64) {
		n++
		if got != want {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s %.1f, exact %.1f", v, what, got, want)
			}
		}
	}
	temporal := []int{v2E, v2RL, v2RC}
	combos, threats := threatCombos(v, v2ExactWeights, temporal)
	// halfUpTimes memoises round_to_1_decimal(score × threat k).
	memo := map[memoKey]*big.Rat{}
	halfUpTimes := func(score *big.Rat, k int) *big.Rat {
		key := memoKey{ratFloat(score), k}
		r, ok := memo[key]
		if !ok {
			r = ratHalfUp1(ratMul(score, threats[k]))
			memo[key] = r
		}
		return r
	}
	// envMemo memoises the environmental equation by adjusted temporal
	// score and CDP, TD values.
	type envKey struct {
		at      float64
		cdp, td uint8
	}
	envMemo := map[envKey]float64{}
	cdps, tds := all(s, v2CDP), all(s, v2TD)

	metrics := []int{v2AV, v2AC, v2Au, v2C, v2I, v2A, v2CR, v2IR, v2AR}
	values := make([][]int, len(metrics))
	for k, i := range metrics {
		values[k] = all(s, i)
	}
	odometer(v, metrics, values, func() {
		exploitability := ratMul(rat("20"), w(v2AV), w(v2AC), w(v2Au))
		impact := ratMul(rat("10.41"), ratSub(rat("1"), ratMul(ratSub(rat("1"), w(v2C)), ratSub(rat("1"), w(v2I)), ratSub(rat("1"), w(v2A)))))
		base := ratMax0(v2ExactBase(impact, exploitability))
		req := func(m, r int) *big.Rat { return ratSub(rat("1"), ratMul(w(m), w(r))) }
		adjusted := ratMin(rat("10"), ratMul(rat("10.41"), ratSub(rat("1"), ratMul(req(v2C, v2CR), req(v2I, v2IR), req(v2A, v2AR)))))
		adjustedBase := v2ExactBase(adjusted, exploitability)
		for k := range combos {
			for j, i := range temporal {
				v.vals[i] = uint8(combos[k][j])
			}
			temporalScore := ratFloat(ratMax0(halfUpTimes(base, k)))
			at := halfUpTimes(adjustedBase, k)
			for _, cdp := range cdps {
				for _, td := range tds {
					v.vals[v2CDP], v.vals[v2TD] = uint8(cdp+1), uint8(td+1)
					key := envKey{ratFloat(at), v.vals[v2CDP], v.vals[v2TD]}
					want, ok := envMemo[key]
					if !ok {
						want = ratFloat(ratMax0(ratHalfUp1(ratMul(ratAdd(at, ratMul(ratSub(rat("10"), at), w(v2CDP))), w(v2TD)))))
						envMemo[key] = want
					}
					b, tm, e := score2(v)
					report("base", b, ratFloat(base))
					report("temporal", tm, temporalScore)
					report("environmental", e, want)
				}
			}
		}
	})
	t.Logf("CVSS v2.0: %d scores compared, %d differ from exact arithmetic", n, bad)
	if n == 0 {
		t.Error("nothing compared")
	}
}

func TestExactHelpers(t *testing.T) {
	for _, c := range []struct{ in, ceil, half string }{
		{"4.02", "4.1", "4.0"}, {"4.00", "4.0", "4.0"}, {"4.05", "4.1", "4.1"}, {"-0.15", "-0.1", "-0.2"},
	} {
		if got := ratCeil1(rat(c.in)).FloatString(1); got != c.ceil {
			t.Errorf("ratCeil1(%s) = %s, want %s", c.in, got, c.ceil)
		}
		if got := ratHalfUp1(rat(c.in)).FloatString(1); got != c.half {
			t.Errorf("ratHalfUp1(%s) = %s, want %s", c.in, got, c.half)
		}
	}
}
