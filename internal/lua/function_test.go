package lua

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestGoFunctions(t *testing.T) {
	s := newState(t, Options{})
	s.Register("sum", func(s *State) (int, error) {
		var total int64
		for i := 1; i <= s.Top(); i++ {
			n, ok := s.ToInteger(i)
			if !ok {
				return 0, &ArgError{Arg: i, Msg: "integer expected, got " + s.TypeName(s.Type(i))}
			}
			total += n
		}
		s.PushInteger(total)
		s.PushInteger(int64(s.Top() - 1))
		return 2, nil
	})
	if got := run(t, s, "return sum(1, 2, 3, 4)"); fmt.Sprint(got) != "[10 4]" {
		t.Fatalf("sum = %v", got)
	}
	if got := run(t, s, "return sum()"); fmt.Sprint(got) != "[0 0]" {
		t.Fatalf("sum() = %v", got)
	}
	if got := run(t, s, "return select('#', sum(table.unpack({1, 2, 3})))"); fmt.Sprint(got) != "[2]" {
		t.Fatalf("varargs = %v", got)
	}
	err := s.DoString("sum(1, 'x')", "pkg/Server/Index.lua")
	var le *Error
	if !errors.As(err, &le) {
		t.Fatalf("error %T %v", err, err)
	}
	if le.Message != "pkg/Server/Index.lua:1: bad argument #2 to 'sum' (integer expected, got string)" {
		t.Errorf("message %q", le.Message)
	}
	if le.Chunk != "pkg/Server/Index.lua" || le.Line != 1 || le.Kind != RuntimeError {
		t.Errorf("chunk %q line %d kind %v", le.Chunk, le.Line, le.Kind)
	}
	if !strings.Contains(le.Traceback, "stack traceback:") || !strings.Contains(le.Traceback, "in function 'sum'") {
		t.Errorf("traceback %q", le.Traceback)
	}

	// A plain error from Go becomes a Lua error that scripts can catch.
	s.Register("fail", func(s *State) (int, error) { return 0, errors.New("disk on fire") })
	if got := run(t, s, "return pcall(fail)"); got[0] != false || got[1] != "disk on fire" {
		t.Fatalf("pcall(fail) = %v", got)
	}
	// Upvalues of Go closures.
	s.PushString("prefix:")
	s.PushInteger(0)
	s.PushGoClosure(func(s *State) (int, error) {
		n, _ := s.ToInteger(UpvalueIndex(2))
		s.PushInteger(n + 1)
		s.Replace(UpvalueIndex(2))
		s.PushValue(UpvalueIndex(1))
		s.PushInteger(n + 1)
		return 2, nil
	}, 2)
	s.SetGlobal("counter")
	if got := run(t, s, "counter() return counter()"); fmt.Sprint(got) != "[prefix: 2]" {
		t.Fatalf("counter = %v", got)
	}
	if name, ok := s.getGlobalUpvalue(t, "counter", 1); !ok || name != "" {
		t.Errorf("upvalue 1 of a Go closure: %q %v", name, ok)
	}
}

// getGlobalUpvalue reads upvalue n of global fn and pops everything again.
func (s *State) getGlobalUpvalue(t *testing.T, fn string, n int) (string, bool) {
	t.Helper()
	if _, err := s.GetGlobal(fn); err != nil {
		t.Fatal(err)
	}
	defer s.Pop(1)
	name, ok := s.GetUpvalue(-1, n)
	if ok {
		s.Pop(1)
	}
	return name, ok
}

func TestGoPanicBecomesLuaError(t *testing.T) {
	var gotValue any
	var gotStack []byte
	s := newState(t, Options{OnPanic: func(v any, stack []byte) { gotValue, gotStack = v, stack }})
	s.Register("boom", func(s *State) (int, error) {
		var m map[string]int
		m["x"] = 1 // nil map write: a runtime panic
		return 0, nil
	})
	err := s.DoString("local ok, e = pcall(boom) assert(not ok) error(e, 0)", "p.lua")
	if err == nil || !strings.Contains(err.Error(), "panicked: assignment to entry in nil map") || !strings.Contains(err.Error(), "TestGoPanicBecomesLuaError") {
		t.Fatalf("error = %v", err)
	}
	if gotValue == nil || !strings.Contains(string(gotStack), "function_test.go") {
		t.Fatalf("OnPanic got %v with stack %q", gotValue, gotStack)
	}
	// The state is still fine.
	if got := run(t, s, "return 1 + 1"); got[0] != int64(2) {
		t.Fatal("state unusable after a panic")
	}
}

// A Go function that fills the stack and then fails still gets its error reported: the
// message takes the place of the function's own values.
func TestGoErrorOnFullStack(t *testing.T) {
	s := newState(t, Options{})
	s.Register("hog", func(s *State) (int, error) {
		for s.CheckStack(1) {
			s.PushBoolean(true)
		}
		return 0, errors.New("out of room")
	})
	err := s.DoString("local ok, e = pcall(hog) assert(not ok) error(e, 0)", "hog.lua")
	if err == nil || !strings.Contains(err.Error(), "out of room") {
		t.Fatalf("error = %v, want the function's own error", err)
	}
	if got := run(t, s, "return 1 + 1"); got[0] != int64(2) {
		t.Fatal("state unusable after the error")
	}
}

