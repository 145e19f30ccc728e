// C helpers of the Nanoforge Lua binding. Every Lua error raised on behalf of Go code is raised
// here, inside C frames, so a longjmp never crosses a Go frame: Go calls only the helpers below
// and Lua API functions that cannot raise (see doc.go for the rules).
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "host.h"
#include "_cgo_export.h"

// Registry keys of our own.
#define NF_TBKEY "nanoforge.traceback"
#define NF_TOMSGKEY "nanoforge.timeout.message"
#define NF_TOTBKEY "nanoforge.timeout.traceback"
#define NF_GOFUNC_MT "nanoforge.gofunction"
#define NF_GOVALUE_MT "nanoforge.govalue"

// Smallest allocation refused once the watchdog is in its hard phase.
#define NF_HARD_MIN 4096

// NF_X is nf_x for the C side, inlined: it is on the path of every call.
#define NF_X(L) (*(nf_state **)lua_getextraspace(L))

nf_state *nf_x(lua_State *L) { return NF_X(L); }

// ---- allocator ----------------------------------------------------------------------------

// Lua's memory comes from the C library, or from mimalloc in a build with the tag mimalloc
// (alloc_mimalloc.go): glibc's malloc takes arena locks in a multi-threaded process such as
// ours, which allocation-heavy scripts feel (docs/lua-host.md, "Allocation").
#ifdef NF_MIMALLOC
#include <mimalloc.h>
#define nf_realloc mi_realloc
#define nf_free mi_free
#else
#define nf_realloc realloc
#define nf_free free
#endif

// nf_alloc counts every byte Lua holds. While a script runs (x->host == 0) growth past the cap
// fails, which Lua turns into its "not enough memory" error after an emergency collection.
// While Go code runs the cap is not enforced: a host operation must never raise (see doc.go).
static void *nf_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
	nf_state *x = (nf_state *)ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		if (ptr) {
			x->used -= old;
			nf_free(ptr);
		}
		return NULL;
	}
	if (nsize > old && x->host == 0) {
		if (x->limit && x->used + (nsize - old) > x->limit) return NULL;
		uint64_t hard = __atomic_load_n(&x->hard_seq, __ATOMIC_RELAXED);
		// The watchdog gave up waiting for the hook: stop library calls that keep growing a
		// buffer. Small blocks stay available so the hook can still build its message.
		if (nsize >= NF_HARD_MIN && (hard & 1) && hard == __atomic_load_n(&x->seq, __ATOMIC_RELAXED))
			return NULL;
	}
	void *p = nf_realloc(ptr, nsize);
	if (p == NULL) return NULL;
	x->used = x->used - old + nsize;
	if (x->used > x->peak) x->peak = x->used;
	return p;
}

// ---- watchdog -------------------------------------------------------------------------------

static void nf_lock(nf_state *x) {
	while (__atomic_exchange_n(&x->lock, 1, __ATOMIC_ACQUIRE)) {
	}
}
static void nf_unlock(nf_state *x) { __atomic_store_n(&x->lock, 0, __ATOMIC_RELEASE); }

static int nf_expired(nf_state *x) {
	uint64_t f = __atomic_load_n(&x->fire_seq, __ATOMIC_SEQ_CST);
	return (f & 1) && f == __atomic_load_n(&x->seq, __ATOMIC_SEQ_CST);
}

// nf_stop_hook runs on every instruction once armed. A hook left over from an earlier call
// removes itself; otherwise it raises the timeout error at the current line. It stays armed, so
// a script that catches the error with pcall is interrupted again at its next instruction.
static void nf_stop_hook(lua_State *L, lua_Debug *ar) {
	nf_state *x = NF_X(L);
	if (!nf_expired(x)) {
		lua_sethook(L, NULL, 0, 0);
		return;
	}
	// Raise only at Lua code. Entering or leaving a C function is left alone: it may be the
	// message handler recording a traceback, or a __close method (such as a string buffer's)
	// running while an error unwinds, and raising there would replace that error. Lua code
	// gets interrupted at its next instruction anyway.
	if (ar->event != LUA_HOOKCOUNT && lua_getinfo(L, "S", ar) && ar->what[0] == 'C') return;
	uint64_t seq = __atomic_load_n(&x->seq, __ATOMIC_SEQ_CST);
	if (x->first_seq == seq) {
		// Interrupted again after a pcall caught the first timeout: raise the first message,
		// which names the line that was stuck, not the line of whoever caught it.
		lua_getfield(L, LUA_REGISTRYINDEX, NF_TOMSGKEY);
		lua_error(L);
	}
	// First firing for this call: record its message and traceback for the final report (see
	// nf_timeout_take). The cap is lifted meanwhile so a memory bomb cannot hide the line.
	int host = x->host;
	x->host = 1;
	x->first_seq = seq;
	luaL_where(L, 0);
	if (lua_rawlen(L, -1) == 0) { // interrupted in a C function: report where Lua called it
		lua_pop(L, 1);
		luaL_where(L, 1);
	}
	lua_pushfstring(L, "script timed out after %dms",
	                (int)(__atomic_load_n(&x->budget_ns, __ATOMIC_RELAXED) / 1000000));
	lua_concat(L, 2);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TOMSGKEY);
	luaL_traceback(L, L, NULL, 0);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TOTBKEY);
	x->host = host;
	lua_error(L);
}

