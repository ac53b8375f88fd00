package cli

import (
	"fmt"
	"strconv"
	"time"

	cradle "github.com/cradle-sdl/cradle"
	"github.com/cradle-sdl/cradle/store"
)

func runUser(e *env, args []string) error {
	return subcommand(e, "user", args, map[string]func(*env, []string) error{"create": userCreate, "list": userList})
}

func userCreate(e *env, args []string) error {
	fs := e.flags("user create", "user create --email EMAIL --role ROLE [--name NAME] [--password PW]",
		"Create a user. Without --password a strong one is generated and printed once.\nRoles: admin, security-officer, developer, auditor.")
	var u cradle.User
	var role, pw string
	fs.StringVar(&u.Email, "email", "", "e-mail address, used to sign in")
	fs.StringVar(&u.Name, "name", "", "display name")
	fs.StringVar(&role, "role", "", "admin, security-officer, developer or auditor")
	fs.StringVar(&pw, "password", "", "initial password (at least 12 characters); generated when empty")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if u.Email == "" || role == "" {
		return usagef("user create needs --email and --role")
	}
	u.Role = cradle.Role(role)
	generated := pw == ""
	if generated {
		pw = store.RandomSecret(15)
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateUser(e.ctx, cliActor(), &u, pw); err != nil {
		return err
	}
	if e.json {
		out := map[string]any{"user": u}
		if generated {
			out["password"] = pw
		}
		return e.printJSON(out)
	}
	fmt.Fprintf(e.stdout, "Created %s %s.\n", u.Role.Label(), u.Email)
	if generated {
		fmt.Fprintf(e.stdout, "Password (shown once): %s\n", pw)
	}
	return nil
}

func userList(e *env, args []string) error {
	fs := e.flags("user list", "user list", "List users.")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListUsers(e.ctx, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	rows := make([][]string, 0, len(items))
	for _, u := range items {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		rows = append(rows, []string{strconv.FormatInt(u.ID, 10), u.Email, u.Name, string(u.Role), state, u.CreatedAt.Format("2006-01-02")})
	}
	e.table([]string{"ID", "EMAIL", "NAME", "ROLE", "STATE", "CREATED"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func runToken(e *env, args []string) error {
	return subcommand(e, "token", args, map[string]func(*env, []string) error{"create": tokenCreate, "list": tokenList, "revoke": tokenRevoke})
}

func tokenCreate(e *env, args []string) error {
	fs := e.flags("token create", "token create --user EMAIL --name NAME [--role ROLE] [--expires YYYY-MM-DD]",
		"Issue an API token for CI. The secret is printed once and stored only as a hash.\nUse it as: Authorization: Bearer <secret>")
	email := fs.String("user", "", "e-mail of the user the token acts for")
	name := fs.String("name", "", "what the token is for, e.g. \"gitlab-ci gateway-fw\"")
	role := fs.String("role", "", "role of the token (default: the user's role; never wider)")
	expires := fs.String("expires", "", "last day the token works, YYYY-MM-DD, UTC (default: no expiry)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return usagef("token create needs --user and --name")
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(e.ctx, *email)
	if err != nil {
		return err
	}
	t := &cradle.Token{UserID: u.ID, Name: *name, Role: cradle.Role(*role)}
	if *role == "" {
		t.Role = u.Role
	}
	if *expires != "" {
		d, err := time.Parse(cradle.DateLayout, *expires)
		if err != nil {
			return usagef("--expires must be a date YYYY-MM-DD; found %q", *expires)
		}
		t.ExpiresAt = d.Add(24 * time.Hour) // valid through that day (UTC), as in the UI
	}
	secret, err := db.CreateToken(e.ctx, cliActor(), t)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"token": t, "secret": secret})
	}
	fmt.Fprintf(e.stdout, "Created token %q (%s) for %s.\nSecret (shown once, store it in your CI's secret store):\n%s\n", t.Name, t.Role, u.Email, secret)
	return nil
}

func tokenList(e *env, args []string) error {
	fs := e.flags("token list", "token list", "List live API tokens.")
	pg := pageFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	items, total, err := db.ListTokens(e.ctx, *pg)
	if err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"items": nonNil(items), "total": total})
	}
	rows := make([][]string, 0, len(items))
	for _, t := range items {
		rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, t.UserEmail, string(t.Role), t.CreatedAt.Format("2006-01-02"),
			timeOr(t.LastUsedAt, "never"), timeOr(t.ExpiresAt, "never")})
	}
	e.table([]string{"ID", "NAME", "USER", "ROLE", "CREATED", "LAST USED", "EXPIRES"}, rows)
	e.footer(len(items), total, *pg)
	return nil
}

func tokenRevoke(e *env, args []string) error {
	fs := e.flags("token revoke", "token revoke ID", "Revoke an API token.")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("token revoke needs one token ID")
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil {
		return usagef("token ID must be a number; found %q", rest[0])
	}
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(e.ctx, cliActor(), id); err != nil {
		return err
	}
	if e.json {
		return e.printJSON(map[string]any{"revoked": id})
	}
	fmt.Fprintf(e.stdout, "Revoked token %d.\n", id)
	return nil
}

func timeOr(t time.Time, def string) string {
	if t.IsZero() {
		return def
	}
	return t.Format("2006-01-02 15:04")
}
