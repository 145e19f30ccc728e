package lib

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// toValue reads the Lua value at idx into the shared value model (nil,
// bool, int64, float64, string, []any, Object). A table whose keys are
// exactly 1..n is an array; an empty table is an empty array; any other
// table is an object whose number keys are written as text. what names
// the caller for errors ("JSON.stringify").
func toValue(s *lua.State, idx int, what string) (any, error) {
	c := &toValueConv{s: s, what: what, seen: map[uintptr]bool{}}
	return c.conv(s.AbsIndex(idx), 0)
}

type toValueConv struct {
	s    *lua.State
	what string
	seen map[uintptr]bool
	// path is the chain of keys down to the value being converted; it is
	// only turned into text for an error message.
	path []pathSeg
}

type pathSeg struct {
	isInt bool
	i     int64
	key   string
}

func (c *toValueConv) pathString() string {
	var b strings.Builder
	b.WriteString("value")
	for _, seg := range c.path {
		if seg.isInt {
			b.WriteString("[" + strconv.FormatInt(seg.i, 10) + "]")
		} else {
			b.WriteString("." + seg.key)
		}
	}
	return b.String()
}

func (c *toValueConv) conv(idx int, depth int) (any, error) {
	s := c.s
	if v, ok := s.ToScalar(idx); ok {
		return v, nil
	}
	switch t := s.Type(idx); t {
	case lua.TypeTable:
		return c.table(idx, depth)
	default:
		return nil, fmt.Errorf("%s: %s is a %s, which cannot be converted", c.what, c.pathString(), t)
	}
}

// table converts in one traversal: entries are collected with their keys,
// then arranged as an array when the keys turn out to be exactly 1..n.
func (c *toValueConv) table(idx int, depth int) (any, error) {
	s := c.s
	if depth >= maxJSONDepth {
		return nil, fmt.Errorf("%s: %s is nested deeper than %d levels", c.what, c.pathString(), maxJSONDepth)
	}
	ptr := s.ToPointer(idx)
	if c.seen[ptr] {
		return nil, fmt.Errorf("%s: %s refers back to a table that contains it (a cycle)", c.what, c.pathString())
	}
	c.seen[ptr] = true
	defer delete(c.seen, ptr)
	if !s.CheckStack(4) {
		return nil, fmt.Errorf("%s: %s: Lua stack exhausted", c.what, c.pathString())
	}
	type entry struct {
		seg pathSeg
		val any
	}
	n := s.RawLen(idx)
	entries := make([]entry, 0, n)
	isArray := true
	// During the traversal the key sits at base+1 and the value at base+2;
	// absolute indices spare a call per entry.
	base := s.Top()
	keyIdx, valIdx := base+1, base+2
	s.PushNil()
	for {
		more, err := s.Next(idx)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		var seg pathSeg
		switch kt := s.Type(keyIdx); kt {
		case lua.TypeNumber:
			if s.IsInteger(keyIdx) {
				seg.i, _ = s.ToInteger(keyIdx)
				seg.isInt = true
				isArray = isArray && seg.i >= 1 && seg.i <= int64(n)
			} else {
				f, _ := s.ToNumber(keyIdx)
				seg.key = strconv.FormatFloat(f, 'g', -1, 64)
				isArray = false
			}
		case lua.TypeString:
			seg.key, _ = s.ToString(keyIdx) // copies; does not convert the key in place
			isArray = false
		default:
			s.Pop(2)
			return nil, fmt.Errorf("%s: %s has a key of type %s; only string and number keys can be converted", c.what, c.pathString(), kt)
		}
		c.path = append(c.path, seg)
		v, err := c.conv(valIdx, depth+1)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			s.Pop(2)
			return nil, err
		}
		entries = append(entries, entry{seg, v})
		s.Pop(1)
	}
	if isArray && len(entries) == n {
		// Keys are distinct integers in 1..n and there are n of them.
		arr := make([]any, n)
		for _, e := range entries {
			arr[e.seg.i-1] = e.val
		}
		return arr, nil
	}
	obj := make(Object, len(entries))
	for i, e := range entries {
		k := e.seg.key
		if e.seg.isInt {
			k = strconv.FormatInt(e.seg.i, 10)
		}
		obj[i] = Member{Key: k, Value: e.val}
	}
	return obj, nil
}

// pushValue pushes a value of the shared model. Arrays become sequences
// (a nil element leaves a hole), Objects tables with string keys.
func pushValue(s *lua.State, v any) {
	if !s.CheckStack(3) {
		panic("lib: Lua stack exhausted while converting a value")
	}
	switch x := v.(type) {
	case nil:
		s.PushNil()
	case bool:
		s.PushBoolean(x)
	case int64:
		s.PushInteger(x)
	case int:
		s.PushInteger(int64(x))
	case float64:
		s.PushNumber(x)
	case string:
		s.PushString(x)
	case []any:
		s.CreateTable(len(x), 0)
		for i, e := range x {
			if e == nil {
				continue
			}
			pushValue(s, e)
			s.RawSetI(-2, int64(i+1))
		}
	case Object:
		s.CreateTable(0, len(x))
		for _, m := range x {
			pushValue(s, m.Value)
			s.RawSetField(-2, m.Key)
		}
	case []string:
		s.CreateTable(len(x), 0)
		for i, e := range x {
			s.PushString(e)
			s.RawSetI(-2, int64(i+1))
		}
	case map[string]string:
		s.CreateTable(0, len(x))
		for k, e := range x {
			s.PushString(e)
			s.RawSetField(-2, k)
		}
	default:
		s.PushString(fmt.Sprint(x))
	}
}

// Argument helpers. They return *lua.ArgError so Lua reports
// "bad argument #n to 'f' (...)".

func argString(s *lua.State, i int, def string, optional bool) (string, error) {
	if s.IsNoneOrNil(i) {
		if optional {
			return def, nil
		}
		return "", &lua.ArgError{Arg: i, Msg: "string expected, got " + typeName(s, i)}
	}
	str, ok := s.ToString(i)
	if !ok {
		return "", &lua.ArgError{Arg: i, Msg: "string expected, got " + typeName(s, i)}
	}
	return str, nil
}

func argInt(s *lua.State, i int, def int64) (int64, error) {
	if s.IsNoneOrNil(i) {
		return def, nil
	}
	n, ok := s.ToInteger(i)
	if !ok {
		if f, isNum := s.ToNumber(i); isNum && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return int64(f), nil
		}
		return 0, &lua.ArgError{Arg: i, Msg: "integer expected, got " + typeName(s, i)}
	}
	return n, nil
}

func argBool(s *lua.State, i int, def bool) bool {
	if s.IsNoneOrNil(i) {
		return def
	}
	return s.ToBoolean(i)
}

func typeName(s *lua.State, i int) string {
	t := s.Type(i)
	if t == lua.TypeNone {
		return "no value"
	}
	return t.String()
}
