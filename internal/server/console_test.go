package server

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

func scripthostCommand(name string) scripthost.Command {
	return scripthost.Command{Name: name, Description: "a script command", Parameters: []string{"who"}, Package: "a"}
}

func TestConsoleCommands(t *testing.T) {
	for _, tc := range []struct {
		line   string
		out    []string // substrings of the output
		calls  []string // host calls after "input LINE" and before the tick; nil means none
		absent []string // substrings the output must not have
	}{
		{line: "help", out: []string{"Available commands:", "stop", "log_level <1-3>", "package reload all", "package run <name> <lua_code>", "greet <who>", "a script command (package 'a')"}},
		{line: "help me", out: []string{"WARN  help: unexpected argument \"me\". Usage: help"}},
		{line: "log_level 2", out: []string{"Log level set to 2"}},
		{line: "log_level 4", out: []string{"WARN  log_level: 4 is out of range 1-3. Usage: log_level <1-3>"}},
		{line: "log_level x", out: []string{"log_level: \"x\" is not a number. Usage: log_level <1-3>"}},
		{line: "log_level", out: []string{"log_level: expected one number"}},
		{line: "profiling 1", out: []string{"Profiling enabled"}},
		{line: "profiling 2", out: []string{"profiling: 2 is out of range 0-1. Usage: profiling <0-1>"}},
		{line: "password hunter2", out: []string{"Password changed"}},
		{line: "password", out: []string{"password: no password given. Usage: password <new_password>"}},
		{line: "password a b", out: []string{"a password cannot contain spaces"}},
		{line: "max_send_rate 1024", out: []string{"max_send_rate set to 1024"}},
		{line: "max_send_rate 50", out: []string{"WARN  max_send_rate:", "out of range", "Usage: max_send_rate <128-16384>"}},
		{line: "max_send_rate fast", out: []string{"\"fast\" is not a number"}},
		{line: "max_file_transfer_rate 600", out: []string{"above max_send_rate"}},
		{line: "max_file_transfer_rate 256", out: []string{"max_file_transfer_rate set to 256"}},
		{line: "distance_optimization 9", out: []string{"distance_optimization set to 9"}},
		{line: "distance_optimization 10", out: []string{"out of range"}},
		{line: "chat hello all", out: []string{"No players connected: chat message not sent"}},
		{line: "chat", out: []string{"chat: missing argument. Usage: chat <message>"}},
		{line: "kick 3 spam", out: []string{"No players connected: nobody to kick"}},
		{line: "players", out: []string{"No players connected (0/64)"}},
		{line: "frobnicate now", calls: []string{"legacy frobnicate now"}, out: []string{"WARN  Unknown command 'frobnicate'. Type 'help' to list the commands."}},
		{line: "legacy-time  set day", calls: []string{"legacy legacy-time  set day"}, absent: []string{"Unknown command"}},
		{line: "greet bob", calls: []string{"command greet bob"}},
		{line: "boom", calls: []string{"command boom "}, out: []string{"ERROR command 'boom' failed: it exploded"}},
		{line: "package", out: []string{"package: missing action"}},
		{line: "package fly a", out: []string{"package: unknown action \"fly\""}},
		{line: "package load", out: []string{"package: no package names given"}},
		{line: "package run a", out: []string{"expected a package name and Lua code"}},
		{line: "package run a  return 1 + 1", calls: []string{"run a return 1 + 1"}, out: []string{"INFO  2"}},
		{line: "package run a error()", calls: []string{"run a error()"}, out: []string{"ERROR package: in package 'a': [string]:1: nil"}},
		{line: "package run zzz x()", out: []string{"package 'zzz' is not loaded"}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"})
			ts.host.commands = []scripthost.Command{scripthostCommand("greet"), scripthostCommand("boom")}
			ts.host.runResult = "2"
			if err := ts.Start(); err != nil {
				t.Fatal(err)
			}
			calls, out := ts.exec(tc.line)
			if len(calls) == 0 || calls[0] != "input "+strings.TrimSpace(tc.line) {
				t.Fatalf("first call = %v, want the line handed to ConsoleInput", calls)
			}
			var middle []string
			for _, c := range calls[1:] {
				if strings.HasPrefix(c, "tick ") {
					break
				}
				middle = append(middle, c)
			}
			if !slices.Equal(middle, tc.calls) {
				t.Errorf("host calls = %q, want %q", middle, tc.calls)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, bad := range tc.absent {
				if strings.Contains(out, bad) {
					t.Errorf("output has %q:\n%s", bad, out)
				}
			}
		})
	}
}

