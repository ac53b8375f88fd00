package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	cradle "github.com/cradle-sdl/cradle"
)

// argon2id parameters (RFC 9106 second recommendation, lighter memory):
// stored in each hash's PHC string so they can be raised later.
const (
	argonTime    = 2
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// HashPassword returns an argon2id PHC string for pw.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPasswordHash reports whether pw matches the PHC string.
func CheckPasswordHash(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when a login names no user, so that the
// response time does not reveal which e-mail addresses exist. It is made
// on first use: argon2 at package init would cost every command 64 MiB
// and a sixth of a second.
var dummyHash = sync.OnceValue(func() string { return HashPassword("cradle-dummy-password") })

// RandomSecret returns n random bytes, URL-safe base64 encoded.
func RandomSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

const userCols = `id, email, name, role, disabled, created_at`

func scanUser(sc interface{ Scan(...any) error }) (*cradle.User, error) {
	var u cradle.User
	var role string
	var created nullTime
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &created)
	u.Role, u.CreatedAt = cradle.Role(role), created.t
	return &u, err
}

// CreateUser stores a user with a password (may be empty for token-only
// service accounts).
func (db *DB) CreateUser(ctx context.Context, actor cradle.Actor, u *cradle.User, password string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	hash := ""
	if password != "" {
		if err := cradle.CheckPassword(password); err != nil {
			return err
		}
		hash = HashPassword(password)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.now()
		err := tx.queryRow(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), hash, u.Disabled, now).Scan(&u.ID)
		if isUniqueViolation(err) {
			return cradle.Errorf(cradle.EConflict, "a user with e-mail %s already exists", u.Email)
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		u.CreatedAt = now
		return tx.audit(ctx, actor, "user.create", "user", u.ID, nil, u)
	})
}

// UpdateUser changes a user's name, role or disabled flag, and the
// password when password is not empty.
func (db *DB) UpdateUser(ctx context.Context, actor cradle.Actor, id int64, u *cradle.User, password string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if password != "" {
		if err := cradle.CheckPassword(password); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *Tx) error {
		before, err := userByID(ctx, tx.q(), id)
		if err != nil {
			return err
		}
		if before.Role == cradle.RoleAdmin && !before.Disabled && (u.Role != cradle.RoleAdmin || u.Disabled) {
			var admins int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return cradle.Errorf(cradle.EConflict, "%s is the last active administrator: make someone else an administrator first", before.Email)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE users SET name = ?, role = ?, disabled = ? WHERE id = ?`, u.Name, string(u.Role), u.Disabled, id); err != nil {
			return err
		}
		if password != "" {
			if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, HashPassword(password), id); err != nil {
				return err
			}
		}
		if password != "" || u.Disabled || u.Role != before.Role {
			// Changed credentials or rights end the user's sessions.
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		u.ID, u.Email, u.CreatedAt = id, before.Email, before.CreatedAt
		after := map[string]any{"user": u, "password_changed": password != ""}
		return tx.audit(ctx, actor, "user.update", "user", id, before, after)
	})
}

func userByID(ctx context.Context, q queryer, id int64) (*cradle.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no user %d", id)
	}
	return u, err
}

// User returns the user with the given ID.
func (db *DB) User(ctx context.Context, id int64) (*cradle.User, error) {
	return userByID(ctx, db.r(), id)
}

// UserByEmail returns the user with the given e-mail address.
func (db *DB) UserByEmail(ctx context.Context, email string) (*cradle.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cradle.Errorf(cradle.ENotFound, "no user %s", email)
	}
	return u, err
}

// ListUsers returns a page of users ordered by e-mail.
func (db *DB) ListUsers(ctx context.Context, pg cradle.Page) ([]*cradle.User, int, error) {
	pg = pg.Normalize()
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+userCols+` FROM users ORDER BY email`+pageClause(pg))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// CountUsers returns how many users exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// Authenticate checks an e-mail and password. Every failure is the same
// EUnauthorized error, so a caller cannot tell which part was wrong.
func (db *DB) Authenticate(ctx context.Context, email, password string) (*cradle.User, error) {
	fail := cradle.Errorf(cradle.EUnauthorized, "wrong e-mail or password")
	var hash string
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))))
	if err == nil {
		err = db.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash)
	}
	if errors.Is(err, sql.ErrNoRows) {
		CheckPasswordHash(dummyHash(), password)
		return nil, fail
	} else if err != nil {
		return nil, err
	}
	if hash == "" || !CheckPasswordHash(hash, password) || u.Disabled {
		return nil, fail
	}
	return u, nil
}

// Session lifetime.
const SessionTTL = 12 * time.Hour

// Session is a signed-in browser.
type Session struct {
	Token     string // the cookie value; only its hash is stored
	CSRF      string
	User      cradle.User
	ExpiresAt time.Time
}

// CreateSession starts a session for u and returns the cookie token.
func (db *DB) CreateSession(ctx context.Context, u *cradle.User) (*Session, error) {
	s := &Session{Token: RandomSecret(32), CSRF: RandomSecret(32), User: *u, ExpiresAt: db.now().Add(SessionTTL)}
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, db.now()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			sha256Hex(s.Token), u.ID, s.CSRF, db.now(), s.ExpiresAt); err != nil {
			return err
		}
		return tx.audit(ctx, cradle.Actor{UserID: u.ID, Name: u.Email, Via: "ui"}, "session.login", "user", u.ID, nil, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

// Session returns the live session for a cookie token.
func (db *DB) Session(ctx context.Context, token string) (*Session, error) {
	var s Session
	var exp nullTime
	var uid int64
	err := db.queryRow(ctx, `SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?`, sha256Hex(token)).Scan(&uid, &s.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && exp.t.Before(db.now())) {
		return nil, cradle.Errorf(cradle.EUnauthorized, "session expired: sign in again")
	} else if err != nil {
		return nil, err
	}
	u, err := db.User(ctx, uid)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, cradle.Errorf(cradle.EUnauthorized, "account disabled")
	}
	s.Token, s.User, s.ExpiresAt = token, *u, exp.t
	return &s, nil
}

// DeleteSession signs a session out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE token_hash = ?`), sha256Hex(token))
	return err
}

