package web

import (
	"context"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// The dashboard's exposure panel.

// exposureScanLimit bounds the findings the dashboard reads to count
// them; beyond it the counts say so.
const exposureScanLimit = 100_000

// eachPortfolioFinding calls fn with every open finding of the portfolio,
// release by release, and stops after limit findings; it reports whether
// it saw them all. The store has no summary query, and paging through the
// whole list would count and sort every finding for every page; per
// release, each finding is read once.
func (s *Server) eachPortfolioFinding(ctx context.Context, limit int, fn func(cradle.Finding)) (complete bool, err error) {
	seen := 0
	count := func(f cradle.Finding) { seen++; fn(f) }
	for pn := 1; ; pn++ {
		products, ptotal, err := s.db.ListProducts(ctx, cradle.Page{Number: pn, PerPage: cradle.MaxPerPage})
		if err != nil {
			return false, err
		}
		for _, p := range products {
			for rn := 1; ; rn++ {
				rels, rtotal, err := s.db.ListReleases(ctx, p.Name, cradle.Page{Number: rn, PerPage: cradle.MaxPerPage})
				if err != nil {
					return false, err
				}
				for _, r := range rels {
					if r.CurrentSBOMID == 0 {
						continue
					}
					ok, err := s.eachFinding(ctx, store.FindingFilter{Product: p.Name, Release: r.Version}, limit-seen, count)
					if err != nil || !ok {
						return false, err
					}
				}
				if len(rels) == 0 || rn*cradle.MaxPerPage >= rtotal {
					break
				}
			}
		}
		if len(products) == 0 || pn*cradle.MaxPerPage >= ptotal {
			return true, nil
		}
	}
}

type exposure struct {
	// Released counts the open findings of releases on the market (CRA
	// obligations apply); the other counts cover every release, like the
	// lists they link to.
	Released         severityCounts
	OtherLifecycles  int
	KEV, KEVOnMarket int
	KEVVulns         int // distinct vulnerabilities behind KEV
	New, NewOnMarket int
	Total            int
	Complete         bool
	Since            string // the date "new" counts from
	Sources          []sourceRow
	NothingLoaded    bool
	Failed           []string
	Stale            []string
	Gaps             []coverageGap
	// ByProduct summarises each product's open findings (all releases).
	ByProduct map[string]*worstOf
}

// Product returns the findings summary of a product, or nil.
func (e *exposure) Product(name string) *worstOf {
	if e == nil {
		return nil
	}
	return e.ByProduct[name]
}

func (s *Server) exposure(ctx context.Context, now time.Time) (*exposure, error) {
	e := &exposure{ByProduct: map[string]*worstOf{}}
	kevVulns := map[string]bool{}
	// "New since yesterday" counts from the start of yesterday (UTC), as
	// the list it links to does: ?since= takes a date.
	since := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	e.Since = since.Format(cradle.DateLayout)
	complete, err := s.eachPortfolioFinding(ctx, exposureScanLimit, func(f cradle.Finding) {
		e.Total++
		w := e.ByProduct[f.Product]
		if w == nil {
			w = &worstOf{}
			e.ByProduct[f.Product] = w
		}
		w.add(f)
		on := f.Lifecycle.OnMarket()
		if on {
			e.Released.add(f)
		} else {
			e.OtherLifecycles++
		}
		if f.KEV {
			e.KEV++
			kevVulns[f.GroupID] = true
			if on {
				e.KEVOnMarket++
			}
		}
		if !f.FirstSeen.Before(since) {
			e.New++
			if on {
				e.NewOnMarket++
			}
		}
	})
	if err != nil {
		return nil, err
	}
	e.Complete, e.KEVVulns = complete, len(kevVulns)
	st, err := s.vulnStatus(ctx)
	if err != nil {
		return nil, err
	}
	e.Sources = sourceRows(st, now)
	e.NothingLoaded = loadedTotal(st.Loaded) == 0
	if e.Gaps, err = s.coverageGaps(ctx, st.Loaded); err != nil {
		return nil, err
	}
	for _, r := range e.Sources {
		if r.Status == "error" {
			e.Failed = append(e.Failed, r.Source)
		}
		if r.Stale {
			e.Stale = append(e.Stale, r.Source)
		}
	}
	return e, nil
}
