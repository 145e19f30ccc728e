package lua

import (
	"fmt"
	"math"
	"testing"
)

func TestKindsAndMessages(t *testing.T) {
	kinds := map[ErrorKind]string{RuntimeError: "runtime error", SyntaxError: "syntax error",
		MemoryError: "memory error", TimeoutError: "timeout", HandlerError: "error in error handling", 42: "error kind 42"}
	for k, want := range kinds {
		if k.String() != want {
			t.Errorf("ErrorKind(%d) = %q, want %q", int(k), k.String(), want)
		}
	}
	if got := (&ArgError{Arg: 2, Msg: "number expected"}).Error(); got != "bad argument #2 (number expected)" {
		t.Errorf("ArgError = %q", got)
	}
	if Type(42).String() != "type(42)" || TypeThread.String() != "thread" {
		t.Errorf("Type strings: %q %q", Type(42).String(), TypeThread.String())
	}
	e := &Error{Message: "m", Traceback: "stack traceback:\n\tx"}
	if e.Error() != "m\nstack traceback:\n\tx" || (&Error{Message: "m"}).Error() != "m" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestFloatToInteger(t *testing.T) {
	cases := []struct {
		f  float64
		n  int64
		ok bool
	}{
		{3, 3, true}, {-2, -2, true}, {2.5, 0, false}, {math.Inf(1), 0, false}, {math.NaN(), 0, false},
		{-(1 << 63), math.MinInt64, true}, {1 << 63, 0, false}, {1e300, 0, false}, {-0.0, 0, true},
	}
	for _, c := range cases {
		n, ok := floatToInteger(c.f)
		if n != c.n || ok != c.ok {
			t.Errorf("floatToInteger(%v) = %d, %v; want %d, %v", c.f, n, ok, c.n, c.ok)
		}
	}
}

// TestArgumentConversions checks the cached argument reads of a Go function against the same
// reads on the real stack, for every kind of argument.
func TestArgumentConversions(t *testing.T) {
	s := newState(t, Options{})
	type reading struct {
		typ       Type
		i         int64
		iok       bool
		f         float64
		fok       bool
		str       string
		sok       bool
		b         bool
		view      string
		isTable   bool
		isInteger bool
	}
	read := func(s *State, idx int) reading {
		r := reading{typ: s.Type(idx), b: s.ToBoolean(idx), isTable: s.IsTable(idx), isInteger: s.IsInteger(idx)}
		r.i, r.iok = s.ToInteger(idx)
		r.f, r.fok = s.ToNumber(idx)
		r.str, r.sok = s.ToString(idx)
		r.view = string(s.ToBytesView(idx))
		return r
	}
	var lazy, real []reading
	s.Register("probe", func(s *State) (int, error) {
		lazy, real = nil, nil
		n := s.Top()
		for i := 1; i <= n; i++ {
			lazy = append(lazy, read(s, i))
		}
		s.PushString("force a sync") // from here on, reads go to the real stack
		for i := 1; i <= n; i++ {
			real = append(real, read(s, i))
		}
		return 0, nil
	})
	run(t, s, `probe(1, 2.0, 2.5, "10", "0x10", "x", "", true, false, nil, {}, -0.0, math.huge, 1 << 62)`)
	if len(lazy) != 14 {
		t.Fatalf("%d readings", len(lazy))
	}
	for i := range lazy {
		if fmt.Sprint(lazy[i]) != fmt.Sprint(real[i]) {
			t.Errorf("argument %d: cached %+v, real %+v", i+1, lazy[i], real[i])
		}
	}
	if real[1].i != 2 || !real[1].iok || real[3].i != 10 || real[4].i != 16 || real[2].iok {
		t.Errorf("conversions: %+v %+v %+v", real[1], real[3], real[4])
	}
}
