package lua

// The reference Lua 5.4 library is linked from the system (Debian: liblua5.4-dev), found with
// pkg-config. The static archive comes first so the binary does not depend on liblua5.4.so at
// run time; --as-needed then drops the shared library pkg-config names. Build with the tag
// lua_dynamic to link the shared library instead (see link_dynamic.go).

/*
#cgo pkg-config: lua5.4
#cgo CFLAGS: -O2
#include "host.h"
*/
import "C"
