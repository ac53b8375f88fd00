package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// historyShown bounds the SBOM history on the release page; a release
// rarely has more, and the API lists all of them.
const historyShown = 20

type releaseView struct {
	base
	Release     *cradle.Release
	Current     *cradle.SBOMDocument
	History     []*cradle.SBOMDocument
	HistoryMore int
	Components  []cradle.Component
	Pager       pager
	Query       string
	Relation    string
	FilterError string
	EditForm    *form
	APIBase     string
	AuditURL    string
	Vulns       *releaseFindings // nil without an SBOM
}

func (s *Server) renderRelease(w http.ResponseWriter, r *http.Request, status int, edit *form) error {
	ctx := r.Context()
	product, version := r.PathValue("product"), r.PathValue("version")
	rel, err := s.db.Release(ctx, product, version)
	if err != nil {
		return err
	}
	v := &releaseView{Release: rel, Query: strings.TrimSpace(r.URL.Query().Get("q")), Relation: r.URL.Query().Get("relation")}
	if v.Relation != "direct" && v.Relation != "transitive" {
		v.Relation = ""
	}
	hist, histTotal, err := s.db.ListSBOMs(ctx, product, version, cradle.Page{PerPage: historyShown})
	if err != nil {
		return err
	}
	v.History, v.HistoryMore = hist, histTotal-len(hist)
	if v.Current, err = s.currentSBOM(r, rel, hist); err != nil {
		return err
	}
	pg := uiPage(r)
	comps, total, err := s.db.ListComponents(ctx, product, version, store.ComponentFilter{Query: v.Query, Relation: v.Relation}, pg)
	if cradle.ErrorCode(err) == cradle.EInvalid {
		v.FilterError = cradle.ErrorMessage(err)
	} else if err != nil {
		return err
	}
	v.Components, v.Pager = comps, newPagerParam(r, "page", "components", pg, total, "component components")
	if rel.CurrentSBOMID != 0 {
		if v.Vulns, err = s.releaseFindings(r, rel); err != nil {
			return err
		}
	}
	if edit == nil {
		edit = newForm(map[string]string{"version": rel.Version, "release_date": rel.ReleaseDate, "lifecycle": string(rel.Lifecycle)})
	}
	v.EditForm = edit
	v.APIBase = "/api/v1" + releaseURL(rel.ProductName, rel.Version)
	v.AuditURL = "/audit?entity_type=release&entity_id=" + itoa64(rel.ID)
	v.Title, v.Nav = rel.ProductName+" "+rel.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)}}
	return s.render(w, r, status, "release", v)
}

// currentSBOM finds the release's current SBOM summary. It is normally the
// newest in the history; after an older document was re-imported it may
// be further back, and the history is paged through to find it.
func (s *Server) currentSBOM(r *http.Request, rel *cradle.Release, first []*cradle.SBOMDocument) (*cradle.SBOMDocument, error) {
	if rel.CurrentSBOMID == 0 {
		return nil, nil
	}
	for _, d := range first {
		if d.ID == rel.CurrentSBOMID {
			return d, nil
		}
	}
	for n := 1; n <= 20; n++ {
		page, total, err := s.db.ListSBOMs(r.Context(), rel.ProductName, rel.Version, cradle.Page{Number: n, PerPage: cradle.MaxPerPage})
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			if d.ID == rel.CurrentSBOMID {
				return d, nil
			}
		}
		if n*cradle.MaxPerPage >= total {
			break
		}
	}
	return nil, nil
}

func (s *Server) uiRelease(w http.ResponseWriter, r *http.Request) error {
	return s.renderRelease(w, r, http.StatusOK, nil)
}

func (s *Server) uiUpdateRelease(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, releaseFields...)
	rel := &cradle.Release{Version: f.Val("version"), ReleaseDate: f.Val("release_date"), Lifecycle: cradle.Lifecycle(f.Val("lifecycle"))}
	product := r.PathValue("product")
	if err := s.db.UpdateRelease(r.Context(), actorOf(r, "ui"), product, r.PathValue("version"), rel); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderRelease(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, releaseURL(product, rel.Version), "release-saved")
}

type componentView struct {
	base
	Release  *cradle.Release
	Detail   *store.ComponentDetail
	Findings []cradle.Finding
}

