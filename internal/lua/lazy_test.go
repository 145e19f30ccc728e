package lua

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

// model mirrors what the Lua stack should hold, for the differential test of the lazy stack.
type model []any

// randomStackOps runs a random sequence of stack operations on s, checking each read against
// the model, and returns the model. It mixes operations served lazily with ones that force a
// sync, so every transition between the two is exercised.
func randomStackOps(t *testing.T, s *State, r *rand.Rand, m model, steps int) model {
	t.Helper()
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: got %#v, want %#v (model %v)", what, got, want, m)
		}
	}
	for i := 0; i < steps; i++ {
		check("Top", s.Top(), len(m))
		switch op := r.Intn(12); op {
		case 0:
			n := r.Int63n(1000) - 500
			s.PushInteger(n)
			m = append(m, n)
		case 1:
			f := float64(r.Intn(1000)) + 0.5
			s.PushNumber(f)
			m = append(m, f)
		case 2:
			b := r.Intn(2) == 0
			s.PushBoolean(b)
			m = append(m, b)
		case 3:
			s.PushNil()
			m = append(m, nil)
		case 4:
			str := "s" + strconv.Itoa(r.Intn(100))
			s.PushString(str) // not lazy: forces a sync
			m = append(m, str)
		case 5, 6:
			if len(m) > 0 {
				k := 1 + r.Intn(min(len(m), 3))
				s.Pop(k)
				m = m[:len(m)-k]
			}
		case 7, 8, 9:
			if len(m) == 0 {
				continue
			}
			idx := 1 + r.Intn(len(m))
			if r.Intn(2) == 0 {
				idx = idx - len(m) - 1 // same slot, relative
			}
			var want any
			if idx > 0 {
				want = m[idx-1]
			} else {
				want = m[len(m)+idx]
			}
			var got any
			switch s.Type(idx) {
			case TypeNil:
				got = nil
			case TypeBoolean:
				got = s.ToBoolean(idx)
			case TypeNumber:
				if s.IsInteger(idx) {
					got, _ = s.ToInteger(idx)
				} else {
					got, _ = s.ToNumber(idx)
				}
			case TypeString:
				got, _ = s.ToString(idx)
			default:
				t.Fatalf("unexpected type %v at %d", s.Type(idx), idx)
			}
			check(fmt.Sprintf("value at %d", idx), got, want)
			if n, ok := s.ToInteger(idx); ok {
				if w, isInt := want.(int64); isInt {
					check("ToInteger", n, w)
				}
			}
			if str, ok := s.ToString(idx); ok {
				if w, isStr := want.(string); isStr {
					check("ToString", str, w)
				}
			}
			check("ToBoolean", s.ToBoolean(idx), want != nil && want != false)
			// Just above the top is an acceptable index holding no value, even where a
			// popped value still lies in the cache.
			above := len(m) + 1
			check(fmt.Sprintf("Type at %d above the top", above), s.Type(above), TypeNone)
			if n, ok := s.ToInteger(above); ok {
				t.Fatalf("ToInteger(%d) above the top = %d, true", above, n)
			}
		case 10:
			if len(m) > 0 && r.Intn(3) == 0 {
				s.SetTop(len(m) - 1) // not lazy
				m = m[:len(m)-1]
			}
		case 11:
			if len(m) > 0 {
				s.PushValue(-1) // not lazy
				m = append(m, m[len(m)-1])
			}
		}
	}
	check("Top", s.Top(), len(m))
	return m
}

// checkFromLua compares the whole stack, read through the slow path, with m.
func checkFromLua(t *testing.T, s *State, m model) {
	t.Helper()
	for i, want := range m {
		got, err := s.ToAny(i + 1)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := want.(float64); ok {
			if g, ok := got.(float64); !ok || g != f {
				t.Fatalf("slot %d: %#v, want %#v", i+1, got, want)
			}
			continue
		}
		if got != want {
			t.Fatalf("slot %d: %#v, want %#v", i+1, got, want)
		}
	}
}

