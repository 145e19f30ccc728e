package cli_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

func TestGameModeWithRequirementChain(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	props, libB, libA, gm := uniq(t, "props"), uniq(t, "lib-b"), uniq(t, "lib-a"), uniq(t, "gm")
	publish(t, author, token, release{kind: storeclient.Assets, name: props, version: "1.0.0"})
	publish(t, author, token, release{kind: storeclient.Packages, name: libB, version: "1.0.0", assets: []string{props}})
	publish(t, author, token, release{kind: storeclient.Packages, name: libA, version: "1.0.0", packages: []string{libB}})
	publish(t, author, token, release{kind: storeclient.Packages, name: gm, version: "1.0.0", pkgType: manifest.KindGameMode, packages: []string{libA}, assets: []string{props}})

	r := mustOK(t, runCLI(t, server, "install", "package", gm))
	// Requirements come before dependents.
	last := -1
	for _, n := range []string{props, libB, libA, gm} {
		i := strings.Index(r.stdout, "Installed ")
		i = strings.Index(r.stdout, " "+n+" 1.0.0 into")
		if i < 0 || i < last {
			t.Fatalf("%s missing or out of order:\n%s", n, r)
		}
		last = i
	}
	assertMatchesLock(t, server)
	l := readLock(t, server)
	if len(l.Resources) != 4 {
		t.Fatalf("lock has %d entries", len(l.Resources))
	}
	for _, e := range l.Resources {
		if e.Requested != (e.Name == gm) {
			t.Errorf("%s requested = %v", e.Name, e.Requested)
		}
	}
	log := startServer(t, server, "--game_mode", gm)
	for _, n := range []string{libB, libA, gm} {
		if !strings.Contains(log, n+" 1.0.0 loaded") {
			t.Errorf("%s's Server/Index.lua did not run:\n%s", n, log)
		}
	}

	// check: all up to date.
	r = mustOK(t, runCLI(t, server, "check"))
	if !strings.Contains(r.stdout, "Everything is up to date") {
		t.Fatalf("check:\n%s", r)
	}

	// A new lib-b: check sees it, install keeps the requirement, update moves it.
	publish(t, author, token, release{kind: storeclient.Packages, name: libB, version: "1.1.0", assets: []string{props}})
	r = mustOK(t, runCLI(t, server, "check"))
	if !strings.Contains(r.stdout, "update available: update package "+libB) || !strings.Contains(r.stdout, "1 update(s) available") {
		t.Fatalf("check after a new release:\n%s", r)
	}
	mustOK(t, runCLI(t, server, "install", "package", gm))
	if v := installedVersion(t, server, storeclient.Packages, libB); v != "1.0.0" {
		t.Fatalf("install moved a requirement to %s", v)
	}
	r = mustOK(t, runCLI(t, server, "update", "package", gm))
	if v := installedVersion(t, server, storeclient.Packages, libB); v != "1.1.0" {
		t.Fatalf("update left %s at %s:\n%s", libB, v, r)
	}
	if !strings.Contains(r.stdout, "is already installed and unchanged") {
		t.Errorf("update did not report the unchanged ones:\n%s", r)
	}
	assertMatchesLock(t, server)
	noTempLeft(t, server)

	// The lock file rebuilds the same server elsewhere.
	other := t.TempDir()
	os.MkdirAll(filepath.Join(other, "Packages"), 0o755)
	data, _ := os.ReadFile(filepath.Join(server, "Packages", cli.LockFileName))
	os.WriteFile(filepath.Join(other, "Packages", cli.LockFileName), data, 0o644)
	mustOK(t, runCLI(t, other, "install"))
	for _, n := range []string{gm, libA, libB} {
		a, _ := cli.HashTree(filepath.Join(server, "Packages", n))
		b, _ := cli.HashTree(filepath.Join(other, "Packages", n))
		if c := cli.Compare(a, b); !c.Empty() {
			t.Errorf("%s differs between the original and the rebuilt server: %s", n, c)
		}
	}
	if v := installedVersion(t, other, storeclient.Assets, props); v != "1.0.0" {
		t.Errorf("asset pack in the rebuilt server: %s", v)
	}
	// Running it again changes nothing.
	r = mustOK(t, runCLI(t, other, "install"))
	if strings.Contains(r.stdout, "Installed") {
		t.Errorf("second install from the lock reinstalled something:\n%s", r)
	}

	// On a machine where nothing names a Store, the lock file's Store is used.
	bare := t.TempDir()
	os.MkdirAll(filepath.Join(bare, "Packages"), 0o755)
	os.WriteFile(filepath.Join(bare, "Packages", cli.LockFileName), data, 0o644)
	r = runCLIEnv(t, bare, map[string]string{cli.StoreURLEnv: ""}, "install")
	if r.code != 0 || !strings.Contains(r.stdout, "Installing from the Store recorded in Packages/"+cli.LockFileName+": "+storeURL) {
		t.Fatalf("install from the lock with no Store named: %s", r)
	}
	if v := installedVersion(t, bare, storeclient.Packages, libB); v != "1.1.0" {
		t.Errorf("%s in the server rebuilt from the lock's Store: %s", libB, v)
	}

	// Uninstall warns about dependents.
	r = mustOK(t, runCLI(t, other, "uninstall", "package", libB))
	if !strings.Contains(r.stdout, "requires package "+libB) {
		t.Errorf("uninstall did not warn about %s:\n%s", libA, r)
	}
	if _, err := os.Stat(filepath.Join(other, "Packages", libB)); err == nil {
		t.Error("uninstalled folder still there")
	}
	if readLock(t, other).Find(storeclient.Packages, libB) != nil {
		t.Error("uninstalled package still in the lock")
	}
}

