package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
)

// Advisories, PSIRT settings, the signing key, CSAF validation of any
// document, and the public security.txt and CSAF provider tree.

func (s *Server) advisoryAPIRoutes() []route {
	return []route{
		{"GET /api/v1/advisories", cradle.PermRead, false, s.apiListAdvisories},
		{"POST /api/v1/cases/{ref}/advisories", cradle.PermTriage, false, s.apiCreateAdvisory},
		{"GET /api/v1/advisories/{id}", cradle.PermRead, false, s.apiGetAdvisory},
		{"PUT /api/v1/advisories/{id}", cradle.PermTriage, false, s.apiUpdateAdvisory},
		{"GET /api/v1/advisories/{id}/csaf", cradle.PermRead, false, s.apiAdvisoryCSAF},
		{"POST /api/v1/advisories/{id}/publish", cradle.PermPublish, false, s.apiPublishAdvisory},
		{"POST /api/v1/csaf/validate", cradle.PermRead, false, s.apiValidateCSAF},
		{"GET /api/v1/settings/psirt", cradle.PermRead, false, s.apiGetPSIRTSettings},
		{"PUT /api/v1/settings/psirt", cradle.PermPSIRTConfig, false, s.apiPutPSIRTSettings},
		{"GET /api/v1/settings/signing-key", cradle.PermRead, false, s.apiGetSigningKey},
		{"POST /api/v1/settings/signing-key", cradle.PermPSIRTConfig, false, s.apiSetSigningKey},

		{"POST /api/v1/products/{product}/vex", cradle.PermTriage, false, s.apiImportVEX},
		{"GET /api/v1/products/{product}/vex", cradle.PermRead, false, s.apiExportVEX},

		{"GET /.well-known/security.txt", "", false, s.securityTxt},
		{"GET /.well-known/csaf/", "", false, s.csafTree},
	}
}

// AdvisoryView is an advisory with its CSAF validation result.
type AdvisoryView struct {
	*cradle.Advisory
	Validation *ValidationReport `json:"validation,omitempty"`
}

// ValidationReport is a CSAF validation result.
type ValidationReport struct {
	Valid       bool           `json:"valid"`
	FailedTests []string       `json:"failed_tests"`
	Errors      []csaf.Finding `json:"errors"`
	Warnings    []csaf.Finding `json:"warnings"`
}

func reportOf(r *csaf.Report) *ValidationReport {
	v := &ValidationReport{Valid: r.Valid(), FailedTests: r.FailedTests(), Errors: r.Errors, Warnings: r.Warnings}
	if v.FailedTests == nil {
		v.FailedTests = []string{}
	}
	if v.Errors == nil {
		v.Errors = []csaf.Finding{}
	}
	if v.Warnings == nil {
		v.Warnings = []csaf.Finding{}
	}
	return v
}