func TestConsoleSettingsTakeEffect(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.exec("password s3cret")
	ts.exec("max_send_rate 2048")
	ts.exec("distance_optimization 0")
	ts.exec("log_level 3")
	c := ts.Config()
	if c.General.Password != "s3cret" || c.Optimization.MaxSendRate != 2048 || c.Optimization.DistanceOptimization != 0 {
		t.Errorf("config after commands = %+v %+v", c.General, c.Optimization)
	}
	if ts.LogOutput().LogLevel() != 3 || ts.host.srv.Info().Password != "s3cret" {
		t.Errorf("log level %d, password %q", ts.LogOutput().LogLevel(), ts.host.srv.Info().Password)
	}
	ts.exec(`password ""`)
	if c.General.Password != "" {
		t.Errorf("password = %q after password \"\"", c.General.Password)
	}
	// Console changes are for this run only: Config.toml keeps its values.
	data, err := os.ReadFile(filepath.Join(ts.dir, "Config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "2048") {
		t.Errorf("Config.toml was written by a console command:\n%s", data)
	}
	if err := ts.ChangeSetting("max_players", 10, true); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(ts.dir, "Config.toml"))
	if !strings.Contains(string(data), "max_players =            10") {
		t.Errorf("ChangeSetting(persist) did not write Config.toml:\n%s", data)
	}
	if err := ts.ChangeSetting("max_players", 5000, false); err == nil {
		t.Error("out-of-range max_players accepted")
	}
}

func TestConsoleClear(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	_, out := ts.exec("clear")
	if !strings.Contains(out, "\x1b[2J") {
		t.Errorf("clear wrote %q", out)
	}
	logData, _ := os.ReadFile(filepath.Join(ts.dir, ".logs", "nanoforge.log"))
	if strings.Contains(string(logData), "\x1b") {
		t.Error("the clear escape sequence reached the log file")
	}
}

func TestStopAndRestartCommands(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	calls, out := ts.exec("restart")
	want := []string{"input restart", "tick 33.333333ms", "fire Server Restart", "reset", "load a", "fireload a"}
	if !slices.Equal(calls, want) {
		t.Errorf("restart calls = %q, want %q", calls, want)
	}
	if !strings.Contains(out, "Restarting server...") {
		t.Errorf("output:\n%s", out)
	}
	if !ts.Step() {
		t.Error("server stopped after restart")
	}
	ts.Submit("stop")
	ts.Submit("restart")
	if ts.Step() {
		t.Error("server kept running after stop")
	}
	if slices.Contains(ts.host.calls[len(ts.host.calls)-4:], "reset") {
		t.Error("a restart queued after stop ran")
	}
}

func TestMapCommand(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"},
		packagestest.Spec{Name: "isle", Kind: manifest.KindMap})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	calls, _ := ts.exec("map isle")
	want := []string{"input map isle", "tick 33.333333ms", "fire Server ChangeMap default-blank-map isle", "fire Server Restart", "reset", "load a", "load isle", "fireload a,isle"}
	if !slices.Equal(calls, want) {
		t.Errorf("map calls = %q, want %q", calls, want)
	}
	if ts.Info().Map != "isle" || len(ts.SpawnPoints()) != 1 {
		t.Errorf("map = %q, spawn points %v", ts.Info().Map, ts.SpawnPoints())
	}
	// A map that does not exist, or a package that is no map, changes nothing.
	for line, want := range map[string]string{
		"map no-such-map": "ERROR map: map not changed: package 'no-such-map': not found",
		"map a":           "ERROR map: map not changed: 'a' is a script package, not a map",
	} {
		calls, out := ts.exec(line)
		if !strings.Contains(out, want) {
			t.Errorf("%s: output lacks %q:\n%s", line, want, out)
		}
		if slices.Contains(calls, "reset") || ts.Info().Map != "isle" {
			t.Errorf("%s: restarted (%q) or changed the map to %q", line, calls, ts.Info().Map)
		}
	}
	calls, _ = ts.exec("map default-ocean-map")
	if !slices.Contains(calls, "reset") || ts.Info().Map != "default-ocean-map" || ts.SpawnPoints() != nil {
		t.Errorf("map to a built-in map: calls %q, map %q, spawn points %v", calls, ts.Info().Map, ts.SpawnPoints())
	}
}

