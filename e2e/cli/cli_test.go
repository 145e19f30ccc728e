// Package cli_test drives `nanoforge --cli` against a real nanoforge-store on the loopback
// interface, in temporary server folders: create, upload, publish, install with requirement
// chains, update, pinned and yanked releases, channels, corrupted downloads, local changes, bad
// tokens, an unreachable Store, the lock file and the GitHub Action's script.
package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/e2e/e2etest"
	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

var (
	nanoforgeBin string // the real nanoforge binary
	storeBin     string // the real nanoforge-store binary
	storeURL     string // the Store every test shares (names are unique per test)
)

// waitLimit bounds every wait for a process or the Store.
const waitLimit = 30 * time.Second

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// Building two programs and running a Store is not short.
		fmt.Println("e2e/cli: skipped in -short mode")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "nanoforge-cli-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	nanoforgeBin = filepath.Join(tmp, "nanoforge")
	storeBin = filepath.Join(tmp, "nanoforge-store")
	// One build command links both programs in parallel.
	if err := e2etest.Build(tmp+string(os.PathSeparator),
		"github.com/nanoforge/nanoforge/cmd/nanoforge", "github.com/nanoforge/nanoforge/cmd/nanoforge-store"); err != nil {
		fmt.Fprintf(os.Stderr, "building nanoforge and nanoforge-store for the CLI end-to-end tests: %v\n", err)
		return 1
	}
	addr, err := freeAddr()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var logs e2etest.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := exec.CommandContext(ctx, storeBin, "--listen", addr, "--data", filepath.Join(tmp, "store"), "--rate-limit", "0")
	store.Stdout, store.Stderr = &logs, &logs
	store.WaitDelay = 5 * time.Second
	if err := store.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "starting nanoforge-store: %v\n", err)
		return 1
	}
	defer func() {
		store.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { store.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
	}()
	storeURL = "http://" + addr
	if err := e2etest.WaitHTTP(storeURL+"/api/v1/search?q=x", waitLimit); err != nil {
		fmt.Fprintf(os.Stderr, "nanoforge-store did not come up at %s: %v\nits output:\n%s\n", storeURL, err, logs.String())
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "nanoforge-store output:\n%s\n", logs.String())
	}
	return code
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr() (string, error) {
	port, err := e2etest.FreeTCPPort()
	return "127.0.0.1:" + port, err
}

// ---------------------------------------------------------------- accounts

var userSeq atomic.Int64

// account creates a Store user and returns a token with the given scopes (all when none).
func account(t *testing.T, scopes ...string) string {
	t.Helper()
	tok, err := newAccount(scopes...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// newAccount signs a new user up and logs in for a token.
func newAccount(scopes ...string) (string, error) {
	name := fmt.Sprintf("user%d-%d", time.Now().UnixNano()%1_000_000, userSeq.Add(1))
	post := func(path string, body any) ([]byte, error) {
		b, _ := json.Marshal(body)
		resp, err := http.Post(storeURL+path, "application/json", bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("POST %s: %s: %s", path, resp.Status, out)
		}
		return out, nil
	}
	const pw = "correct horse battery staple"
	if _, err := post("/api/v1/signup", map[string]string{"name": name, "password": pw}); err != nil {
		return "", err
	}
	login := map[string]any{"name": name, "password": pw, "label": "e2e"}
	if len(scopes) > 0 {
		login["scopes"] = scopes
	}
	out, err := post("/api/v1/login", login)
	if err != nil {
		return "", err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("login answer without a token: %s", out)
	}
	return tok.Token, nil
}

// uniq returns a resource name unique in this run.
func uniq(t *testing.T, base string) string {
	return fmt.Sprintf("%s-%d", base, userSeq.Add(1)+time.Now().UnixNano()%100000)
}

// ---------------------------------------------------------------- running the CLI

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs the CLI in this process (race detector and all) against the shared Store, with
// no terminal attached.
func runCLI(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runCLIEnv(t, dir, nil, args...)
}

func runCLIEnv(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	return cliRun(ctx, dir, "", false, func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == cli.StoreURLEnv {
			return storeURL
		}
		return ""
	}, args...)
}

// cliRun runs the CLI in this process with the given stdin, terminal flag and environment
// lookup, and collects its exit code and output. It needs no *testing.T, so benchmark
// fixtures built inside sync.Once can use it too.
func cliRun(ctx context.Context, dir, stdin string, terminal bool, getenv func(string) string, args ...string) result {
	var out, errb bytes.Buffer
	code := cli.Run(ctx, args, cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Dir: dir, Terminal: &terminal, Getenv: getenv,
	})
	return result{code, out.String(), errb.String()}
}

