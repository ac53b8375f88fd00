package web

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/csaf"
)

// Advisory pages, PSIRT settings, and the public CVD policy and advisory
// pages.

var advisoryUIPages = []string{"advisories", "advisory", "advisory_form", "advisory_view", "psirt_settings", "cvd_policy"}

func (s *Server) advisoryUIRoutes() []route {
	return []route{
		{"GET /advisories", cradle.PermRead, true, s.uiAdvisories},
		{"GET /cases/{ref}/advisories/new", cradle.PermTriage, true, s.uiNewAdvisory},
		{"POST /cases/{ref}/advisories", cradle.PermTriage, true, s.uiCreateAdvisory},
		{"GET /advisories/{id}", cradle.PermRead, true, s.uiAdvisory},
		{"POST /advisories/{id}", cradle.PermTriage, true, s.uiUpdateAdvisory},
		{"POST /advisories/{id}/publish", cradle.PermPublish, true, s.uiPublishAdvisory},
		{"GET /advisories/{id}/view", cradle.PermRead, true, s.uiAdvisoryView},
		{"GET /security/advisories/{id}", "", true, s.uiPublicAdvisory},
		{"GET /security/policy", "", true, s.uiCVDPolicy},
		{"GET /settings/psirt", cradle.PermRead, true, s.uiPSIRTSettings},
		{"POST /settings/psirt", cradle.PermPSIRTConfig, true, s.uiSavePSIRTSettings},
		{"POST /settings/psirt/key", cradle.PermPSIRTConfig, true, s.uiSigningKey},
		{"POST /products/{product}/vex", cradle.PermTriage, true, s.uiImportVEX},
	}
}

func init() {
	addFlashes(map[string]string{
		"advisory-created":   "Draft advisory created.",
		"advisory-saved":     "Advisory saved; the changes go into its next revision.",
		"advisory-published": "Advisory published: the CSAF document is in the provider tree and subscribers are being notified.",
		"psirt-saved":        "PSIRT settings saved.",
		"key-generated":      "Signing key generated.",
		"key-imported":       "Signing key imported.",
	})
}

// CanPublish: CanTriage and CanPSIRTConfig are in ui_psirt.go.
func (b *base) CanPublish() bool { return b.can(cradle.PermPublish) }

type advisoriesView struct {
	base
	Advisories []*cradle.Advisory
	Tab        string
}

func (s *Server) uiAdvisories(w http.ResponseWriter, r *http.Request) error {
	as, err := s.db.ListAdvisories(r.Context(), "", false)
	if err != nil {
		return err
	}
	v := &advisoriesView{Advisories: as, Tab: "advisories"}
	v.Title, v.Nav = "Advisories", "cases"
	return s.render(w, r, http.StatusOK, "advisories", v)
}

var advisoryFields = []string{"tracking_id", "category", "title", "tlp", "summary", "details", "workaround", "references", "acknowledgments"}

