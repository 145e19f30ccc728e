package lua

/*
#include "host.h"

// The integer and number conversions neither allocate nor run metamethods, so they never call
// back into Go and cannot keep the out-parameter: with these the isnum flag stays on the Go
// stack instead of escaping to the heap on every uncached ToInteger and ToNumber.
#cgo noescape lua_tointegerx
#cgo nocallback lua_tointegerx
#cgo noescape lua_tonumberx
#cgo nocallback lua_tonumberx
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Type is a Lua value type, as lua_type returns it.
type Type int

// The Lua types. TypeNone is the type of an index past the top of the stack.
const (
	TypeNone          Type = C.LUA_TNONE
	TypeNil           Type = C.LUA_TNIL
	TypeBoolean       Type = C.LUA_TBOOLEAN
	TypeLightUserdata Type = C.LUA_TLIGHTUSERDATA
	TypeNumber        Type = C.LUA_TNUMBER
	TypeString        Type = C.LUA_TSTRING
	TypeTable         Type = C.LUA_TTABLE
	TypeFunction      Type = C.LUA_TFUNCTION
	TypeUserdata      Type = C.LUA_TUSERDATA
	TypeThread        Type = C.LUA_TTHREAD
)

var typeNames = [...]string{"no value", "nil", "boolean", "userdata", "number", "string", "table", "function", "userdata", "thread"}

// String returns the type's name as Lua's type() spells it ("no value" for TypeNone).
func (t Type) String() string {
	if t >= TypeNone && int(t)+1 < len(typeNames) {
		return typeNames[t+1]
	}
	return fmt.Sprintf("type(%d)", int(t))
}

// MultRet asks Call and CallRef for all results.
const MultRet = C.LUA_MULTRET

// RegistryIndex is the pseudo-index of the registry table.
const RegistryIndex = C.LUA_REGISTRYINDEX

// Top returns the index of the top element, which is also the number of elements.
func (s *State) Top() int {
	if s.lazyFor() {
		return int(s.vm.x.ktop + s.vm.x.npend)
	}
	return int(C.lua_gettop(s.L))
}

// SetTop sets the top to idx, filling with nil or dropping elements.
func (s *State) SetTop(idx int) {
	s.sync()
	if idx > s.Top() {
		s.CheckStack(idx - s.Top())
	}
	C.lua_settop(s.L, C.int(idx))
}

// Pop removes n elements from the top.
func (s *State) Pop(n int) {
	if s.lazyFor() && s.lazyPop(n) {
		return
	}
	s.sync()
	C.lua_settop(s.L, C.int(-n-1))
}

// AbsIndex converts a relative index (negative, from the top) to an absolute one.
func (s *State) AbsIndex(idx int) int {
	s.sync()
	return int(C.lua_absindex(s.L, C.int(idx)))
}

// CheckStack makes room for n more elements and reports whether it could.
func (s *State) CheckStack(n int) bool {
	s.sync()
	return C.lua_checkstack(s.L, C.int(n)) != 0
}

// PushValue pushes a copy of the element at idx.
func (s *State) PushValue(idx int) {
	s.sync()
	s.pushed(C.nf_push_value(s.L, C.int(idx)))
}

// Remove removes the element at idx, shifting the ones above down.
func (s *State) Remove(idx int) {
	s.sync()
	C.lua_rotate(s.L, C.int(idx), -1)
	C.lua_settop(s.L, -2)
}

// Insert moves the top element to idx, shifting the ones above up.
func (s *State) Insert(idx int) {
	s.sync()
	C.lua_rotate(s.L, C.int(idx), 1)
}

// Replace pops the top element into idx.
func (s *State) Replace(idx int) {
	s.sync()
	C.lua_copy(s.L, -1, C.int(idx))
	C.lua_settop(s.L, -2)
}

// Copy copies the element at from into to.
func (s *State) Copy(from, to int) {
	s.sync()
	C.lua_copy(s.L, C.int(from), C.int(to))
}

// Rotate rotates the elements from idx to the top n positions towards the top.
func (s *State) Rotate(idx, n int) {
	s.sync()
	C.lua_rotate(s.L, C.int(idx), C.int(n))
}

// pushed panics when a checked push found the stack full: a host bug, reported rather than
// left to corrupt memory.
func (s *State) pushed(ok C.int) {
	if ok == 0 {
		panic(fmt.Sprintf("lua: stack overflow: cannot push beyond %d elements (a Go function or host loop leaks stack slots)", s.Top()))
	}
}

// Type returns the type of the element at idx, TypeNone for an index above the top.
func (s *State) Type(idx int) Type {
	if c := s.cached(idx); c != nil {
		return Type(c.t)
	}
	s.sync()
	return Type(C.lua_type(s.L, C.int(idx)))
}

// TypeName returns the name of a type as lua_typename gives it.
func (s *State) TypeName(t Type) string { return C.GoString(C.lua_typename(s.L, C.int(t))) }

// IsNil reports whether the element at idx is nil.
func (s *State) IsNil(idx int) bool { return s.Type(idx) == TypeNil }

// IsNoneOrNil reports whether idx is above the top or holds nil.
func (s *State) IsNoneOrNil(idx int) bool { return s.Type(idx) <= TypeNil }

// IsNumber reports whether the element at idx is a number or a string convertible to one.
func (s *State) IsNumber(idx int) bool {
	s.sync()
	return C.lua_isnumber(s.L, C.int(idx)) != 0
}

// IsInteger reports whether the element at idx is a number with an integer representation
// (math.type(v) == "integer").
func (s *State) IsInteger(idx int) bool {
	s.sync()
	return C.lua_isinteger(s.L, C.int(idx)) != 0
}

// IsString reports whether the element at idx is a string or a number.
func (s *State) IsString(idx int) bool {
	s.sync()
	return C.lua_isstring(s.L, C.int(idx)) != 0
}

// IsFunction reports whether the element at idx is a function.
func (s *State) IsFunction(idx int) bool { return s.Type(idx) == TypeFunction }

// IsTable reports whether the element at idx is a table.
func (s *State) IsTable(idx int) bool { return s.Type(idx) == TypeTable }

// IsUserdata reports whether the element at idx is a full or light userdata.
func (s *State) IsUserdata(idx int) bool {
	s.sync()
	return C.lua_isuserdata(s.L, C.int(idx)) != 0
}

// PushNil pushes nil.
func (s *State) PushNil() {
	if p := s.pend(); p != nil {
		p.t = C.LUA_TNIL
		return
	}
	s.sync()
	s.pushed(C.nf_push_nil(s.L))
}

// PushBoolean pushes a boolean.
func (s *State) PushBoolean(b bool) {
	var v C.int
	if b {
		v = 1
	}
	if p := s.pend(); p != nil {
		p.t, p.i = C.LUA_TBOOLEAN, C.lua_Integer(v)
		return
	}
	s.sync()
	s.pushed(C.nf_push_bool(s.L, v))
}

// PushInteger pushes an integer.
func (s *State) PushInteger(n int64) {
	if p := s.pend(); p != nil {
		p.t, p.isint, p.i = C.LUA_TNUMBER, 1, C.lua_Integer(n)
		return
	}
	s.sync()
	s.pushed(C.nf_push_int(s.L, C.lua_Integer(n)))
}

// PushNumber pushes a float.
func (s *State) PushNumber(n float64) {
	if p := s.pend(); p != nil {
		p.t, p.isint, p.n = C.LUA_TNUMBER, 0, C.lua_Number(n)
		return
	}
	s.sync()
	s.pushed(C.nf_push_num(s.L, C.lua_Number(n)))
}

// PushString pushes a string. Lua copies the bytes once, straight from the Go string.
func (s *State) PushString(str string) {
	s.sync()
	s.pushed(C.nf_push_str(s.L, (*C.char)(unsafe.Pointer(unsafe.StringData(str))), C.size_t(len(str))))
}

// PushBytes pushes b as a Lua string.
func (s *State) PushBytes(b []byte) {
	s.sync()
	s.pushed(C.nf_push_str(s.L, (*C.char)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))))
}

// PushLightUserdata pushes a light userdata holding p. It must not be a Go pointer.
func (s *State) PushLightUserdata(p uintptr) {
	s.sync()
	s.pushed(C.nf_push_light(s.L, C.uintptr_t(p)))
}

// PushGlobalTable pushes the global table.
func (s *State) PushGlobalTable() {
	s.sync()
	s.pushed(C.nf_push_global(s.L))
}

// ToBoolean returns false for nil and false, true for every other value.
func (s *State) ToBoolean(idx int) bool {
	if c := s.cached(idx); c != nil {
		return c.t != C.LUA_TNIL && (c.t != C.LUA_TBOOLEAN || c.i != 0)
	}
	s.sync()
	return C.lua_toboolean(s.L, C.int(idx)) != 0
}

// ToInteger returns the element at idx as an integer; ok is false unless it is an integer, a
// float with an exact integer value, or a string convertible to one.
func (s *State) ToInteger(idx int) (n int64, ok bool) {
	if c := s.cached(idx); c != nil && c.t == C.LUA_TNUMBER && c.isint != 0 {
		return int64(c.i), true
	}
	return s.toIntegerSlow(idx)
}

func (s *State) toIntegerSlow(idx int) (int64, bool) {
	if c := s.cached(idx); c != nil {
		if c.t == C.LUA_TNUMBER {
			return floatToInteger(float64(c.n))
		}
		if c.t != C.LUA_TSTRING {
			return 0, false
		}
	}
	s.sync()
	var isnum C.int
	n := int64(C.lua_tointegerx(s.L, C.int(idx), &isnum))
	return n, isnum != 0
}

// ToNumber returns the element at idx as a float; ok is false unless it is a number or a
// string convertible to one.
func (s *State) ToNumber(idx int) (n float64, ok bool) {
	if c := s.cached(idx); c != nil && c.t == C.LUA_TNUMBER {
		return float64(c.n), true // C converted integers as lua_tonumber would
	}
	return s.toNumberSlow(idx)
}

func (s *State) toNumberSlow(idx int) (float64, bool) {
	if c := s.cached(idx); c != nil && c.t != C.LUA_TSTRING {
		return 0, false
	}
	s.sync()
	var isnum C.int
	n := float64(C.lua_tonumberx(s.L, C.int(idx), &isnum))
	return n, isnum != 0
}

// ToString returns a copy of the string at idx; numbers are converted as tostring would,
// without changing the element (unlike lua_tolstring). ok is false for other types.
func (s *State) ToString(idx int) (string, bool) {
	if c := s.cached(idx); c != nil {
		switch c.t {
		case C.LUA_TSTRING:
			return cachedString(c), true
		case C.LUA_TNUMBER: // formatted by Lua below
		default:
			return "", false
		}
	}
	s.sync()
	switch C.lua_type(s.L, C.int(idx)) {
	case C.LUA_TSTRING:
		return s.rawString(idx), true
	case C.LUA_TNUMBER:
		var n C.size_t
		p := C.nf_num_tostring(s.L, C.int(idx), &n)
		if p == nil {
			return "", false
		}
		str := C.GoStringN(p, C.int(n))
		C.lua_settop(s.L, -2)
		return str, true
	}
	return "", false
}

func (s *State) rawString(idx int) string {
	var n C.size_t
	p := C.lua_tolstring(s.L, C.int(idx), &n)
	return C.GoStringN(p, C.int(n))
}

// ToBytesView returns the bytes of the string at idx without copying them, or nil when it is
// not a string. The slice points into Lua's memory: it is valid only while the string stays
// on the stack (or is otherwise referenced) and must never be written to.
func (s *State) ToBytesView(idx int) []byte {
	if c := s.cached(idx); c != nil && c.t == C.LUA_TSTRING {
		return cachedBytes(c)
	}
	s.sync()
	if C.lua_type(s.L, C.int(idx)) != C.LUA_TSTRING {
		return nil
	}
	var n C.size_t
	p := C.lua_tolstring(s.L, C.int(idx), &n)
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// ToLightUserdata returns the pointer held by a light userdata, or 0.
func (s *State) ToLightUserdata(idx int) uintptr {
	s.sync()
	if s.Type(idx) != TypeLightUserdata {
		return 0
	}
	return uintptr(C.lua_touserdata(s.L, C.int(idx)))
}

// ToUserdata returns the block address of a full userdata (or the pointer of a light one), or
// nil. The memory belongs to Lua: it is valid while the userdata is reachable.
func (s *State) ToUserdata(idx int) unsafe.Pointer {
	s.sync()
	return C.lua_touserdata(s.L, C.int(idx))
}

// ToPointer returns an address identifying a table, function, userdata or thread, for
// identity and cycle checks only.
func (s *State) ToPointer(idx int) uintptr {
	s.sync()
	return uintptr(C.lua_topointer(s.L, C.int(idx)))
}

// RawEqual reports whether the elements at a and b are primitively equal (no __eq).
func (s *State) RawEqual(a, b int) bool {
	s.sync()
	return C.lua_rawequal(s.L, C.int(a), C.int(b)) != 0
}

// CompareOp selects the comparison of Compare.
type CompareOp int

// The comparisons of Compare.
const (
	OpEq CompareOp = C.LUA_OPEQ
	OpLt CompareOp = C.LUA_OPLT
	OpLe CompareOp = C.LUA_OPLE
)

// Compare compares the elements at a and b with Lua semantics, metamethods included.
func (s *State) Compare(a, b int, op CompareOp) (bool, error) {
	s.sync()
	var out C.int
	if st := C.nf_compare(s.L, C.int(a), C.int(b), C.int(op), &out); st != C.LUA_OK {
		return false, s.newError(st, RuntimeError)
	}
	return out != 0, nil
}

// Stringify converts the element at idx as tostring does (luaL_tolstring: __tostring and
// __name included) and returns it, leaving the stack as it was.
func (s *State) Stringify(idx int) (string, error) {
	s.sync()
	if st := C.nf_tolstring(s.L, C.int(idx)); st != C.LUA_OK {
		return "", s.newError(st, RuntimeError)
	}
	str := s.rawString(-1)
	C.lua_settop(s.L, -2)
	return str, nil
}
