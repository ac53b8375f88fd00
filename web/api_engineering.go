package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/engineering"
	"github.com/cradle-sdl/cradle/gate"
	"github.com/cradle-sdl/cradle/quality"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/threatmodel"
)

// Engineering API: threat models (import, view, diagram, diff, reviews),
// scan and test results per release (SARIF, JUnit), SBOM quality, and the
// release gate (run, history, verify, policy, exceptions). CI pipelines use
// the writes with an API token (results:import).

func (s *Server) engineeringAPIRoutes() []route {
	const prod = "/api/v1/products/{product}"
	const rel = prod + "/releases/{version}"
	return []route{
		{"POST " + prod + "/threat-model", cradle.PermResults, false, s.apiImportThreatModel},
		{"GET " + prod + "/threat-model", cradle.PermRead, false, s.apiGetThreatModel},
		{"GET " + prod + "/threat-model/diagram", cradle.PermRead, false, s.threatModelDiagram},
		{"GET " + prod + "/threat-model/diff", cradle.PermRead, false, s.apiThreatModelDiff},
		{"POST " + prod + "/threat-model/reviews", cradle.PermGatePolicy, false, s.apiReviewThreatModel},

		{"POST " + rel + "/results", cradle.PermResults, false, s.apiImportResults},
		{"GET " + rel + "/results", cradle.PermRead, false, s.apiListResults},
		{"GET " + rel + "/results/imports", cradle.PermRead, false, s.apiResultImports},
		{"GET " + prod + "/results/trend", cradle.PermRead, false, s.apiResultTrend},
		{"POST " + prod + "/results/suppressions", cradle.PermGatePolicy, false, s.apiSuppressResult},

		{"GET " + rel + "/sbom/quality", cradle.PermRead, false, s.apiSBOMQuality},
		{"POST /api/v1/sbom/check", cradle.PermRead, false, s.apiSBOMCheck},

		{"POST " + rel + "/gate", cradle.PermResults, false, s.apiRunGate},
		{"GET " + rel + "/gate", cradle.PermRead, false, s.apiGateHistory},
		{"GET /api/v1/gate/decisions/{id}", cradle.PermRead, false, s.apiGateDecision},
		{"GET /api/v1/gate/decisions/{id}/verify", cradle.PermRead, false, s.apiVerifyGate},
		{"GET " + prod + "/gate/policy", cradle.PermRead, false, s.apiGatePolicy},
		{"PUT " + prod + "/gate/policy", cradle.PermGatePolicy, false, s.apiSetGatePolicy},
		{"GET " + prod + "/gate/exceptions", cradle.PermRead, false, s.apiGateExceptions},
		{"POST " + prod + "/gate/exceptions", cradle.PermGatePolicy, false, s.apiAddGateException},
		{"DELETE /api/v1/gate/exceptions/{id}", cradle.PermGatePolicy, false, s.apiRevokeGateException},
	}
}

// readBody reads a request body of at most limit bytes.
func readBody(r *http.Request, limit int64, what string) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, cradle.Errorf(cradle.ETooLarge, "%s is %d bytes, larger than the limit of %d bytes", what, r.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, cradle.Errorf(cradle.EInvalid, "cannot read the %s: %v", what, err)
	}
	if int64(len(b)) > limit {
		return nil, cradle.Errorf(cradle.ETooLarge, "%s is larger than the limit of %d bytes", what, limit)
	}
	return b, nil
}

func (s *Server) apiImportThreatModel(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r, engineering.MaxThreatModelSize, "threat model")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := s.es.ImportThreatModel(r.Context(), actorOf(r, "api"), r.PathValue("product"), q.Get("release"), baseName(q.Get("filename")), raw)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
	return nil
}

// baseName keeps the last element of a client-given file name.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// queryInt reads an optional positive integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, cradle.Invalid("invalid "+name, cradle.Problem{Location: name, Message: "must be a positive integer; found " + strconv.Quote(v)})
	}
	return n, nil
}

