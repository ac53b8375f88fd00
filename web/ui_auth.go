package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

// loginCookie carries the double-submit token of the sign-in form. Without
// it another site could sign a victim's browser in to the attacker's
// account (login CSRF); there is no session yet to hold a CSRF token.
const loginCookie = "cradle_login"

const loginTTL = time.Hour

type loginView struct {
	base
	Email   string
	Next    string
	Token   string
	Message string
}

func (s *Server) uiLoginForm(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if principal(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderLogin(w, r, http.StatusOK, &loginView{Next: next})
}

// renderLogin shows the sign-in form with a fresh double-submit token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, v *loginView) error {
	v.Token = store.RandomSecret(24)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: v.Token, Path: "/login", MaxAge: int(loginTTL / time.Second),
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
	v.Title = "Sign in"
	return s.render(w, r, status, "login", v)
}

func (s *Server) uiLogin(w http.ResponseWriter, r *http.Request) error {
	v := &loginView{Email: s.formValue(r, "email"), Next: safeNext(s.formValue(r, "next"))}
	c, err := r.Cookie(loginCookie)
	tok := s.formValue(r, "login_csrf")
	if err != nil || c.Value == "" || tok == "" || !constantTimeEqual(c.Value, tok) {
		v.Message = "The sign-in form expired or was not sent from this site. Please try again."
		return s.renderLogin(w, r, http.StatusForbidden, v)
	}
	u, err := s.db.Authenticate(r.Context(), v.Email, s.formValue(r, "password"))
	if cradle.ErrorCode(err) == cradle.EUnauthorized {
		v.Message = "Wrong e-mail or password."
		return s.renderLogin(w, r, http.StatusUnauthorized, v)
	} else if err != nil {
		return err
	}
	sess, err := s.db.CreateSession(r.Context(), u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
	return nil
}

func (s *Server) uiLogout(w http.ResponseWriter, r *http.Request) error {
	if sess := session(r); sess != nil {
		if err := s.db.DeleteSession(r.Context(), sess.Token); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// safeNext returns next when it is a path on this site, and "/" otherwise,
// so that the sign-in page cannot be used to send people elsewhere
// ("//evil.example", "/\evil.example", "https://evil.example").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	if u.Path == "/login" || u.Path == "/logout" {
		return "/"
	}
	return next
}
