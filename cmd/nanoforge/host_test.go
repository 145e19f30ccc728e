package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/script"
	"github.com/nanoforge/nanoforge/internal/server"
)

// startWithHost starts a manual-mode server with the binary's script host and one script
// package whose Server/Index.lua is code, and returns what the server printed.
func startWithHost(t *testing.T, args []string, code string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Game.Packages = []string{"probe"}
	cfg.Game.Assets = []string{"props"}
	cfg.Debug.AsyncLog = false
	if err := config.Save(filepath.Join(dir, config.FileName), cfg); err != nil {
		t.Fatal(err)
	}
	if err := packagestest.WriteAssetPack(dir, "props"); err != nil {
		t.Fatal(err)
	}
	if _, err := packagestest.Write(dir, packagestest.Spec{Name: "probe", Server: code}); err != nil {
		t.Fatal(err)
	}
	parsed, err := config.ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	srv, err := server.New(server.Options{Dir: dir, Args: parsed, Output: &out, NewHost: newScriptHost, NoLogFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Submit("stop")
	for i := 0; i < 10 && srv.Step(); i++ {
	}
	return out.String()
}

func TestScriptHostGetsUnsafeLibsFlag(t *testing.T) {
	const probe = `Console.Log("io available: " .. tostring(io ~= nil))`
	if out := startWithHost(t, nil, probe); !strings.Contains(out, "io available: false") {
		t.Errorf("without --enable_unsafe_libs, io should be absent; output:\n%s", out)
	}
	if out := startWithHost(t, []string{"--enable_unsafe_libs"}, probe); !strings.Contains(out, "io available: true") {
		t.Errorf("with --enable_unsafe_libs, io should be present; output:\n%s", out)
	}
}

func TestScriptHostSeesLoadedAssetPacks(t *testing.T) {
	const probe = `
local names = {}
for _, pack in ipairs(Assets.GetAssetPacks()) do names[#names + 1] = pack.Path end
Console.Log("asset packs: " .. table.concat(names, ","))`
	if out := startWithHost(t, nil, probe); !strings.Contains(out, "asset packs: props") {
		t.Errorf("Assets.GetAssetPacks should list the loaded pack 'props'; output:\n%s", out)
	}
}

func TestScriptLimitDefaultsMatchTheHost(t *testing.T) {
	if got := time.Duration(config.DefaultScriptBudgetMS) * time.Millisecond; got != script.DefaultBudget {
		t.Errorf("config.DefaultScriptBudgetMS is %s, the script host's default budget %s: --help shows a wrong default", got, script.DefaultBudget)
	}
	if got := int64(config.DefaultScriptMemoryMB) << 20; got != script.DefaultMemoryLimit {
		t.Errorf("config.DefaultScriptMemoryMB is %d bytes, the script host's default cap %d", got, int64(script.DefaultMemoryLimit))
	}
	if b, m := scriptLimits(0, 0); b >= 0 || m >= 0 {
		t.Errorf("scriptLimits(0, 0) = %s, %d: 0 must turn the limits off (negative in script.Options), not select the defaults", b, m)
	}
	if b, m := scriptLimits(time.Second, 32<<20); b != time.Second || m != 32<<20 {
		t.Errorf("scriptLimits(1s, 32 MiB) = %s, %d", b, m)
	}
}

func TestScriptLimitsOtherThanTheDefaultsAreLogged(t *testing.T) {
	const line = "Script limits:"
	if out := startWithHost(t, nil, ""); strings.Contains(out, line) {
		t.Errorf("default limits should not be logged:\n%s", out)
	}
	out := startWithHost(t, []string{"--script_budget_ms", "250", "--script_memory_mb", "0"}, "")
	if want := "Script limits: watchdog 250ms per call, Lua memory cap off"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	out = startWithHost(t, []string{"--script_budget_ms", "0", "--script_memory_mb", "64"}, "")
	if want := "Script limits: watchdog off, Lua memory cap 64 MiB"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func TestScriptHostGetsBudgetFlag(t *testing.T) {
	// The entry file runs for 300ms of CPU: past a 50ms budget, well within a 5s one.
	const probe = `
local t0 = os.clock()
while os.clock() - t0 < 0.3 do end
Console.Log("busy loop finished")`
	if out := startWithHost(t, []string{"--script_budget_ms", "50"}, probe); strings.Contains(out, "busy loop finished") {
		t.Errorf("with --script_budget_ms 50, a 300ms loop should be interrupted; output:\n%s", out)
	}
	if out := startWithHost(t, []string{"--script_budget_ms", "5000"}, probe); !strings.Contains(out, "busy loop finished") {
		t.Errorf("with --script_budget_ms 5000, a 300ms loop should finish; output:\n%s", out)
	}
}

func TestScriptHostGetsMemoryFlag(t *testing.T) {
	// 24 MiB in one string: over a 16 MiB cap, under the default 512 MiB. A generous budget
	// keeps the watchdog out of it on a slow machine.
	const probe = `
local ok, err = pcall(string.rep, "x", 24 * 1024 * 1024)
Console.Log("allocated: " .. tostring(ok) .. " " .. (ok and "" or tostring(err)))`
	if out := startWithHost(t, []string{"--script_memory_mb", "16", "--script_budget_ms", "10000"}, probe); !strings.Contains(out, "allocated: false not enough memory") {
		t.Errorf("with --script_memory_mb 16, a 24 MiB string should fail with Lua's memory error; output:\n%s", out)
	}
	if out := startWithHost(t, []string{"--script_budget_ms", "10000"}, probe); !strings.Contains(out, "allocated: true") {
		t.Errorf("with the default cap, a 24 MiB string should fit; output:\n%s", out)
	}
}

func TestScriptsHearMapChangeAndRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Game.Packages = []string{"probe"}
	cfg.Debug.AsyncLog = false
	if err := config.Save(filepath.Join(dir, config.FileName), cfg); err != nil {
		t.Fatal(err)
	}
	const probe = `
Server.Subscribe("ChangeMap", function(old, new) Console.Log("event ChangeMap " .. old .. " -> " .. new) end)
Server.Subscribe("Restart", function() Console.Log("event Restart") end)
Console.Log("map asset '" .. Server.GetMapAsset() .. "'")
local ok, err = pcall(Server.ChangeMap, "no-such-map")
Console.Log("bad map: " .. tostring(ok) .. " " .. tostring(err))`
	packagestest.MustWrite(t, dir, packagestest.Spec{Name: "probe", Server: probe},
		packagestest.Spec{Name: "isle", Kind: manifest.KindMap})
	var out bytes.Buffer
	srv, err := server.New(server.Options{Dir: dir, Output: &out, NewHost: newScriptHost, NoLogFile: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown() })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Submit(`package run probe Server.ChangeMap("isle")`)
	srv.Step()
	got := out.String()
	if !strings.Contains(got, "bad map: false") || !strings.Contains(got, "map not changed") {
		t.Errorf("Server.ChangeMap with an unknown map should raise 'map not changed'; output:\n%s", got)
	}
	order := []string{
		"map asset 'nanos-world::BlankMap'", // the built-in default-blank-map
		"Changing map to 'isle'",
		"event ChangeMap default-blank-map -> isle",
		"event Restart",
		"Loading Package 'probe'",
		// The map package written by packagestest uses the default level.
		"map asset 'nanos-world::BlankMap'",
	}
	at := 0
	for _, want := range order {
		i := strings.Index(got[at:], want)
		if i < 0 {
			t.Fatalf("output lacks %q after position %d (want, in order, %q):\n%s", want, at, order, got)
		}
		at += i + len(want)
	}
	if strings.Contains(got[at:], "event Restart") {
		t.Errorf("the packages loaded after the restart heard it too:\n%s", got)
	}
}
