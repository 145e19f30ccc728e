package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/api"
	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

var ctx = context.Background()

type world struct {
	svc    *core.Service
	srv    *httptest.Server
	tokens map[string]string
}

// newWorld starts an API over SQLite with users alice (owner of team alice), bob (no
// membership), carol (member), dave (admin) and opal (operator).
func newWorld(t *testing.T, rateLimit int) *world {
	t.Helper()
	env := storetest.Open(t, storetest.Backends[0])
	cfg := core.Config{SignupOpen: true, TmpDir: t.TempDir(), Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}}
	if rateLimit > 0 {
		// Rate limits count per wall-clock minute; a frozen clock keeps a test from straddling
		// two windows.
		frozen := time.Now()
		cfg.Now = func() time.Time { return frozen }
	}
	svc, err := core.New(env.DB, env.Blob, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{svc: svc, tokens: map[string]string{}}
	h := api.New(svc, api.Options{RateLimit: rateLimit}, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write([]byte("web ui"))
	}))
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	for _, n := range []string{"alice", "bob", "carol", "dave", "opal"} {
		u, err := svc.CreateUser(ctx, n, "password-"+n, n == "opal", false)
		if err != nil {
			t.Fatal(err)
		}
		a := core.Actor{UserID: u.ID, Name: n, Scopes: core.ScopeAll, Operator: u.Operator}
		secret, _, err := svc.CreateToken(ctx, a, "", "tests", core.ScopeAll, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[n] = secret
	}
	alice := w.actor(t, "alice")
	if err := svc.SetMember(ctx, alice, "alice", "carol", core.RoleMember); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetMember(ctx, alice, "alice", "dave", core.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) actor(t *testing.T, name string) core.Actor {
	a, _, err := w.svc.Authenticate(ctx, w.tokens[name], "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (w *world) do(t *testing.T, who, method, path string, body io.Reader, contentType string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, w.srv.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok := w.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Token "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (w *world) json(t *testing.T, who, method, path string, v any) (*http.Response, []byte) {
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	return w.do(t, who, method, path, body, "application/json")
}

func multipartZip(t *testing.T, zip []byte, fields ...string) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "release.zip")
	fw.Write(zip)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func (w *world) upload(t *testing.T, who, name string, zip []byte, fields ...string) (*http.Response, []byte) {
	body, ct := multipartZip(t, zip, fields...)
	return w.do(t, who, http.MethodPost, "/store/v1/packages/"+name+"/releases", body, ct)
}

// seed makes resource "thing" with one release in each state.
func (w *world) seed(t *testing.T) { w.seedAs(t, "thing") }

func (w *world) seedAs(t *testing.T, name string) {
	for _, r := range []struct{ v, channel, publish string }{
		{"1.0.0", "Stable", "true"}, {"1.1.0", "Private", "true"}, {"1.2.0", "Stable", "false"}, {"0.9.0", "Stable", "true"},
	} {
		resp, body := w.upload(t, "alice", name, storetest.PackageZip(t, r.v), "changelog", "c", "channel", r.channel, "publish", r.publish)
		if resp.StatusCode != 201 {
			t.Fatalf("seed %s: %d %s", r.v, resp.StatusCode, body)
		}
	}
	if _, err := w.svc.Yank(ctx, w.actor(t, "alice"), "packages", name, "0.9.0", "broken"); err != nil {
		t.Fatal(err)
	}
}

var objects = map[string]string{"public": "1.0.0", "private": "1.1.0", "draft": "1.2.0", "yanked": "0.9.0"}
var actors = []string{"anonymous", "bob", "carol", "dave", "opal"}

func TestAuthorizationMatrix(t *testing.T) {
	visible := func(who, obj string) bool {
		return obj == "public" || obj == "yanked" || who == "carol" || who == "dave" || who == "opal"
	}
	manage := func(who string) bool { return who == "dave" || who == "opal" }
	expect := func(who, obj string, okStatus int) int {
		switch {
		case !visible(who, obj):
			return 404
		case who == "anonymous":
			return 401
		case !manage(who):
			return 403
		}
		return okStatus
	}
	// Reads share one world.
	w := newWorld(t, 0)
	w.seed(t)
	for obj, v := range objects {
		for _, who := range actors {
			want := 200
			if !visible(who, obj) {
				want = 404
			}
			for _, path := range []string{"/api/v1/packages/thing/releases/" + v, "/api/v1/packages/thing/releases/" + v + "/download",
				"/store/v1/packages/thing/releases/" + v + ".zip", "/store/v1/packages/thing/releases/" + v + ".toml"} {
				resp, body := w.do(t, who, "GET", path, nil, "")
				if resp.StatusCode != want {
					t.Errorf("%s GET %s (%s): %d, want %d: %s", who, path, obj, resp.StatusCode, want, body)
				}
			}
			// Resolve with a pin: drafts are never installed; private releases only for members.
			wantResolve := want
			if obj == "draft" {
				wantResolve = 404
			}
			resp, body := w.json(t, who, "POST", "/api/v1/resolve", map[string]any{"packages": []string{"thing@" + v}})
			if resp.StatusCode != wantResolve {
				t.Errorf("%s resolve thing@%s (%s): %d, want %d: %s", who, v, obj, resp.StatusCode, wantResolve, body)
			}
			// The nanos world v1 item always shows the latest public release.
			resp, body = w.do(t, who, "GET", "/store/v1/packages/thing", nil, "")
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"latestRelease":{"version":"1.0.0"`) {
				t.Errorf("%s v1 item: %d %s", who, resp.StatusCode, body)
			}
			// The team's page lists the release among its hidden ones only for those who may see it.
			resp, body = w.do(t, who, "GET", "/api/v1/teams/alice", nil, "")
			var team struct {
				Resources []struct {
					Hidden []struct {
						Version string `json:"version"`
					} `json:"hidden_releases"`
				} `json:"resources"`
			}
			json.Unmarshal(body, &team)
			hidden := false
			for _, r := range team.Resources {
				for _, h := range r.Hidden {
					hidden = hidden || h.Version == v
				}
			}
			if wantHidden := visible(who, obj) && (obj == "private" || obj == "draft"); resp.StatusCode != 200 || hidden != wantHidden {
				t.Errorf("%s team page shows %s release %s: %v, want %v", who, obj, v, hidden, wantHidden)
			}
			// The resource page lists the release only for those who may see it.
			resp, body = w.do(t, who, "GET", "/api/v1/packages/thing", nil, "")
			listed := strings.Contains(string(body), `"version":"`+v+`"`)
			if resp.StatusCode != 200 || listed != visible(who, obj) {
				t.Errorf("%s resource page lists %s release: %v (status %d)", who, obj, listed, resp.StatusCode)
			}
		}
	}
	// Resource-level changes.
	for i, who := range actors {
		want := map[string]int{"anonymous": 401, "bob": 403, "carol": 403, "dave": 200, "opal": 200}[who]
		resp, body := w.json(t, who, "PATCH", "/api/v1/packages/thing", map[string]any{"short_description": "by " + who})
		if resp.StatusCode != want {
			t.Errorf("%s PATCH resource: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
		want = map[string]int{"anonymous": 401, "bob": 403, "carol": 403, "dave": 200, "opal": 200}[who]
		resp, body = w.do(t, who, "PUT", "/api/v1/packages/thing/image", bytes.NewReader(pngImage(t)), "image/png")
		if resp.StatusCode != want {
			t.Errorf("%s PUT image: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
		// Moving needs admin or owner in both teams: dave (admin of alice, owner of his own team)
		// and opal (operator) may; carol is only a member of alice, bob is in neither.
		want = map[string]int{"anonymous": 401, "bob": 403, "carol": 403, "dave": 200, "opal": 200}[who]
		resp, body = w.json(t, who, "PATCH", "/api/v1/packages/thing", map[string]any{"team": who})
		if who == "anonymous" {
			resp, body = w.json(t, who, "PATCH", "/api/v1/packages/thing", map[string]any{"team": "bob"})
		}
		if resp.StatusCode != want {
			t.Errorf("%s move resource to their team: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
		if want == 200 {
			if resp, body := w.json(t, who, "PATCH", "/api/v1/packages/thing", map[string]any{"team": "alice"}); resp.StatusCode != 200 {
				t.Fatalf("move back: %d %s", resp.StatusCode, body)
			}
		}
		want = map[string]int{"anonymous": 401, "bob": 403, "carol": 201, "dave": 201, "opal": 201}[who]
		resp, body = w.upload(t, who, "thing", storetest.PackageZip(t, "5.0."+fmt.Sprint(i)))
		if resp.StatusCode != want {
			t.Errorf("%s upload: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
		// Asking to publish goes as far as the role allows: a member's upload is kept as a
		// draft with a notice saying why, admins and operators publish.
		resp, body = w.upload(t, who, "thing", storetest.PackageZip(t, "6.0."+fmt.Sprint(i)), "publish", "true")
		if resp.StatusCode != want {
			t.Errorf("%s upload with publish=true: %d, want %d: %s", who, resp.StatusCode, want, body)
			continue
		}
		if want != 201 {
			continue
		}
		var up api.UploadResponse
		if err := json.Unmarshal(body, &up); err != nil {
			t.Fatalf("%s upload with publish=true: %v in %s", who, err, body)
		}
		wantState, wantNotice := "published", false
		if who == "carol" {
			wantState, wantNotice = "draft", true
		}
		if up.State != wantState || (up.Notice != "") != wantNotice ||
			wantNotice && (!strings.Contains(up.Notice, "draft") || !strings.Contains(up.Notice, "admin or owner") || !strings.Contains(up.Notice, `"alice"`)) {
			t.Errorf("%s upload with publish=true: state %q notice %q, want state %q and a notice: %v", who, up.State, up.Notice, wantState, wantNotice)
		}
		// The stored release matches the answer.
		resp, body = w.do(t, "dave", "GET", "/api/v1/packages/thing/releases/6.0."+fmt.Sprint(i), nil, "")
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"state":"`+wantState+`"`) {
			t.Errorf("%s upload with publish=true stored as: %d %s, want state %s", who, resp.StatusCode, body, wantState)
		}
	}
	// Creating and deleting resources.
	for _, who := range actors {
		want := map[string]int{"anonymous": 401, "bob": 403, "carol": 403, "dave": 201, "opal": 201}[who]
		resp, body := w.json(t, who, "POST", "/api/v1/packages", map[string]any{"name": "new-" + who, "team": "alice"})
		if resp.StatusCode != want {
			t.Errorf("%s create resource in team alice: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
	}
	for _, who := range actors {
		// "thing" has published releases: only operators may delete it; drafts-only "new-dave"
		// may be deleted by owners (alice) and operators.
		want := map[string]int{"anonymous": 401, "bob": 403, "carol": 403, "dave": 403, "opal": 204}[who]
		if who == "opal" {
			continue // checked last, it removes the resource
		}
		resp, body := w.do(t, who, "DELETE", "/api/v1/packages/thing", nil, "")
		if resp.StatusCode != want {
			t.Errorf("%s delete published resource: %d, want %d: %s", who, resp.StatusCode, want, body)
		}
	}
	if resp, body := w.do(t, "alice", "DELETE", "/api/v1/packages/thing", nil, ""); resp.StatusCode != 409 {
		t.Errorf("owner deleted a published resource: %d %s", resp.StatusCode, body)
	}
	if resp, body := w.do(t, "alice", "DELETE", "/api/v1/packages/new-dave", nil, ""); resp.StatusCode != 204 {
		t.Errorf("owner delete of an unpublished resource: %d %s", resp.StatusCode, body)
	}
	if resp, body := w.do(t, "opal", "DELETE", "/api/v1/packages/thing", nil, ""); resp.StatusCode != 204 {
		t.Errorf("operator delete: %d %s", resp.StatusCode, body)
	}

	// Changes to releases: one world per actor, with a separate resource per change.
	for _, who := range actors {
		t.Run(who, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 0)
			for _, n := range []string{"p", "y", "d"} {
				w.seedAs(t, n)
			}
			for obj, v := range objects {
				body := map[string]any{}
				if obj == "private" {
					body["channel"] = "Private"
				}
				resp, b := w.json(t, who, "POST", "/api/v1/packages/p/releases/"+v+"/publish", body)
				if want := expect(who, obj, 200); resp.StatusCode != want {
					t.Errorf("publish %s: %d, want %d: %s", obj, resp.StatusCode, want, b)
				}
				okYank, okDel := 200, 409
				if obj == "draft" {
					okYank, okDel = 409, 204
				}
				resp, b = w.json(t, who, "POST", "/api/v1/packages/y/releases/"+v+"/yank", map[string]any{"reason": "test"})
				if want := expect(who, obj, okYank); resp.StatusCode != want {
					t.Errorf("yank %s: %d, want %d: %s", obj, resp.StatusCode, want, b)
				}
				resp, b = w.do(t, who, "DELETE", "/api/v1/packages/d/releases/"+v, nil, "")
				if want := expect(who, obj, okDel); resp.StatusCode != want {
					t.Errorf("delete %s: %d, want %d: %s", obj, resp.StatusCode, want, b)
				}
			}
		})
	}
}

func TestUploadContractAndDownload(t *testing.T) {
	w := newWorld(t, 0)
	resp, body := w.upload(t, "bob", "newpkg", storetest.Zip(t, "Package.toml", storetest.PackageToml("1.2.3", nil, nil), ".cache/x", "junk"), "changelog", "first")
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	var up api.UploadResponse
	json.Unmarshal(body, &up)
	if up.Resource.Kind != "packages" || up.Resource.Name != "newpkg" || up.Version != "1.2.3" || up.State != "draft" || up.Channel != "Stable" ||
		len(up.SHA256) != 64 || up.Size == 0 || !strings.HasSuffix(up.URL, "/packages/newpkg/releases/1.2.3") || len(up.Removed) != 1 {
		t.Fatalf("upload response: %s", body)
	}
	// Hostile upload: the problem names the entry.
	resp, body = w.upload(t, "bob", "newpkg", storetest.Zip(t, "Package.toml", storetest.PackageToml("1.2.4", nil, nil), "../../x", "x"))
	if resp.StatusCode != 422 || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "../../x") {
		t.Fatalf("hostile upload: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// Publish, then download with ETag and Range.
	resp, body = w.json(t, "bob", "POST", "/api/v1/packages/newpkg/releases/1.2.3/publish", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("publish: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "", "GET", "/api/v1/packages/newpkg/releases/1.2.3/download", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+up.SHA256+`"` || int64(len(body)) != up.Size ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "newpkg-1.2.3.zip") {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/packages/newpkg/releases/1.2.3/download", nil)
	req.Header.Set("Range", "bytes=10-19")
	rr, _ := http.DefaultClient.Do(req)
	part, _ := io.ReadAll(rr.Body)
	rr.Body.Close()
	if rr.StatusCode != 206 || !bytes.Equal(part, body[10:20]) {
		t.Fatalf("range: %d %q", rr.StatusCode, part)
	}
	req.Header.Del("Range")
	req.Header.Set("If-None-Match", `"`+up.SHA256+`"`)
	rr, _ = http.DefaultClient.Do(req)
	rr.Body.Close()
	if rr.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", rr.StatusCode)
	}
	// Listing in the nanos world v1 shape, and resolve with an absolute download URL.
	resp, body = w.do(t, "", "GET", "/store/v1/packages?page=1&pageSize=10", nil, "")
	var page struct {
		Items []struct {
			Name          string `json:"name"`
			LatestRelease struct {
				Version string `json:"version"`
				Hash    string `json:"hash"`
			} `json:"latestRelease"`
			Downloads int `json:"downloads"`
		} `json:"items"`
		TotalItems, TotalPages, CurrentPage int
	}
	json.Unmarshal(body, &page)
	if resp.StatusCode != 200 || page.TotalItems != 1 || page.CurrentPage != 1 || page.Items[0].LatestRelease.Hash != up.SHA256 || page.Items[0].Downloads != 1 {
		t.Fatalf("v1 listing: %s", body)
	}
	// Every field of the nanos-spec §12.2 item is present.
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	json.Unmarshal(body, &raw)
	for _, k := range []string{"id", "name", "title", "team", "headerImage", "headerImageSmall", "shortDescription", "category", "rating",
		"ratingCount", "downloads", "views", "latestRelease", "tags", "languages", "publishedAt"} {
		if _, ok := raw.Items[0][k]; !ok {
			t.Errorf("v1 item lacks %q: %s", k, body)
		}
	}
	var lr map[string]json.RawMessage
	json.Unmarshal(raw.Items[0]["latestRelease"], &lr)
	for _, k := range []string{"version", "size", "sizeUnpacked", "metaFile", "hash", "date", "dependencies"} {
		if _, ok := lr[k]; !ok {
			t.Errorf("v1 latestRelease lacks %q", k)
		}
	}
	// metaFile serves the manifest, and with .zip instead of .toml the zip (as nanos world clients derive it).
	var meta string
	json.Unmarshal(lr["metaFile"], &meta)
	if !strings.HasPrefix(meta, w.srv.URL) || !strings.HasSuffix(meta, ".toml") {
		t.Fatalf("metaFile %q", meta)
	}
	resp, body = w.do(t, "", "GET", strings.TrimPrefix(meta, w.srv.URL), nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `version = "1.2.3"`) {
		t.Fatalf("metaFile: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "", "GET", strings.TrimSuffix(strings.TrimPrefix(meta, w.srv.URL), ".toml")+".zip", nil, "")
	if sum := sha256.Sum256(body); resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != up.SHA256 || resp.Header.Get("ETag") != `"`+up.SHA256+`"` {
		t.Fatalf("zip next to metaFile: %d", resp.StatusCode)
	}
	if resp, _ = w.do(t, "", "GET", "/store/v1/packages/newpkg/releases/1.2.3.txt", nil, ""); resp.StatusCode != 404 {
		t.Fatalf("unknown file: %d", resp.StatusCode)
	}
	resp, body = w.json(t, "", "POST", "/api/v1/resolve", map[string]any{"packages": []string{"newpkg"}})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"download_url":"`+w.srv.URL+`/api/v1/packages/newpkg/releases/1.2.3/download"`) {
		t.Fatalf("resolve: %d %s", resp.StatusCode, body)
	}
	// /api/v1/me with a bad token is a 401 problem.
	req, _ = http.NewRequest("GET", w.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer nfs_nope")
	rr, _ = http.DefaultClient.Do(req)
	rr.Body.Close()
	if rr.StatusCode != 401 || rr.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("bad token: %d %s", rr.StatusCode, rr.Header.Get("Content-Type"))
	}
	resp, body = w.do(t, "bob", "GET", "/api/v1/me", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"label":"tests"`) {
		t.Fatalf("me: %s", body)
	}
	// OpenAPI document, docs page and web UI fallback.
	resp, body = w.do(t, "", "GET", "/api/openapi.json", nil, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"openapi":"3.1.0"`) || !strings.Contains(string(body), "/store/v1/{kind}/{name}/releases") {
		t.Fatalf("openapi: %d", resp.StatusCode)
	}
	if resp, body := w.do(t, "", "GET", "/api/healthz", nil, ""); resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	// The docs page lists every operation of the description, server-rendered (no script, no CDN).
	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	json.Unmarshal(body, &spec)
	resp, docs := w.do(t, "", "GET", "/api/docs", nil, "")
	if resp.StatusCode != 200 || strings.Contains(string(docs), "<script") || strings.Contains(string(docs), "https://") {
		t.Fatalf("docs: %d, must be self-contained", resp.StatusCode)
	}
	ops := 0
	for path, methods := range spec.Paths {
		for method, op := range methods {
			ops++
			if !strings.Contains(string(docs), `id="op-`+op.OperationID+`"`) || !strings.Contains(string(docs), "<code>"+html.EscapeString(path)+"</code>") {
				t.Errorf("docs page lacks %s %s (%s)", method, path, op.OperationID)
			}
		}
	}
	if ops < 30 {
		t.Fatalf("only %d operations in the description", ops)
	}
	if _, body := w.do(t, "", "GET", "/some/page", nil, ""); string(body) != "web ui" {
		t.Fatalf("fallback: %s", body)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	w := newWorld(t, 3)
	var last *http.Response
	for i := range 4 {
		last, _ = w.do(t, "", "GET", "/api/v1/search", nil, "")
		if i < 3 && last.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, last.StatusCode)
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("RateLimit-Limit") != "3" || last.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("limit: %d %v", last.StatusCode, last.Header)
	}
	// A different user agent from the same address shares the budget.
	req, _ := http.NewRequest("GET", w.srv.URL+"/api/v1/search", nil)
	req.Header.Set("User-Agent", "something-else")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 429 {
		t.Fatalf("new user agent escaped the limit: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	// Another client (a token) has its own budget.
	if resp, _ := w.do(t, "bob", "GET", "/api/v1/search", nil, ""); resp.StatusCode != 200 || resp.Header.Get("RateLimit-Remaining") != "2" {
		t.Fatalf("token budget: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestSessionNeedsCSRF(t *testing.T) {
	w := newWorld(t, 0)
	u, _ := w.svc.UserByName(ctx, "bob")
	secret, csrf, err := w.svc.CreateSession(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	post := func(token string) int {
		req, _ := http.NewRequest("POST", w.srv.URL+"/api/v1/teams", strings.NewReader(`{"name":"bobs-team"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: httpauth.SessionCookie, Value: secret})
		if token != "" {
			req.Header.Set(httpauth.CSRFHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := post(""); s != 403 {
		t.Fatalf("without CSRF token: %d", s)
	}
	if s := post("wrong"); s != 403 {
		t.Fatalf("wrong CSRF token: %d", s)
	}
	if s := post(csrf); s != 201 {
		t.Fatalf("with CSRF token: %d", s)
	}
}

func TestServerAnnounce(t *testing.T) {
	w := newWorld(t, 0)
	resp, body := w.json(t, "", "POST", "/api/v1/servers", map[string]any{"name": "My server", "port": 7777, "players": 1, "max_players": 8, "map": "default-blank-map"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"address":"127.0.0.1:7777"`) {
		t.Fatalf("announce: %d %s", resp.StatusCode, body)
	}
	_, body = w.do(t, "", "GET", "/api/v1/servers", nil, "")
	if !strings.Contains(string(body), "My server") {
		t.Fatalf("list: %s", body)
	}
}
