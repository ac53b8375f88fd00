// Package cvss owns parsing and scoring Common Vulnerability Scoring System
// vectors of versions 2.0, 3.0, 3.1 and 4.0: the scores of the
// specifications' formulas for v2.0 and v3.x, and of FIRST's reference
// calculator for v4.0, to the last decimal.
//
// [Parse] detects the version from the prefix ("CVSS:3.0/", "CVSS:3.1/",
// "CVSS:4.0/"; a v2.0 vector has none and may be wrapped in parentheses),
// checks every metric and returns a [Score]. Every rejection is an EInvalid
// [cradle.Error] whose problems name the metric at fault, or the byte offset
// in the vector when no metric can be named, and say what was expected.
//
// How each version is scored, and why the results are exact:
//
//   - v2.0 and v3.x are computed in float64 with the formulas of the
//     specifications, and every rounding first snaps the value to five
//     decimals, as the CVSS v3.1 specification's Roundup (Appendix A) does,
//     so float noise such as 0.42000000000000004 cannot move a score by 0.1.
//     A test enumerates every distinct combination of metric values of v2.0,
//     v3.0 and v3.1 and checks the result against exact rational arithmetic
//     (exact_test.go): the scores are those of the specifications' formulas
//     evaluated exactly.
//   - v4.0 has no closed formula: the score is interpolated from FIRST's
//     table of MacroVector scores (v4data.go). The arithmetic follows FIRST's
//     reference calculator operation by operation in float64 and rounds as
//     it does, adding 1e-6 before rounding half up (see score4 and roundV4).
//     A test scores every combination of the values that enter a v4.0 score,
//     15,116,544 of them, and checks the scores and the unrounded scores,
//     bit for bit, against the calculator's (v4_reference_test.go).
//
// The qualitative ratings are those of the specifications, and NVD's for
// v2.0, whose specification has none (see [Rating]).
package cvss

import (
	"math"
)

// Version is a CVSS version as written in a vector's prefix.
type Version string

// The supported versions.
const (
	V20 Version = "2.0"
	V30 Version = "3.0"
	V31 Version = "3.1"
	V40 Version = "4.0"
)

// Nomenclatures of a CVSS v4.0 score: which metric groups besides Base the
// vector assesses, so that a reader knows what the number accounts for
// (CVSS v4.0 specification, section 1.3). Threat or Environmental metrics
// that are all Not Defined (X) do not count.
const (
	NomenclatureB   = "CVSS-B"
	NomenclatureBT  = "CVSS-BT"
	NomenclatureBE  = "CVSS-BE"
	NomenclatureBTE = "CVSS-BTE"
)

// Score is a parsed and scored CVSS vector.
//
// Versions 2.0 and 3.x have a score per metric group, each building on the
// previous one; v4.0 has a single score whose name (Nomenclature) tells which
// groups it takes into account. Overall is the score to show and sort by in
// either case, and Rating is its qualitative severity.
type Score struct {
	// Vector is the vector in canonical form: the version prefix (none for
	// v2.0, and no parentheses), then the metrics in the order of the
	// specification's table, without those that are Not Defined (X, or ND
	// in v2.0). This is how FIRST's calculators write vectors. Parsing it
	// again gives the same Score.
	Vector  string  `json:"vector"`
	Version Version `json:"version"`

	// Base is the score of the Base metrics alone. For v4.0 it is the
	// CVSS-B score of the vector, ignoring its Threat and Environmental
	// metrics, which equals Overall when Nomenclature is CVSS-B.
	Base float64 `json:"base"`
	// Temporal is the v2.0/v3.x Temporal score, set when the vector gives
	// a temporal metric a value other than Not Defined. Nil for v4.0.
	Temporal *float64 `json:"temporal,omitempty"`
	// Environmental is the v2.0/v3.x Environmental score (which includes
	// the temporal metrics), set when the vector gives an environmental
	// metric a value other than Not Defined. Nil for v4.0.
	Environmental *float64 `json:"environmental,omitempty"`

	// Nomenclature names the v4.0 score: CVSS-B, CVSS-BT, CVSS-BE or
	// CVSS-BTE. Empty for other versions.
	Nomenclature string `json:"nomenclature,omitempty"`
	// Overall is the most specific score: for v2.0/v3.x the Environmental
	// score if set, else the Temporal score if set, else Base; for v4.0 the
	// score named by Nomenclature.
	Overall float64 `json:"score"`
	// Rating is the qualitative severity of Overall: see [Rating].
	Rating string `json:"rating"`
}

