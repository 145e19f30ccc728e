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
//     by the trampoline, so ToInteger, ToNumber, ToString, ToBoolean, Type and Top read them
//     without crossing; scalar results (PushNil, PushBoolean, PushInteger, PushNumber) wait in
//     C memory and the trampoline pushes them after Go returns.
//   - After Call or CallRef with a fixed result count, the results are cached the same way,
//     Pop only lowers the top Go believes in, and scalar pushes wait for the next call, which
//     applies them in its own crossing.
//
// Every other operation first applies the pending state (sync) and then works on the real
// stack. The state is per Lua state (vm), tied to the thread it describes.

type lazyState struct {
	on     bool
	L      *C.lua_State
	ktop   int // top as Go sees it, excluding pending pushes
	npend  int
	cbase  int
	ncache int
}

// sync applies pending pops and pushes so the real stack is what Go believes it is.
func (s *State) sync() {
	v := s.vm
	if !v.lz.on {
		return
	}
	v.lz.on = false
	v.x.ktop = C.int(v.lz.ktop)
	v.x.npend = C.int(v.lz.npend)
	v.lz.npend = 0
	if C.nf_apply(v.lz.L) == 0 {
		panic("lua: stack overflow applying pending pushes")
	}
}

// startLazy enters lazy mode for thread L from what C recorded (ktop, cache).
func (v *vm) startLazy(L *C.lua_State) {
	// Field by field: a composite literal would be built on the stack and copied.
	x, lz := v.x, &v.lz
	lz.on = true
	lz.L = L
	lz.ktop = int(x.ktop)
	lz.npend = 0
	lz.cbase = int(x.cbase)
	lz.ncache = int(x.ncache)
}

// handOff prepares a call on s: pending state is passed to C to apply in the same crossing.
// It returns NF_APPLY when C must apply it.
func (s *State) handOff() C.int {
	v := s.vm
	if !v.lz.on {
		return 0
	}
	if v.lz.L != s.L {
		s.sync()
		return 0
	}
	v.lz.on = false
	v.x.ktop = C.int(v.lz.ktop)
	v.x.npend = C.int(v.lz.npend)
	v.lz.npend = 0
	return C.NF_APPLY
}

// lazyFor reports whether s is the thread in lazy mode.
func (s *State) lazyFor() bool { return s.vm.lz.on && s.vm.lz.L == s.L }

// cached returns the cached copy of the value at idx, or nil when it is not cached.
func (s *State) cached(idx int) *C.nf_val {
	if !s.lazyFor() {
		return nil
	}
	lz := &s.vm.lz
	if idx < 0 && idx > RegistryIndex {
		idx = lz.ktop + lz.npend + idx + 1
	}
	if idx <= lz.cbase || idx > lz.cbase+lz.ncache || idx > lz.ktop {
		return nil
	}
	return &s.vm.x.cache[idx-lz.cbase-1]
}

// pend reserves a pending push slot, or returns nil when the value must be pushed for real.
func (s *State) pend() *C.nf_val {
	if !s.lazyFor() || s.vm.lz.npend >= C.NF_CACHE {
		return nil
	}
	p := &s.vm.x.pend[s.vm.lz.npend]
	s.vm.lz.npend++
	return p
}

// lazyPop pops n values in lazy mode and reports whether it could.
func (s *State) lazyPop(n int) bool {
	if !s.lazyFor() {
		return false
	}
	lz := &s.vm.lz
	if n <= lz.npend {
		lz.npend -= n
		return true
	}
	rest := n - lz.npend
	if rest > lz.ktop {
		return false
	}
	lz.npend = 0
	lz.ktop -= rest
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
