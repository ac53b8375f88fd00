// Package psirt is vulnerability handling: the one path from a report (the
// public intake form, a developer, a monitoring finding, a VEX document) to
// a triaged case with per-release VEX statuses, remediation deadlines, CRA
// Art. 14 reports, security updates, CSAF advisories and VEX documents, and
// customer notifications. The web server and the CLI share it. It scores
// CVSS vectors (cvss), builds and validates CSAF (csaf), reads and writes
// VEX (vex), and persists through store.
package psirt

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/cvss"
	"github.com/cradle-sdl/cradle/store"
)

// Service handles cases on one database.
type Service struct {
	DB  *store.DB
	Log *slog.Logger
	Now func() time.Time
}

// New returns a Service on db.
func New(db *store.DB, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: db, Log: log, Now: func() time.Time { return time.Now().UTC() }}
}

// NewCase is what opens a case.
type NewCase struct {
	Type        string               `json:"type"`
	Title       string               `json:"title"`
	Description string               `json:"description"`
	Source      string               `json:"source"`
	Component   string               `json:"component"`
	VulnID      string               `json:"vuln_id"`
	CVSS3       string               `json:"cvss_v3"`
	CVSS4       string               `json:"cvss_v4"`
	CWE         string               `json:"cwe"`
	AwareAt     time.Time            `json:"aware_at"` // default: now
	Exploited   bool                 `json:"actively_exploited"`
	Malicious   bool                 `json:"suspected_malicious"`
	Owner       string               `json:"owner"`
	IntakeID    string               `json:"intake_id"`
	Product     string               `json:"product"` // own code: suggest this product's releases
	Releases    []cradle.CaseRelease `json:"releases"`
	// Suggest adds the releases the portfolio says are affected (see
	// store.SuggestCaseReleases) to Releases, as under_investigation.
	Suggest bool `json:"suggest"`
}

// Open creates a case, scores its vectors and sets its due date from the
// remediation policy.
func (s *Service) Open(ctx context.Context, actor cradle.Actor, in NewCase) (*cradle.Case, error) {
	now := s.Now()
	c := &cradle.Case{Type: in.Type, Title: in.Title, Description: in.Description, Source: in.Source, Component: in.Component,
		VulnID: strings.TrimSpace(in.VulnID), CVSS3: strings.TrimSpace(in.CVSS3), CVSS4: strings.TrimSpace(in.CVSS4), CWE: in.CWE,
		AwareAt: in.AwareAt, Exploited: in.Exploited, Malicious: in.Malicious, Owner: in.Owner, IntakeID: in.IntakeID, Releases: in.Releases}
	if c.AwareAt.IsZero() {
		c.AwareAt = now
	}
	if c.Exploited {
		// Known to be exploited when the case is opened: the Art. 14
		// clocks run from the case's awareness.
		c.ExploitedAt = c.AwareAt
	}
	if c.Releases == nil {
		c.Releases = []cradle.CaseRelease{}
	}
	if in.Suggest {
		sug, err := s.DB.SuggestCaseReleases(ctx, c.VulnID, c.Component, in.Product)
		if err != nil {
			return nil, err
		}
		for _, r := range sug {
			dup := false
			for _, x := range c.Releases {
				if (x.ReleaseID != 0 && x.ReleaseID == r.ReleaseID) || (x.Product == r.Product && x.Version == r.Version) {
					dup = true
				}
			}
			if !dup {
				c.Releases = append(c.Releases, r)
			}
		}
	}
	if err := s.score(c); err != nil {
		return nil, err
	}
	policy, err := s.DB.RemediationPolicy(ctx)
	if err != nil {
		return nil, err
	}
	c.DueAt = policy.Due(c.AwareAt, c.Rating)
	if err := s.DB.CreateCase(ctx, actor, c); err != nil {
		return nil, err
	}
	return c, nil
}

// score parses the case's vectors, keeps their canonical form and scores,
// and sets the rating from v4.0 when present, else v3.1.
func (s *Service) score(c *cradle.Case) error {
	var probs []cradle.Problem
	c.CVSS3Base, c.CVSS4Base, c.Rating = 0, 0, "unknown"
	if c.CVSS3 != "" {
		sc, err := cvss.Parse(c.CVSS3)
		switch {
		case err != nil:
			probs = append(probs, located("cvss_v3", err)...)
		case sc.Version != cvss.V31:
			probs = append(probs, cradle.Problem{Location: "cvss_v3", Message: "must be a CVSS v3.1 vector (CVSS:3.1/...); found version " + string(sc.Version)})
		default:
			c.CVSS3, c.CVSS3Base, c.Rating = sc.Vector, sc.Base, strings.ToLower(sc.Rating)
		}
	}
	if c.CVSS4 != "" {
		sc, err := cvss.Parse(c.CVSS4)
		switch {
		case err != nil:
			probs = append(probs, located("cvss_v4", err)...)
		case sc.Version != cvss.V40:
			probs = append(probs, cradle.Problem{Location: "cvss_v4", Message: "must be a CVSS v4.0 vector (CVSS:4.0/...); found version " + string(sc.Version)})
		default:
			c.CVSS4, c.CVSS4Base, c.Rating = sc.Vector, sc.Base, strings.ToLower(sc.Rating)
		}
	}
	if len(probs) > 0 {
		return cradle.Invalid("invalid case", probs...)
	}
	return nil
}