// nf_timeout_take pushes the message and traceback the hook recorded when it first interrupted
// call seq, which just ended, clears them and returns 1; it returns 0, pushing nothing, when the
// hook never raised for that call (a refused allocation ended it).
int nf_timeout_take(lua_State *L, uint64_t seq) {
	nf_state *x = NF_X(L);
	if (x->first_seq != seq || !lua_checkstack(L, 2)) return 0;
	x->first_seq = 0;
	lua_getfield(L, LUA_REGISTRYINDEX, NF_TOMSGKEY);
	lua_getfield(L, LUA_REGISTRYINDEX, NF_TOTBKEY);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TOMSGKEY);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TOTBKEY);
	return 1;
}

static void nf_arm(lua_State *L) {
	lua_sethook(L, nf_stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

// nf_watchdog_fire is called by the watchdog goroutine when call seq overran its budget. Like
// the stand-alone interpreter's Ctrl-C handler it arms the hook asynchronously, so scripts within
// budget run with no hook at all. The lock keeps the coroutine being armed alive (it is on its
// resumer's stack until nf_co_resume clears x->running).
void nf_watchdog_fire(nf_state *x, uint64_t seq) {
	nf_lock(x);
	if ((seq & 1) && __atomic_load_n(&x->seq, __ATOMIC_SEQ_CST) == seq) {
		__atomic_store_n(&x->fire_seq, seq, __ATOMIC_SEQ_CST);
		nf_arm(x->main);
		if (x->running) nf_arm(x->running);
	}
	nf_unlock(x);
}

void nf_watchdog_hard(nf_state *x, uint64_t seq) { __atomic_store_n(&x->hard_seq, seq, __ATOMIC_SEQ_CST); }

void nf_watchdog_clear(nf_state *x) {
	nf_lock(x);
	lua_sethook(x->main, NULL, 0, 0);
	nf_unlock(x);
}

static lua_State *nf_set_running(nf_state *x, lua_State *co) {
	nf_lock(x);
	lua_State *prev = x->running;
	x->running = co;
	if (co && nf_expired(x)) nf_arm(co);
	nf_unlock(x);
	return prev;
}

// nf_call_running calls upvalue 1 with every argument, the watchdog told that co runs
// meanwhile, and returns all its results; an error is raised again once the previous running
// thread is restored.
static int nf_call_running(lua_State *L, lua_State *co) {
	nf_state *x = NF_X(L);
	lua_State *prev = nf_set_running(x, co);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	int st = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
	nf_set_running(x, prev ? prev : (L == x->main ? NULL : L));
	if (st != LUA_OK) return lua_error(L);
	return lua_gettop(L);
}

// nf_co_resume wraps coroutine.resume so the watchdog knows which coroutine runs.
static int nf_co_resume(lua_State *L) {
	return nf_call_running(L, lua_tothread(L, 1));
}

// nf_co_wrapped is the function coroutine.wrap returns: the library's own wrapper (upvalue 1)
// run with the watchdog told about its coroutine (upvalue 2).
static int nf_co_wrapped(lua_State *L) {
	return nf_call_running(L, lua_tothread(L, lua_upvalueindex(2)));
}

static int nf_co_wrap(lua_State *L) {
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	if (lua_getupvalue(L, -1, 1) == NULL || !lua_isthread(L, -1))
		return luaL_error(L, "coroutine.wrap: unexpected library wrapper");
	lua_pushcclosure(L, nf_co_wrapped, 2);
	return 1;
}

// nf_xmsgh wraps a script's xpcall message handler (upvalue 1). A timeout skips it: the hook
// raised the error, and Lua runs the handler with hooks disabled, so a handler that loops
// could never be interrupted.
static int nf_xmsgh(lua_State *L) {
	if (nf_expired(NF_X(L))) return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int nf_xpcall_k(lua_State *L, int status, lua_KContext ctx) {
	(void)status;
	(void)ctx;
	return lua_gettop(L);
}

// nf_xpcall is xpcall with the handler wrapped by nf_xmsgh; upvalue 1 is the library's xpcall.
// The call keeps a continuation so coroutines can still yield inside xpcall.
static int nf_xpcall(lua_State *L) {
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, nf_xmsgh, 1);
	lua_replace(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_callk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, nf_xpcall_k);
	return nf_xpcall_k(L, LUA_OK, 0);
}

// nf_str_rep is string.rep (upvalue 1) answering the empty result itself: repeating an empty
// string a billion times is a long C loop that neither allocates nor runs instructions, which
// the watchdog could not interrupt.
static int nf_str_rep(lua_State *L) {
	size_t l, lsep;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (n <= 0 || l + lsep == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

// ---- sandbox --------------------------------------------------------------------------------

// nf_load_text is load() restricted to text chunks: the mode argument is forced to "t" while
// keeping the difference between an absent and a nil env argument.
static int nf_load_text(lua_State *L) {
	if (lua_gettop(L) < 3) {
		lua_settop(L, 2);
		lua_pushliteral(L, "t");
	} else {
		lua_pushliteral(L, "t");
		lua_replace(L, 3);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static int nf_loadfile_t(lua_State *L) {
	const char *fname = luaL_optstring(L, 1, NULL);
	int env = !lua_isnone(L, 3) ? 3 : 0;
	if (luaL_loadfilex(L, fname, "t") == LUA_OK) {
		if (env) {
			lua_pushvalue(L, env);
			if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
		}
		return 1;
	}
	luaL_pushfail(L);
	lua_insert(L, -2);
	return 2;
}

static int nf_dofile_cont(lua_State *L, int d1, lua_KContext d2) {
	(void)d1;
	(void)d2;
	return lua_gettop(L) - 1;
}

static int nf_dofile_t(lua_State *L) {
	const char *fname = luaL_optstring(L, 1, NULL);
	lua_settop(L, 1);
	if (luaL_loadfilex(L, fname, "t") != LUA_OK) return lua_error(L);
	lua_callk(L, 0, LUA_MULTRET, 0, nf_dofile_cont);
	return nf_dofile_cont(L, 0, 0);
}

static void nf_nil_field(lua_State *L, int t, const char *k) {
	t = lua_absindex(L, t);
	lua_pushnil(L);
	lua_setfield(L, t, k);
}

// nf_wrap_field replaces t[k] by a C closure of f over the old value.
static void nf_wrap_field(lua_State *L, int t, const char *k, lua_CFunction f) {
	t = lua_absindex(L, t);
	lua_getfield(L, t, k);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, t, k);
}

static int nf_open(lua_State *L) {
	int unsafe_libs = (int)lua_toboolean(L, 1);
	luaL_openlibs(L);
	lua_pushglobaltable(L);
	int g = lua_gettop(L);
	nf_wrap_field(L, g, "load", nf_load_text);
	nf_wrap_field(L, g, "xpcall", nf_xpcall);
	lua_getfield(L, g, "string");
	nf_nil_field(L, -1, "dump"); // no bytecode in either direction
	nf_wrap_field(L, -1, "rep", nf_str_rep);
	lua_pop(L, 1);
	lua_getfield(L, g, "coroutine");
	nf_wrap_field(L, lua_gettop(L), "resume", nf_co_resume);
	nf_wrap_field(L, lua_gettop(L), "wrap", nf_co_wrap);
	lua_pop(L, 1);
	if (unsafe_libs) {
		lua_pushcfunction(L, nf_loadfile_t);
		lua_setfield(L, g, "loadfile");
		lua_pushcfunction(L, nf_dofile_t);
		lua_setfield(L, g, "dofile");
	} else {
		static const char *const os_unsafe[] = {"execute", "rename", "remove", "exit",
		                                        "getenv", "tmpname", "setlocale", NULL};
		lua_getfield(L, g, "os");
		for (const char *const *p = os_unsafe; *p; p++) nf_nil_field(L, -1, *p);
		lua_pop(L, 1);
		nf_nil_field(L, g, "dofile");
		nf_nil_field(L, g, "loadfile");
		nf_nil_field(L, g, "io");
		// The debug library can remove the watchdog's hook, reach the registry and rewrite
		// upvalues of other packages' functions: only the read-only reporting part stays.
		static const char *const dbg_unsafe[] = {"debug", "sethook", "gethook", "getregistry",
		    "setlocal", "getlocal", "setupvalue", "getupvalue", "upvaluejoin", "upvalueid",
		    "setuservalue", "getuservalue", "setmetatable", "getmetatable", "setcstacklimit", NULL};
		lua_getfield(L, g, "debug");
		for (const char *const *p = dbg_unsafe; *p; p++) nf_nil_field(L, -1, *p);
		lua_pop(L, 1);
		// require keeps package.preload only: no file system or C library searchers.
		lua_getfield(L, g, "package");
		int pk = lua_gettop(L);
		nf_nil_field(L, pk, "loadlib");
		lua_pushliteral(L, "");
		lua_setfield(L, pk, "path");
		lua_pushliteral(L, "");
		lua_setfield(L, pk, "cpath");
		lua_getfield(L, pk, "searchers");
		for (lua_Integer i = (lua_Integer)luaL_len(L, -1); i >= 2; i--) {
			lua_pushnil(L);
			lua_seti(L, -2, i);
		}
		lua_pop(L, 2);
		lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
		nf_nil_field(L, -1, "io");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

// ---- lazy stack ----------------------------------------------------------------------------

// nf_fill caches n values of the stack from position from on for Go and records the top, which
// the caller knows: asking Lua again would cost a call.
static inline void nf_fill(lua_State *L, nf_state *x, int top, int from, int n) {
	x->ktop = top;
	x->rtop = top;
	x->npend = 0;
	x->apply = 0;
	x->ncache = n;
	x->cbase = from - 1;
	for (int k = 0; k < n; k++) {
		int idx = from + k;
		nf_val *v = &x->cache[k];
		// Integers first: the commonest argument costs two calls instead of three.
		if (lua_isinteger(L, idx)) {
			v->t = LUA_TNUMBER;
			v->isint = 1;
			v->i = lua_tointeger(L, idx);
			v->n = (lua_Number)v->i; // ToNumber reads n whatever the subtype
			continue;
		}
		v->t = lua_type(L, idx);
		switch (v->t) {
		case LUA_TNUMBER:
			v->isint = 0;
			v->n = lua_tonumber(L, idx);
			break;
		case LUA_TBOOLEAN:
			v->i = lua_toboolean(L, idx);
			break;
		case LUA_TSTRING:
			v->s = lua_tolstring(L, idx, &v->len);
			break;
		}
	}
}

// nf_fill_results caches the results of a call with a fixed result count; top is the real top.
static inline void nf_fill_results(lua_State *L, nf_state *x, int top, int st, int nresults) {
	int n = st == LUA_OK && nresults > 0 && nresults <= NF_CACHE ? nresults : 0;
	nf_fill(L, x, top, top - n + 1, n);
}

// nf_push_pend_range pushes pending values from .. to-1; the stack has room for them.
static inline void nf_push_pend_range(lua_State *L, nf_state *x, int from, int to) {
	for (int k = from; k < to; k++) {
		nf_val *v = &x->pend[k];
		switch (v->t) {
		case LUA_TNUMBER:
			if (v->isint) lua_pushinteger(L, v->i);
			else lua_pushnumber(L, v->n);
			break;
		case LUA_TBOOLEAN:
			lua_pushboolean(L, (int)v->i);
			break;
		default:
			lua_pushnil(L);
		}
	}
}

// nf_push_pend pushes the n pending values; the stack has room for them.
static inline void nf_push_pend(lua_State *L, nf_state *x, int n) {
	nf_push_pend_range(L, x, 0, n);
}

// nf_apply makes the stack what Go believes it is: top at ktop, then the pending pushes.
int nf_apply(lua_State *L) {
	nf_state *x = NF_X(L);
	x->apply = 0;
	lua_settop(L, x->ktop);
	int n = x->npend;
	x->npend = 0;
	if (n > 0 && !lua_checkstack(L, n)) return 0;
	nf_push_pend(L, x, n);
	return 1;
}

// ---- Go functions and values ----------------------------------------------------------------

static int nf_gofunc_gc(lua_State *L) {
	int64_t *id = (int64_t *)lua_touserdata(L, 1);
	if (id && *id > 0) {
		nfRelease(NF_X(L)->handle, 0, *id);
		*id = 0;
	}
	return 0;
}

static int nf_govalue_gc(lua_State *L) {
	int64_t *id = (int64_t *)lua_touserdata(L, 1);
	if (id && lua_rawlen(L, 1) == sizeof(int64_t) && *id > 0) {
		nfRelease(NF_X(L)->handle, 1, *id);
		*id = 0;
	}
	return 0;
}

// nf_gocall calls Go function id (see nfGoCall) with the stack as the call found it. The Go
// side never raises; it returns a status and the error is raised here.
__attribute__((noinline)) static int nf_gocall(lua_State *L, int64_t id) {
	nf_state *x = NF_X(L);
	int host = x->host;
	int top = lua_gettop(L);
	nf_fill(L, x, top, 1, top < NF_CACHE ? top : NF_CACHE);
	x->host = 1;
	int n = nfGoCall(x->handle, id, L);
	x->host = host;
	if (n >= 0) {
		if (x->apply) {
			// Common case: Go only read arguments and pushed scalars, so the stack is as
			// the call found it, and Lua guarantees LUA_MINSTACK free slots to a C function.
			// (Lazy pops leave the real top above ktop, and a nested call from Go moves the
			// real top, hence both comparisons.)
			if (x->ktop == top && x->rtop == top && x->npend <= LUA_MINSTACK) {
				int np = x->npend;
				x->apply = 0;
				x->npend = 0;
				nf_push_pend(L, x, np);
			} else if (!nf_apply(L)) {
				return luaL_error(L, "stack overflow pushing Go function results");
			}
		}
		return n;
	}
	if (n == NF_ARGERR) return luaL_argerror(L, x->argerr, lua_tostring(L, -1));
	return lua_error(L);
}

// nf_trampoline is the C function behind every collectable Go function: upvalue 1 is a userdata
// holding the id, whose __gc frees the Go side when Lua drops the function.
static int nf_trampoline(lua_State *L) {
	return nf_gocall(L, *(int64_t *)lua_touserdata(L, lua_upvalueindex(1)));
}

// Static Go functions (PushStaticGoFunction) are light C functions, one per slot: nf_static_N
// calls slot N, which Go numbers -(N+1). No upvalue to read and no userdata behind the function
// make the call measurably cheaper. The macros write NF_STATIC_FUNCS of them with octal numbers
// (the leading 0 of each literal): 00000 to 01777.
#define NF_S1(n) static int nf_static_##n(lua_State *L) { return nf_gocall(L, -(int64_t)(n) - 1); }
#define NF_S8(p) NF_S1(p##0) NF_S1(p##1) NF_S1(p##2) NF_S1(p##3) NF_S1(p##4) NF_S1(p##5) NF_S1(p##6) NF_S1(p##7)
#define NF_S64(p) NF_S8(p##0) NF_S8(p##1) NF_S8(p##2) NF_S8(p##3) NF_S8(p##4) NF_S8(p##5) NF_S8(p##6) NF_S8(p##7)
#define NF_S512(p) NF_S64(p##0) NF_S64(p##1) NF_S64(p##2) NF_S64(p##3) NF_S64(p##4) NF_S64(p##5) NF_S64(p##6) NF_S64(p##7)
NF_S512(00)
NF_S512(01)

#define NF_E1(n) nf_static_##n,
#define NF_E8(p) NF_E1(p##0) NF_E1(p##1) NF_E1(p##2) NF_E1(p##3) NF_E1(p##4) NF_E1(p##5) NF_E1(p##6) NF_E1(p##7)
#define NF_E64(p) NF_E8(p##0) NF_E8(p##1) NF_E8(p##2) NF_E8(p##3) NF_E8(p##4) NF_E8(p##5) NF_E8(p##6) NF_E8(p##7)
#define NF_E512(p) NF_E64(p##0) NF_E64(p##1) NF_E64(p##2) NF_E64(p##3) NF_E64(p##4) NF_E64(p##5) NF_E64(p##6) NF_E64(p##7)
static const lua_CFunction nf_statics[NF_STATIC_FUNCS] = {NF_E512(00) NF_E512(01)};

void nf_pushstatic(lua_State *L, int slot) { lua_pushcfunction(L, nf_statics[slot]); }

void nf_pushgofunction(lua_State *L, int64_t id, int nup) {
	int64_t *p = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 0);
	*p = id;
	luaL_setmetatable(L, NF_GOFUNC_MT);
	if (nup > 0) lua_insert(L, -(nup + 1));
	lua_pushcclosure(L, nf_trampoline, nup + 1);
}

int nf_upvalueindex(int n) { return lua_upvalueindex(n + 1); }

int nf_newgometatable(lua_State *L, const char *name) {
	int created = luaL_newmetatable(L, name);
	if (created) {
		lua_pushcfunction(L, nf_govalue_gc);
		lua_setfield(L, -2, "__gc");
	}
	return created;
}

// nf_pushgovalue pushes a userdata holding the id of a Go value, with metatable mt (or the
// default one). It returns 0 when mt was given but is not registered.
int nf_pushgovalue(lua_State *L, int64_t id, const char *mt) {
	int64_t *p = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 1);
	*p = id;
	if (mt == NULL) mt = NF_GOVALUE_MT;
	if (luaL_getmetatable(L, mt) != LUA_TTABLE) {
		lua_pop(L, 1);
		luaL_setmetatable(L, NF_GOVALUE_MT);
		return 0;
	}
	lua_setmetatable(L, -2);
	return 1;
}

// nf_togovalue returns the id of the Go value at idx, or 0 when it is not one of ours: a full
// userdata of exactly our size whose metatable has our __gc.
int64_t nf_togovalue(lua_State *L, int idx) {
	if (lua_type(L, idx) != LUA_TUSERDATA || lua_rawlen(L, idx) != sizeof(int64_t)) return 0;
	if (!lua_getmetatable(L, idx)) return 0;
	int ok = lua_getfield(L, -1, "__gc") == LUA_TFUNCTION && lua_tocfunction(L, -1) == nf_govalue_gc;
	lua_pop(L, 2);
	return ok ? *(int64_t *)lua_touserdata(L, idx) : 0;
}

// ---- state ----------------------------------------------------------------------------------

static int nf_atpanic(lua_State *L) {
	const char *msg = lua_tostring(L, -1);
	nfPanic((char *)(msg ? msg : "(error object is not a string)"));
	return 0;
}

static void nf_warnf(void *ud, const char *msg, int tocont) {
	nfWarn((uintptr_t)ud, (char *)msg, tocont);
}

lua_State *nf_newstate(size_t limit, uintptr_t handle, int unsafe_libs, int generational) {
	nf_state *x = (nf_state *)calloc(1, sizeof(nf_state));
	if (x == NULL) return NULL;
	x->limit = limit;
	x->handle = handle;
	x->host = 1;
	lua_State *L = lua_newstate(nf_alloc, x);
	if (L == NULL) {
		free(x);
		return NULL;
	}
	x->main = L;
	*(nf_state **)lua_getextraspace(L) = x;
	lua_atpanic(L, nf_atpanic);
	lua_setwarnf(L, nf_warnf, (void *)handle);
	luaL_newmetatable(L, NF_GOFUNC_MT);
	lua_pushcfunction(L, nf_gofunc_gc);
	lua_setfield(L, -2, "__gc");
	lua_pop(L, 1);
	nf_newgometatable(L, NF_GOVALUE_MT);
	lua_pop(L, 1);
	lua_pushcfunction(L, nf_open);
	lua_pushboolean(L, unsafe_libs);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		nf_close(L);
		return NULL;
	}
	// The collector mode lua.c starts its scripts in (see Options.IncrementalGC).
	if (generational) lua_gc(L, LUA_GCGEN, 0, 0);
	return L;
}

void nf_close(lua_State *L) {
	nf_state *x = NF_X(L);
	x->host = 1;
	lua_close(L);
	free(x);
}

// ---- protected calls ------------------------------------------------------------------------

// nf_msgh adds the traceback to a failed call. It keeps the error value as it is and stores the
// traceback in the registry, where the caller picks it up.
static int nf_msgh(lua_State *L) {
	luaL_traceback(L, L, NULL, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TBKEY);
	return 1;
}

// nf_finish leaves [error value, traceback or nil] on the stack after a failed call.
static void nf_finish(lua_State *L, int st) {
	if (st == LUA_OK) return;
	if (st == LUA_ERRMEM) {
		lua_pushnil(L);
		return;
	}
	lua_getfield(L, LUA_REGISTRYINDEX, NF_TBKEY);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, NF_TBKEY);
}

// nf_call_begin and nf_call_end bracket a call the watchdog watches (flags & NF_ARMED): seq is
// odd while it runs. Only this thread writes seq, and release stores are plain moves on common
// hardware: the watchdog may see the new value a little late, which only delays it (it re-checks
// seq under the lock before arming, and a hook armed for a call that ended removes itself).
static inline void nf_call_begin(nf_state *x, int flags) {
	if (flags & NF_ARMED)
		__atomic_store_n(&x->seq, __atomic_load_n(&x->seq, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}

// nf_call_end ends a watched call and adds NF_TIMED to st when the watchdog interrupted it; the
// hook is removed then rather than at the next call's first instruction.
static inline int nf_call_end(nf_state *x, int flags, int st) {
	if (!(flags & NF_ARMED)) return st;
	int timed = nf_expired(x);
	__atomic_store_n(&x->seq, __atomic_load_n(&x->seq, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
	if (timed) {
		nf_lock(x);
		lua_sethook(x->main, NULL, 0, 0);
		nf_unlock(x);
		st |= NF_TIMED;
	}
	return st;
}

// nf_pcall calls the function below nargs arguments with a traceback handler. On success the
// results are on the stack; on failure the error value and the traceback (or nil). With
// NF_APPLY in flags the lazy stack is applied first; with NF_ARMED the watchdog watches the call
// (see nf_call_begin). Afterwards the top and up to NF_CACHE results are cached.
int nf_pcall(lua_State *L, int nargs, int nresults, int flags) {
	nf_state *x = NF_X(L);
	if ((flags & NF_APPLY) && !nf_apply(L)) return -1;
	int base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, nf_msgh);
	lua_insert(L, base);
	int host = x->host;
	x->host = 0;
	nf_call_begin(x, flags);
	int st = lua_pcall(L, nargs, nresults, base);
	st = nf_call_end(x, flags, st);
	x->host = host;
	lua_remove(L, base);
	nf_finish(L, st & ~NF_TIMED);
	nf_fill_results(L, x, lua_gettop(L), st & ~NF_TIMED, nresults);
	return st;
}

// nf_pcallref is nf_pcall of the function held in registry slot ref: one crossing per call.
static inline int nf_pcallref(lua_State *L, int ref, int nargs, int nresults, int flags) {
	nf_state *x = NF_X(L);
	int base; // the message handler goes at base + 1, the function above it
	int dest; // where the first result belongs
	if ((flags & NF_APPLY) && x->npend >= nargs) {
		// Every argument is a pending scalar (the usual event call): push the handler and
		// the function first and the arguments after them, so nothing has to be rotated.
		// One stack check covers all.
		x->apply = 0;
		int n = x->npend;
		x->npend = 0;
		if (!lua_checkstack(L, n + 2)) return -1;
		if (n == nargs) {
			// Values Go popped lazily (the last call's results, usually) stay below the
			// handler until the results take their place: no call to reset the top first.
			dest = x->ktop + 1;
			base = x->rtop;
		} else {
			if (x->rtop != x->ktop) lua_settop(L, x->ktop);
			nf_push_pend_range(L, x, 0, n - nargs);
			base = x->ktop + n - nargs;
			dest = base + 1;
		}
		lua_pushcfunction(L, nf_msgh);
		lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
		nf_push_pend_range(L, x, n - nargs, n);
	} else {
		if ((flags & NF_APPLY) && !nf_apply(L)) return -1;
		if (!lua_checkstack(L, 2)) return -1;
		base = lua_gettop(L) - nargs;
		dest = base + 1;
		lua_pushcfunction(L, nf_msgh);
		lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
		lua_rotate(L, base + 1, 2);
	}
	int host = x->host;
	x->host = 0;
	nf_call_begin(x, flags);
	int st = lua_pcall(L, nargs, nresults, base + 1);
	st = nf_call_end(x, flags, st);
	x->host = host;
	if (st == LUA_OK && nresults == 1) {
		// The single result goes to its place: the top is known without asking.
		lua_copy(L, -1, dest);
		lua_settop(L, dest);
		nf_fill(L, x, dest, dest, 1);
		return st;
	}
	// Drop what lies between dest and the results: stale values and the handler.
	int junk = base + 2 - dest;
	int top = lua_gettop(L);
	lua_rotate(L, dest, -junk);
	lua_settop(L, top - junk);
	nf_finish(L, st & ~NF_TIMED);
	nf_fill_results(L, x, lua_gettop(L), st & ~NF_TIMED, nresults);
	return st;
}

// nf_call and nf_callref are how Go calls nf_pcall and nf_pcallref: the state comes as an
// integer and the status goes to x->status, so cgo neither checks a pointer argument nor reads a
// result on the way back, which is a measurable part of a short call.
void nf_call(uintptr_t l, int nargs, int nresults, int flags) {
	lua_State *L = (lua_State *)l;
	NF_X(L)->status = nf_pcall(L, nargs, nresults, flags);
}

void nf_callref(uintptr_t l, int ref, int nargs, int nresults, int flags) {
	lua_State *L = (lua_State *)l;
	NF_X(L)->status = nf_pcallref(L, ref, nargs, nresults, flags);
}

// nf_protect runs f with nargs arguments in protected mode. Host operations that may run
// metamethods go through it; scripts' allocation cap applies to what the metamethods do.
static int nf_protect(lua_State *L, lua_CFunction f, int nargs, int nresults) {
	lua_pushcfunction(L, f);
	lua_insert(L, -(nargs + 1));
	return nf_pcall(L, nargs, nresults, 0);
}

// nf_load compiles a text chunk. The parser runs protected, so the allocation cap applies.
int nf_load(lua_State *L, const char *code, size_t len, const char *chunk) {
	nf_state *x = NF_X(L);
	int host = x->host;
	x->host = 0;
	int st = luaL_loadbufferx(L, code, len, chunk, "t");
	x->host = host;
	if (st != LUA_OK) lua_pushnil(L);
	return st;
}

static int op_gettable(lua_State *L) {
	lua_gettable(L, 1);
	return 1;
}
static int op_settable(lua_State *L) {
	lua_settable(L, 1);
	return 0;
}
static int op_len(lua_State *L) {
	lua_len(L, 1);
	return 1;
}
static int op_next(lua_State *L) {
	lua_settop(L, 2);
	if (lua_next(L, 1)) return 2;
	lua_pushnil(L);
	return 1;
}
static int op_tolstring(lua_State *L) {
	luaL_tolstring(L, 1, NULL);
	return 1;
}
static int op_compare(lua_State *L) {
	lua_pushboolean(L, lua_compare(L, 1, 2, (int)lua_tointeger(L, 3)));
	return 1;
}
static int op_getglobal(lua_State *L) {
	lua_pushglobaltable(L);
	lua_insert(L, 1);
	lua_gettable(L, 1);
	return 1;
}
static int op_setglobal(lua_State *L) {
	lua_pushglobaltable(L);
	lua_insert(L, 1);
	lua_settable(L, 1);
	return 0;
}

int nf_getfield(lua_State *L, int idx, const char *k, size_t klen) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_pushlstring(L, k, klen);
	return nf_protect(L, op_gettable, 2, 1);
}

int nf_setfield(lua_State *L, int idx, const char *k, size_t klen) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_pushlstring(L, k, klen);
	lua_rotate(L, -3, -1); // value on top
	return nf_protect(L, op_settable, 3, 0);
}

int nf_gettable(lua_State *L, int idx) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_insert(L, -2);
	return nf_protect(L, op_gettable, 2, 1);
}

int nf_settable(lua_State *L, int idx) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_insert(L, -3);
	return nf_protect(L, op_settable, 3, 0);
}

int nf_geti(lua_State *L, int idx, lua_Integer i) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_pushinteger(L, i);
	return nf_protect(L, op_gettable, 2, 1);
}

int nf_seti(lua_State *L, int idx, lua_Integer i) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_pushinteger(L, i);
	lua_rotate(L, -3, -1);
	return nf_protect(L, op_settable, 3, 0);
}