type panickyError struct{}

func (panickyError) Error() string { panic("the error's message panics") }

// A panic while a Go function's error is reported (here, in the error's own Error method)
// becomes a Lua error like any other panic of the function instead of unwinding into C.
func TestPanicWhileRaisingBecomesLuaError(t *testing.T) {
	s := newState(t, Options{OnPanic: func(any, []byte) {}})
	s.Register("bad", func(s *State) (int, error) { return 0, panickyError{} })
	err := s.DoString("local ok, e = pcall(bad) assert(not ok) error(e, 0)", "bad.lua")
	if err == nil || !strings.Contains(err.Error(), "the error's message panics") {
		t.Fatalf("error = %v, want the panic as a Lua error", err)
	}
	if got := run(t, s, "return 1 + 1"); got[0] != int64(2) {
		t.Fatal("state unusable after the panic")
	}
}

func TestCallsRefsGlobals(t *testing.T) {
	s := newState(t, Options{})
	run(t, s, `function handler(a, b) return a + b, a * b end
		function failing(x) local y = nil; return y.field end`)
	if typ, err := s.GetGlobal("handler"); err != nil || typ != TypeFunction || !s.IsFunction(-1) {
		t.Fatalf("GetGlobal = %v %v", typ, err)
	}
	ref := s.Ref()
	if ref == RefNil || ref == NoRef || s.Top() != 0 {
		t.Fatalf("Ref = %d, top %d", ref, s.Top())
	}
	s.PushInteger(3)
	s.PushInteger(4)
	if err := s.CallRef(ref, 2, MultRet); err != nil {
		t.Fatal(err)
	}
	if s.Top() != 2 {
		t.Fatalf("results %d", s.Top())
	}
	a, _ := s.ToInteger(1)
	b, _ := s.ToInteger(2)
	if a != 7 || b != 12 {
		t.Fatalf("handler(3,4) = %d, %d", a, b)
	}
	s.SetTop(0)
	// Fixed result counts pad with nil.
	s.PushRef(ref)
	s.PushInteger(1)
	s.PushInteger(1)
	if err := s.Call(2, 4); err != nil || s.Top() != 4 || !s.IsNil(4) || !s.IsNil(3) {
		t.Fatalf("Call(2,4): %v top %d", err, s.Top())
	}
	s.SetTop(0)
	s.Unref(ref)
	s.PushRef(ref)
	if s.IsFunction(-1) {
		t.Fatal("slot still holds the function after Unref")
	}
	s.Pop(1)
	s.PushNil()
	if s.Ref() != RefNil {
		t.Fatal("Ref(nil) should be RefNil")
	}
	s.PushRef(RefNil)
	if !s.IsNil(-1) {
		t.Fatal("PushRef(RefNil)")
	}
	s.Pop(1)

	// Errors leave the stack as it was below the function.
	s.PushString("below")
	s.GetGlobal("failing")
	err := s.Call(0, 1)
	var le *Error
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(le.Message, "attempt to index a nil value (local 'y')") {
		t.Fatalf("Call(failing) = %v", err)
	}
	if !strings.Contains(le.Traceback, "in function 'failing'") {
		t.Errorf("traceback: %q", le.Traceback)
	}
	if s.Top() != 1 {
		t.Fatalf("top %d after a failed call", s.Top())
	}
	s.Pop(1)

	// Non-string error values.
	for _, c := range []struct{ code, want string }{
		{"error({code = 1})", "(error object is a table value)"},
		{"error(setmetatable({}, {__tostring = function() return 'custom' end}))", "custom"},
		{"error(42)", "42"},
		{"error()", "nil"},
	} {
		err := s.DoString(c.code, "e.lua")
		if !errors.As(err, &le) || le.Message != c.want {
			t.Errorf("%s: message %v, want %q", c.code, err, c.want)
		}
	}
	if s.Top() != 0 {
		t.Fatalf("top %d", s.Top())
	}

	// Globals.
	s.PushString("hello")
	if err := s.SetGlobal("greeting"); err != nil {
		t.Fatal(err)
	}
	if got := run(t, s, "return greeting"); got[0] != "hello" {
		t.Fatalf("greeting = %v", got)
	}
	s.PushGlobalTable()
	if s.RawGetField(-1, "greeting") != TypeString {
		t.Fatal("global table lacks greeting")
	}
	s.SetTop(0)
	run(t, s, `setmetatable(_G, {__index = function(_, k) error("undefined global " .. k, 2) end,
		__newindex = function(_, k) error("cannot define " .. k, 2) end})`)
	if _, err := s.GetGlobal("nope"); err == nil || !strings.Contains(err.Error(), "undefined global nope") {
		t.Fatalf("strict GetGlobal: %v", err)
	}
	s.PushInteger(1)
	if err := s.SetGlobal("newone"); err == nil || !strings.Contains(err.Error(), "cannot define newone") {
		t.Fatalf("strict SetGlobal: %v", err)
	}
	if s.Top() != 0 {
		t.Fatalf("top %d", s.Top())
	}
}

