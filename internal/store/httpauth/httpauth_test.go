package httpauth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestTokenFrom(t *testing.T) {
	for h, want := range map[string]string{
		"Token nfs_abc": "nfs_abc", "Bearer nfs_abc": "nfs_abc", "bearer  nfs_x ": "nfs_x", "Basic Zm9v": "", "": "",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if got := TokenFrom(r); got != want {
			t.Errorf("TokenFrom(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		rec := httptest.NewRecorder()
		SetSession(rec, "secret", secure)
		c := rec.Result().Cookies()[0]
		if c.Name != SessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
			t.Fatalf("cookie flags (secure=%v): %+v", secure, c)
		}
	}
	rec := httptest.NewRecorder()
	ClearSession(rec, true)
	if c := rec.Result().Cookies()[0]; c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("clear: %+v", c)
	}
}

func TestCheckCSRF(t *testing.T) {
	a := Auth{Session: "s", CSRF: "tok"}
	form := func(v string) *http.Request {
		r := httptest.NewRequest("POST", "/", strings.NewReader(url.Values{CSRFField: {v}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	if !CheckCSRF(form("tok"), a) || CheckCSRF(form("bad"), a) || CheckCSRF(form(""), a) {
		t.Fatal("form field check wrong")
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set(CSRFHeader, "tok")
	if !CheckCSRF(r, a) {
		t.Fatal("header check wrong")
	}
	if !CheckCSRF(httptest.NewRequest("POST", "/", nil), Auth{}) {
		t.Fatal("token-authenticated requests need no CSRF token")
	}
}

func TestClientKey(t *testing.T) {
	r1 := httptest.NewRequest("GET", "/", nil)
	r1.RemoteAddr = "10.0.0.1:5555"
	r1.Header.Set("User-Agent", "a")
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.RemoteAddr = "10.0.0.1:6666" // another port: same client
	r2.Header.Set("User-Agent", "a")
	r3 := httptest.NewRequest("GET", "/", nil)
	r3.RemoteAddr = "10.0.0.1:5555"
	r3.Header.Set("User-Agent", "b")
	if ClientKey(r1) != ClientKey(r2) || ClientKey(r1) == ClientKey(r3) || strings.Contains(ClientKey(r1), "10.0.0.1") {
		t.Fatal("client key must hash address and user agent, ignoring the port")
	}
	if ClientIP(r1) != "10.0.0.1" {
		t.Fatal(ClientIP(r1))
	}
}