func (s *Server) apiListAdvisories(w http.ResponseWriter, r *http.Request) error {
	as, err := s.db.ListAdvisories(r.Context(), r.URL.Query().Get("case"), r.URL.Query().Get("published") == "true")
	if err != nil {
		return err
	}
	if as == nil {
		as = []*cradle.Advisory{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": as})
	return nil
}

// advisoryInput is the editable part of an advisory.
type advisoryInput struct {
	TrackingID      string   `json:"tracking_id"`
	Category        string   `json:"category"`
	Title           string   `json:"title"`
	TLP             string   `json:"tlp"`
	Summary         string   `json:"summary"`
	Details         string   `json:"details"`
	Workaround      string   `json:"workaround"`
	References      []string `json:"references"`
	Acknowledgments []string `json:"acknowledgments"`
}

func (in advisoryInput) apply(a *cradle.Advisory) {
	a.Category, a.Title, a.TLP, a.Summary, a.Details, a.Workaround = in.Category, in.Title, in.TLP, in.Summary, in.Details, in.Workaround
	a.References, a.Acknowledge = in.References, in.Acknowledgments
	if a.Category == "" {
		a.Category = csaf.CategorySecurityAdvisory
	}
}

func (s *Server) apiCreateAdvisory(w http.ResponseWriter, r *http.Request) error {
	var in advisoryInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	st, _, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	a := &cradle.Advisory{CaseRef: c.Ref, TrackingID: strings.TrimSpace(in.TrackingID)}
	in.apply(a)
	if err := s.db.CreateAdvisory(r.Context(), actorOf(r, "api"), a, st.TrackingPrefix); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/advisories/"+pathEscape(a.TrackingID))
	writeJSON(w, http.StatusCreated, AdvisoryView{Advisory: a})
	return nil
}

func (s *Server) apiGetAdvisory(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Advisory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := AdvisoryView{Advisory: a}
	if _, rep, err := s.ps.RenderAdvisory(r.Context(), a); err == nil {
		v.Validation = reportOf(rep)
	} else if !isUserError(err) {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiUpdateAdvisory(w http.ResponseWriter, r *http.Request) error {
	var in advisoryInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.db.UpdateAdvisory(r.Context(), actorOf(r, "api"), r.PathValue("id"), func(a *cradle.Advisory) error {
		in.apply(a)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AdvisoryView{Advisory: a})
	return nil
}

// apiAdvisoryCSAF returns the CSAF document: the published revision, or
// with ?preview=true (and always for a draft) the document as it would be
// published now, with X-CSAF-Valid saying whether it passes.
func (s *Server) apiAdvisoryCSAF(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Advisory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	body := a.Document
	valid := "true"
	if body == nil || r.URL.Query().Get("preview") == "true" {
		b, rep, err := s.ps.RenderAdvisory(r.Context(), a)
		if err != nil {
			return err
		}
		body = b
		if !rep.Valid() {
			valid = "false"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+csaf.Filename(a.TrackingID)+`"`)
	w.Header().Set("X-CSAF-Valid", valid)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

func (s *Server) apiPublishAdvisory(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status  string `json:"status"`
		Summary string `json:"summary"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.ps.Publish(r.Context(), actorOf(r, "api"), r.PathValue("id"), in.Status, in.Summary)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AdvisoryView{Advisory: a})
	return nil
}

// apiValidateCSAF validates any CSAF 2.0 document sent as the body.
func (s *Server) apiValidateCSAF(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > s.cfg.MaxUploadSize {
		return cradle.Errorf(cradle.ETooLarge, "the document is larger than the limit of %d bytes", s.cfg.MaxUploadSize)
	}
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	rep, err := csaf.Validate("document", data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportOf(rep))
	return nil
}

func (s *Server) apiGetPSIRTSettings(w http.ResponseWriter, r *http.Request) error {
	st, _, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiPutPSIRTSettings(w http.ResponseWriter, r *http.Request) error {
	var st cradle.PSIRTSettings
	if err := decodeJSON(r, &st); err != nil {
		return err
	}
	if err := st.Validate(); err != nil {
		return err
	}
	if err := s.db.PutSetting(r.Context(), actorOf(r, "api"), "psirt", st, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// SigningKeyView is the public part of the PSIRT's OpenPGP key.
type SigningKeyView struct {
	Configured  bool   `json:"configured"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Source      string `json:"source,omitempty"`
	Public      string `json:"armored_public,omitempty"`
}

func (s *Server) apiGetSigningKey(w http.ResponseWriter, r *http.Request) error {
	_, info, err := s.ps.SigningKey(r.Context())
	if err != nil {
		return err
	}
	v := SigningKeyView{}
	if info != nil {
		v = SigningKeyView{Configured: true, Fingerprint: info.Fingerprint, Source: info.Source, Public: info.Public}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// apiSetSigningKey generates a key ({"generate": true}) or imports an
// armored private key.
func (s *Server) apiSetSigningKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Generate   bool   `json:"generate"`
		Armored    string `json:"armored_private"`
		Passphrase string `json:"passphrase"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Generate == (in.Armored != "") {
		return cradle.Invalid("invalid request", cradle.Problem{Location: "generate", Message: "either generate a key or give an armored private key, not both"})
	}
	if in.Generate {
		k, gerr := s.ps.GenerateSigningKey(r.Context(), actorOf(r, "api"))
		if gerr != nil {
			return gerr
		}
		writeJSON(w, http.StatusCreated, SigningKeyView{Configured: true, Fingerprint: k.Fingerprint, Source: k.Source, Public: k.Public})
		return nil
	}
	k, err := s.ps.ImportSigningKey(r.Context(), actorOf(r, "api"), []byte(in.Armored), []byte(in.Passphrase))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, SigningKeyView{Configured: true, Fingerprint: k.Fingerprint, Source: k.Source, Public: k.Public})
	return nil
}

func (s *Server) securityTxt(w http.ResponseWriter, r *http.Request) error {
	b, err := s.ps.SecurityTxt(r.Context())
	if err != nil {
		if cradle.ErrorCode(err) == cradle.ENotFound {
			http.Error(w, "security.txt is not configured", http.StatusNotFound)
			return nil
		}
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

// readBody reads a document sent as the request body, bounded by the
// upload limit.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxUploadSize))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, cradle.Errorf(cradle.ETooLarge, "the document is larger than the limit of %d bytes", s.cfg.MaxUploadSize)
	} else if err != nil {
		return nil, cradle.Invalid("the request body could not be read: " + err.Error())
	}
	return data, nil
}

// providerCache keeps the built CSAF tree until what it is built from
// changes (store.PublicationStamp), so documents are signed once.
type providerCache struct {
	mu      sync.Mutex
	stamp   string
	handler http.Handler
}

func (s *Server) csafTree(w http.ResponseWriter, r *http.Request) error {
	stamp, err := s.db.PublicationStamp(r.Context())
	if err != nil {
		return err
	}
	s.provider.mu.Lock()
	h := s.provider.handler
	if h == nil || s.provider.stamp != stamp {
		tree, err := s.ps.ProviderTree(r.Context())
		if err != nil {
			s.provider.mu.Unlock()
			if cradle.ErrorCode(err) == cradle.ENotFound {
				http.Error(w, "no CSAF documents are published here", http.StatusNotFound)
				return nil
			}
			// A public route: the details go to the log, not the caller.
			return fmt.Errorf("build the CSAF provider tree: %v", err)
		}
		h = http.StripPrefix("/.well-known/csaf", tree.Handler(allowTLP))
		s.provider.handler, s.provider.stamp = h, stamp
	}
	s.provider.mu.Unlock()
	h.ServeHTTP(w, r)
	return nil
}

// allowTLP admits signed-in users and tokens with read access to the
// GREEN, AMBER and RED distributions.
func allowTLP(r *http.Request, tlp string) bool {
	return principal(r).Can(cradle.PermRead)
}

// apiImportVEX applies a VEX document (the request body) to a product's
// findings; ?allow_unmatched=true skips statements that match nothing.
func (s *Server) apiImportVEX(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > s.cfg.MaxUploadSize {
		return cradle.Errorf(cradle.ETooLarge, "the document is larger than the limit of %d bytes", s.cfg.MaxUploadSize)
	}
	data, err := s.readBody(r)
	if err != nil {
		return err
	}
	res, err := s.ps.ImportVEX(r.Context(), actorOf(r, "api"), r.PathValue("product"), "document", data, r.URL.Query().Get("allow_unmatched") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// apiExportVEX writes the product's VEX in ?format=openvex (default),
// cyclonedx or csaf.
func (s *Server) apiExportVEX(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "openvex"
	}
	b, err := s.ps.ExportVEX(r.Context(), r.PathValue("product"), format)
	if err != nil {
		return err
	}
	ext := map[string]string{"openvex": ".openvex.json", "cyclonedx": ".cdx.json", "csaf": ".csaf.json"}[format]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFilename(r.PathValue("product"))+"-vex"+ext+`"`)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}
