package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	cradle "github.com/cradle-sdl/cradle"
)

type usersView struct {
	base
	Users      []*cradle.User
	Pager      pager
	CreateForm *form
	EditID     int64 // the user whose edit form failed, if any
	EditForm   *form
}

var userCreateFields = []string{"email", "name", "role", "password"}
var userEditFields = []string{"name", "role", "disabled", "password"}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *usersView) error {
	pg := uiPage(r)
	users, total, err := s.db.ListUsers(r.Context(), pg)
	if err != nil {
		return err
	}
	v.Users, v.Pager = users, newPager(r, pg, total, "user users")
	if v.CreateForm == nil {
		v.CreateForm = newForm(map[string]string{"email": "", "name": "", "role": string(cradle.RoleDeveloper), "password": ""})
	}
	v.Title, v.Nav = "Users", "admin"
	return s.render(w, r, status, "users", v)
}

func (s *Server) uiUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, &usersView{})
}

func (s *Server) uiCreateUser(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, userCreateFields...)
	u := &cradle.User{Email: f.Val("email"), Name: f.Val("name"), Role: cradle.Role(f.Val("role"))}
	pw := f.Val("password")
	f.Values["password"] = "" // never echo a password back
	err := cradle.CheckPassword(pw)
	if err == nil {
		err = s.db.CreateUser(r.Context(), actorOf(r, "ui"), u, pw)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderUsers(w, r, f.fail(err), &usersView{CreateForm: f})
	}
	return s.redirectFlash(w, r, "/admin/users", "user-created")
}

func (s *Server) uiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.db.User(r.Context(), id)
	if err != nil {
		return err
	}
	f := s.readForm(r, userEditFields...)
	pw := f.Val("password")
	f.Values["password"] = ""
	u := &cradle.User{Email: cur.Email, Name: f.Val("name"), Role: cradle.Role(f.Val("role")), Disabled: f.Val("disabled") != ""}
	// An administrator who disables or demotes themselves is locked out
	// at once (their sessions end); with no other administrator left,
	// nobody could undo it from the UI.
	if id == principal(r).User.ID && (u.Disabled || u.Role != cradle.RoleAdmin) {
		err = cradle.Invalid("you cannot disable your own account or remove your own administrator role: ask another administrator",
			cradle.Problem{Location: "role", Message: "must stay admin for your own account"})
	} else {
		err = s.db.UpdateUser(r.Context(), actorOf(r, "ui"), id, u, pw)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		return s.renderUsers(w, r, f.fail(err), &usersView{EditID: id, EditForm: f})
	}
	return s.redirectFlash(w, r, "/admin/users", "user-saved")
}

type tokensView struct {
	base
	Tokens []*cradle.Token
	Pager  pager
	Users  []*cradle.User
	Form   *form
}

var tokenFields = []string{"name", "user_id", "role", "expires"}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	pg := uiPage(r)
	toks, total, err := s.db.ListTokens(r.Context(), pg)
	if err != nil {
		return err
	}
	users, _, err := s.db.ListUsers(r.Context(), cradle.Page{PerPage: cradle.MaxPerPage})
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(map[string]string{"name": "", "user_id": itoa64(principal(r).User.ID), "role": string(cradle.RoleDeveloper), "expires": ""})
	}
	v := &tokensView{Tokens: toks, Pager: newPager(r, pg, total, "token tokens"), Users: users, Form: f}
	v.Title, v.Nav = "API tokens", "admin"
	return s.render(w, r, status, "tokens", v)
}

func (s *Server) uiTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, nil)
}

type tokenCreatedView struct {
	base
	Token  *cradle.Token
	Secret string
}

func (s *Server) uiCreateToken(w http.ResponseWriter, r *http.Request) error {
	f := s.readForm(r, tokenFields...)
	t, err := tokenFromForm(f, time.Now().UTC())
	var secret string
	if err == nil {
		secret, err = s.db.CreateToken(r.Context(), actorOf(r, "ui"), t)
	}
	if err != nil {
		if !isUserError(err) && cradle.ErrorCode(err) != cradle.EForbidden {
			return err
		}
		return s.renderTokens(w, r, f.fail(err), f)
	}
	v := &tokenCreatedView{Token: t, Secret: secret}
	v.Title, v.Nav = "Token created", "admin"
	return s.render(w, r, http.StatusCreated, "token_created", v)
}

// tokenFromForm reads the token form. The expiry is a calendar date: the
// token is valid through the end of that day, UTC.
func tokenFromForm(f *form, now time.Time) (*cradle.Token, error) {
	t := &cradle.Token{Name: f.Val("name"), Role: cradle.Role(f.Val("role"))}
	var probs []cradle.Problem
	id, err := strconv.ParseInt(f.Val("user_id"), 10, 64)
	if err != nil || id < 1 {
		probs = append(probs, cradle.Problem{Location: "user_id", Message: "choose a user"})
	}
	t.UserID = id
	if e := strings.TrimSpace(f.Val("expires")); e != "" {
		d, err := time.Parse(cradle.DateLayout, e)
		switch {
		case err != nil:
			probs = append(probs, cradle.Problem{Location: "expires", Message: "must be a date YYYY-MM-DD; found " + strconv.Quote(e)})
		case !d.AddDate(0, 0, 1).After(now):
			probs = append(probs, cradle.Problem{Location: "expires", Message: "must be today or later"})
		default:
			t.ExpiresAt = d.AddDate(0, 0, 1).Add(-time.Second)
		}
	}
	if len(probs) > 0 {
		return nil, cradle.Invalid("invalid token", probs...)
	}
	return t, nil
}

func (s *Server) uiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), actorOf(r, "ui"), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/admin/tokens", "token-revoked")
}
