package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// The public reporting form (GET/POST /report), the reporter's status page
// (GET /report/status/{id}?t=…) and the PSIRT's inbox (GET /intake…).
// Everything a reporter sends is untrusted: html/template escapes it on
// every page, and attachments are only ever served as downloads.

var reportFields = []string{"product", "version", "title", "description", "contact_name", "contact_email", "attachments"}

// honeypotField is a text field people do not see and leave empty; form
// robots fill it in.
const honeypotField = "website"

// reportMaxBody bounds the reporting form: five attachments of 5 MiB and
// the text fields.
const reportMaxBody = cradle.IntakeMaxAttachments*cradle.IntakeMaxAttachmentSize + 1<<20

type reportFormView struct {
	base
	Form        *form
	MaxFiles    int
	MaxFileSize int64
	FilesLost   bool // the form was sent with files that must be chosen again
}

func (s *Server) renderReportForm(w http.ResponseWriter, r *http.Request, status int, f *form, filesLost bool) error {
	if f == nil {
		f = newForm(nil)
		for _, k := range reportFields {
			f.Values[k] = ""
		}
	}
	v := &reportFormView{Form: f, MaxFiles: cradle.IntakeMaxAttachments, MaxFileSize: cradle.IntakeMaxAttachmentSize, FilesLost: filesLost}
	v.Title, v.Nav = "Report a vulnerability", "report"
	return s.render(w, r, status, "report", v)
}

func (s *Server) uiReportForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderReportForm(w, r, http.StatusOK, nil, false)
}

// readReport parses the reporting form within its bounds.
func (s *Server) readReport(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > reportMaxBody {
		return cradle.Errorf(cradle.ETooLarge, "the report is larger than %s: attach at most %d files of %s each", byteSize(reportMaxBody), cradle.IntakeMaxAttachments, byteSize(cradle.IntakeMaxAttachmentSize))
	}
	if r.Form != nil {
		return nil // parsed already, for the CSRF check of a signed-in visitor
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return s.parseForm(r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, reportMaxBody)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return cradle.Errorf(cradle.ETooLarge, "the report is larger than %s: attach at most %d files of %s each", byteSize(reportMaxBody), cradle.IntakeMaxAttachments, byteSize(cradle.IntakeMaxAttachmentSize))
		}
		return cradle.Invalid("the form could not be read: please send it again")
	}
	return nil
}

// reportFiles reads the attachments of the form, checking count and size
// before reading each.
func reportFiles(r *http.Request) ([]store.IntakeFile, []cradle.Problem, error) {
	if r.MultipartForm == nil {
		return nil, nil, nil
	}
	var files []store.IntakeFile
	var probs []cradle.Problem
	n := 0
	for _, h := range r.MultipartForm.File["attachments"] {
		if h.Filename == "" && h.Size == 0 {
			continue // the empty part a browser sends when no file is chosen
		}
		n++
		if n > cradle.IntakeMaxAttachments {
			continue
		}
		if h.Size > cradle.IntakeMaxAttachmentSize {
			probs = append(probs, cradle.Problem{Location: "attachments", Message: shorten(h.Filename, 80) + " is " + byteSize(h.Size) + ", larger than " + byteSize(cradle.IntakeMaxAttachmentSize)})
			continue
		}
		f, err := h.Open()
		if err != nil {
			return nil, nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, cradle.IntakeMaxAttachmentSize+1))
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		files = append(files, store.IntakeFile{Filename: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: b})
	}
	if n > cradle.IntakeMaxAttachments {
		probs = append(probs, cradle.Problem{Location: "attachments", Message: "at most " + strconv.Itoa(cradle.IntakeMaxAttachments) + " files; " + strconv.Itoa(n) + " were attached"})
	}
	return files, probs, nil
}

type reportReceiptView struct {
	base
	TrackingID string
	StatusURL  string
}

// uiSubmitReport stores a report from the public form. It is rate-limited
// per address and globally (admitIntake), and a filled-in honeypot field
// is refused before anything is stored.
func (s *Server) uiSubmitReport(w http.ResponseWriter, r *http.Request) error {
	if err := s.admitIntake(r); err != nil {
		if cradle.ErrorCode(err) == cradle.ETooMany {
			w.Header().Set("Retry-After", "3600")
		}
		return err
	}
	if err := s.readReport(w, r); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if strings.TrimSpace(r.FormValue(honeypotField)) != "" {
		return cradle.Invalid("the report was not accepted: the form was filled in automatically. If you are a person, please write to the contact in /.well-known/security.txt")
	}
	f := newForm(nil)
	for _, k := range reportFields {
		f.Values[k] = r.FormValue(k)
	}
	files, probs, err := reportFiles(r)
	if err != nil {
		return err
	}
	lost := len(files) > 0 || len(probs) > 0
	if len(probs) > 0 {
		return s.renderReportForm(w, r, f.fail(cradle.Invalid("invalid report", probs...)), f, lost)
	}
	rep := &cradle.IntakeReport{Product: f.Val("product"), Version: f.Val("version"), Title: f.Val("title"), Description: f.Val("description"),
		Name: f.Val("contact_name"), Email: f.Val("contact_email")}
	tok, err := s.db.CreateIntake(r.Context(), rep, files)
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderReportForm(w, r, f.fail(err), f, lost)
	}
	v := &reportReceiptView{TrackingID: rep.TrackingID, StatusURL: s.publicURL(r, "/report/status/"+rep.TrackingID+"?t="+tok)}
	v.Title, v.Nav = "Report received", "report"
	return s.render(w, r, http.StatusCreated, "report_receipt", v)
}

// publicURL is the absolute URL of path on this server, as the visitor
// reached it.
func (s *Server) publicURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

