package web

import (
	"net/http"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/psirt"
)

type portfolioView struct {
	base
	Products []*cradle.Product
	Pager    pager
	Exposure *exposure
}

func (s *Server) uiPortfolio(w http.ResponseWriter, r *http.Request) error {
	pg := uiPage(r)
	items, total, err := s.db.ListProducts(r.Context(), pg)
	if err != nil {
		return err
	}
	v := &portfolioView{Products: items, Pager: newPager(r, pg, total, "product products")}
	if total > 0 {
		if v.Exposure, err = s.exposure(r.Context(), time.Now()); err != nil {
			return err
		}
	}
	v.Title, v.Nav = "Portfolio", "portfolio"
	return s.render(w, r, http.StatusOK, "portfolio", v)
}

// productFields are the form fields of a product, named like the
// locations of cradle.Product's validation problems.
var productFields = []string{"name", "description", "manufacturer", "intended_purpose", "cra_class",
	"support_start", "support_end", "support_rationale", "member_states", "model_numbers"}

type productFormView struct {
	base
	Form    *form
	Editing string // the product's current name when editing
}

func productForm(p *cradle.Product) *form {
	return newForm(map[string]string{
		"name": p.Name, "description": p.Description, "manufacturer": p.Manufacturer,
		"intended_purpose": p.IntendedPurpose, "cra_class": string(p.Class), "support_start": p.SupportStart,
		"support_end": p.SupportEnd, "support_rationale": p.SupportRationale, "member_states": strings.Join(p.MemberStates, ", "), "model_numbers": strings.Join(p.ModelNumbers, ", "),
	})
}

func productFromForm(f *form) *cradle.Product {
	return &cradle.Product{Name: f.Val("name"), Description: f.Val("description"), Manufacturer: f.Val("manufacturer"),
		IntendedPurpose: f.Val("intended_purpose"), Class: cradle.CRAClass(f.Val("cra_class")),
		SupportStart: f.Val("support_start"), SupportEnd: f.Val("support_end"), SupportRationale: f.Val("support_rationale"),
		MemberStates: strings.FieldsFunc(f.Val("member_states"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }),
		ModelNumbers: strings.Split(f.Val("model_numbers"), ",")}
}

func (s *Server) renderProductForm(w http.ResponseWriter, r *http.Request, status int, f *form, editing string) error {
	v := &productFormView{Form: f, Editing: editing}
	v.Nav = "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}}
	if editing == "" {
		v.Title = "New product"
	} else {
		v.Title = "Edit " + editing
		v.Crumbs = append(v.Crumbs, crumb{editing, productURL(editing)})
	}
	return s.render(w, r, status, "product_form", v)
}

func (s *Server) uiNewProduct(w http.ResponseWriter, r *http.Request) error {
	return s.renderProductForm(w, r, http.StatusOK, productForm(&cradle.Product{Class: cradle.ClassDefault}), "")
}

func (s *Server) uiCreateProduct(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, productFields...)
	p := productFromForm(f)
	if err := s.db.CreateProduct(r.Context(), actorOf(r, "ui"), p); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderProductForm(w, r, f.fail(err), f, "")
	}
	return s.redirectFlash(w, r, productURL(p.Name), "product-created")
}

func (s *Server) uiEditProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Product(r.Context(), r.PathValue("product"))
	if err != nil {
		return err
	}
	return s.renderProductForm(w, r, http.StatusOK, productForm(p), p.Name)
}

func (s *Server) uiUpdateProduct(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("product")
	f := s.readForm(r, productFields...)
	p := productFromForm(f)
	if err := s.db.UpdateProduct(r.Context(), actorOf(r, "ui"), name, p); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderProductForm(w, r, f.fail(err), f, name)
	}
	return s.redirectFlash(w, r, productURL(p.Name), "product-saved")
}

// isUserError reports whether err is something the person can fix in the
// form they sent (as opposed to a missing product or an outage).
func isUserError(err error) bool {
	switch cradle.ErrorCode(err) {
	case cradle.EInvalid, cradle.EConflict:
		return true
	}
	return false
}

type productView struct {
	base
	Product     *cradle.Product
	Support     support
	Releases    []*cradle.Release
	Pager       pager
	ReleaseForm *form
	AuditURL    string
	VEXResult   *psirt.VEXImport
	VEXError    *vexError
}

type vexError struct {
	Message  string
	Problems []cradle.Problem
}

var releaseFields = []string{"version", "release_date", "lifecycle"}

func (s *Server) renderProduct(w http.ResponseWriter, r *http.Request, status int, relForm *form, extra ...func(v *productView)) error {
	p, err := s.db.Product(r.Context(), r.PathValue("product"))
	if err != nil {
		return err
	}
	pg := uiPage(r)
	rels, total, err := s.db.ListReleases(r.Context(), p.Name, pg)
	if err != nil {
		return err
	}
	if relForm == nil {
		relForm = newForm(map[string]string{"version": "", "release_date": "", "lifecycle": string(cradle.LifecycleDevelopment)})
	}
	v := &productView{Product: p, Support: supportOf(p), Releases: rels, Pager: newPager(r, pg, total, "release releases"), ReleaseForm: relForm}
	v.Title, v.Nav = p.Name, "portfolio"
	v.Crumbs = []crumb{{"Portfolio", "/"}}
	v.AuditURL = "/audit?entity_type=product&entity_id=" + itoa64(p.ID)
	for _, fn := range extra {
		fn(v)
	}
	return s.render(w, r, status, "product", v)
}

func (s *Server) uiProduct(w http.ResponseWriter, r *http.Request) error {
	return s.renderProduct(w, r, http.StatusOK, nil)
}

func (s *Server) uiCreateRelease(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, releaseFields...)
	rel := &cradle.Release{Version: f.Val("version"), ReleaseDate: f.Val("release_date"), Lifecycle: cradle.Lifecycle(f.Val("lifecycle"))}
	if err := s.db.CreateRelease(r.Context(), actorOf(r, "ui"), r.PathValue("product"), rel); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderProduct(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, releaseURL(rel.ProductName, rel.Version), "release-created")
}