// noEnv is an environment with nothing set.
func noEnv(string) string { return "" }

// runBinary runs the real nanoforge binary with --cli.
func runBinary(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, nanoforgeBin, append([]string{"--cli"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{cli.StoreURLEnv + "=" + storeURL}, env...)...)
	return runCommand(t, cmd)
}

// runCommand runs cmd and collects its exit code (-1 when a signal ended it) and output; a
// command that cannot be started fails the test.
func runCommand(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", cmd, err)
	}
	return result{code, out.String(), errb.String()}
}

func mustOK(t *testing.T, r result) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("command failed: %s", r)
	}
	return r
}

// ---------------------------------------------------------------- authoring

// release describes a version to publish.
type release struct {
	kind     storeclient.Kind
	name     string
	version  string
	pkgType  manifest.Kind // packages only; default script
	packages []string
	assets   []string
	channel  string // upload channel; empty = stable
	extra    map[string]string
	draft    bool
}

// renderRelease returns the folder and descriptor of a release in an author's server folder.
func renderRelease(author string, rel release) (dir, file string, body []byte, err error) {
	if rel.kind == storeclient.Assets {
		a, err := manifest.NewAssetPack(rel.name, "Pack "+rel.name, "e2e")
		if err != nil {
			return "", "", nil, err
		}
		a.Version, a.AssetsRequirements = rel.version, rel.assets
		return filepath.Join(author, "Assets", rel.name), manifest.AssetsFile, a.Render(), nil
	}
	typ := rel.pkgType
	if typ == "" {
		typ = manifest.KindScript
	}
	p, err := manifest.NewPackage(rel.name, "Package "+rel.name, "e2e", typ)
	if err != nil {
		return "", "", nil, err
	}
	p.Version, p.PackagesRequirements, p.AssetsRequirements = rel.version, rel.packages, rel.assets
	return filepath.Join(author, "Packages", rel.name), manifest.PackageFile, p.Render(), nil
}

// publish writes the release into an author's server folder and uploads it with the CLI.
func publish(t *testing.T, author, token string, rel release) result {
	t.Helper()
	dir, file, body, err := renderRelease(author, rel)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	files := map[string]string{file: string(body)}
	if rel.kind == storeclient.Packages {
		files["Server/Index.lua"] = fmt.Sprintf("Console.Log(%q)\n", rel.name+" "+rel.version+" loaded")
		files["Shared/Index.lua"] = "-- shared\n"
	}
	for k, v := range rel.extra {
		files[k] = v
	}
	writeFiles(t, dir, files)
	args := []string{"upload", rel.kind.Singular(), rel.name, "--dir", author, "--token", token, "--changelog", "Release " + rel.version}
	if !rel.draft {
		args = append(args, "--publish")
	}
	if rel.channel != "" {
		args = append(args, "--channel", rel.channel)
	}
	return mustOK(t, runCLI(t, author, args...))
}

// installedPackage publishes version 1.0.0 of a new script package named after base with a
// fresh account and author folder, and installs it into a fresh server folder.
func installedPackage(t *testing.T, base string) (token, author, server, name string) {
	t.Helper()
	token = account(t)
	author, server = t.TempDir(), t.TempDir()
	name = uniq(t, base)
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0"})
	mustOK(t, runCLI(t, server, "install", "package", name))
	return token, author, server, name
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := writeTree(dir, files); err != nil {
		t.Fatal(err)
	}
}

