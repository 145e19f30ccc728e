package lua

/*
#include <stdlib.h>
#include "host.h"
*/
import "C"

// NewGoMetatable pushes the registry metatable called name for Go values, creating it when
// missing (with __name, and a __gc that releases the Go value once Lua collects the userdata);
// it returns true if it created it. Add methods (__index, __tostring …) to it as to any table.
func (s *State) NewGoMetatable(name string) bool {
	s.sync()
	s.CheckStack(3)
	c := cstr(name)
	defer freeC(c)
	return C.nf_newgometatable(s.L, c) != 0
}

// PushGoValue pushes v as a full userdata with the metatable registered by NewGoMetatable as
// mt ("" for a plain one). Lua holds v until the userdata is collected or the state closes.
// The userdata has one user value slot (GetIUserValue / SetIUserValue) for per-object Lua
// data. It returns false, using the plain metatable, when mt is not registered.
func (s *State) PushGoValue(v any, mt string) bool {
	s.sync()
	s.CheckStack(3)
	m := s.vm
	var id int64
	if n := len(m.freeVal); n > 0 {
		id = m.freeVal[n-1]
		m.freeVal = m.freeVal[:n-1]
		m.values[id] = v
	} else {
		id = int64(len(m.values))
		m.values = append(m.values, v)
	}
	var c *C.char
	if mt != "" {
		c = cstr(mt)
		defer freeC(c)
	}
	return C.nf_pushgovalue(s.L, C.int64_t(id), c) != 0
}

// ToGoValue returns the Go value of a userdata made by PushGoValue; ok is false for any other
// value.
func (s *State) ToGoValue(idx int) (v any, ok bool) {
	s.sync()
	s.CheckStack(2)
	id := int64(C.nf_togovalue(s.L, C.int(idx)))
	if id <= 0 || id >= int64(len(s.vm.values)) {
		return nil, false
	}
	return s.vm.values[id], true
}
