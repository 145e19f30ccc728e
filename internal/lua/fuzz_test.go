package lua

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzLoadString feeds arbitrary source to the compiler and runs what compiles under a small
// budget and memory cap: nothing may crash the process or leave the stack unbalanced.
func FuzzLoadString(f *testing.F) {
	seeds := []string{
		"", "return 1", "local x <const> = 1 return x", "return ...", "error('x')",
		"while true do end", "local t = {} while true do t[#t+1] = t end", "return (function(...) return select('#', ...) end)(1, nil, 3)",
		"\x1bLua\x54\x00", "::a:: goto a", "return 'unterminated", "return {{{{{{{{", "local a <close> = 4",
		"return string.rep('x', 1e9)", "return coroutine.wrap(function() coroutine.yield(1) end)()",
		"return setmetatable({}, {__index = function(t, k) return t[k] end}).x",
		"return load(string.char(27) .. 'Lua')", "--[==[ comment ]==] return [[long]]", "return 0x7fffffffffffffff + 1, 1e308 * 10, -0.0, 0/0",
		"return ('%s'):rep(100, ','):format(table.unpack({}))",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	s, err := New(Options{MemoryLimit: 8 << 20, Budget: 20 * time.Millisecond})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, code string) {
		top := s.Top()
		if err := s.LoadString(code, "fuzz.lua"); err != nil {
			if s.Top() != top {
				t.Fatalf("failed load changed the stack: %d -> %d", top, s.Top())
			}
			return
		}
		_ = s.Call(0, MultRet)
		for i := top + 1; i <= s.Top(); i++ {
			_, _ = s.ToAny(i)
			_, _ = s.Stringify(i)
		}
		s.SetTop(top)
		s.SetMemoryLimit(8 << 20)
	})
}

// FuzzSplitPosition checks the parser of "chunk:line:" error prefixes on arbitrary messages
// (scripts choose their error messages): it must not panic, and what it returns must be a
// prefix of the message's first line.
func FuzzSplitPosition(f *testing.F) {
	for _, s := range []string{"a.lua:1: x", "::::", ":1:", "x:99999999999999999999: y", "a\n:2: b", "é:3: ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		chunk, line := splitPosition(msg)
		if line == 0 {
			if chunk != "" {
				t.Fatalf("chunk %q without a line", chunk)
			}
			return
		}
		prefix := fmt.Sprintf("%s:%d:", chunk, line)
		if chunk == "" || len(msg) < len(prefix) || strings.ContainsRune(chunk, '\n') {
			t.Fatalf("splitPosition(%q) = %q, %d", msg, chunk, line)
		}
	})
}