func TestPinnedYankedAndChannels(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "tools")
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0"})
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.1.0"})
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "2.0.0", channel: "beta"})

	mustOK(t, runCLI(t, server, "install", "package", name))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.1.0" {
		t.Fatalf("stable install picked %s", v)
	}
	// Pinning goes back.
	mustOK(t, runCLI(t, server, "install", "package", name+"@1.0.0"))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.0.0" {
		t.Fatalf("pinned install gave %s", v)
	}
	// Yanked releases are skipped unless pinned.
	if err := client(t, token).Yank(context.Background(), storeclient.Packages, name, "1.1.0", "breaks saves"); err != nil {
		t.Fatal(err)
	}
	r := mustOK(t, runCLI(t, server, "update", "package", name))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.0.0" {
		t.Fatalf("update picked yanked %s:\n%s", v, r)
	}
	mustOK(t, runCLI(t, server, "install", "package", name+"@1.1.0"))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.1.0" {
		t.Fatalf("pinned yanked release not installed: %s", v)
	}
	// check tells the operator the installed release was withdrawn.
	r = mustOK(t, runCLI(t, server, "check"))
	if !strings.Contains(r.stdout, "installed release yanked: breaks saves") {
		t.Errorf("check does not flag the yanked installed release:\n%s", r.stdout)
	}
	// The beta channel opts in to pre-releases.
	mustOK(t, runCLI(t, server, "update", "package", name, "--channel", "beta"))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "2.0.0" {
		t.Fatalf("--channel beta gave %s", v)
	}
	e := readLock(t, server).Find(storeclient.Packages, name)
	if e == nil || e.Version != "2.0.0" || e.Channel != "beta" {
		t.Fatalf("lock entry = %+v", e)
	}
	// info shows the releases with their state.
	r = mustOK(t, runCLI(t, server, "info", name))
	for _, want := range []string{"1.1.0", "yanked: breaks saves", "2.0.0", "beta"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("info lacks %q:\n%s", want, r.stdout)
		}
	}
	// search finds it.
	r = mustOK(t, runCLI(t, server, "search", name))
	if !strings.Contains(r.stdout, name) {
		t.Errorf("search did not find %s:\n%s", name, r)
	}
	// ... with its newest stable version (1.1.0 is yanked).
	if !regexp.MustCompile(`(?m)^package\s+` + regexp.QuoteMeta(name) + `\s+1\.0\.0\s`).MatchString(r.stdout) {
		t.Errorf("search does not show %s's newest version 1.0.0:\n%s", name, r.stdout)
	}
}

// corruptingProxy forwards to the Store, flipping one byte of every release download.
func corruptingProxy(t *testing.T) *httptest.Server {
	return storeProxy(t, func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.URL.Path, "/download") || resp.StatusCode != 200 {
			return nil
		}
		resp.Body = &flipper{rc: resp.Body}
		return nil
	})
}

// storeProxy starts a reverse proxy to the Store, closed when the test ends, whose responses
// modify may alter. The proxy's own errors (from a body cut on purpose) are not logged.
func storeProxy(t *testing.T, modify func(*http.Response) error) *httptest.Server {
	target, _ := url.Parse(storeURL)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // download URLs point back at the proxy
		},
		ModifyResponse: modify,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv
}

type flipper struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	flipped bool
}

func (f *flipper) Read(p []byte) (int, error) {
	n, err := f.rc.Read(p)
	if n > 0 && !f.flipped {
		p[n/2] ^= 0x55
		f.flipped = true
	}
	return n, err
}

