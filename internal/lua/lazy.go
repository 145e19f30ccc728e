package lua

/*
#include "host.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// The lazy stack keeps the common host patterns at one cgo crossing per call:
//
//   - A Go function called from Lua finds its first NF_CACHE arguments copied into C memory
//     by the C side (nf_gocall), so ToInteger, ToNumber, ToString, ToBoolean, Type and Top
//     read them without crossing; scalar results (PushNil, PushBoolean, PushInteger,
//     PushNumber) wait in C memory and the C side pushes them after Go returns.
//   - After Call or CallRef with a fixed result count, the results are cached the same way,
//     Pop only lowers the top Go believes in, and scalar pushes wait for the next call, which
//     applies them in its own crossing.
//
// Every other operation first applies the pending state (sync) and then works on the real
// stack. The state is per Lua state (vm), tied to the thread it describes.

// sync applies pending pops and pushes so the real stack is what Go believes it is.
func (s *State) sync() {
	v := s.vm
	L := v.lazy
	if L == nil {
		return
	}
	v.lazy = nil
	if C.nf_apply(L) == 0 {
		panic("lua: stack overflow applying pending pushes")
	}
}

// startLazy enters lazy mode for thread L, whose top and cached values C has just recorded.
func (v *vm) startLazy(L *C.lua_State) { v.lazy = L }

// lazyFor reports whether s is the thread in lazy mode.
func (s *State) lazyFor() bool { return s.vm.lazy == s.L }

// cached returns the cached copy of the value at idx, or nil when it is not cached. It is
// small enough to inline into the accessors' fast paths.
func (s *State) cached(idx int) *C.nf_val {
	if !s.lazyFor() {
		return nil
	}
	x := s.vm.x
	if idx < 0 {
		// Pseudo-indices stay negative and so fall outside the range below.
		idx += int(x.ktop+x.npend) + 1
	}
	// One unsigned comparison covers both ends of the cached range, which never reaches
	// past ktop (lazyPop shortens it).
	k := uint(idx - int(x.cbase) - 1)
	if k >= uint(x.ncache) {
		return nil
	}
	return &x.cache[k&(C.NF_CACHE-1)] // the mask spares a bounds check: ncache <= NF_CACHE
}

// pend reserves a pending push slot, or returns nil when the value must be pushed for real.
func (s *State) pend() *C.nf_val {
	if !s.lazyFor() {
		return nil
	}
	x := s.vm.x
	n := x.npend
	if n >= C.NF_CACHE {
		return nil
	}
	x.npend = n + 1
	return &x.pend[n]
}

// lazyPop pops n values from s, the thread in lazy mode, and reports whether it could.
func (s *State) lazyPop(n int) bool {
	x := s.vm.x
	top := int(x.ktop+x.npend) - n
	if top >= int(x.ktop) {
		x.npend = C.int(top - int(x.ktop))
		return true
	}
	if top < 0 {
		return false
	}
	x.npend = 0
	x.ktop = C.int(top)
	if end := int(x.cbase + x.ncache); end > top {
		x.ncache = C.int(max(top-int(x.cbase), 0))
	}
	return true
}

// floatToInteger converts f to an integer when it has an exact integer value, as Lua does.
func floatToInteger(f float64) (int64, bool) {
	if f != math.Floor(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func cachedString(c *C.nf_val) string {
	if c.len == 0 {
		return ""
	}
	return C.GoStringN(c.s, C.int(c.len))
}

func cachedBytes(c *C.nf_val) []byte {
	if c.len == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(c.s)), int(c.len))
}
