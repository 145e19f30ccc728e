package script

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
)

func TestRunawayTickHandler(t *testing.T) {
	// The budget leaves the watchdog's grace period (a tenth of it) room on a loaded machine.
	th := newTestHost(t, Options{Budget: 200 * time.Millisecond})
	th.load("t-runaway")
	start := time.Now()
	th.ticks(5, tick)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("five ticks took %v: the runaway handler was not interrupted in time", d)
	}
	errs := th.log.matching("Lua Error on Class 'Server' Event 'Tick' (package 't-runaway')")
	if len(errs) != 1 {
		t.Fatalf("runaway reported %d times, want 1\nlog:\n%s", len(errs), th.log.dump())
	}
	msg := errs[0].Msg
	if !strings.Contains(msg, "timed out") || !strings.Contains(msg, "[t-runaway/Server/Index.lua]:") {
		t.Errorf("report lacks the timeout or the file:line:\n%s", msg)
	}
	if at := errs[0].Attrs["at"]; !strings.HasPrefix(at, "t-runaway/Server/Index.lua:") {
		t.Errorf("at = %q, want the runaway file", at)
	}
	// The handler ran on every tick, including the ones after the runaway.
	if got := th.run("t-runaway", "Ticks, Other"); got != "5\t5" {
		t.Errorf("Ticks, Other = %q, want 5 and 5: later ticks and the other handler must still run", got)
	}
}

func TestMemoryBomb(t *testing.T) {
	// Filling 16 MiB takes Lua about 150 ms (more under -race): a generous budget keeps this a
	// test of the memory cap, not of the watchdog.
	th := newTestHost(t, Options{MemoryLimit: 16 << 20, Budget: 5 * time.Second})
	th.load("t-membomb")
	ok, err := th.ConsoleCommand("bomb", nil)
	if !ok || err == nil || !strings.Contains(err.Error(), "not enough memory") {
		t.Fatalf("bomb = %v, %v; want found and a memory error", ok, err)
	}
	bomb := th.log.matching("Lua Error on Class 'Console' Event 'Command bomb' (package 't-membomb')")
	if len(bomb) != 1 || bomb[0].Attrs["at"] != "t-membomb/Server/Index.lua:2" {
		t.Errorf("the memory error was not reported with package, command and position: %+v\nlog:\n%s", bomb, th.log.dump())
	}
	th.State().GC()
	if used := th.State().MemoryUsed(); used > 8<<20 {
		t.Errorf("%d bytes still held after the bomb's garbage was collected", used)
	}
	for i := 0; i < 3; i++ {
		if ok, err := th.ConsoleCommand("alive", nil); !ok || err != nil {
			t.Fatalf("the state is unusable after the memory error: %v", err)
		}
	}
	th.ticks(2, tick)
	if got := th.run("t-membomb", "Alive"); got != "3" {
		t.Errorf("Alive = %q", got)
	}
}

func TestErrorInLoad(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-loaderror")
	errs := th.log.matching("Lua Error on Class 'Package' Event 'Load' (package 't-loaderror')")
	if len(errs) != 1 {
		t.Fatalf("Load error reported %d times\nlog:\n%s", len(errs), th.log.dump())
	}
	msg := errs[0].Msg
	for _, want := range []string{
		"[t-loaderror/Server/Index.lua]:4: attempt to index a nil value (local 'x')",
		"in function 'helper'",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
	if got := th.run("t-loaderror", "LoadedOK"); got != "true" {
		t.Errorf("the Load handler after the failing one did not run: LoadedOK = %q", got)
	}
}

func TestEntryFileErrors(t *testing.T) {
	th := newTestHost(t, Options{})
	err := th.LoadPackage(testPackage("t-cycle"))
	if err == nil {
		t.Fatal("loading a package with a Require cycle succeeded")
	}
	want := "Package.Require cycle: t-cycle/Server/one.lua -> t-cycle/Server/two.lua -> t-cycle/Server/one.lua"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the cycle %q", err, want)
	}
	reports := th.log.matching(want)
	if len(reports) != 1 || !strings.Contains(reports[0].Msg, "Lua Error on Class 'Package' Event 'Load (Server/Index.lua)' (package 't-cycle')") ||
		!strings.Contains(reports[0].Msg, "[t-cycle/Server/two.lua]:1:") ||
		!strings.Contains(reports[0].Msg, "[t-cycle/Server/one.lua]:1: in main chunk") {
		t.Errorf("cycle report = %+v", reports)
	}
}

