package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// The events page: GET /events, the notices newest first, as `cradle
// events` lists them.

type eventsView struct {
	base
	Notices     []noticeRow
	Pager       pager
	Since       string
	FilterError string
	Problems    []cradle.Problem
}

// noticeRow is a notice with what its payload says that the page shows.
type noticeRow struct {
	cradle.Notice
	Product, Release string
	Case             string // Art. 14 notices name their case
	// Art14 marks a KEV-listed vulnerability in a released product: CRA
	// Art. 14 reporting applies (early warning within 24 hours).
	Art14 bool
}

func noticeRowOf(n cradle.Notice) noticeRow {
	var p struct {
		Product string `json:"product"`
		Release string `json:"release"`
		Art14   bool   `json:"cra_article_14"`
		Case    string `json:"case"`
	}
	_ = json.Unmarshal(n.Payload, &p) // a payload that does not parse shows no extras
	return noticeRow{Notice: n, Product: p.Product, Release: p.Release, Case: p.Case,
		Art14: (n.Kind == cradle.NoticeKEV && p.Art14) || n.Kind == cradle.NoticeArt14DueSoon || n.Kind == cradle.NoticeArt14Overdue}
}

// noticeKinds are the kinds of notices, with how the UI names them.
var noticeKinds = []struct{ Kind, Label, Help string }{
	{cradle.NoticeNewFindings, "New findings", "a release has new findings"},
	{cradle.NoticeKEV, "KEV listed", "a finding's vulnerability was added to the CISA KEV catalog"},
	{cradle.NoticeSeverity, "Severity change", "an advisory's severity changed while it has open findings"},
	{cradle.NoticeArt14DueSoon, "Art. 14 due soon", "a CRA Art. 14 report is due within the last quarter of its period"},
	{cradle.NoticeArt14Overdue, "Art. 14 overdue", "a CRA Art. 14 report deadline passed without a recorded submission"},
	{cradle.NoticeAdvisory, "Advisory published", "a CSAF advisory revision was published"},
	{cradle.NoticeUpdate, "Security update", "a release was marked as a security update"},
}

func noticeKindLabel(kind string) string {
	for _, k := range noticeKinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	return kind
}

func (s *Server) uiEvents(w http.ResponseWriter, r *http.Request) error {
	v := &eventsView{Since: strings.TrimSpace(r.URL.Query().Get("since"))}
	v.Title, v.Nav = "Events", "events"
	status := http.StatusOK
	pg := uiPage(r)
	var items []cradle.Notice
	total := 0
	since, err := noticeSince(r.URL.Query())
	if err == nil {
		items, total, err = s.db.Notices(r.Context(), since, pg)
	}
	switch code := cradle.ErrorCode(err); code {
	case "":
	case cradle.EInvalid:
		status = statusOf(code)
		v.FilterError = cradle.ErrorMessage(err)
		v.Problems = cradle.ErrorProblems(err)
	default:
		return err
	}
	for _, n := range items {
		v.Notices = append(v.Notices, noticeRowOf(n))
	}
	v.Pager = newPager(r, pg, total, "notice notices")
	return s.render(w, r, status, "events", v)
}

// The webhooks page: GET /admin/webhooks, the webhooks, a form to add one
// and the delivery log, as `cradle webhook list|create|log` show them.

type webhooksView struct {
	base
	Webhooks   []store.Webhook
	Deliveries []deliveryRow
	Pager      pager
	Form       *form
	Kinds      []kindChoice
}

type kindChoice struct {
	Kind, Label, Help string
	Checked           bool
}

// deliveryRow is a delivery with its state as the log names it:
// delivered, retrying, gave up or pending.
type deliveryRow struct {
	store.Delivery
	State string
}

func deliveryRowOf(d store.Delivery) deliveryRow {
	state := "pending"
	switch {
	case !d.DeliveredAt.IsZero():
		state = "delivered"
	case !d.FailedAt.IsZero():
		state = "gave up"
	case d.Attempts > 0:
		state = "retrying"
	}
	return deliveryRow{Delivery: d, State: state}
}

// StateClass is the badge style of the delivery's state.
func (d deliveryRow) StateClass() string {
	switch d.State {
	case "delivered":
		return "delivery-ok"
	case "gave up":
		return "flag-bad"
	case "retrying":
		return "flag-warn"
	}
	return "delivery-pending"
}

var webhookFields = []string{"url", "secret", "kinds"}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, f *form, kinds []string) error {
	ws, err := s.db.Webhooks(r.Context())
	if err != nil {
		return err
	}
	pg := uiPage(r)
	ds, total, err := s.db.Deliveries(r.Context(), pg)
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(map[string]string{"url": "", "secret": "", "kinds": ""})
	}
	v := &webhooksView{Webhooks: ws, Pager: newPagerParam(r, "page", "deliveries", pg, total, "delivery deliveries"), Form: f}
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, deliveryRowOf(d))
	}
	for _, k := range noticeKinds {
		v.Kinds = append(v.Kinds, kindChoice{Kind: k.Kind, Label: k.Label, Help: k.Help, Checked: slices.Contains(kinds, k.Kind)})
	}
	v.Title, v.Nav = "Webhooks", "admin"
	return s.render(w, r, status, "webhooks", v)
}

func (s *Server) uiWebhooks(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, http.StatusOK, nil, nil)
}

func (s *Server) uiCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, webhookFields...)
	var kinds []string
	if s.parseForm(r) == nil {
		kinds = r.Form["kinds"]
	}
	f.Values["kinds"] = strings.Join(kinds, ",")
	wh := &store.Webhook{URL: strings.TrimSpace(f.Val("url")), Secret: f.Val("secret"), Kinds: kinds}
	f.Values["secret"] = "" // never echo a secret back
	if err := s.db.CreateWebhook(r.Context(), actorOf(r, "ui"), wh); err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderWebhooks(w, r, f.fail(err), f, kinds)
	}
	return s.redirectFlash(w, r, "/admin/webhooks", "webhook-created")
}
