package cvss

import (
	"slices"
	"strings"
	"testing"
)

// TestSpecTables checks the invariants the scoring code relies on: the
// metric constants name the table rows, the weights align with the values,
// and each v3.x modified metric lists "X" and then its base metric's values.
func TestSpecTables(t *testing.T) {
	names := func(s *spec) string {
		var out []string
		for _, m := range s.metrics {
			out = append(out, m.name)
		}
		return strings.Join(out, "/")
	}
	for _, c := range []struct {
		s    *spec
		want string
	}{
		{spec20, "AV/AC/Au/C/I/A/E/RL/RC/CDP/TD/CR/IR/AR"},
		{spec30, "AV/AC/PR/UI/S/C/I/A/E/RL/RC/CR/IR/AR/MAV/MAC/MPR/MUI/MS/MC/MI/MA"},
		{spec31, "AV/AC/PR/UI/S/C/I/A/E/RL/RC/CR/IR/AR/MAV/MAC/MPR/MUI/MS/MC/MI/MA"},
		{spec40, "AV/AC/AT/PR/UI/VC/VI/VA/SC/SI/SA/E/CR/IR/AR/MAV/MAC/MAT/MPR/MUI/MVC/MVI/MVA/MSC/MSI/MSA/S/AU/R/V/RE/U"},
	} {
		if got := names(c.s); got != c.want {
			t.Errorf("v%s metrics %s, want %s", c.s.version, got, c.want)
		}
		if len(c.s.metrics) > maxMetrics {
			t.Errorf("v%s has %d metrics, more than maxMetrics", c.s.version, len(c.s.metrics))
		}
		for _, m := range c.s.metrics {
			nd := "X"
			if c.s.version == V20 {
				nd = "ND"
			}
			if m.group != groupBase && m.values[0] != nd {
				t.Errorf("v%s %s: first value %q, want %q", c.s.version, m.name, m.values[0], nd)
			}
		}
	}
	// The constants are iota sequences written in the same order as the
	// names above; their last values close the lists.
	if v2AR != len(spec20.metrics)-1 || v3MA != len(v3Metrics)-1 || v4U != len(spec40.metrics)-1 {
		t.Error("metric constants and tables differ in length")
	}
	for i, w := range v2Weights {
		if len(w) != len(spec20.metrics[i].values) {
			t.Errorf("v2 %s: %d weights for %d values", spec20.metrics[i].name, len(w), len(spec20.metrics[i].values))
		}
	}
	for i, w := range v3Weights {
		if w != nil && len(w) != len(v3Metrics[i].values) {
			t.Errorf("v3 %s: %d weights for %d values", v3Metrics[i].name, len(w), len(v3Metrics[i].values))
		}
	}
	for _, pair := range [][2]int{{v3MAV, v3AV}, {v3MAC, v3AC}, {v3MPR, v3PR}, {v3MUI, v3UI}, {v3MS, v3S}, {v3MC, v3C}, {v3MI, v3I}, {v3MA, v3A}} {
		m, b := v3Metrics[pair[0]], v3Metrics[pair[1]]
		if !slices.Equal(m.values, append([]string{"X"}, b.values...)) {
			t.Errorf("%s values %v do not follow %s values %v", m.name, m.values, b.name, b.values)
		}
	}
	// Every v4.0 value that enters the score is one letter.
	for _, m := range spec40.metrics[:v4MSA+1] {
		for _, v := range m.values {
			if len(v) != 1 {
				t.Errorf("v4 %s:%s is not one letter", m.name, v)
			}
		}
	}
}

// TestMaxLen checks that maxLen is above the longest valid vector: every
// metric with its longest value.
func TestMaxLen(t *testing.T) {
	for _, s := range []*spec{spec20, spec30, spec31, spec40} {
		var b strings.Builder
		b.WriteString(s.prefix)
		for i, m := range s.metrics {
			if i > 0 {
				b.WriteByte('/')
			}
			longest := ""
			for _, v := range m.values {
				if len(v) > len(longest) {
					longest = v
				}
			}
			b.WriteString(m.name + ":" + longest)
		}
		v := b.String()
		if _, err := parse(v); err != nil {
			t.Errorf("longest v%s vector: %v", s.version, err)
		}
		if len(v) >= maxLen {
			t.Errorf("longest v%s vector is %d bytes: %s", s.version, len(v), v)
		}
		t.Logf("longest v%s vector: %d bytes", s.version, len(v))
	}
}

// TestMacroVectorTable checks the size of FIRST's table: every combination
// of EQ levels except EQ3 level 2 with EQ6 level 0.
func TestMacroVectorTable(t *testing.T) {
	n := 0
	for eq1 := range 3 {
		for eq2 := range 2 {
			for eq3 := range 3 {
				for eq4 := range 3 {
					for eq5 := range 3 {
						for eq6 := range 2 {
							_, ok := macroVectorScore([6]int{eq1, eq2, eq3, eq4, eq5, eq6})
							if want := !(eq3 == 2 && eq6 == 0); ok != want {
								t.Errorf("MacroVector %d%d%d%d%d%d: present %v", eq1, eq2, eq3, eq4, eq5, eq6, ok)
							}
							n++
						}
					}
				}
			}
		}
	}
	if len(v4MacroVectorScores) != 270 {
		t.Errorf("%d MacroVectors, want 270", len(v4MacroVectorScores))
	}
}

func TestRoundV4(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{8.6 - 7.15, 1.5}, // 1.4499999999999993
		{5.6499999999999995, 5.7},
		{4.9499999999999993, 5.0},
		{4.945833333333333, 4.9},
		{4.25, 4.3},
		{0, 0},
		{10, 10},
	} {
		if got := roundV4(c.in); got != c.want {
			t.Errorf("roundV4(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestRoundUp(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{4.02, 4.1}, {4.0, 4.0}, {4.000001, 4.0}, {4.00001, 4.1}, {1 - 0.58 + 3.78, 4.2}, {0, 0}, {10, 10},
	} {
		if got := roundUp(c.in); got != c.want {
			t.Errorf("roundUp(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want float64 }{
		{4.05, 4.1}, {4.04999, 4.0}, {-0.15, -0.2}, {-0.14, -0.1}, {0, 0},
	} {
		if got := roundHalfUp(c.in); got != c.want {
			t.Errorf("roundHalfUp(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