// writeTree writes files (slash-separated paths relative to dir) with their folders.
func writeTree(dir string, files map[string]string) error {
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// installedVersion reads the version of an installed package or asset pack from its folder.
func installedVersion(t *testing.T, server string, kind storeclient.Kind, name string) string {
	t.Helper()
	if kind == storeclient.Assets {
		a, _, err := manifest.LoadAssetsDir(filepath.Join(server, "Assets", name), manifest.LoadOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("asset pack %s not loadable: %v", name, err)
		}
		return a.Version
	}
	p, _, err := manifest.LoadPackageDir(filepath.Join(server, "Packages", name), manifest.LoadOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("package %s not loadable: %v", name, err)
	}
	return p.Version
}

func readLock(t *testing.T, server string) *cli.Lock {
	t.Helper()
	l, err := cli.ReadLock(filepath.Join(server, "Packages", cli.LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// assertMatchesLock checks that every locked folder holds exactly the recorded files.
func assertMatchesLock(t *testing.T, server string) {
	t.Helper()
	for _, r := range readLock(t, server).Resources {
		sub := "Packages"
		if r.Kind == storeclient.Assets {
			sub = "Assets"
		}
		got, err := cli.HashTree(filepath.Join(server, sub, r.Name))
		if err != nil {
			t.Fatal(err)
		}
		if c := cli.Compare(r.Files, got); !c.Empty() {
			t.Errorf("%s %s differs from the lock file: %s", r.Kind, r.Name, c)
		}
	}
}

func noTempLeft(t *testing.T, server string) {
	t.Helper()
	for _, sub := range []string{"Packages", "Assets"} {
		entries, _ := os.ReadDir(filepath.Join(server, sub))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".nanoforge-") {
				t.Errorf("temporary %s/%s left behind", sub, e.Name())
			}
		}
	}
}

func client(t *testing.T, token string) *storeclient.Client {
	c, err := storeclient.New(storeURL, token)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ---------------------------------------------------------------- tests

func TestAddUploadPublishInstallLoads(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "arena")

	mustOK(t, runCLI(t, author, "add", "package", name, "--title", "Arena", "--author", "e2e", "--type", "game-mode"))
	r := mustOK(t, runCLI(t, author, "upload", "package", name, "--token", token, "--changelog", "First release"))
	if !strings.Contains(r.stdout, "as a draft") || !strings.Contains(r.stdout, storeURL) {
		t.Fatalf("upload did not say where to publish the draft:\n%s", r)
	}

	// A draft is not installable.
	r = runCLI(t, server, "install", "package", name)
	if r.code != 1 || !strings.Contains(r.stderr, name) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("installing a draft-only package: want one error line naming it:\n%s", r)
	}

	if _, err := client(t, token).Publish(context.Background(), storeclient.Packages, name, "0.1.0", ""); err != nil {
		t.Fatalf("publishing: %v", err)
	}
	r = mustOK(t, runBinary(t, server, nil, "install", "package", name))
	if !strings.Contains(r.stdout, "Installed package "+name+" 0.1.0") {
		t.Errorf("install output:\n%s", r)
	}
	p, warns, err := manifest.LoadPackageDir(filepath.Join(server, "Packages", name), manifest.LoadOptions{ReadOnly: true})
	if err != nil || p.Kind != manifest.KindGameMode || p.Title != "Arena" || len(warns) != 0 {
		t.Fatalf("installed package: %+v, %v, %v", p, warns, err)
	}
	assertMatchesLock(t, server)
	noTempLeft(t, server)
	l := readLock(t, server)
	if e := l.Find(storeclient.Packages, name); e == nil || !e.Requested || e.Version != "0.1.0" || len(e.SHA256) != 64 || len(e.Files) != 4 {
		t.Fatalf("lock entry = %+v", e)
	}

	// The server itself accepts and loads it, and the generated Server/Index.lua runs.
	log := startServer(t, server, "--game_mode", name)
	if !strings.Contains(log, "Package "+name+" loaded on the server") {
		t.Errorf("Server/Index.lua did not run:\n%s", log)
	}
}

// startServer runs the real server in dir until it reports it started, then stops it through
// the console.
func startServer(t *testing.T, dir string, args ...string) string {
	t.Helper()
	var log string
	for attempt := 0; attempt < 3; attempt++ {
		var started bool
		log, started = runServerOnce(t, dir, args)
		if started {
			break
		}
		if !strings.Contains(log, "in use") {
			t.Fatalf("server did not start:\n%s", log)
		}
		// The free port was taken between picking and binding: pick another.
	}
	if !strings.Contains(log, "Server started") {
		t.Fatalf("server did not start:\n%s", log)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--") {
			continue
		}
		for _, n := range strings.Split(a, ",") {
			if !strings.Contains(log, "Loading Package '"+n+"'") {
				t.Errorf("server did not load %s:\n%s", n, log)
			}
		}
	}
	if strings.Contains(log, "not loaded") {
		t.Errorf("server refused a package:\n%s", log)
	}
	return log
}

// runServerOnce starts the server on a free port, waits (bounded) until it reports it started
// or exits, then stops it through the console.
func runServerOnce(t *testing.T, dir string, args []string) (string, bool) {
	t.Helper()
	port, err := freeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	queryPort, err := freeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, nanoforgeBin, append(append([]string{}, args...), "--port", port, "--query_port", queryPort)...)
	cmd.Dir = dir
	stdin, _ := cmd.StdinPipe()
	var out e2etest.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if err := e2etest.WaitOutput(&out, "Server started", exited, waitLimit); err != nil {
		cancel()
		<-exited
		return out.String(), false
	}
	io.WriteString(stdin, "stop\n")
	<-exited
	return out.String(), true
}

func freeUDPPort() (string, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer c.Close()
	_, port, _ := net.SplitHostPort(c.LocalAddr().String())
	return port, nil
}
