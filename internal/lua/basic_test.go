package lua

import (
	"testing"
	"time"
)

func TestBasics(t *testing.T) {
	s, err := New(Options{Budget: 100 * time.Millisecond, MemoryLimit: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Register("add", func(s *State) (int, error) {
		a, _ := s.ToInteger(1)
		b, _ := s.ToInteger(2)
		s.PushInteger(a + b)
		return 1, nil
	})
	if err := s.DoStringResults("return add(2, 3), tostring(3.0)", "pkg/Server/Index.lua", 2); err != nil {
		t.Fatal(err)
	}
	n, _ := s.ToInteger(-2)
	str, _ := s.ToString(-1)
	t.Log(n, str)
	s.Pop(2)
	err = s.DoString("local x = nil\nreturn x.y", "pkg/Server/Index.lua")
	t.Logf("%#v", err)
	start := time.Now()
	err = s.DoString("while true do end", "pkg/Server/Loop.lua")
	t.Logf("%v %v", time.Since(start), err)
	err = s.DoString("local t = {} while true do t[#t+1] = string.rep('x', 1e6) end", "bomb.lua")
	t.Logf("%v mem=%d", err, s.MemoryUsed())
	err = s.DoString("coroutine.wrap(function() while true do end end)()", "co.lua")
	t.Logf("%v", err)
	err = s.DoString("local co = coroutine.create(function() while true do end end) print(coroutine.resume(co)) error('after')", "co2.lua")
	t.Logf("%v", err)
	t.Log(s.Top())
}
