package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/api"
	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
	"github.com/nanoforge/nanoforge/internal/store/web"
)

// site is a Store (API and web UI) on an httptest server over SQLite.
type site struct {
	t   testing.TB
	svc *core.Service
	srv *httptest.Server
}

func newSite(t testing.TB) *site {
	t.Helper()
	return newSiteOn(t, storetest.Backends[0])
}

// newSiteOn is newSite on a given database and blob store (PostgreSQL ones skip without
// NANOFORGE_TEST_POSTGRES).
func newSiteOn(t testing.TB, backend storetest.Backend) *site {
	t.Helper()
	env := storetest.Open(t, backend)
	svc, err := core.New(env.DB, env.Blob, core.Config{SignupOpen: true, TmpDir: t.TempDir(), Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return newSiteWith(t, svc)
}

// newSiteWith serves a given service.
func newSiteWith(t testing.TB, svc *core.Service) *site {
	h := api.New(svc, api.Options{}, web.New(svc, web.Options{}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, svc: svc, srv: srv}
}

// user creates an account directly in the domain layer.
func (s *site) user(name string) core.User {
	s.t.Helper()
	u, err := s.svc.CreateUser(context.Background(), name, "password-"+name, false, false)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// actor is a session-like actor of a user for direct domain calls.
func actor(u core.User) core.Actor {
	return core.Actor{UserID: u.ID, Name: u.Name, Scopes: core.ScopeAll, Client: "test:" + u.Name}
}

// publishPackage uploads and publishes a package release directly.
func (s *site) publishPackage(u core.User, name, version string, publish bool, reqs ...string) core.Release {
	s.t.Helper()
	rel, err := s.svc.Upload(context.Background(), actor(u), core.UploadInput{Kind: core.KindPackages, Name: name,
		File: bytes.NewReader(storetest.PackageZip(s.t, version, reqs...)), Changelog: "Changes in **" + version + "**", Publish: publish})
	if err != nil {
		s.t.Fatalf("upload %s %s: %v", name, version, err)
	}
	return rel
}

// browser is a cookie-keeping client that does not follow redirects, so tests see each 303.
type browser struct {
	t    testing.TB
	s    *site
	c    *http.Client
	csrf string // the CSRF token of the last page read
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) read(resp *http.Response, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfRe.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return page{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.read(b.c.Get(b.s.srv.URL + path))
}

// post sends a form with the current CSRF token unless the form sets csrf_token itself.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", b.csrf)
	}
	return b.read(b.c.PostForm(b.s.srv.URL+path, form))
}

// follow reads the page a 303 points to.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("want a 303 redirect, got %d: %s", p.Status, excerpt(p.Body))
	}
	return b.get(p.Location)
}

// multipart posts fields in order, then the file (as a browser sends a form in document order).
func (b *browser) multipart(path string, fields [][2]string, file []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if f[0] == "file" || f[0] == "image_file" {
			name := "release.zip"
			if f[0] == "image_file" {
				name = "logo.png"
			}
			w, _ := mw.CreateFormFile(f[0], name)
			w.Write(file)
			continue
		}
		mw.WriteField(f[0], f[1])
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.read(b.c.Do(req))
}

// signIn signs a user in through the login form.
func (b *browser) signIn(name string) {
	b.t.Helper()
	b.get("/login")
	p := b.post("/login", url.Values{"name": {name}, "password": {"password-" + name}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d: %s", name, p.Status, excerpt(p.Body))
	}
	b.get("/")
}

func excerpt(s string) string {
	if i := strings.Index(s, `role="alert"`); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600]
	}
	return s
}

func mustContain(t *testing.T, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.Body, w) {
			t.Errorf("page (status %d) lacks %q; it shows: %s", p.Status, w, excerpt(p.Body))
		}
	}
}

func mustNotContain(t *testing.T, p page, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(p.Body, w) {
			t.Errorf("page (status %d) unexpectedly holds %q", p.Status, w)
		}
	}
}
