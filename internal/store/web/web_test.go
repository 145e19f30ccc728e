package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

func TestAnonymousPages(t *testing.T) {
	s := newSite(t)
	alice := s.user("alice")
	s.publishPackage(alice, "race-mode", "1.0.0", true)
	desc := "# Racing\n\nFast **cars**.\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(2))"
	if _, err := s.svc.UpdateResource(context.Background(), actor(alice), "packages", "race-mode", core.ResourceUpdate{Description: &desc, Tags: &[]string{"racing", "cars"}}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	cases := []struct {
		path   string
		status int
		wants  []string
	}{
		{"/", 200, []string{"Packages and asset packs", "race-mode", `href="/packages/race-mode"`}},
		{"/search?q=race", 200, []string{"Results for “race”", "race-mode", "Showing 1–1 of 1"}},
		{"/search?q=nothing-like-this", 200, []string{"Nothing found."}},
		{"/search?sort=sideways", 422, []string{"unknown sort", `role="alert"`}},
		{"/packages/race-mode", 200, []string{"<h1>Test package</h1>", "<strong>cars</strong>", "nanoforge --cli install package race-mode",
			`href="/api/v1/packages/race-mode/releases/1.0.0/download"`, "Stable", "#racing"}},
		{"/packages/race-mode/releases/1.0.0", 200, []string{"Test package 1.0.0", "Changes in <strong>1.0.0</strong>", "SHA-256"}},
		{"/packages/nope", 404, []string{"no package named", "Not found"}},
		{"/assets/race-mode", 404, []string{"no asset pack named"}},
		{"/widgets/race-mode", 404, []string{"There is no page"}},
		{"/teams/alice", 200, []string{"Members", "alice", "race-mode"}},
		{"/servers", 200, []string{"No servers online"}},
		{"/login", 200, []string{`<label for="name">`, `autocomplete="current-password"`}},
		{"/signup", 200, []string{"Create an account", `name="password2"`}},
	}
	for _, c := range cases {
		p := b.get(c.path)
		if p.Status != c.status {
			t.Errorf("GET %s: status %d, want %d: %s", c.path, p.Status, c.status, excerpt(p.Body))
		}
		mustContain(t, p, c.wants...)
		mustContain(t, p, `<main id="main"`, `lang="en"`)
		if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: content type %q", c.path, ct)
		}
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("GET %s: content security policy %q", c.path, csp)
		}
	}
	// The description is sanitised: no script, no javascript: link.
	p := b.get("/packages/race-mode")
	mustNotContain(t, p, "<script>alert", "javascript:alert")
	// Visitors see no management controls.
	mustNotContain(t, p, "Upload a release", "Edit details")
	// Pages that need an account send visitors to sign in and back.
	for _, path := range []string{"/account/tokens", "/teams", "/new", "/packages/race-mode/upload", "/packages/race-mode/edit"} {
		p := b.get(path)
		if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s as a visitor: %d to %q, want 303 to the sign-in page", path, p.Status, p.Location)
		}
	}
	st := b.get("/static/style.css")
	if st.Status != 200 || !strings.Contains(st.Body, ":focus-visible") {
		t.Errorf("style sheet: status %d", st.Status)
	}
}

func TestSignupLoginLogout(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.get("/signup")
	p := b.post("/signup", url.Values{"name": {"bob"}, "password": {"long-enough"}, "password2": {"different"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("mismatched passwords: status %d", p.Status)
	}
	mustContain(t, p, "The two passwords differ", `value="bob"`)
	p = b.post("/signup", url.Values{"name": {"Bob!"}, "password": {"long-enough"}, "password2": {"long-enough"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad name: status %d", p.Status)
	}
	mustContain(t, p, "may only hold lowercase letters", `class="field-error"`)
	p = b.post("/signup", url.Values{"name": {"bob"}, "password": {"long-enough"}, "password2": {"long-enough"}})
	if p.Status != http.StatusSeeOther || p.Location != "/account/tokens" {
		t.Fatalf("sign up: %d to %q: %s", p.Status, p.Location, excerpt(p.Body))
	}
	p = b.follow(p)
	mustContain(t, p, "Welcome, bob!", "Sign out", "Personal access tokens")
	// The flash is shown once.
	mustNotContain(t, b.get("/account/tokens"), "Welcome, bob!")
	// Taken names are refused next to the form.
	b2 := s.browser()
	b2.get("/signup")
	p = b2.post("/signup", url.Values{"name": {"bob"}, "password": {"long-enough"}, "password2": {"long-enough"}})
	if p.Status != http.StatusConflict {
		t.Fatalf("taken name: status %d", p.Status)
	}
	mustContain(t, p, "is taken")

	p = b.follow(b.post("/logout", nil))
	mustContain(t, p, "Signed out.", "Sign in")
	mustNotContain(t, p, "Sign out")
	if p := b.get("/account/tokens"); p.Status != http.StatusSeeOther {
		t.Fatalf("tokens page after sign-out: %d", p.Status)
	}

	b.get("/login")
	p = b.post("/login", url.Values{"name": {"bob"}, "password": {"wrong-password"}})
	if p.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d", p.Status)
	}
	mustContain(t, p, "wrong user name or password", `value="bob"`)
	// Signing in again ends the previous session: its cookie no longer works.
	b.get("/login")
	b.follow(b.post("/login", url.Values{"name": {"bob"}, "password": {"long-enough"}}))
	old := sessionCookie(t, b, s)
	b.get("/login")
	b.follow(b.post("/login", url.Values{"name": {"bob"}, "password": {"long-enough"}}))
	if cur := sessionCookie(t, b, s); cur == old {
		t.Fatal("signing in again kept the same session")
	}
	stale := s.browser()
	u, _ := url.Parse(s.srv.URL)
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "nfs_session", Value: old}})
	if p := stale.get("/account/tokens"); p.Status != http.StatusSeeOther {
		t.Errorf("the replaced session still opens the tokens page: %d", p.Status)
	}
	// next keeps local paths and drops anything that leaves the site.
	for next, want := range map[string]string{"/teams": "/teams", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil.example": "/"} {
		b := s.browser()
		b.get("/login?next=" + url.QueryEscape(next))
		p = b.post("/login", url.Values{"name": {"bob"}, "password": {"long-enough"}, "next": {next}})
		if p.Status != http.StatusSeeOther || p.Location != want {
			t.Errorf("login with next=%q: %d to %q, want %q", next, p.Status, p.Location, want)
		}
	}
}