int nf_getglobal(lua_State *L, const char *k, size_t klen) {
	lua_pushlstring(L, k, klen);
	return nf_protect(L, op_getglobal, 1, 1);
}

int nf_setglobal(lua_State *L, const char *k, size_t klen) {
	lua_pushlstring(L, k, klen);
	lua_insert(L, -2);
	return nf_protect(L, op_setglobal, 2, 0);
}

int nf_len(lua_State *L, int idx, lua_Integer *out) {
	lua_pushvalue(L, idx);
	int st = nf_protect(L, op_len, 1, 1);
	if (st != LUA_OK) return st;
	int isnum = 0;
	*out = lua_tointegerx(L, -1, &isnum);
	lua_pop(L, 1);
	return isnum ? LUA_OK : -1;
}

// nf_next pops a key and pushes the next key and value (more = 1), or nothing at the end.
int nf_next(lua_State *L, int idx, int *more) {
	idx = lua_absindex(L, idx);
	lua_pushvalue(L, idx);
	lua_insert(L, -2);
	int st = nf_protect(L, op_next, 2, 2);
	if (st != LUA_OK) return st;
	if (lua_isnil(L, -2)) {
		lua_pop(L, 2);
		*more = 0;
	} else {
		*more = 1;
	}
	return LUA_OK;
}

