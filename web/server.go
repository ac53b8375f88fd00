// Package web is cradle's HTTP face: the REST API under /api/v1 (JSON,
// token or session authentication) and the server-rendered UI (sessions,
// CSRF-protected forms, no JavaScript required). All routes are declared
// in one table (routes.go) with the permission each needs, so that
// authorisation is visible in one place and tested route by route.
package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/compliance"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/psirt"
	"github.com/cradle-sdl/cradle/sbom"
	"github.com/cradle-sdl/cradle/store"
)

// Config is what the server needs to know beyond its database.
type Config struct {
	// MaxUploadSize bounds SBOM and vulnerability-data uploads (bytes);
	// larger bodies are refused before they are read whole.
	MaxUploadSize int64
	// InsecureCookies drops the Secure flag from session cookies, for
	// plain-HTTP deployments that are not on loopback. Browsers treat
	// localhost and 127.0.0.1 as secure, so the default works there.
	InsecureCookies bool
	// Version is shown in the UI footer.
	Version string
	// ConcurrentImports bounds how many imports (SBOMs, vulnerability
	// data) and re-matches run at once (default: half the CPUs, at least
	// one).
	ConcurrentImports int
	// TrustProxy takes the client address from X-Forwarded-For (for the
	// public reporting form's rate limit) when cradle runs behind a
	// reverse proxy.
	TrustProxy bool
}

// Server serves the API and UI. It keeps no state outside the database,
// so any number of replicas can run behind a load balancer.
type Server struct {
	db  *store.DB
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
	ui  *uiTemplates
	// imports is a semaphore bounding concurrent imports (see heavy).
	imports  chan struct{}
	ps       *psirt.Service
	cs       *compliance.Service
	es       *engineering.Service
	intake   *intakeLimiter
	provider providerCache
}

// New returns a server for db.
func New(db *store.DB, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.MaxUploadSize <= 0 {
		cfg.MaxUploadSize = sbom.DefaultMaxSize
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ConcurrentImports <= 0 {
		cfg.ConcurrentImports = max(1, runtime.GOMAXPROCS(0)/2)
	}
	s := &Server{db: db, cfg: cfg, log: log, mux: http.NewServeMux(), imports: make(chan struct{}, cfg.ConcurrentImports),
		ps: psirt.New(db, log), cs: compliance.New(db), es: engineering.New(db), intake: newIntakeLimiter(5, 12*time.Minute)}
	ui, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s.ui = ui
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Pattern, s.wrap(rt))
	}
	// Anything else under /api/ gets the JSON error envelope, not a
	// plain-text 404.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		s.mux.Handle(m+" /api/", s.wrap(route{Pattern: m + " /api/", Handler: func(w http.ResponseWriter, r *http.Request) error {
			return cradle.Errorf(cradle.ENotFound, "no API route %s %s: see /api/v1/openapi.json", r.Method, r.URL.Path)
		}}))
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	}
	s.mux.ServeHTTP(w, r)
}

// handlerFunc is a handler that returns an error; wrap turns the error
// into a response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type ctxKey int

const principalKey ctxKey = 0
const sessionKey ctxKey = 1

// principal returns the authenticated caller, or nil.
func principal(r *http.Request) *cradle.Principal {
	p, _ := r.Context().Value(principalKey).(*cradle.Principal)
	return p
}

// session returns the browser session, or nil for token callers.
func session(r *http.Request) *store.Session {
	s, _ := r.Context().Value(sessionKey).(*store.Session)
	return s
}

const sessionCookie = "cradle_session"

// authenticate finds the caller from a bearer token or a session cookie.
// It returns (nil, nil, nil) for an anonymous request.
func (s *Server) authenticate(r *http.Request) (*cradle.Principal, *store.Session, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, nil, cradle.Errorf(cradle.EUnauthorized, "Authorization header must be \"Bearer <token>\"")
		}
		p, err := s.db.TokenPrincipal(r.Context(), strings.TrimSpace(tok))
		return p, nil, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	sess, err := s.db.Session(r.Context(), c.Value)
	if cradle.ErrorCode(err) == cradle.EUnauthorized {
		return nil, nil, nil // stale cookie: treat as signed out
	} else if err != nil {
		return nil, nil, err
	}
	return &cradle.Principal{User: sess.User, Role: sess.User.Role}, sess, nil
}

// wrap applies authentication, authorisation, CSRF checks and error
// rendering to a route.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, err := s.serve(rt, w, r)
		if err != nil {
			s.fail(rt, w, r, err)
		}
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "took", time.Since(start), "err", err)
	})
}