func TestSignupClosed(t *testing.T) {
	env := storetest.Open(t, storetest.Backends[0])
	svc, err := core.New(env.DB, env.Blob, core.Config{SignupOpen: false, TmpDir: t.TempDir(), Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	closed := newSiteWith(t, svc)
	b := closed.browser()
	p := b.get("/signup")
	if p.Status != http.StatusForbidden {
		t.Fatalf("closed sign-up page: %d", p.Status)
	}
	mustContain(t, p, "Sign-up is closed")
	p = b.post("/signup", url.Values{"name": {"eve"}, "password": {"long-enough"}, "password2": {"long-enough"}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("closed sign-up post: %d", p.Status)
	}
	if _, err := svc.UserByName(context.Background(), "eve"); err == nil {
		t.Fatal("an account was created although sign-up is closed")
	}
}

func TestCSRFRejected(t *testing.T) {
	s := newSite(t)
	s.user("carol")
	// Anonymous forms use a double-submit cookie: a post without it fails.
	fresh := s.browser()
	p := fresh.post("/login", url.Values{"name": {"carol"}, "password": {"password-carol"}, "csrf_token": {"made-up-token-made-up-token-made-up"}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "security token") {
		t.Fatalf("login without the CSRF cookie: %d", p.Status)
	}
	if c := p.Header.Get("Set-Cookie"); strings.Contains(c, "nfs_session=") && !strings.Contains(c, "nfs_session=;") {
		t.Fatal("a session was started by a forged login")
	}

	b := s.browser()
	b.signIn("carol")
	good := b.csrf
	forms := []struct {
		path string
		form url.Values
	}{
		{"/teams", url.Values{"name": {"forged-team"}}},
		{"/account/tokens", url.Values{"label": {"forged"}, "expires": {"30d"}, "scope": {"read"}}},
		{"/logout", url.Values{}},
	}
	for _, f := range forms {
		for _, tok := range []string{"", "wrong-token"} {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			form.Set("csrf_token", tok)
			p := b.post(f.path, form)
			if p.Status != http.StatusForbidden {
				t.Errorf("POST %s with CSRF token %q: status %d, want 403", f.path, tok, p.Status)
			}
			mustContain(t, p, "security token")
		}
	}
	if _, err := s.svc.Team(context.Background(), "forged-team"); err == nil {
		t.Error("a forged form created a team")
	}
	if toks, _ := s.svc.ListTokens(context.Background(), core.Actor{UserID: 1, Name: "carol", Scopes: core.ScopeAll}); len(toks) != 0 {
		t.Errorf("a forged form created %d tokens", len(toks))
	}
	// Still signed in: the forged logout did nothing.
	mustContain(t, b.get("/teams"), "Your teams")

	// Uploads: the token must come before the file, and be right.
	zip := storetest.PackageZip(t, "1.0.0")
	for _, fields := range [][][2]string{
		{{"kind", "packages"}, {"name", "forged"}, {"file", ""}},
		{{"csrf_token", "wrong"}, {"kind", "packages"}, {"name", "forged"}, {"file", ""}},
		{{"kind", "packages"}, {"name", "forged"}, {"file", ""}, {"csrf_token", good}},
	} {
		p := b.multipart("/new", fields, zip)
		if p.Status != http.StatusForbidden {
			t.Errorf("upload with fields %v: status %d, want 403", fields, p.Status)
		}
	}
	if _, err := s.svc.GetResource(context.Background(), core.Actor{}, "packages", "forged"); core.StatusOf(err) != http.StatusNotFound {
		t.Errorf("a forged upload created a resource (err %v)", err)
	}
	// A token in the Authorization header does not turn a page request into a signed-in one.
	secret, _, err := s.svc.CreateToken(context.Background(), core.Actor{UserID: 1, Name: "carol", Scopes: core.ScopeAll}, "", "api", core.ScopeAll, 24*3600e9)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/teams", strings.NewReader("name=token-team"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Token "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := s.svc.Team(context.Background(), "token-team"); err == nil {
		t.Error("a form post with a token header created a team")
	}
}

var tokenRe = regexp.MustCompile(`id="new-token" class="cmd" type="text" readonly value="(nfs_[a-z0-9]+)"`)

func TestTokens(t *testing.T) {
	s := newSite(t)
	s.user("dave")
	b := s.browser()
	b.signIn("dave")
	b.get("/account/tokens")
	p := b.post("/account/tokens", url.Values{"label": {"ci"}, "expires": {"90d"}, "scope": {"read", "publish"}})
	if p.Status != http.StatusCreated {
		t.Fatalf("create token: %d: %s", p.Status, excerpt(p.Body))
	}
	m := tokenRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("the new token is not shown: %s", excerpt(p.Body))
	}
	secret := m[1]
	mustContain(t, p, "shown only once", "read, publish")
	// The page holding the secret must not be kept by the browser or a proxy.
	if cc := p.Header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("the page showing a new token has Cache-Control %q", cc)
	}
	// The token works against the API and is never shown again.
	me := apiGet(t, s, "/api/v1/me", secret)
	if me.StatusCode != 200 {
		t.Fatalf("/api/v1/me with the new token: %d", me.StatusCode)
	}
	list := b.get("/account/tokens")
	mustNotContain(t, list, secret)
	mustContain(t, list, "<th scope=\"row\">ci</th>")
	mustNotContain(t, list, "sign-in</span>")
	// Last used shows once the token was used.
	if strings.Contains(list.Body, ">never<") {
		t.Errorf("last used still says never after an API call: %s", excerpt(list.Body))
	}

	for _, c := range []struct {
		form   url.Values
		status int
		msg    string
	}{
		{url.Values{"label": {"x"}, "expires": {"3y"}, "scope": {"read"}}, 422, "at most two years"},
		{url.Values{"label": {""}, "expires": {"30d"}, "scope": {"read"}}, 422, "needs a label"},
		{url.Values{"label": {"x"}, "expires": {"soon"}, "scope": {"read"}}, 422, "cannot read the expiry"},
		{url.Values{"label": {"x"}, "expires": {"30d"}}, 422, "at least one scope"},
		{url.Values{"label": {"x"}, "expires": {"30d"}, "scope": {"admin"}}, 422, "unknown scope"},
	} {
		p := b.post("/account/tokens", c.form)
		if p.Status != c.status {
			t.Errorf("create token %v: status %d, want %d", c.form, p.Status, c.status)
		}
		mustContain(t, p, c.msg)
		if tokenRe.MatchString(p.Body) {
			t.Errorf("create token %v showed a secret", c.form)
		}
	}

	id := regexp.MustCompile(`action="/account/tokens/(\d+)/revoke"`).FindStringSubmatch(list.Body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	p = b.follow(b.post("/account/tokens/"+id[1]+"/revoke", nil))
	mustContain(t, p, "The token is revoked", "Revoked ")
	if r := apiGet(t, s, "/api/v1/me", secret); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: API answered %d, want 401", r.StatusCode)
	}
	// Revoking it again, or someone else's, is a message on the page.
	p = b.post("/account/tokens/"+id[1]+"/revoke", nil)
	if p.Status != http.StatusNotFound {
		t.Errorf("revoking twice: %d", p.Status)
	}
	mustContain(t, p, "no active token")
}

func apiGet(t *testing.T, s *site, path, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestTeams(t *testing.T) {
	s := newSite(t)
	s.user("erin")
	s.user("frank")
	s.user("gina")
	erin := s.browser()
	erin.signIn("erin")
	erin.get("/teams")
	p := erin.post("/teams", url.Values{"name": {"Bad Name"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad team name: %d", p.Status)
	}
	mustContain(t, p, "may only hold lowercase", `value="Bad Name"`)
	p = erin.follow(erin.post("/teams", url.Values{"name": {"speedsters"}, "title": {"The Speedsters"}}))
	mustContain(t, p, "Team speedsters is created", "The Speedsters", "you are <strong>owner</strong>")

	// Add frank as member, then promote him to owner, then demote.
	steps := []struct {
		user, role string
		want       string
	}{
		{"frank", "member", "frank is now member"},
		{"frank", "owner", "frank is now owner"},
		{"frank", "admin", "frank is now admin"},
	}
	for _, st := range steps {
		p = erin.post("/teams/speedsters/members", url.Values{"user": {st.user}, "role": {st.role}})
		p = erin.follow(p)
		mustContain(t, p, st.want)
	}
	members, _ := s.svc.Members(context.Background(), "speedsters")
	if fmt.Sprint(members) != "[{erin owner} {frank admin}]" {
		t.Fatalf("members after the forms: %v", members)
	}
	// Unknown users and roles are explained on the page.
	p = erin.post("/teams/speedsters/members", url.Values{"user": {"nobody"}, "role": {"member"}})
	if p.Status != http.StatusNotFound {
		t.Errorf("adding an unknown user: %d", p.Status)
	}
	mustContain(t, p, `no user named &#34;nobody&#34;`, "Members")
	p = erin.post("/teams/speedsters/members", url.Values{"user": {"gina"}, "role": {"boss"}})
	mustContain(t, p, "unknown role")

	// The last owner stays.
	p = erin.post("/teams/speedsters/members/erin/remove", nil)
	if p.Status != http.StatusConflict {
		t.Fatalf("removing the last owner: %d", p.Status)
	}
	mustContain(t, p, "last owner")
	p = erin.post("/teams/speedsters/members", url.Values{"user": {"erin"}, "role": {"member"}})
	if p.Status != http.StatusConflict {
		t.Fatalf("demoting the last owner: %d", p.Status)
	}
	// An admin may not touch owners; a member of another team may not manage this one.
	frank := s.browser()
	frank.signIn("frank")
	fp := frank.get("/teams/speedsters")
	mustContain(t, fp, "you are <strong>admin</strong>", "Add a member")
	p = frank.post("/teams/speedsters/members/erin/remove", nil)
	if p.Status != http.StatusForbidden {
		t.Errorf("admin removing an owner: %d", p.Status)
	}
	gina := s.browser()
	gina.signIn("gina")
	gp := gina.get("/teams/speedsters")
	mustNotContain(t, gp, "Add a member", "/members/frank/remove")
	p = gina.post("/teams/speedsters/members", url.Values{"user": {"gina"}, "role": {"owner"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("outsider adding themselves: %d", p.Status)
	}
	mustContain(t, p, "not a member")
	// A plain member may leave on their own.
	erin.follow(erin.post("/teams/speedsters/members", url.Values{"user": {"gina"}, "role": {"member"}}))
	gp = gina.get("/teams/speedsters")
	mustContain(t, gp, "Leave The Speedsters")
	mustNotContain(t, gp, "Add a member")
	p = gina.follow(gina.post("/teams/speedsters/members/gina/remove", nil))
	mustContain(t, p, "gina is no longer in team speedsters")
	mustNotContain(t, p, "Leave The Speedsters")
	// Team details: admins edit them, outsiders cannot, logos must be https.
	p = erin.post("/teams/speedsters", url.Values{"title": {"Speedsters"}, "description": {"We drive fast."}, "image": {"http://example.org/l.png"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("http logo: %d", p.Status)
	}
	mustContain(t, p, "must be an https:// URL", `value="http://example.org/l.png"`)
	p = erin.follow(erin.post("/teams/speedsters", url.Values{"title": {"Speedsters"}, "description": {"We drive fast."}, "image": {"https://example.org/l.png"}}))
	mustContain(t, p, "are saved", "<h1>Speedsters</h1>", "We drive fast.", `src="https://example.org/l.png" alt="Speedsters logo"`)
	if p := gina.post("/teams/speedsters", url.Values{"title": {"Hijacked"}}); p.Status != http.StatusForbidden {
		t.Errorf("outsider editing the team: %d", p.Status)
	}
	// Removing frank works.
	p = erin.follow(erin.post("/teams/speedsters/members/frank/remove", nil))
	mustContain(t, p, "frank is no longer in team speedsters")
	mustContain(t, erin.get("/teams"), "speedsters", "erin")
}

func TestUploadPublishYankDownload(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend.Name, func(t *testing.T) { testUploadPublishYankDownload(t, newSiteOn(t, backend)) })
	}
}

func testUploadPublishYankDownload(t *testing.T, s *site) {
	s.user("hank")
	s.user("ivy")
	s.user("jack")
	hank := s.browser()
	hank.signIn("hank")
	hank.get("/new")
	zip := storetest.PackageZip(t, "1.2.0", "base-lib")
	fields := func(name string, publish bool) [][2]string {
		f := [][2]string{{"csrf_token", hank.csrf}, {"kind", "packages"}, {"name", name}, {"file", ""}, {"channel", "Beta"}, {"changelog", "First *release*"}}
		if publish {
			f = append(f, [2]string{"publish", "on"})
		}
		return f
	}
	// Bad input comes back next to the form with the values kept.
	p := hank.multipart("/new", fields("Bad_Name", false), zip)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad name: %d", p.Status)
	}
	mustContain(t, p, "may only hold lowercase", "First *release*")
	p = hank.multipart("/new", fields("broken", false), []byte("not a zip"))
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("not a zip: %d: %s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "the zip was refused")
	assetsZip := storetest.Zip(t, "Assets.toml", storetest.AssetsToml("1.0.0", nil))
	p = hank.multipart("/new", fields("wrong-kind", false), assetsZip)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("asset pack uploaded as a package: %d", p.Status)
	}
	mustContain(t, p, "Assets.toml", `class="field-error"`)
	noFile := [][2]string{{"csrf_token", hank.csrf}, {"kind", "packages"}, {"name", "nofile"}}
	p = hank.multipart("/new", noFile, nil)
	mustContain(t, p, "Attach the release zip")

	p = hank.multipart("/new", fields("drift", false), zip)
	if p.Status != http.StatusSeeOther || p.Location != "/packages/drift/releases/1.2.0" {
		t.Fatalf("create: %d to %q: %s", p.Status, p.Location, excerpt(p.Body))
	}
	p = hank.follow(p)
	mustContain(t, p, "as a draft on the Beta channel", "Draft.", "Publish 1.2.0", `href="/packages/base-lib"`)
	// Creating it again is refused.
	p = hank.multipart("/new", fields("drift", false), storetest.PackageZip(t, "1.3.0"))
	if p.Status != http.StatusConflict {
		t.Fatalf("creating an existing resource: %d", p.Status)
	}

	// The draft is private: visitors and outsiders get 404 and cannot publish.
	anon := s.browser()
	for _, path := range []string{"/packages/drift", "/packages/drift/releases/1.2.0"} {
		if p := anon.get(path); p.Status != http.StatusNotFound {
			t.Errorf("visitor GET %s: %d", path, p.Status)
		}
	}
	if r := apiGet(t, s, "/api/v1/packages/drift/releases/1.2.0/download", ""); r.StatusCode != http.StatusNotFound {
		t.Errorf("visitor download of a draft: %d", r.StatusCode)
	}
	ivy := s.browser()
	ivy.signIn("ivy")
	if p := ivy.get("/packages/drift"); p.Status != http.StatusNotFound {
		t.Errorf("outsider sees the private resource: %d", p.Status)
	}
	p = ivy.post("/packages/drift/releases/1.2.0/publish", url.Values{"channel": {"Stable"}})
	if p.Status != http.StatusNotFound {
		t.Errorf("outsider publish: %d", p.Status)
	}
	if p := ivy.get("/packages/drift/upload"); p.Status != http.StatusNotFound {
		t.Errorf("outsider upload page: %d", p.Status)
	}
	if p := ivy.multipart("/packages/drift/upload", [][2]string{{"csrf_token", ivy.csrf}, {"file", ""}}, storetest.PackageZip(t, "1.3.0")); p.Status != http.StatusNotFound {
		t.Errorf("outsider upload: %d: %s", p.Status, excerpt(p.Body))
	}
	if s.mustSearch("drift") != 0 {
		t.Error("a draft shows up in search")
	}

	// jack joins hank's personal team as a member: he sees the draft but may not publish.
	hank.get("/teams/hank")
	hank.follow(hank.post("/teams/hank/members", url.Values{"user": {"jack"}, "role": {"member"}}))
	jack := s.browser()
	jack.signIn("jack")
	jp := jack.get("/packages/drift/releases/1.2.0")
	if jp.Status != 200 {
		t.Fatalf("member sees the draft: %d", jp.Status)
	}
	mustNotContain(t, jp, "Publish 1.2.0")
	p = jack.post("/packages/drift/releases/1.2.0/publish", url.Values{"channel": {"Stable"}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("member publish: %d", p.Status)
	}
	mustContain(t, p, "needs the admin role", "Changelog")

	// hank publishes it on Stable.
	hank.get("/packages/drift/releases/1.2.0")
	p = hank.follow(hank.post("/packages/drift/releases/1.2.0/publish", url.Values{"channel": {"Stable"}}))
	mustContain(t, p, "drift 1.2.0 is published on the Stable channel")
	if s.mustSearch("drift") != 1 {
		t.Error("the published package is not found by search")
	}
	rp := anon.get("/packages/drift")
	if rp.Status != 200 {
		t.Fatalf("public resource page: %d", rp.Status)
	}
	mustContain(t, rp, "Download 1.2.0", "First <em>release</em>")

	// Download through the page's link: the exact bytes.
	link := regexp.MustCompile(`id="download-latest" href="([^"]+)"`).FindStringSubmatch(rp.Body)
	if link == nil {
		t.Fatal("no download button")
	}
	resp, err := http.Get(s.srv.URL + html.UnescapeString(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := sha256.Sum256(zip)
	if gs := sha256.Sum256(got); gs != want {
		t.Fatalf("downloaded %d bytes with SHA-256 %x, want the uploaded %x", len(got), gs, want)
	}
	mustContain(t, anon.get("/packages/drift/releases/1.2.0"), hex.EncodeToString(want[:]))

	// Upload a second release from the resource page, published at once.
	hank.get("/packages/drift/upload")
	p = hank.multipart("/packages/drift/upload", [][2]string{{"csrf_token", hank.csrf}, {"file", ""}, {"channel", "Stable"}, {"changelog", "Faster"}, {"publish", "on"}}, storetest.PackageZip(t, "1.3.0"))
	p = hank.follow(p)
	mustContain(t, p, "Uploaded and published drift 1.3.0")
	// Same version again: a message on the upload form.
	p = hank.multipart("/packages/drift/upload", [][2]string{{"csrf_token", hank.csrf}, {"file", ""}}, storetest.PackageZip(t, "1.3.0"))
	if p.Status != http.StatusConflict {
		t.Fatalf("duplicate version: %d", p.Status)
	}
	mustContain(t, p, "already exists", "Upload a release of")

	// Yank needs a reason.
	p = hank.post("/packages/drift/releases/1.3.0/yank", url.Values{"reason": {"  "}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("yank without reason: %d", p.Status)
	}
	mustContain(t, p, `class="field-error"`, "say why the release is yanked")
	p = hank.follow(hank.post("/packages/drift/releases/1.3.0/yank", url.Values{"reason": {"Breaks saves; use 1.2.0"}}))
	mustContain(t, p, "is yanked", "This release is yanked.", "Breaks saves; use 1.2.0")
	rp = anon.get("/packages/drift")
	mustContain(t, rp, `class="release is-yanked"`, "Yanked:</strong> Breaks saves; use 1.2.0", "Download 1.2.0")

	// A draft can be deleted; ivy cannot delete it.
	hank.multipart("/packages/drift/upload", [][2]string{{"csrf_token", hank.csrf}, {"file", ""}}, storetest.PackageZip(t, "1.4.0"))
	if p := ivy.post("/packages/drift/releases/1.4.0/delete", nil); p.Status != http.StatusNotFound {
		t.Errorf("outsider deleting a draft: %d", p.Status)
	}
	hank.get("/packages/drift/releases/1.4.0")
	p = hank.follow(hank.post("/packages/drift/releases/1.4.0/delete", nil))
	mustContain(t, p, "The draft 1.4.0 of drift is deleted.")
}

func (s *site) mustSearch(q string) int {
	s.t.Helper()
	res, err := s.svc.Search(context.Background(), core.SearchQuery{Q: q})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Total
}

func TestEditResource(t *testing.T) {
	s := newSite(t)
	kim := s.user("kim")
	s.user("lee")
	s.publishPackage(kim, "tuner", "1.0.0", true)
	lee := s.browser()
	lee.signIn("lee")
	if p := lee.get("/packages/tuner/edit"); p.Status != http.StatusForbidden {
		t.Errorf("outsider edit page: %d", p.Status)
	}
	p := lee.post("/packages/tuner/edit", url.Values{"title": {"Hijacked"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("outsider edit: %d", p.Status)
	}
	b := s.browser()
	b.signIn("kim")
	p = b.get("/packages/tuner/edit")
	mustContain(t, p, `<label for="description">`, "Test package")
	p = b.post("/packages/tuner/edit", url.Values{"title": {"Tuner"}, "short_description": {"Tunes cars"}, "description": {"## Hello\n\n<img src=x onerror=alert(1)>"},
		"tags": {"cars, Tuning"}, "image": {"ftp://example.org/x.png"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad image: %d", p.Status)
	}
	mustContain(t, p, "https:// URL", `value="ftp://example.org/x.png"`)
	p = b.follow(b.post("/packages/tuner/edit", url.Values{"title": {"Tuner"}, "short_description": {"Tunes cars"}, "description": {"## Hello\n\n<img src=x onerror=alert(1)>"},
		"tags": {"cars, Tuning"}, "image": {""}}))
	mustContain(t, p, "<h1>Tuner</h1>", "Tunes cars", "<h4>Hello</h4>", "#tuning", "#cars")
	mustNotContain(t, p, "onerror")
	// The tag link finds it.
	mustContain(t, b.get("/search?tag=tuning"), `href="/packages/tuner"`)
}

func TestSearchFiltersAndPages(t *testing.T) {
	for _, backend := range storetest.Backends {
		t.Run(backend.Name, func(t *testing.T) { testSearchFiltersAndPages(t, newSiteOn(t, backend)) })
	}
}

func testSearchFiltersAndPages(t *testing.T, s *site) {
	u := s.user("mia")
	for i := range 23 {
		s.publishPackage(u, fmt.Sprintf("pkg-%02d", i), "1.0.0", true)
	}
	assets, err := s.svc.Upload(context.Background(), actor(u), core.UploadInput{Kind: core.KindAssets, Name: "textures",
		File: strings.NewReader(string(storetest.Zip(t, "Assets.toml", storetest.AssetsToml("1.0.0", nil)))), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = assets
	b := s.browser()
	p := b.get("/search")
	mustContain(t, p, "Showing 1–20 of 24", `rel="next"`, `aria-current="page">1<`)
	p2 := b.get("/search?page=2")
	mustContain(t, p2, "Showing 21–24 of 24", `rel="prev"`)
	mustNotContain(t, p2, `rel="next"`)
	// Every resource appears exactly once over the two pages.
	seen := map[string]int{}
	for _, body := range []string{p.Body, p2.Body} {
		for _, m := range regexp.MustCompile(`<h3><a href="/(packages|assets)/([a-z0-9-]+)">`).FindAllStringSubmatch(body, -1) {
			seen[m[2]]++
		}
	}
	if len(seen) != 24 {
		t.Errorf("two pages list %d distinct resources, want 24", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s listed %d times", n, c)
		}
	}
	p = b.get("/search?kind=assets")
	mustContain(t, p, "Showing 1–1 of 1", "textures", `value="assets" checked`)
	p = b.get("/search?kind=packages&category=script&q=pkg-07")
	mustContain(t, p, "Showing 1–1 of 1", "pkg-07", `<option value="script" selected>`)
	p = b.get("/search?kind=packages&category=game-mode")
	mustContain(t, p, "Nothing found.")
	// Filters survive in the page links.
	p = b.get("/search?q=pkg&sort=newest")
	if !strings.Contains(p.Body, `href="/search?page=2&amp;q=pkg&amp;sort=newest"`) {
		t.Errorf("page links drop the filters: %s", excerpt(p.Body))
	}
	if p := b.get("/search?kind=widgets"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown kind: %d", p.Status)
	}
}

func TestServersPage(t *testing.T) {
	s := newSite(t)
	if _, err := s.svc.Announce(context.Background(), core.GameServer{Address: "127.0.0.1:7777", Name: "Drift <b>Heaven</b>", Players: 3, MaxPlayers: 32, GameMode: "drift", Map: "city"}); err != nil {
		t.Fatal(err)
	}
	p := s.browser().get("/servers")
	mustContain(t, p, "Drift &lt;b&gt;Heaven&lt;/b&gt;", "3 / 32", "127.0.0.1:7777", "drift")
}

// FuzzUploadForm posts arbitrary multipart bodies to the create-a-resource form of a signed-in
// user: the streaming form reader must never panic or fail with a server error.
func FuzzUploadForm(f *testing.F) {
	s := newSite(f)
	s.user("fuzz")
	b := s.browser()
	b.signIn("fuzz")
	tok := b.csrf
	part := func(name, val string) string {
		return "--B\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + val + "\r\n"
	}
	file := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.zip\"\r\nContent-Type: application/zip\r\n\r\n" +
		string(storetest.PackageZip(f, "1.0.0")) + "\r\n"
	f.Add(part("csrf_token", tok) + part("kind", "packages") + part("name", "fuzzed") + file + "--B--\r\n")
	f.Add(part("csrf_token", tok) + part("kind", "assets") + part("name", "x") + file + "--B--\r\n")
	f.Add(part("csrf_token", tok) + part("kind", "packages") + part("name", "a") + "--B--\r\n")
	f.Add(part("csrf_token", tok) + file + file + "--B--\r\n")
	f.Add(part("csrf_token", tok) + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.zip\"\r\n\r\nPK\x03\x04garbage")
	f.Add(file + part("csrf_token", tok) + "--B--\r\n")
	f.Add("--B\r\n\r\n--B--")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/new", strings.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for body %q", resp.StatusCode, body)
		}
	})
}

func sessionCookie(t *testing.T, b *browser, s *site) string {
	t.Helper()
	u, _ := url.Parse(s.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "nfs_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestSignInTokensMarked(t *testing.T) {
	s := newSite(t)
	u := s.user("ed")
	if _, _, err := s.svc.LoginToken(context.Background(), u, "laptop", 0, 0); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("ed")
	mustContain(t, b.get("/account/tokens"), `<th scope="row">laptop <span class="badge"`, "sign-in</span>")
}

func TestTeamResourcesCreateMoveDeleteInTheUI(t *testing.T) {
	s := newSite(t)
	ivy := s.user("ivy")
	s.user("jon")
	ctx := context.Background()
	b := s.browser()
	b.signIn("ivy")
	b.follow(b.post("/teams", url.Values{"name": {"guild"}}))
	if err := s.svc.SetMember(ctx, actor(ivy), "guild", "jon", core.RoleMember); err != nil {
		t.Fatal(err)
	}
	// The create form offers the teams where ivy is owner or admin.
	p := b.get("/new?team=guild")
	mustContain(t, p, `<option value="guild" selected>`, `<option value="ivy"`)
	p = b.multipart("/new", [][2]string{{"csrf_token", b.csrf}, {"kind", "packages"}, {"name", "guildpkg"}, {"team", "guild"}, {"changelog", "first"}, {"file", ""}},
		storetest.PackageZip(t, "1.0.0"))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create in team: %d %s", p.Status, excerpt(p.Body))
	}
	v, err := s.svc.GetResource(ctx, actor(ivy), "packages", "guildpkg")
	if err != nil || v.Team.Name != "guild" {
		t.Fatalf("resource created in %q (%v), want guild", v.Team.Name, err)
	}
	// Members see the draft on the team page; visitors do not.
	p = b.get("/teams/guild")
	mustContain(t, p, "Drafts and private releases", `href="/packages/guildpkg/releases/1.0.0"`, "Delete this team", "still holds resources", "Not public yet")
	j := s.browser()
	j.signIn("jon")
	mustContain(t, j.get("/teams/guild"), "Drafts and private releases", "guildpkg")
	// jon is a plain member: guild is not offered, and a forged choice is refused.
	p = j.get("/new")
	mustNotContain(t, p, `value="guild"`)
	p = j.multipart("/new", [][2]string{{"csrf_token", j.csrf}, {"kind", "packages"}, {"name", "jonpkg"}, {"team", "guild"}, {"file", ""}}, storetest.PackageZip(t, "1.0.0"))
	if p.Status != http.StatusForbidden {
		t.Fatalf("member created a resource in the team: %d %s", p.Status, excerpt(p.Body))
	}
	anon := s.browser()
	p = anon.get("/teams/guild")
	mustNotContain(t, p, "guildpkg", "Drafts and private releases", "Delete this team")
	// Moving to the personal team from the edit page, then deleting the empty team.
	p = b.get("/packages/guildpkg/edit")
	mustContain(t, p, `<select id="team" name="team"`, `<option value="ivy"`)
	b.follow(b.post("/packages/guildpkg/edit", url.Values{"title": {"Guild package"}, "team": {"ivy"}}))
	if v, _ := s.svc.GetResource(ctx, actor(ivy), "packages", "guildpkg"); v.Team.Name != "ivy" {
		t.Fatalf("after the move the resource is in %q", v.Team.Name)
	}
	p = b.post("/teams/guild/delete", url.Values{"confirm": {"wrong"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("delete without the confirmation: %d", p.Status)
	}
	p = j.post("/teams/guild/delete", url.Values{"confirm": {"guild"}})
	if p.Status != http.StatusForbidden {
		t.Fatalf("a member deleted the team: %d %s", p.Status, excerpt(p.Body))
	}
	b.get("/teams/guild")
	p = b.post("/teams/guild/delete", url.Values{"confirm": {"guild"}})
	if p.Status != http.StatusSeeOther || p.Location == "" {
		t.Fatalf("delete team: %d %s", p.Status, excerpt(p.Body))
	}
	if _, err := s.svc.Team(ctx, "guild"); core.StatusOf(err) != http.StatusNotFound {
		t.Fatalf("team still there: %v", err)
	}
}

func TestImageUploadForm(t *testing.T) {
	s := newSite(t)
	kim := s.user("kim")
	s.user("lou")
	s.publishPackage(kim, "pretty", "1.0.0", true)
	b := s.browser()
	b.signIn("kim")
	p := b.get("/packages/pretty/edit")
	mustContain(t, p, `action="/packages/pretty/image" method="post" enctype="multipart/form-data"`, `accept="image/png,image/jpeg,image/gif,image/webp"`)
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	var buf bytes.Buffer
	png.Encode(&buf, img)
	// Not an image: the edit page comes back with the message next to the field.
	p = b.multipart("/packages/pretty/image", [][2]string{{"csrf_token", b.csrf}, {"image_file", ""}}, []byte("GIF89 but not really"))
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad image: %d %s", p.Status, excerpt(p.Body))
	}
	mustContain(t, p, "not a PNG, JPEG, GIF or WebP")
	// The CSRF token must come first.
	if p = b.multipart("/packages/pretty/image", [][2]string{{"image_file", ""}, {"csrf_token", b.csrf}}, buf.Bytes()); p.Status != http.StatusForbidden {
		t.Fatalf("image before CSRF token: %d", p.Status)
	}
	b.get("/packages/pretty/edit")
	p = b.multipart("/packages/pretty/image", [][2]string{{"csrf_token", b.csrf}, {"image_file", ""}}, buf.Bytes())
	if p.Status != http.StatusSeeOther {
		t.Fatalf("image upload: %d %s", p.Status, excerpt(p.Body))
	}
	p = b.follow(p)
	mustContain(t, p, `<img class="res-image" src="/images/`, "The image of pretty is saved.")
	// Someone outside the team cannot.
	l := s.browser()
	l.signIn("lou")
	if p = l.multipart("/packages/pretty/image", [][2]string{{"csrf_token", l.csrf}, {"image_file", ""}}, buf.Bytes()); p.Status != http.StatusForbidden {
		t.Fatalf("stranger set the image: %d", p.Status)
	}
}
