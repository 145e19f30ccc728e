package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/manifest"
)

type runResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, dir, stdin string, args ...string) runResult {
	t.Helper()
	var out, errb bytes.Buffer
	no := false
	code := Run(context.Background(), args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Dir: dir,
		Getenv: func(string) string { return "" }, Terminal: &no,
	})
	return runResult{code, out.String(), errb.String()}
}

func TestAddPackageWithPrompts(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, dir, "Battle Arena\nSomeone\nscript\n", "add", "package", "battle-arena")
	if r.code != 0 {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	for _, p := range []string{
		"Please enter the Package Title: (battle-arena) ",
		"Please enter the Package Author: () ",
		"Please enter the Package Type ('script', 'game-mode', 'map' or 'loading-screen'): (game-mode) ",
	} {
		if !strings.Contains(r.stdout, p) {
			t.Errorf("prompt %q not shown; output:\n%s", p, r.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "Config.toml")); err != nil {
		t.Error("Config.toml was not created on first use")
	}
	pkgDir := filepath.Join(dir, "Packages", "battle-arena")
	p, warns, err := manifest.LoadPackageDir(pkgDir, manifest.LoadOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != manifest.KindScript || p.Title != "Battle Arena" || p.Author != "Someone" || p.Version != "0.1.0" || p.Generated {
		t.Fatalf("package = %+v", p)
	}
	if len(warns) != 0 {
		t.Errorf("new package has warnings: %v", warns)
	}
	// New code gets the current API behaviour, not a compatibility mode.
	if p.CompatibilityVersion != manifest.NewestCompatVersion {
		t.Errorf("compatibility_version = %v, want %v", p.CompatibilityVersion, manifest.NewestCompatVersion)
	}
	for _, side := range []string{"Server", "Client", "Shared"} {
		if _, err := os.Stat(filepath.Join(pkgDir, side, "Index.lua")); err != nil {
			t.Errorf("%s/Index.lua missing", side)
		}
	}
	// Adding the same name again fails and changes nothing.
	r = runCLI(t, dir, "", "add", "package", "battle-arena", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("second add: exit %d, %s", r.code, r.stderr)
	}
}

func TestAddDefaultsAndFlags(t *testing.T) {
	dir := t.TempDir()
	// Empty answers take the defaults: title = name, type = game-mode.
	r := runCLI(t, dir, "\n\n\n", "add", "package", "my-mode")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p, _, err := manifest.LoadPackageDir(filepath.Join(dir, "Packages", "my-mode"), manifest.LoadOptions{ReadOnly: true})
	if err != nil || p.Kind != manifest.KindGameMode || p.Title != "my-mode" {
		t.Fatalf("defaults: %+v, %v", p, err)
	}
	// Flags skip the prompts entirely.
	r = runCLI(t, dir, "", "add", "package", "lobby", "--title", "The Lobby", "--author", "me", "--type", "loading-screen")
	if r.code != 0 || strings.Contains(r.stdout, "Please enter") {
		t.Fatalf("exit %d, prompts shown: %s %s", r.code, r.stdout, r.stderr)
	}
	p, _, err = manifest.LoadPackageDir(filepath.Join(dir, "Packages", "lobby"), manifest.LoadOptions{ReadOnly: true})
	if err != nil || p.Kind != manifest.KindLoadingScreen || p.Title != "The Lobby" {
		t.Fatalf("flags: %+v, %v", p, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages", "lobby", "index.html")); err != nil {
		t.Error("loading screen has no index.html")
	}
	// Asset packs.
	r = runCLI(t, dir, "Props\nme\n", "add", "assets", "my-props")
	if r.code != 0 || !strings.Contains(r.stdout, "Please enter the Asset Pack Title: (my-props) ") {
		t.Fatalf("add assets: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	a, _, err := manifest.LoadAssetsDir(filepath.Join(dir, "Assets", "my-props"), manifest.LoadOptions{ReadOnly: true})
	if err != nil || a.Title != "Props" || a.Version != "0.1.0" {
		t.Fatalf("asset pack: %+v, %v", a, err)
	}
	// Bad input is refused before anything is written.
	for _, args := range [][]string{
		{"add", "package", "Bad_Name", "--yes"},
		{"add", "package", "ok-name", "--type", "spaceship"},
	} {
		r = runCLI(t, dir, "", args...)
		if r.code != 1 {
			t.Errorf("%q: exit %d; want 1", args, r.code)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages", "ok-name")); err == nil {
		t.Error("a refused add left a folder behind")
	}
}

func TestInteractiveLoop(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, dir, "help\n\nlist\nbogus words\nstop\nhelp\n")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	if !strings.HasPrefix(r.stdout, "INFO  Starting Nanoforge CLI") {
		t.Errorf("no start line: %q", r.stdout[:min(80, len(r.stdout))])
	}
	if n := strings.Count(r.stdout, "nanoforge cli> "); n != 5 {
		t.Errorf("prompt shown %d times; want 5 (stop ends the loop):\n%s", n, r.stdout)
	}
	if strings.Count(r.stdout, "Available commands:") != 1 {
		t.Error("commands after stop were run")
	}
	if !strings.Contains(r.stderr, `unknown command "bogus"`) {
		t.Errorf("stderr = %q", r.stderr)
	}
	// End of input ends the loop too.
	r = runCLI(t, dir, "list")
	if r.code != 0 || !strings.Contains(r.stdout, "No packages") {
		t.Fatalf("EOF: exit %d: %s", r.code, r.stdout)
	}
}

func TestOneShotExitCodes(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, dir, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "Available commands") {
		t.Fatalf("help: %d", r.code)
	}
	if r := runCLI(t, dir, "", "install", "sandbox"); r.code != 2 || !strings.Contains(r.stderr, "install package") {
		t.Fatalf("usage error: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, dir, "", "--nope"); r.code != 2 {
		t.Fatalf("bad flag: %d", r.code)
	}
}

func TestUnreachableStoreIsOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	r := runCLI(t, dir, "", "install", "package", "sandbox", "--store", addr)
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	if !strings.Contains(r.stderr, "cannot reach the Store at "+addr) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("stderr = %q; want one line naming %s", r.stderr, addr)
	}
}

func TestUploadChecksBeforeContactingTheStore(t *testing.T) {
	dir := t.TempDir()
	store := "http://127.0.0.1:1" // nothing listens: reaching it would be a different error
	if r := runCLI(t, dir, "", "upload", "package", "ghost", "--token", "x", "--store", store); r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Fatalf("missing folder: %d %q", r.code, r.stderr)
	}
	runCLI(t, dir, "", "add", "package", "pkg", "--yes")
	// No token anywhere.
	if r := runCLI(t, dir, "", "upload", "package", "pkg", "--store", store); r.code != 1 || !strings.Contains(r.stderr, "no Store token") {
		t.Fatalf("no token: %d %q", r.code, r.stderr)
	}
	// A version that is not SemVer.
	toml := filepath.Join(dir, "Packages", "pkg", "Package.toml")
	data, _ := os.ReadFile(toml)
	os.WriteFile(toml, bytes.Replace(data, []byte(`"0.1.0"`), []byte(`"1.0"`), 1), 0o644)
	if r := runCLI(t, dir, "", "upload", "package", "pkg", "--token", "x", "--store", store); r.code != 1 || strings.Contains(r.stderr, "cannot reach") {
		t.Fatalf("bad version: %d %q", r.code, r.stderr)
	}
	// Pre-release suffixes are refused like the Store does: channels carry them.
	os.WriteFile(toml, bytes.Replace(data, []byte(`"0.1.0"`), []byte(`"1.0.0-beta.1"`), 1), 0o644)
	if r := runCLI(t, dir, "", "upload", "package", "pkg", "--token", "x", "--store", store); r.code != 1 || !strings.Contains(r.stderr, "--channel beta") {
		t.Fatalf("pre-release version: %d %q", r.code, r.stderr)
	}
	// The token is read from Config.toml when --token is absent.
	os.WriteFile(toml, data, 0o644)
	cfg := filepath.Join(dir, "Config.toml")
	c, _ := os.ReadFile(cfg)
	c = bytes.Replace(c, []byte(`token =`), []byte(`token = "from-config" #`), 1)
	if err := os.WriteFile(cfg, c, 0o644); err != nil {
		t.Fatal(err)
	}
	if tok, err := configToken(dir); err != nil || tok != "from-config" {
		t.Fatalf("configToken = %q, %v", tok, err)
	}
	if r := runCLI(t, dir, "", "upload", "package", "pkg", "--store", store, "--changelog", "x"); r.code != 1 || !strings.Contains(r.stderr, "cannot reach") {
		t.Fatalf("with config token: %d %q", r.code, r.stderr)
	}
}

func TestListShowsLocalState(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, dir, "", "add", "package", "one", "--yes")
	runCLI(t, dir, "", "add", "assets", "two", "--yes")
	os.MkdirAll(filepath.Join(dir, "Packages", ".data"), 0o755)
	r := runCLI(t, dir, "", "list")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, want := range []string{"package  one", "assets   two", "local"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, ".data") {
		t.Error("list shows the .data folder")
	}
}

func TestInterruptLeavesThePrompt(t *testing.T) {
	pr, pw := io.Pipe() // a terminal nobody types into
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	no := false
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, nil, Env{Stdin: pr, Stdout: &out, Stderr: io.Discard, Dir: t.TempDir(), Terminal: &no, Getenv: func(string) string { return "" }})
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != 1 {
			t.Fatalf("exit %d after an interrupt; want 1", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the prompt did not return after the context was cancelled")
	}
}

func TestAddAtThePrompt(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, dir, "add package at-prompt\nPrompt Title\nsomeone\nscript\nlist\nstop\n")
	if r.code != 0 {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	p, _, err := manifest.LoadPackageDir(filepath.Join(dir, "Packages", "at-prompt"), manifest.LoadOptions{ReadOnly: true})
	if err != nil || p.Title != "Prompt Title" || p.Author != "someone" || p.Kind != manifest.KindScript {
		t.Fatalf("package = %+v, %v", p, err)
	}
	if !strings.Contains(r.stdout, "at-prompt") || strings.Count(r.stdout, "nanoforge cli> ") != 3 {
		t.Fatalf("answers to the prompts were taken as commands:\n%s", r.stdout)
	}
}

func TestConfigTokenOnlyReads(t *testing.T) {
	tests := []struct {
		name, file, want string
		err              bool
	}{
		{"newest", "[general]\n    token = \"abc\"\n", "abc", false},
		{"2022 layout", "[server]\n    name = \"x\"\n[world]\n    token = \"old\"\n", "old", false},
		{"empty", "[general]\n    token = \"\"\n", "", false},
		{"wrong type", "[general]\n    token = 5\n", "", false},
		{"broken", "[general\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "Config.toml")
			os.WriteFile(path, []byte(tt.file), 0o644)
			got, err := configToken(dir)
			if (err != nil) != tt.err || got != tt.want {
				t.Fatalf("configToken = %q, %v; want %q (error %v)", got, err, tt.want, tt.err)
			}
			if after, _ := os.ReadFile(path); string(after) != tt.file {
				t.Fatal("Config.toml was rewritten")
			}
		})
	}
	if tok, err := configToken(t.TempDir()); tok != "" || err != nil {
		t.Fatalf("no file: %q, %v", tok, err)
	}
}

// An unknown --channel is a usage error found after the server folder is locked: the lock
// must be released, so the next command in the same process does not wait for it.
func TestUnknownChannelReleasesTheFolder(t *testing.T) {
	// A leaked lock then fails within a second instead of after the usual wait.
	old := lockWait
	t.Cleanup(func() { lockWait = old })
	lockWait = 500 * time.Millisecond
	dir := t.TempDir()
	for _, cmd := range [][]string{
		{"install", "package", "sandbox", "--channel", "nightly", "--store", "http://127.0.0.1:1"},
		{"update", "--channel", "nightly", "--store", "http://127.0.0.1:1"},
		{"install", "package", "sandbox", "--channel", "nightly", "--store", "http://127.0.0.1:1"},
	} {
		r := runCLI(t, dir, "", cmd...)
		if r.code != 2 || !strings.Contains(r.stderr, `unknown channel "nightly"`) {
			t.Fatalf("%v: exit %d, stderr %q; want a usage error naming the channel", cmd, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "Waiting for another nanoforge CLI") {
			t.Fatalf("%v waited for a lock left by the previous command:\n%s%s", cmd, r.stdout, r.stderr)
		}
	}
}
