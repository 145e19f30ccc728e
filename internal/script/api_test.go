package script

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

const tick = 50 * time.Millisecond

func TestTimer(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-timer")
	th.Start()
	th.ticks(10, tick)
	if err := th.UnloadPackage("t-timer"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-timer")
	if th.srv.calls[timingKey{"t-timer", "Timer"}] == 0 {
		t.Error("timer callbacks were not reported with RecordTiming")
	}
}

func TestEvents(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-events", "t-events-peer")
	th.ticks(1, tick)
	if err := th.UnloadPackage("t-events"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-events", "deliberate failure")
	errs := th.log.matching("deliberate failure")
	if len(errs) != 1 {
		t.Fatalf("the failing callback was reported %d times, want 1", len(errs))
	}
	msg := errs[0].Msg
	for _, want := range []string{
		"Lua Error on Class 'Events' Event 'boom' (package 't-events')",
		"[t-events/Server/Index.lua]:35: deliberate failure",
		"[t-events/Server/Index.lua]:37: in main chunk",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error report lacks %q:\n%s", want, msg)
		}
	}
}

func TestConsole(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-console")
	th.ConsoleInput("hello world")
	if ok, err := th.ConsoleCommand("greet", []string{"alice"}); !ok || err != nil {
		t.Fatalf("ConsoleCommand(greet) = %v, %v", ok, err)
	}
	ok, err := th.ConsoleCommand("explode", nil)
	if !ok || err == nil || !strings.Contains(err.Error(), "command failed on purpose") {
		t.Errorf("ConsoleCommand(explode) = %v, %v; want found and the error", ok, err)
	}
	if ok, _ := th.ConsoleCommand("no-such-command", nil); ok {
		t.Error("an unknown command was reported as found")
	}
	cmds := th.Commands()
	if len(cmds) != 2 || cmds[0].Name != "explode" || cmds[1].Name != "greet" {
		t.Fatalf("Commands() = %+v", cmds)
	}
	g := cmds[1]
	if g.Description != "greets someone" || strings.Join(g.Parameters, ",") != "name,times" || g.Package != "t-console" {
		t.Errorf("greet command = %+v", g)
	}
	if err := th.UnloadPackage("t-console"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-console", "command failed on purpose")
	if got := th.Commands(); len(got) != 0 {
		t.Errorf("commands left after unload: %+v", got)
	}
	// Log levels and locations of the formatted lines.
	warn := th.log.matching(`warned "w"`)
	if len(warn) != 1 || warn[0].Level.String() != "WARN" || warn[0].Attrs["at"] != "t-console/Server/Index.lua:12" {
		t.Errorf("Console.Warn record = %+v", warn)
	}
	if len(th.log.matching("not a script-registered command")) != 1 {
		t.Error("RunCommand of an unknown command was not warned about")
	}
	if n := len(th.log.matching("a log line inside LogEntry")); n != 6 {
		t.Errorf("LogEntry handler logged %d lines, want 6 (one per entry, without recursion)", n)
	}
}

func TestServer(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-server")
	th.Start()
	th.ticks(3, tick)
	th.Stop()
	if _, err := th.ConsoleCommand("server-stop", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := th.ConsoleCommand("server-restart", nil); err != nil {
		t.Fatal(err)
	}
	if err := th.UnloadPackage("t-server"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-server")
	if got := strings.Join(th.srv.requests, ","); got != "load other,reload other" {
		t.Errorf("package requests = %q", got)
	}
	if got := strings.Join(th.srv.settings, ","); got != "name=Renamed persist=true,max_players=32 persist=false,password=secret persist=false" {
		t.Errorf("settings = %q", got)
	}
	if th.srv.stopped != 1 || th.srv.restarts != 1 {
		t.Errorf("Stop/Restart reached the server %d/%d times, want 1/1", th.srv.stopped, th.srv.restarts)
	}
	if th.srv.calls[timingKey{"t-server", "Server:Tick"}] != 3 {
		t.Errorf("Tick timings recorded %d times, want 3", th.srv.calls[timingKey{"t-server", "Server:Tick"}])
	}
}

func TestPackage(t *testing.T) {
	th := newTestHost(t, Options{})
	data := filepath.Join(th.srv.dir, "Packages", ".data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "t-package.toml"), []byte("counter = 41\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	th.load("t-package")
	if got := th.run("t-package", "PrivateGlobal"); got != "mine" {
		t.Errorf("package global = %q", got)
	}
	if got := th.run("t-package", "TPackageExport.answer"); got != "42" {
		t.Errorf("export seen from its package = %q", got)
	}
	if err := th.UnloadPackage("t-package"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-package", "Client/Index.lua must not run")
	if len(th.log.matching("Client/Index.lua must not run")) != 0 {
		t.Error("Client/Index.lua ran on the server")
	}
	var saved map[string]any
	if _, err := toml.DecodeFile(filepath.Join(data, "t-package.toml"), &saved); err != nil {
		t.Fatal(err)
	}
	if saved["counter"] != int64(42) || saved["ratio"] != 0.5 {
		t.Errorf("saved persistent data = %v", saved)
	}
	player, _ := saved["player"].(map[string]any)
	if player["name"] != "alice" || len(player["scores"].([]any)) != 3 {
		t.Errorf("saved player = %v", player)
	}
}

func TestRealisticPackage(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-realistic")
	th.ticks(5, tick)
	if err := th.UnloadPackage("t-realistic"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-realistic")
}

func TestLegacy(t *testing.T) {
	th := newTestHost(t, Options{})
	if th.ConsoleLegacy("legacy console line") {
		t.Error("ConsoleLegacy took a line with no package subscribed")
	}
	th.load("t-legacy")
	// The server offers a line to the legacy event only when no command took it.
	th.ConsoleInput("help")
	th.ConsoleInput("legacy console line")
	if !th.ConsoleLegacy("legacy console line") {
		t.Error("ConsoleLegacy: the package subscribed to Server \"Console\" did not take the line")
	}
	if _, err := th.Fire("Chat", "PlayerSubmit", "hello", nil); err != nil {
		t.Fatal(err)
	}
	th.ticks(4, tick)
	// Before 1.22 Events.Subscribe (and its first name, on) also listens to remote events:
	// two subscriptions each way, plus the Console, Chat and Unload subscriptions.
	if subs, _, _, _, _ := th.PackageStats("t-legacy"); subs != 7 {
		t.Errorf("t-legacy owns %d subscriptions, want 7", subs)
	}
	if err := th.UnloadPackage("t-legacy"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-legacy")
	for _, what := range []string{
		"Package:Log(...) is deprecated", "Package.Log is deprecated", "Package.Warn is deprecated",
		"Package.Error is deprecated", "Timer.SetTimeout(milliseconds, callback) is deprecated",
		"Timer:SetTimeout(...) is deprecated", `Server.Subscribe("Console") is deprecated`,
		"Server.BroadcastChatMessage is deprecated", "Package.RequirePackage is deprecated",
		"Package.GetPath is deprecated", "Package.FlushSetPersistentData is deprecated",
		"Package.Call is deprecated", "Events:Subscribe(...) is deprecated",
		"Timer.SetInterval(milliseconds, callback) is deprecated", "Server.GetMapCustomData is deprecated",
		"Events.Broadcast is deprecated", `Server.Subscribe("Chat") is deprecated`,
		"Events:on(...) is deprecated", "Events:Call(...) is deprecated",
	} {
		if n := len(th.log.matching(what)); n != 1 {
			t.Errorf("%q logged %d times, want once", what, n)
		}
	}
	if n := len(th.log.matching("[chat] hello")); n != 2 {
		t.Errorf("chat messages logged %d times, want 2", n)
	}
}

func TestLegacyChatForwards(t *testing.T) {
	th := newTestHost(t, Options{Libraries: func(L *lua.State) error {
		return L.DoString(`Chat = { BroadcastMessage = function(m) LastBroadcast = m end,
			SendMessage = function(p, m) LastSent = tostring(p) .. ":" .. m end }`, "chat")
	}})
	th.load("t-dependent")
	th.run("t-dependent", `Server.BroadcastChatMessage("all") Server.SendChatMessage("p1", "one")`)
	if got := th.run("t-dependent", "LastBroadcast, LastSent"); got != "all\tp1:one" {
		t.Errorf("forwarded chat = %q", got)
	}
	if n := len(th.log.matching("[chat]")); n != 0 {
		t.Errorf("chat written to the console %d times although a Chat class exists", n)
	}
}

// detailedServer is a fakeServer that reports its details and can change maps.
type detailedServer struct {
	*fakeServer
	maps []string
}

func (d *detailedServer) Details() ServerDetails {
	return ServerDetails{MapAsset: "my-assets::Island", Compression: 7, Announced: false}
}

func (d *detailedServer) ChangeMap(path string) error {
	if path == "missing-map" {
		return errors.New("map package missing-map is not installed")
	}
	d.maps = append(d.maps, path)
	return nil
}

func TestServerDetails(t *testing.T) {
	srv := &detailedServer{fakeServer: newFakeServer(t)}
	h, err := New(srv, slog.New(&captureHandler{level: slog.LevelDebug}), Options{Budget: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Server", "Index.lua"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.LoadPackage(scripthost.Package{Name: "details", Dir: dir, Kind: scripthost.KindScript, CompatibilityVersion: "1.143"}); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{
		"return Server.GetMapAsset()":                 "my-assets::Island",
		"return Server.GetCompressionLevel()":         "7",
		"return Server.IsAnnounced()":                 "false",
		"Server.ChangeMap('desert') return 'changed'": "changed",
	} {
		got, err := h.RunCode("details", code)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", code, got, err, want)
		}
	}
	if len(srv.maps) != 1 || srv.maps[0] != "desert" {
		t.Errorf("ChangeMap reached the server with %q, want [desert]", srv.maps)
	}
	if _, err := h.RunCode("details", "Server.ChangeMap('missing-map')"); err == nil || !strings.Contains(err.Error(), "missing-map is not installed") {
		t.Errorf("ChangeMap of a missing map: %v, want the server's error", err)
	}
}

// TestMapAssetFromMapPackage reads map_asset from the Package.toml of the map package the
// server's map setting names, and takes an asset reference as it is.
func TestMapAssetFromMapPackage(t *testing.T) {
	th := newTestHost(t, Options{})
	mapDir := filepath.Join(t.TempDir(), "test-map")
	if err := os.MkdirAll(mapDir, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := "[meta]\n    title = \"Test Map\"\n    author = \"me\"\n    version = \"1.0.0\"\n\n[map]\n    map_asset = \"pack::Level\"\n"
	if err := os.WriteFile(filepath.Join(mapDir, "Package.toml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	th.srv.packages = append(th.srv.packages, scripthost.Package{Name: "test-map", Dir: mapDir, Kind: scripthost.KindMap})
	th.load("t-exporter")
	if got := th.run("t-exporter", "return Server.GetMapAsset()"); got != "pack::Level" {
		t.Errorf("GetMapAsset from the map package = %q, want pack::Level\n%s", got, th.log.dump())
	}
	th.load("t-dependent") // 1.103
	if got := th.run("t-dependent", "return Server.GetMap()"); got != "test-map" {
		t.Errorf("GetMap = %q, want the map package", got)
	}
	legacy := testPackage("t-legacy-lib")
	legacy.CompatibilityVersion = "1.48"
	if err := th.LoadPackage(legacy); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-legacy-lib", "return Server.GetMap()"); got != "pack::Level" {
		t.Errorf("GetMap below 1.49 = %q, want the map asset", got)
	}
	th.srv.info.Map = "nanos-world::BlankMap"
	if got := th.run("t-exporter", "return Server.GetMapAsset()"); got != "nanos-world::BlankMap" {
		t.Errorf("GetMapAsset of an asset reference = %q", got)
	}
}

// TestRequire checks the searchers' order, the cache per resolved file and chunk names (in
// Lua, t-require), then the report of a required file that fails inside a timer.
func TestRequire(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-require")
	th.run("t-require", `Timer.SetTimeout(function() Package.Require("fails.lua") end)`)
	th.Tick(tick)
	reports := th.log.matching("Lua Error on Class 'Timer' Event 'Callback' (package 't-require')")
	if len(reports) != 1 {
		t.Fatalf("timer error reported %d times\n%s", len(reports), th.log.dump())
	}
	msg := reports[0].Msg
	want := []string{
		"\t- [1] [t-require/Server/fails.lua]:3: required file failed",
		"[t-require/Server/fails.lua]:3: in function 'inner'",
		"[t-require/Server/fails.lua]:6: in function 'outer'",
		"[t-require/Server/fails.lua]:8: in main chunk",
		"t-require/(console):1: in function",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(msg, w)
		if i < 0 {
			t.Errorf("report lacks %q:\n%s", w, msg)
			continue
		}
		if i < last {
			t.Errorf("report has %q out of order:\n%s", w, msg)
		}
		last = i
	}
	if reports[0].Attrs["at"] != "t-require/Server/fails.lua:3" {
		t.Errorf("report located at %v, want t-require/Server/fails.lua:3", reports[0].Attrs["at"])
	}
	if err := th.UnloadPackage("t-require"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-require", "required file failed")
}

// TestLibrariesInPackage runs t-libs: the libraries used from a package environment, with
// their asynchronous callbacks on manual ticks.
func TestLibrariesInPackage(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	defer web.Close()
	th := newTestHost(t, Options{})
	th.load("t-libs")
	if got := th.run("t-libs", "Async.count"); got != "nil" {
		t.Fatalf("an asynchronous callback ran before a tick: %s", got)
	}
	th.run("t-libs", fmt.Sprintf("StartHTTP(%q)", web.URL))
	th.WaitAsync()
	th.Tick(tick)
	if err := th.UnloadPackage("t-libs"); err != nil {
		t.Fatal(err)
	}
	th.checkSuite("t-libs")
	if _, err := os.Stat(filepath.Join(th.srv.dir, "t-libs", "test.db")); err != nil {
		t.Errorf("the SQLite database is not in the server folder: %v", err)
	}
}
