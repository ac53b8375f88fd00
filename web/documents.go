package web

import (
	"net/http"
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/catalog"
	"github.com/cradle-sdl/cradle/compliance"
)

// Compliance documents for download: GET .../documents/{kind}?format=pdf|html,
// as API routes (token) and UI routes (session, error pages).

func (s *Server) documentAPIRoutes() []route {
	return []route{
		{"GET /api/v1/products/{product}/documents/{kind}", cradle.PermRead, false, s.productDocument},
		{"GET /api/v1/compliance/organisation/documents/self-assessment", cradle.PermRead, false, s.organisationDocument},
	}
}

func (s *Server) documentUIRoutes() []route {
	return []route{
		{"GET /products/{product}/documents/{kind}", cradle.PermRead, true, s.productDocument},
		{"GET /compliance/organisation/documents/self-assessment", cradle.PermRead, true, s.organisationDocument},
	}
}

// DocumentKinds are the documents a product has.
var DocumentKinds = []string{"self-assessment", "soa", "declaration", "simplified-declaration", "user-information", "technical-documentation"}

func (s *Server) productDocument(w http.ResponseWriter, r *http.Request) error {
	product, kind := r.PathValue("product"), r.PathValue("kind")
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "pdf"
	}
	if format != "pdf" && format != "html" {
		return cradle.Invalid("invalid format", cradle.Problem{Location: "format", Message: "must be pdf or html; found " + format})
	}
	if !slices.Contains(DocumentKinds, kind) {
		return cradle.Errorf(cradle.ENotFound, "no document %q: there are %s", kind, strings.Join(DocumentKinds, ", "))
	}
	ctx := r.Context()
	name := safeFilename(product) + "-" + kind
	var doc *compliance.Document
	var err error
	switch kind {
	case "self-assessment":
		doc, err = s.cs.SelfAssessment(ctx, product)
	case "soa":
		cat := q.Get("catalog")
		if cat == "" {
			cat = catalog.IEC62443_4_1
		}
		doc, err = s.cs.StatementOfApplicability(ctx, product, cat)
	case "declaration":
		doc, err = s.cs.Declaration(ctx, product)
	case "simplified-declaration":
		doc, err = s.cs.SimplifiedDeclaration(ctx, product, q.Get("url"))
	case "user-information":
		doc, err = s.cs.UserInformation(ctx, product)
	case "technical-documentation":
		zip, err := s.cs.TechnicalDocumentation(ctx, product)
		if err != nil {
			return err
		}
		return download(w, "application/zip", name+".zip", zip)
	}
	if err != nil {
		return err
	}
	return writeDocument(w, doc, name, format)
}

func (s *Server) organisationDocument(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "pdf"
	}
	if format != "pdf" && format != "html" {
		return cradle.Invalid("invalid format", cradle.Problem{Location: "format", Message: "must be pdf or html; found " + format})
	}
	doc, err := s.cs.SelfAssessment(r.Context(), "")
	if err != nil {
		return err
	}
	return writeDocument(w, doc, "organisation-self-assessment", format)
}

func writeDocument(w http.ResponseWriter, doc *compliance.Document, name, format string) error {
	if format == "html" {
		b, err := doc.HTML()
		if err != nil {
			return err
		}
		return download(w, "text/html; charset=utf-8", name+".html", b)
	}
	b, err := doc.PDF()
	if err != nil {
		return err
	}
	return download(w, "application/pdf", name+".pdf", b)
}

// download sends a generated file as an attachment: never rendered inside
// the application's origin.
func download(w http.ResponseWriter, contentType, filename string, b []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Content-Security-Policy", "sandbox")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
