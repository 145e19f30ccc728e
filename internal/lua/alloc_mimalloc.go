//go:build mimalloc

package lua

// Built with the tag mimalloc, Lua states allocate with mimalloc (Debian: libmimalloc-dev) instead
// of the C library's malloc. The binary then needs libmimalloc.so.2 at run time.

/*
#cgo CFLAGS: -DNF_MIMALLOC
#cgo LDFLAGS: -lmimalloc
#include <mimalloc.h>
#include <lua.h>
*/
import "C"

// Allocator names the allocator behind Lua states' memory: "mimalloc" or "libc".
const Allocator = "mimalloc"

// inMimallocHeap reports whether the collectable value at idx lives in mimalloc's heap. It is
// here rather than in the test, which cannot use cgo.
func (s *State) inMimallocHeap(idx int) bool {
	s.sync()
	return bool(C.mi_is_in_heap_region(C.lua_topointer(s.L, C.int(idx))))
}
