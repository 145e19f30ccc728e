// The least a cgo binding of Lua can do per call, for benchmarks to measure ours against in the
// same run: no bookkeeping, no error handling beyond what Lua itself requires.
#include "baseline.h"
#include "_cgo_export.h"

// base_hostadd is a Lua function that calls Go once: read two numbers, call, push the sum.
static int base_hostadd(lua_State *L) {
	double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
	lua_pushnumber(L, baseHostAdd(a, b));
	return 1;
}

lua_State *base_new(void) {
	lua_State *L = luaL_newstate();
	if (L == NULL) return NULL;
	luaL_openlibs(L);
	lua_register(L, "hostadd", base_hostadd);
	return L;
}

void base_close(lua_State *L) { lua_close(L); }

// base_run loads and runs src with one integer argument; leaves its result as an integer in *out.
int base_run(lua_State *L, const char *src, size_t len, long long arg, long long *out) {
	int rc = luaL_loadbuffer(L, src, len, "baseline");
	if (rc == LUA_OK) {
		lua_pushinteger(L, arg);
		rc = lua_pcall(L, 1, 1, 0);
	}
	if (rc == LUA_OK) *out = (long long)lua_tonumber(L, -1);
	lua_settop(L, 0);
	return rc;
}

int base_status;

// base_call_handler is one event-style call from Go: get the global handler, push the argument,
// call it protected, read and pop the result. The call's status goes to base_status, which Go
// reads without a crossing.
long long base_call_handler(lua_State *L, long long i) {
	lua_getglobal(L, "handler");
	lua_pushinteger(L, i);
	base_status = lua_pcall(L, 1, 1, 0);
	long long r = lua_tointeger(L, -1);
	lua_pop(L, 1);
	return r;
}

void base_nop(void) {}

void base_callback_loop(long long n) {
	for (long long i = 0; i < n; i++) baseNopCallback();
}
