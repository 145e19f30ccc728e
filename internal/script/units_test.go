package script

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/script/lib"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

func TestEnumsSource(t *testing.T) {
	src, err := enumsSource(enumsList)
	if err != nil {
		t.Fatal(err)
	}
	L, err := lua.New(lua.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	if err := L.DoString(src, "enums"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr string
		want int64
	}{
		{"LogType.ScriptingError", 7},
		{"PackageType.All", -1},
		{"PackageType.Map", 16},
		{"Reliability.Reliable", 1},
	} {
		if err := L.DoStringResults("return "+tc.expr, "probe", 1); err != nil {
			t.Fatal(err)
		}
		got, ok := L.ToInteger(-1)
		L.Pop(1)
		if !ok || got != tc.want {
			t.Errorf("%s = %d (integer %v), want %d", tc.expr, got, ok, tc.want)
		}
	}
	for _, bad := range []string{
		"X.A = os.exit()",
		"X.A b = 1",
		"X y.A = 1",
		"not an enum",
	} {
		if _, err := enumsSource([]byte(bad)); err == nil {
			t.Errorf("enumsSource(%s) accepted it", bad)
		}
	}
}

func TestPersistentDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]any
		bad      bool
	}{
		{"empty", "", map[string]any{}, false},
		{"scalars", "a = 1\nb = 1.5\nc = 'x'\nd = true\n", map[string]any{"a": int64(1), "b": 1.5, "c": "x", "d": true}, false},
		{"nested", "[p]\nname = 'n'\n[p.q]\nr = [1, 2]\n", map[string]any{"p": map[string]any{"name": "n", "q": map[string]any{"r": []any{int64(1), int64(2)}}}}, false},
		{"array of tables", "[[l]]\na = 1\n[[l]]\na = 2\n", map[string]any{"l": []any{map[string]any{"a": int64(1)}, map[string]any{"a": int64(2)}}}, false},
		{"date", "d = 1979-05-27T07:32:00Z\n", map[string]any{"d": "1979-05-27T07:32:00Z"}, false},
		{"broken", "a = = 1", nil, true},
		{"duplicate", "a = 1\na = 2\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodePersistent("x.toml", []byte(tc.in))
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "x.toml") {
					t.Fatalf("err = %v, want an error naming the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestPersistentSaveLoad(t *testing.T) {
	dir := t.TempDir()
	pkgDir := filepath.Join(dir, "Packages", "p")
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The old location is read while the new one does not exist.
	if err := os.WriteFile(filepath.Join(pkgDir, "PersistentData.toml"), []byte("old = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := loadPersistent(dir, pkgDir, "p")
	if err != nil || got["old"] != int64(1) {
		t.Fatalf("legacy file: %v, %v", got, err)
	}
	data := map[string]any{"n": int64(2), "f": 0.25, "s": "x", "l": []any{"a", int64(1)}, "m": map[string]any{"k": true}}
	if err := savePersistent(dir, "p", data); err != nil {
		t.Fatal(err)
	}
	got, err = loadPersistent(dir, pkgDir, "p")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, data) {
		t.Errorf("round trip: got %#v, want %#v", got, data)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "Packages", ".data"))
	if len(entries) != 1 {
		t.Errorf("the .data folder holds %d files, want only p.toml (no temporary file left)", len(entries))
	}
}

// FuzzPersistentData feeds arbitrary bytes to the persistent data decoder (the file is on disk
// and may be edited by hand or truncated), then passes what it accepts through Lua and back.
func FuzzPersistentData(f *testing.F) {
	for _, s := range []string{"", "a = 1", "[x]\ny = [1, 'a', {z = 2}]", "[[l]]\na = 1", "a = nan\nb = inf", "k = '''\nmulti\n'''", "\"q k\" = 1", "a.b.c = 1"} {
		f.Add([]byte(s))
	}
	L, err := lua.New(lua.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer L.Close()
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodePersistent("fuzz.toml", b)
		if err != nil {
			return
		}
		top := L.Top()
		if err := pushValue(L, m, 0); err != nil {
			t.Fatalf("pushValue of decoded data: %v", err)
		}
		back, err := toValue(L, -1, 0, map[uintptr]bool{})
		L.SetTop(top)
		if err != nil {
			t.Fatalf("toValue: %v", err)
		}
		if mm, ok := back.(map[string]any); ok {
			if err := savePersistent(dir, "fuzz", mm); err != nil {
				t.Fatalf("saving decoded data: %v", err)
			}
		}
	})
}

func TestValueConversion(t *testing.T) {
	L, err := lua.New(lua.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	for _, tc := range []struct {
		lua  string
		want any
		err  string
	}{
		{"return {1, 2, 3}", []any{int64(1), int64(2), int64(3)}, ""},
		{"return {}", map[string]any{}, ""},
		{"return {a = 1, [2] = 'x'}", map[string]any{"a": int64(1), "2": "x"}, ""},
		{"return {[1] = 'a', [3] = 'c'}", map[string]any{"1": "a", "3": "c"}, ""},
		{"return {[1.5] = true}", map[string]any{"1.5": true}, ""},
		{"return 2^53", math.Pow(2, 53), ""},
		{"return {f = print}", nil, "cannot be converted"},
		{"local t = {} t.t = t return t", nil, "contains itself"},
		{"return {[{}] = 1}", nil, "key cannot be converted"},
	} {
		if err := L.DoStringResults(tc.lua, "conv", 1); err != nil {
			t.Fatal(err)
		}
		got, err := toValue(L, -1, 0, map[uintptr]bool{})
		L.Pop(1)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.lua, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %#v, %v; want %#v", tc.lua, got, err, tc.want)
		}
	}
	// Go values of other types go through reflection.
	if err := pushValue(L, []string{"a", "b"}, 0); err != nil {
		t.Fatal(err)
	}
	if n := L.RawLen(-1); n != 2 {
		t.Errorf("[]string pushed with length %d", n)
	}
	L.Pop(1)
	if err := pushValue(L, map[int]int{1: 1}, 0); err == nil {
		t.Error("a map with int keys was accepted")
	}
}

func TestResolveLogical(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"t-dependent/Server/Index.lua", true},
		{"testlib/harness.lua", true},
		{"t-dependent/../t-dependent/Server/Index.lua", false},
		{"../etc/passwd", false},
		{"t-dependent", false},
		{"/abs/x.lua", false},
		{"a b/x.lua", false},
		{"t-dependent/Server", false}, // a folder is not a source file
	} {
		_, ok := th.readSource(tc.in)
		if ok != tc.ok {
			t.Errorf("readSource(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

func TestCompatibilityGates(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent") // compatibility 1.103
	legacy := testPackage("t-exporter")
	legacy.CompatibilityVersion = "1.50"
	if err := th.LoadPackage(legacy); err != nil {
		t.Fatal(err)
	}
	code := `local f = function() end
Events.Subscribe("x", f)
Events.SubscribeRemote("x", f)
Events.Unsubscribe("x", f)`
	th.run("t-dependent", code)
	th.run("t-exporter", code)
	// 1.103: Unsubscribe leaves the remote subscription; 1.50 (< 1.65): removes it too.
	if s, _, _, _, _ := th.PackageStats("t-dependent"); s != 1 {
		t.Errorf("1.103 package keeps %d subscriptions, want 1 (the remote one)", s)
	}
	if s, _, _, _, _ := th.PackageStats("t-exporter"); s != 0 {
		t.Errorf("1.50 package keeps %d subscriptions, want 0", s)
	}
	// Versions compare per component: 1.100 is newer than 1.49, 1.9 older.
	for _, tc := range []struct{ compat, want string }{
		{"1.100", "t-teardown"}, {"1.49", "t-teardown"}, {"1.9", "Teardown Title"},
		{"", "Teardown Title"}, {"2.0", "t-teardown"}, {"1.48", "Teardown Title"},
	} {
		p := testPackage("t-teardown")
		p.Title = "Teardown Title"
		p.CompatibilityVersion = tc.compat
		if err := th.LoadPackage(p); err != nil {
			t.Fatal(err)
		}
		if got := th.run("t-teardown", "Package.GetName()"); got != tc.want {
			t.Errorf("compatibility %q: GetName() = %q, want %q", tc.compat, got, tc.want)
		}
		if err := th.UnloadPackage("t-teardown"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDebugHiddenAtInfoLevel(t *testing.T) {
	srv := newFakeServer(t)
	capture := &captureHandler{level: slog.LevelInfo}
	abs, _ := filepath.Abs(filepath.Join("testdata", "packages"))
	h, err := New(srv, slog.New(capture), Options{PackagesDir: abs})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.LoadPackage(testPackage("t-dependent")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.RunCode("t-dependent", `Console.Debug("hidden %d", 1) Console.Log("shown")`); err != nil {
		t.Fatal(err)
	}
	if len(capture.matching("hidden")) != 0 || len(capture.matching("shown")) != 1 {
		t.Errorf("log at info level:\n%s", capture.dump())
	}
	if got, _ := h.RunCode("t-dependent", "Server.GetLogLevel()"); got != "1" {
		t.Errorf("GetLogLevel = %q at info level", got)
	}
}

func TestDeferredFlush(t *testing.T) {
	th := newTestHost(t, Options{FlushInterval: time.Second})
	th.load("t-dependent")
	th.run("t-dependent", `Package.SetPersistentData("k", "v")`)
	path := filepath.Join(th.srv.dir, "Packages", ".data", "t-dependent.toml")
	th.ticks(19, tick)
	if _, err := os.Stat(path); err == nil {
		t.Fatal("persistent data written before the flush interval")
	}
	th.ticks(1, tick)
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), `k = "v"`) {
		t.Fatalf("after the flush interval: %q, %v", b, err)
	}
}

// FuzzResolveLogical checks that no path a script passes to Package.Require resolves outside
// the Packages folder or the folder of a loaded package.
func FuzzResolveLogical(f *testing.F) {
	for _, s := range []string{"a/Server/x.lua", "../x", "a/../../x", "a/b/../../../x", "a\\..\\..\\x", "/etc/passwd", "a//b", "a/./b", "t-dependent/Server/Index.lua", "a/b\x00c", "..", "a/.."} {
		f.Add(s)
	}
	root := f.TempDir()
	pkgDir := filepath.Join(f.TempDir(), "elsewhere")
	h := &Host{packagesDir: root, pkgs: map[string]scripthost.Package{"loaded": {Name: "loaded", Dir: pkgDir}}}
	f.Fuzz(func(t *testing.T, logical string) {
		path, ok := h.resolveLogical(logical)
		if !ok {
			return
		}
		inside := func(base string) bool {
			rel, err := filepath.Rel(base, path)
			return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
		}
		if !inside(root) && !inside(pkgDir) {
			t.Fatalf("resolveLogical(%q) = %q, outside %s and %s", logical, path, root, pkgDir)
		}
	})
}

func TestGetPackagesFromDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, manifest string) {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if manifest != "" {
			if err := os.WriteFile(filepath.Join(dir, name, "Package.toml"), []byte(manifest), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("new-mode", "[meta]\ntitle = \"New Mode\"\nauthor = \"a\"\nversion = \"1.0.0\"\n[game_mode]\n")
	write("old-script", "[package]\nname = \"Old Script\"\nauthor = \"b\"\nversion = \"0.1\"\ntype = \"executable\"\n")
	write("no-manifest", "")
	write("broken", "[meta\n")
	th := newTestHost(t, Options{PackagesDir: dir})
	write("probe", "")
	if err := os.MkdirAll(filepath.Join(dir, "probe", "Server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "probe", "Server", "Index.lua"), []byte(""), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := th.LoadPackage(scripthost.Package{Name: "probe", Dir: filepath.Join(dir, "probe"), CompatibilityVersion: "1.103", Kind: scripthost.KindScript}); err != nil {
		t.Fatal(err)
	}
	got := th.run("probe", `local out = {}
for _, p in ipairs(Server.GetPackages(false)) do out[#out + 1] = p.name .. "=" .. p.title .. "/" .. p.type .. "/" .. p.version end
table.sort(out)
return table.concat(out, " ")`)
	want := "new-mode=New Mode/game-mode/1.0.0 old-script=Old Script/script/0.1 probe=probe/script/"
	if got != want {
		t.Errorf("GetPackages(false) = %q, want %q", got, want)
	}
	if got := th.run("probe", "#Server.GetPackages(false, PackageType.GameMode)"); got != "1" {
		t.Errorf("game modes on disk = %q", got)
	}
}

func TestUnsafeLibsOption(t *testing.T) {
	th := newTestHost(t, Options{UnsafeLibs: true})
	th.load("t-dependent")
	if got := th.run("t-dependent", "Server.IsUnsafeLibsEnabled(), type(io), type(os.getenv), type(require)"); got != "true\ttable\tfunction\tfunction" {
		t.Errorf("with unsafe libs: %q", got)
	}
	safe := newTestHost(t, Options{})
	safe.load("t-dependent")
	if got := safe.run("t-dependent", "Server.IsUnsafeLibsEnabled(), type(io), type(os.getenv), type(require), type(debug.sethook)"); got != "false\tnil\tnil\tnil\tnil" {
		t.Errorf("without unsafe libs: %q", got)
	}
}

func TestMiscellaneousCalls(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", `Package.ReloadClientFile("Client/Index.lua")`)
	if len(th.log.matching(`Package.ReloadClientFile("Client/Index.lua")`)) != 1 {
		t.Error("ReloadClientFile was not logged")
	}
	// Library deprecations are logged once per package and name, naming the package and the
	// line that made the call, whether the library is Go (HTTP) or Lua (NanosUtils).
	th.load("t-exporter")
	for _, pkg := range []string{"t-dependent", "t-exporter"} {
		for i := 0; i < 2; i++ {
			if _, err := th.RunCode(pkg, "local x = 1\npcall(HTTP.RequestSync, 'http://127.0.0.1:1', '/', 'GET')\nNanosUtils.Dump({})"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct{ what, line string }{
		{"HTTP.RequestSync is deprecated; use HTTP.Request instead", "2"},
		{"NanosUtils.Dump is deprecated; use NanosTable.Dump instead", "3"},
	} {
		reports := th.log.matching(c.what)
		if len(reports) != 2 {
			t.Errorf("%q logged %d times, want once per package\n%s", c.what, len(reports), th.log.dump())
			continue
		}
		for i, pkg := range []string{"t-dependent", "t-exporter"} {
			at := pkg + "/(console):" + c.line
			if !strings.Contains(reports[i].Msg, "(package '"+pkg+"', called at "+at+")") || reports[i].Attrs["at"] != at {
				t.Errorf("deprecation report %q (at=%q), want package %s at %s", reports[i].Msg, reports[i].Attrs["at"], pkg, at)
			}
		}
	}
	// Go values of named types reach Lua through reflection.
	type level int
	type settings struct{ Name string }
	L := th.State()
	for _, v := range []any{level(3), uint8(7), float32(1.5), []level{1, 2}, map[string]level{"a": 1}, &settings{}, (*settings)(nil), [2]bool{true, false}} {
		top := L.Top()
		err := pushValue(L, v, 0)
		if _, isStruct := v.(*settings); isStruct && v.(*settings) != nil {
			if err == nil {
				t.Errorf("a struct was pushed")
			}
		} else if err != nil {
			t.Errorf("pushValue(%#v): %v", v, err)
		}
		L.SetTop(top)
	}
}

// TestAssetsCompatibility: Assets.GetX return keys as strings to packages older than 1.55
// and tables to newer ones, decided by the package whose code calls them.
func TestAssetsCompatibility(t *testing.T) {
	packs := []lib.AssetPack{{Path: "pack", Name: "Pack", Assets: map[string][]lib.Asset{
		"static_meshes": {{Key: "SM_Cube", Path: "Meshes/SM_Cube"}},
	}}}
	th := newTestHost(t, Options{AssetPacks: func() []lib.AssetPack { return packs }})
	th.load("t-dependent") // 1.103
	old := testPackage("t-exporter")
	old.CompatibilityVersion = "1.50"
	if err := th.LoadPackage(old); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", `local m = Assets.GetStaticMeshes("pack")[1] return type(m), m.key`); got != "table\tSM_Cube" {
		t.Errorf("1.103 package: %q, want a table with key", got)
	}
	if got := th.run("t-exporter", `return Assets.GetStaticMeshes("pack")[1]`); got != "SM_Cube" {
		t.Errorf("1.50 package: %q, want the key as a string", got)
	}
	// Called from a function of the old package through an event of the new one: the caller
	// of Assets decides.
	th.run("t-exporter", `Events.Subscribe("assets", function() OldSaw = type(Assets.GetStaticMeshes("pack")[1]) end)`)
	th.run("t-dependent", `Events.Call("assets")`)
	if got := th.run("t-exporter", "OldSaw"); got != "string" {
		t.Errorf("old package's handler saw %q, want string", got)
	}
}

// TestSandbox checks each function of the unsafe list is absent without --enable_unsafe_libs
// and present with it, and that bytecode never loads.
func TestSandbox(t *testing.T) {
	unsafe := []string{"os.execute", "os.rename", "os.remove", "os.exit", "os.getenv", "os.tmpname",
		"os.setlocale", "io", "dofile", "loadfile", "require", "debug.sethook", "debug.setupvalue",
		"debug.getregistry", "debug.setlocal", "debug.upvaluejoin", "debug.setmetatable"}
	safe := []string{"os.time", "os.clock", "os.date", "debug.getinfo", "debug.traceback", "load", "pcall"}
	for _, enabled := range []bool{false, true} {
		th := newTestHost(t, Options{UnsafeLibs: enabled})
		th.load("t-dependent")
		for _, name := range unsafe {
			got := th.run("t-dependent", "return "+name+" ~= nil")
			if want := fmt.Sprint(enabled); got != want {
				t.Errorf("unsafe libs %v: %s present = %s, want %s", enabled, name, got, want)
			}
		}
		for _, name := range safe {
			if got := th.run("t-dependent", "return "+name+" ~= nil"); got != "true" {
				t.Errorf("unsafe libs %v: %s is missing", enabled, name)
			}
		}
		if got := th.run("t-dependent", "return string.dump"); got != "nil" {
			t.Errorf("unsafe libs %v: string.dump = %s, want nil (no bytecode)", enabled, got)
		}
		got := th.run("t-dependent", `local f, err = load("\27LuaT\0\25\147\r\n\26\n", "bin", "bt") return f, err`)
		if !strings.Contains(got, "attempt to load a binary chunk") {
			t.Errorf("unsafe libs %v: loading bytecode = %q, want refused", enabled, got)
		}
	}
}
