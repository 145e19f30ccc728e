package lua

/*
#include "host.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
)

// chunkName turns a display name such as "my-package/Server/Index.lua" into a Lua chunk name
// that messages show as is ("my-package/Server/Index.lua:3: ..."). Names starting with '@' or
// '=' are passed through.
func chunkName(name string) string {
	if strings.HasPrefix(name, "@") || strings.HasPrefix(name, "=") {
		return name
	}
	return "@" + name
}

// LoadString compiles code as a text chunk (bytecode is refused) and pushes it as a function.
// On error nothing is pushed and a *Error of kind SyntaxError (or MemoryError) is returned.
func (s *State) LoadString(code, chunk string) error {
	s.sync()
	s.CheckStack(2)
	name := cstr(chunkName(chunk))
	defer freeC(name)
	p, n := cstrView(code)
	if st := C.nf_load(s.L, p, n, name); st != C.LUA_OK {
		return s.newError(st, SyntaxError)
	}
	return nil
}

// LoadBuffer is LoadString for a byte slice.
func (s *State) LoadBuffer(code []byte, chunk string) error {
	s.sync()
	s.CheckStack(2)
	name := cstr(chunkName(chunk))
	defer freeC(name)
	var p *C.char
	if len(code) > 0 {
		p = (*C.char)(C.CBytes(code))
		defer freeC(p)
	}
	if st := C.nf_load(s.L, p, C.size_t(len(code)), name); st != C.LUA_OK {
		return s.newError(st, SyntaxError)
	}
	return nil
}

// LoadStringEnv compiles code like LoadString and sets env, the table at envIdx, as the
// chunk's _ENV: its globals are read from and written to that table.
func (s *State) LoadStringEnv(code, chunk string, envIdx int) error {
	envIdx = s.AbsIndex(envIdx)
	if err := s.LoadString(code, chunk); err != nil {
		return err
	}
	s.PushValue(envIdx)
	C.nf_setenv(s.L, -2)
	return nil
}

// SetEnv pops a table and makes it the _ENV (first upvalue) of the Lua function at fidx. It
// reports false, popping the table anyway, when the function has no upvalue.
func (s *State) SetEnv(fidx int) bool {
	s.sync()
	fidx = s.AbsIndex(fidx)
	return C.lua_setupvalue(s.L, C.int(fidx), 1) != nil || func() bool { s.Pop(1); return false }()
}

// DoString compiles and runs code, discarding its results.
func (s *State) DoString(code, chunk string) error {
	if err := s.LoadString(code, chunk); err != nil {
		return err
	}
	return s.Call(0, 0)
}

// DoStringResults compiles and runs code and leaves nresults results (MultRet: all).
func (s *State) DoStringResults(code, chunk string, nresults int) error {
	if err := s.LoadString(code, chunk); err != nil {
		return err
	}
	return s.Call(0, nresults)
}

// DoFile reads the file at path and runs it as the chunk called chunk (path when empty).
func (s *State) DoFile(path, chunk string) error {
	code, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("lua: cannot run %s: %w", path, err)
	}
	if chunk == "" {
		chunk = path
	}
	if err := s.LoadBuffer(code, chunk); err != nil {
		return err
	}
	return s.Call(0, 0)
}