func TestUpvalues(t *testing.T) {
	s := newState(t, Options{})
	run(t, s, "local a, b = 1, 2 function f() return a + b end")
	s.GetGlobal("f")
	if name, ok := s.GetUpvalue(-1, 1); !ok || name != "a" {
		t.Fatalf("upvalue 1 = %q %v", name, ok)
	}
	s.Pop(1)
	if _, ok := s.GetUpvalue(-1, 3); ok {
		t.Fatal("upvalue 3 should not exist")
	}
	s.PushInteger(40)
	if name, ok := s.SetUpvalue(-2, 1); !ok || name != "a" {
		t.Fatalf("SetUpvalue = %q %v", name, ok)
	}
	s.PushInteger(0)
	if _, ok := s.SetUpvalue(-2, 9); ok {
		t.Fatal("SetUpvalue(9) should fail")
	}
	s.Pop(1)
	if err := s.Call(0, 1); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ToInteger(-1); n != 42 {
		t.Fatalf("f() = %d after SetUpvalue", n)
	}
}

func TestGoFunctionSlotsReleased(t *testing.T) {
	s := newState(t, Options{})
	base := len(s.vm.funcs)
	for i := 0; i < 100; i++ {
		s.PushGoFunction(func(s *State) (int, error) { return 0, nil })
		s.Pop(1)
	}
	s.GC()
	s.GC()
	for i := 0; i < 100; i++ {
		s.PushGoFunction(func(s *State) (int, error) { return 0, nil })
		s.Pop(1)
	}
	if n := len(s.vm.funcs); n > base+110 {
		t.Fatalf("function table grew to %d: collected Go functions are not released", n)
	}
}

func TestNestedCallsAndCoroutineCallbacks(t *testing.T) {
	s := newState(t, Options{})
	s.Register("callback", func(s *State) (int, error) {
		// Call back into Lua from Go, from whichever thread called.
		s.PushValue(1)
		s.PushInteger(10)
		if err := s.Call(1, 1); err != nil {
			return 0, err
		}
		s.PushBoolean(s.IsMain())
		return 2, nil
	})
	got := run(t, s, `
		local a, m1 = callback(function(x) return x * 2 end)
		local co = coroutine.create(function() return callback(function(x) return x + 1 end) end)
		local ok, b, m2 = coroutine.resume(co)
		local ok2, err = pcall(callback, function() error("inner") end)
		return a, m1, b, m2, ok2, err`)
	if fmt.Sprint(got) != "[20 true 11 false false test.lua:5: inner]" {
		t.Fatalf("got %v", got)
	}
	// Yielding across a Go function is an error, not a crash.
	err := s.DoString(`local co = coroutine.wrap(function() callback(function() coroutine.yield() end) end) co()`, "y.lua")
	if err == nil || !strings.Contains(err.Error(), "attempt to yield across a C-call boundary") {
		t.Fatalf("yield across Go: %v", err)
	}
}

// Static Go functions are plain C functions to Lua, one per slot; past the last slot they are
// made like PushGoFunction's, and every one of them still reaches its own Go function.
func TestStaticGoFunctions(t *testing.T) {
	s := newState(t, Options{OnPanic: func(any, []byte) {}})
	const n = staticFuncs + 5
	s.NewTable()
	for i := 0; i < n; i++ {
		i := i
		s.PushStaticGoFunction(func(s *State) (int, error) {
			x, _ := s.ToInteger(1)
			s.PushInteger(x + int64(i))
			return 1, nil
		})
		s.RawSetI(-2, int64(i+1))
	}
	if err := s.SetGlobal("fns"); err != nil {
		t.Fatal(err)
	}
	if len(s.vm.statics) != staticFuncs {
		t.Fatalf("%d static slots used, want all %d", len(s.vm.statics), staticFuncs)
	}
	got := run(t, s, `
		local bad = {}
		for i = 1, #fns do
			if fns[i](1000) ~= 1000 + i - 1 then bad[#bad + 1] = i end
		end
		return #bad, debug.getinfo(fns[1]).what, select(2, pcall(fns[1], 0))`)
	if got[0] != int64(0) || got[1] != "C" || got[2] != int64(0) {
		t.Fatalf("static functions: %v bad, what %v, pcall result %v", got[0], got[1], got[2])
	}
	// Errors and panics of a static function become Lua errors like any Go function's.
	if err := s.Register("boom", func(s *State) (int, error) { panic("static boom") }); err != nil {
		t.Fatal(err)
	}
	err := s.DoString("boom()", "static.lua")
	if err == nil || !strings.Contains(err.Error(), "static boom") {
		t.Fatalf("panic in a static function: %v", err)
	}
}
