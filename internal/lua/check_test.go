package lua

import (
	"fmt"
	"strings"
	"testing"
)

func TestArgumentChecks(t *testing.T) {
	s := newState(t, Options{})
	s.Register("f", func(s *State) (int, error) {
		i, err := s.CheckInteger(1)
		if err != nil {
			return 0, err
		}
		f, err := s.CheckNumber(2)
		if err != nil {
			return 0, err
		}
		str, err := s.CheckString(3)
		if err != nil {
			return 0, err
		}
		if err := s.CheckType(4, TypeTable); err != nil {
			return 0, err
		}
		if err := s.CheckAny(5); err != nil {
			return 0, err
		}
		oi, err := s.OptInteger(6, 7)
		if err != nil {
			return 0, err
		}
		of, err := s.OptNumber(7, 0.5)
		if err != nil {
			return 0, err
		}
		os, err := s.OptString(8, "def")
		if err != nil {
			return 0, err
		}
		ob := s.OptBoolean(9, true)
		s.PushString(fmt.Sprint(i, ",", f, ",", str, ",", oi, ",", of, ",", os, ",", ob))
		return 1, nil
	})
	cases := []struct{ call, want string }{
		{"return f(1, 2, 'x', {}, nil)", "1,2,x,7,0.5,def,true"},
		{"return f('3', 2.5, 4, {}, false, 8, 9, 'y', false)", "3,2.5,4,8,9,y,false"},
		{"return f(1.5)", "bad argument #1 to 'f' (number has no integer representation)"},
		{"return f('x')", "bad argument #1 to 'f' (number expected, got string)"},
		{"return f(1)", "bad argument #2 to 'f' (number expected, got no value)"},
		{"return f(1, 2, {})", "bad argument #3 to 'f' (string expected, got table)"},
		{"return f(1, 2, 'x', 'y')", "bad argument #4 to 'f' (table expected, got string)"},
		{"return f(1, 2, 'x', {})", "bad argument #5 to 'f' (value expected)"},
		{"return f(1, 2, 'x', {}, 1, 'z')", "bad argument #6 to 'f' (number expected, got string)"},
		{"return f(1, 2, 'x', {}, 1, 1, true)", "bad argument #7 to 'f' (number expected, got boolean)"},
		{"return f(1, 2, 'x', {}, 1, 1, 1, {})", "bad argument #8 to 'f' (string expected, got table)"},
	}
	for _, c := range cases {
		if err := s.DoStringResults(c.call, "c.lua", 1); err != nil {
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.call, err, c.want)
			}
			continue
		}
		got, _ := s.ToString(-1)
		s.Pop(1)
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.call, got, c.want)
		}
	}
}
