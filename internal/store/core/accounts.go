package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/nanoforge/nanoforge/internal/store/db"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 follows the OWASP recommendation for argon2id (19 MiB, 2 passes).
var DefaultArgon2 = Argon2Params{Time: 2, Memory: 19 * 1024, Threads: 1}

// HashPassword hashes a password with argon2id into the PHC string format.
func HashPassword(pw string, p Argon2Params) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword verifies a password against a hash made by HashPassword, in constant time.
func CheckPassword(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p Argon2Params
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || threads == 0 || threads > 255 || p.Time == 0 || p.Memory == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, uint8(threads), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckName validates a user, team or resource name: lowercase letters, digits and '-',
// 1 to 64 characters, starting with a letter or digit (the nanos world folder-name rule).
func CheckName(what, name string) error {
	if name == "" || len(name) > 64 {
		return invalid("name", "%s name %q must be 1 to 64 characters", what, name)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0
		if !ok {
			return invalid("name", "%s name %q may only hold lowercase letters, digits and '-' (not at the start)", what, name)
		}
	}
	return nil
}

// User is an account.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Operator  bool      `json:"operator"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateUser makes an account and its personal team. Operators (operator=true) may create users
// even when sign-up is closed; fromSignup marks public sign-ups, refused when sign-up is off.
func (s *Service) CreateUser(ctx context.Context, name, password string, operator, fromSignup bool) (User, error) {
	if fromSignup && !s.cfg.SignupOpen {
		return User{}, errf(http.StatusForbidden, "sign-up is closed on this Store; ask its operator for an account")
	}
	if err := CheckName("user", name); err != nil {
		return User{}, err
	}
	if len(password) < 8 {
		return User{}, invalid("password", "the password must have at least 8 characters")
	}
	if len(password) > 1024 {
		return User{}, invalid("password", "the password must have at most 1024 characters")
	}
	hash := HashPassword(password, s.cfg.Argon2)
	now := db.Millis(s.now())
	u := User{Name: name, Operator: operator, CreatedAt: db.Time(now)}
	err := s.db.Tx(ctx, func(q db.Q) error {
		if err := q.Row(ctx, `INSERT INTO users (name, name_lower, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			name, strings.ToLower(name), hash, db.Int(operator), now).Scan(&u.ID); err != nil {
			if db.IsUnique(err) {
				return errf(http.StatusConflict, "the user name %q is taken; choose another", name)
			}
			return err
		}
		var teamID int64
		if err := q.Row(ctx, `INSERT INTO teams (name, name_lower, title, personal, created_at) VALUES (?, ?, ?, 1, ?) RETURNING id`,
			name, strings.ToLower(name), name, now).Scan(&teamID); err != nil {
			if db.IsUnique(err) {
				return errf(http.StatusConflict, "a team named %q exists, so no user can take that name; choose another", name)
			}
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE users SET personal_team = ? WHERE id = ?`, teamID, u.ID); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO team_members (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, teamID, u.ID, RoleOwner, now)
		return err
	})
	return u, err
}

// ListUsers lists every account (operators only).
func (s *Service) ListUsers(ctx context.Context, a Actor) ([]User, error) {
	if !a.Operator {
		return nil, errf(http.StatusForbidden, "only Store operators may list users")
	}
	rows, err := s.db.Q().Query(ctx, `SELECT id, name, is_admin, created_at FROM users ORDER BY name_lower`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var admin, created int64
		if err := rows.Scan(&u.ID, &u.Name, &admin, &created); err != nil {
			return nil, err
		}
		u.Operator, u.CreatedAt = db.Bool(admin), db.Time(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// RemoveUser deletes an account, its tokens, sessions and memberships. It refuses when the user
// is the last owner of a team that holds resources or other members.
func (s *Service) RemoveUser(ctx context.Context, a Actor, name string) error {
	if !a.Operator {
		return errf(http.StatusForbidden, "only Store operators may remove users")
	}
	return s.db.Tx(ctx, func(q db.Q) error {
		u, err := s.userByName(ctx, q, name)
		if err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT t.id, t.name, t.personal FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ? AND m.role = 'owner'`, u.ID)
		if err != nil {
			return err
		}
		type team struct {
			id       int64
			name     string
			personal int64
		}
		var owned []team
		for rows.Next() {
			var t team
			if err := rows.Scan(&t.id, &t.name, &t.personal); err != nil {
				rows.Close()
				return err
			}
			owned = append(owned, t)
		}
		rows.Close()
		for _, t := range owned {
			var owners, others, resources int64
			q.Row(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = ? AND role = 'owner'`, t.id).Scan(&owners)
			q.Row(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = ? AND user_id <> ?`, t.id, u.ID).Scan(&others)
			q.Row(ctx, `SELECT COUNT(*) FROM resources WHERE team_id = ?`, t.id).Scan(&resources)
			if owners == 1 && (others > 0 || resources > 0) {
				return errf(http.StatusConflict, "%s is the last owner of team %q, which still has members or resources; make another member owner or move the resources first", name, t.name)
			}
			if owners == 1 {
				if _, err := q.Exec(ctx, `DELETE FROM teams WHERE id = ?`, t.id); err != nil {
					return err
				}
			}
		}
		_, err = q.Exec(ctx, `DELETE FROM users WHERE id = ?`, u.ID)
		return err
	})
}

func (s *Service) userByName(ctx context.Context, q db.Q, name string) (User, error) {
	var u User
	var admin, created int64
	err := q.Row(ctx, `SELECT id, name, is_admin, created_at FROM users WHERE name_lower = ?`, strings.ToLower(name)).Scan(&u.ID, &u.Name, &admin, &created)
	if isNoRows(err) {
		return u, errf(http.StatusNotFound, "no user named %q", name)
	}
	u.Operator, u.CreatedAt = db.Bool(admin), db.Time(created)
	return u, err
}

// UserByName looks a user up.
func (s *Service) UserByName(ctx context.Context, name string) (User, error) {
	return s.userByName(ctx, s.db.Q(), name)
}

// Login checks a name and password, throttling repeated failures per account and per client
// address (kept in the database so every Store process sees them).
func (s *Service) Login(ctx context.Context, name, password, clientAddr string) (User, error) {
	keys := []string{"user:" + strings.ToLower(name), "addr:" + clientAddr}
	since := db.Millis(s.now().Add(-s.cfg.LoginWindow))
	for _, k := range keys {
		var n int
		if err := s.db.Q().Row(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?`, k, since).Scan(&n); err != nil {
			return User{}, err
		}
		if n >= s.cfg.LoginFailures {
			return User{}, &Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf("too many failed sign-ins; wait %s and try again", s.cfg.LoginWindow)}
		}
	}
	var u User
	var hash string
	var admin, created int64
	err := s.db.Q().Row(ctx, `SELECT id, name, is_admin, created_at, password_hash FROM users WHERE name_lower = ?`, strings.ToLower(name)).Scan(&u.ID, &u.Name, &admin, &created, &hash)
	if err != nil && !isNoRows(err) {
		return User{}, err
	}
	if err != nil || !CheckPassword(password, hash) {
		if isNoRows(err) {
			// Spend the same time as a real check so timing does not reveal which names exist.
			CheckPassword(password, HashPassword("x", s.cfg.Argon2))
		}
		now := db.Millis(s.now())
		for _, k := range keys {
			s.db.Q().Exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k, now)
		}
		return User{}, errf(http.StatusUnauthorized, "wrong user name or password")
	}
	s.db.Q().Exec(ctx, `DELETE FROM login_failures WHERE key = ?`, keys[0])
	u.Operator, u.CreatedAt = db.Bool(admin), db.Time(created)
	return u, nil
}

// ---------------------------------------------------------------- tokens

// TokenPrefix starts every personal access token so leaked tokens are easy to recognise.
const TokenPrefix = "nfs_"

// MaxTokenLifetime is the longest a token may live.
const MaxTokenLifetime = 2 * 365 * 24 * time.Hour

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newToken returns a fresh token: prefix, 32 random bytes, and a CRC-32 checksum so scanners can
// tell a real token from random text without asking the Store.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	body := b32.EncodeToString(b)
	var sum [4]byte
	c := crc32.ChecksumIEEE([]byte(body))
	sum[0], sum[1], sum[2], sum[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	return TokenPrefix + body + b32.EncodeToString(sum[:])
}

// wellFormed checks a token's shape and checksum.
func wellFormed(tok string) bool {
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+52+7 {
		return false
	}
	body := tok[len(TokenPrefix) : len(TokenPrefix)+52]
	sum, err := b32.DecodeString(tok[len(TokenPrefix)+52:])
	if err != nil || len(sum) != 4 {
		return false
	}
	c := crc32.ChecksumIEEE([]byte(body))
	return sum[0] == byte(c>>24) && sum[1] == byte(c>>16) && sum[2] == byte(c>>8) && sum[3] == byte(c)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Token describes a personal access token (never its secret, which is shown once).
type Token struct {
	ID         int64     `json:"id"`
	Label      string    `json:"label"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	// Login marks a token issued by signing in through the API (see LoginToken).
	Login bool `json:"login,omitempty"`
}

// ParseLifetime reads a token lifetime: "30d", "12h", "1y", "2y" or a Go duration.
func ParseLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) > 1 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n > 0 {
			switch s[len(s)-1] {
			case 'd':
				return time.Duration(n) * 24 * time.Hour, nil
			case 'y':
				return time.Duration(n) * 365 * 24 * time.Hour, nil
			case 'w':
				return time.Duration(n) * 7 * 24 * time.Hour, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, invalid("expires", "cannot read the expiry %q; write it like 30d, 12h or 1y", s)
	}
	return d, nil
}

// CreateToken issues a token for the actor's own account (or, for operators, for user). The
// secret is returned once; only its SHA-256 is stored.
func (s *Service) CreateToken(ctx context.Context, a Actor, user, label string, scopes Scope, lifetime time.Duration) (string, Token, error) {
	if !a.LoggedIn() {
		return "", Token{}, errLogin
	}
	if !a.Scopes.Has(ScopeManage) {
		return "", Token{}, errf(http.StatusForbidden, "creating tokens needs the `manage` scope")
	}
	uid := a.UserID
	if user != "" && !strings.EqualFold(user, a.Name) {
		if !a.Operator {
			return "", Token{}, errf(http.StatusForbidden, "you may only create tokens for your own account")
		}
		u, err := s.UserByName(ctx, user)
		if err != nil {
			return "", Token{}, err
		}
		uid = u.ID
	}
	label = strings.TrimSpace(label)
	if label == "" || len(label) > 100 {
		return "", Token{}, invalid("label", "a token needs a label of 1 to 100 characters (only you see it)")
	}
	if lifetime <= 0 {
		return "", Token{}, invalid("expires", "a token needs an expiry (at most two years)")
	}
	if lifetime > MaxTokenLifetime {
		return "", Token{}, invalid("expires", "tokens live at most two years; choose a shorter expiry")
	}
	if scopes == 0 {
		scopes = ScopeRead
	}
	return s.insertToken(ctx, s.db.Q(), uid, label, scopes, lifetime, false)
}

func (s *Service) insertToken(ctx context.Context, q db.Q, uid int64, label string, scopes Scope, lifetime time.Duration, login bool) (string, Token, error) {
	now := s.now()
	secret := newToken()
	t := Token{Label: label, Scopes: scopes.Names(), CreatedAt: now.Truncate(time.Millisecond), ExpiresAt: now.Add(lifetime).Truncate(time.Millisecond), Login: login}
	fromLogin := 0
	if login {
		fromLogin = 1
	}
	err := q.Row(ctx, `INSERT INTO tokens (user_id, label, hash, scopes, created_at, expires_at, from_login) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		uid, label, hashSecret(secret), int64(scopes), db.Millis(now), db.Millis(t.ExpiresAt), fromLogin).Scan(&t.ID)
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// Limits of tokens issued by signing in through the API: short-lived by default, never longer
// than MaxLoginTokenLifetime, and at most MaxLoginTokens live per account.
const (
	DefaultLoginTokenLifetime = 24 * time.Hour
	MaxLoginTokenLifetime     = 30 * 24 * time.Hour
	MaxLoginTokens            = 5
)

// LoginToken issues the token a password sign-in through the API returns. Unlike tokens made
// on purpose (CreateToken), it behaves like a session: it replaces the account's earlier live
// sign-in token with the same label (a script that signs in on every run keeps one token, not
// hundreds), at most MaxLoginTokens stay live per account (the oldest are revoked), it lives
// DefaultLoginTokenLifetime unless asked otherwise and at most MaxLoginTokenLifetime. The
// user must have passed Login first.
func (s *Service) LoginToken(ctx context.Context, u User, label string, scopes Scope, lifetime time.Duration) (string, Token, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		label = "login"
	}
	if len(label) > 100 {
		return "", Token{}, invalid("label", "a token label is at most 100 characters")
	}
	if lifetime == 0 {
		lifetime = DefaultLoginTokenLifetime
	}
	if lifetime < 0 || lifetime > MaxLoginTokenLifetime {
		return "", Token{}, invalid("expires", "a sign-in token lives at most 30 days; for a longer-lived token (up to two years) create one with POST /api/v1/tokens")
	}
	if scopes == 0 {
		scopes = ScopeAll
	}
	var secret string
	var t Token
	err := s.db.Tx(ctx, func(q db.Q) error {
		now := db.Millis(s.now())
		if _, err := q.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND from_login = 1 AND revoked_at = 0 AND (label = ? OR expires_at <= ?)`,
			now, u.ID, label, now); err != nil {
			return err
		}
		// Keep the newest MaxLoginTokens-1 live ones; the new token makes MaxLoginTokens.
		if _, err := q.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND from_login = 1 AND revoked_at = 0 AND id NOT IN
			(SELECT id FROM tokens WHERE user_id = ? AND from_login = 1 AND revoked_at = 0 ORDER BY id DESC LIMIT ?)`,
			now, u.ID, u.ID, MaxLoginTokens-1); err != nil {
			return err
		}
		var err error
		secret, t, err = s.insertToken(ctx, q, u.ID, label, scopes, lifetime, true)
		return err
	})
	return secret, t, err
}

// ListTokens lists the actor's tokens.
func (s *Service) ListTokens(ctx context.Context, a Actor) ([]Token, error) {
	if !a.LoggedIn() {
		return nil, errLogin
	}
	rows, err := s.db.Q().Query(ctx, `SELECT id, label, scopes, created_at, expires_at, last_used_at, revoked_at, from_login FROM tokens WHERE user_id = ? ORDER BY id`, a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var sc, c, e, l, r, login int64
		if err := rows.Scan(&t.ID, &t.Label, &sc, &c, &e, &l, &r, &login); err != nil {
			return nil, err
		}
		t.Login = db.Bool(login)
		t.Scopes, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = Scope(sc).Names(), db.Time(c), db.Time(e), db.Time(l), db.Time(r)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the actor's tokens.
func (s *Service) RevokeToken(ctx context.Context, a Actor, id int64) error {
	if !a.LoggedIn() {
		return errLogin
	}
	if !a.Scopes.Has(ScopeManage) && id != a.TokenID {
		return errf(http.StatusForbidden, "revoking other tokens needs the `manage` scope (a token may always revoke itself)")
	}
	res, err := s.db.Q().Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0`, db.Millis(s.now()), id, a.UserID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errf(http.StatusNotFound, "no active token %d on your account", id)
	}
	return nil
}

// TokenInfo is the token an actor authenticated with.
type TokenInfo struct {
	Label     string
	Scopes    Scope
	ExpiresAt time.Time
}

// Authenticate turns a token secret into an actor. Expired, revoked and unknown tokens fail
// with 401. Last-used times are recorded at most once a minute per token.
func (s *Service) Authenticate(ctx context.Context, secret, client string) (Actor, TokenInfo, error) {
	bad := errf(http.StatusUnauthorized, "the token is unknown, expired or revoked; create a new one in your account settings")
	if !wellFormed(secret) {
		return Actor{}, TokenInfo{}, bad
	}
	var a Actor
	var ti TokenInfo
	var sc, exp, rev, last, admin int64
	err := s.db.Q().Row(ctx, `SELECT t.id, t.label, t.scopes, t.expires_at, t.revoked_at, t.last_used_at, u.id, u.name, u.is_admin
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hashSecret(secret)).
		Scan(&a.TokenID, &ti.Label, &sc, &exp, &rev, &last, &a.UserID, &a.Name, &admin)
	if isNoRows(err) {
		return Actor{}, TokenInfo{}, bad
	}
	if err != nil {
		return Actor{}, TokenInfo{}, err
	}
	now := s.now()
	if rev != 0 || db.Time(exp).Before(now) {
		return Actor{}, TokenInfo{}, bad
	}
	if now.Sub(db.Time(last)) > time.Minute {
		s.db.Q().Exec(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, db.Millis(now), a.TokenID)
	}
	a.Scopes, a.Operator = Scope(sc), db.Bool(admin)
	a.Client = "token:" + strconv.FormatInt(a.TokenID, 10)
	ti.Scopes, ti.ExpiresAt = a.Scopes, db.Time(exp)
	return a, ti, nil
}

// ---------------------------------------------------------------- sessions

// SessionLifetime is how long a web sign-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

// CreateSession signs a user in for the web UI, returning the cookie secret and the session's
// CSRF token.
func (s *Service) CreateSession(ctx context.Context, u User) (secret, csrf string, err error) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	rand.Read(b)
	csrf = base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	_, err = s.db.Q().Exec(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashSecret(secret), u.ID, csrf, db.Millis(now), db.Millis(now.Add(SessionLifetime)))
	return secret, csrf, err
}

// Session resolves a session cookie secret to its actor (all scopes) and CSRF token.
func (s *Service) Session(ctx context.Context, secret, client string) (Actor, string, error) {
	var a Actor
	var csrf string
	var exp, admin int64
	err := s.db.Q().Row(ctx, `SELECT u.id, u.name, u.is_admin, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`,
		hashSecret(secret)).Scan(&a.UserID, &a.Name, &admin, &csrf, &exp)
	if isNoRows(err) || err == nil && db.Time(exp).Before(s.now()) {
		return Actor{}, "", errf(http.StatusUnauthorized, "your session ended; sign in again")
	}
	if err != nil {
		return Actor{}, "", err
	}
	a.Operator, a.Scopes, a.Client = db.Bool(admin), ScopeAll, client
	return a, csrf, nil
}

// EndSession signs a web session out.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	_, err := s.db.Q().Exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hashSecret(secret))
	return err
}
