package cvss

import "math"

// Roundings of the v2.0 and v3.x formulas. Their inputs are float64
// approximations of decimal values: 1-0.58 is 0.42000000000000004, and a
// plain ceiling would turn 4.2000000000000002 into 4.3. Like the Roundup
// function of the CVSS v3.1 specification (Appendix A), both first snap the
// value to five decimals, which float64 computes exactly, and round that
// integer. exact_test.go checks over every combination of metric values that
// this gives the result of exact decimal arithmetic: no value of these
// formulas lies within 1e-5 above a rounding boundary without being on it.

// hundredThousandths returns x in units of 1e-5, rounded to the nearest.
// x is a score or sub-score, between 0 and about 11.
func hundredThousandths(x float64) int64 {
	return int64(math.Floor(x*100000 + 0.5))
}

// roundUp is the CVSS v3.1 Roundup: the smallest number with one decimal
// that is equal to or higher than x (the v3.0 specification's "Round up").
func roundUp(x float64) float64 {
	i := hundredThousandths(x)
	if i%10000 == 0 {
		return float64(i/10000) / 10
	}
	return float64(i/10000+1) / 10
}

// roundHalfUp is the v2.0 round_to_1_decimal: the nearest number with one
// decimal, halves rounded away from zero. An intermediate v2.0 value can be
// negative (the adjusted base score of a vector whose requirements lower
// the impact enough), and it is rounded like the positive one, as decimal
// arithmetic's ROUND_HALF_UP does.
func roundHalfUp(x float64) float64 {
	if x < 0 {
		return -roundHalfUp(-x)
	}
	return float64((hundredThousandths(x)+5000)/10000) / 10
}
