// Package baseline is the least a cgo binding of Lua 5.4 can cost per call: one crossing each
// way with nothing else around it. The benchmarks of package lua measure it in the same run as
// the real binding, so their figures read as ratios to what this machine allows rather than as
// absolute times that depend on the hardware. It is not for use outside benchmarks.
package baseline

/*
#cgo pkg-config: lua5.4
#cgo CFLAGS: -O2
#include <stdlib.h>
#include "baseline.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// State is a bare Lua state with the standard libraries and the global hostadd(a, b), which
// calls Go to add two numbers.
type State struct{ L *C.lua_State }

// New creates a State.
func New() (*State, error) {
	L := C.base_new()
	if L == nil {
		return nil, errors.New("baseline: cannot create a Lua state")
	}
	return &State{L: L}, nil
}

// Close frees the state.
func (s *State) Close() { C.base_close(s.L) }

// Run runs the chunk src with the integer arg as its one argument (`...`) and returns its
// result, converted to an integer.
func (s *State) Run(src string, arg int64) (int64, error) {
	cs := C.CString(src)
	defer C.free(unsafe.Pointer(cs))
	var out C.longlong
	if rc := C.base_run(s.L, cs, C.size_t(len(src)), C.longlong(arg), &out); rc != C.LUA_OK {
		return 0, fmt.Errorf("baseline: chunk failed with status %d", int(rc))
	}
	return int64(out), nil
}

// CallHandler calls the global function handler with i and returns its integer result: one
// crossing from Go into Lua.
func (s *State) CallHandler(i int64) (int64, error) {
	r := C.base_call_handler(s.L, C.longlong(i))
	if C.base_status != C.LUA_OK {
		return 0, fmt.Errorf("baseline: handler failed with status %d", int(C.base_status))
	}
	return int64(r), nil
}

// Nop makes one empty call from Go into C.
func Nop() { C.base_nop() }

// CallbackLoop makes n empty calls from C into Go.
func CallbackLoop(n int) { C.base_callback_loop(C.longlong(n)) }

//export baseHostAdd
func baseHostAdd(a, b C.double) C.double { return a + b }

//export baseNopCallback
func baseNopCallback() {}
