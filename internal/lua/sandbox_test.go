package lua

import (
	"fmt"
	"testing"
)

// unsafeNames are the globals §6.1 of the platform spec removes unless unsafe libs are enabled.
var unsafeNames = []string{"os.execute", "os.rename", "os.remove", "os.exit", "os.getenv",
	"os.tmpname", "os.setlocale", "dofile", "loadfile", "io", "package.loaded.io", "package.loadlib"}

// lookup returns the type of a dotted global path, "nil" when any step is missing.
func lookup(t *testing.T, s *State, path string) string {
	t.Helper()
	got := run(t, s, fmt.Sprintf(`local v = _G
		for part in (%q):gmatch("[^.]+") do if type(v) ~= "table" then return "nil" end v = v[part] end
		return type(v)`, path))
	return got[0].(string)
}

func TestSandbox(t *testing.T) {
	safe := newState(t, Options{})
	unsafe := newState(t, Options{Unsafe: true})
	for _, name := range unsafeNames {
		if got := lookup(t, safe, name); got != "nil" {
			t.Errorf("sandboxed state has %s (%s)", name, got)
		}
		if got := lookup(t, unsafe, name); got == "nil" {
			t.Errorf("unsafe state lacks %s", name)
		}
	}
	// What stays available in both.
	for _, name := range []string{"os.time", "os.clock", "os.date", "os.difftime", "load", "pcall",
		"string.format", "table.concat", "math.floor", "utf8.char", "coroutine.close",
		"debug.traceback", "debug.getinfo", "require", "collectgarbage", "warn"} {
		if got := lookup(t, safe, name); got == "nil" {
			t.Errorf("sandboxed state lacks %s", name)
		}
	}
	for _, name := range []string{"debug.sethook", "debug.getregistry", "debug.setupvalue",
		"debug.getupvalue", "debug.upvaluejoin", "debug.setlocal", "debug.debug", "debug.setmetatable"} {
		if got := lookup(t, safe, name); got != "nil" {
			t.Errorf("sandboxed state has %s", name)
		}
		if got := lookup(t, unsafe, name); got == "nil" {
			t.Errorf("unsafe state lacks %s", name)
		}
	}
	// require works from package.preload but never reaches the file system.
	got := run(t, safe, `package.preload.mod = function() return "preloaded" end
		local ok, err = pcall(require, "string_missing_module")
		return require("mod"), ok, package.path, package.cpath, #package.searchers`)
	if got[0] != "preloaded" || got[1] != false || got[2] != "" || got[3] != "" || got[4] != int64(1) {
		t.Errorf("require in the sandbox: %v", got)
	}
	if got := run(t, unsafe, "return #package.searchers"); got[0] != int64(4) {
		t.Errorf("unsafe searchers: %v", got)
	}
	if got := run(t, unsafe, "return os.getenv('PATH') ~= nil"); got[0] != true {
		t.Error("os.getenv does not work in the unsafe state")
	}
}
