// Package lua is Nanoforge's thin cgo binding to the reference Lua 5.4 library (the system's
// liblua5.4, linked statically when the archive is installed). It gives the scripting host a
// state with a sandboxed standard library, a value and stack API close to the C API, Go
// functions callable from Lua, protected calls with tracebacks, a watchdog that interrupts a
// call running past its time budget and an allocator with a memory cap.
//
// # Threads
//
// A State is used by one goroutine at a time: in the server, the tick goroutine. Nothing in it
// locks. Close frees everything (finalizers are never relied upon); it must not run while a
// call into Lua is in progress. The only other goroutine is the state's watchdog, which touches
// nothing but C-side flags and, when a call overran, the hook.
//
// # Stack
//
// Indices work as in the C API: 1..Top() from the bottom, -1 for the top, plus RegistryIndex
// and UpvalueIndex(n) pseudo-indices. Push methods check for stack space and panic when the
// stack cannot grow (a host bug, such as a loop that never pops). A Go function starts with at
// least 20 free slots, like a C function; call CheckStack before pushing more than that.
//
// # Errors never unwind Go frames
//
// A Lua error is a longjmp, which must never cross a Go frame. The binding guarantees it:
//
//   - Every operation that can run a metamethod (GetField, SetField, GetTable, SetTable, GetI,
//     SetI, GetGlobal, SetGlobal, Len, Next, Compare, Stringify) runs in protected mode in C and
//     returns an *Error instead of raising. The Raw* variants run no metamethods and cannot
//     fail, except RawSet with a nil or NaN key, which returns ErrBadKey.
//   - The memory cap is enforced only while Lua code runs (calls, loads, metamethods run by the
//     operations above). Host operations such as PushString or NewTable never fail for lack of
//     memory: they may take the state slightly past its cap, which the next script allocation
//     then feels.
//   - A GoFunction reports an error by returning it. The C function that called the Go
//     function raises it after Go has returned. An *ArgError becomes Lua's "bad argument #n to
//     'f' (...)" message. A panic in a Go function is recovered and raised the same way; its
//     value and Go stack go to Options.OnPanic or the logger.
//
// Never call the C API's raising helpers (luaL_check*, lua_error …) on a State from Go.
//
// # Calls
//
// Call, CallBudget, CallRef and DoString run Lua with a message handler that records the
// traceback, and return an *Error with Kind, Message ("chunk:line: text"), Traceback, Chunk and
// Line. A Go function is one crossing from Lua to Go: a plain C function per slot for static
// functions (PushStaticGoFunction, Register), a C closure whose upvalue holds the function's
// index for the others. Calling Lua from Go is one crossing for CallRef (the function comes
// from a registry slot), with scalar arguments and results going through the lazy stack.
//
// The lazy stack keeps the common patterns at one crossing: a Go function reads its first
// eight arguments (ToInteger, ToNumber, ToString, ToBoolean, Type, Top) from a copy the C side
// made before calling it, and its scalar results (PushNil, PushBoolean, PushInteger,
// PushNumber) wait in C memory until the C side pushes them after it returns. After Call or CallRef with a fixed result count
// the results are cached the same way, Pop is deferred and scalar pushes wait for the next
// call, which applies them in its own crossing. Every other operation applies what is pending
// first, so the stack always behaves as the C API's would.
//
// Chunk names are shown as given: LoadString(code, "my-package/Server/Index.lua") reports
// errors as "my-package/Server/Index.lua:3: ...". Only text chunks load; binary chunks are
// refused everywhere, including load() and string.dump, which is removed.
//
// # Environments
//
// LoadStringEnv and SetEnv make a table the chunk's _ENV (its first upvalue), so each package
// can get its own environment, typically with a metatable whose __index is the shared global
// table.
//
// # Watchdog
//
// An outermost call with a budget (Options.Budget, SetBudget, CallBudget, CallRefBudget) is
// watched by a goroutine per state. While the call is within budget no hook is installed, so
// scripts run at full speed. When the budget is spent the watchdog arms an instruction hook on
// the main thread and on the coroutine being resumed; the hook raises "script timed out after
// Nms" at the next Lua instruction with a traceback (Kind TimeoutError) and fires again on
// every instruction, so pcall in the script cannot swallow it. It never raises inside C
// functions, where an error may already be unwinding. A library call that executes no
// instructions but keeps growing a buffer is stopped a grace period later by refusing its
// allocations of 4 KiB and more. Any error that ends an overrun call is a TimeoutError. The
// state stays usable afterwards. Nested calls made by Go functions run under the outer call's
// budget.
//
// Arming the hook from the watchdog goroutine is the asynchronous use lua_sethook allows (the
// stand-alone interpreter does it from its Ctrl-C signal handler); it only happens once a call
// has overrun. xpcall message handlers are skipped for timeouts, because Lua runs them with
// hooks disabled. Two things cannot be interrupted: a library call that neither executes
// instructions nor allocates, and a __gc finalizer (Lua runs finalizers with hooks disabled).
//
// # Memory
//
// Options.MemoryLimit caps the bytes Lua holds while scripts run; past it the script gets Lua's
// "not enough memory" error (Kind MemoryError, no traceback: Lua runs no handler for memory
// errors) and the state stays usable once the garbage is collected. MemoryUsed reports the
// current use.
//
// # Sandbox
//
// Unless Options.Unsafe, the standard library lacks os.execute, os.rename, os.remove, os.exit,
// os.getenv, os.tmpname, os.setlocale, dofile, loadfile, the io library, package.loadlib and
// the file searchers of require, and the debug library keeps only traceback and getinfo (the
// rest could remove the watchdog's hook or reach other packages' upvalues). With Unsafe they
// are present, but dofile and loadfile load text only.
//
// # Values
//
// PushAny and ToAny convert between Go values (scalars, slices, maps, functions) and Lua
// tables, safely with cycles. PushGoValue wraps any Go value in a userdata with a named
// metatable (NewGoMetatable) for entities and structs; ToGoValue gets it back.
//
// # Linking
//
// The default build links liblua5.4.a statically (-Wl,-Bstatic) so the binary needs no Lua
// shared library at run time; build with -tags lua_dynamic to link liblua5.4.so instead.
package lua
