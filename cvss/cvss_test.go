package cvss_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
)

func ptr(x float64) *float64 { return &x }

func TestParse(t *testing.T) {
	const v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
	tests := []struct {
		name string
		in   string
		want cvss.Score
	}{
		{"v3.1 base", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", cvss.Score{
			Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Version: cvss.V31,
			Base: 9.8, Overall: 9.8, Rating: "Critical",
		}},
		{"v3.1 temporal", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", cvss.Score{
			Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", Version: cvss.V31,
			Base: 9.8, Temporal: ptr(8.5), Overall: 8.5, Rating: "High",
		}},
		{"v3.0 any order, X dropped", "CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X", cvss.Score{
			Vector: "CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F", Version: cvss.V30,
			Base: 3.8, Temporal: ptr(3.7), Overall: 3.7, Rating: "Low",
		}},
		{"v3.0 environmental", "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H", cvss.Score{
			Vector:  "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H",
			Version: cvss.V30, Base: 9.3, Temporal: ptr(8.9), Environmental: ptr(9.5), Overall: 9.5, Rating: "Critical",
		}},
		{"v3.0 exact where float64 gives 9.200000000000001", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/RC:U", cvss.Score{
			Vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/RC:U", Version: cvss.V30,
			Base: 10, Temporal: ptr(9.2), Overall: 9.2, Rating: "Critical",
		}},
		{"v3.1 only X metrics", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/E:X/MAV:X", cvss.Score{
			Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", Version: cvss.V31,
			Base: 9.9, Overall: 9.9, Rating: "Critical",
		}},
		{"v3.1 scope changed environmental", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/CR:M", cvss.Score{
			// The v3.1 Modified Impact differs from the Impact: 10.0, not 9.9.
			Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/CR:M", Version: cvss.V31,
			Base: 9.9, Environmental: ptr(10), Overall: 10, Rating: "Critical",
		}},
		{"v3.1 no impact", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", cvss.Score{
			Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", Version: cvss.V31,
			Base: 0, Overall: 0, Rating: "None",
		}},
		{"v2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", cvss.Score{
			Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", Version: cvss.V20, Base: 7.5, Overall: 7.5, Rating: "High",
		}},
		{"v2.0 in parentheses", "(AV:N/AC:L/Au:N/C:P/I:P/A:P)", cvss.Score{
			Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", Version: cvss.V20, Base: 7.5, Overall: 7.5, Rating: "High",
		}},
		{"v2.0 zero is Low", "AV:L/AC:H/Au:M/C:N/I:N/A:N", cvss.Score{
			Vector: "AV:L/AC:H/Au:M/C:N/I:N/A:N", Version: cvss.V20, Base: 0, Overall: 0, Rating: "Low",
		}},
		{"v2.0 all groups, any order", "(E:POC/AV:A/AC:H/Au:S/C:N/I:P/A:P/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L)", cvss.Score{
			Vector:  "AV:A/AC:H/Au:S/C:N/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L",
			Version: cvss.V20, Base: 2.9, Temporal: ptr(2.3), Environmental: ptr(2.8), Overall: 2.8, Rating: "Low",
		}},
		{"v2.0 temporal only ND", "AV:N/AC:L/Au:S/C:C/I:C/A:C/E:ND/RL:ND/RC:ND", cvss.Score{
			Vector: "AV:N/AC:L/Au:S/C:C/I:C/A:C", Version: cvss.V20, Base: 9.0, Overall: 9.0, Rating: "High",
		}},
		{"v4.0 CVSS-B", v4, cvss.Score{
			Vector: v4, Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-B", Overall: 9.3, Rating: "Critical",
		}},
		{"v4.0 CVSS-BT", v4 + "/E:U", cvss.Score{
			Vector: v4 + "/E:U", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-BT", Overall: 8.1, Rating: "High",
		}},
		{"v4.0 CVSS-BE", v4 + "/CR:L/IR:L/AR:L", cvss.Score{
			Vector: v4 + "/CR:L/IR:L/AR:L", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-BE", Overall: 8.9, Rating: "High",
		}},
		{"v4.0 CVSS-BTE", v4 + "/E:P/MAV:P", cvss.Score{
			Vector: v4 + "/E:P/MAV:P", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-BTE", Overall: 5.2, Rating: "Medium",
		}},
		{"v4.0 Not Defined and supplemental do not count", v4 + "/E:X/CR:X/S:P/AU:Y", cvss.Score{
			Vector: v4 + "/S:P/AU:Y", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-B", Overall: 9.3, Rating: "Critical",
		}},
		{"v4.0 worst-case values count", v4 + "/E:A/CR:H", cvss.Score{
			Vector: v4 + "/E:A/CR:H", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-BTE", Overall: 9.3, Rating: "Critical",
		}},
		{"v4.0 safety", v4 + "/MSI:S", cvss.Score{
			Vector: v4 + "/MSI:S", Version: cvss.V40, Base: 9.3, Nomenclature: "CVSS-BE", Overall: 10, Rating: "Critical",
		}},
		{"v4.0 low", "CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", cvss.Score{
			Vector: "CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", Version: cvss.V40,
			Base: 1, Nomenclature: "CVSS-B", Overall: 1, Rating: "Low",
		}},
		{"v4.0 rounding edge", "CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/SA:H", cvss.Score{
			// Unrounded 4.9499999999999993, the float64 just below 4.95.
			Vector: "CVSS:4.0/AV:L/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:L/SC:H/SI:H/SA:H", Version: cvss.V40,
			Base: 5.0, Nomenclature: "CVSS-B", Overall: 5.0, Rating: "Medium",
		}},
		{"v4.0 no impact", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:A", cvss.Score{
			Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:A", Version: cvss.V40,
			Base: 0, Nomenclature: "CVSS-BT", Overall: 0, Rating: "None",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cvss.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestParseInvalid has one vector per reason for rejection: each must be an
// EInvalid *cradle.Error whose first problem is at the given location and
// says what is wrong.
func TestParseInvalid(t *testing.T) {
	const v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	const v40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
	const v20 = "AV:N/AC:L/Au:N/C:P/I:P/A:P"
	tests := []struct {
		name     string
		in       string
		location string
		message  string // a part of the first problem's message
	}{
		{"empty", "", "offset 0", "empty vector"},
		{"too long", v31 + strings.Repeat("/E:X", 300), "offset 1024", "no valid CVSS vector is longer"},
		{"unknown version", "CVSS:3.2/AV:N", "offset 5", `unknown CVSS version "3.2"`},
		{"v2 prefix", "CVSS:2.0/" + v20, "offset 0", "a CVSS v2.0 vector has no prefix"},
		{"prefix case", strings.ToLower(v31[:9]) + v31[9:], "offset 0", `must start with "CVSS:3.0/"`},
		{"prefix only", "CVSS:4.0", "offset 8", `no metrics after the "CVSS:4.0" prefix`},
		{"prefix and slash", "CVSS:3.1/", "offset 9", `no metrics after the "CVSS:3.1" prefix`},
		{"unclosed parenthesis", "(" + v20, "offset 27", `missing ")"`},
		{"empty parentheses", "()", "offset 1", "no metrics between the parentheses"},
		{"v3 in parentheses", "(" + v31 + ")", "offset 0", "only CVSS v2.0 vectors may be wrapped in parentheses"},
		{"empty metric", "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "offset 14", "empty metric"},
		{"leading slash", "/" + v20, "offset 0", "empty metric"},
		{"trailing slash", v31 + "/", "offset 44", `trailing "/"`},
		{"no colon", "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "offset 9", `expected METRIC:VALUE, found "AVN"`},
		{"unknown metric", v31 + "/XX:Y", "offset 45", `unknown CVSS v3.1 metric "XX"`},
		{"v4 metric in v3", v31 + "/AT:N", "offset 45", `unknown CVSS v3.1 metric "AT"`},
		{"v3 without prefix", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "offset 10", `"PR" (a CVSS v3 or v4 vector must start with "CVSS:3.1/"`},
		{"duplicate", v31 + "/AV:L", "AV", "AV appears twice, at offsets 9 and 45"},
		{"duplicate X", v31 + "/E:X/E:X", "E", "E appears twice"},
		{"bad value", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "AV:Q at offset 9: the value must be one of N, A, L, P"},
		{"no value", "CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "AV at offset 9 has no value"},
		{"lower-case value", "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "the value must be one of"},
		{"X for a base metric", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "AV:X"},
		{"v3.0 schema's PR:U", "CVSS:3.0/AV:N/AC:L/PR:U/UI:N/S:U/C:H/I:H/A:H", "PR", "PR:U"},
		{"v2 X", v20 + "/E:X", "E", "E:X at offset 27: the value must be one of ND, U, POC, F, H"},
		{"v2 ND for a base metric", "AV:ND/AC:L/Au:N/C:P/I:P/A:P", "AV", "AV:ND"},
		{"v4 SI:S", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", "SI", "SI:S"},
		{"v4 value case", v40 + "/U:clear", "U", "one of X, Clear, Green, Amber, Red"},
		{"v4 order", "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "AV", "AV at offset 14 must come before AC"},
		{"v4 group order", v40 + "/CR:H/E:A", "E", "E at offset 69 must come before CR"},
		{"v4 metric in v3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MSI:S", "offset 45", `unknown CVSS v3.1 metric "MSI"`},
		{"missing base metric", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", "S", "missing base metric S (Scope)"},
		{"missing v4 base metric", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "SA", "missing base metric SA"},
		{"missing v2 base metric", "AV:N/AC:L/C:P/I:P/A:P", "Au", "missing base metric Au (Authentication)"},
		{"space", " " + v31, "offset 0", `unexpected ' ': a CVSS vector is printable ASCII without spaces`},
		{"trailing newline", v31 + "\n", "offset 44", `unexpected '\n'`},
		{"non-ASCII", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Ĥ", "offset 43", `unexpected 'Ĥ'`},
		{"two vectors", v31 + "/" + v31, "offset 45", "unknown CVSS v3.1 metric \"CVSS\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := cvss.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, s)
			}
			var e *cradle.Error
			if !errors.As(err, &e) || e.Code != cradle.EInvalid {
				t.Fatalf("error %v is not an EInvalid *cradle.Error", err)
			}
			if len(e.Problems) == 0 {
				t.Fatalf("error %q has no problems", err)
			}
			p := e.Problems[0]
			if p.Location != tt.location || !strings.Contains(p.Message, tt.message) {
				t.Errorf("first problem = %q: %q, want %q: ...%q...\nerror: %v", p.Location, p.Message, tt.location, tt.message, err)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := cvss.Parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L/XX:Y")
	want := "invalid CVSS v3.1 vector\n" +
		"  AV: AV appears twice, at offsets 9 and 45\n" +
		"  offset 50: unknown CVSS v3.1 metric \"XX\""
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	// A vector made of nothing but problems reports the first ten.
	_, err = cvss.Parse("CVSS:3.1" + strings.Repeat("/Q:Q", 50))
	if got := len(cradle.ErrorProblems(err)); got != 10 {
		t.Errorf("%d problems, want 10", got)
	}
}

func TestRating(t *testing.T) {
	tests := []struct {
		score float64
		v     cvss.Version
		want  string
	}{
		{0, cvss.V31, "None"},
		{0.1, cvss.V31, "Low"},
		{3.9, cvss.V30, "Low"},
		{4.0, cvss.V31, "Medium"},
		{6.9, cvss.V40, "Medium"},
		{7.0, cvss.V40, "High"},
		{8.9, cvss.V31, "High"},
		{9.0, cvss.V31, "Critical"},
		{10, cvss.V40, "Critical"},
		{3.95, cvss.V31, "Low"},
		{0, cvss.V20, "Low"},
		{3.9, cvss.V20, "Low"},
		{4.0, cvss.V20, "Medium"},
		{6.9, cvss.V20, "Medium"},
		{7.0, cvss.V20, "High"},
		{10, cvss.V20, "High"},
		{-0.1, cvss.V31, ""},
		{10.1, cvss.V31, ""},
		{math.NaN(), cvss.V31, ""},
		{5, "5.0", ""},
	}
	for _, tt := range tests {
		if got := cvss.Rating(tt.score, tt.v); got != tt.want {
			t.Errorf("Rating(%v, %q) = %q, want %q", tt.score, tt.v, got, tt.want)
		}
	}
}

// BenchmarkParse measures parsing and scoring one vector of each version.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, vector string }{
		{"v2.0", "AV:A/AC:H/Au:S/C:N/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L"},
		{"v3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"},
		{"v3.1-environmental", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H"},
		{"v4.0", "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:H/VA:L/SC:N/SI:N/SA:L"},
		{"v4.0-BTE", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:L/MAV:A/MSI:S/S:P/U:Amber"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := cvss.Parse(c.vector); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