type reportStatusView struct {
	base
	Report      *cradle.IntakeReport
	StatusLabel string
	StatusHelp  string
}

func reporterStatus(status string) (label, help string) {
	switch status {
	case cradle.IntakeReceived:
		return "Received", "Your report is stored and waits for the security team's assessment."
	case cradle.IntakeAccepted:
		return "Accepted", "The security team accepted your report as a vulnerability and is handling it."
	case cradle.IntakeRejected:
		return "Not accepted", "The security team did not accept the report as a vulnerability in its products; see the note below."
	case cradle.IntakeDuplicate:
		return "Duplicate", "The vulnerability was already known to the security team from another report."
	}
	return status, ""
}

// uiReportStatus is the reporter's status page. A wrong token answers like
// an unknown report: 404.
func (s *Server) uiReportStatus(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.IntakeForReporter(r.Context(), r.PathValue("id"), r.URL.Query().Get("t"))
	if err != nil {
		if cradle.ErrorCode(err) == cradle.ENotFound {
			return cradle.Errorf(cradle.ENotFound, "There is no report with this tracking ID and status link. Check that you copied the whole link.")
		}
		return err
	}
	v := &reportStatusView{Report: rep}
	v.StatusLabel, v.StatusHelp = reporterStatus(rep.Status)
	v.Title, v.Nav = "Report "+rep.TrackingID, "report"
	return s.render(w, r, http.StatusOK, "report_status", v)
}

// The PSIRT's inbox.

var intakeStatuses = []string{cradle.IntakeReceived, cradle.IntakeAccepted, cradle.IntakeRejected, cradle.IntakeDuplicate}

func intakeStatusLabel(s string) string {
	switch s {
	case cradle.IntakeReceived:
		return "Received"
	case cradle.IntakeAccepted:
		return "Accepted"
	case cradle.IntakeRejected:
		return "Rejected"
	case cradle.IntakeDuplicate:
		return "Duplicate"
	}
	return s
}

// IntakeStatusLabel names a report status.
func (b *base) IntakeStatusLabel(s string) string { return intakeStatusLabel(s) }

type intakeListView struct {
	base
	Tab         string
	Reports     []*cradle.IntakeReport
	Pager       pager
	Status      string
	Statuses    []option
	FilterError string
	APIURL      string
}

func (s *Server) uiIntakeList(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	v := &intakeListView{Tab: "intake", Status: status, APIURL: "/api/v1/intake"}
	v.Title, v.Nav = "Report inbox", "cases"
	v.Statuses = append([]option{{Value: "", Label: "All", Selected: status == ""}}, optionsOf(intakeStatuses, intakeStatusLabel, status)...)
	code := http.StatusOK
	if status != "" && !strings.Contains(" "+strings.Join(intakeStatuses, " ")+" ", " "+status+" ") {
		v.FilterError = "Status must be one of received, accepted, rejected, duplicate."
		code = http.StatusBadRequest
		v.Pager = newPager(r, cradle.Page{}, 0, "report reports")
		return s.render(w, r, code, "intake", v)
	}
	if status != "" {
		v.APIURL += "?status=" + status
	}
	pg := uiPage(r)
	items, total, err := s.db.ListIntake(r.Context(), status, pg)
	if err != nil {
		return err
	}
	v.Reports, v.Pager = items, newPager(r, pg, total, "report reports")
	return s.render(w, r, code, "intake", v)
}

type intakeReportView struct {
	base
	Report      *cradle.IntakeReport
	Form        *form
	Statuses    []option
	Attachments []attachmentRow
}

// attachmentRow is an attachment with its 1-based number in the report.
type attachmentRow struct {
	cradle.IntakeAttachment
	N int
}

func (s *Server) renderIntakeReport(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	rep, err := s.db.Intake(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(map[string]string{"status": rep.Status, "status_note": rep.StatusNote})
	}
	v := &intakeReportView{Report: rep, Form: f, Statuses: optionsOf(intakeStatuses, intakeStatusLabel, f.Val("status"))}
	for i, a := range rep.Attachments {
		v.Attachments = append(v.Attachments, attachmentRow{IntakeAttachment: a, N: i + 1})
	}
	v.Title, v.Nav = rep.TrackingID+": "+shorten(rep.Title, 80), "cases"
	v.Crumbs = []crumb{{"Cases", "/cases"}, {"Report inbox", "/intake"}}
	return s.render(w, r, status, "intake_report", v)
}

func (s *Server) uiIntakeReport(w http.ResponseWriter, r *http.Request) error {
	return s.renderIntakeReport(w, r, http.StatusOK, nil)
}

func (s *Server) uiUpdateIntake(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, "status", "status_note")
	rep, err := s.db.Intake(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.db.UpdateIntake(r.Context(), actorOf(r, "ui"), rep.TrackingID, f.Val("status"), f.Val("status_note")); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderIntakeReport(w, r, f.fail(err), f)
	}
	return s.redirectFlash(w, r, "/intake/"+pathEscape(rep.TrackingID), "intake-saved")
}

// uiIntakeAttachment serves attachment n (1-based) of a report as a
// download, never inline: its content and its claimed type are the
// reporter's.
func (s *Server) uiIntakeAttachment(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.Intake(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(rep.Attachments) {
		return cradle.Errorf(cradle.ENotFound, "report %s has no attachment %s", rep.TrackingID, r.PathValue("n"))
	}
	a := rep.Attachments[n-1]
	b, err := s.db.Blob(r.Context(), a.SHA256)
	if err != nil {
		return err
	}
	name := safeFilename(a.Filename)
	if name == "" {
		name = "attachment"
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}