type advisoryFormView struct {
	base
	Case *cradle.Case
	Form *form
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func advisoryFromForm(f *form, a *cradle.Advisory) {
	a.Category, a.Title, a.TLP = f.Val("category"), f.Val("title"), f.Val("tlp")
	a.Summary, a.Details, a.Workaround = f.Val("summary"), f.Val("details"), f.Val("workaround")
	a.References, a.Acknowledge = lines(f.Val("references")), lines(f.Val("acknowledgments"))
}

func (s *Server) uiNewAdvisory(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	summary := c.Description
	if summary == "" {
		summary = c.Title
	}
	f := newForm(map[string]string{"category": csaf.CategorySecurityAdvisory, "tlp": "WHITE", "title": c.Title, "summary": summary})
	return s.renderAdvisoryForm(w, r, http.StatusOK, c, f)
}

func (s *Server) renderAdvisoryForm(w http.ResponseWriter, r *http.Request, status int, c *cradle.Case, f *form) error {
	v := &advisoryFormView{Case: c, Form: f}
	v.Title, v.Nav = "New advisory for "+c.Ref, "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}, {c.Ref, "/cases/" + c.Ref}}
	return s.render(w, r, status, "advisory_form", v)
}

func (s *Server) uiCreateAdvisory(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Case(r.Context(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	f := s.readForm(r, advisoryFields...)
	a := &cradle.Advisory{CaseRef: c.Ref, TrackingID: strings.TrimSpace(f.Val("tracking_id"))}
	advisoryFromForm(f, a)
	st, _, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	if err := s.db.CreateAdvisory(r.Context(), actorOf(r, "ui"), a, st.TrackingPrefix); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderAdvisoryForm(w, r, f.fail(err), c, f)
	}
	return s.redirectFlash(w, r, "/advisories/"+pathEscape(a.TrackingID), "advisory-created")
}

type advisoryView struct {
	base
	Advisory   *cradle.Advisory
	Case       *cradle.Case
	Form       *form
	Publish    *form
	Validation *ValidationReport
	// Problem says why no document could be built (no release status,
	// publisher not configured).
	Problem string
	Next    string
	Public  bool
}

func (s *Server) advisoryPage(r *http.Request, id string) (*advisoryView, error) {
	a, err := s.db.Advisory(r.Context(), id)
	if err != nil {
		return nil, err
	}
	c, err := s.db.Case(r.Context(), a.CaseRef)
	if err != nil {
		return nil, err
	}
	v := &advisoryView{Advisory: a, Case: c, Next: strconv.Itoa(mustAtoi(a.Version) + 1)}
	_, rep, err := s.ps.RenderAdvisory(r.Context(), a)
	switch {
	case err == nil:
		v.Validation = reportOf(rep)
	case isUserError(err) || cradle.ErrorCode(err) == cradle.ENotFound:
		v.Problem = cradle.ErrorMessage(err)
	default:
		return nil, err
	}
	v.Title, v.Nav = a.TrackingID, "cases"
	v.Crumbs = []crumb{{"Advisories", "/advisories"}}
	return v, nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func advisoryForm(a *cradle.Advisory) *form {
	return newForm(map[string]string{"category": a.Category, "title": a.Title, "tlp": a.TLP, "summary": a.Summary, "details": a.Details,
		"workaround": a.Workaround, "references": strings.Join(a.References, "\n"), "acknowledgments": strings.Join(a.Acknowledge, "\n")})
}

func (s *Server) uiAdvisory(w http.ResponseWriter, r *http.Request) error {
	v, err := s.advisoryPage(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	v.Form = advisoryForm(v.Advisory)
	status := "final"
	v.Publish = newForm(map[string]string{"status": status, "summary": map[bool]string{true: "Initial public release", false: ""}[len(v.Advisory.Revisions) == 0]})
	return s.render(w, r, http.StatusOK, "advisory", v)
}

func (s *Server) uiUpdateAdvisory(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, advisoryFields...)
	_, err := s.db.UpdateAdvisory(r.Context(), actorOf(r, "ui"), r.PathValue("id"), func(a *cradle.Advisory) error {
		advisoryFromForm(f, a)
		return nil
	})
	if err != nil {
		if !isUserError(err) {
			return err
		}
		v, perr := s.advisoryPage(r, r.PathValue("id"))
		if perr != nil {
			return perr
		}
		status := f.fail(err)
		v.Form = f
		v.Publish = newForm(map[string]string{"status": "final"})
		return s.render(w, r, status, "advisory", v)
	}
	return s.redirectFlash(w, r, "/advisories/"+pathEscape(r.PathValue("id")), "advisory-saved")
}

func (s *Server) uiPublishAdvisory(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "status", "summary")
	_, err := s.ps.Publish(r.Context(), actorOf(r, "ui"), r.PathValue("id"), f.Val("status"), f.Val("summary"))
	if err != nil {
		if !isUserError(err) {
			return err
		}
		v, perr := s.advisoryPage(r, r.PathValue("id"))
		if perr != nil {
			return perr
		}
		status := f.fail(err)
		v.Form, v.Publish = advisoryForm(v.Advisory), f
		return s.render(w, r, status, "advisory", v)
	}
	return s.redirectFlash(w, r, "/advisories/"+pathEscape(r.PathValue("id")), "advisory-published")
}

// advisoryReadable is the human-readable advisory: the CSAF document's
// content laid out for people (DM-5, Annex I Part II (4)).
type advisoryReadable struct {
	base
	Advisory *cradle.Advisory
	Doc      *csaf.Document
	Names    map[string]string // product ID → full product name
	Draft    bool
	Public   bool
}

func (s *Server) readable(r *http.Request, a *cradle.Advisory) (*advisoryReadable, error) {
	data := a.Document
	draft := data == nil
	if draft {
		b, _, err := s.ps.RenderAdvisory(r.Context(), a)
		if err != nil {
			return nil, err
		}
		data = b
	}
	var doc csaf.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	v := &advisoryReadable{Advisory: a, Doc: &doc, Names: map[string]string{}, Draft: draft}
	var walk func(bs []csaf.Branch)
	walk = func(bs []csaf.Branch) {
		for _, b := range bs {
			if b.Product != nil {
				v.Names[b.Product.ProductID] = b.Product.Name
			}
			walk(b.Branches)
		}
	}
	if doc.ProductTree != nil {
		walk(doc.ProductTree.Branches)
	}
	v.Title = a.TrackingID + ": " + doc.Document.Title
	return v, nil
}

func (s *Server) uiAdvisoryView(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Advisory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.readable(r, a)
	if err != nil {
		return err
	}
	v.Nav = "cases"
	v.Crumbs = []crumb{{"Advisories", "/advisories"}, {a.TrackingID, "/advisories/" + pathEscape(a.TrackingID)}}
	return s.render(w, r, http.StatusOK, "advisory_view", v)
}

// uiPublicAdvisory shows a published TLP:WHITE advisory to anyone; any
// other advisory does not exist for the public.
func (s *Server) uiPublicAdvisory(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Advisory(r.Context(), r.PathValue("id"))
	if err != nil || a.Document == nil || publishedTLP(a) != "WHITE" {
		return cradle.Errorf(cradle.ENotFound, "no published advisory %s", r.PathValue("id"))
	}
	v, err := s.readable(r, a)
	if err != nil {
		return err
	}
	v.Public = true
	return s.render(w, r, http.StatusOK, "advisory_view", v)
}

type cvdView struct {
	base
	Policy     template.HTML
	Configured bool
	Published  []*cradle.Advisory
}

// uiCVDPolicy publishes the coordinated vulnerability disclosure policy
// (CRA Annex I Part II (5)) and the public advisories.
func (s *Server) uiCVDPolicy(w http.ResponseWriter, r *http.Request) error {
	st, ok, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	contact := ""
	for _, c := range st.Contacts {
		contact = strings.TrimPrefix(c, "mailto:")
		break
	}
	text := strings.NewReplacer("{{.ReportURL}}", st.BaseURL+"/report", "{{.Contact}}", contact,
		"{{.CSAFURL}}", st.BaseURL+"/.well-known/csaf/provider-metadata.json", "{{.Publisher}}", st.PublisherName).Replace(st.CVDPolicy)
	v := &cvdView{Policy: renderPlainMarkdown(text), Configured: ok}
	all, err := s.db.ListAdvisories(r.Context(), "", true)
	if err != nil {
		return err
	}
	for _, a := range all {
		// What was published decides, not the columns edited since.
		if publishedTLP(a) == "WHITE" {
			pub := *a
			pub.Title = publishedTitle(a)
			v.Published = append(v.Published, &pub)
		}
	}
	v.Title = "Vulnerability disclosure policy"
	return s.render(w, r, http.StatusOK, "cvd_policy", v)
}

// renderPlainMarkdown renders a small, safe subset of Markdown: "#"
// headings, "-" lists and paragraphs. Every character of the text is
// escaped: the policy is shown publicly and must never carry markup.
func renderPlainMarkdown(text string) template.HTML {
	var b strings.Builder
	inList := false
	para := []string{}
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + template.HTMLEscapeString(strings.Join(para, " ")) + "</p>\n")
			para = para[:0]
		}
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
	}
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			flush()
		case strings.HasPrefix(t, "#"):
			flush()
			level := min(len(t)-len(strings.TrimLeft(t, "#"))+1, 4)
			tag := "h" + strconv.Itoa(level)
			b.WriteString("<" + tag + ">" + template.HTMLEscapeString(strings.TrimSpace(strings.TrimLeft(t, "#"))) + "</" + tag + ">\n")
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			if len(para) > 0 {
				b.WriteString("<p>" + template.HTMLEscapeString(strings.Join(para, " ")) + "</p>\n")
				para = para[:0]
			}
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			b.WriteString("<li>" + template.HTMLEscapeString(strings.TrimSpace(t[2:])) + "</li>\n")
		default:
			if inList {
				b.WriteString("</ul>\n")
				inList = false
			}
			para = append(para, t)
		}
	}
	flush()
	return template.HTML(b.String()) // every piece of text above is escaped
}