func TestReloadReplacesExport(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-exporter", "t-dependent")
	if got := th.run("t-dependent", "Probe()"); got != "1\t10" {
		t.Fatalf("Probe() = %q before the reload", got)
	}
	// A new version of the exporter: its persistent data says version 2.
	if _, err := th.RunCode("t-exporter", `Package.SetPersistentData("version", 2)`); err != nil {
		t.Fatal(err)
	}
	if err := th.UnloadPackage("t-exporter"); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", "Probe()"); got != "missing\tnil" {
		t.Errorf("Probe() = %q while the exporter is unloaded, want the export gone", got)
	}
	th.load("t-exporter")
	if got := th.run("t-dependent", "Probe()"); got != "2\t20" {
		t.Errorf("Probe() = %q after the reload, want the new export", got)
	}
	// A hot reload keeps the environment and replaces the export again.
	if _, err := th.RunCode("t-exporter", `Package.SetPersistentData("version", 3)`); err != nil {
		t.Fatal(err)
	}
	if err := th.HotReloadPackage(testPackage("t-exporter")); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", "Probe()"); got != "3\t30" {
		t.Errorf("Probe() = %q after the hot reload", got)
	}
}

func TestHotReload(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-teardown")
	th.run("t-teardown", `Package.Subscribe("Load", function() Loads = (Loads or 0) + 1 end) Kept = "yes"`)
	th.ticks(2, tick)
	if err := th.HotReloadPackage(testPackage("t-teardown")); err != nil {
		t.Fatal(err)
	}
	// The Load subscription made from the console was removed before the files ran again, so
	// Load fired once, for nobody who counts; the globals stayed.
	if got := th.run("t-teardown", "Kept, Loads, TickCount"); got != "yes\tnil\t2" {
		t.Errorf("after hot reload: Kept, Loads, TickCount = %q", got)
	}
	subs, timers, cmds, exports, _ := th.PackageStats("t-teardown")
	if subs != 5 || timers != 2 || cmds != 1 || exports != 1 {
		t.Errorf("after hot reload: subs %d timers %d commands %d exports %d, want 5 2 1 1 (made once, not twice)", subs, timers, cmds, exports)
	}
	th.ticks(1, tick)
	if got := th.run("t-teardown", "TickCount"); got != "3" {
		t.Errorf("TickCount = %q, want one Tick handler", got)
	}
}

func TestUnloadTeardown(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-teardown", "t-dependent")
	if _, err := th.RunCode("t-dependent", `Events.Subscribe("teardown-unloaded", function(u) UnloadedFlag = u end)`); err != nil {
		t.Fatal(err)
	}
	th.ticks(2, tick)
	subs, timers, cmds, exports, ok := th.PackageStats("t-teardown")
	if !ok || subs != 5 || timers != 2 || cmds != 1 || exports != 1 {
		t.Fatalf("before unload: subs %d timers %d commands %d exports %d (loaded %v), want 5 2 1 1", subs, timers, cmds, exports, ok)
	}
	before := th.run("t-teardown", "TickCount, TimerCount")
	if before != "2\t2" {
		t.Fatalf("TickCount, TimerCount = %q", before)
	}
	if err := th.UnloadPackage("t-teardown"); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", "UnloadedFlag"); got != "true" {
		t.Errorf("Unload handler saw IsUnloading() = %q", got)
	}
	if _, _, _, _, ok := th.PackageStats("t-teardown"); ok {
		t.Error("the package is still known after unload")
	}
	th.ticks(3, tick)
	if ok, _ := th.ConsoleCommand("teardown-cmd", nil); ok {
		t.Error("the package's command survived unload")
	}
	if got := th.run("t-dependent", "TeardownExport"); got != "nil" {
		t.Errorf("export after unload = %q", got)
	}
	if got := th.run("t-dependent", `Events.Call("teardown-event")`); got != "true" {
		t.Errorf("Events.Call = %q", got)
	}
	if _, err := th.RunCode("t-teardown", "1"); err == nil {
		t.Error("RunCode in an unloaded package succeeded")
	}
	b, err := os.ReadFile(filepath.Join(th.srv.dir, "Packages", ".data", "t-teardown.toml"))
	if err != nil || !strings.Contains(string(b), `saved = "on unload"`) {
		t.Errorf("persistent data not flushed on unload: %q, %v", b, err)
	}
	// Everything left belongs to t-dependent.
	subs, timers, cmds, exports, _ = th.PackageStats("t-dependent")
	if subs != 1 || timers != 0 || cmds != 0 || exports != 0 {
		t.Errorf("t-dependent owns subs %d timers %d commands %d exports %d, want 1 0 0 0", subs, timers, cmds, exports)
	}
	// Loading again starts from scratch (a fresh environment).
	th.load("t-teardown")
	th.ticks(1, tick)
	if got := th.run("t-teardown", "TickCount"); got != "1" {
		t.Errorf("TickCount after reload = %q, want a fresh environment", got)
	}
}

