#ifndef NANOFORGE_LUA_BASELINE_H
#define NANOFORGE_LUA_BASELINE_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

lua_State *base_new(void);
void base_close(lua_State *L);
int base_run(lua_State *L, const char *src, size_t len, long long arg, long long *out);
extern int base_status;
long long base_call_handler(lua_State *L, long long i);
void base_nop(void);
void base_callback_loop(long long n);

#endif