var psirtFields = []string{"contacts", "preferred_languages", "expires_days", "acknowledgments_url", "hiring_url", "base_url", "sign_security_txt",
	"cvd_policy", "publisher_name", "publisher_namespace", "publisher_contact", "tracking_prefix", "intake_enabled"}

type psirtSettingsView struct {
	base
	Tab        string
	Form       *form
	Configured bool
	Key        *SigningKeyView
	KeyForm    *form
	SecTxt     string
}

func psirtForm(st cradle.PSIRTSettings) *form {
	sign, intake := "", ""
	if st.SignTxt {
		sign = "on"
	}
	if st.IntakeEnabled {
		intake = "on"
	}
	return newForm(map[string]string{"contacts": strings.Join(st.Contacts, "\n"), "preferred_languages": strings.Join(st.PreferredLanguages, ", "),
		"expires_days": strconv.Itoa(st.ExpiresDays), "acknowledgments_url": st.Acknowledgments, "hiring_url": st.Hiring, "base_url": st.BaseURL,
		"sign_security_txt": sign, "cvd_policy": st.CVDPolicy, "publisher_name": st.PublisherName, "publisher_namespace": st.PublisherNamespace,
		"publisher_contact": st.PublisherContact, "tracking_prefix": st.TrackingPrefix, "intake_enabled": intake})
}

