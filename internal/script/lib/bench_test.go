package lib

import (
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// benchEnv is a state with the libraries, without the test assertion kit.
func benchEnv(b *testing.B) *lua.State {
	b.Helper()
	L, err := lua.New(lua.Options{})
	if err != nil {
		b.Fatal(err)
	}
	libs, err := Register(L, &fakeHost{dir: b.TempDir(), log: nil})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		libs.Close()
		L.Close()
	})
	return L
}

// runLoop compiles body as function(n) ... end and calls it with b.N, so
// the measured time is the loop alone (one crossing into Lua per run).
func runLoop(b *testing.B, L *lua.State, setup, body string) {
	b.Helper()
	code := setup + "\nreturn function(n)\n" + body + "\nend"
	if err := L.DoStringResults(code, "=bench", 1); err != nil {
		b.Fatal(err)
	}
	ref := L.Ref()
	defer L.Unref(ref)
	// The loop runs in one call on one OS thread: its CPU time is a figure
	// that other processes competing for the machine do not inflate.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	b.ResetTimer()
	L.PushInteger(int64(b.N))
	if err := L.CallRefBudget(ref, 1, 0, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if cpu1, ok := threadCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkVectorArithmetic measures one `v = v + w * 2 - u` on Vectors
// (three metamethod calls, three new Vectors). The plain-table variant is
// the same arithmetic written out by hand on tables without metatables:
// the floor any Lua implementation of the struct can reach.
func BenchmarkVectorArithmetic(b *testing.B) {
	b.Run("Vector", func(b *testing.B) {
		L := benchEnv(b)
		runLoop(b, L, "", `
			local v, w, u = Vector(0, 0, 0), Vector(1, 2, 3), Vector(0.5, 0.5, 0.5)
			for i = 1, n do v = v + w * 2 - u end
			assert(v.X > 0)`)
	})
	b.Run("plain-table", func(b *testing.B) {
		L := benchEnv(b)
		runLoop(b, L, "", `
			local v, w, u = {X = 0, Y = 0, Z = 0}, {X = 1, Y = 2, Z = 3}, {X = 0.5, Y = 0.5, Z = 0.5}
			for i = 1, n do
				local t = {X = w.X * 2, Y = w.Y * 2, Z = w.Z * 2}
				t = {X = v.X + t.X, Y = v.Y + t.Y, Z = v.Z + t.Z}
				v = {X = t.X - u.X, Y = t.Y - u.Y, Z = t.Z - u.Z}
			end
			assert(v.X > 0)`)
	})
}

// BenchmarkVectorMethods measures common method calls.
func BenchmarkVectorMethods(b *testing.B) {
	L := benchEnv(b)
	runLoop(b, L, "", `
		local a, c = Vector(1, 2, 3), Vector(4, 5, 6)
		local s = 0
		for i = 1, n do s = s + a:Distance(c) + a:Dot(c) end
		assert(s > 0)`)
}

const benchJSONSetup = `
	local doc = {name = "server", players = {}, settings = {max = 64, ratio = 0.75, enabled = true}}
	for i = 1, 20 do
		doc.players[i] = {id = i, name = "player" .. i, score = i * 1.5, pos = {X = i, Y = -i, Z = 0}}
	end
`

// BenchmarkJSONRoundTrip measures JSON.stringify then JSON.parse of a
// table with 20 player records (about 1.5 KB of JSON) from Lua.
func BenchmarkJSONRoundTrip(b *testing.B) {
	L := benchEnv(b)
	runLoop(b, L, benchJSONSetup, `
		local out
		for i = 1, n do out = JSON.parse(JSON.stringify(doc)) end
		assert(out.players[20].id == 20)`)
}

// BenchmarkJSONRoundTripGo is the reference: encoding/json round trip of
// the equivalent Go value, with no Lua conversion at all.
func BenchmarkJSONRoundTripGo(b *testing.B) {
	type pos struct{ X, Y, Z int }
	type player struct {
		ID    int     `json:"id"`
		Name  string  `json:"name"`
		Score float64 `json:"score"`
		Pos   pos     `json:"pos"`
	}
	doc := map[string]any{"name": "server", "settings": map[string]any{"max": 64, "ratio": 0.75, "enabled": true}}
	var players []player
	for i := 1; i <= 20; i++ {
		players = append(players, player{i, "player" + string(rune('0'+i%10)), float64(i) * 1.5, pos{i, -i, 0}})
	}
	doc["players"] = players
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := json.Marshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(data, &back); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if cpu1, ok := threadCPU(); ok && cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkParseJSON measures the Go parser alone on the same document.
func BenchmarkParseJSON(b *testing.B) {
	L := benchEnv(b)
	if err := L.DoStringResults(benchJSONSetup+"return JSON.stringify(doc)", "=bench", 1); err != nil {
		b.Fatal(err)
	}
	text, _ := L.ToString(-1)
	L.Pop(1)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParseJSON(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVectorConstructor measures Vector(x, y, z), the most used call
// of the whole API in real packages.
func BenchmarkVectorConstructor(b *testing.B) {
	L := benchEnv(b)
	runLoop(b, L, "", `
		local v
		for i = 1, n do v = Vector(i, 2, 3) end
		assert(v.X == n)`)
}