func located(field string, err error) []cradle.Problem {
	ps := cradle.ErrorProblems(err)
	if len(ps) == 0 {
		return []cradle.Problem{{Location: field, Message: cradle.ErrorMessage(err)}}
	}
	out := make([]cradle.Problem, len(ps))
	for i, p := range ps {
		out[i] = cradle.Problem{Location: field, Message: p.String()}
	}
	return out
}

// CasePatch changes some fields of a case; nil fields stay as they are.
type CasePatch struct {
	Title              *string               `json:"title,omitempty"`
	Description        *string               `json:"description,omitempty"`
	Component          *string               `json:"component,omitempty"`
	VulnID             *string               `json:"vuln_id,omitempty"`
	Validity           *string               `json:"validity,omitempty"`
	CVSS3              *string               `json:"cvss_v3,omitempty"`
	CVSS4              *string               `json:"cvss_v4,omitempty"`
	CWE                *string               `json:"cwe,omitempty"`
	RootCause          *string               `json:"root_cause,omitempty"`
	Decision           *string               `json:"decision,omitempty"`
	DecisionRationale  *string               `json:"decision_rationale,omitempty"`
	State              *string               `json:"state,omitempty"`
	Owner              *string               `json:"owner,omitempty"`
	AwareAt            *time.Time            `json:"aware_at,omitempty"`
	Exploited          *bool                 `json:"actively_exploited,omitempty"`
	ExploitedAt        *time.Time            `json:"exploited_at,omitempty"` // when exploitation became known (default: when marked)
	Malicious          *bool                 `json:"suspected_malicious,omitempty"`
	MaliciousActor     *string               `json:"malicious_actor,omitempty"`
	FixAvailableAt     *time.Time            `json:"fix_available_at,omitempty"`
	UpstreamNotifiedAt *time.Time            `json:"upstream_notified_at,omitempty"`
	UpstreamChannel    *string               `json:"upstream_channel,omitempty"`
	UpstreamRef        *string               `json:"upstream_ref,omitempty"`
	UpstreamNote       *string               `json:"upstream_note,omitempty"`
	Releases           *[]cradle.CaseRelease `json:"releases,omitempty"`
}

// Update applies p to the case ref in one transaction: re-scores, records
// who decided and when the case was marked exploited, and recomputes the
// due date from the policy (a rating change moves it).
func (s *Service) Update(ctx context.Context, actor cradle.Actor, ref string, p CasePatch) (*cradle.Case, error) {
	policy, err := s.DB.RemediationPolicy(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	return s.DB.UpdateCase(ctx, actor, ref, func(c *cradle.Case) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&c.Title, p.Title)
		set(&c.Description, p.Description)
		set(&c.Component, p.Component)
		set(&c.VulnID, p.VulnID)
		set(&c.Validity, p.Validity)
		set(&c.CVSS3, p.CVSS3)
		set(&c.CVSS4, p.CVSS4)
		set(&c.CWE, p.CWE)
		set(&c.RootCause, p.RootCause)
		set(&c.DecisionRationale, p.DecisionRationale)
		set(&c.State, p.State)
		set(&c.Owner, p.Owner)
		set(&c.MaliciousActor, p.MaliciousActor)
		set(&c.UpstreamChannel, p.UpstreamChannel)
		set(&c.UpstreamRef, p.UpstreamRef)
		set(&c.UpstreamNote, p.UpstreamNote)
		if p.Decision != nil && strings.TrimSpace(*p.Decision) != c.Decision {
			c.Decision = strings.TrimSpace(*p.Decision)
			c.DecidedBy, c.DecidedAt = actor.String(), now
			if c.Decision == "" {
				c.DecidedBy, c.DecidedAt = "", time.Time{}
			}
		}
		if p.AwareAt != nil {
			c.AwareAt = p.AwareAt.UTC()
		}
		if p.Exploited != nil && *p.Exploited != c.Exploited {
			c.Exploited = *p.Exploited
			c.ExploitedAt = time.Time{}
			if c.Exploited {
				c.ExploitedAt = now
			}
		}
		if p.ExploitedAt != nil && c.Exploited {
			c.ExploitedAt = p.ExploitedAt.UTC()
		}
		if p.Malicious != nil {
			c.Malicious = *p.Malicious
		}
		if p.FixAvailableAt != nil {
			c.FixAvailableAt = p.FixAvailableAt.UTC()
		}
		if p.UpstreamNotifiedAt != nil {
			c.UpstreamNotifiedAt = p.UpstreamNotifiedAt.UTC()
		}
		if p.Releases != nil {
			c.Releases = *p.Releases
		}
		if err := s.score(c); err != nil {
			return err
		}
		c.DueAt = policy.Due(c.AwareAt, c.Rating)
		return nil
	})
}