func (s *Server) renderPSIRTSettings(w http.ResponseWriter, r *http.Request, status int, f, kf *form) error {
	st, ok, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	if f == nil {
		f = psirtForm(st)
	}
	v := &psirtSettingsView{Form: f, Configured: ok, KeyForm: kf, Key: &SigningKeyView{}, Tab: "psirt"}
	if kf == nil {
		v.KeyForm = newForm(map[string]string{"armored_private": "", "passphrase": ""})
	}
	_, info, err := s.ps.SigningKey(r.Context())
	if err != nil {
		return err
	}
	if info != nil {
		v.Key = &SigningKeyView{Configured: true, Fingerprint: info.Fingerprint, Source: info.Source, Public: info.Public}
	}
	if ok {
		if b, err := s.ps.SecurityTxt(r.Context()); err == nil {
			v.SecTxt = string(b)
		}
	}
	v.Title, v.Nav = "PSIRT settings", "cases"
	return s.render(w, r, status, "psirt_settings", v)
}

func (s *Server) uiPSIRTSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderPSIRTSettings(w, r, http.StatusOK, nil, nil)
}

func (s *Server) uiSavePSIRTSettings(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, psirtFields...)
	days, err := strconv.Atoi(strings.TrimSpace(f.Val("expires_days")))
	if err != nil {
		f.Errors["expires_days"] = "must be a number of days"
		f.Message = "invalid PSIRT settings"
		return s.renderPSIRTSettings(w, r, http.StatusBadRequest, f, nil)
	}
	var langs []string
	for _, l := range strings.Split(f.Val("preferred_languages"), ",") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	st := cradle.PSIRTSettings{Contacts: lines(f.Val("contacts")), PreferredLanguages: langs, ExpiresDays: days,
		Acknowledgments: strings.TrimSpace(f.Val("acknowledgments_url")), Hiring: strings.TrimSpace(f.Val("hiring_url")),
		BaseURL: strings.TrimSpace(f.Val("base_url")), SignTxt: f.Val("sign_security_txt") == "on", CVDPolicy: f.Val("cvd_policy"),
		PublisherName: strings.TrimSpace(f.Val("publisher_name")), PublisherNamespace: strings.TrimSpace(f.Val("publisher_namespace")),
		PublisherContact: strings.TrimSpace(f.Val("publisher_contact")), TrackingPrefix: strings.TrimSpace(f.Val("tracking_prefix")), IntakeEnabled: f.Val("intake_enabled") == "on"}
	if err := st.Validate(); err != nil {
		// Problems about one contact ("contacts/1") belong to the field.
		e := err.(*cradle.Error)
		for i, p := range e.Problems {
			if strings.HasPrefix(p.Location, "contacts/") {
				e.Problems[i].Location = "contacts"
			}
		}
		return s.renderPSIRTSettings(w, r, f.fail(e), f, nil)
	}
	if err := s.db.PutSetting(r.Context(), actorOf(r, "ui"), "psirt", st, nil); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/settings/psirt", "psirt-saved")
}

