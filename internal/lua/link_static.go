//go:build !lua_dynamic

package lua

// #cgo LDFLAGS: -Wl,-Bstatic -llua5.4 -Wl,-Bdynamic -lm -Wl,--as-needed
import "C"