// serve authenticates, authorises and runs the route. It returns the
// request with the caller in its context, so that an error page knows who
// is signed in.
func (s *Server) serve(rt route, w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	p, sess, err := s.authenticate(r)
	if err != nil && rt.Perm == "" && cradle.ErrorCode(err) == cradle.EUnauthorized {
		p, sess, err = nil, nil, nil // public routes ignore bad credentials
	}
	if err != nil {
		return r, err
	}
	ctx := context.WithValue(r.Context(), principalKey, p)
	if sess != nil {
		ctx = context.WithValue(ctx, sessionKey, sess)
	}
	r = r.WithContext(ctx)
	if rt.Perm != "" {
		if p == nil {
			if rt.UI {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return r, nil
			}
			return r, cradle.Errorf(cradle.EUnauthorized, "authentication required: send \"Authorization: Bearer <token>\" or sign in")
		}
		if rt.Perm != permAuthenticated && !p.Can(rt.Perm) {
			return r, cradle.Errorf(cradle.EForbidden, "your role (%s) may not do this", p.Role)
		}
	}
	// Session-authenticated writes must carry the session's CSRF token:
	// a form field for the UI, the X-CSRF-Token header for API calls.
	if sess != nil && !safeMethod(r.Method) {
		tok := r.Header.Get("X-CSRF-Token")
		if tok == "" && rt.UI {
			if err := s.parseForm(r); err != nil {
				return r, err
			}
			tok = r.FormValue("csrf")
		}
		if tok == "" || !constantTimeEqual(tok, sess.CSRF) {
			return r, cradle.Errorf(cradle.EForbidden, "missing or wrong CSRF token: reload the page and try again")
		}
	}
	return r, rt.Handler(w, r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// statusOf maps a domain error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case cradle.ENotFound:
		return http.StatusNotFound
	case cradle.EInvalid:
		return http.StatusBadRequest
	case cradle.EConflict:
		return http.StatusConflict
	case cradle.EUnauthorized:
		return http.StatusUnauthorized
	case cradle.EForbidden:
		return http.StatusForbidden
	case cradle.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case cradle.ETooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// APIError is the body of every API error response.
type APIError struct {
	Error struct {
		Code     string           `json:"code"`
		Message  string           `json:"message"`
		Problems []cradle.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

func (s *Server) fail(rt route, w http.ResponseWriter, r *http.Request, err error) {
	code := cradle.ErrorCode(err)
	if code == cradle.EInternal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := statusOf(code)
	if rt.UI {
		s.renderError(w, r, status, err)
		return
	}
	var body APIError
	body.Error.Code = code
	body.Error.Message = cradle.ErrorMessage(err)
	body.Error.Problems = cradle.ErrorProblems(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cradle"`)
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "3600")
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// List is the envelope of every paginated API list.
type List[T any] struct {
	Items   []T `json:"items"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

func newList[T any](items []T, pg cradle.Page, total int) List[T] {
	if items == nil {
		items = []T{}
	}
	pg = pg.Normalize()
	return List[T]{Items: items, Page: pg.Number, PerPage: pg.PerPage, Total: total}
}

// pageOf reads ?page= and ?per_page=.
func pageOf(r *http.Request) (cradle.Page, error) {
	var pg cradle.Page
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &pg.Number}, {"per_page", &pg.PerPage}} {
		v := r.URL.Query().Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return pg, cradle.Invalid("invalid pagination", cradle.Problem{Location: f.name, Message: "must be a positive integer; found " + strconv.Quote(v)})
		}
		*f.dst = n
	}
	if pg.PerPage > cradle.MaxPerPage {
		return pg, cradle.Invalid("invalid pagination", cradle.Problem{Location: "per_page", Message: "must be at most " + strconv.Itoa(cradle.MaxPerPage)})
	}
	return pg.Normalize(), nil
}

// decodeJSON reads a JSON request body into v, strictly: unknown fields
// and trailing data are errors with their location.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &se):
			return cradle.Invalid("request body is not valid JSON", cradle.Problem{Location: "offset " + strconv.FormatInt(se.Offset, 10), Message: se.Error()})
		case errors.As(err, &te):
			return cradle.Invalid("request body has a field of the wrong type", cradle.Problem{Location: te.Field, Message: "expected " + te.Type.String() + ", found " + te.Value})
		case errors.As(err, &mbe):
			return cradle.Errorf(cradle.ETooLarge, "request body is larger than 1 MiB")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return cradle.Invalid("request body has an unknown field", cradle.Problem{Location: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), Message: "unknown field"})
		case errors.Is(err, io.EOF):
			return cradle.Invalid("request body is empty: a JSON object is required")
		}
		return cradle.Invalid("request body: " + err.Error())
	}
	if dec.More() {
		return cradle.Invalid("request body has data after the JSON object")
	}
	return nil
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// parseForm parses a UI request's form once. Multipart bodies (uploads)
// are bounded by the upload limit before they are parsed, and files beyond
// 32 MiB spill to temporary files, not memory; other forms are bounded to
// 1 MiB. A body over its bound is an ETooLarge error.
func (s *Server) parseForm(r *http.Request) error {
	if r.Form != nil {
		return nil
	}
	var err error
	// Scan results and threat models have limits of their own.
	upload, text := s.cfg.MaxUploadSize, int64(1<<20)
	switch {
	case strings.HasSuffix(r.URL.Path, "/results"):
		upload = max(upload, maxResultsUpload)
	case strings.HasSuffix(r.URL.Path, "/threat-model"):
		text = engineering.MaxThreatModelSize + 1<<20
	}
	limit := text
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		limit = upload
		r.Body = http.MaxBytesReader(nil, r.Body, upload+1<<20)
		err = r.ParseMultipartForm(32 << 20)
	} else {
		r.Body = http.MaxBytesReader(nil, r.Body, text)
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return cradle.Errorf(cradle.ETooLarge, "the upload is larger than the limit of %d bytes", limit)
	} else if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return cradle.Invalid("the form could not be read: " + err.Error())
	}
	return nil
}

// formValue returns a field of a UI request's form, or "" when the form
// cannot be read (parseForm reports why).
func (s *Server) formValue(r *http.Request, key string) string {
	if s.parseForm(r) != nil {
		return ""
	}
	return r.FormValue(key)
}