func TestResetStartsFreshState(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-teardown")
	if _, err := th.RunCode("t-teardown", "_G.LeakedGlobal = 1"); err != nil {
		t.Fatal(err)
	}
	old := th.State()
	if err := th.Reset(); err != nil {
		t.Fatal(err)
	}
	if th.State() == old {
		t.Error("Reset kept the Lua state")
	}
	th.load("t-teardown")
	if got := th.run("t-teardown", "LeakedGlobal"); got != "nil" {
		t.Errorf("LeakedGlobal = %q after Reset", got)
	}
}

func TestRunCode(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	for _, tc := range []struct{ code, want string }{
		{"1 + 1", "2"},
		{"10 / 4", "2.5"},
		{"'text'", "text"},
		{"nil", "nil"},
		{"{1, 2, x = 'y'}", `{1, 2, x = "y"}`},
		{"Value = 5", ""},
		{"Value * 2", "10"},
		{"1, 2.0, true", "1\t2.0\ttrue"},
		{"Package.GetName()", "t-dependent"},
		// Statements print what they return.
		{"return 7", "7"},
		{"local a = 3 return a * 2, 'x'", "6\tx"},
		{"for i = 1, 3 do Value = Value + i end", ""},
		{"Value", "11"},
		// Showing a value never runs its code, and a failing __tostring is contained.
		{"setmetatable({1}, {__index = function() error('no') end, __len = function() error('no') end})", "{1}"},
		{"setmetatable({}, {__tostring = function() error('no') end})", "(table whose __tostring failed)"},
		{"setmetatable({}, {__tostring = function() return 'custom' end})", "custom"},
		{"{[true] = 1, [2.5] = 2}", "{[2.5] = 2, [true] = 1}"},
	} {
		if got := th.run("t-dependent", tc.code); got != tc.want {
			t.Errorf("RunCode(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
	if _, err := th.RunCode("t-dependent", "error('boom')"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("RunCode of a failing statement: %v", err)
	}
	if _, err := th.RunCode("t-dependent", "1 +"); err == nil || !strings.Contains(err.Error(), "unexpected symbol") {
		t.Errorf("RunCode of bad syntax: %v", err)
	}
	if _, err := th.RunCode("nope", "1"); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Errorf("RunCode in a missing package: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	if err := th.LoadPackage(testPackage("t-dependent")); err == nil {
		t.Error("loading a package twice succeeded")
	}
	if err := th.UnloadPackage("nope"); err == nil {
		t.Error("unloading a package that is not loaded succeeded")
	}
	for _, name := range []string{"", "..", "a/b", "../x", "a b"} {
		p := testPackage("t-dependent")
		p.Name = name
		if err := th.LoadPackage(p); err == nil {
			t.Errorf("LoadPackage accepted the name %q", name)
		}
	}
}

func TestFire(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", `
Server.Subscribe("PlayerConnect", function(ip, account, name, steam)
	Connected = ip .. "|" .. account .. "|" .. name .. "|" .. steam
	return name ~= "banned"
end)`)
	cancelled, err := th.Fire("Server", "PlayerConnect", "127.0.0.1", "acc", "ana", "765")
	if err != nil || cancelled {
		t.Fatalf("Fire = %v, %v", cancelled, err)
	}
	if got := th.run("t-dependent", "Connected"); got != "127.0.0.1|acc|ana|765" {
		t.Errorf("Connected = %q", got)
	}
	if cancelled, _ := th.Fire("Server", "PlayerConnect", "127.0.0.1", "acc", "banned", "1"); !cancelled {
		t.Error("a false return did not cancel")
	}
	if _, err := th.Fire("Server", "PlayerConnect", make(chan int)); err == nil {
		t.Error("an unconvertible argument was accepted")
	}
	// Remote events: SubscribeRemote receives them, and so does Subscribe below 1.22.
	th.run("t-dependent", `Events.SubscribeRemote("net", function(player, n) Remote = player .. n end)`)
	legacy := testPackage("t-exporter")
	legacy.CompatibilityVersion = "1.21"
	if err := th.LoadPackage(legacy); err != nil {
		t.Fatal(err)
	}
	th.run("t-exporter", `Events.Subscribe("net", function(player, n) OldRemote = player .. n end)`)
	if _, err := th.Fire("Remote", "net", "p1", 5); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", "Remote") + " " + th.run("t-exporter", "OldRemote"); got != "p15 p15" {
		t.Errorf("remote event delivered as %q", got)
	}
	if th.srv.calls[timingKey{"t-dependent", "Server:PlayerConnect"}] != 3 {
		t.Errorf("PlayerConnect timed %d times, want 3", th.srv.calls[timingKey{"t-dependent", "Server:PlayerConnect"}])
	}
}

// TestTimeoutReportFallback covers a timeout noticed so late that the runtime's handler could
// not run (allocations were already refused): the report still names the package, the event
// and where the callback is defined.
func TestTimeoutReportFallback(t *testing.T) {
	th := newTestHost(t, Options{})
	th.reportGoAt("pkg", "Server", "Tick", "pkg/Server/Index.lua:4",
		&lua.Error{Kind: lua.TimeoutError, Message: "script timed out after 100ms (not enough memory)"})
	recs := th.log.matching("Lua Error on Class 'Server' Event 'Tick' (package 'pkg')")
	if len(recs) != 1 {
		t.Fatalf("got %d reports", len(recs))
	}
	want := "\t- [1] script timed out after 100ms (not enough memory)\n\t- [2] [pkg/Server/Index.lua]:4: in function <pkg/Server/Index.lua:4>"
	if !strings.Contains(recs[0].Msg, want) || recs[0].Attrs["at"] != "pkg/Server/Index.lua:4" {
		t.Errorf("report = %q at=%q", recs[0].Msg, recs[0].Attrs["at"])
	}
	// With a position in the message, that position is used.
	th.reportGoAt("pkg", "Timer", "Callback", "pkg/Server/Index.lua:4",
		&lua.Error{Kind: lua.TimeoutError, Message: "pkg/Server/x.lua:9: script timed out after 100ms", Chunk: "pkg/Server/x.lua", Line: 9,
			Traceback: "stack traceback:\n\t[C]: in ?\n\tpkg/Server/x.lua:9: in function <pkg/Server/x.lua:7>\n\tnanoforge/runtime:12: in function <nanoforge/runtime:10>"})
	// Raised in the runtime's own code: the package frame locates it.
	th.reportGoAt("pkg", "Events", "Nested", "",
		&lua.Error{Kind: lua.TimeoutError, Message: "nanoforge/runtime:250: script timed out after 100ms", Chunk: "nanoforge/runtime", Line: 250,
			Traceback: "stack traceback:\n\tnanoforge/runtime:250: in function <nanoforge/runtime:240>\n\tpkg/Server/y.lua:3: in function <pkg/Server/y.lua:1>"})
	nested := th.log.matching("Event 'Nested'")
	if len(nested) != 1 || nested[0].Attrs["at"] != "pkg/Server/y.lua:3" ||
		!strings.Contains(nested[0].Msg, "- [1] script timed out after 100ms\n\t- [2] [pkg/Server/y.lua]:3:") {
		t.Errorf("nested report = %+v", nested)
	}
	recs = th.log.matching("Event 'Callback'")
	if len(recs) != 1 || recs[0].Attrs["at"] != "pkg/Server/x.lua:9" ||
		!strings.Contains(recs[0].Msg, "- [1] [pkg/Server/x.lua]:9: script timed out") ||
		!strings.Contains(recs[0].Msg, "- [2] [pkg/Server/x.lua]:9: in function <pkg/Server/x.lua:7>") ||
		strings.Contains(recs[0].Msg, "nanoforge/runtime") {
		t.Errorf("report = %+v", recs)
	}
}

func TestAsyncCallbacks(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	}))
	defer web.Close()
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", fmt.Sprintf(`
HTTP.RequestAsync(%q, "/ok", HTTPMethod.GET, "", "text/plain", false, {}, function(status, data)
	Got = status .. " " .. data
end)
HTTP.RequestAsync(%q, "/fail", HTTPMethod.GET, "", "text/plain", false, {}, function(status, data)
	local x = nil
	return x.field
end)`, web.URL, web.URL))
	th.WaitAsync()
	th.Tick(tick)
	if got := th.run("t-dependent", "Got"); got != "200 hello /ok" {
		t.Errorf("Got = %q", got)
	}
	errs := th.log.matching("Lua Error on Class 'Async' Event 'Callback' (package 't-dependent')")
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "t-dependent/(console):7: attempt to index a nil value") {
		t.Errorf("async error reports: %+v\nlog:\n%s", errs, th.log.dump())
	}
}

func TestMiscasedEntryFile(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-miscased")
	if got := th.run("t-miscased", "Miscased"); got != "true" {
		t.Errorf("the miscased entry file did not run: %q", got)
	}
	if w := th.log.matching("the entry file is server/index.lua; it must be named Server/Index.lua"); len(w) != 1 {
		t.Errorf("no warning about the file name\nlog:\n%s", th.log.dump())
	}
}

func TestErrorValuesAreShownSafely(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", `
Events.Subscribe("e1", function() error(setmetatable({}, {__tostring = function() error("nested") end})) end)
Events.Subscribe("e2", function() error(setmetatable({}, {__metatable = 42})) end)
Events.Subscribe("e3", function() error(nil) end)
Events.Subscribe("e4", function() error({code = 7}) end)
After = 0
for _, e in ipairs({"e1", "e2", "e3", "e4"}) do Events.Call(e) After = After + 1 end`)
	if got := th.run("t-dependent", "After"); got != "4" {
		t.Fatalf("After = %q: a failing error display broke the dispatch", got)
	}
	for _, want := range []string{
		"Event 'e1' (package 't-dependent'):\n\t- [1] (table whose __tostring failed)",
		"Event 'e2' (package 't-dependent'):\n\t- [1] (error object is a table: {})",
		"Event 'e3' (package 't-dependent'):\n\t- [1] nil",
		"Event 'e4' (package 't-dependent'):\n\t- [1] (error object is a table: {code = 7})",
	} {
		if len(th.log.matching(want)) != 1 {
			t.Errorf("no report containing %q\nlog:\n%s", want, th.log.dump())
		}
	}
}

func TestExportOverLibraryGlobal(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	p := testPackage("t-exporter")
	if err := th.LoadPackage(p); err != nil {
		t.Fatal(err)
	}
	th.run("t-exporter", `Package.Export("Vector", "shadowed") Package.Export("NewName", 1)`)
	if got := th.run("t-dependent", "Vector, NewName"); got != "shadowed\t1" {
		t.Fatalf("exports seen as %q", got)
	}
	if err := th.UnloadPackage("t-exporter"); err != nil {
		t.Fatal(err)
	}
	if got := th.run("t-dependent", "type(Vector), NewName"); got != "table\tnil" {
		t.Errorf("after unload: %q, want the library's Vector back and NewName gone", got)
	}
}

func TestRecursiveEvent(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", `Depth = 0
Events.Subscribe("again", function() Depth = Depth + 1 Events.Call("again") end)
Events.Call("again")`)
	errs := th.log.matching("Lua Error on Class 'Events' Event 'again'")
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "stack overflow") {
		t.Fatalf("recursion reported %d times: %+v", len(errs), errs)
	}
	// The state is still usable and the recursion was bounded.
	if got := th.run("t-dependent", "Depth > 10, Depth < 100000"); got != "true\ttrue" {
		t.Errorf("Depth bounds = %q", got)
	}
}

func TestPackageGlobalsArePrivate(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-teardown", "t-dependent")
	th.ticks(1, tick)
	if got := th.run("t-teardown", "TickCount"); got != "1" {
		t.Fatalf("TickCount in its own package = %q", got)
	}
	if got := th.run("t-dependent", "TickCount, Probe ~= nil"); got != "nil\ttrue" {
		t.Errorf("from another package: %q, want the global invisible", got)
	}
	if got := th.run("t-teardown", "Probe"); got != "nil" {
		t.Errorf("t-dependent's global function seen from t-teardown: %q", got)
	}
	// The shared globals hold the API and the exports, visible to both.
	if got := th.run("t-dependent", "TeardownExport, type(Vector), type(JSON), LogType.Error"); got != "1\ttable\ttable\t2" {
		t.Errorf("shared globals = %q", got)
	}
}

func TestTimerErrorReport(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	th.run("t-dependent", `Timer.SetTimeout(function()
	error({code = 1})
end, 0)
Timer.SetInterval(function() Runs = (Runs or 0) + 1 error("again") end, 0)`)
	th.ticks(3, tick)
	tables := th.log.matching("Lua Error on Class 'Timer' Event 'Callback' (package 't-dependent'):\n\t- [1] (error object is a table value)")
	if len(tables) != 1 || tables[0].Attrs["at"] != "t-dependent/(console):2" {
		t.Errorf("table error report = %+v\nlog:\n%s", tables, th.log.dump())
	}
	// An interval that fails keeps running.
	if got := th.run("t-dependent", "Runs"); got != "3" {
		t.Errorf("failing interval ran %q times, want 3", got)
	}
	if n := len(th.log.matching("again")); n != 3 {
		t.Errorf("interval errors reported %d times, want 3", n)
	}
}

// TestLegacyHTTPRequest runs the old Server.HTTPRequest, which took HTTP.RequestAsync's
// arguments, against a local server.
func TestLegacyHTTPRequest(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
	}))
	defer web.Close()
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	for i := 0; i < 2; i++ {
		th.run("t-dependent", fmt.Sprintf(`Server.HTTPRequest(%q, "/old", HTTPMethod.POST, "x", "text/plain", false, {}, function(status, data)
	Got = status .. " " .. data
end)`, web.URL))
	}
	th.WaitAsync()
	th.Tick(tick)
	if got := th.run("t-dependent", "Got"); got != "200 POST /old" {
		t.Errorf("Got = %q\n%s", got, th.log.dump())
	}
	if n := len(th.log.matching("Server.HTTPRequest is deprecated; use HTTP.RequestAsync instead")); n != 1 {
		t.Errorf("deprecation logged %d times, want once", n)
	}
}

// TestUnloadDropsPendingCallbacks unloads, reloads or hot-reloads a package while its HTTP
// request, database queries, file reads and timer are pending: none of those callbacks may run
// afterwards, in a package that no longer exists or in its new code.
func TestUnloadDropsPendingCallbacks(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "late") }))
	defer web.Close()
	for _, how := range []string{"unload", "reload", "hot reload"} {
		t.Run(how, func(t *testing.T) {
			th := newTestHost(t, Options{})
			th.load("t-exporter", "t-dependent")
			th.run("t-dependent", `Events.Subscribe("late", function(what) Late = (Late or "") .. what end)`)
			th.run("t-exporter", fmt.Sprintf(`
local f = File("pending.txt", true) f:Write("x") f:Close()
HTTP.RequestAsync(%q, "/", HTTPMethod.GET, "", "text/plain", false, {}, function() Events.Call("late", "http ") end)
local db = Database(DatabaseEngine.SQLite, ":memory:")
db:SelectAsync("SELECT 1 AS x", function() Events.Call("late", "select ") end)
db:ExecuteAsync("SELECT 1", function() Events.Call("late", "execute ") end)
File("pending.txt"):ReadAsync(0, function() Events.Call("late", "read ") end)
File("pending.txt"):ReadJSONAsync(function() Events.Call("late", "json ") end)
Timer.SetTimeout(function() Events.Call("late", "timer ") end, 10)`, web.URL))
			var err error
			switch how {
			case "unload":
				err = th.UnloadPackage("t-exporter")
			case "reload":
				if err = th.UnloadPackage("t-exporter"); err == nil {
					err = th.LoadPackage(testPackage("t-exporter"))
				}
			case "hot reload":
				err = th.HotReloadPackage(testPackage("t-exporter"))
			}
			if err != nil {
				t.Fatal(err)
			}
			th.WaitAsync()
			th.ticks(3, tick)
			if got := th.run("t-dependent", "Late"); got != "nil" {
				t.Errorf("callbacks of the old package ran: Late = %q\n%s", got, th.log.dump())
			}
			// A live package's new work still calls back (the same name's new code after a reload).
			live := "t-exporter"
			if how == "unload" {
				live = "t-dependent"
			}
			th.run(live, `File("pending.txt"):ReadAsync(0, function(s) Events.Call("late", "new " .. s) end)`)
			th.WaitAsync()
			th.Tick(tick)
			if got := th.run("t-dependent", "Late"); got != "new x" {
				t.Errorf("a callback of the live package: Late = %q, want \"new x\"\n%s", got, th.log.dump())
			}
		})
	}
	// The library's argument errors stay located at the caller and named.
	th := newTestHost(t, Options{})
	th.load("t-dependent")
	_, err := th.RunCode("t-dependent", "local x = 1\nHTTP.RequestAsync(nil, '/', 0, '', '', false, {}, function() end)")
	if want := "t-dependent/(console):2: bad argument #1 to 'RequestAsync' (string expected, got nil)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("bad argument error = %v, want %q", err, want)
	}
}

// TestUnloadedPackageMakesNothing: code of an unloaded package that still runs (here a
// function another package kept) can no longer subscribe, start timers, register commands or
// export: teardown already ran and would never remove them.
func TestUnloadedPackageMakesNothing(t *testing.T) {
	th := newTestHost(t, Options{})
	th.load("t-exporter", "t-dependent")
	th.run("t-dependent", `Events.Subscribe("late", function(what) Late = (Late or "") .. what end)`)
	th.run("t-exporter", `
Package.Export("ZombieMaker", function()
	for _, make in ipairs({
		function() Timer.SetInterval(function() Events.Call("late", "timer ") end, 10) end,
		function() Events.Subscribe("zombie", function() Events.Call("late", "sub ") end) end,
		function() Console.RegisterCommand("zombiecmd", function() end) end,
		function() Package.Export("ZombieExport", 1) end,
	}) do
		local ok, err = pcall(make)
		if not ok then Events.Call("late", (tostring(err):match("no longer loaded") and "refused " or tostring(err))) end
	end
end)`)
	th.run("t-dependent", `Kept = ZombieMaker`)
	if err := th.UnloadPackage("t-exporter"); err != nil {
		t.Fatal(err)
	}
	th.run("t-dependent", `Kept()`)
	th.ticks(3, tick)
	th.run("t-dependent", `Events.Call("zombie")`)
	if got := th.run("t-dependent", "Late, ZombieExport"); got != "refused refused refused refused \tnil" {
		t.Errorf("Late, ZombieExport = %q, want four refusals and no export", got)
	}
	if cmds := th.Commands(); len(cmds) != 0 {
		t.Errorf("commands after unload: %+v", cmds)
	}
}