func (s *Server) threatModelOf(r *http.Request) (*engineering.ThreatModelView, error) {
	version, err := queryInt(r, "version")
	if err != nil {
		return nil, err
	}
	v, err := s.es.ThreatModel(r.Context(), r.PathValue("product"), r.URL.Query().Get("release"), version)
	if err == nil && v == nil {
		err = cradle.Errorf(cradle.ENotFound, "%s has no threat model", r.PathValue("product"))
	}
	return v, err
}

func (s *Server) apiGetThreatModel(w http.ResponseWriter, r *http.Request) error {
	v, err := s.threatModelOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// threatModelDiagram serves the data-flow diagram of the model a request
// names (?release=, ?version=), for the API and the UI alike.
func (s *Server) threatModelDiagram(w http.ResponseWriter, r *http.Request) error {
	v, err := s.threatModelOf(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, err = w.Write(threatmodel.Diagram(v.Model))
	return err
}

func (s *Server) apiThreatModelDiff(w http.ResponseWriter, r *http.Request) error {
	from, err := queryInt(r, "from")
	if err != nil {
		return err
	}
	to, err := queryInt(r, "to")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if fr, tr := q.Get("from_release"), q.Get("to_release"); fr != "" || tr != "" {
		if from, to, err = s.es.ReleaseModelVersions(r.Context(), r.PathValue("product"), fr, tr); err != nil {
			return err
		}
	}
	if from == 0 || to == 0 {
		return cradle.Invalid("name the two versions", cradle.Problem{Location: "from", Message: "give from and to (model versions), or from_release and to_release"})
	}
	d, err := s.es.ThreatModelDiff(r.Context(), r.PathValue("product"), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

type reviewInput struct {
	Version int    `json:"version"`
	Outcome string `json:"outcome"`
	Notes   string `json:"notes"`
}

func (s *Server) apiReviewThreatModel(w http.ResponseWriter, r *http.Request) error {
	var in reviewInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rv := &cradle.ThreatReview{Product: r.PathValue("product"), Version: in.Version, Outcome: in.Outcome, Notes: in.Notes}
	if rv.Version == 0 {
		m, err := s.db.ThreatModelFor(r.Context(), rv.Product, "")
		if err != nil {
			return err
		}
		if m == nil {
			return cradle.Errorf(cradle.ENotFound, "%s has no threat model to review", rv.Product)
		}
		rv.Version = m.Version
	}
	if err := s.db.AddThreatReview(r.Context(), actorOf(r, "api"), rv); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rv)
	return nil
}

// ResultImportResponse is what importing a results file did.
type ResultImportResponse struct {
	Import   *cradle.ResultImport `json:"import"`
	Warnings []string             `json:"warnings"`
}

// maxResultsUpload bounds a results upload (SARIF of large code bases).
const maxResultsUpload = 256 << 20

func (s *Server) apiImportResults(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r, maxResultsUpload, "results file")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var res ResultImportResponse
	err = s.heavy(r.Context(), func() error {
		var err error
		res.Import, res.Warnings, err = s.es.ImportResultsAs(r.Context(), actorOf(r, "api"), r.PathValue("product"), r.PathValue("version"), q.Get("kind"), q.Get("category"), baseName(q.Get("filename")), raw)
		return err
	})
	if err != nil {
		return err
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func resultFilterOf(r *http.Request) (store.ResultFilter, error) {
	q := r.URL.Query()
	f := store.ResultFilter{Status: q.Get("status"), MinSeverity: q.Get("min_severity"), Tool: q.Get("tool"), Kind: q.Get("kind")}
	switch f.Status {
	case "", cradle.ResultOpen, cradle.ResultFixed, cradle.ResultSuppressed:
	default:
		return f, cradle.Invalid("invalid status", cradle.Problem{Location: "status", Message: "must be open, fixed or suppressed; found " + strconv.Quote(f.Status)})
	}
	if f.MinSeverity != "" && cradle.SeverityRank(f.MinSeverity) < 0 {
		return f, cradle.Invalid("invalid min_severity", cradle.Problem{Location: "min_severity", Message: "must be critical, high, medium, low or info; found " + strconv.Quote(f.MinSeverity)})
	}
	return f, nil
}

func (s *Server) apiListResults(w http.ResponseWriter, r *http.Request) error {
	f, err := resultFilterOf(r)
	if err != nil {
		return err
	}
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, total, err := s.db.ListResults(r.Context(), r.PathValue("product"), r.PathValue("version"), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, pg, total))
	return nil
}

func (s *Server) apiResultImports(w http.ResponseWriter, r *http.Request) error {
	items, err := s.db.ResultImports(r.Context(), r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

func (s *Server) apiResultTrend(w http.ResponseWriter, r *http.Request) error {
	t, err := s.db.ResultTrend(r.Context(), r.PathValue("product"))
	if err != nil {
		return err
	}
	if t == nil {
		t = []store.ResultCounts{}
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

type suppressInput struct {
	Fingerprint string `json:"fingerprint"`
	Reason      string `json:"reason"`
}

func (s *Server) apiSuppressResult(w http.ResponseWriter, r *http.Request) error {
	var in suppressInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.db.SuppressResult(r.Context(), actorOf(r, "api"), r.PathValue("product"), in.Fingerprint, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func profileOf(r *http.Request) string {
	if p := r.URL.Query().Get("profile"); p != "" {
		return p
	}
	return quality.ProfileBSI21
}

func (s *Server) apiSBOMQuality(w http.ResponseWriter, r *http.Request) error {
	var rep *quality.Report
	err := s.heavy(r.Context(), func() error {
		var err error
		rep, _, err = s.es.CheckSBOM(r.Context(), r.PathValue("product"), r.PathValue("version"), profileOf(r))
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) apiSBOMCheck(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r, s.cfg.MaxUploadSize, "SBOM")
	if err != nil {
		return err
	}
	var rep *quality.Report
	err = s.heavy(r.Context(), func() error {
		var err error
		rep, err = quality.Check(orDefault(baseName(r.URL.Query().Get("filename")), "sbom"), raw, profileOf(r))
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Server) apiRunGate(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r, gate.MaxPolicySize, "policy")
	if err != nil {
		return err
	}
	var policy []byte
	if len(bytes.TrimSpace(raw)) > 0 {
		policy = raw
	}
	switch f := r.URL.Query().Get("format"); f {
	case "", "json", "junit", "sarif", "text":
	default:
		return cradle.Invalid("invalid format", cradle.Problem{Location: "format", Message: "must be json, junit, sarif or text; found " + strconv.Quote(f)})
	}
	name := orDefault(baseName(r.URL.Query().Get("policy_name")), "policy")
	var run *engineering.GateRun
	err = s.heavy(r.Context(), func() error {
		var err error
		// A policy for one run could switch checks off: only those who may
		// set the product's policy may change it this way. Such a decision
		// is marked as an override and does not count for SM-12.
		run, err = s.es.GateWith(r.Context(), actorOf(r, "api"), r.PathValue("product"), r.PathValue("version"), name, policy, principal(r).Can(cradle.PermGatePolicy))
		return err
	})
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "junit":
		w.Header().Set("Content-Type", "application/xml")
		return gate.WriteJUnit(w, run.Decision)
	case "sarif":
		w.Header().Set("Content-Type", "application/sarif+json")
		return gate.WriteSARIF(w, run.Decision)
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return gate.WriteText(w, run.Decision)
	}
	writeJSON(w, http.StatusCreated, run)
	return nil
}

func (s *Server) apiGateHistory(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.db.GateDecisions(r.Context(), r.PathValue("product"), r.PathValue("version"), cradle.MaxPerPage)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []*cradle.GateRecord{}
	}
	writeJSON(w, http.StatusOK, ds)
	return nil
}

func (s *Server) apiGateDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, _, _, err := s.es.Decision(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

// GateVerification is the outcome of re-evaluating a stored decision.
type GateVerification struct {
	ID       int64            `json:"id"`
	Verified bool             `json:"verified"`
	Hash     string           `json:"hash"`
	Pass     bool             `json:"pass"`
	Problems []cradle.Problem `json:"problems"`
	Note     string           `json:"note,omitempty"`
}

func (s *Server) apiVerifyGate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, err := s.es.Verify(r.Context(), id)
	if run == nil {
		return err
	}
	v := GateVerification{ID: id, Verified: err == nil, Hash: run.Record.Hash, Pass: run.Record.Pass, Problems: cradle.ErrorProblems(err), Note: run.Note}
	if v.Problems == nil {
		v.Problems = []cradle.Problem{}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// GatePolicyView is a product's policy: as it applies, and its own YAML.
type GatePolicyView struct {
	Effective *gate.Policy `json:"effective"`
	Source    string       `json:"source"`
}

func (s *Server) apiGatePolicy(w http.ResponseWriter, r *http.Request) error {
	p, src, err := s.es.Policy(r.Context(), r.PathValue("product"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, GatePolicyView{Effective: p, Source: src})
	return nil
}

func (s *Server) apiSetGatePolicy(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r, gate.MaxPolicySize, "policy")
	if err != nil {
		return err
	}
	product := r.PathValue("product")
	if err := s.es.SetPolicy(r.Context(), actorOf(r, "api"), product, "policy", raw); err != nil {
		return err
	}
	return s.apiGatePolicy(w, r)
}

func (s *Server) apiGateExceptions(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.db.GateExceptions(r.Context(), r.PathValue("product"), r.URL.Query().Get("release"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, xs)
	return nil
}

type exceptionInput struct {
	Release  string `json:"release"`
	Check    string `json:"check"`
	Subject  string `json:"subject"`
	Approver string `json:"approver"`
	Reason   string `json:"reason"`
	Expires  string `json:"expires"` // YYYY-MM-DD: the whole day counts
}

func (s *Server) apiAddGateException(w http.ResponseWriter, r *http.Request) error {
	var in exceptionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	x, err := exceptionOf(r.PathValue("product"), in)
	if err != nil {
		return err
	}
	if err := s.db.AddGateException(r.Context(), actorOf(r, "api"), x); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

// exceptionOf checks the parts of an exception the store cannot: a known
// check and a date.
func exceptionOf(product string, in exceptionInput) (*cradle.GateException, error) {
	x := &cradle.GateException{Product: product, Release: in.Release, Check: in.Check, Subject: in.Subject, Approver: in.Approver, Reason: in.Reason}
	var probs []cradle.Problem
	known := false
	var ids []string
	for _, c := range gate.Checks {
		ids = append(ids, c.ID)
		known = known || c.ID == in.Check
	}
	if in.Check != "" && !known {
		probs = append(probs, cradle.Problem{Location: "check", Message: "must be one of " + strings.Join(ids, ", ") + "; found " + strconv.Quote(in.Check)})
	}
	if in.Expires != "" {
		t, err := time.Parse(cradle.DateLayout, in.Expires)
		if err != nil {
			probs = append(probs, cradle.Problem{Location: "expires", Message: "must be a date YYYY-MM-DD; found " + strconv.Quote(in.Expires)})
		} else {
			x.ExpiresAt = t.AddDate(0, 0, 1).Add(-1e9)
		}
	}
	if len(probs) > 0 {
		return nil, cradle.Invalid("invalid gate exception", probs...)
	}
	return x, nil
}

func (s *Server) apiRevokeGateException(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeGateException(r.Context(), actorOf(r, "api"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
