package web

import (
	"net/http"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

type auditView struct {
	base
	Entries    []cradle.AuditEntry
	Pager      pager
	EntityType string
	EntityID   string
}

func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := &auditView{EntityType: q.Get("entity_type"), EntityID: q.Get("entity_id")}
	pg := uiPage(r)
	entries, total, err := s.db.ListAudit(r.Context(), store.AuditFilter{EntityType: v.EntityType, EntityID: v.EntityID}, pg)
	if err != nil {
		return err
	}
	v.Entries, v.Pager = entries, newPager(r, pg, total, "entry entries")
	v.Title, v.Nav = "Audit trail", "audit"
	return s.render(w, r, http.StatusOK, "audit", v)
}

type auditVerifyView struct {
	base
	Report *store.AuditReport
}

func (s *Server) uiVerifyAudit(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	v := &auditVerifyView{Report: rep}
	v.Title, v.Nav = "Audit chain verification", "audit"
	v.Crumbs = []crumb{{"Audit trail", "/audit"}}
	return s.render(w, r, http.StatusOK, "audit_verify", v)
}
