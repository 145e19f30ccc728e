package lua

/*
#include "host.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unsafe"
)

// GoFunction is a Go function callable from Lua. It reads its arguments at indices 1..Top(),
// pushes its results and returns how many it pushed. To raise a Lua error it returns a non-nil
// error (an *ArgError for a bad argument); the error is raised by C after the Go function has
// returned, so no Lua error ever unwinds Go frames. A panic becomes a Lua error too.
//
// s is the thread that called: the main State, or a State for the running coroutine. A
// coroutine's State is valid only until the Go function returns; keep the main State (Main)
// for later use.
type GoFunction func(s *State) (int, error)

// PushGoFunction pushes fn as a Lua function.
func (s *State) PushGoFunction(fn GoFunction) { s.PushGoClosure(fn, 0) }

// PushGoClosure pops nup values and pushes fn as a Lua function with them as upvalues; inside
// fn they are at UpvalueIndex(1..nup).
func (s *State) PushGoClosure(fn GoFunction, nup int) {
	s.sync()
	if fn == nil {
		panic("lua: PushGoClosure with a nil function")
	}
	if !s.CheckStack(2) {
		s.pushed(0)
	}
	v := s.vm
	var id int64
	if n := len(v.freeFn); n > 0 {
		id = v.freeFn[n-1]
		v.freeFn = v.freeFn[:n-1]
		v.funcs[id] = goFunc{fn: fn}
	} else {
		id = int64(len(v.funcs))
		v.funcs = append(v.funcs, goFunc{fn: fn})
	}
	C.nf_pushgofunction(s.L, C.int64_t(id), C.int(nup))
}

// staticFuncs is how many static Go functions a state can have (see PushStaticGoFunction).
const staticFuncs = C.NF_STATIC_FUNCS

// PushStaticGoFunction pushes fn as a Lua function that lives as long as the state: the form
// for an API's functions, which are made once. It is a plain C function to Lua, so calling it
// costs less than a function from PushGoFunction, but Lua cannot tell Go when it is dropped,
// so its slot is never reused. Once a state's staticFuncs slots are taken, it is
// PushGoFunction.
func (s *State) PushStaticGoFunction(fn GoFunction) {
	v := s.vm
	if fn == nil {
		panic("lua: PushStaticGoFunction with a nil function")
	}
	if len(v.statics) >= staticFuncs {
		s.PushGoFunction(fn)
		return
	}
	s.sync()
	if !s.CheckStack(1) {
		s.pushed(0)
	}
	v.statics = append(v.statics, goFunc{fn: fn})
	C.nf_pushstatic(s.L, C.int(len(v.statics)-1))
}

// UpvalueIndex returns the pseudo-index of the n-th upvalue of the running Go closure.
func UpvalueIndex(n int) int { return int(C.nf_upvalueindex(C.int(n))) }

// Register sets the global name to the Go function fn, made with PushStaticGoFunction.
func (s *State) Register(name string, fn GoFunction) error {
	s.PushStaticGoFunction(fn)
	return s.SetGlobal(name)
}

//export nfRelease
func nfRelease(h C.uintptr_t, kind C.int, id C.int64_t) {
	v := lookupVM(uintptr(h))
	if v == nil || v.funcs == nil {
		return
	}
	if kind == 0 {
		v.funcs[id] = goFunc{}
		v.freeFn = append(v.freeFn, int64(id))
	} else {
		v.values[id] = nil
		v.freeVal = append(v.freeVal, int64(id))
	}
}

//export nfGoCall
func nfGoCall(h C.uintptr_t, id C.int64_t, L *C.lua_State) (ret C.int) {
	v := lookupVM(uintptr(h))
	s := v.threadState(L)
	var f *goFunc
	if id < 0 {
		f = &v.statics[-id-1] // see PushStaticGoFunction
	} else {
		f = &v.funcs[id]
	}
	// A panic must not unwind into C: the deferred function turns one into a Lua error. The
	// flag, set once nothing more can panic, spares a normal return the call to recover.
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				ret = s.goPanicked(f, r)
			}
		}
	}()
	v.startLazy(L)
	n, err := f.fn(s)
	if err != nil {
		ret = s.raise(err) // pushing the message can panic too
		returned = true
		return ret
	}
	// Hand pending results to the C side, which pushes them after Go returns.
	if s.lazyFor() {
		v.lazy = nil
		v.x.apply = 1
	} else {
		s.sync()
		v.x.apply = 0
	}
	returned = true
	return C.int(n)
}

// raise pushes the message of err for the C side to raise.
func (s *State) raise(err error) C.int {
	s.sync()
	s.vm.x.apply = 0
	var ae *ArgError
	if errors.As(err, &ae) {
		s.vm.x.argerr = C.int(ae.Arg)
		s.roomForMessage()
		s.PushString(ae.Msg)
		return C.NF_ARGERR
	}
	var le *Error
	if errors.As(err, &le) {
		s.roomForMessage()
		s.PushString(le.Message) // the outer handler adds the outer traceback
		return C.NF_RAISE
	}
	s.roomForMessage()
	s.PushString(err.Error())
	return C.NF_RAISE
}

// roomForMessage makes room for the error message of a failing Go function. On a full stack it
// drops the function's own values, which Lua is about to unwind anyway.
func (s *State) roomForMessage() {
	if !s.CheckStack(1) {
		C.lua_settop(s.L, 0)
	}
}

func (s *State) goPanicked(f *goFunc, r any) C.int {
	s.vm.lazy = nil // the stack may be anything: let Lua unwind it
	s.vm.x.apply = 0
	stack := debug.Stack()
	name := f.name
	if name == "" && f.fn != nil {
		if fn := runtime.FuncForPC(reflect.ValueOf(f.fn).Pointer()); fn != nil {
			name = fn.Name()
		}
		f.name = name
	}
	if s.vm.opts.OnPanic != nil {
		s.vm.opts.OnPanic(r, stack)
	} else {
		s.vm.logger.Error("lua: Go function panicked", "func", name, "panic", fmt.Sprint(r), "stack", string(stack))
	}
	s.roomForMessage()
	s.PushString(fmt.Sprintf("Go function %s panicked: %v", name, r))
	return C.NF_RAISE
}

// Call calls the function below nargs arguments on the stack, with the state's default time
// budget, and leaves nresults results (all of them with MultRet). On error the function and
// arguments are gone and an *Error is returned, with the traceback.
func (s *State) Call(nargs, nresults int) error {
	return s.CallBudget(nargs, nresults, s.vm.opts.Budget)
}

// CallBudget is Call with its own time budget (0: none). The budget only applies when no
// outer call with a budget is running: an outer budget covers everything below it.
func (s *State) CallBudget(nargs, nresults int, budget time.Duration) error {
	return s.call(functionOnStack, nargs, nresults, budget)
}

// CallRef calls the function held in registry slot ref (see Ref) with nargs arguments from
// the stack: Call without pushing the function first, in one crossing into C.
func (s *State) CallRef(ref, nargs, nresults int) error {
	return s.call(ref, nargs, nresults, s.vm.opts.Budget)
}

// CallRefBudget is CallRef with its own time budget.
func (s *State) CallRefBudget(ref, nargs, nresults int, budget time.Duration) error {
	return s.call(ref, nargs, nresults, budget)
}

// functionOnStack is the ref of call for the function below the arguments: LUA_NOREF, which
// no registry slot has.
const functionOnStack = C.LUA_NOREF

// call is every call from Go into Lua, in one crossing: the lazy stack's pending pushes and
// pops go to C with it (NF_APPLY), and the results C cached start the next lazy stretch.
func (s *State) call(ref, nargs, nresults int, budget time.Duration) error {
	v := s.vm
	var flags C.int
	if v.lazy != nil {
		if v.lazy == s.L {
			v.lazy = nil
			flags = C.NF_APPLY
		} else {
			s.sync() // another thread's pending state
		}
	}
	armed := v.enter(budget)
	if ref == functionOnStack {
		C.nf_call(s.l(), C.int(nargs), C.int(nresults), flags|armed)
	} else {
		C.nf_callref(s.l(), C.int(ref), C.int(nargs), C.int(nresults), flags|armed)
	}
	if st := v.x.status; st != C.LUA_OK {
		return s.failed(st, armed)
	}
	v.leave(armed)
	v.startLazy(s.L)
	return nil
}

// l is the state as an integer, for the C entry points that take it so (see nf_call).
func (s *State) l() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(s.L))) }

// failed ends a call whose status st (from nf_state) is not plain success: an error, or
// NF_TIMED set when the watchdog interrupted the call.
func (s *State) failed(st C.int, armed C.int) error {
	timedOut := st&C.NF_TIMED != 0
	st &^= C.NF_TIMED
	seq := s.vm.seq
	s.vm.leave(armed)
	if st == C.LUA_OK {
		s.vm.startLazy(s.L)
		return nil
	}
	if st < 0 {
		panic("lua: stack overflow: no room for the call's function and pending values")
	}
	e := s.newError(st, RuntimeError)
	if timedOut {
		// A pcall in the script (or in a runtime between handlers) may have caught the
		// first timeout and something else raised the one that ended the call: report the
		// first, which names the line that was stuck.
		if C.nf_timeout_take(s.L, C.uint64_t(seq)) != 0 {
			if C.lua_type(s.L, -2) == C.LUA_TSTRING {
				e.Message = s.rawString(-2)
				e.Chunk, e.Line = splitPosition(e.Message)
			}
			if C.lua_type(s.L, -1) == C.LUA_TSTRING {
				e.Traceback = s.rawString(-1)
			}
			C.lua_settop(s.L, -3)
		}
		// Whatever ended the call once its budget was spent (the hook, a refused allocation
		// in a library call) is reported as the timeout it is.
		e.Kind = TimeoutError
		if !strings.Contains(e.Message, "script timed out after") {
			e.Message = fmt.Sprintf("script timed out after %dms (%s)", s.vm.lastBudget.Milliseconds(), e.Message)
		}
	}
	return e
}

// SetBudget changes the default time budget of calls (0: none).
func (s *State) SetBudget(d time.Duration) { s.vm.opts.Budget = d }

// Budget returns the default time budget of calls.
func (s *State) Budget() time.Duration { return s.vm.opts.Budget }

// Ref pops the top value and stores it in the registry, returning its slot (RefNil for nil).
// Release it with Unref.
func (s *State) Ref() int {
	s.sync()
	return int(C.nf_ref(s.L))
}

// RefNil is the slot Ref returns for nil; PushRef(RefNil) pushes nil.
const RefNil = C.LUA_REFNIL

// NoRef is a slot that is never used by Ref.
const NoRef = C.LUA_NOREF

// Unref releases a registry slot from Ref.
func (s *State) Unref(ref int) {
	s.sync()
	C.luaL_unref(s.L, C.LUA_REGISTRYINDEX, C.int(ref))
}

// PushRef pushes the value held in registry slot ref.
func (s *State) PushRef(ref int) {
	s.sync()
	s.pushed(C.nf_push_ref(s.L, C.int(ref)))
}

// GetGlobal pushes the global name, metamethods of the global table included.
func (s *State) GetGlobal(name string) (Type, error) {
	s.sync()
	p, n := cstrView(name)
	if st := C.nf_getglobal(s.L, p, n); st != C.LUA_OK {
		return TypeNil, s.newError(st, RuntimeError)
	}
	return s.Type(-1), nil
}

// SetGlobal pops a value into the global name.
func (s *State) SetGlobal(name string) error {
	s.sync()
	p, n := cstrView(name)
	if st := C.nf_setglobal(s.L, p, n); st != C.LUA_OK {
		return s.newError(st, RuntimeError)
	}
	return nil
}

// GetUpvalue pushes the n-th upvalue of the function at fidx and returns its name ("" for C
// functions); ok is false, and nothing is pushed, when there is no such upvalue.
func (s *State) GetUpvalue(fidx, n int) (name string, ok bool) {
	s.sync()
	s.CheckStack(1)
	p := C.lua_getupvalue(s.L, C.int(fidx), C.int(n))
	if p == nil {
		return "", false
	}
	return C.GoString(p), true
}

// SetUpvalue pops a value into the n-th upvalue of the function at fidx and returns its name;
// ok is false, and the value stays on the stack, when there is no such upvalue.
func (s *State) SetUpvalue(fidx, n int) (name string, ok bool) {
	s.sync()
	p := C.lua_setupvalue(s.L, C.int(fidx), C.int(n))
	if p == nil {
		return "", false
	}
	return C.GoString(p), true
}
