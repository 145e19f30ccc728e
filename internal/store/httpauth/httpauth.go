// Package httpauth turns HTTP requests into Store actors: personal access tokens in the
// Authorization header, web sessions in a cookie, CSRF checks for forms, and the client key used
// for download counting and rate limits. The API and the web UI share it.
package httpauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/core"
)

// SessionCookie is the name of the web session cookie.
const SessionCookie = "nfs_session"

// CSRFField is the form field (and CSRFHeader the header) carrying the session's CSRF token.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// SetSession stores a session secret in a cookie: HttpOnly, SameSite=Lax, and Secure when the
// Store is served over https.
func SetSession(w http.ResponseWriter, secret string, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(core.SessionLifetime),
	})
}

// ClearSession removes the session cookie.
func ClearSession(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// ClientIP is the request's peer address without port. Proxy headers are not trusted: a Store
// behind a reverse proxy should be given the real address by the proxy's own means.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientKey identifies an anonymous client by address and user agent (hashed, never stored raw).
func ClientKey(r *http.Request) string {
	h := sha256.Sum256([]byte(ClientIP(r) + "\x00" + r.UserAgent()))
	return "anon:" + hex.EncodeToString(h[:12])
}

// TokenFrom extracts a token from `Authorization: Token <t>` or `Bearer <t>`.
func TokenFrom(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, p := range []string{"Token ", "Bearer ", "token ", "bearer "} {
		if strings.HasPrefix(h, p) {
			return strings.TrimSpace(h[len(p):])
		}
	}
	return ""
}

// Auth is what a request authenticated as.
type Auth struct {
	Actor core.Actor
	// Token is set when a personal access token was used.
	Token *core.TokenInfo
	// CSRF is the session's CSRF token when a session cookie was used.
	CSRF string
	// Session is the cookie secret when a session cookie was used.
	Session string
}

// Authenticate reads the request's credentials. A request with a bad token fails (401); a bad
// or expired session cookie is ignored (the visitor is anonymous).
func Authenticate(ctx context.Context, svc *core.Service, r *http.Request) (Auth, error) {
	if tok := TokenFrom(r); tok != "" || r.Header.Get("Authorization") != "" {
		a, ti, err := svc.Authenticate(ctx, tok, "")
		if err != nil {
			return Auth{}, err
		}
		return Auth{Actor: a, Token: &ti}, nil
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		a, csrf, err := svc.Session(ctx, c.Value, ClientKey(r))
		if err == nil {
			return Auth{Actor: a, CSRF: csrf, Session: c.Value}, nil
		}
	}
	return Auth{Actor: core.Anonymous(ClientKey(r))}, nil
}

// CheckCSRF verifies the CSRF token a form or script sent against the session's. Requests
// authenticated by token need no CSRF token (browsers never attach tokens by themselves).
func CheckCSRF(r *http.Request, a Auth) bool {
	if a.Session == "" {
		return true
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(a.CSRF)) == 1
}

type ctxKey struct{}

// With stores an Auth in a context.
func With(ctx context.Context, a Auth) context.Context { return context.WithValue(ctx, ctxKey{}, a) }

// From returns the Auth stored by With (anonymous when none).
func From(ctx context.Context) Auth {
	a, _ := ctx.Value(ctxKey{}).(Auth)
	return a
}