// Qualitative severity ratings.
const (
	RatingNone     = "None"
	RatingLow      = "Low"
	RatingMedium   = "Medium"
	RatingHigh     = "High"
	RatingCritical = "Critical"
)

// Rating returns the qualitative severity rating of a score of version v,
// or "" when the score is not a CVSS score (below 0, above 10, not a
// number) or the version is unknown.
//
// v3.0, v3.1 and v4.0 share the specifications' scale: None 0.0, Low 0.1–3.9,
// Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0. The v2.0 specification
// defines no rating; this uses the one NVD publishes for v2.0 scores: Low
// 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0 (no None, no Critical).
//
// A score between two bands (such as 3.95, which no calculator produces)
// takes the band it reaches: ratings are thresholds at 0.1, 4.0, 7.0, 9.0.
func Rating(score float64, v Version) string {
	if math.IsNaN(score) || score < 0 || score > 10 {
		return ""
	}
	switch v {
	case V20:
		switch {
		case score < 4:
			return RatingLow
		case score < 7:
			return RatingMedium
		default:
			return RatingHigh
		}
	case V30, V31, V40:
		switch {
		case score < 0.1:
			return RatingNone
		case score < 4:
			return RatingLow
		case score < 7:
			return RatingMedium
		case score < 9:
			return RatingHigh
		default:
			return RatingCritical
		}
	}
	return ""
}

// Parse parses a CVSS vector of any supported version and scores it.
//
// The vector must be exactly as the specifications write it: metric names
// and values are case-sensitive and no white space is allowed. Every base
// metric is required; other metrics are optional and each may appear once.
// v2.0 and v3.x metrics may come in any order (their specifications and
// FIRST's JSON schemas allow it); v4.0 metrics must follow the order of the
// specification's table, as FIRST's JSON schema and calculator require.
//
// A v2.0 vector may be wrapped in parentheses, as NVD used to write them;
// the parentheses are not part of Score.Vector.
func Parse(vector string) (*Score, error) {
	v, err := parse(vector)
	if err != nil {
		return nil, err
	}
	return v.score(), nil
}

// score computes the Score of a parsed vector.
func (v *vec) score() *Score {
	s := &Score{Vector: v.String(), Version: v.version}
	if v.version == V40 {
		threat, env := v.defines(groupThreat), v.defines(groupEnvironmental)
		switch {
		case threat && env:
			s.Nomenclature = NomenclatureBTE
		case threat:
			s.Nomenclature = NomenclatureBT
		case env:
			s.Nomenclature = NomenclatureBE
		default:
			s.Nomenclature = NomenclatureB
		}
		s.Overall = score4(v)
		s.Base = s.Overall
		if threat || env {
			base := *v
			base.clear(groupThreat)
			base.clear(groupEnvironmental)
			s.Base = score4(&base)
		}
	} else {
		scores := score3
		if v.version == V20 {
			scores = score2
		}
		base, temporal, env := scores(v)
		s.Base, s.Overall = base, base
		if v.defines(groupTemporal) {
			s.Temporal, s.Overall = &temporal, temporal
		}
		if v.defines(groupEnvironmental) {
			s.Environmental, s.Overall = &env, env
		}
	}
	s.Rating = Rating(s.Overall, v.version)
	return s
}
