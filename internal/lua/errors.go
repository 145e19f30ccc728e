package lua

/*
#include "host.h"
*/
import "C"

import (
	"fmt"
	"strconv"
	"strings"
)

// ErrorKind classifies a failed call or load.
type ErrorKind int

// The kinds of Lua errors.
const (
	RuntimeError ErrorKind = iota // error() or a failed operation in a script
	SyntaxError                   // the chunk did not compile
	MemoryError                   // the allocation cap (or the system) refused memory
	TimeoutError                  // the watchdog interrupted a call that overran its budget
	HandlerError                  // the error handler itself failed
)

func (k ErrorKind) String() string {
	switch k {
	case RuntimeError:
		return "runtime error"
	case SyntaxError:
		return "syntax error"
	case MemoryError:
		return "memory error"
	case TimeoutError:
		return "timeout"
	case HandlerError:
		return "error in error handling"
	}
	return "error kind " + strconv.Itoa(int(k))
}

// Error is a Lua error seen from Go.
type Error struct {
	Kind ErrorKind
	// Message is the error value as Lua shows it, usually "chunk:line: text".
	Message string
	// Traceback is luaL_traceback's "stack traceback:" text at the point of the error, or ""
	// for memory errors (no handler runs for them) and syntax errors.
	Traceback string
	// Chunk and Line locate the error when Message starts with "chunk:line:"; Line is 0
	// otherwise.
	Chunk string
	Line  int
}

// Error returns the message followed by the traceback.
func (e *Error) Error() string {
	if e.Traceback == "" {
		return e.Message
	}
	return e.Message + "\n" + e.Traceback
}

// newError builds an Error from status st and the [error value, traceback] pair that the C
// helpers leave on the stack, and pops them.
func (s *State) newError(st C.int, kind ErrorKind) *Error {
	s.sync()
	e := &Error{Kind: kind}
	switch st {
	case C.LUA_ERRSYNTAX:
		e.Kind = SyntaxError
	case C.LUA_ERRMEM:
		e.Kind = MemoryError
	case C.LUA_ERRERR:
		e.Kind = HandlerError
	}
	if C.lua_type(s.L, -1) == C.LUA_TSTRING {
		e.Traceback = s.rawString(-1)
	}
	switch C.lua_type(s.L, -2) {
	case C.LUA_TSTRING:
		e.Message = s.rawString(-2)
	case C.LUA_TNUMBER:
		e.Message, _ = s.ToString(-2)
	case C.LUA_TNIL:
		e.Message = "nil"
	default:
		if C.nf_has_tostring(s.L, -2) != 0 {
			msg, err := s.Stringify(-2)
			if err != nil {
				msg = "(error object's __tostring failed: " + err.Error() + ")"
			}
			e.Message = msg
		} else {
			e.Message = fmt.Sprintf("(error object is a %s value)", s.TypeName(s.Type(-2)))
		}
	}
	C.lua_settop(s.L, -3)
	e.Chunk, e.Line = splitPosition(e.Message)
	return e
}

// splitPosition extracts "chunk" and line from a message of the form "chunk:line: text"
// (the position must be on the first line).
func splitPosition(msg string) (string, int) {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	for i := 1; i < len(msg); i++ {
		if msg[i] != ':' {
			continue
		}
		j := i + 1
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(msg) && msg[j] == ':' {
			if line, err := strconv.Atoi(msg[i+1 : j]); err == nil && line > 0 {
				return msg[:i], line
			}
		}
	}
	return "", 0
}

// ArgError is returned by a Go function to raise Lua's "bad argument #Arg to 'name' (Msg)".
type ArgError struct {
	Arg int
	Msg string
}

func (e *ArgError) Error() string { return fmt.Sprintf("bad argument #%d (%s)", e.Arg, e.Msg) }
