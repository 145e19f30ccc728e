package lua

/*
#include "host.h"
*/
import "C"

import (
	"errors"
	"unsafe"
)

// NewTable pushes a new empty table.
func (s *State) NewTable() {
	s.sync()
	s.pushed(C.nf_push_table(s.L, 0, 0))
}

// CreateTable pushes a new table with room for narr array and nrec hash elements.
func (s *State) CreateTable(narr, nrec int) {
	s.sync()
	s.pushed(C.nf_push_table(s.L, C.int(narr), C.int(nrec)))
}

func cstrView(k string) (*C.char, C.size_t) {
	return (*C.char)(unsafe.Pointer(unsafe.StringData(k))), C.size_t(len(k))
}

// GetField pushes t[k] for the table (or any indexable value) at idx, running __index
// metamethods in protected mode. On error nothing is pushed.
func (s *State) GetField(idx int, k string) (Type, error) {
	s.sync()
	p, n := cstrView(k)
	if st := C.nf_getfield(s.L, C.int(idx), p, n); st != C.LUA_OK {
		return TypeNil, s.newError(st, RuntimeError)
	}
	return s.Type(-1), nil
}

// SetField does t[k] = v where t is at idx and v is the top element, which is popped (also on
// error). __newindex metamethods run in protected mode.
func (s *State) SetField(idx int, k string) error {
	s.sync()
	p, n := cstrView(k)
	if st := C.nf_setfield(s.L, C.int(idx), p, n); st != C.LUA_OK {
		return s.newError(st, RuntimeError)
	}
	return nil
}

// GetTable pops a key and pushes t[key] for t at idx, metamethods included.
func (s *State) GetTable(idx int) (Type, error) {
	s.sync()
	if st := C.nf_gettable(s.L, C.int(idx)); st != C.LUA_OK {
		return TypeNil, s.newError(st, RuntimeError)
	}
	return s.Type(-1), nil
}

// SetTable pops a value and a key (pushed in that order: key first) and does t[key] = value
// for t at idx, metamethods included.
func (s *State) SetTable(idx int) error {
	s.sync()
	if st := C.nf_settable(s.L, C.int(idx)); st != C.LUA_OK {
		return s.newError(st, RuntimeError)
	}
	return nil
}

// GetI pushes t[i] for t at idx, metamethods included.
func (s *State) GetI(idx int, i int64) (Type, error) {
	s.sync()
	if st := C.nf_geti(s.L, C.int(idx), C.lua_Integer(i)); st != C.LUA_OK {
		return TypeNil, s.newError(st, RuntimeError)
	}
	return s.Type(-1), nil
}

// SetI pops a value and does t[i] = value for t at idx, metamethods included.
func (s *State) SetI(idx int, i int64) error {
	s.sync()
	if st := C.nf_seti(s.L, C.int(idx), C.lua_Integer(i)); st != C.LUA_OK {
		return s.newError(st, RuntimeError)
	}
	return nil
}

// RawGet pops a key and pushes t[key] for the table at idx, without metamethods.
func (s *State) RawGet(idx int) Type {
	s.sync()
	return Type(C.lua_rawget(s.L, C.int(idx)))
}

// ErrBadKey is returned by RawSet for a nil or NaN key, which no table can hold.
var ErrBadKey = errors.New("lua: table key is nil or NaN")

// RawSet pops a value and a key and does t[key] = value for the table at idx, without
// metamethods. A nil or NaN key is refused with ErrBadKey (both are popped).
func (s *State) RawSet(idx int) error {
	s.sync()
	if C.nf_rawset(s.L, C.int(idx)) != 0 {
		C.lua_settop(s.L, -3)
		return ErrBadKey
	}
	return nil
}

// RawGetI pushes t[i] for the table at idx, without metamethods.
func (s *State) RawGetI(idx int, i int64) Type {
	s.sync()
	t := C.nf_rawgeti(s.L, C.int(idx), C.lua_Integer(i))
	s.pushed(C.int(t + 1))
	return Type(t)
}

// RawSetI pops a value and does t[i] = value for the table at idx, without metamethods.
func (s *State) RawSetI(idx int, i int64) {
	s.sync()
	C.lua_rawseti(s.L, C.int(idx), C.lua_Integer(i))
}

// RawGetField pushes t[k] for the table at idx, without metamethods.
func (s *State) RawGetField(idx int, k string) Type {
	s.sync()
	p, n := cstrView(k)
	t := C.nf_rawgetfield(s.L, C.int(idx), p, n)
	s.pushed(C.int(t + 1))
	return Type(t)
}

