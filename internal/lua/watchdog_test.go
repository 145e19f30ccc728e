package lua

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// expectTimeout runs code and checks it was interrupted by the watchdog.
func expectTimeout(t *testing.T, s *State, code, wantMsg string) *Error {
	t.Helper()
	start := time.Now()
	err := s.DoString(code, "pkg/Server/Loop.lua")
	elapsed := time.Since(start)
	var le *Error
	if !errors.As(err, &le) || le.Kind != TimeoutError {
		t.Fatalf("%s: got %v after %v, want a timeout", code, err, elapsed)
	}
	if !strings.Contains(le.Message, wantMsg) {
		t.Fatalf("%s: message %q, want %q", code, le.Message, wantMsg)
	}
	// Generous upper bound: the point is that it stops, not how precisely (-race, busy CI).
	if elapsed > 5*time.Second {
		t.Fatalf("%s: interrupted only after %v", code, elapsed)
	}
	if s.Top() != 0 {
		t.Fatalf("top %d after timeout", s.Top())
	}
	if got := run(t, s, "return 1 + 1"); got[0] != int64(2) {
		t.Fatalf("state unusable after timeout")
	}
	return le
}

func TestWatchdogInterrupts(t *testing.T) {
	s := newState(t, Options{Budget: 50 * time.Millisecond, MemoryLimit: 512 << 20})
	le := expectTimeout(t, s, "while true do end", "pkg/Server/Loop.lua:1: script timed out after 50ms")
	if le.Chunk != "pkg/Server/Loop.lua" || le.Line != 1 || !strings.Contains(le.Traceback, "stack traceback:") {
		t.Errorf("location %q:%d traceback %q", le.Chunk, le.Line, le.Traceback)
	}
	cases := []struct{ name, code, msg string }{
		{"pcall cannot swallow it", "while true do pcall(function() while true do end end) end", "script timed out after 50ms"},
		{"coroutine.wrap", "coroutine.wrap(function() while true do end end)()", "script timed out"},
		{"coroutine.resume", "local co = coroutine.create(function() while true do end end) coroutine.resume(co) while true do end", "script timed out"},
		{"nested coroutines", `local inner = coroutine.wrap(function() while true do end end)
			coroutine.wrap(function() inner() end)()`, "script timed out"},
		{"coroutine catching", `local co = coroutine.wrap(function() while true do pcall(function() while true do end end) end end) co()`, "script timed out"},
		{"recursion", "local function f(n) if n > 100 then return f(0) end return f(n + 1) end f(0)", "script timed out"},
		{"metamethods", "local t = setmetatable({}, {__index = function(t, k) return k end}) while true do local _ = t.x end", "script timed out"},
		{"string ops", "local s = '' while true do s = ('x'):rep(1000) .. s:sub(1, 1000) end", "script timed out"},
		{"xpcall handler not run", "xpcall(function() while true do end end, function() while true do end end)", "script timed out after 50ms"},
		{"xpcall in a loop", "while true do xpcall(function() while true do end end, print) end", "script timed out after 50ms"},
		{"gsub loop", "local s = ('a'):rep(1 << 16) while true do s = s:gsub('a', 'a') end", "script timed out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectTimeout(t, s, c.code, c.msg) })
	}
	// Within budget nothing happens, also right after a timeout.
	for i := 0; i < 3; i++ {
		if got := run(t, s, "local n = 0 for i = 1, 1000 do n = n + i end return n"); got[0] != int64(500500) {
			t.Fatal(got)
		}
	}
}

// TestWatchdogKeepsFirstLocation: a pcall that catches the timeout and code that raises
// again (the hook, or the script itself with another error) must not move the report away from
// the line that was stuck.
func TestWatchdogKeepsFirstLocation(t *testing.T) {
	s := newState(t, Options{Budget: 50 * time.Millisecond, MemoryLimit: 512 << 20})
	cases := []struct{ name, code string }{
		{"pcall then error", "local ok, e = pcall(function()\n  while true do end\nend)\nerror('caught: ' .. tostring(e))\n"},
		{"pcall then more code", "local function stuck()\n  while true do end\nend\nlocal ok = pcall(stuck)\nlocal n = 0\nfor i = 1, 10 do n = n + i end\n"},
		{"xpcall rethrow table", "local ok, e = xpcall(function()\n  while true do end\nend, debug.traceback)\nerror({code = 1})\n"},
		{"nested pcalls", "pcall(function()\n  pcall(function() while true do end end)\n  error('again')\nend)\nerror('outer')\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			le := expectTimeout(t, s, c.code, "script timed out after 50ms")
			if le.Chunk != "pkg/Server/Loop.lua" || le.Line != 2 {
				t.Errorf("reported at %s:%d (%q), want pkg/Server/Loop.lua:2", le.Chunk, le.Line, le.Message)
			}
			if !strings.Contains(le.Traceback, "pkg/Server/Loop.lua:2:") {
				t.Errorf("traceback does not show the stuck line 2:\n%s", le.Traceback)
			}
		})
	}
	// The next timeout records its own place, not the previous call's.
	le := expectTimeout(t, s, "local x = 1\n\nwhile true do x = x + 1 end", "script timed out")
	if le.Line != 3 {
		t.Errorf("second timeout reported at line %d (%q), want 3", le.Line, le.Message)
	}
}