func (f *flipper) Close() error { return f.rc.Close() }

func TestCorruptDownloadLeavesOldVersion(t *testing.T) {
	t.Parallel()
	token, author, server, name := installedPackage(t, "hud")
	lockBefore, _ := os.ReadFile(filepath.Join(server, "Packages", cli.LockFileName))
	treeBefore, _ := cli.HashTree(filepath.Join(server, "Packages", name))

	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.1.0"})
	proxy := corruptingProxy(t)
	r := runCLI(t, server, "update", "package", name, "--store", proxy.URL)
	if r.code != 1 || !strings.Contains(r.stderr, "corrupt") || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("corrupted download: %s", r)
	}
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.0.0" {
		t.Fatalf("installed version after a corrupt download: %s", v)
	}
	treeAfter, _ := cli.HashTree(filepath.Join(server, "Packages", name))
	if c := cli.Compare(treeBefore, treeAfter); !c.Empty() {
		t.Fatalf("files changed: %s", c)
	}
	lockAfter, _ := os.ReadFile(filepath.Join(server, "Packages", cli.LockFileName))
	if string(lockBefore) != string(lockAfter) {
		t.Fatal("lock file changed by a failed update")
	}
	noTempLeft(t, server)
	// Straight from the Store the update works.
	mustOK(t, runCLI(t, server, "update", "package", name))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.1.0" {
		t.Fatalf("update after the corrupt attempt: %s", v)
	}
}