// RawSetField pops a value and does t[k] = value for the table at idx, without metamethods.
func (s *State) RawSetField(idx int, k string) {
	s.sync()
	p, n := cstrView(k)
	C.nf_rawsetfield(s.L, C.int(idx), p, n)
}

// RawLen returns the raw length of a string, table or userdata (no __len).
func (s *State) RawLen(idx int) int {
	s.sync()
	return int(C.lua_rawlen(s.L, C.int(idx)))
}

// Len returns the length of the value at idx as the # operator does, __len included.
func (s *State) Len(idx int) (int64, error) {
	s.sync()
	var n C.lua_Integer
	st := C.nf_len(s.L, C.int(idx), &n)
	if st == -1 {
		return 0, errors.New("lua: object length is not an integer")
	}
	if st != C.LUA_OK {
		return 0, s.newError(st, RuntimeError)
	}
	return int64(n), nil
}

// Next pops a key and pushes the next key and value of the table at idx; at the end it pushes
// nothing and returns false. Start with a nil key. During a traversal, do not call ToString
// style conversions on the key in place and do not add new keys to the table.
func (s *State) Next(idx int) (bool, error) {
	s.sync()
	var more C.int
	if st := C.nf_next(s.L, C.int(idx), &more); st != C.LUA_OK {
		return false, s.newError(st, RuntimeError)
	}
	return more != 0, nil
}

// ForEach calls fn for every key/value pair of the table at idx, with the key at -2 and the
// value at -1. fn must leave the stack as it found it. Iteration stops at the first error.
func (s *State) ForEach(idx int, fn func() error) error {
	idx = s.AbsIndex(idx)
	s.PushNil()
	for {
		more, err := s.Next(idx)
		if err != nil || !more {
			return err
		}
		if err := fn(); err != nil {
			s.Pop(2)
			return err
		}
		s.Pop(1)
	}
}

// GetMetatable pushes the metatable of the value at idx and returns true, or pushes nothing
// and returns false.
func (s *State) GetMetatable(idx int) bool {
	s.sync()
	s.CheckStack(1)
	return C.lua_getmetatable(s.L, C.int(idx)) != 0
}

// SetMetatable pops a table (or nil) and sets it as the metatable of the value at idx.
func (s *State) SetMetatable(idx int) {
	s.sync()
	C.lua_setmetatable(s.L, C.int(idx))
}

// NewMetatable pushes the registry's metatable called name, creating it (with __name set)
// when missing; it returns true if it created it.
func (s *State) NewMetatable(name string) bool {
	s.sync()
	s.CheckStack(2)
	c := cstr(name)
	defer freeC(c)
	return C.luaL_newmetatable(s.L, c) != 0
}

// GetNamedMetatable pushes the registry's metatable called name (nil if there is none).
func (s *State) GetNamedMetatable(name string) Type {
	s.sync()
	return s.RawGetField(RegistryIndex, name)
}

// TestUserdata returns the block of the userdata at idx if its metatable is the one
// registered as name, or nil.
func (s *State) TestUserdata(idx int, name string) unsafe.Pointer {
	s.sync()
	s.CheckStack(2)
	c := cstr(name)
	defer freeC(c)
	return C.luaL_testudata(s.L, C.int(idx), c)
}

// NewUserdata pushes a full userdata of size bytes with nuv user values and returns its block
// (Lua memory, valid while the userdata is reachable; it must not hold Go pointers).
func (s *State) NewUserdata(size, nuv int) unsafe.Pointer {
	s.sync()
	p := C.nf_newuserdata(s.L, C.size_t(size), C.int(nuv))
	if p == nil {
		s.pushed(0)
	}
	return p
}

// GetIUserValue pushes the n-th user value of the userdata at idx (nil, returning TypeNone,
// if it has none).
func (s *State) GetIUserValue(idx, n int) Type {
	s.sync()
	s.CheckStack(1)
	return Type(C.lua_getiuservalue(s.L, C.int(idx), C.int(n)))
}

// SetIUserValue pops a value into the n-th user value of the userdata at idx; false when the
// userdata has no such value (the value is popped anyway).
func (s *State) SetIUserValue(idx, n int) bool {
	s.sync()
	return C.lua_setiuservalue(s.L, C.int(idx), C.int(n)) != 0
}