func TestPackageCommands(t *testing.T) {
	specs := []packagestest.Spec{
		{Name: "gm", Kind: manifest.KindGameMode},
		{Name: "gm2", Kind: manifest.KindGameMode},
		{Name: "base"},
		{Name: "mid", Requires: []string{"base"}},
		{Name: "top", Requires: []string{"mid"}},
		{Name: "side", Requires: []string{"base"}},
		{Name: "lone"},
	}
	ts := newTestServer(t, []string{"--game_mode", "gm", "--packages", "lone"}, specs...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		line   string
		calls  []string // after input and tick
		out    []string
		loaded []string
	}{
		{"package load top", []string{"load base", "fireload base", "load mid", "fireload mid", "load top", "fireload top"},
			[]string{"Loading 'base' first: a requirement of 'top'", "Package 'top' loaded."}, []string{"gm", "lone", "base", "mid", "top"}},
		{"package load side", []string{"load side", "fireload side"}, nil, []string{"gm", "lone", "base", "mid", "top", "side"}},
		{"package load top", nil, []string{"ERROR package load top: package 'top' is already loaded"}, nil},
		{"package load gm2", nil, []string{"only one game-mode can be loaded: 'gm' is loaded, so 'gm2' cannot be"}, nil},
		{"package load ghost", nil, []string{"package 'ghost' not loaded", "not found"}, nil},
		{"package hotreload mid", []string{"hotreload mid"}, []string{"Package 'mid' hot reloaded."}, nil},
		{"package reload lone", []string{"unload lone", "load lone", "fireload lone"}, []string{"Package 'lone' reloaded."}, nil},
		{"package reload base", []string{"unload base", "load base", "fireload base"},
			[]string{"Package 'base' reloaded.", "Not reloaded, requiring 'base': 'mid', 'top', 'side'"}, []string{"gm", "lone", "base", "mid", "top", "side"}},
		{"package reload ghost", nil, []string{"package 'ghost' is not loaded (use package load ghost)"}, nil},
		{"package unload base", []string{"unload side", "unload top", "unload mid", "unload base"},
			[]string{"Unloading 'side' too: it requires 'base'", "Unloading 'mid' too: it requires 'base'", "Package 'base' unloaded."}, []string{"gm", "lone"}},
		{"package unload base", nil, []string{"package 'base' is not loaded"}, nil},
		{"package load lone side", []string{"load base", "fireload base", "load side", "fireload side"}, []string{"'lone' is already loaded"}, []string{"gm", "lone", "base", "side"}},
		// reload all reloads what is loaded now, console loads included; restart goes back to
		// what Config.toml and the command line name.
		{"package reload all", []string{"fire Server Restart", "reset", "load gm", "load lone", "load base", "load side", "fireload gm,lone,base,side"},
			[]string{"Reloading all packages...", "Reloaded 4 packages"}, []string{"gm", "lone", "base", "side"}},
		{"package unload lone", []string{"unload lone"}, nil, []string{"gm", "base", "side"}},
		{"package reload all", []string{"fire Server Restart", "reset", "load gm", "load base", "load side", "fireload gm,base,side"}, nil, []string{"gm", "base", "side"}},
		{"restart", []string{"fire Server Restart", "reset", "load gm", "load lone", "fireload gm,lone"}, []string{"Restarting server..."}, []string{"gm", "lone"}},
	}
	for _, st := range steps {
		calls, out := ts.exec(st.line)
		i := slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "tick ") })
		if got := calls[i+1:]; !slices.Equal(got, st.calls) && len(got)+len(st.calls) > 0 {
			t.Errorf("%s: calls = %q, want %q", st.line, got, st.calls)
		}
		for _, want := range st.out {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", st.line, want, out)
			}
		}
		if st.loaded != nil && !slices.Equal(ts.Loaded(), st.loaded) {
			t.Errorf("%s: loaded = %v, want %v", st.line, ts.Loaded(), st.loaded)
		}
	}
}

