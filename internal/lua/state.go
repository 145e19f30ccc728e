package lua

/*
#include <stdlib.h>
#include "host.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Options configure a new State. The zero value is a sandboxed state with no memory cap and no
// time budget.
type Options struct {
	// MemoryLimit caps the bytes Lua may hold while scripts run; past it allocations fail and
	// the script gets Lua's "not enough memory" error. 0 means no cap.
	MemoryLimit int64
	// Budget is the default time budget of every outermost call into Lua (Call, CallRef,
	// DoString, DoFile). A call that runs longer is interrupted with a TimeoutError. 0 means no
	// budget. CallBudget overrides it per call.
	Budget time.Duration
	// Unsafe keeps the standard library functions that reach the operating system (os.execute,
	// io, dofile, loadfile …). Bytecode loading stays disabled either way.
	Unsafe bool
	// Logger receives the Go stack of a Go function that panicked and Lua warnings. Nil means
	// slog.Default().
	Logger *slog.Logger
	// OnPanic, when set, is called with the recovered value and the Go stack of a Go function
	// that panicked, instead of logging them.
	OnPanic func(value any, stack []byte)
	// OnWarn, when set, receives each complete Lua warning (the warn function, errors in __gc
	// metamethods) instead of the logger.
	OnWarn func(msg string)
	// IncrementalGC runs the collector in incremental mode. By default it runs in generational
	// mode, as the stand-alone lua5.4 interpreter does: scripts that make many short-lived
	// tables and strings (a Vector per operation, formatted messages) run markedly faster, and
	// a full collection happens only when the heap has grown by the major multiplier since the
	// last one. Incremental mode spreads every full cycle over many small steps instead, which
	// suits a large heap that keeps growing. Scripts can switch with collectgarbage.
	IncrementalGC bool
}

// State is a Lua state, or one of its coroutines when passed to a Go function called from a
// coroutine. A State and everything reached through it belong to one goroutine at a time.
type State struct {
	L  *C.lua_State
	vm *vm
}

// vm is what all States of one Lua state share.
type vm struct {
	handle  uintptr
	x       *C.nf_state
	main    *State
	opts    Options
	logger  *slog.Logger
	funcs   []goFunc // collectable Go functions by id (PushGoFunction)
	statics []goFunc // static Go functions by slot (PushStaticGoFunction)
	freeFn  []int64
	values  []any
	freeVal []int64
	thread  *State // wrapper of the coroutine that last called a Go function
	warn    strings.Builder
	closed  bool

	// call bookkeeping, see enter and leave
	depth      int
	armedDepth int
	wd         *watchdog
	// lazy is the thread in lazy mode, or nil. The rest of the lazy stack (the top Go
	// believes in, the pending pushes, the cached values) lives in C memory (nf_state),
	// where the C side reads and writes it in the same crossing as a call, so nothing is
	// copied between the two on the way in or out.
	lazy       *C.lua_State
	seq        uint64 // Go's copy of x.seq, which only the owning goroutine writes
	lastBudget time.Duration
	// Time of the running call spent in Unbudgeted waits, which the watchdog does not count:
	// pausedFor is the finished waits' total, pausedAt the start of the current one (0: none),
	// both in nanoseconds. Written by the owning goroutine, read by the watchdog.
	pausedFor atomic.Int64
	pausedAt  atomic.Int64
}

type goFunc struct {
	fn   GoFunction
	name string
}

// The registry of live states lets the C side refer to a state by a small integer: C memory
// must not hold Go pointers. Lookups are lock-free; registration is rare.
var (
	vmMu    sync.Mutex
	vmTable atomic.Pointer[[]*vm]
	vmFree  []uintptr
)

func registerVM(v *vm) {
	vmMu.Lock()
	defer vmMu.Unlock()
	var cur []*vm
	if p := vmTable.Load(); p != nil {
		cur = *p
	}
	next := make([]*vm, len(cur), len(cur)+1)
	copy(next, cur)
	if len(next) == 0 {
		next = append(next, nil) // handle 0 is never used
	}
	if n := len(vmFree); n > 0 {
		v.handle = vmFree[n-1]
		vmFree = vmFree[:n-1]
		next[v.handle] = v
	} else {
		v.handle = uintptr(len(next))
		next = append(next, v)
	}
	vmTable.Store(&next)
}

func unregisterVM(v *vm) {
	vmMu.Lock()
	defer vmMu.Unlock()
	cur := *vmTable.Load()
	next := make([]*vm, len(cur))
	copy(next, cur)
	next[v.handle] = nil
	vmFree = append(vmFree, v.handle)
	vmTable.Store(&next)
}

func lookupVM(h uintptr) *vm {
	return (*vmTable.Load())[h]
}

// New creates a Lua 5.4 state with the standard libraries opened and, unless opts.Unsafe, the
// functions that reach the operating system removed.
func New(opts Options) (*State, error) {
	if opts.MemoryLimit < 0 {
		return nil, fmt.Errorf("lua: MemoryLimit %d is negative; use 0 for no cap", opts.MemoryLimit)
	}
	v := &vm{opts: opts, logger: opts.Logger, funcs: []goFunc{{}}, values: []any{nil}}
	if v.logger == nil {
		v.logger = slog.Default()
	}
	registerVM(v)
	unsafeLibs := C.int(0)
	if opts.Unsafe {
		unsafeLibs = 1
	}
	generational := C.int(1)
	if opts.IncrementalGC {
		generational = 0
	}
	L := C.nf_newstate(C.size_t(opts.MemoryLimit), C.uintptr_t(v.handle), unsafeLibs, generational)
	if L == nil {
		unregisterVM(v)
		return nil, errors.New("lua: cannot create a state: the system is out of memory")
	}
	v.x = C.nf_x(L)
	v.main = &State{L: L, vm: v}
	return v.main, nil
}

// Close stops the watchdog, runs pending finalizers and frees the state. It must be called on
// the main State, from the goroutine that owns it; the State is unusable afterwards.
func (s *State) Close() error {
	v := s.vm
	if v.closed {
		return nil
	}
	if s != v.main {
		return errors.New("lua: Close called on a coroutine's State; close the main State")
	}
	if v.depth > 0 {
		return errors.New("lua: Close called from inside a call into Lua; close after the call returns")
	}
	v.stopWatchdog()
	v.closed = true
	C.nf_close(s.L)
	s.L = nil
	v.x = nil
	v.funcs, v.statics, v.values = nil, nil, nil
	unregisterVM(v)
	return nil
}

// Closed reports whether Close was called.
func (s *State) Closed() bool { return s.vm.closed }

// Main returns the main State of the Lua state s belongs to.
func (s *State) Main() *State { return s.vm.main }

// IsMain reports whether s is the main thread rather than a coroutine.
func (s *State) IsMain() bool { return s == s.vm.main }

// MemoryUsed returns the bytes Lua holds now.
func (s *State) MemoryUsed() int64 { return int64(s.vm.x.used) }

// MemoryPeak returns the most bytes Lua has held at once.
func (s *State) MemoryPeak() int64 { return int64(s.vm.x.peak) }

// MemoryLimit returns the allocation cap in bytes (0: none).
func (s *State) MemoryLimit() int64 { return int64(s.vm.x.limit) }

// SetMemoryLimit changes the allocation cap; 0 removes it. A cap below the current use makes
// the next growing allocation of a script fail.
func (s *State) SetMemoryLimit(n int64) {
	if n < 0 {
		n = 0
	}
	s.vm.x.limit = C.size_t(n)
}

// GC runs a full garbage collection cycle.
func (s *State) GC() {
	s.sync()
	C.nf_gc_collect(s.L)
}

// threadState returns a State for coroutine L, reusing the last one made.
func (v *vm) threadState(L *C.lua_State) *State {
	if L == v.main.L {
		return v.main
	}
	if t := v.thread; t != nil && t.L == L {
		return t
	}
	t := &State{L: L, vm: v}
	v.thread = t
	return t
}

//export nfPanic
func nfPanic(msg *C.char) {
	// Only reached if a host operation raised outside protected mode, which the binding's
	// design rules out; failing loudly beats continuing with a corrupt state.
	panic("lua: unprotected error in host operation: " + C.GoString(msg))
}

//export nfWarn
func nfWarn(h C.uintptr_t, msg *C.char, tocont C.int) {
	v := lookupVM(uintptr(h))
	if v == nil {
		return
	}
	m := C.GoString(msg)
	v.warn.WriteString(m)
	if tocont != 0 {
		return
	}
	full := v.warn.String()
	v.warn.Reset()
	if strings.HasPrefix(full, "@") { // control messages such as "@on"
		return
	}
	if v.opts.OnWarn != nil {
		v.opts.OnWarn(full)
		return
	}
	v.logger.Warn("lua warning", "msg", full)
}

// cstr returns a NUL-terminated copy of s in C memory; the caller frees it.
func cstr(s string) *C.char { return C.CString(s) }

func freeC(p *C.char) { C.free(unsafe.Pointer(p)) }