// Deadlines returns the Art. 14 deadlines of a case at now.
func (s *Service) Deadlines(ctx context.Context, c *cradle.Case) ([]cradle.Deadline, []cradle.Art14Submission, error) {
	subs, err := s.DB.Submissions(ctx, c.Ref)
	if err != nil {
		return nil, nil, err
	}
	return cradle.Art14Deadlines(c, subs, s.Now()), subs, nil
}

// Draft drafts the Art. 14 report of stage for the case ref.
func (s *Service) Draft(ctx context.Context, ref, stage string) ([]cradle.DraftField, error) {
	c, err := s.DB.Case(ctx, ref)
	if err != nil {
		return nil, err
	}
	in := cradle.Art14Input{Case: c, Sensitivity: "TLP:AMBER (not for publication before the advisory)"}
	seen := map[string]bool{}
	var states []string
	for _, r := range c.Releases {
		if seen[r.Product] {
			continue
		}
		seen[r.Product] = true
		p, err := s.DB.Product(ctx, r.Product)
		if err != nil {
			return nil, err
		}
		if in.Manufacturer == "" {
			in.Manufacturer = p.Manufacturer
		}
		states = append(states, p.MemberStates...)
	}
	in.MemberStates, _ = cradle.NormalizeMemberStates(states, "")
	ups, err := s.DB.SecurityUpdates(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		for _, cr := range u.Cases {
			if cr == c.Ref {
				in.Updates = append(in.Updates, fmt.Sprintf("%s %s, available %s", u.Product, u.Version, u.AvailableAt.Format("2006-01-02")))
			}
		}
	}
	return cradle.Art14Draft(stage, in)
}

// ExploitedSuggestions lists open vulnerability cases that are not marked
// actively exploited although their vulnerability is on the CISA KEV list
// and a release they affect is on the market.
func (s *Service) ExploitedSuggestions(ctx context.Context) ([]*cradle.Case, error) {
	cases, err := store.All(func(pg cradle.Page) ([]*cradle.Case, int, error) {
		return s.DB.ListCases(ctx, store.CaseFilter{State: cradle.CaseOpen, Type: cradle.CaseVulnerability}, cradle.DefaultRemediationPolicy, pg)
	})
	if err != nil {
		return nil, err
	}
	var out []*cradle.Case
	for _, c := range cases {
		if c.Exploited || c.VulnID == "" {
			continue
		}
		onMarket := false
		for _, r := range c.Releases {
			if r.Lifecycle.OnMarket() && r.Status != cradle.VEXNotAffected && r.Status != cradle.VEXFixed {
				onMarket = true
			}
		}
		if !onMarket {
			continue
		}
		kev, err := s.DB.KEVFor(ctx, c.VulnID)
		if err != nil {
			return nil, err
		}
		if kev != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// CheckDeadlines records a notice (for the events page and webhooks) the
// first time each Art. 14 deadline of an open case becomes due soon and
// again when it passes without a submission. It returns how many notices
// it recorded.
func (s *Service) CheckDeadlines(ctx context.Context) (int, error) {
	n := 0
	for page := 1; ; page++ {
		cases, total, err := s.DB.ListCases(ctx, store.CaseFilter{State: cradle.CaseOpen, Exploited: true}, cradle.DefaultRemediationPolicy, cradle.Page{Number: page, PerPage: cradle.MaxPerPage})
		if err != nil {
			return n, err
		}
		for _, c := range cases {
			ds, _, err := s.Deadlines(ctx, c)
			if err != nil {
				return n, err
			}
			for _, d := range ds {
				kind, what := "", ""
				switch d.State {
				case cradle.DeadlineDueSoon:
					kind, what = cradle.NoticeArt14DueSoon, "is due "+d.Due.Format("2006-01-02 15:04 MST")
				case cradle.DeadlineOverdue:
					kind, what = cradle.NoticeArt14Overdue, "was due "+d.Due.Format("2006-01-02 15:04 MST")+" and is not recorded as submitted"
				default:
					continue
				}
				summary := fmt.Sprintf("CRA Art. 14 %s for %s (%s) %s", strings.ToLower(cradle.StageLabel(d.Stage)), c.Ref, c.Title, what)
				ok, err := s.DB.NotifyOnce(ctx, kind, c.Ref+"/"+d.Stage, summary,
					map[string]any{"case": c.Ref, "stage": d.Stage, "due": d.Due, "basis": d.Basis})
				if err != nil {
					return n, err
				}
				if ok {
					n++
				}
			}
		}
		if page*cradle.MaxPerPage >= total {
			return n, nil
		}
	}
}
