package script

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// benchPackages writes n packages named prefix-1..n, each with Server/Index.lua = src, and
// returns their manifests.
func benchPackages(b *testing.B, dir, prefix string, n int, src string) []scripthost.Package {
	b.Helper()
	var out []scripthost.Package
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		p := filepath.Join(dir, name, "Server")
		if err := os.MkdirAll(p, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "Index.lua"), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		out = append(out, scripthost.Package{Name: name, Dir: filepath.Join(dir, name), CompatibilityVersion: "1.103", Kind: scripthost.KindScript})
	}
	return out
}

func benchHost(b *testing.B, dir string, pkgs []scripthost.Package) *testHost {
	b.Helper()
	th := newTestHost(b, Options{PackagesDir: dir, Budget: -1})
	var names []string
	for _, p := range pkgs {
		if err := th.LoadPackage(p); err != nil {
			b.Fatal(err)
		}
		names = append(names, p.Name)
	}
	th.FireLoad(names)
	return th
}

// BenchmarkEventsCall: Events.Call fanned out to 10 subscribers in 10 packages. One op is one
// Events.Call, that is 10 handler calls.
func BenchmarkEventsCall(b *testing.B) {
	dir := b.TempDir()
	pkgs := benchPackages(b, dir, "sub", 10, `
Count = 0
Events.Subscribe("bench", function(a, b) Count = Count + a end)
`)
	pkgs = append(pkgs, benchPackages(b, dir, "driver", 1, `
function Run(n)
	local call = Events.Call
	for i = 1, n do call("bench", 1, "x") end
end
`)...)
	th := benchHost(b, dir, pkgs)
	b.ResetTimer()
	th.run("driver-1", fmt.Sprintf("Run(%d)", b.N))
	b.StopTimer()
	if got := th.run("sub-3", "Count"); got != fmt.Sprint(b.N) {
		b.Fatalf("a subscriber counted %s calls, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)*10/b.Elapsed().Seconds(), "handlers/s")
}

// BenchmarkEventsCallReference is the same work in plain Lua: 10 functions in an array called
// in a loop, no host, no protected calls.
func BenchmarkEventsCallReference(b *testing.B) {
	L, err := lua.New(lua.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer L.Close()
	if err := L.DoString(`
Count = 0
local handlers = {}
for i = 1, 10 do handlers[i] = function(a, b) Count = Count + a end end
local function call(name, ...)
	for i = 1, #handlers do handlers[i](...) end
	return true
end
function Run(n) for i = 1, n do call("bench", 1, "x") end end
`, "reference"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := L.DoString(fmt.Sprintf("Run(%d)", b.N), "run"); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)*10/b.Elapsed().Seconds(), "handlers/s")
}

// BenchmarkTick20Packages: one server tick with 20 packages subscribed to Server "Tick" (and
// no timers). One op is one tick.
func BenchmarkTick20Packages(b *testing.B) {
	dir := b.TempDir()
	pkgs := benchPackages(b, dir, "ticker", 20, `
Ticks = 0
Server.Subscribe("Tick", function(delta) Ticks = Ticks + 1 end)
`)
	th := newTestHost(b, Options{PackagesDir: dir})
	for _, p := range pkgs {
		if err := th.LoadPackage(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		th.Tick(33 * time.Millisecond)
	}
	b.StopTimer()
	if got := th.run("ticker-7", "Ticks"); got != fmt.Sprint(b.N) {
		b.Fatalf("a package counted %s ticks, want %d", got, b.N)
	}
}

// BenchmarkTick20PackagesReference is the same work in plain Lua: one call from Go into Lua
// that runs 20 handlers.
func BenchmarkTick20PackagesReference(b *testing.B) {
	L, err := lua.New(lua.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer L.Close()
	if err := L.DoString(`
Ticks = 0
local handlers = {}
for i = 1, 20 do handlers[i] = function(delta) Ticks = Ticks + 1 end end
function Tick(delta) for i = 1, #handlers do handlers[i](delta) end end
`, "reference"); err != nil {
		b.Fatal(err)
	}
	L.GetGlobal("Tick")
	ref := L.Ref()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		L.PushNumber(0.033)
		if err := L.CallRef(ref, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
}
