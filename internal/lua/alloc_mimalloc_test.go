//go:build mimalloc

package lua

import (
	"strings"
	"testing"
)

// TestMimallocAllocator checks that a build with the tag mimalloc gives Lua mimalloc's memory
// and that the memory cap still holds over it.
func TestMimallocAllocator(t *testing.T) {
	if Allocator != "mimalloc" {
		t.Fatalf("Allocator = %q", Allocator)
	}
	s := newState(t, Options{MemoryLimit: 8 << 20})
	if err := s.DoString("big = string.rep('x', 1 << 20) small = {1, 2, 3}", "alloc.lua"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"big", "small"} {
		if _, err := s.GetGlobal(name); err != nil {
			t.Fatal(err)
		}
		if !s.inMimallocHeap(-1) {
			t.Errorf("%s is not in mimalloc's heap", name)
		}
		s.Pop(1)
	}
	err := s.DoString("local t = {} while true do t[#t+1] = string.rep('y', 1 << 20) end", "bomb.lua")
	if err == nil || !strings.Contains(err.Error(), "not enough memory") {
		t.Fatalf("memory bomb: %v", err)
	}
	if s.MemoryPeak() > 8<<20 {
		t.Fatalf("peak %d over the cap", s.MemoryPeak())
	}
}
