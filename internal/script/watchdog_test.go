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

	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// writePackage makes a package folder under dir from files (path relative to the package →
// content) and returns it ready to load.
func writePackage(t *testing.T, dir, name string, files map[string]string) scripthost.Package {
	t.Helper()
	root := filepath.Join(dir, name)
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return scripthost.Package{Name: name, Title: name, Dir: root, Kind: scripthost.KindScript, CompatibilityVersion: "1.143"}
}

// TestWatchdogOnEveryEntry runs a script that never returns from each kind of call the server
// makes into Lua: each is interrupted, reported with the package, the class and event and the
// line that was running, and the server goes on ticking.
func TestWatchdogOnEveryEntry(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer web.Close()
	const spin = "return function()\n\twhile true do end\nend\n" // spin.lua: runs forever at line 2
	cases := []struct {
		name   string
		index  string                   // Server/Index.lua after `local spin = Package.Require("spin.lua")`
		action func(th *testHost) error // what makes the server call the spinning code
		report string                   // the report's header
	}{
		{"timer", `Timer.SetTimeout(spin)`, func(th *testHost) error { th.Tick(tick); return nil },
			"Lua Error on Class 'Timer' Event 'Callback'"},
		{"interval", `Timer.SetInterval(spin, 10)`, func(th *testHost) error { th.Tick(tick); return nil },
			"Lua Error on Class 'Timer' Event 'Callback'"},
		{"console command", `Console.RegisterCommand("spin", spin)`, func(th *testHost) error {
			_, err := th.ConsoleCommand("spin", nil)
			if err == nil {
				return fmt.Errorf("the command did not fail")
			}
			return nil
		}, "Lua Error on Class 'Console' Event 'Command spin'"},
		{"console input", `Console.Subscribe("PlayerSubmit", spin)`, func(th *testHost) error { th.ConsoleInput("hello"); return nil },
			"Lua Error on Class 'Console' Event 'PlayerSubmit'"},
		{"local event from a tick", `Events.Subscribe("spin", spin) Server.Subscribe("Tick", function() Events.Call("spin") end)`,
			func(th *testHost) error { th.Tick(tick); return nil }, "Lua Error on Class 'Server' Event 'Tick'"},
		{"script's own pcall", `Server.Subscribe("Tick", function() local ok, e = pcall(spin) error("caught: " .. tostring(e)) end)`,
			func(th *testHost) error { th.Tick(tick); return nil }, "Lua Error on Class 'Server' Event 'Tick'"},
		{"Load", `Package.Subscribe("Load", spin)`, func(th *testHost) error { th.FireLoad([]string{"w"}); return nil },
			"Lua Error on Class 'Package' Event 'Load'"},
		{"server event from Go", `Server.Subscribe("PlayerConnect", spin)`, func(th *testHost) error {
			_, err := th.Fire("Server", "PlayerConnect", "127.0.0.1", "acc", "name", "steam")
			return err
		}, "Lua Error on Class 'Server' Event 'PlayerConnect'"},
		{"async callback", fmt.Sprintf(`HTTP.RequestAsync(%q, "/", HTTPMethod.GET, "", "text/plain", false, {}, spin)`, web.URL),
			func(th *testHost) error { th.WaitAsync(); th.Tick(tick); return nil }, "Lua Error on Class 'Async' Event 'Callback'"},
		{"Unload", `Package.Subscribe("Unload", spin)`, func(th *testHost) error { return th.UnloadPackage("w") },
			"Lua Error on Class 'Package' Event 'Unload'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			th := newTestHost(t, Options{Budget: 200 * time.Millisecond})
			p := writePackage(t, t.TempDir(), "w", map[string]string{
				"Server/spin.lua":  spin,
				"Server/Index.lua": "local spin = Package.Require(\"spin.lua\")\nTicks = 0\nServer.Subscribe(\"Tick\", function() Ticks = Ticks + 1 end)\n" + c.index + "\n",
			})
			if err := th.LoadPackage(p); err != nil {
				t.Fatalf("LoadPackage: %v\n%s", err, th.log.dump())
			}
			start := time.Now()
			if err := c.action(th); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("the runaway call took %v: not interrupted", d)
			}
			reports := th.log.matching(c.report + " (package 'w')")
			if len(reports) != 1 {
				t.Fatalf("%q reported %d times, want 1\n%s", c.report, len(reports), th.log.dump())
			}
			at := reports[0].Attrs["at"]
			if !strings.Contains(reports[0].Msg, "timed out") {
				t.Errorf("report lacks the timeout:\n%s", reports[0].Msg)
			}
			// Whatever caught the timeout on the way out, the report names the stuck line.
			if at != "w/Server/spin.lua:2" || !strings.Contains(reports[0].Msg, "[w/Server/spin.lua]:2: script timed out") {
				t.Errorf("report located at %q, want w/Server/spin.lua:2:\n%s", at, reports[0].Msg)
			}
			if c.name == "Unload" {
				return
			}
			th.ticks(2, tick)
			if got := th.run("w", "Ticks > 0"); got != "true" {
				t.Errorf("the package's Tick handler no longer runs after the runaway: %s", got)
			}
		})
	}
}

// TestWatchdogInEntryFiles interrupts a file that never finishes while its package loads, and
// code typed at the console.
func TestWatchdogInEntryFiles(t *testing.T) {
	th := newTestHost(t, Options{Budget: 200 * time.Millisecond})
	p := writePackage(t, t.TempDir(), "w", map[string]string{
		"Server/forever.lua": "local n = 0\nwhile true do n = n + 1 end\n",
		"Server/Index.lua":   "Before = true\nPackage.Require(\"forever.lua\")\nAfter = true\n",
	})
	err := th.LoadPackage(p)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("LoadPackage = %v, want a timeout", err)
	}
	reports := th.log.matching("Lua Error on Class 'Package' Event 'Load (Server/Index.lua)' (package 'w')")
	if len(reports) != 1 || reports[0].Attrs["at"] != "w/Server/forever.lua:2" ||
		!strings.Contains(reports[0].Msg, "[w/Server/Index.lua]:2: in main chunk") {
		t.Fatalf("load timeout reports = %+v\n%s", reports, th.log.dump())
	}
	if got := th.run("w", "Before, After"); got != "true\tnil" {
		t.Errorf("Before, After = %q: the file should have stopped at the Require", got)
	}
	if _, err := th.RunCode("w", "local n = 0\nwhile true do n = n + 1 end"); err == nil || !strings.Contains(err.Error(), "w/(console):2: script timed out") {
		t.Errorf("package run of a runaway loop = %v, want a timeout at w/(console):2", err)
	}
	if got := th.run("w", "1 + 1"); got != "2" {
		t.Errorf("the state is unusable after the timeouts: %q", got)
	}
}
