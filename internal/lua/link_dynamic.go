//go:build lua_dynamic

package lua

// #cgo LDFLAGS: -lm
import "C"