int nf_tolstring(lua_State *L, int idx) {
	lua_pushvalue(L, idx);
	return nf_protect(L, op_tolstring, 1, 1);
}

int nf_compare(lua_State *L, int a, int b, int op, int *out) {
	a = lua_absindex(L, a);
	b = lua_absindex(L, b);
	lua_pushvalue(L, a);
	lua_pushvalue(L, b);
	lua_pushinteger(L, op);
	int st = nf_protect(L, op_compare, 3, 1);
	if (st != LUA_OK) return st;
	*out = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return LUA_OK;
}

// nf_rawset is lua_rawset that refuses (instead of raising) keys a table cannot hold.
int nf_rawset(lua_State *L, int idx) {
	idx = lua_absindex(L, idx);
	int kt = lua_type(L, -2);
	if (kt == LUA_TNIL) return 1;
	if (kt == LUA_TNUMBER && !lua_isinteger(L, -2)) {
		lua_Number n = lua_tonumber(L, -2);
		if (n != n) return 2;
	}
	lua_rawset(L, idx);
	return 0;
}

int nf_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }

// ---- pushes that check the stack first ------------------------------------------------------
// Go code pushes through these so that a host bug overflowing the stack is reported instead of
// corrupting memory. They return 0 when the stack cannot grow.

int nf_push_nil(lua_State *L) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushnil(L);
	return 1;
}
int nf_push_bool(lua_State *L, int b) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushboolean(L, b);
	return 1;
}
int nf_push_int(lua_State *L, lua_Integer n) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushinteger(L, n);
	return 1;
}
int nf_push_num(lua_State *L, lua_Number n) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushnumber(L, n);
	return 1;
}
int nf_push_str(lua_State *L, const char *s, size_t len) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushlstring(L, s, len);
	return 1;
}
int nf_push_light(lua_State *L, uintptr_t p) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushlightuserdata(L, (void *)p);
	return 1;
}
int nf_push_value(lua_State *L, int idx) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushvalue(L, idx);
	return 1;
}
int nf_push_table(lua_State *L, int narr, int nrec) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_createtable(L, narr, nrec);
	return 1;
}
int nf_push_global(lua_State *L) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_pushglobaltable(L);
	return 1;
}
int nf_push_ref(lua_State *L, int ref) {
	if (!lua_checkstack(L, 1)) return 0;
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	return 1;
}
int nf_rawgetfield(lua_State *L, int idx, const char *k, size_t klen) {
	if (!lua_checkstack(L, 2)) return -1;
	idx = lua_absindex(L, idx);
	lua_pushlstring(L, k, klen);
	return lua_rawget(L, idx);
}
void nf_rawsetfield(lua_State *L, int idx, const char *k, size_t klen) {
	idx = lua_absindex(L, idx);
	lua_pushlstring(L, k, klen);
	lua_insert(L, -2);
	lua_rawset(L, idx);
}
int nf_rawgeti(lua_State *L, int idx, lua_Integer i) {
	if (!lua_checkstack(L, 1)) return -1;
	return lua_rawgeti(L, idx, i);
}
void *nf_newuserdata(lua_State *L, size_t size, int nuv) {
	if (!lua_checkstack(L, 1)) return NULL;
	return lua_newuserdatauv(L, size, nuv);
}

// nf_num_tostring pushes a copy of the number at idx converted to a string, leaving the
// original slot untouched (lua_tolstring would convert it in place, breaking lua_next).
const char *nf_num_tostring(lua_State *L, int idx, size_t *len) {
	if (!lua_checkstack(L, 1)) return NULL;
	lua_pushvalue(L, idx);
	return lua_tolstring(L, -1, len);
}

void nf_setenv(lua_State *L, int fidx) {
	if (lua_setupvalue(L, fidx, 1) == NULL) lua_pop(L, 1);
}

int nf_has_tostring(lua_State *L, int idx) {
	if (luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL) return 0;
	lua_pop(L, 1);
	return 1;
}

void nf_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }
