// Package server_test runs the real nanoforge binary in temporary server folders: first start,
// Config.toml handling, package requirements, and stopping by console and by signal.
package server_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/e2e/e2etest"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
)

// binary is the nanoforge executable built once for all tests.
var binary string

// waitLimit bounds every wait for the process.
const waitLimit = 30 * time.Second

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "^$" {
		// Benchmarks only (make bench): they run in process and need no binary.
		os.Exit(m.Run())
	}
	tmp, err := os.MkdirTemp("", "nanoforge-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(tmp, "nanoforge")
	if err := e2etest.Build(binary, "github.com/nanoforge/nanoforge/cmd/nanoforge"); err != nil {
		fmt.Fprintf(os.Stderr, "building nanoforge for the end-to-end tests: %v\n", err)
		os.RemoveAll(tmp)
		os.Exit(1)
	}
	code := m.Run()
	stopStore()
	os.RemoveAll(tmp)
	os.Exit(code)
}

type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *e2etest.Buffer
	stderr *e2etest.Buffer
	done   chan struct{}
	err    error
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	port, err := e2etest.FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// start runs nanoforge in dir with args. Unless args choose a port, the server gets free
// loopback ports, so parallel tests never share one once the server listens.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	return startEnv(t, dir, nil, args...)
}

// startEnv is start with extra environment variables ("KEY=value").
func startEnv(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	if !slices.Contains(args, "--port") && !slices.Contains(args, "--help") {
		args = append(slices.Clone(args), "--ip", "127.0.0.1", "--port", freePort(t), "--query_port", freePort(t))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLimit)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	p := &proc{t: t, cmd: cmd, stdout: &e2etest.Buffer{}, stderr: &e2etest.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = in
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// waitOutput waits until stdout contains s.
func (p *proc) waitOutput(s string) {
	p.t.Helper()
	err := e2etest.WaitOutput(p.stdout, s, p.done, waitLimit)
	if errors.Is(err, e2etest.ErrExited) {
		p.t.Fatalf("nanoforge exited (%v) before printing %q\nstdout:\n%s\nstderr:\n%s", p.err, s, p.stdout, p.stderr)
	}
	if err != nil {
		p.t.Fatalf("nanoforge did not print %q within %s\nstdout:\n%s\nstderr:\n%s", s, waitLimit, p.stdout, p.stderr)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(waitLimit):
		p.t.Fatalf("nanoforge did not exit within %s\nstdout:\n%s", waitLimit, p.stdout)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("waiting for nanoforge: %v", p.err)
	}
	return 0
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("writing %q to the console: %v", line, err)
	}
}

// stopByConsole types stop and checks the exit status is 0.
func (p *proc) stopByConsole() {
	p.t.Helper()
	p.send("stop")
	if code := p.wait(); code != 0 {
		p.t.Fatalf("exit status %d after stop, want 0\nstdout:\n%s\nstderr:\n%s", code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stdout.String(), "Server stopped.") {
		p.t.Errorf("no 'Server stopped.' line:\n%s", p.stdout)
	}
}

func TestFirstStartCreatesTheFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := start(t, dir)
	p.waitOutput(", tick rate 30 Hz.")
	if !regexp.MustCompile(`INFO  Server started! Port \d+, tick rate 30 Hz\.`).MatchString(p.stdout.String()) {
		t.Errorf("no ready line:\n%s", p.stdout)
	}
	for _, name := range []string{"Config.toml", "Packages", "Assets", ".logs/nanoforge.log"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not created on first start: %v", name, err)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "Config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// The command line's --ip and ports are for this run only: the file is the newest template,
	// byte for byte (nanos-spec §3.2).
	template, err := os.ReadFile(filepath.Join("..", "..", "internal", "config", "testdata", "template.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cfg, template) {
		t.Errorf("first-start Config.toml differs from the template:\n%s", cfg)
	}
	p.send("help")
	p.waitOutput("Available commands:")
	p.stopByConsole()

	// A second start keeps the first session's log under a dated name.
	p = start(t, dir)
	p.waitOutput("Server started")
	p.stopByConsole()
	logs, _ := filepath.Glob(filepath.Join(dir, ".logs", "nanoforge-*.log"))
	if len(logs) != 1 {
		t.Errorf("dated logs after two sessions = %v, want one", logs)
	}
}

func TestOldConfigIsRewritten(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := `[server]
    name = "old server"
    description = ""
    max_players = 10
    password = ""
    ip = "0.0.0.0"
    port = 7777
    query_port = 7778
    announce = true
    tick_rate = 50
    log_level = 2
[world]
    game_mode = ""
    loading_screen = ""
    packages = []
    assets = []
    token = ""
    map = "default-blank-map"
    banned_ids = []
`
	if err := os.WriteFile(filepath.Join(dir, "Config.toml"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	p := start(t, dir)
	p.waitOutput(", tick rate 20 Hz.")
	p.stopByConsole()
	cfg, _ := os.ReadFile(filepath.Join(dir, "Config.toml"))
	for _, want := range []string{"[discover]", `"old server"`, "max_players =            10", "max_tick_rate =          20"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("rewritten Config.toml lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(string(cfg), "[server]") || strings.Contains(string(cfg), "tick_rate = 50") {
		t.Errorf("old layout left in Config.toml:\n%s", cfg)
	}
}

func TestBrokenConfigIsLeftAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := []byte("[discover]\n    name = \"x\"\n    port 7777\n")
	path := filepath.Join(dir, "Config.toml")
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	p := start(t, dir)
	if code := p.wait(); code == 0 {
		t.Fatalf("exit status 0 with a broken Config.toml\nstdout:\n%s", p.stdout)
	}
	if got := p.stderr.String(); !regexp.MustCompile(`Config\.toml:3:\d+: `).MatchString(got) || !strings.Contains(got, "left as it is") {
		t.Errorf("stderr = %q, want Config.toml:3:<col> and that the file was left alone", got)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, broken) {
		t.Errorf("broken Config.toml changed:\n%q\nwant\n%q", after, broken)
	}
	if strings.Contains(p.stdout.String(), "Server started") {
		t.Error("server started with a broken Config.toml")
	}
}

func TestSaveWritesTheCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := start(t, dir, "--max_players", "12", "--name", "saved name", "--save")
	p.waitOutput("Server started")
	p.stopByConsole()
	cfg, _ := os.ReadFile(filepath.Join(dir, "Config.toml"))
	if !strings.Contains(string(cfg), "max_players =            12") || !strings.Contains(string(cfg), `"saved name"`) {
		t.Errorf("--save did not write the parameters:\n%s", cfg)
	}
	port := freePort(t)
	p = start(t, dir, "--max_players", "40", "--port", port, "--query_port", freePort(t))
	p.waitOutput("Server started! Port " + port + ",")
	p.stopByConsole()
	cfg, _ = os.ReadFile(filepath.Join(dir, "Config.toml"))
	if !strings.Contains(string(cfg), "max_players =            12") || strings.Contains(string(cfg), port) {
		t.Errorf("parameters without --save were written:\n%s", cfg)
	}
}

func TestBadArgumentsAndHelp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := start(t, dir, "--max_playerz", "3")
	if code := p.wait(); code != 2 {
		t.Errorf("exit status %d for an unknown parameter, want 2", code)
	}
	if got := p.stderr.String(); !strings.Contains(got, "--max_players") {
		t.Errorf("stderr = %q, want the closest parameter named", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "Config.toml")); err == nil {
		t.Error("Config.toml created although the command line was rejected")
	}
	p = start(t, dir, "--help")
	if code := p.wait(); code != 0 {
		t.Errorf("--help exit status %d", code)
	}
	if got := p.stdout.String(); !strings.Contains(got, "--max_tick_rate") || !strings.Contains(got, "--custom_settings") {
		t.Errorf("--help output lacks parameters:\n%s", got)
	}
}

func TestRequirementChainAndCycle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	specs := append(packagestest.Chain("chain", 3),
		packagestest.Spec{Name: "gm", Kind: manifest.KindGameMode, Requires: []string{"chain1"}},
		packagestest.Spec{Name: "cyc-a", Requires: []string{"cyc-b"}},
		packagestest.Spec{Name: "cyc-b", Requires: []string{"cyc-a"}},
		packagestest.Spec{Name: "needs-missing", Requires: []string{"not-installed"}},
		packagestest.Spec{Name: "fine"},
	)
	packagestest.MustWrite(t, dir, specs...)
	p := start(t, dir, "--game_mode", "gm", "--packages", "cyc-a,needs-missing,fine")
	p.waitOutput("Server started")
	out := p.stdout.String()
	order := []string{"Loading Package 'chain3'", "Loading Package 'chain2'", "Loading Package 'chain1'", "Loading Package 'gm'", "Loading Package 'fine'", "Server started"}
	last := -1
	for _, o := range order {
		i := strings.Index(out, o)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order (want %v):\n%s", o, order, out)
		}
		last = i
	}
	for _, want := range []string{
		"ERROR package 'cyc-a' not loaded:",
		"requirement cycle cyc-a -> cyc-b -> cyc-a",
		"ERROR package 'needs-missing' not loaded: requirement chain needs-missing -> not-installed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p.send("package unload chain3")
	p.waitOutput("Package 'chain3' unloaded.")
	if !strings.Contains(p.stdout.String(), "Unloading 'gm' too: it requires 'chain3'") {
		t.Errorf("dependents not reported:\n%s", p.stdout)
	}
	p.stopByConsole()
}

func TestSignalsStopCleanly(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			p := start(t, dir)
			p.waitOutput("Server started")
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(); code != 0 {
				t.Errorf("exit status %d after %v, want 0\nstdout:\n%s\nstderr:\n%s", code, sig, p.stdout, p.stderr)
			}
			if !strings.Contains(p.stdout.String(), "Server stopped.") {
				t.Errorf("no clean shutdown after %v:\n%s", sig, p.stdout)
			}
		})
	}
}

// Shutdown by signal runs the documented order with real scripts: Server "Stop" in every
// package, then each package's Unload in reverse load order, then the last line.
func TestShutdownOrderWithScripts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := func(name string) string {
		return fmt.Sprintf(`
Server.Subscribe("Stop", function() Console.Log("%[1]s: Server Stop") end)
Package.Subscribe("Unload", function() Console.Log("%[1]s: Unload") end)
`, name)
	}
	packagestest.MustWrite(t, dir,
		packagestest.Spec{Name: "base", Server: script("base")},
		packagestest.Spec{Name: "top", Requires: []string{"base"}, Server: script("top")})
	p := start(t, dir, "--packages", "top")
	p.waitOutput("Server started")
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(); code != 0 {
		t.Fatalf("exit status %d after SIGINT\n%s\n%s", code, p.stdout, p.stderr)
	}
	out := p.stdout.String()
	last := -1
	for _, line := range []string{"Stopping server...", "base: Server Stop", "top: Server Stop", "top: Unload", "base: Unload", "Server stopped."} {
		i := strings.Index(out, line)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order:\n%s", line, out)
		}
		last = i
	}
}

// copyDir copies the folder src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExamplePackages(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "examples", "packages")
	dir := t.TempDir()
	copyDir(t, examples, filepath.Join(dir, "Packages"))
	for _, name := range []string{"example-gamemode", "example-utils", "example-map"} {
		p, warns, err := manifest.LoadPackageDir(filepath.Join(dir, "Packages", name), manifest.LoadOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("example %s: %v", name, err)
		}
		if len(warns) > 0 {
			t.Errorf("example %s has manifest warnings: %v", name, warns)
		}
		if p.Generation != manifest.Gen3 {
			t.Errorf("example %s is generation %d, want the newest", name, p.Generation)
		}
	}
	p := start(t, dir, "--game_mode", "example-gamemode", "--map", "example-map", "--custom_settings", "motd = 'hello from the command line'")
	p.waitOutput("Server started")
	out := p.stdout.String()
	last := -1
	for _, o := range []string{
		"example-utils ready", "Package 'example-utils' loaded.",
		"Package 'example-gamemode' loaded.",
		"example-map: weather sunny, a day lasts 20 minutes", "Package 'example-map' loaded.",
		"custom settings: enable_pvp=true, motd=hello from the command line, round_seconds=300",
		"map 'example-map' has 2 spawn point(s)",
		"round 1 started (300 seconds, pvp true)",
		"Server started",
	} {
		i := strings.Index(out, o)
		if i < last || i < 0 {
			t.Fatalf("%q missing or out of order:\n%s", o, out)
		}
		last = i
	}
	if strings.Contains(out, "ERROR") || strings.Contains(out, "WARN") {
		t.Errorf("errors or warnings while loading the examples:\n%s", out)
	}
	p.send("round")
	p.waitOutput("round 1, ")
	p.send("package run example-utils return ExampleUtils.FormatDuration(3723)")
	p.waitOutput("1h 02m 03s")
	p.send("package reload example-utils")
	p.waitOutput("Package 'example-utils' reloaded.")
	p.stopByConsole()
	if !strings.Contains(p.stdout.String(), "example-gamemode unloading after 1 round(s)") {
		t.Errorf("the game-mode's Unload handler did not run:\n%s", p.stdout)
	}
}

func TestSlowTickIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Burns 50 ms of CPU in one Tick handler, once: longer than the 33 ms budget of 30 Hz
	// however fast the machine, and well inside the script watchdog's budget.
	packagestest.MustWrite(t, dir, packagestest.Spec{Name: "slow", Server: `
local done = false
Server.Subscribe("Tick", function()
	if done then return end
	done = true
	local start = os.clock()
	while os.clock() - start < 0.05 do end
end)
`})
	p := start(t, dir, "--packages", "slow")
	p.waitOutput("Server Tick")
	p.waitOutput("slowest: package 'slow' event 'Server:Tick'")
	out := p.stdout.String()
	if !regexp.MustCompile(`(WARN  Server Tick too high|ERROR Server Tick extreme high)! Verify the server performance! Tick \d+ took [\d.]+ms \(budget 33\.3ms\)`).MatchString(out) {
		t.Errorf("tick line not in the documented form:\n%s", out)
	}
	p.stopByConsole()
}

func TestScriptLimitsFromTheEnvironmentAndCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// 300ms of CPU in the entry file: past a 20ms budget, well within a 10s one.
	packagestest.MustWrite(t, dir, packagestest.Spec{Name: "busy", Server: `
local start = os.clock()
while os.clock() - start < 0.3 do end
Console.Log("busy entry file finished")
`})
	p := startEnv(t, dir, []string{"NANOFORGE_SCRIPT_BUDGET_MS=20"}, "--packages", "busy")
	p.waitOutput("Server started")
	p.stopByConsole()
	if out := p.stdout.String(); !strings.Contains(out, "script timed out after 20ms") || strings.Contains(out, "busy entry file finished") {
		t.Errorf("NANOFORGE_SCRIPT_BUDGET_MS=20 should interrupt the entry file after 20ms:\n%s", out)
	}
	// The command line wins over the environment.
	p = startEnv(t, dir, []string{"NANOFORGE_SCRIPT_BUDGET_MS=20"}, "--packages", "busy", "--script_budget_ms", "10000")
	p.waitOutput("Server started")
	p.stopByConsole()
	if out := p.stdout.String(); !strings.Contains(out, "busy entry file finished") {
		t.Errorf("--script_budget_ms 10000 should let the entry file finish:\n%s", out)
	}
	// A bad value is refused before anything starts.
	p = startEnv(t, dir, []string{"NANOFORGE_SCRIPT_MEMORY_MB=lots"})
	if code := p.wait(); code != 2 {
		t.Errorf("exit status %d for a bad NANOFORGE_SCRIPT_MEMORY_MB, want 2", code)
	}
	if got := p.stderr.String(); !strings.Contains(got, `NANOFORGE_SCRIPT_MEMORY_MB="lots" is not an integer`) {
		t.Errorf("stderr = %q, want the variable and its value named", got)
	}
	p = start(t, dir, "--help")
	if code := p.wait(); code != 0 {
		t.Errorf("--help exit status %d", code)
	}
	for _, want := range []string{"--script_budget_ms", "--script_memory_mb", "NANOFORGE_SCRIPT_BUDGET_MS"} {
		if got := p.stdout.String(); !strings.Contains(got, want) {
			t.Errorf("--help lacks %q:\n%s", want, got)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "Config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "script_") {
		t.Errorf("the script limits reached Config.toml, whose layout must stay nanos world's:\n%s", cfg)
	}
}

