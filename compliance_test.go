package cradle_test

import (
	"slices"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
)

// TestMaturityBoundaries walks the maturity rule across each level
// boundary: one requirement's change moves the level by exactly one.
func TestMaturityBoundaries(t *testing.T) {
	met := func(id string, fresh int) cradle.ReqState {
		return cradle.ReqState{ID: id, Status: cradle.StatusMet, Fresh: fresh}
	}
	for _, tc := range []struct {
		name      string
		reqs      []cradle.ReqState
		improving bool
		want      int
		blocking  []string
	}{
		{"nothing applies", []cradle.ReqState{{ID: "SI-1", Status: cradle.StatusNotApplicable}}, true, 0, nil},
		{"empty practice", nil, true, 0, nil},
		{"one not started", []cradle.ReqState{met("SI-1", 1), {ID: "SI-2", Status: cradle.StatusNotStarted}}, true, 1, []string{"SI-2"}},
		{"empty status counts as not started", []cradle.ReqState{{ID: "SI-1"}}, false, 1, []string{"SI-1"}},
		{"all partial: ML2", []cradle.ReqState{{ID: "SI-1", Status: cradle.StatusPartial}, {ID: "SI-2", Status: cradle.StatusPartial}}, true, 2, []string{"SI-1", "SI-2"}},
		{"met without evidence stays ML2", []cradle.ReqState{met("SI-1", 1), met("SI-2", 0)}, true, 2, []string{"SI-2"}},
		{"one partial stays ML2", []cradle.ReqState{met("SI-1", 1), {ID: "SI-2", Status: cradle.StatusPartial, Fresh: 3}}, true, 2, []string{"SI-2"}},
		{"all met with evidence, not improving: ML3", []cradle.ReqState{met("SI-1", 1), met("SI-2", 2)}, false, 3, []string{"SM-13"}},
		{"not applicable ones are left out", []cradle.ReqState{met("SI-1", 1), {ID: "SI-2", Status: cradle.StatusNotApplicable}}, false, 3, []string{"SM-13"}},
		{"improving: ML4", []cradle.ReqState{met("SI-1", 1), met("SI-2", 1)}, true, 4, nil},
	} {
		got := cradle.Maturity(tc.reqs, tc.improving)
		if got.Level != tc.want || !slices.Equal(got.Blocking, tc.blocking) {
			t.Errorf("%s: level %d blocking %v, want %d %v (%s)", tc.name, got.Level, got.Blocking, tc.want, tc.blocking, got.Why)
		}
		if got.Name != cradle.MaturityNames[tc.want] || got.Why == "" || (tc.want > 0 && tc.want < 4 && got.Next == "") {
			t.Errorf("%s: explanation missing: %+v", tc.name, got)
		}
	}
}
