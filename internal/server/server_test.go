package server

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

func gameSpecs() []packagestest.Spec {
	return []packagestest.Spec{
		{Name: "gm", Kind: manifest.KindGameMode, Requires: []string{"utils"}, Edit: func(p *manifest.Package) {
			p.CustomSettings = []manifest.CustomSetting{
				{Key: "max_props", Type: manifest.SettingInteger, Default: int64(100)},
				{Key: "pvp", Type: manifest.SettingBoolean, Default: true},
			}
		}},
		{Name: "utils"},
		{Name: "s1"},
		{Name: "s2", Requires: []string{"utils"}},
		{Name: "island", Kind: manifest.KindMap, Edit: func(p *manifest.Package) {
			p.CustomData = map[string]any{"weather": "rain"}
		}},
	}
}

func TestStartLoadsInOrderAndCreatesFolder(t *testing.T) {
	ts := newTestServer(t, []string{"--game_mode", "gm", "--packages", "s1,s2", "--map", "island"}, gameSpecs()...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	want := []string{"load utils", "load gm", "load s1", "load s2", "load island", "fireload utils,gm,s1,s2,island", "start"}
	if !slices.Equal(ts.host.calls, want) {
		t.Errorf("host calls = %q\nwant         %q", ts.host.calls, want)
	}
	out := ts.out.String()
	for _, line := range []string{
		"INFO  Starting Server at Port: 7777. Version: " + Version + ". Map: 'island'.",
		"INFO  Loading Package 'utils'...",
		"INFO  Package 'island' loaded.",
		"INFO  Server started! Port 7777, tick rate 30 Hz.",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	for _, p := range []string{"Config.toml", "Packages", "Assets", ".logs/nanoforge.log"} {
		if _, err := os.Stat(filepath.Join(ts.dir, p)); err != nil {
			t.Errorf("%s not created: %v", p, err)
		}
	}
	logData, _ := os.ReadFile(filepath.Join(ts.dir, ".logs", "nanoforge.log"))
	if !strings.Contains(string(logData), "Server started! Port 7777,") {
		t.Errorf("session log lacks the ready line:\n%s", logData)
	}
	if got := ts.Loaded(); !slices.Equal(got, []string{"utils", "gm", "s1", "s2", "island"}) {
		t.Errorf("Loaded() = %v", got)
	}

	// What scripts see through scripthost.Server.
	srv := ts.host.srv
	if srv.Info().GameMode != "gm" || srv.Info().TickRate != 30 || srv.Info().Version != Version {
		t.Errorf("Info() = %+v", srv.Info())
	}
	if cs := srv.CustomSettings(); cs["max_props"] != int64(100) || cs["pvp"] != true {
		t.Errorf("CustomSettings() = %v, want the declared defaults", cs)
	}
	if mc := srv.MapConfig(); mc["weather"] != "rain" {
		t.Errorf("MapConfig() = %v", mc)
	}
	if sp := srv.SpawnPoints(); len(sp) != 1 || sp[0].Location.Z != 100 {
		t.Errorf("SpawnPoints() = %v", sp)
	}
	pk := srv.Packages()
	if len(pk) != 5 || pk[1].Name != "gm" || pk[1].Kind != scripthost.KindGameMode || !slices.Equal(pk[1].Requirements, []string{"utils"}) {
		t.Errorf("Packages() = %+v", pk)
	}
	if srv.ServerDir() != ts.dir {
		t.Errorf("ServerDir() = %q, want %q", srv.ServerDir(), ts.dir)
	}
}

func TestCustomSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Config.toml"), []byte("[custom_settings]\nmax_props = 5\npvp = false\nfree = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = dir
	ts := newTestServerIn(t, dir, []string{"--game_mode", "gm", "--custom_settings", "max_props = 7, pvp = 'nope'"}, gameSpecs()...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	cs := ts.CustomSettings()
	if cs["max_props"] != int64(7) || cs["pvp"] != false || cs["free"] != "x" {
		t.Errorf("CustomSettings() = %v, want max_props 7 (command line), pvp false (file; command line has the wrong type), free x", cs)
	}
	if !strings.Contains(ts.out.String(), "pvp") {
		t.Errorf("no warning about the mistyped pvp value:\n%s", ts.out.String())
	}
}

func TestFailuresDoNotStopTheRest(t *testing.T) {
	specs := []packagestest.Spec{
		{Name: "gm", Kind: manifest.KindGameMode, Requires: []string{"a"}},
		{Name: "a", Requires: []string{"missing"}},
		{Name: "c1", Requires: []string{"c2"}},
		{Name: "c2", Requires: []string{"c1"}},
		{Name: "ok"},
		{Name: "luafail"},
		{Name: "needs-luafail", Requires: []string{"luafail"}},
	}
	ts := newTestServer(t, []string{"--game_mode", "gm", "--packages", "c1,ok,luafail,needs-luafail"}, specs...)
	ts.host.failLoad["luafail"] = true
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if got := ts.Loaded(); !slices.Equal(got, []string{"ok"}) {
		t.Errorf("Loaded() = %v, want only ok", got)
	}
	out := ts.out.String()
	for _, want := range []string{
		"ERROR package 'gm' not loaded: requirement chain gm -> a -> missing:",
		"requirement cycle c1 -> c2 -> c1",
		"ERROR package 'luafail' failed to load: Server/Index.lua:3: attempt to call a nil value",
		"ERROR package 'needs-luafail' not loaded: its requirement 'luafail' failed to load",
		"Server started",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !slices.Contains(ts.host.calls, "unload luafail") {
		t.Errorf("a package that failed mid-load was not unloaded: %v", ts.host.calls)
	}
}

func TestNoHostRunsWithoutScripting(t *testing.T) {
	for _, tc := range []struct {
		name    string
		factory HostFactory
		want    string
	}{
		{"factory error", func(scripthost.Server, *slog.Logger) (scripthost.Host, error) {
			return nil, errors.New("no Lua scripting host in this build")
		}, "WARN  Script host unavailable (no Lua scripting host in this build): running without scripting"},
		{"no factory", nil, "WARN  No script host: running without scripting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			packagestest.MustWrite(t, dir, packagestest.Spec{Name: "s"})
			out := &syncBuffer{}
			srv, err := New(Options{Dir: dir, Output: out, Clock: newFakeClock(), NewHost: tc.factory})
			if err != nil {
				t.Fatal(err)
			}
			srv.Config().Game.Packages = []string{"s"}
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			srv.Submit("package run s return 1")
			srv.Submit("stop")
			if srv.Step() {
				t.Error("server still running after stop")
			}
			got := out.String()
			if strings.Count(got, "running without scripting") != 1 || !strings.Contains(got, tc.want) {
				t.Errorf("want exactly one line %q:\n%s", tc.want, got)
			}
			if !strings.Contains(got, "Lua code cannot run") || !strings.Contains(got, "Server started") {
				t.Errorf("output:\n%s", got)
			}
		})
	}
}

func TestShutdownOrder(t *testing.T) {
	ts := newTestServer(t, []string{"--game_mode", "gm", "--packages", "s1"}, gameSpecs()...)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	calls, out := ts.exec("stop")
	want := []string{"input stop", "tick 33.333333ms", "stop", "unload s1", "unload gm", "unload utils", "close"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls = %q\nwant    %q", calls, want)
	}
	if !ts.Stopped() || !strings.Contains(out, "Server stopped.") {
		t.Errorf("stopped = %v, output:\n%s", ts.Stopped(), out)
	}
	if ts.Step() {
		t.Error("Step after stop reported running")
	}
	if err := ts.Shutdown(); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestConsoleReaderHandsLinesToTheTick(t *testing.T) {
	dir := t.TempDir()
	host := &fakeHost{}
	srv, err := New(Options{
		Dir: dir, Output: &syncBuffer{}, Clock: newFakeClock(),
		Console: strings.NewReader("first line\r\nsecond\nstop\nnever\n"),
		NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.ConsoleClosed():
	case <-time.After(10 * time.Second):
		t.Fatal("console reader did not reach the end of its input within 10s")
	}
	if len(host.calls) != 1 || host.calls[0] != "start" {
		t.Fatalf("the reader goroutine reached the host: %v", host.calls)
	}
	if srv.Step() {
		t.Error("server still running after stop")
	}
	var inputs []string
	for _, c := range host.calls {
		if l, ok := strings.CutPrefix(c, "input "); ok {
			inputs = append(inputs, l)
		}
	}
	if !slices.Equal(inputs, []string{"first line", "second", "stop"}) {
		t.Errorf("console lines = %q, want the three before stop", inputs)
	}
}

func TestRealClockRunStopsOnStop(t *testing.T) {
	dir := t.TempDir()
	host := &fakeHost{}
	srv, err := New(Options{
		Dir: dir, Output: &syncBuffer{},
		NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Submit("stop")
	done := make(chan error, 1)
	go func() { done <- srv.Run(t.Context()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of stop")
	}
	if !srv.Stopped() {
		t.Error("not stopped")
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	dir := t.TempDir()
	host := &fakeHost{}
	srv, err := New(Options{
		Dir: dir, Output: &syncBuffer{},
		NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	ticked := make(chan struct{})
	var once bool
	host.onTick = func(time.Duration) {
		if !once {
			once = true
			close(ticked)
		}
	}
	ctx, cancel := contextWithCancel(t)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-ticked:
	case <-time.After(10 * time.Second):
		t.Fatal("no tick within 10s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
	if i := slices.Index(host.calls, "stop"); i < 0 || host.calls[len(host.calls)-1] != "close" {
		t.Errorf("shutdown calls missing: %v", host.calls)
	}
}

func TestBrokenConfigIsAnError(t *testing.T) {
	dir := t.TempDir()
	bad := []byte("[discover]\n    name = \"x\"\n    port = = 7\n")
	if err := os.WriteFile(filepath.Join(dir, "Config.toml"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{Dir: dir, Output: &syncBuffer{}})
	if err == nil || !strings.Contains(err.Error(), "Config.toml:3:") {
		t.Fatalf("New error = %v, want one naming Config.toml:3", err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "Config.toml"))
	if string(got) != string(bad) {
		t.Errorf("broken Config.toml was changed:\n%s", got)
	}
}

func TestAssetPacksAndLoadingScreen(t *testing.T) {
	dir := t.TempDir()
	if err := packagestest.WriteAssetPack(dir, "pack-a", "pack-b"); err != nil {
		t.Fatal(err)
	}
	if err := packagestest.WriteAssetPack(dir, "pack-b"); err != nil {
		t.Fatal(err)
	}
	ts := newTestServerIn(t, dir, []string{"--packages", "s", "--loading_screen", "ls", "--assets", "pack-b,ghost-pack"},
		packagestest.Spec{Name: "s", Assets: []string{"pack-a"}},
		packagestest.Spec{Name: "ls", Kind: manifest.KindLoadingScreen})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if got := ts.AssetPacks(); !slices.Equal(got, []string{"pack-b", "pack-a"}) {
		t.Errorf("AssetPacks() = %v", got)
	}
	if ts.LoadingScreen() != "ls" || slices.Contains(ts.Loaded(), "ls") {
		t.Errorf("loading screen %q, loaded %v: want ls recorded, not loaded into the script host", ts.LoadingScreen(), ts.Loaded())
	}
	if !strings.Contains(ts.out.String(), "ERROR asset pack 'ghost-pack' required by Config.toml assets is missing") {
		t.Errorf("missing asset pack not reported:\n%s", ts.out.String())
	}
}

func TestAsyncLogs(t *testing.T) {
	ts := newTestServer(t, []string{"--async_log", "1"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.Submit("players")
	ts.Step()
	ts.LogOutput().Flush()
	if !strings.Contains(ts.out.String(), "No players connected (0/64)") {
		t.Errorf("output after Flush:\n%s", ts.out.String())
	}
	ts.Submit("stop")
	ts.Step()
	// Shutdown drains the queue: the last line is out when it returns.
	if !strings.HasSuffix(ts.out.String(), "INFO  Server stopped.\n") {
		t.Errorf("output does not end with the stop line:\n%s", ts.out.String())
	}
	log, _ := os.ReadFile(filepath.Join(ts.dir, ".logs", "nanoforge.log"))
	if !strings.HasSuffix(string(log), "INFO  Server stopped.\n") {
		t.Errorf("session log does not end with the stop line:\n%s", log)
	}
}

func TestAutoDownload(t *testing.T) {
	dir := t.TempDir()
	// The "Store": writes a package when asked, requiring another the first time.
	var asked []string
	download := func(kind string, names []string) error {
		asked = append(asked, kind+" "+strings.Join(names, ","))
		for _, n := range names {
			switch {
			case kind == "assets":
				if err := packagestest.WriteAssetPack(dir, n); err != nil {
					return err
				}
			case n == "lib":
				packagestest.MustWrite(t, dir, packagestest.Spec{Name: n, Requires: []string{"lib-dep"}, Assets: []string{"lib-pack"}})
			case n == "nowhere":
				return errors.New("package 'nowhere' is not in the Store")
			default:
				packagestest.MustWrite(t, dir, packagestest.Spec{Name: n})
			}
		}
		return nil
	}
	a, err := config.ParseArgs([]string{"--game_mode", "gm", "--packages", "nowhere", "--auto_download", "--async_log=0"})
	if err != nil {
		t.Fatal(err)
	}
	packagestest.MustWrite(t, dir, packagestest.Spec{Name: "gm", Kind: manifest.KindGameMode, Requires: []string{"lib"}})
	host := &fakeHost{}
	out := &syncBuffer{}
	srv, err := New(Options{Dir: dir, Args: a, Output: out, Clock: newFakeClock(), Download: download,
		NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	want := []string{"package lib,nowhere", "package lib-dep", "assets lib-pack"}
	if !slices.Equal(asked, want) {
		t.Errorf("downloads = %q, want %q", asked, want)
	}
	if got := srv.Loaded(); !slices.Equal(got, []string{"lib-dep", "lib", "gm"}) {
		t.Errorf("loaded = %v\n%s", got, out)
	}
	if !strings.Contains(out.String(), "ERROR --auto_download: package lib, nowhere: package 'nowhere' is not in the Store") {
		t.Errorf("download failure not reported:\n%s", out)
	}
}

func TestAutoDownloadUnavailable(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "ghost", "--auto_download"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.out.String(), "downloading is not available in this server") {
		t.Errorf("no warning:\n%s", ts.out.String())
	}
}

// A package loaded from the console brings its asset packs, and converting an old Assets.toml
// is logged naming the file, as for packages.
func TestRuntimeLoadBringsAssetPacks(t *testing.T) {
	dir := t.TempDir()
	if err := packagestest.WriteAssetPack(dir, "pack-b"); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "Assets", "old-pack")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	// A 2022 asset pack: [asset_pack] with name, image and one unreal_folder.
	legacy := "[asset_pack]\nname = \"Old\"\nauthor = \"me\"\nversion = \"1.0.0\"\nimage = \"x.jpg\"\nunreal_folder = \"Old\"\nassets_requirements = [\"pack-b\"]\n[assets.maps]\nM = \"Old/M\"\n"
	if err := os.WriteFile(filepath.Join(old, "Assets.toml"), []byte(legacy), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := newTestServerIn(t, dir, []string{"--assets", "pack-b"},
		packagestest.Spec{Name: "s", Assets: []string{"old-pack", "pack-b", "lost-pack"}})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	_, out := ts.exec("package load s")
	if got := ts.AssetPacks(); !slices.Equal(got, []string{"pack-b", "old-pack"}) {
		t.Errorf("AssetPacks() after package load = %v, want [pack-b old-pack]", got)
	}
	for _, want := range []string{
		"Loading asset packs: [old-pack]",
		filepath.Join(old, "Assets.toml"),
		"ERROR asset pack 'lost-pack' required by package 's' is missing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(old, "Assets.toml.old")); err != nil {
		t.Errorf("original Assets.toml not kept beside the converted one: %v", err)
	}
}

// load_level_entities is a global OR over the loaded packages, also as the console changes them.
func TestLoadLevelEntitiesFollowsLoadedPackages(t *testing.T) {
	levels := func(p *manifest.Package) { p.LoadLevelEntities = true }
	ts := newTestServer(t, []string{"--packages", "plain"}, packagestest.Spec{Name: "plain"},
		packagestest.Spec{Name: "levels", Edit: levels})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if ts.LoadLevelEntities() || ts.Plan().LoadLevelEntities {
		t.Error("load_level_entities on with no package asking for it")
	}
	ts.exec("package load levels")
	if !ts.LoadLevelEntities() {
		t.Error("load_level_entities off after loading a package that turns it on")
	}
	ts.exec("package unload levels")
	if ts.LoadLevelEntities() {
		t.Error("load_level_entities still on after the only package asking for it unloaded")
	}
}