func TestWatchdogStopsLongLibraryCalls(t *testing.T) {
	// gsub over 50 MB is one C call of a second or so that runs no Lua instruction; once the
	// hook had its chance, the allocator refuses its buffer growth.
	s := newState(t, Options{MemoryLimit: 1 << 30})
	run(t, s, "Big = ('x'):rep(5e7)")
	s.SetBudget(20 * time.Millisecond)
	le := expectTimeout(t, s, "local r = Big:gsub('x', 'yy')", "script timed out after 20ms (not enough memory)")
	if le.Kind != TimeoutError {
		t.Fatal(le.Kind)
	}
}

func TestXpcallStillWorks(t *testing.T) {
	s := newState(t, Options{Budget: time.Second})
	got := run(t, s, `
		local ok, msg = xpcall(function(a, b) error(a .. b) end, function(m) return "handled: " .. m end, "x", "y")
		local co = coroutine.wrap(function()
			return xpcall(function() coroutine.yield("yielded") return "done" end, debug.traceback)
		end)
		local y = co()
		local ok2, r = co()
		return ok, msg, y, ok2, r, select("#", xpcall(function() return 1, 2, 3 end, print))`)
	want := []any{false, "handled: test.lua:2: xy", "yielded", true, "done", int64(4)}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("result %d = %v, want %v (all %v)", i, got[i], want[i], got)
		}
	}
}

func TestWatchdogFromGoCallback(t *testing.T) {
	s := newState(t, Options{})
	s.Register("slow", func(s *State) (int, error) {
		time.Sleep(300 * time.Millisecond) // Go time counts against the budget too
		return 0, nil
	})
	run(t, s, "function handler() slow() for i = 1, 10 do end end function quick() return 1 end")
	s.GetGlobal("handler")
	ref := s.Ref()
	err := s.CallRefBudget(ref, 0, 0, 20*time.Millisecond)
	var le *Error
	if !errors.As(err, &le) || le.Kind != TimeoutError || !strings.Contains(le.Message, "after 20ms") {
		t.Fatalf("CallRefBudget = %v", err)
	}
	// No budget: the same call completes.
	if err := s.CallRef(ref, 0, 0); err != nil {
		t.Fatal(err)
	}
	// A budget on a nested call is ignored while the outer call has none... and applies on
	// its own when outermost.
	s.GetGlobal("quick")
	if err := s.CallBudget(0, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	s.Pop(1)
}

func TestWatchdogPerCallBudgets(t *testing.T) {
	s := newState(t, Options{Budget: time.Hour})
	if s.Budget() != time.Hour {
		t.Fatal("Budget")
	}
	if err := s.LoadString("while true do end", "loop.lua"); err != nil {
		t.Fatal(err)
	}
	err := s.CallBudget(0, 0, 30*time.Millisecond)
	var le *Error
	if !errors.As(err, &le) || le.Kind != TimeoutError || !strings.Contains(le.Message, "after 30ms") {
		t.Fatalf("CallBudget = %v", err)
	}
	s.SetBudget(40 * time.Millisecond)
	expectTimeout(t, s, "while true do end", "after 40ms")
	// Many short calls in a row never trip a budget they respect.
	s.SetBudget(200 * time.Millisecond)
	run(t, s, "function tick(n) local x = 0 for i = 1, n do x = x + i end return x end")
	s.GetGlobal("tick")
	ref := s.Ref()
	for i := 0; i < 2000; i++ {
		s.PushInteger(100)
		if err := s.CallRef(ref, 1, 1); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		s.Pop(1)
	}
}

func TestWatchdogParksAndWakes(t *testing.T) {
	s := newState(t, Options{Budget: 20 * time.Millisecond})
	run(t, s, "return 1")
	// Let the watchdog go idle long enough to park (50 polls of 1 ms).
	deadline := time.Now().Add(2 * time.Second)
	for !s.vm.wd.park.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !s.vm.wd.park.Load() {
		t.Fatal("watchdog never parked while idle")
	}
	expectTimeout(t, s, "while true do end", "after 20ms")
}

func TestCloseStopsWatchdog(t *testing.T) {
	for i := 0; i < 20; i++ {
		s, err := New(Options{Budget: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		s.DoString("for i = 1, 1e5 do end", "x.lua")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if !s.Closed() {
			t.Fatal("Closed")
		}
		if err := s.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
	}
}

// A Go function's wait for something outside Lua does not count against the budget when it
// runs under Unbudgeted; Lua's own work after it still does.
func TestWatchdogUnbudgetedWait(t *testing.T) {
	s := newState(t, Options{})
	s.Register("wait", func(s *State) (int, error) {
		s.Unbudgeted(func() { time.Sleep(300 * time.Millisecond) })
		return 0, nil
	})
	run(t, s, "function handler() wait() for i = 1, 10 do end end function spin() wait() while true do end end")
	s.GetGlobal("handler")
	if err := s.CallBudget(0, 0, 50*time.Millisecond); err != nil {
		t.Fatalf("a 300 ms unbudgeted wait under a 50 ms budget: %v", err)
	}
	s.GetGlobal("spin")
	err := s.CallBudget(0, 0, 50*time.Millisecond)
	var le *Error
	if !errors.As(err, &le) || le.Kind != TimeoutError {
		t.Fatalf("a runaway loop after an unbudgeted wait: %v, want a timeout", err)
	}
	// Outside any call Unbudgeted just runs fn.
	ran := false
	s.Unbudgeted(func() { ran = true })
	if !ran {
		t.Fatal("Unbudgeted outside a call did not run fn")
	}
}
