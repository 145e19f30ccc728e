package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/e2e/e2etest"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
)

// storeOnce starts one nanoforge-store for the tests that need it.
var (
	storeOnce sync.Once
	storeBase string
	storeErr  error
	// storeCmd and storeDir are cleaned up by stopStore from TestMain.
	storeCmd  *exec.Cmd
	storeDone chan struct{}
	storeDir  string
)

// stopStore ends the Store started by startStore, if any, and removes its data.
func stopStore() {
	if storeCmd != nil && storeCmd.Process != nil {
		_ = storeCmd.Process.Signal(os.Interrupt)
		select {
		case <-storeDone:
		case <-time.After(10 * time.Second):
			_ = storeCmd.Process.Kill()
			<-storeDone
		}
	}
	if storeDir != "" {
		os.RemoveAll(storeDir)
	}
}

// startStore builds and starts nanoforge-store on a loopback port with a temporary data folder;
// it stops with the test binary.
func startStore(t *testing.T) string {
	t.Helper()
	storeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nanoforge-e2e-store-")
		if err != nil {
			storeErr = err
			return
		}
		storeDir = dir
		bin := filepath.Join(filepath.Dir(binary), "nanoforge-store")
		if err := e2etest.Build(bin, "github.com/nanoforge/nanoforge/cmd/nanoforge-store"); err != nil {
			storeErr = err
			return
		}
		addr := "127.0.0.1:" + freePort(t)
		cmd := exec.Command(bin, "--listen", addr, "--data", dir, "--rate-limit", "0")
		var logs e2etest.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		// Should the test binary die without cleaning up, the kernel ends the Store too.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			storeErr = err
			return
		}
		storeCmd, storeDone = cmd, make(chan struct{})
		go func() { _ = cmd.Wait(); close(storeDone) }()
		base := "http://" + addr
		if err := e2etest.WaitHTTP(base+"/api/v1/search?q=x", waitLimit); err != nil {
			_ = cmd.Process.Kill()
			storeErr = fmt.Errorf("nanoforge-store did not come up: %v\nits output:\n%s", err, logs.String())
			return
		}
		storeBase = base
	})
	if storeErr != nil {
		t.Fatal(storeErr)
	}
	return storeBase
}

// storeToken signs a new user up and returns a token for it.
func storeToken(t *testing.T, base string) string {
	t.Helper()
	name := fmt.Sprintf("srv%d", time.Now().UnixNano()%1_000_000_000)
	call := func(path string, body any) []byte {
		data, _ := json.Marshal(body)
		resp, err := http.Post(base+path, "application/json", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST %s: %s: %s", path, resp.Status, out)
		}
		return out
	}
	const pw = "a long enough test password"
	call("/api/v1/signup", map[string]string{"name": name, "password": pw})
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(call("/api/v1/login", map[string]string{"name": name, "password": pw, "label": "server e2e"}), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login gave no token (%v)", err)
	}
	return tok.Token
}

// cliRun runs `nanoforge --cli ARGS` in dir against the Store at base.
func cliRun(t *testing.T, dir, base string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"--cli"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NANOFORGE_STORE_URL="+base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nanoforge --cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestAutoDownloadFromTheStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Store: not in -short mode")
	}
	t.Parallel()
	base := startStore(t)
	token := storeToken(t, base)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	gm, lib := "dl-mode-"+suffix, "dl-lib-"+suffix

	// An author publishes a game-mode requiring a library.
	author := t.TempDir()
	packagestest.MustWrite(t, author,
		packagestest.Spec{Name: lib, Server: `Package.Export("DlLib", { answer = 42 })`},
		packagestest.Spec{Name: gm, Kind: manifest.KindGameMode, Requires: []string{lib},
			Server: `Package.Subscribe("Load", function() Console.Log("downloaded game-mode sees %d", DlLib.answer) end)`},
	)
	for _, name := range []string{lib, gm} {
		cliRun(t, author, base, "upload", "package", name, "--dir", author, "--token", token, "--changelog", "first", "--publish")
	}

	// A fresh server folder asks for the game-mode only; --auto_download brings both.
	dir := t.TempDir()
	p := startEnv(t, dir, []string{"NANOFORGE_STORE_URL=" + base}, "--game_mode", gm, "--auto_download")
	p.waitOutput("Server started")
	out := p.stdout.String()
	for _, want := range []string{
		"--auto_download: downloading package " + gm,
		"Package '" + lib + "' loaded.",
		"Package '" + gm + "' loaded.",
		"downloaded game-mode sees 42",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s\nstderr:\n%s", want, out, p.stderr)
		}
	}
	for _, name := range []string{gm, lib} {
		if _, err := os.Stat(filepath.Join(dir, "Packages", name, "Package.toml")); err != nil {
			t.Errorf("%s not installed: %v", name, err)
		}
	}
	p.stopByConsole()
}
