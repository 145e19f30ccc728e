//go:build !lua_dynamic

package baseline

// Linked like package lua, so that both measure the same library.

// #cgo LDFLAGS: -Wl,-Bstatic -llua5.4 -Wl,-Bdynamic -lm -Wl,--as-needed
import "C"