// TokenPrefix starts every API token so that secret scanners recognise it.
const TokenPrefix = "cradle_"

// CreateToken issues an API token for a user with a role no wider than
// the user's own. It returns the secret, which is never shown again.
func (db *DB) CreateToken(ctx context.Context, actor cradle.Actor, t *cradle.Token) (string, error) {
	t.Name = strings.TrimSpace(t.Name)
	var probs []cradle.Problem
	if t.Name == "" || len(t.Name) > 100 {
		probs = append(probs, cradle.Problem{Location: "name", Message: "is required (at most 100 characters)"})
	}
	if !t.Role.Valid() {
		probs = append(probs, cradle.Problem{Location: "role", Message: "must be one of admin, security-officer, developer, auditor"})
	}
	if !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(db.now()) {
		probs = append(probs, cradle.Problem{Location: "expires_at", Message: "is in the past"})
	}
	if len(probs) > 0 {
		return "", cradle.Invalid("invalid token", probs...)
	}
	secret := TokenPrefix + RandomSecret(32)
	err := db.InTx(ctx, func(tx *Tx) error {
		u, err := userByID(ctx, tx.q(), t.UserID)
		if cradle.ErrorCode(err) == cradle.ENotFound {
			return cradle.Invalid("invalid token", cradle.Problem{Location: "user_id", Message: fmt.Sprintf("no user %d", t.UserID)})
		} else if err != nil {
			return err
		}
		if !roleCovers(u.Role, t.Role) {
			return cradle.Invalid("invalid token", cradle.Problem{Location: "role",
				Message: fmt.Sprintf("a %s token is wider than its user's role (%s)", t.Role, u.Role)})
		}
		now := db.now()
		if err := tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, role, token_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.ID, t.Name, string(t.Role), sha256Hex(secret), now, timeArg(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		t.UserEmail, t.CreatedAt = u.Email, now
		return tx.audit(ctx, actor, "token.create", "token", t.ID, nil, t)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// roleCovers reports whether a user of role have may hold a token of role want.
func roleCovers(have, want cradle.Role) bool {
	if have == cradle.RoleAdmin || have == want {
		return true
	}
	for _, p := range []cradle.Permission{cradle.PermRead, cradle.PermWriteProduct, cradle.PermWriteRelease, cradle.PermImportSBOM, cradle.PermReadAudit, cradle.PermManageUsers} {
		if want.Can(p) && !have.Can(p) {
			return false
		}
	}
	return true
}

// TokenPrincipal authenticates an API token secret.
func (db *DB) TokenPrincipal(ctx context.Context, secret string) (*cradle.Principal, error) {
	fail := cradle.Errorf(cradle.EUnauthorized, "invalid or expired API token")
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, fail
	}
	var id, uid int64
	var name, role string
	var exp, revoked, used nullTime
	err := db.queryRow(ctx, `SELECT id, user_id, name, role, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?`,
		sha256Hex(secret)).Scan(&id, &uid, &name, &role, &exp, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail
	} else if err != nil {
		return nil, err
	}
	now := db.now()
	if !revoked.t.IsZero() || (!exp.t.IsZero() && exp.t.Before(now)) {
		return nil, fail
	}
	u, err := db.User(ctx, uid)
	if err != nil || u.Disabled {
		return nil, fail
	}
	// Record use at most once a minute, and off the request's path: on
	// SQLite the write would queue behind whatever import holds the writer.
	if now.Sub(used.t) > time.Minute {
		if _, busy := db.touching.LoadOrStore(id, true); !busy {
			go func() {
				defer db.touching.Delete(id)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, _ = db.write.ExecContext(ctx, db.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), now, id)
			}()
		}
	}
	r := cradle.Role(role)
	if !roleCovers(u.Role, r) {
		r = u.Role // the user's role was narrowed since the token was made
	}
	return &cradle.Principal{User: *u, Role: r, Token: name}, nil
}

// ListTokens returns a page of live tokens, newest first.
func (db *DB) ListTokens(ctx context.Context, pg cradle.Page) ([]*cradle.Token, int, error) {
	pg = pg.Normalize()
	var total int
	live := `t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`
	now := db.now()
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM api_tokens t WHERE `+live, now).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT t.id, t.user_id, u.email, t.name, t.role, t.created_at, t.expires_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE `+live+` ORDER BY t.id DESC`+pageClause(pg), now)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*cradle.Token
	for rows.Next() {
		var t cradle.Token
		var role string
		var c, e, l nullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &role, &c, &e, &l); err != nil {
			return nil, 0, err
		}
		t.Role, t.CreatedAt, t.ExpiresAt, t.LastUsedAt = cradle.Role(role), c.t, e.t, l.t
		out = append(out, &t)
	}
	return out, total, rows.Err()
}

// RevokeToken ends a token.
func (db *DB) RevokeToken(ctx context.Context, actor cradle.Actor, id int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, db.now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return cradle.Errorf(cradle.ENotFound, "no live token %d", id)
		}
		return tx.audit(ctx, actor, "token.revoke", "token", id, nil, nil)
	})
}