func (s *Server) uiComponent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	product, version := r.PathValue("product"), r.PathValue("version")
	rel, err := s.db.Release(r.Context(), product, version)
	if err != nil {
		return err
	}
	d, err := s.db.Component(r.Context(), product, version, id)
	if err != nil {
		return err
	}
	v := &componentView{Release: rel, Detail: d}
	if v.Findings, err = s.componentFindings(r.Context(), rel, id); err != nil {
		return err
	}
	v.Title, v.Nav = d.Component.Name+" "+d.Component.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)},
		{rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return s.render(w, r, http.StatusOK, "component", v)
}

type uploadView struct {
	base
	Release  *cradle.Release
	MaxSize  int64
	Filename string
	// Outcome, on the result page.
	Result   *store.ImportResult
	Status   int
	Message  string
	Problems []cradle.Problem
	More     int
}

func (s *Server) uploadView(r *http.Request) (*uploadView, error) {
	rel, err := s.db.Release(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	v := &uploadView{Release: rel, MaxSize: s.cfg.MaxUploadSize}
	v.Title, v.Nav = "Upload SBOM for "+rel.ProductName+" "+rel.Version, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}, {rel.ProductName, productURL(rel.ProductName)},
		{rel.Version, releaseURL(rel.ProductName, rel.Version)}}
	return v, nil
}

func (s *Server) uiUploadForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.uploadView(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "upload", v)
}

func (s *Server) uiUpload(w http.ResponseWriter, r *http.Request) error {
	v, err := s.uploadView(r)
	if err != nil {
		return err
	}
	res, err := s.uploadSBOM(r, v)
	if err != nil {
		if cradle.ErrorCode(err) == cradle.EInternal {
			return err
		}
		v.Status = statusOf(cradle.ErrorCode(err))
		v.Message = cradle.ErrorMessage(err)
		v.Problems, v.More = capProblems(cradle.ErrorProblems(err))
		v.Title = "SBOM not imported"
		return s.render(w, r, v.Status, "upload_result", v)
	}
	v.Result, v.Status = res, http.StatusOK
	v.Title = "SBOM imported"
	if res.Unchanged {
		v.Title = "SBOM already current"
	}
	return s.render(w, r, http.StatusOK, "upload_result", v)
}

// readUpload reads the "file" part of a multipart form, bounded by limit
// (the form is bounded before it is parsed); missing is the error when no
// file was chosen. It returns the content and the file name as sent.
func (s *Server) readUpload(r *http.Request, limit int64, missing error) ([]byte, string, error) {
	if r.ContentLength > limit+1<<20 {
		return nil, "", cradle.Errorf(cradle.ETooLarge, "the upload is %s, larger than the limit of %s", byteSize(r.ContentLength), byteSize(limit))
	}
	if r.MultipartForm == nil {
		r.Body = http.MaxBytesReader(nil, r.Body, limit+1<<20)
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", cradle.Errorf(cradle.ETooLarge, "the upload is larger than the limit of %s", byteSize(limit))
			}
			return nil, "", cradle.Invalid("the upload could not be read: send the form with a file chosen")
		}
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", missing
	}
	defer f.Close()
	if hdr.Size > limit {
		return nil, hdr.Filename, cradle.Errorf(cradle.ETooLarge, "%s is %s, larger than the limit of %s", hdr.Filename, byteSize(hdr.Size), byteSize(limit))
	}
	raw, err := sbom.ReadLimited(f, limit)
	return raw, hdr.Filename, err
}

// uploadSBOM reads the file part of the upload form, bounded by the
// upload limit, and imports it.
func (s *Server) uploadSBOM(r *http.Request, v *uploadView) (*store.ImportResult, error) {
	raw, name, err := s.readUpload(r, s.cfg.MaxUploadSize, cradle.Invalid("no file was uploaded: choose an SBOM file", cradle.Problem{Location: "file", Message: "is required"}))
	v.Filename = name
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, cradle.Invalid("the uploaded file is empty", cradle.Problem{Location: name, Message: "has no content"})
	}
	res, err := s.importSBOM(r, "ui", v.Release.ProductName, v.Release.Version, name, raw)
	if err != nil {
		return nil, err
	}
	return res.ImportResult, nil
}