func TestRequestPackageValidates(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.RequestPackage("explode", "x"); err == nil || !strings.Contains(err.Error(), "unknown package action") {
		t.Errorf("bad action error = %v", err)
	}
	if err := ts.RequestPackage("load", ""); err == nil {
		t.Error("empty name accepted")
	}
}

func TestStopFromScript(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.host.onTick = func(_ time.Duration) { ts.host.srv.Stop() }
	if ts.Step() {
		t.Error("Server.Stop from a script did not stop the server at the end of the tick")
	}
}

func TestRestartFromScript(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	n := len(ts.host.calls)
	ts.host.onTick = func(time.Duration) { ts.host.srv.Restart() }
	if !ts.Step() {
		t.Fatal("server stopped on restart")
	}
	want := []string{"tick 33.333333ms", "fire Server Restart", "reset", "load a", "fireload a"}
	if got := ts.host.since(n); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestChangeMapFromScript(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a", "--map", "isle"}, packagestest.Spec{Name: "a"},
		packagestest.Spec{Name: "isle", Kind: manifest.KindMap}, packagestest.Spec{Name: "dunes", Kind: manifest.KindMap})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	mc, ok := ts.host.srv.(scripthost.MapChanger)
	if !ok {
		t.Fatal("the server does not implement scripthost.MapChanger: Server.ChangeMap cannot work")
	}
	// A bad map is refused at the call, so the script's Server.ChangeMap raises it.
	for _, bad := range []string{"no-such-map", "a", ""} {
		if err := mc.ChangeMap(bad); err == nil || !strings.Contains(err.Error(), "map not changed") {
			t.Errorf("ChangeMap(%q) = %v, want a 'map not changed' error", bad, err)
		}
	}
	n := len(ts.host.calls)
	ts.host.onTick = func(time.Duration) {
		ts.host.onTick = nil
		// Two calls in one tick: one change, from the map that was running to the last one asked.
		if err := mc.ChangeMap("default-ocean-map"); err != nil {
			t.Errorf("ChangeMap: %v", err)
		}
		if err := mc.ChangeMap("dunes"); err != nil {
			t.Errorf("ChangeMap: %v", err)
		}
		if ts.Info().Map != "dunes" {
			t.Errorf("the new map is not the running configuration's yet: %q", ts.Info().Map)
		}
	}
	if !ts.Step() {
		t.Fatal("server stopped on a map change")
	}
	want := []string{"tick 33.333333ms", "fire Server ChangeMap isle dunes", "fire Server Restart", "reset", "load a", "load dunes", "fireload a,dunes"}
	if got := ts.host.since(n); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	// An old-style asset reference names a level, not a package: accepted as it is.
	calls, out := ts.exec(`map nanos-world::TestingMap`)
	if !slices.Contains(calls, "fire Server ChangeMap dunes nanos-world::TestingMap") || ts.Info().Map != "nanos-world::TestingMap" {
		t.Errorf("map to an asset reference: calls %q, map %q\n%s", calls, ts.Info().Map, out)
	}
	// The next restart is a plain one: the map change was carried out once.
	calls, _ = ts.exec("restart")
	if slices.ContainsFunc(calls, func(c string) bool { return strings.Contains(c, "ChangeMap") }) {
		t.Errorf("a later restart fired ChangeMap again: %q", calls)
	}
	// A stop in the same tick wins, and the change is not carried out.
	ts.host.onTick = func(time.Duration) {
		_ = mc.ChangeMap("isle")
		ts.host.srv.Stop()
	}
	n = len(ts.host.calls)
	if ts.Step() {
		t.Fatal("server kept running after a stop")
	}
	if got := ts.host.since(n); slices.Contains(got, "reset") || slices.ContainsFunc(got, func(c string) bool { return strings.HasPrefix(c, "fire Server") }) {
		t.Errorf("map change and stop in one tick: calls %q, want a stop with neither restart nor its events", got)
	}
}