func TestConsoleMapAndRestartReachTheScripts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	packagestest.MustWrite(t, dir,
		packagestest.Spec{Name: "listener", Server: `
Server.Subscribe("ChangeMap", function(old, new) Console.Log("heard ChangeMap " .. old .. " -> " .. new) end)
Server.Subscribe("Restart", function() Console.Log("heard Restart") end)
Package.Subscribe("Unload", function() Console.Log("listener unloading") end)
`},
		packagestest.Spec{Name: "isle", Kind: manifest.KindMap})
	p := start(t, dir, "--packages", "listener")
	p.waitOutput("Server started")
	p.send("map isle")
	p.waitOutput("Reloaded 2 packages")
	p.send("restart")
	// The second reload's line: a stop typed before it would win over the restart.
	for deadline := time.Now().Add(waitLimit); strings.Count(p.stdout.String(), "Reloaded 2 packages") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the restart did not finish within %s:\n%s", waitLimit, p.stdout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.stopByConsole()
	out := p.stdout.String()
	order := []string{
		"heard ChangeMap default-blank-map -> isle", "heard Restart", "listener unloading", "Package 'isle' loaded.",
		"Restarting server...", "heard Restart", "listener unloading",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("output lacks %q after position %d (want, in order, %q):\n%s", want, at, order, out)
		}
		at += i + len(want)
	}
	if n := strings.Count(out, "heard ChangeMap"); n != 1 {
		t.Errorf("ChangeMap heard %d times, want once (the plain restart has no map change):\n%s", n, out)
	}
}
