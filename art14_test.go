package cradle_test

import (
	"strings"
	"testing"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

func TestAddMonthClamps(t *testing.T) {
	for in, want := range map[string]string{
		"2026-01-31T10:00:00Z": "2026-02-28T10:00:00Z",
		"2028-01-31T10:00:00Z": "2028-02-29T10:00:00Z",
		"2026-03-31T23:59:59Z": "2026-04-30T23:59:59Z",
		"2026-12-15T08:00:00Z": "2027-01-15T08:00:00Z",
	} {
		at, _ := time.Parse(time.RFC3339, in)
		if got := cradle.AddMonth(at).Format(time.RFC3339); got != want {
			t.Errorf("AddMonth(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestIncidentDeadlines(t *testing.T) {
	// Awareness in a zone with a DST change two hours later: deadlines are
	// exact UTC durations, not wall-clock arithmetic.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	aware := time.Date(2026, 10, 25, 1, 0, 0, 0, berlin) // DST ends at 03:00 local
	c := &cradle.Case{Ref: "CASE-1", Type: cradle.CaseIncident, AwareAt: aware}
	ds := cradle.Art14Deadlines(c, nil, aware.Add(time.Hour))
	if len(ds) != 3 || ds[0].Due.Sub(aware) != 24*time.Hour || ds[1].Due.Sub(aware) != 72*time.Hour {
		t.Fatalf("deadlines: %+v", ds)
	}
	if ds[2].State != cradle.DeadlineWaiting || !strings.Contains(ds[2].Basis, "not been yet") {
		t.Fatalf("final before the notification: %+v", ds[2])
	}
	sent := time.Date(2027, 1, 31, 9, 0, 0, 0, time.UTC)
	ds = cradle.Art14Deadlines(c, []cradle.Art14Submission{{Stage: cradle.StageNotification, SubmittedAt: sent}}, sent)
	if want := time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC); !ds[2].Due.Equal(want) || ds[1].State != cradle.DeadlineSubmittedLate {
		t.Fatalf("after the notification: %+v", ds)
	}
	// Not reportable: a vulnerability not marked exploited.
	if ds := cradle.Art14Deadlines(&cradle.Case{Type: cradle.CaseVulnerability, AwareAt: aware}, nil, aware); ds != nil {
		t.Fatalf("unexploited vulnerability has deadlines: %+v", ds)
	}
}

func TestDraftFitsLimits(t *testing.T) {
	long := strings.Repeat("word ", 2000)
	c := &cradle.Case{Ref: "CASE-2", Type: cradle.CaseVulnerability, Exploited: true, Title: strings.Repeat("T", 300), Description: long,
		MaliciousActor: "", Releases: []cradle.CaseRelease{{Product: "GW", Version: "1", Status: cradle.VEXAffected, Action: long}}}
	for _, stage := range cradle.Art14Stages {
		fs, err := cradle.Art14Draft(stage, cradle.Art14Input{Case: c})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if n := len([]rune(f.Value)); f.Limit > 0 && n > f.Limit {
				t.Errorf("%s/%s: %d characters over the limit %d", stage, f.Name, n, f.Limit)
			}
			if f.Name == "title" && !f.Truncated {
				t.Errorf("%s: a 300-character title must be marked truncated", stage)
			}
			if f.Name == "malicious_actor" && !f.Missing {
				t.Errorf("%s: unknown actor must be marked missing", stage)
			}
		}
	}
	if _, err := cradle.Art14Draft("weekly", cradle.Art14Input{Case: c}); cradle.ErrorCode(err) != cradle.EInvalid {
		t.Fatalf("unknown stage: %v", err)
	}
}

func TestCaseReleaseRules(t *testing.T) {
	for _, tc := range []struct {
		r    cradle.CaseRelease
		want string
	}{
		{cradle.CaseRelease{Status: "not_affected"}, "justification"},
		{cradle.CaseRelease{Status: "affected"}, "action_statement"},
		{cradle.CaseRelease{Status: "fixed", Justification: "component_not_present"}, "only a not_affected"},
		{cradle.CaseRelease{Status: "maybe"}, "status"},
		{cradle.CaseRelease{Status: "not_affected", Justification: "because"}, "justification"},
	} {
		probs := tc.r.Validate("")
		if len(probs) == 0 || !strings.Contains(probs[0].Location+probs[0].Message, tc.want) {
			t.Errorf("%+v: %v, want a problem about %s", tc.r, probs, tc.want)
		}
	}
	ok := cradle.CaseRelease{Status: "not_affected", Impact: "The affected parser is never reached."}
	if probs := ok.Validate(""); len(probs) != 0 {
		t.Errorf("impact statement alone must do: %v", probs)
	}
}

// The Art. 14 clocks of a vulnerability start when its exploitation
// became known, not when the vulnerability did.
func TestArt14ClocksStartAtExploitation(t *testing.T) {
	aware := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	exploited := aware.Add(30 * 24 * time.Hour)
	c := &cradle.Case{Ref: "CASE-3", Type: cradle.CaseVulnerability, AwareAt: aware, Exploited: true, ExploitedAt: exploited}
	ds := cradle.Art14Deadlines(c, nil, exploited.Add(time.Hour))
	if !ds[0].Due.Equal(exploited.Add(24*time.Hour)) || ds[0].State != cradle.DeadlineOpen || !strings.Contains(ds[0].Basis, "2026-10-31T08:00:00Z") {
		t.Fatalf("early warning: %+v", ds[0])
	}
	c.ExploitedAt = aware // exploited from the start
	if ds = cradle.Art14Deadlines(c, nil, aware); !ds[1].Due.Equal(aware.Add(72 * time.Hour)) {
		t.Fatalf("notification: %+v", ds[1])
	}
	// Exploitation known before the vulnerability is a clock error.
	bad := &cradle.Case{Title: "t", Type: cradle.CaseVulnerability, AwareAt: aware, Exploited: true, ExploitedAt: aware.Add(-time.Hour)}
	if err := bad.Validate(exploited); cradle.ErrorCode(err) != cradle.EInvalid || !strings.Contains(err.Error(), "exploited_at") {
		t.Fatalf("exploitation before awareness: %v", err)
	}
}