func TestLocalChangesNeedConsent(t *testing.T) {
	t.Parallel()
	token, author, server, name := installedPackage(t, "chat")
	edited := filepath.Join(server, "Packages", name, "Server", "Index.lua")
	os.WriteFile(edited, []byte("-- my local fix\n"), 0o644)
	os.MkdirAll(filepath.Join(server, "Packages", ".data"), 0o755)
	os.WriteFile(filepath.Join(server, "Packages", ".data", name+".toml"), []byte("score = 3\n"), 0o644)

	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.1.0"})
	r := runCLI(t, server, "update", "package", name)
	if r.code != 1 || !strings.Contains(r.stdout, "changed Server/Index.lua") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("update over local changes without a terminal: %s", r)
	}
	if b, _ := os.ReadFile(edited); string(b) != "-- my local fix\n" {
		t.Fatal("local change overwritten without consent")
	}
	// The real binary behaves the same (no terminal on its stdin here).
	if r := runBinary(t, server, nil, "update", "package", name); r.code != 1 {
		t.Fatalf("binary: %s", r)
	}
	r = mustOK(t, runCLI(t, server, "update", "package", name, "--force"))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.1.0" {
		t.Fatalf("--force update gave %s:\n%s", v, r)
	}
	if b, _ := os.ReadFile(filepath.Join(server, "Packages", ".data", name+".toml")); string(b) != "score = 3\n" {
		t.Fatal("Packages/.data was touched")
	}
	// A folder the CLI did not install is not silently replaced either.
	own := uniq(t, "mine")
	publish(t, author, token, release{kind: storeclient.Packages, name: own, version: "1.0.0"})
	writeFiles(t, filepath.Join(server, "Packages", own), map[string]string{"Package.toml": "[meta]\n", "notes.txt": "mine"})
	if r := runCLI(t, server, "install", "package", own); r.code != 1 || !strings.Contains(r.stdout, "not installed by nanoforge") {
		t.Fatalf("install over a local folder: %s", r)
	}
	// Uninstalling changed files needs consent too.
	os.WriteFile(edited, []byte("-- again\n"), 0o644)
	if r := runCLI(t, server, "uninstall", "package", name); r.code != 1 {
		t.Fatalf("uninstall of a changed package: %s", r)
	}
	mustOK(t, runCLI(t, server, "uninstall", "package", name, "--force"))
	if _, err := os.Stat(filepath.Join(server, "Packages", name)); err == nil {
		t.Fatal("folder still there after uninstall --force")
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	author := t.TempDir()
	name := uniq(t, "secret")
	mustOK(t, runCLI(t, author, "add", "package", name, "--yes"))
	r := runCLI(t, author, "upload", "package", name, "--token", "not-a-real-token", "--changelog", "x")
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "401") || strings.Contains(r.stderr, "{") {
		t.Fatalf("bad token: want one clear line with the Store's answer: %s", r)
	}
	// The token is checked before the archive is sent.
	if strings.Contains(r.stdout, "Uploading") {
		t.Errorf("the archive was sent with a bad token:\n%s", r)
	}
	// A read-only token may not upload, and is told which scope it lacks.
	readOnly := account(t, "read")
	r = runCLI(t, author, "upload", "package", name, "--token", readOnly, "--changelog", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "needs `publish`") || strings.Contains(r.stdout, "Uploading") {
		t.Fatalf("read-only token: %s", r)
	}
	// The Store refuses it too when asked directly (the CLI's check is not the only guard).
	f, err := os.CreateTemp(t.TempDir(), "*.zip")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Pack(filepath.Join(author, "Packages", name), f, cli.DefaultPackLimits); err != nil {
		t.Fatal(err)
	}
	size, _ := f.Seek(0, io.SeekCurrent)
	f.Seek(0, io.SeekStart)
	_, err = client(t, readOnly).Upload(context.Background(), storeclient.UploadRequest{Kind: storeclient.Packages, Name: name, File: f, Size: size})
	f.Close()
	if !storeclient.IsStatus(err, http.StatusForbidden) {
		t.Fatalf("Store upload with a read-only token: %v", err)
	}
	// A token from the environment works like --token.
	token := account(t)
	r = runCLIEnv(t, author, map[string]string{cli.TokenEnv: token}, "upload", "package", name, "--changelog", "x")
	if r.code != 0 {
		t.Fatalf("token from %s: %s", cli.TokenEnv, r)
	}

	// The token in Config.toml [general] is used when no other is given, and --token wins over it.
	cfg := filepath.Join(author, "Config.toml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	withToken := regexp.MustCompile(`(?m)^(\s*token\s*=\s*)""`).ReplaceAll(data, []byte(`${1}"`+token+`"`))
	if string(withToken) == string(data) {
		t.Fatalf("no empty token key to fill in %s:\n%s", cfg, data)
	}
	if err := os.WriteFile(cfg, withToken, 0o644); err != nil {
		t.Fatal(err)
	}
	bump := func(v string) {
		p := filepath.Join(author, "Packages", name, manifest.PackageFile)
		b, _ := os.ReadFile(p)
		b2 := regexp.MustCompile(`(?m)^(\s*version\s*=\s*)"[^"]*"`).ReplaceAll(b, []byte(`${1}"`+v+`"`))
		if err := os.WriteFile(p, b2, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bump("0.2.0")
	if r := runCLI(t, author, "upload", "package", name, "--changelog", "x"); r.code != 0 {
		t.Fatalf("token from Config.toml: %s", r)
	}
	bump("0.3.0")
	if r := runCLI(t, author, "upload", "package", name, "--changelog", "x", "--token", "not-a-real-token"); r.code != 1 || !strings.Contains(r.stderr, "401") {
		t.Fatalf("--token should win over Config.toml: %s", r)
	}
	res, err := client(t, token).Resource(context.Background(), storeclient.Packages, name)
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, rel := range res.Releases {
		versions = append(versions, rel.Version)
	}
	if len(versions) != 2 || !slices.Contains(versions, "0.1.0") || !slices.Contains(versions, "0.2.0") {
		t.Fatalf("releases on the Store = %v; want 0.1.0 (environment token) and 0.2.0 (Config.toml token)", versions)
	}
}

func TestUnreachableStoreWithTheBinary(t *testing.T) {
	t.Parallel()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, t.TempDir(), nil, "install", "package", "anything", "--store", "http://"+addr)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the Store at http://"+addr) {
		t.Fatalf("unreachable Store: %s", r)
	}
}

// cutter fails after limit bytes, which makes the reverse proxy drop the connection.
type cutter struct {
	rc    io.ReadCloser
	left  int
	fired bool
}

func (c *cutter) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.fired = true
		return 0, errors.New("cut")
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= n
	return n, err
}

func (c *cutter) Close() error { return c.rc.Close() }

func TestBrokenDownloadIsResumed(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "music")
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0",
		extra: map[string]string{"Client/track.ogg": randomString(2 << 20)}})

	var mu sync.Mutex
	var ranges []string
	cuts := 0
	proxy := storeProxy(t, func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.URL.Path, "/download") {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		ranges = append(ranges, resp.Request.Header.Get("Range"))
		if cuts == 0 {
			cuts++
			resp.Body = &cutter{rc: resp.Body, left: 512 << 10}
		}
		return nil
	})

	r := mustOK(t, runCLI(t, server, "install", "package", name, "--store", proxy.URL))
	assertMatchesLock(t, server)
	mu.Lock()
	defer mu.Unlock()
	if len(ranges) != 2 || ranges[0] != "" || !strings.HasPrefix(ranges[1], "bytes=") {
		t.Fatalf("download requests' Range headers = %q; want a full request then a resumed one:\n%s", ranges, r)
	}
}
