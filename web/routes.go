package web

import (
	"net/http"

	cradle "github.com/cradle-sdl/cradle"
)

// route is one entry of the routing table.
type route struct {
	Pattern string            // net/http pattern with method: "GET /api/v1/products"
	Perm    cradle.Permission // "" for public routes
	UI      bool              // HTML route: redirects to login, renders errors as pages
	Handler handlerFunc
}

// permAuthenticated admits any signed-in caller.
const permAuthenticated cradle.Permission = "authenticated"

// routes is every route the server answers. The authorisation test walks
// this table; the OpenAPI test checks the API part against openapi.json.
func (s *Server) routes() []route {
	rs := append(s.apiRoutes(), s.psirtAPIRoutes()...)
	rs = append(rs, s.advisoryAPIRoutes()...)
	rs = append(rs, s.complianceAPIRoutes()...)
	rs = append(rs, s.documentAPIRoutes()...)
	rs = append(rs, s.engineeringAPIRoutes()...)
	return append(rs, s.allUIRoutes()...)
}

func (s *Server) apiRoutes() []route {
	const rel = "/api/v1/products/{product}/releases/{version}"
	return []route{
		{"GET /healthz", "", false, s.health},
		{"GET /api/v1/openapi.json", "", false, s.openAPI},
		{"GET /api/v1/me", permAuthenticated, false, s.apiMe},

		{"GET /api/v1/products", cradle.PermRead, false, s.apiListProducts},
		{"POST /api/v1/products", cradle.PermWriteProduct, false, s.apiCreateProduct},
		{"GET /api/v1/products/{product}", cradle.PermRead, false, s.apiGetProduct},
		{"PUT /api/v1/products/{product}", cradle.PermWriteProduct, false, s.apiUpdateProduct},

		{"GET /api/v1/products/{product}/releases", cradle.PermRead, false, s.apiListReleases},
		{"POST /api/v1/products/{product}/releases", cradle.PermWriteRelease, false, s.apiCreateRelease},
		{"GET " + rel, cradle.PermRead, false, s.apiGetRelease},
		{"PUT " + rel, cradle.PermWriteRelease, false, s.apiUpdateRelease},
		{"GET " + rel + "/components", cradle.PermRead, false, s.apiListComponents},
		{"GET " + rel + "/components/{id}", cradle.PermRead, false, s.apiGetComponent},
		{"GET " + rel + "/sboms", cradle.PermRead, false, s.apiListSBOMs},
		{"POST " + rel + "/sboms", cradle.PermImportSBOM, false, s.apiImportSBOM},
		{"GET " + rel + "/sboms/{id}", cradle.PermRead, false, s.apiGetSBOMContent},
		{"GET " + rel + "/sbom", cradle.PermRead, false, s.apiExportSBOM},

		{"GET /api/v1/components", cradle.PermRead, false, s.apiSearchComponents},

		{"GET /api/v1/findings", cradle.PermRead, false, s.apiListFindings},
		{"GET /api/v1/vulns/{id}", cradle.PermRead, false, s.apiGetVuln},
		{"GET /api/v1/vulns/{id}/impact", cradle.PermRead, false, s.apiVulnImpact},
		{"GET /api/v1/vulndb/status", cradle.PermRead, false, s.apiVulnDBStatus},
		{"POST /api/v1/vulndb/rematch", cradle.PermWriteProduct, false, s.apiRematch},

		{"GET /api/v1/events", cradle.PermRead, false, s.apiListEvents},
		{"GET /api/v1/webhooks", cradle.PermManageUsers, false, s.apiListWebhooks},
		{"POST /api/v1/webhooks", cradle.PermManageUsers, false, s.apiCreateWebhook},
		{"GET /api/v1/webhooks/deliveries", cradle.PermManageUsers, false, s.apiListDeliveries},

		{"GET /api/v1/users", cradle.PermManageUsers, false, s.apiListUsers},
		{"POST /api/v1/users", cradle.PermManageUsers, false, s.apiCreateUser},
		{"PUT /api/v1/users/{id}", cradle.PermManageUsers, false, s.apiUpdateUser},
		{"GET /api/v1/tokens", cradle.PermManageUsers, false, s.apiListTokens},
		{"POST /api/v1/tokens", cradle.PermManageUsers, false, s.apiCreateToken},
		{"DELETE /api/v1/tokens/{id}", cradle.PermManageUsers, false, s.apiRevokeToken},

		{"GET /api/v1/audit", cradle.PermReadAudit, false, s.apiListAudit},
		{"GET /api/v1/audit/verify", cradle.PermReadAudit, false, s.apiVerifyAudit},
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.CheckSchema(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": cradle.ErrorMessage(err)})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}