func TestLazyStackInGoFunctions(t *testing.T) {
	s := newState(t, Options{})
	r := rand.New(rand.NewSource(1))
	var results model
	s.Register("f", func(s *State) (int, error) {
		// Arguments arrive as the model's start.
		m := model{}
		for i := 1; i <= s.Top(); i++ {
			v, err := s.ToAny(i)
			if err != nil {
				return 0, err
			}
			m = append(m, v)
		}
		m = randomStackOps(t, s, r, m, 1+r.Intn(30))
		n := r.Intn(len(m) + 1)
		results = append(model{}, m[len(m)-n:]...)
		return n, nil
	})
	s.Register("check", func(s *State) (int, error) {
		if s.Top() != len(results) {
			return 0, fmt.Errorf("got %d results, want %d", s.Top(), len(results))
		}
		checkFromLua(t, s, results)
		return 0, nil
	})
	for i := 0; i < 3000; i++ {
		if err := s.DoString("check(f(1, 2.5, 'x', true, nil, 6, 7, 8, 9, 10))", "lazy.lua"); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
		if err := s.DoString("check(f())", "lazy.lua"); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
}

func TestLazyStackAtTopLevel(t *testing.T) {
	s := newState(t, Options{})
	r := rand.New(rand.NewSource(2))
	run(t, s, "function echo(...) return ... end function count(...) return select('#', ...) end")
	s.GetGlobal("echo")
	echo := s.Ref()
	s.GetGlobal("count")
	count := s.Ref()
	m := model{}
	for i := 0; i < 3000; i++ {
		m = randomStackOps(t, s, r, m, 1+r.Intn(10))
		if len(m) > 40 {
			s.SetTop(0)
			m = m[:0]
		}
		// Call echo with the top k values and ask for nres results.
		k := r.Intn(min(len(m), 10) + 1)
		nres := r.Intn(12)
		if err := s.CallRef(echo, k, nres); err != nil {
			t.Fatal(err)
		}
		args := append(model{}, m[len(m)-k:]...)
		m = m[:len(m)-k]
		for j := 0; j < nres; j++ {
			if j < len(args) {
				m = append(m, args[j])
			} else {
				m = append(m, nil)
			}
		}
		if r.Intn(4) == 0 {
			// Count what is on the stack from Lua's side.
			s.PushRef(count)
			s.Insert(1)
			n := len(m)
			if err := s.Call(n, 1); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.ToInteger(-1); got != int64(n) {
				t.Fatalf("Lua sees %d values, Go believes %d", got, n)
			}
			s.Pop(1)
			m = m[:0]
		}
	}
	checkFromLua(t, s, m)
}

func TestLazyStackAcrossThreadsAndNesting(t *testing.T) {
	s := newState(t, Options{})
	s.Register("add", func(s *State) (int, error) {
		a, _ := s.ToInteger(1)
		b, _ := s.ToInteger(2)
		s.PushInteger(a + b)
		s.PushBoolean(s.IsMain())
		return 2, nil
	})
	s.Register("nested", func(s *State) (int, error) {
		// Pending results, then a call into Lua which itself calls Go, then more results.
		s.PushInteger(1)
		s.PushValue(1)
		s.PushInteger(41)
		if err := s.Call(1, 1); err != nil {
			return 0, err
		}
		s.PushInteger(3)
		return 3, nil
	})
	got := run(t, s, `
		local a, main = add(2, 3)
		local co = coroutine.wrap(function() local x, m = add(10, 20) coroutine.yield(x, m) return add(1, 1) end)
		local b, cm = co()
		local c = co()
		local n1, n2, n3 = nested(function(v) local r = add(v, 1) return r end)
		return a, main, b, cm, c, n1, n2, n3`)
	want := "[5 true 30 false 2 1 42 3]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

// TestTrampolineResultsAfterRealPushesAndLazyPops: a Go function that pushes for real, makes a
// nested call (lazy again afterwards) and pops lazily below the real top must still return
// exactly the values Go believes are on top, not the leftovers of the real stack.
func TestTrampolineResultsAfterRealPushesAndLazyPops(t *testing.T) {
	s := newState(t, Options{})
	if err := s.DoString("function twice(x) return x * 2 end", "t.lua"); err != nil {
		t.Fatal(err)
	}
	s.Register("mixed", func(s *State) (int, error) {
		a, _ := s.ToInteger(1)
		s.PushString("junk") // real push: the stack grows above the arguments
		if _, err := s.GetGlobal("twice"); err != nil {
			return 0, err
		}
		s.PushInteger(a)
		if err := s.Call(1, 1); err != nil { // lazy again, ktop above the entry top
			return 0, err
		}
		r, _ := s.ToInteger(-1)
		s.Pop(2) // lazy pops back down to the entry top; the real stack still holds both
		s.PushInteger(r + 1)
		s.PushBoolean(true)
		return 2, nil
	})
	got := run(t, s, "local a, b, c = mixed(20) return a, b, c, select('#', mixed(1))")
	if len(got) != 4 || got[0] != int64(41) || got[1] != true || got[2] != nil || got[3] != int64(2) {
		t.Fatalf("mixed(20) = %v, want 41 true nil 2", got)
	}
}

// TestCallRefWithPendingValuesBelowArguments: pending scalar pushes below the arguments stay
// below the results, for one result, several, all of them, and an error.
func TestCallRefWithPendingValuesBelowArguments(t *testing.T) {
	s := newState(t, Options{Budget: time.Second})
	if err := s.DoString("function f(x) if x < 0 then error('negative') end return x * 2, x + 1 end", "t.lua"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetGlobal("f"); err != nil {
		t.Fatal(err)
	}
	ref := s.Ref()
	for _, nres := range []int{1, 2, MultRet} {
		base := s.Top()
		s.PushInteger(7) // pending, not an argument
		s.PushBoolean(true)
		s.PushInteger(5) // the argument
		if err := s.CallRef(ref, 1, nres); err != nil {
			t.Fatal(err)
		}
		want := []any{int64(7), true, int64(10)}
		if nres != 1 {
			want = append(want, int64(6))
		}
		if s.Top() != base+len(want) {
			t.Fatalf("nresults %d: top %d, want %d", nres, s.Top(), base+len(want))
		}
		for i, w := range want {
			got, err := s.ToAny(base + 1 + i)
			if err != nil || got != w {
				t.Errorf("nresults %d: slot %d = %v (%v), want %v", nres, i+1, got, err, w)
			}
		}
		s.SetTop(base)
	}
	base := s.Top()
	s.PushInteger(7)
	s.PushInteger(-1)
	if err := s.CallRef(ref, 1, 1); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("CallRef(f, -1) = %v, want the error", err)
	}
	if s.Top() != base+1 {
		t.Fatalf("after an error top %d, want %d (the value below the argument)", s.Top(), base+1)
	}
	if v, _ := s.ToInteger(-1); v != 7 {
		t.Errorf("value below the argument = %d after an error, want 7", v)
	}
}

// TestLazyStackAcrossCalls interleaves random stack operations with CallRef calls whose
// arguments are pending pushes, including calls that fail and values popped lazily before a
// call, and checks the stack against the model after each.
func TestLazyStackAcrossCalls(t *testing.T) {
	s := newState(t, Options{})
	run(t, s, `function sum(...)
		local n, total = select('#', ...), 0
		for i = 1, n do
			local v = select(i, ...)
			if v == -999 then error("refused") end
			total = total + v
		end
		return n, total
	end`)
	s.GetGlobal("sum")
	ref := s.Ref()
	r := rand.New(rand.NewSource(7))
	var m model
	for round := 0; round < 400; round++ {
		m = randomStackOps(t, s, r, m, r.Intn(6))
		nargs := r.Intn(4)
		var total int64
		fail := r.Intn(8) == 0
		for i := 0; i < nargs; i++ {
			v := int64(r.Intn(100))
			if fail && i == nargs-1 {
				v = -999
			}
			s.PushInteger(v)
			total += v
		}
		fail = fail && nargs > 0
		nresults := r.Intn(3)
		err := s.CallRef(ref, nargs, nresults)
		if fail {
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("round %d: call with a refused argument: %v", round, err)
			}
		} else {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			want := []any{int64(nargs), total}[:nresults]
			m = append(m, want...)
		}
		if got := s.Top(); got != len(m) {
			t.Fatalf("round %d: top %d after the call, want %d", round, got, len(m))
		}
		if r.Intn(10) == 0 {
			checkFromLua(t, s, m)
		}
	}
	checkFromLua(t, s, m)
}
