package web

import (
	"net/http"
	"strings"

	"github.com/cradle-sdl/cradle/store"
)

type componentsView struct {
	base
	Query   string
	Results []store.Occurrence
	Pager   pager
}

func (s *Server) uiSearchComponents(w http.ResponseWriter, r *http.Request) error {
	v := &componentsView{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	v.Title, v.Nav = "Components", "components"
	if v.Query != "" {
		pg := uiPage(r)
		res, total, err := s.db.SearchComponents(r.Context(), v.Query, pg)
		if err != nil {
			return err
		}
		v.Results, v.Pager = res, newPager(r, pg, total, "occurrence occurrences")
		v.Title = "Components matching " + v.Query
	}
	return s.render(w, r, http.StatusOK, "components", v)
}
