package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
	"github.com/cradle-sdl/cradle/store/storetest"
)

func psirtTestServer(t *testing.T, cfg Config) (*Server, *store.DB, map[cradle.Role]string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	s, err := New(db, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[cradle.Role]string{}
	for _, role := range []cradle.Role{cradle.RoleSecurityOfficer, cradle.RoleDeveloper} {
		u := &cradle.User{Email: string(role) + "@example.com", Role: role}
		if err := db.CreateUser(ctx, cradle.Actor{Name: "test"}, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		tok, err := db.CreateToken(ctx, cradle.Actor{Name: "test"}, &cradle.Token{Name: "t", Role: role, UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		tokens[role] = tok
	}
	return s, db, tokens
}

func call(s *Server, token, method, path, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// Developers may open cases but not triage them.
func TestDevelopersOpenButDoNotTriage(t *testing.T) {
	s, _, tok := psirtTestServer(t, Config{})
	dev, so := tok[cradle.RoleDeveloper], tok[cradle.RoleSecurityOfficer]
	if w := call(s, dev, "POST", "/api/v1/cases", `{"title":"x","actively_exploited":true}`); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "actively_exploited") {
		t.Fatalf("developer marking exploited: %d %s", w.Code, w.Body)
	}
	if w := call(s, dev, "POST", "/api/v1/cases", `{"title":"x","intake_id":"VR-0000-0000"}`); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "intake_id") {
		t.Fatalf("developer opening a case from a report: %d %s", w.Code, w.Body)
	}
	if w := call(s, dev, "POST", "/api/v1/cases", `{"title":"Crash on malformed Modbus frame"}`); w.Code != http.StatusCreated {
		t.Fatalf("developer opening a case: %d %s", w.Code, w.Body)
	}
	if w := call(s, so, "POST", "/api/v1/cases", `{"title":"y","actively_exploited":true}`); w.Code != http.StatusCreated {
		t.Fatalf("security officer: %d %s", w.Code, w.Body)
	}
}

// Behind a trusted proxy the rate limit keys on the hop the proxy added:
// a client cannot dodge it by inventing X-Forwarded-For entries.
func TestIntakeRateLimitBehindProxy(t *testing.T) {
	s, _, _ := psirtTestServer(t, Config{TrustProxy: true})
	report := `{"product":"GW","title":"t","description":"a long enough description of the problem"}`
	for i := range 5 {
		if w := call(s, "", "POST", "/api/v1/intake", report, "X-Forwarded-For", "10.0.0."+itoa64(int64(i))+", 203.0.113.7"); w.Code != http.StatusCreated {
			t.Fatalf("report %d: %d %s", i, w.Code, w.Body)
		}
	}
	if w := call(s, "", "POST", "/api/v1/intake", report, "X-Forwarded-For", "10.9.9.9, 203.0.113.7"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("sixth report from 203.0.113.7 with a forged first hop: %d", w.Code)
	}
	if w := call(s, "", "POST", "/api/v1/intake", report, "X-Forwarded-For", "203.0.113.8"); w.Code != http.StatusCreated {
		t.Fatalf("another client: %d %s", w.Code, w.Body)
	}
}

// The PSIRT can turn the public form off.
func TestIntakeCanBeTurnedOff(t *testing.T) {
	s, db, _ := psirtTestServer(t, Config{})
	st := cradle.PSIRTSettings{Contacts: []string{"mailto:psirt@example.com"}, ExpiresDays: 100, BaseURL: "https://psirt.example.com",
		PublisherName: "Example", PublisherNamespace: "https://example.com", TrackingPrefix: "EX"}
	if err := db.PutSetting(context.Background(), cradle.Actor{Name: "test"}, "psirt", st, nil); err != nil {
		t.Fatal(err)
	}
	w := call(s, "", "POST", "/api/v1/intake", `{"product":"GW","title":"t","description":"a long enough description of the problem"}`)
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "turned off") {
		t.Fatalf("report while the form is off: %d %s", w.Code, w.Body)
	}
}