func (s *Server) uiSigningKey(w http.ResponseWriter, r *http.Request) error {
	kf := s.readForm(r, "action", "armored_private", "passphrase")
	var err error
	flash := "key-generated"
	if kf.Val("action") == "import" {
		flash = "key-imported"
		_, err = s.ps.ImportSigningKey(r.Context(), actorOf(r, "ui"), []byte(kf.Val("armored_private")), []byte(kf.Val("passphrase")))
	} else {
		_, err = s.ps.GenerateSigningKey(r.Context(), actorOf(r, "ui"))
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		kf.Values["passphrase"] = ""
		return s.renderPSIRTSettings(w, r, kf.fail(err), nil, kf)
	}
	return s.redirectFlash(w, r, "/settings/psirt", flash)
}

// uiImportVEX applies an uploaded VEX document to the product and shows
// the outcome on the product page.
func (s *Server) uiImportVEX(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(r); err != nil {
		return err
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderProduct(w, r, http.StatusBadRequest, nil, func(v *productView) {
			v.VEXError = &vexError{Message: "choose a VEX document to import"}
		})
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, s.cfg.MaxUploadSize+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > s.cfg.MaxUploadSize {
		return cradle.Errorf(cradle.ETooLarge, "%s is larger than the limit of %s", hdr.Filename, byteSize(s.cfg.MaxUploadSize))
	}
	res, err := s.ps.ImportVEX(r.Context(), actorOf(r, "ui"), r.PathValue("product"), hdr.Filename, data, r.FormValue("allow_unmatched") == "on")
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderProduct(w, r, statusOf(cradle.ErrorCode(err)), nil, func(v *productView) {
			v.VEXError = &vexError{Message: cradle.ErrorMessage(err), Problems: cradle.ErrorProblems(err)}
		})
	}
	return s.renderProduct(w, r, http.StatusOK, nil, func(v *productView) { v.VEXResult = res })
}

// publishedMeta reads the distribution and title of the published CSAF
// document of a: the editable columns describe the next revision.
func publishedMeta(a *cradle.Advisory) (tlp, title string) {
	var d struct {
		Document struct {
			Title        string `json:"title"`
			Distribution struct {
				TLP struct {
					Label string `json:"label"`
				} `json:"tlp"`
			} `json:"distribution"`
		} `json:"document"`
	}
	if a.Document == nil || json.Unmarshal(a.Document, &d) != nil {
		return "", ""
	}
	return d.Document.Distribution.TLP.Label, d.Document.Title
}

func publishedTLP(a *cradle.Advisory) string   { t, _ := publishedMeta(a); return t }
func publishedTitle(a *cradle.Advisory) string { _, t := publishedMeta(a); return t }
