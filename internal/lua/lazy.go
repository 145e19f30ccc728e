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

// lazyState says which thread, if any, is in lazy mode. The rest of the lazy stack (the top Go
// believes in, the pending pushes, the cached values) lives in C memory (nf_state), where the
// C side reads and writes it in the same crossing as a call, so nothing is copied between the
// two on the way in or out.
type lazyState struct {
	on bool
	L  *C.lua_State
}

// sync applies pending pops and pushes so the real stack is what Go believes it is.
func (s *State) sync() {
	v := s.vm
	if !v.lz.on {
		return
	}
	v.lz.on = false
	if C.nf_apply(v.lz.L) == 0 {
		panic("lua: stack overflow applying pending pushes")
	}
}

// startLazy enters lazy mode for thread L, whose top and cached values C has just recorded.
func (v *vm) startLazy(L *C.lua_State) {
	v.lz.on = true
	v.lz.L = L
}

// lazyFor reports whether s is the thread in lazy mode.
func (s *State) lazyFor() bool { return s.vm.lz.on && s.vm.lz.L == s.L }

// cached returns the cached copy of the value at idx, or nil when it is not cached.
func (s *State) cached(idx int) *C.nf_val {
	if !s.lazyFor() {
		return nil
	}
	x := s.vm.x
	if idx < 0 && idx > RegistryIndex {
		idx += int(x.ktop+x.npend) + 1
	}
	// One unsigned comparison covers both ends of the cached range.
	k := idx - int(x.cbase) - 1
	if uint(k) >= uint(x.ncache) || idx > int(x.ktop) {
		return nil
	}
	return &x.cache[k]
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

// lazyPop pops n values in lazy mode and reports whether it could.
func (s *State) lazyPop(n int) bool {
	if !s.lazyFor() {
		return false
	}
	x := s.vm.x
	npend := int(x.npend)
	if n <= npend {
		x.npend = C.int(npend - n)
		return true
	}
	rest := n - npend
	if rest > int(x.ktop) {
		return false
	}
	x.npend = 0
	x.ktop -= C.int(rest)
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