func TestRestartGoesOnWhenAnEventCannotBeFired(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.host.fireErr = errors.New("script: Fire on a closed host")
	calls, out := ts.exec("restart")
	if !strings.Contains(out, `ERROR firing Server "Restart": script: Fire on a closed host`) {
		t.Errorf("the failure to fire Restart was not logged:\n%s", out)
	}
	if !slices.Contains(calls, "reset") || !slices.Equal(ts.Loaded(), []string{"a"}) {
		t.Errorf("the restart did not go on: calls %q, loaded %v", calls, ts.Loaded())
	}
}

func TestReloadAllAndRestartInOneTickRestartOnce(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"},
		packagestest.Spec{Name: "isle", Kind: manifest.KindMap})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	n := len(ts.host.calls)
	ts.Submit("package reload all")
	ts.Submit("map isle")
	ts.Step()
	want := []string{"input package reload all", "input map isle", "tick 33.333333ms",
		"fire Server ChangeMap default-blank-map isle", "fire Server Restart", "reset", "load a", "load isle", "fireload a,isle"}
	if got := ts.host.since(n); !slices.Equal(got, want) {
		t.Errorf("calls = %q\nwant %q (one restart, one Restart event)", got, want)
	}
	if !strings.Contains(ts.out.String(), "package reload all: skipped") {
		t.Errorf("the skipped reload was not said:\n%s", ts.out)
	}
}

