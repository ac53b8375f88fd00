package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// The public intake: anyone may report a vulnerability without an account
// (IEC 62443-4-1 DM-1, CRA Annex I Part II (5), (6)). Abuse is bounded by
// a per-client limit in memory and a global hourly limit in the database
// (so that replicas share it), and by size limits on every field and file.

// intakeLimiter allows each client address a burst of reports, refilled
// slowly (token bucket per address).
type intakeLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	burst   float64
	per     time.Duration // one token per
	now     func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newIntakeLimiter(burst int, per time.Duration) *intakeLimiter {
	return &intakeLimiter{buckets: map[string]*bucket{}, burst: float64(burst), per: per, now: time.Now}
}

func (l *intakeLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 100000 { // forget everyone rather than grow without bound
			l.buckets = map[string]*bucket{}
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()/l.per.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// clientKey is the client's address: the connection's, or, when the
// server is configured to trust its reverse proxy, the last
// X-Forwarded-For hop, the one that proxy appended (earlier hops come from
// the client and can be anything).
func (s *Server) clientKey(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IntakeGlobalPerHour caps reports from everyone together.
const IntakeGlobalPerHour = 200

// admitIntake enforces both limits, and refuses reports when the PSIRT
// settings turned the form off.
func (s *Server) admitIntake(r *http.Request) error {
	st, ok, err := s.ps.PSIRTSettings(r.Context())
	if err != nil {
		return err
	}
	if ok && !st.IntakeEnabled {
		return cradle.Errorf(cradle.ENotFound, "the reporting form is turned off; write to the contact in /.well-known/security.txt")
	}
	if !s.intake.allow(s.clientKey(r)) {
		return cradle.Errorf(cradle.ETooMany, "too many reports from your address; please try again in an hour or write to the contact in /.well-known/security.txt")
	}
	n, err := s.db.CountIntakeSince(r.Context(), time.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= IntakeGlobalPerHour {
		return cradle.Errorf(cradle.ETooMany, "the reporting form is receiving too many reports right now; please try again later or write to the contact in /.well-known/security.txt")
	}
	return nil
}

// IntakeRequest is a report submitted as JSON.
type IntakeRequest struct {
	Product     string             `json:"product"`
	Version     string             `json:"version"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Name        string             `json:"contact_name"`
	Email       string             `json:"contact_email"`
	Attachments []IntakeAttachment `json:"attachments"`
}

// IntakeAttachment is a file in a JSON report, its content in base64.
type IntakeAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        string `json:"data"`
}

// IntakeReceipt is what the reporter gets back: the tracking ID and the
// private status link (the only time the link's secret is shown).
type IntakeReceipt struct {
	TrackingID string `json:"tracking_id"`
	StatusURL  string `json:"status_url"`
	Token      string `json:"token"`
}

// intakeMaxBody bounds a JSON report: five attachments of 5 MiB in base64
// would not fit; the total is what the limits allow together.
const intakeMaxBody = 12 << 20

func (s *Server) apiSubmitIntake(w http.ResponseWriter, r *http.Request) error {
	if err := s.admitIntake(r); err != nil {
		return err
	}
	if r.ContentLength > intakeMaxBody {
		return cradle.Errorf(cradle.ETooLarge, "the report is larger than %d MiB", intakeMaxBody>>20)
	}
	var in IntakeRequest
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, intakeMaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return cradle.Errorf(cradle.ETooLarge, "the report is larger than %d MiB", intakeMaxBody>>20)
		}
		return cradle.Invalid("request body is not a valid report: " + err.Error())
	}
	var files []store.IntakeFile
	var probs []cradle.Problem
	for i, a := range in.Attachments {
		b, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			probs = append(probs, cradle.Problem{Location: "attachments/" + strconv.Itoa(i) + "/data", Message: "is not base64"})
			continue
		}
		files = append(files, store.IntakeFile{Filename: a.Filename, ContentType: a.ContentType, Data: b})
	}
	if len(probs) > 0 {
		return cradle.Invalid("invalid report", probs...)
	}
	rep := &cradle.IntakeReport{Product: in.Product, Version: in.Version, Title: in.Title, Description: in.Description, Name: in.Name, Email: in.Email}
	tok, err := s.db.CreateIntake(r.Context(), rep, files)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, IntakeReceipt{TrackingID: rep.TrackingID, Token: tok,
		StatusURL: "/report/status/" + rep.TrackingID + "?t=" + tok})
	return nil
}

// IntakeStatus is what a reporter may see of their report.
type IntakeStatus struct {
	TrackingID string    `json:"tracking_id"`
	Title      string    `json:"title"`
	Status     string    `json:"status"`
	StatusNote string    `json:"status_note,omitempty"`
	Received   time.Time `json:"received"`
	Updated    time.Time `json:"updated"`
}

func (s *Server) apiIntakeStatus(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.IntakeForReporter(r.Context(), r.PathValue("id"), r.URL.Query().Get("t"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, IntakeStatus{TrackingID: rep.TrackingID, Title: rep.Title, Status: rep.Status, StatusNote: rep.StatusNote, Received: rep.CreatedAt, Updated: rep.UpdatedAt})
	return nil
}

func (s *Server) apiListIntake(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListIntake(r.Context(), r.URL.Query().Get("status"), pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func (s *Server) apiGetIntake(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.db.Intake(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiUpdateIntake(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status     string `json:"status"`
		StatusNote string `json:"status_note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.db.UpdateIntake(r.Context(), actorOf(r, "api"), r.PathValue("id"), in.Status, in.StatusNote); err != nil {
		return err
	}
	rep, err := s.db.Intake(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
