//go:build lua_dynamic

package baseline

// #cgo LDFLAGS: -lm
import "C"
