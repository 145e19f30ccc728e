package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/nanoforge/nanoforge/internal/store"
	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
	"github.com/nanoforge/nanoforge/internal/store/web"
)

// startStore runs the real nanoforge-store assembly (SQLite in a temporary folder, the web UI
// through the NewWeb hook the command uses) on a free loopback port.
func startStore(t *testing.T) string {
	t.Helper()
	cfg := store.Config{Listen: "127.0.0.1:0", Data: t.TempDir(), Signup: true,
		Core:   core.Config{Argon2: core.Argon2Params{Time: 1, Memory: 1024, Threads: 1}},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg.NewWeb = func(svc *core.Service, secure bool) http.Handler {
		return web.New(svc, web.Options{SecureCookies: secure, Logger: cfg.Logger})
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- st.Serve(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("store did not start: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("store did not start within 10s")
	}
	return ""
}

// TestBrowserPublishFlow drives Debian's chromium through the whole publishing flow: sign up,
// create a token, create a team, create a resource by uploading a zip, publish it, find it in
// search and download it, checking the downloaded bytes' SHA-256.
func TestBrowserPublishFlow(t *testing.T) {
	chromium := os.Getenv("NANOFORGE_TEST_CHROMIUM")
	if chromium == "" {
		t.Skip("NANOFORGE_TEST_CHROMIUM is unset; set it to a chromium binary (e.g. /usr/bin/chromium, see .ci/run) to run the browser test")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("NANOFORGE_TEST_CHROMIUM=%s: %v", chromium, err)
	}
	base := startStore(t)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "release.zip")
	zipData := storetest.Zip(t, "Package.toml", "[meta]\ntitle = \"Drift King\"\nauthor = \"e2e\"\nversion = \"1.4.2\"\n\n[game_mode]\npackages_requirements = [\"base-lib\"]\nassets_requirements = []\n",
		"Server/Index.lua", "Package.Log('drift')\n")
	if err := os.WriteFile(zipPath, zipData, 0o644); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(zipData)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	bctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	// Start the browser on the chromedp context itself: the context of the first run owns the
	// browser, and the per-step timeouts below must not close it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %v (page %s shows: %.500s)", what, err, loc, body)
		}
	}
	// load runs actions that navigate (a link, a form) and waits for the new page to load, then
	// checks its HTTP status: waiting for the document rather than polling for an element of
	// it cannot match the page being left.
	load := func(what string, status int64, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		resp, err := chromedp.RunResponse(sctx, actions...)
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s: %v (at %s)", what, err, loc)
		}
		if resp.Status != status {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			t.Fatalf("%s: %s answered %d, want %d: %.500s", what, resp.URL, resp.Status, status, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// Sign up.
	load("open sign-up", 200, chromedp.Navigate(base+"/signup"))
	step("fill sign-up",
		chromedp.SendKeys(css("#name"), "racer"),
		chromedp.SendKeys(css("#password"), "drift-all-day"),
		chromedp.SendKeys(css("#password2"), "drift-all-day"),
	)
	load("sign up", 200, chromedp.Click(css("main form button[type=submit]")))
	step("tokens page", chromedp.WaitVisible(css("#create-title")))
	if f := text(".flash"); !strings.Contains(f, "Welcome, racer!") {
		t.Fatalf("after sign-up the page says %q", f)
	}

	// Create a token; it is shown once and works against the API.
	step("fill token form",
		chromedp.SendKeys(css("#label"), "github actions"),
		chromedp.Click(css(`input[name=scope][value=manage]`)),
	)
	load("create token", 201, chromedp.Click(css("main form[action='/account/tokens'] button[type=submit]")))
	step("token shown", chromedp.WaitVisible(css("#new-token")))
	shot(t, ctx, dir, "tokens")
	secret, err := chromedp.Run(ctx, chromedp.Value(css("#new-token")))
	if err != nil || !strings.HasPrefix(secret, core.TokenPrefix) {
		t.Fatalf("new token field holds %q (%v)", secret, err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Token "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Name string }
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Name != "racer" {
		t.Fatalf("the token from the page: /api/v1/me answered %d for %q", resp.StatusCode, me.Name)
	}

	// Create a team.
	load("open teams", 200, chromedp.Navigate(base+"/teams"))
	step("fill team form",
		chromedp.SendKeys(css("#name"), "drift-crew"),
		chromedp.SendKeys(css("#title"), "Drift Crew"),
	)
	load("create team", 200, chromedp.Click(css("main form[action='/teams'] button[type=submit]")))
	step("team page", chromedp.WaitVisible(css("#members-title")))
	if h := text("h1"); h != "Drift Crew" {
		t.Fatalf("team page heading %q", h)
	}
	shot(t, ctx, dir, "team")

	// Create a resource by uploading its first release, as a draft.
	// The team page links to the create form with the team chosen.
	load("open create form", 200, chromedp.Click(css(`main a[href="/new?team=drift-crew"]`)))
	if v, err := chromedp.Run(ctx, chromedp.Value(css("#team"))); err != nil || v != "drift-crew" {
		t.Fatalf("create form from the team page has team %q (%v), want drift-crew", v, err)
	}
	step("fill create form",
		chromedp.SendKeys(css("#name"), "drift-king"),
		chromedp.SetUploadFiles(css("#file"), []string{zipPath}),
		chromedp.SendKeys(css("#changelog"), "First public drift"),
	)
	shot(t, ctx, dir, "new")
	load("create resource", 200, chromedp.Click(css("main form[action='/new'] button[type=submit]")))
	step("draft page", chromedp.WaitVisible(css("#publish-btn")))
	if f := text(".flash"); !strings.Contains(f, "drift-king 1.4.2 as a draft") {
		t.Fatalf("after upload the page says %q", f)
	}

	// Publish it on the Stable channel.
	// The team page shows the draft to its members.
	load("team page with the draft", 200, chromedp.Navigate(base+"/teams/drift-crew"))
	step("drafts table", chromedp.WaitVisible(css("#hidden-title")), chromedp.WaitVisible(css(`a[href="/packages/drift-king/releases/1.4.2"]`)))
	shot(t, ctx, dir, "team-drafts")
	load("back to the draft", 200, chromedp.Click(css(`a[href="/packages/drift-king/releases/1.4.2"]`)))
	step("draft page again", chromedp.WaitVisible(css("#publish-btn")))

	load("publish", 200, chromedp.Click(css("#publish-btn")))
	step("published page", chromedp.WaitVisible(css("#download")), chromedp.WaitNotPresent(css("#publish-btn")))
	if f := text(".flash"); !strings.Contains(f, "published on the Stable channel") {
		t.Fatalf("after publishing the page says %q", f)
	}
	shot(t, ctx, dir, "release")

	// Find it with the search box in the header.
	load("home", 200, chromedp.Navigate(base+"/"))
	step("type search", chromedp.SendKeys(css("#top-q"), "drift"))
	load("search", 200, chromedp.Submit(css("#top-q")))
	step("results", chromedp.WaitVisible(css(`.cards a[href="/packages/drift-king"]`)))
	if c := text(".count"); !strings.Contains(c, "of 1") {
		t.Fatalf("search count %q", c)
	}
	shot(t, ctx, dir, "search")

	// Open the resource page from the result and download the release.
	load("open resource", 200, chromedp.Click(css(`.cards a[href="/packages/drift-king"]`)))
	step("resource page", chromedp.WaitVisible(css("#download-latest")))
	if h := text("h1"); h != "Drift King" {
		t.Fatalf("resource heading %q", h)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Text(css("#install-cmd"))); v != "nanoforge --cli install package drift-king" {
		t.Fatalf("install command %q", v)
	}
	if m := text(".res-head .meta"); !strings.Contains(m, "by Drift Crew") {
		t.Fatalf("the resource belongs to %q, want the team chosen on the create form (Drift Crew)", m)
	}
	shot(t, ctx, dir, "resource")

	downloads := filepath.Join(dir, "downloads")
	os.MkdirAll(downloads, 0o755)
	enabled := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &enabled}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	finished := make(chan string, 1)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if p, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && p.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case finished <- p.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	step("download", chromedp.Click(css("#download-latest")))
	var guid string
	select {
	case guid = <-finished:
	case <-time.After(15 * time.Second):
		t.Fatal("the download did not complete within 15s")
	}
	got, err := os.ReadFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatalf("read the downloaded file: %v", err)
	}
	if gs := sha256.Sum256(got); gs != want {
		t.Fatalf("downloaded %d bytes with SHA-256 %s, want %s (the uploaded zip)", len(got), hex.EncodeToString(gs[:]), hex.EncodeToString(want[:]))
	}
}

// shot saves a full-page PNG of the current page into the test's folder, and into
// NANOFORGE_STOREWEB_SCREENSHOTS when that is set (to look at the pages by eye).
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storeweb-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("NANOFORGE_STOREWEB_SCREENSHOTS"); out != "" {
		if err := os.WriteFile(filepath.Join(out, "storeweb-"+name+".png"), png, 0o644); err != nil {
			t.Errorf("copy screenshot: %v", err)
		}
	}
}
