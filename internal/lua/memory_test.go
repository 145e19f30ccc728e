package lua

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMemoryCap(t *testing.T) {
	const limit = 16 << 20
	s := newState(t, Options{MemoryLimit: limit})
	if s.MemoryLimit() != limit {
		t.Fatalf("MemoryLimit = %d", s.MemoryLimit())
	}
	base := s.MemoryUsed()
	if base <= 0 || base > 1<<20 {
		t.Fatalf("fresh state uses %d bytes", base)
	}
	bombs := []string{
		"local t = {} while true do t[#t+1] = string.rep('x', 1e6) end",
		"local t = {} local i = 0 while true do i = i + 1 t[i] = {i, i, i} end",
		"local s = 'x' while true do s = s .. s end",
		"return string.rep('x', 1 << 30)",
	}
	for _, code := range bombs {
		err := s.DoString(code, "bomb.lua")
		var le *Error
		if !errors.As(err, &le) || le.Kind != MemoryError || le.Message != "not enough memory" {
			t.Fatalf("%s: got %v, want a memory error", code, err)
		}
		if s.MemoryPeak() > limit {
			t.Fatalf("%s: peak %d exceeds the cap %d", code, s.MemoryPeak(), limit)
		}
		if s.Top() != 0 {
			t.Fatalf("top %d", s.Top())
		}
		s.GC()
		if used := s.MemoryUsed(); used > base+(256<<10) {
			t.Fatalf("%s: %d bytes still used after collection (base %d)", code, used, base)
		}
		if got := run(t, s, "return #string.rep('y', 1000)"); got[0] != int64(1000) {
			t.Fatal("state unusable after the memory error")
		}
	}
	// A script can catch the memory error and carry on.
	got := run(t, s, "local ok, e = pcall(string.rep, 'x', 1 << 30) return ok, e")
	if got[0] != false || got[1] != "not enough memory" {
		t.Fatalf("pcall(memory bomb) = %v", got)
	}
	// Host operations are not capped: they never raise from Go.
	s.SetMemoryLimit(s.MemoryUsed())
	big := strings.Repeat("z", 1<<20)
	s.PushString(big)
	s.NewTable()
	if s.MemoryUsed() <= s.MemoryLimit() {
		t.Fatal("host pushes should go past the cap without failing")
	}
	s.SetTop(0)
	if err := s.DoString("local t = {} for i = 1, 1e6 do t[i] = i end", "after.lua"); err == nil {
		t.Fatal("script allocation past the cap succeeded")
	}
	s.SetMemoryLimit(0)
	if err := s.DoString("local t = {} for i = 1, 1e5 do t[i] = i end", "after.lua"); err != nil {
		t.Fatalf("no cap: %v", err)
	}
	s.SetMemoryLimit(-1)
	if s.MemoryLimit() != 0 {
		t.Fatal("negative limit should mean none")
	}
}

func TestMemoryCapCompilation(t *testing.T) {
	s := newState(t, Options{MemoryLimit: 1 << 20})
	var b strings.Builder
	b.WriteString("return {")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&b, "'distinct constant string number %d',", i)
	}
	b.WriteString("}")
	code := b.String()
	err := s.LoadString(code, "huge.lua")
	var le *Error
	if !errors.As(err, &le) || le.Kind != MemoryError {
		t.Fatalf("compiling past the cap: %v", err)
	}
	if s.Top() != 0 {
		t.Fatalf("top %d", s.Top())
	}
}

func TestNewOptionsErrors(t *testing.T) {
	if _, err := New(Options{MemoryLimit: -1}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("negative limit: %v", err)
	}
	// A cap below what the standard library needs still gives a state (setup is host work),
	// whose scripts then fail cleanly.
	s := newState(t, Options{MemoryLimit: 100})
	err := s.DoString("local t = {} for i = 1, 100 do t[i] = {} end", "tiny.lua")
	var le *Error
	if !errors.As(err, &le) || le.Kind != MemoryError {
		t.Fatalf("script under a tiny cap: %v", err)
	}
}
