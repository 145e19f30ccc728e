package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/api"
	"github.com/nanoforge/nanoforge/internal/store/core"

	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

func TestAccountsTokensTeamsOverHTTP(t *testing.T) {
	w := newWorld(t, 0)
	// Sign up, sign in (token issued), use it.
	resp, body := w.json(t, "", "POST", "/api/v1/signup", map[string]any{"name": "erin", "password": "password-erin"})
	if resp.StatusCode != 201 {
		t.Fatalf("signup: %d %s", resp.StatusCode, body)
	}
	resp, body = w.json(t, "", "POST", "/api/v1/signup", map[string]any{"name": "erin", "password": "password-erin"})
	if resp.StatusCode != 409 {
		t.Fatalf("duplicate signup: %d %s", resp.StatusCode, body)
	}
	resp, body = w.json(t, "", "POST", "/api/v1/login", map[string]any{"name": "erin", "password": "password-erin", "label": "laptop", "expires": "7d", "scopes": []string{"read"}})
	var login struct {
		Token string `json:"token"`
		Info  struct {
			Label  string   `json:"label"`
			Scopes []string `json:"scopes"`
		} `json:"info"`
	}
	json.Unmarshal(body, &login)
	if resp.StatusCode != 201 || !strings.HasPrefix(login.Token, "nfs_") || login.Info.Label != "laptop" || len(login.Info.Scopes) != 1 {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	w.tokens["erin"] = login.Token
	resp, body = w.do(t, "erin", "GET", "/api/v1/me", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"erin"`) || !strings.Contains(string(body), `"scopes":["read"]`) {
		t.Fatalf("me: %s", body)
	}
	// A read-only token cannot create tokens or teams.
	resp, _ = w.json(t, "erin", "POST", "/api/v1/tokens", map[string]any{"label": "x", "expires": "1d"})
	if resp.StatusCode != 403 {
		t.Fatalf("read token created a token: %d", resp.StatusCode)
	}
	resp, body = w.json(t, "", "POST", "/api/v1/login", map[string]any{"name": "erin", "password": "nope"})
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("wrong password: %d %s", resp.StatusCode, body)
	}

	// Token CRUD with a full token.
	resp, body = w.json(t, "bob", "POST", "/api/v1/tokens", map[string]any{"label": "ci", "expires": "30d", "scopes": []string{"publish"}})
	if resp.StatusCode != 201 {
		t.Fatalf("create token: %d %s", resp.StatusCode, body)
	}
	resp, body = w.json(t, "bob", "POST", "/api/v1/tokens", map[string]any{"label": "ci", "expires": "3y"})
	if resp.StatusCode != 422 || !strings.Contains(string(body), "two years") {
		t.Fatalf("3y token: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "bob", "GET", "/api/v1/tokens", nil, "")
	var toks []struct {
		ID    int64  `json:"id"`
		Label string `json:"label"`
	}
	json.Unmarshal(body, &toks)
	if resp.StatusCode != 200 || len(toks) != 2 || strings.Contains(string(body), "nfs_") {
		t.Fatalf("list tokens (never secrets): %s", body)
	}
	resp, _ = w.do(t, "bob", "DELETE", "/api/v1/tokens/"+itoa(toks[1].ID), nil, "")
	if resp.StatusCode != 204 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp, _ = w.do(t, "carol", "DELETE", "/api/v1/tokens/"+itoa(toks[1].ID), nil, "")
	if resp.StatusCode != 404 {
		t.Fatalf("revoking someone else's token: %d", resp.StatusCode)
	}

	// Teams.
	resp, body = w.json(t, "bob", "POST", "/api/v1/teams", map[string]any{"name": "bobs", "title": "Bob's"})
	if resp.StatusCode != 201 {
		t.Fatalf("create team: %d %s", resp.StatusCode, body)
	}
	resp, _ = w.json(t, "bob", "PUT", "/api/v1/teams/bobs/members/carol", map[string]any{"role": "admin"})
	if resp.StatusCode != 204 {
		t.Fatalf("add member: %d", resp.StatusCode)
	}
	resp, _ = w.json(t, "carol", "PUT", "/api/v1/teams/bobs/members/dave", map[string]any{"role": "owner"})
	if resp.StatusCode != 403 {
		t.Fatalf("admin granted owner: %d", resp.StatusCode)
	}
	resp, body = w.do(t, "", "GET", "/api/v1/teams/bobs", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"user":"carol","role":"admin"`) {
		t.Fatalf("team: %s", body)
	}
	resp, _ = w.do(t, "bob", "DELETE", "/api/v1/teams/bobs/members/bob", nil, "")
	if resp.StatusCode != 409 {
		t.Fatalf("last owner left: %d", resp.StatusCode)
	}
	resp, body = w.do(t, "carol", "GET", "/api/v1/teams", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"bobs"`) {
		t.Fatalf("my teams: %s", body)
	}
	// Operators list users; others may not.
	if resp, _ := w.do(t, "bob", "GET", "/api/v1/users", nil, ""); resp.StatusCode != 403 {
		t.Fatalf("non-operator listed users: %d", resp.StatusCode)
	}
	if resp, body := w.do(t, "opal", "GET", "/api/v1/users", nil, ""); resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"erin"`) {
		t.Fatalf("operator list: %d %s", resp.StatusCode, body)
	}
}

func TestPrivateNeedsReadScope(t *testing.T) {
	w := newWorld(t, 0)
	w.seed(t)
	// Carol is a member; with a publish-only token she cannot read private releases.
	carol := w.actor(t, "carol")
	secret, _, err := w.svc.CreateToken(ctx, carol, "", "publish-only", core.ScopePublish, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w.tokens["carol-publish"] = secret
	for who, want := range map[string]int{"carol": 200, "carol-publish": 404} {
		resp, _ := w.do(t, who, "GET", "/api/v1/packages/thing/releases/1.1.0/download", nil, "")
		if resp.StatusCode != want {
			t.Errorf("%s private download: %d, want %d", who, resp.StatusCode, want)
		}
	}
	// Resolve: Private releases count only for members reading with the read scope.
	resp, body := w.json(t, "carol", "POST", "/api/v1/resolve", map[string]any{"packages": []string{"thing"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"version":"1.1.0"`) {
		t.Fatalf("member resolve: %s", body)
	}
	resp, body = w.json(t, "", "POST", "/api/v1/resolve", map[string]any{"packages": []string{"thing"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"version":"1.0.0"`) {
		t.Fatalf("anonymous resolve: %s", body)
	}
}

func TestUploadLimitsAndErrors(t *testing.T) {
	w := newWorld(t, 0)
	// Not multipart.
	resp, body := w.do(t, "bob", "POST", "/store/v1/packages/x/releases", strings.NewReader("zip"), "application/zip")
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("raw body: %d %s", resp.StatusCode, body)
	}
	// No file field.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("changelog", "x")
	mw.Close()
	resp, body = w.do(t, "bob", "POST", "/store/v1/packages/x/releases", &form, mw.FormDataContentType())
	if resp.StatusCode != 400 || !strings.Contains(string(body), "`file`") {
		t.Fatalf("no file: %d %s", resp.StatusCode, body)
	}
	// Wrong kind for the manifest.
	body2, ct2 := multipartZip(t, storetest.Zip(t, "Assets.toml", storetest.AssetsToml("1.0.0", nil)))
	resp, body = w.do(t, "bob", "POST", "/store/v1/packages/x/releases", body2, ct2)
	if resp.StatusCode != 422 || !strings.Contains(string(body), "/assets/") {
		t.Fatalf("kind mismatch: %d %s", resp.StatusCode, body)
	}
	// Anonymous upload.
	body3, ct3 := multipartZip(t, storetest.PackageZip(t, "1.0.0"))
	resp, _ = w.do(t, "", "POST", "/store/v1/packages/x/releases", body3, ct3)
	if resp.StatusCode != 401 {
		t.Fatalf("anonymous upload: %d", resp.StatusCode)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A client that drops the connection mid-upload leaves no release and no temporary file.
func TestInterruptedUpload(t *testing.T) {
	w := newWorld(t, 0)
	tmp := w.svc.Config().TmpDir
	zip := storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, nil), "big.bin", strings.Repeat("x", 200000))
	body, ct := multipartZip(t, zip)
	full, _ := io.ReadAll(body)
	conn, err := net.Dial("tcp", strings.TrimPrefix(w.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /store/v1/packages/cut/releases HTTP/1.1\r\nHost: x\r\nAuthorization: Token %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", w.tokens["bob"], ct, len(full))
	conn.Write(full[:len(full)/2])
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	// The server notices the cut and answers nothing; wait (bounded) for it to clean up.
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries, _ := os.ReadDir(tmp)
		if len(entries) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("temporary upload files left behind: %v", entries)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp, _ := w.do(t, "bob", "GET", "/api/v1/packages/cut", nil, ""); resp.StatusCode != 404 {
		t.Fatalf("interrupted upload created a resource: %d", resp.StatusCode)
	}
}

func TestUploadTooLarge(t *testing.T) {
	env := storetest.Open(t, storetest.Backends[0])
	svc, err := core.New(env.DB, env.Blob, core.Config{TmpDir: t.TempDir(), MaxUploadSize: 1000, Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(svc, api.Options{}, nil))
	defer srv.Close()
	u, _ := svc.CreateUser(ctx, "zed", "password-zed", false, false)
	tok, _, _ := svc.CreateToken(ctx, core.Actor{UserID: u.ID, Scopes: core.ScopeAll}, "", "t", core.ScopeAll, time.Hour)
	noise := make([]byte, 5000)
	rand.Read(noise)
	body, ct := multipartZip(t, storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, nil), "big.bin", hex.EncodeToString(noise)))
	req, _ := http.NewRequest("POST", srv.URL+"/store/v1/packages/big/releases", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Token "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "1000 bytes") {
		t.Fatalf("too large: %d %s", resp.StatusCode, b)
	}
}

func TestLoginTokensAreReplacedNotPiledUp(t *testing.T) {
	w := newWorld(t, 0)
	login := func(label, expires string) (*http.Response, string) {
		t.Helper()
		body := map[string]any{"name": "bob", "password": "password-bob", "label": label}
		if expires != "" {
			body["expires"] = expires
		}
		resp, b := w.json(t, "", "POST", "/api/v1/login", body)
		var out struct {
			Token string `json:"token"`
		}
		json.Unmarshal(b, &out)
		return resp, out.Token
	}
	works := func(tok string) bool {
		w.tokens["probe"] = tok
		resp, _ := w.do(t, "probe", "GET", "/api/v1/me", nil, "")
		return resp.StatusCode == 200
	}
	_, first := login("laptop", "")
	_, second := login("laptop", "")
	if first == "" || second == "" || first == second {
		t.Fatalf("login tokens: %q %q", first, second)
	}
	if works(first) || !works(second) {
		t.Fatalf("signing in again with the same label must revoke the earlier token (first works=%v, second works=%v)", works(first), works(second))
	}
	// Other labels coexist, up to the per-account limit; the oldest go first.
	var live []string
	for i := range core.MaxLoginTokens + 2 {
		_, tok := login(fmt.Sprintf("device-%d", i), "")
		live = append(live, tok)
	}
	alive := 0
	for _, tok := range append(live, second) {
		if works(tok) {
			alive++
		}
	}
	if alive != core.MaxLoginTokens || works(live[0]) || !works(live[len(live)-1]) {
		t.Fatalf("%d sign-in tokens live, want %d with the oldest revoked", alive, core.MaxLoginTokens)
	}
	// Sign-in tokens are short-lived: 24 hours by default, 30 days at most.
	w.tokens["probe"] = live[len(live)-1]
	_, b := w.do(t, "probe", "GET", "/api/v1/me", nil, "")
	var me struct {
		Token struct {
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"token"`
	}
	json.Unmarshal(b, &me)
	if d := time.Until(me.Token.ExpiresAt); d > 25*time.Hour || d < 23*time.Hour {
		t.Fatalf("default sign-in token lifetime %v, want 24h", d)
	}
	if resp, _ := login("long", "90d"); resp.StatusCode != 422 {
		t.Fatalf("90-day sign-in token: %d, want 422", resp.StatusCode)
	}
	// Tokens made on purpose are not touched by signing in.
	resp, _ := w.json(t, "bob", "GET", "/api/v1/me", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("a created token stopped working after sign-ins: %d", resp.StatusCode)
	}
}

func TestTeamUploadPageAndDeletionOverHTTP(t *testing.T) {
	w := newWorld(t, 0)
	if resp, body := w.json(t, "carol", "POST", "/api/v1/teams", map[string]any{"name": "crew"}); resp.StatusCode != 201 {
		t.Fatalf("create team: %d %s", resp.StatusCode, body)
	}
	// First upload straight into a team (the uploader is its owner).
	resp, body := w.upload(t, "carol", "crewpkg", storetest.PackageZip(t, "1.0.0"), "team", "crew")
	if resp.StatusCode != 201 {
		t.Fatalf("upload into team: %d %s", resp.StatusCode, body)
	}
	// Bob is not in crew: he may not put resources there.
	resp, body = w.upload(t, "bob", "bobpkg", storetest.PackageZip(t, "1.0.0"), "team", "crew")
	if resp.StatusCode != 403 {
		t.Fatalf("non-member uploaded into a team: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "carol", "GET", "/api/v1/packages/crewpkg", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"crew"`) {
		t.Fatalf("resource team: %s", body)
	}
	// The team page: the draft shows to members, not to others.
	teamView := func(who string) string {
		resp, body := w.do(t, who, "GET", "/api/v1/teams/crew", nil, "")
		if resp.StatusCode != 200 {
			t.Fatalf("team as %s: %d %s", who, resp.StatusCode, body)
		}
		return string(body)
	}
	if b := teamView("carol"); !strings.Contains(b, `"hidden_releases":[{`) || !strings.Contains(b, `"name":"crewpkg"`) {
		t.Fatalf("member does not see the draft on the team: %s", b)
	}
	if b := teamView("bob"); strings.Contains(b, "crewpkg") || !strings.Contains(b, `"resources":[]`) {
		t.Fatalf("stranger sees an unpublished resource: %s", b)
	}
	// Deleting: not while it holds resources, not by strangers.
	if resp, body := w.do(t, "carol", "DELETE", "/api/v1/teams/crew", nil, ""); resp.StatusCode != 409 || !strings.Contains(string(body), "move them") {
		t.Fatalf("delete team with resources: %d %s", resp.StatusCode, body)
	}
	if resp, _ := w.do(t, "bob", "DELETE", "/api/v1/teams/crew", nil, ""); resp.StatusCode != 403 {
		t.Fatalf("stranger deleted a team: %d", resp.StatusCode)
	}
	if resp, body := w.json(t, "carol", "PATCH", "/api/v1/packages/crewpkg", map[string]any{"team": "carol"}); resp.StatusCode != 200 {
		t.Fatalf("move to personal team: %d %s", resp.StatusCode, body)
	}
	if resp, body := w.do(t, "carol", "DELETE", "/api/v1/teams/crew", nil, ""); resp.StatusCode != 204 {
		t.Fatalf("delete empty team: %d %s", resp.StatusCode, body)
	}
	if resp, _ := w.do(t, "", "GET", "/api/v1/teams/crew", nil, ""); resp.StatusCode != 404 {
		t.Fatalf("deleted team still served: %d", resp.StatusCode)
	}
}

func TestResourceImageOverHTTP(t *testing.T) {
	w := newWorld(t, 0)
	if resp, body := w.upload(t, "alice", "shiny", storetest.PackageZip(t, "1.0.0"), "publish", "true"); resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	img := pngImage(t)
	put := func(who string, b []byte) (*http.Response, []byte) {
		return w.do(t, who, "PUT", "/api/v1/packages/shiny/image", bytes.NewReader(b), "image/png")
	}
	if resp, _ := put("carol", img); resp.StatusCode != 403 {
		t.Fatalf("plain member set the image: %d", resp.StatusCode)
	}
	if resp, _ := put("", img); resp.StatusCode != 401 {
		t.Fatalf("anonymous set the image: %d", resp.StatusCode)
	}
	if resp, body := put("dave", []byte("<svg onload=alert(1)>")); resp.StatusCode != 422 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("svg accepted: %d %s", resp.StatusCode, body)
	}
	big := append(append([]byte{}, img...), make([]byte, core.MaxImageSize)...)
	if resp, body := put("dave", big); resp.StatusCode != 413 {
		t.Fatalf("oversized image: %d %s", resp.StatusCode, body)
	}
	resp, body := put("dave", img)
	var res struct {
		Image string `json:"image"`
	}
	json.Unmarshal(body, &res)
	if resp.StatusCode != 200 || !strings.HasPrefix(res.Image, "/images/") || !strings.Contains(string(body), `"releases":[`) {
		t.Fatalf("set image (answered with the resource as GET shows it): %d %s", resp.StatusCode, body)
	}
	resp, got := w.do(t, "", "GET", res.Image, nil, "")
	if resp.StatusCode != 200 || !bytes.Equal(got, img) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("get image: %d %v", resp.StatusCode, resp.Header)
	}
	etag := resp.Header.Get("ETag")
	req, _ := http.NewRequest("GET", w.srv.URL+res.Image, nil)
	req.Header.Set("If-None-Match", etag)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if etag == "" || r2.StatusCode != 304 {
		t.Fatalf("conditional image request: ETag %q, status %d", etag, r2.StatusCode)
	}
	if resp, _ := w.do(t, "", "GET", "/images/"+strings.Repeat("0", 64)+".png", nil, ""); resp.StatusCode != 404 {
		t.Fatalf("unknown image: %d", resp.StatusCode)
	}
	// The OpenAPI description documents both operations.
	_, spec := w.do(t, "", "GET", "/api/openapi.json", nil, "")
	if !strings.Contains(string(spec), `"/api/v1/{kind}/{name}/image"`) || !strings.Contains(string(spec), `"/images/{file}"`) || !strings.Contains(string(spec), `"delete-team"`) {
		t.Fatal("OpenAPI lacks the image or team deletion operations")
	}
}

func pngImage(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
