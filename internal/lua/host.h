// C side of the Nanoforge Lua binding: the per-state bookkeeping shared with Go, the capped
// allocator, the watchdog hook, the trampoline for Go functions and protected helpers.
#ifndef NANOFORGE_LUA_HOST_H
#define NANOFORGE_LUA_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

// Status codes a Go function returns to the trampoline instead of a result count.
#define NF_RAISE (-1)  // the error value is on top of the stack: raise it
#define NF_ARGERR (-2) // a message is on top: raise it as a bad argument error (nf_state.argerr)

// Flags of nf_pcall and nf_pcallref, and the bit their result carries when the call timed out.
#define NF_APPLY 1   // apply the lazy stack first
#define NF_ARMED 2   // the watchdog watches this call
#define NF_TIMED 0x100

// nf_val is a scalar or string value copied out of (or waiting to go onto) a Lua stack, so Go
// can read arguments and push results without a crossing per value.
#define NF_CACHE 8
typedef struct nf_val {
	int t;              // LUA_T* type
	int isint;          // number is an integer
	lua_Integer i;
	lua_Number n;       // also set for integers (cached values only)
	const char *s;      // string bytes (Lua memory, valid while the value is on the stack)
	size_t len;
} nf_val;

// nf_state is allocated in C memory so that the watchdog goroutine, the allocator and the hook
// can read it without touching Go memory. Fields written by another thread are accessed with
// atomics on both sides.
typedef struct nf_state {
	lua_State *main;
	uintptr_t handle;   // index of the Go-side state in the registry of states
	size_t used;        // bytes currently allocated by Lua
	size_t peak;        // highest value of used
	size_t limit;       // cap on used while scripts run; 0 means no cap
	int host;           // > 0 while Go code runs: the cap is not enforced then
	int argerr;         // argument number for NF_ARGERR
	int status;         // status of the last nf_call or nf_callref
	// Watchdog, shared with the watchdog goroutine.
	uint64_t seq;       // incremented at the start and end of every watched call: odd while one runs
	int64_t budget_ns;  // budget of the running call, for the message
	uint64_t fire_seq;  // seq of the call the watchdog interrupted
	uint64_t hard_seq;  // seq of the call whose allocations now fail (stuck in a library call)
	uint64_t first_seq; // seq of the call whose first timeout message is recorded (Lua thread only)
	lua_State *running; // coroutine currently resumed through the coroutine library, or NULL
	int lock;           // spin lock guarding running against the watchdog's lua_sethook
	// Lazy stack (see lazy.go): values cached from the stack, pending pushes and the top Go
	// believes in, applied by C in the same crossing as the next call.
	nf_val cache[NF_CACHE];
	int cbase;          // cached values are stack positions cbase+1 .. cbase+ncache
	int ncache;
	int ktop;           // stack top as Go sees it, before pending pushes
	int rtop;           // real stack top when the values were cached; still real while Go
	                    // stays lazy, so the next call need not ask Lua for it
	int npend;          // pending pushes in pend
	int apply;          // set by a Go function before returning to C: apply ktop and pend
	nf_val pend[NF_CACHE];
} nf_state;

nf_state *nf_x(lua_State *L);
lua_State *nf_newstate(size_t limit, uintptr_t handle, int unsafe_libs, int generational);
void nf_close(lua_State *L);

int nf_pcall(lua_State *L, int nargs, int nresults, int flags);
void nf_call(uintptr_t L, int nargs, int nresults, int flags);
void nf_callref(uintptr_t L, int ref, int nargs, int nresults, int flags);
int nf_apply(lua_State *L);
int nf_load(lua_State *L, const char *code, size_t len, const char *chunk);

// Number of static Go function slots per state (see nf_pushstatic).
#define NF_STATIC_FUNCS 1024

void nf_pushgofunction(lua_State *L, int64_t id, int nup);
void nf_pushstatic(lua_State *L, int slot);
int nf_upvalueindex(int n);
int nf_pushgovalue(lua_State *L, int64_t id, const char *mt);
int64_t nf_togovalue(lua_State *L, int idx);
int nf_newgometatable(lua_State *L, const char *name);

int nf_getfield(lua_State *L, int idx, const char *k, size_t klen);
int nf_setfield(lua_State *L, int idx, const char *k, size_t klen);
int nf_gettable(lua_State *L, int idx);
int nf_settable(lua_State *L, int idx);
int nf_geti(lua_State *L, int idx, lua_Integer i);
int nf_seti(lua_State *L, int idx, lua_Integer i);
int nf_getglobal(lua_State *L, const char *k, size_t klen);
int nf_setglobal(lua_State *L, const char *k, size_t klen);
int nf_len(lua_State *L, int idx, lua_Integer *out);
int nf_next(lua_State *L, int idx, int *more);
int nf_tolstring(lua_State *L, int idx);
int nf_compare(lua_State *L, int a, int b, int op, int *out);
int nf_rawset(lua_State *L, int idx);
int nf_ref(lua_State *L);

void nf_watchdog_fire(nf_state *x, uint64_t seq);
void nf_watchdog_hard(nf_state *x, uint64_t seq);
void nf_watchdog_clear(nf_state *x);
int nf_timeout_take(lua_State *L, uint64_t seq);

int nf_push_nil(lua_State *L);
int nf_push_bool(lua_State *L, int b);
int nf_push_int(lua_State *L, lua_Integer n);
int nf_push_num(lua_State *L, lua_Number n);
int nf_push_str(lua_State *L, const char *s, size_t len);
int nf_push_light(lua_State *L, uintptr_t p);
int nf_push_value(lua_State *L, int idx);
int nf_push_table(lua_State *L, int narr, int nrec);
int nf_push_global(lua_State *L);
int nf_push_ref(lua_State *L, int ref);
int nf_rawgetfield(lua_State *L, int idx, const char *k, size_t klen);
void nf_rawsetfield(lua_State *L, int idx, const char *k, size_t klen);
int nf_rawgeti(lua_State *L, int idx, lua_Integer i);
void *nf_newuserdata(lua_State *L, size_t size, int nuv);
const char *nf_num_tostring(lua_State *L, int idx, size_t *len);
void nf_setenv(lua_State *L, int fidx);
int nf_has_tostring(lua_State *L, int idx);
void nf_gc_collect(lua_State *L);

#endif