func TestDetails(t *testing.T) {
	specs := []packagestest.Spec{{Name: "isle", Kind: manifest.KindMap}}
	ts := newTestServer(t, []string{"--map", "isle", "--compression", "6", "--announce", "0"}, specs...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ds, ok := ts.host.srv.(scripthost.DetailedServer)
	if !ok {
		t.Fatal("the server does not implement scripthost.DetailedServer")
	}
	d := ds.Details()
	info, err := ts.src.Package("isle")
	if err != nil {
		t.Fatal(err)
	}
	if info.MapAsset == "" {
		t.Fatal("the test map package has no map_asset to report")
	}
	if d.MapAsset != info.MapAsset || d.Compression != 6 || d.Announced {
		t.Errorf("Details() = %+v, want map asset %q, compression 6, not announced", d, info.MapAsset)
	}
	for _, m := range []struct{ name, asset string }{
		{"default-ocean-map", "nanos-world::OceanMap"},
		{"default-testing-map", "nanos-world::TestingMap"},
		{"my-pack::Harbour", "my-pack::Harbour"},
	} {
		ts.exec("map " + m.name)
		if d := ds.Details(); d.MapAsset != m.asset {
			t.Errorf("map %s: MapAsset = %q, want %q", m.name, d.MapAsset, m.asset)
		}
	}
}

func TestScriptChangesLogLevel(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if err := ts.host.srv.ChangeSetting("log_level", 2, false); err != nil {
		t.Fatal(err)
	}
	if ts.LogOutput().LogLevel() != 2 {
		t.Errorf("log level = %d after ChangeSetting(log_level, 2)", ts.LogOutput().LogLevel())
	}
	if err := ts.host.srv.ChangeSetting("no_such_key", 1, false); err == nil || !strings.Contains(err.Error(), "unknown setting") {
		t.Errorf("unknown key error = %v", err)
	}
}

// FuzzExec feeds arbitrary console lines to a running server: nothing may panic, every line
// reaches the script host, and the server either keeps running or stops cleanly.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"help", "stop", "package run a return 1", "package reload all", "package load a b c",
		"log_level 2", "password \"a b\"", "max_send_rate -1", "package", "map", "\x00\xff",
		"package run a", "package unload a", "  ", "kick", "distance_optimization 99999999999999999999",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	packagestest.MustWrite(f, dir, packagestest.Spec{Name: "a"}, packagestest.Spec{Name: "b", Requires: []string{"a"}})
	f.Fuzz(func(t *testing.T, line string) {
		host := &fakeHost{failLoad: map[string]bool{}}
		srv, err := New(Options{
			Dir: dir, Output: discard{}, Clock: newFakeClock(), NoLogFile: true,
			NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown()
		srv.Config().Game.Packages = []string{"b"}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		srv.Submit(line)
		srv.Step()
		if strings.TrimSpace(line) != "" && !slices.ContainsFunc(host.calls, func(c string) bool { return strings.HasPrefix(c, "input ") }) {
			t.Errorf("line %q never reached ConsoleInput: %v", line, host.calls)
		}
	})
}

func TestPackageLoadOfABareFolderGeneratesItsManifest(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(ts.dir, "Packages", "bare")
	if err := os.MkdirAll(filepath.Join(bare, "Server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bare, "Server", "Index.lua"), []byte("Console.Log('hi')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls, out := ts.exec("package load bare")
	if !slices.Contains(calls, "load bare") || !slices.Equal(ts.Loaded(), []string{"bare"}) {
		t.Fatalf("calls %v, loaded %v\n%s", calls, ts.Loaded(), out)
	}
	data, err := os.ReadFile(filepath.Join(bare, "Package.toml"))
	if err != nil {
		t.Fatalf("no Package.toml generated: %v", err)
	}
	if !strings.Contains(string(data), "[script]") {
		t.Errorf("generated Package.toml is not a script package:\n%s", data)
	}
}

func TestGameModeLoadedAtRuntimeSetsCustomSettings(t *testing.T) {
	ts := newTestServer(t, nil, gameSpecs()...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if cs := ts.CustomSettings(); len(cs) != 0 {
		t.Fatalf("custom settings before any game-mode = %v", cs)
	}
	ts.exec("package load gm")
	if cs := ts.CustomSettings(); cs["max_props"] != int64(100) || cs["pvp"] != true {
		t.Errorf("custom settings after package load gm = %v, want its declared defaults", cs)
	}
	ts.exec("package unload gm")
	if cs := ts.CustomSettings(); len(cs) != 0 {
		t.Errorf("custom settings after package unload gm = %v, want none", cs)
	}
}

func TestReloadFailures(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a,b"}, packagestest.Spec{Name: "a"}, packagestest.Spec{Name: "b"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	// A Package.toml broken after start: the package keeps running its loaded code.
	if err := os.WriteFile(filepath.Join(ts.dir, "Packages", "b", "Package.toml"), []byte("[meta\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"package reload b", "package hotreload b"} {
		calls, out := ts.exec(line)
		if !strings.Contains(out, "Package.toml:2:6: invalid TOML") || slices.Contains(calls, "unload b") || !slices.Contains(ts.Loaded(), "b") {
			t.Errorf("%s with a broken manifest: calls %v loaded %v\n%s", line, calls, ts.Loaded(), out)
		}
	}
	// Lua that fails on reload: the package ends up unloaded, and says so.
	ts.host.failLoad["a"] = true
	calls, out := ts.exec("package reload a")
	want := []string{"unload a", "load a", "unload a"}
	if got := calls[2:]; !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if !strings.Contains(out, "package 'a' failed to load and is now unloaded") || slices.Contains(ts.Loaded(), "a") {
		t.Errorf("loaded %v\n%s", ts.Loaded(), out)
	}
}

func TestMapLoadedAndReloadedAtRuntime(t *testing.T) {
	var weather = "rain"
	spec := packagestest.Spec{Name: "isle", Kind: manifest.KindMap, Edit: func(p *manifest.Package) {
		p.CustomData = map[string]any{"weather": weather}
	}}
	ts := newTestServer(t, nil, spec)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.exec("package load isle")
	// packagestest maps keep the template's map_asset, nanos-world::BlankMap.
	if !slices.Equal(ts.AssetPacks(), []string{"nanos-world"}) {
		t.Errorf("asset packs after loading a map = %v, want its map_asset's pack", ts.AssetPacks())
	}
	if got := ts.MapConfig()["weather"]; got != "rain" || len(ts.SpawnPoints()) != 1 {
		t.Fatalf("map config after load = %v", ts.MapConfig())
	}
	packagestest.MustWrite(t, ts.dir, packagestest.Spec{Name: "dunes", Kind: manifest.KindMap})
	if _, out := ts.exec("package load dunes"); !strings.Contains(out, "only one map can be loaded: 'isle' is loaded, so 'dunes' cannot be; change it with map dunes") {
		t.Errorf("a second map loaded from the console:\n%s", out)
	}
	if slices.Contains(ts.Loaded(), "dunes") {
		t.Errorf("loaded = %v: two maps", ts.Loaded())
	}
	weather = "snow"
	packagestest.MustWrite(t, ts.dir, spec)
	ts.exec("package reload isle")
	if got := ts.MapConfig()["weather"]; got != "snow" {
		t.Errorf("map config after reload = %v, want the edited custom data", ts.MapConfig())
	}
	ts.exec("package unload isle")
	if len(ts.MapConfig()) != 0 || ts.SpawnPoints() != nil {
		t.Errorf("map data after unload = %v %v", ts.MapConfig(), ts.SpawnPoints())
	}
}

// A command with a bad argument is reported and does nothing: "stop now" or "restart please"
// must not take the server down or reload every package.
func TestBadArgumentsDoNothing(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"stop now", "restart please", "clear all", "help me", "players all"} {
		calls, out := ts.exec(line)
		name, arg, _ := strings.Cut(line, " ")
		want := fmt.Sprintf("WARN  %s: unexpected argument %q. Usage: %s", name, arg, name)
		if !strings.Contains(out, want) {
			t.Errorf("%q: output lacks %q:\n%s", line, want, out)
		}
		if strings.Contains(out, "\x1b[2J") || strings.Contains(out, "Available commands") {
			t.Errorf("%q: the command ran anyway:\n%q", line, out)
		}
		for _, c := range calls {
			if c == "reset" || c == "stop" || strings.HasPrefix(c, "unload") {
				t.Errorf("%q: host call %q: the command ran anyway", line, c)
			}
		}
		if ts.Stopped() {
			t.Fatalf("%q stopped the server", line)
		}
	}
	if !ts.Step() {
		t.Error("server not running after the bad commands")
	}
}

// package reload reads Package.toml again: a requirement it gained loads first and stays ahead
// of it in the load order; one that cannot load leaves the running version in place.
func TestReloadFollowsNewRequirements(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "app"}, packagestest.Spec{Name: "app"},
		packagestest.Spec{Name: "helper"}, packagestest.Spec{Name: "user", Requires: []string{"app"}})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.exec("package load user")
	packagestest.MustWrite(t, ts.dir, packagestest.Spec{Name: "app", Requires: []string{"helper"}})
	calls, out := ts.exec("package reload app")
	want := []string{"load helper", "fireload helper", "unload app", "load app", "fireload app"}
	if calls = calls[2:]; !slices.Equal(calls, want) { // after input and tick
		t.Errorf("calls = %q, want %q", calls, want)
	}
	if got := ts.Loaded(); !slices.Equal(got, []string{"helper", "app", "user"}) {
		t.Errorf("loaded = %v, want [helper app user]", got)
	}
	for _, line := range []string{"Loading 'helper' first: a requirement of 'app'", "Not reloaded, requiring 'app': 'user'"} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	// Unloading helper now takes app and user with it: the order kept them behind it.
	calls, _ = ts.exec("package unload helper")
	if want := []string{"unload user", "unload app", "unload helper"}; !slices.Equal(calls[2:], want) {
		t.Errorf("unload helper calls = %q, want %q", calls[2:], want)
	}

	ts.exec("package load user")
	packagestest.MustWrite(t, ts.dir, packagestest.Spec{Name: "app", Requires: []string{"ghost"}})
	calls, out = ts.exec("package reload app")
	if len(calls) != 2 {
		t.Errorf("a reload with a missing requirement touched the host: %q", calls)
	}
	if want := "ERROR package reload app: package 'app' not reloaded, the loaded version keeps running"; !strings.Contains(out, want) || !strings.Contains(out, "ghost") {
		t.Errorf("output lacks %q naming ghost:\n%s", want, out)
	}
	if !slices.Contains(ts.Loaded(), "app") {
		t.Errorf("app unloaded by a failed reload: %v", ts.Loaded())
	}

	// hotreload follows new requirements the same way, keeping the package's Lua memory.
	packagestest.MustWrite(t, ts.dir, packagestest.Spec{Name: "extra"}, packagestest.Spec{Name: "app", Requires: []string{"helper", "extra"}})
	calls, _ = ts.exec("package hotreload app")
	if want := []string{"load extra", "fireload extra", "hotreload app"}; !slices.Equal(calls[2:], want) {
		t.Errorf("hotreload calls = %q, want %q", calls[2:], want)
	}
	if got := ts.Loaded(); !slices.Equal(got, []string{"helper", "extra", "app", "user"}) {
		t.Errorf("loaded after hotreload = %v, want [helper extra app user]", got)
	}
}
