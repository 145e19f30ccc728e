package lua

import (
	"fmt"
	"math"
	"reflect"
)

// maxConvertDepth bounds the nesting PushAny and ToAny follow.
const maxConvertDepth = 200

// PushAny pushes a Go value converted to Lua: nil; bool; every integer kind (uint64 values
// past math.MaxInt64 become floats); float32/64; string and []byte (strings); GoFunction and
// func(*State) (int, error); slices and arrays (sequences from index 1); maps with string,
// integer, float or bool keys (tables). Values met twice through the same map or slice
// become the same table, so cyclic structures convert without looping. Other types are
// refused with an error naming the path to the value.
func (s *State) PushAny(v any) error {
	c := pushConv{s: s, seen: map[seenKey]int{}}
	top := s.Top()
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Pointer, reflect.Interface:
		if _, isBytes := v.([]byte); !isBytes {
			// The tables made so far are kept in a scratch table under the result, so a value
			// met again reuses its table.
			s.NewTable()
			c.scratch = s.Top()
		}
	}
	err := c.push(rv, "value", 0)
	if err != nil {
		s.SetTop(top)
		return err
	}
	if c.scratch != 0 {
		s.Remove(c.scratch)
	}
	return nil
}

// PushScalar pushes rv when its kind is a boolean, an integer, a float or a string (named
// types included): Lua integers for Go integers, except unsigned values above math.MaxInt64,
// which become floats. It pushes nothing and reports false for every other kind (and for the
// zero Value), whose conversion is the caller's choice.
func (s *State) PushScalar(rv reflect.Value) bool {
	switch rv.Kind() {
	case reflect.Bool:
		s.PushBoolean(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.PushInteger(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			s.PushNumber(float64(u))
		} else {
			s.PushInteger(int64(u))
		}
	case reflect.Float32, reflect.Float64:
		s.PushNumber(rv.Float())
	case reflect.String:
		s.PushString(rv.String())
	default:
		return false
	}
	return true
}

// seenKey identifies a Go map or slice: slices sharing an array but differing in length or
// type are different tables.
type seenKey struct {
	addr uintptr
	n    int
	t    reflect.Type
}

type pushConv struct {
	s       *State
	seen    map[seenKey]int // map or slice -> its index in the scratch table
	scratch int             // stack index of the scratch table, 0 until needed
	nseen   int
}

func (c *pushConv) push(rv reflect.Value, path string, depth int) error {
	s := c.s
	if depth > maxConvertDepth {
		return fmt.Errorf("lua: %s is nested deeper than %d levels", path, maxConvertDepth)
	}
	if !rv.IsValid() {
		s.PushNil()
		return nil
	}
	switch x := rv.Interface().(type) {
	case GoFunction:
		s.PushGoFunction(x)
		return nil
	case func(*State) (int, error):
		s.PushGoFunction(x)
		return nil
	case []byte:
		s.PushBytes(x)
		return nil
	}
	if s.PushScalar(rv) {
		return nil
	}
	switch rv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			s.PushNil()
			return nil
		}
		return c.push(rv.Elem(), path, depth+1)
	case reflect.Slice, reflect.Array, reflect.Map:
		if (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.IsNil() {
			s.PushNil()
			return nil
		}
		return c.pushTable(rv, path, depth)
	}
	return fmt.Errorf("lua: cannot convert %s of Go type %s to a Lua value", path, rv.Type())
}

func (c *pushConv) pushTable(rv reflect.Value, path string, depth int) error {
	s := c.s
	var key seenKey
	if rv.Kind() != reflect.Array && rv.Len() > 0 || rv.Kind() == reflect.Map {
		key = seenKey{rv.Pointer(), rv.Len(), rv.Type()}
	}
	if key.addr != 0 && c.scratch != 0 {
		if i, ok := c.seen[key]; ok {
			s.RawGetI(c.scratch, int64(i))
			return nil
		}
	}
	if !s.CheckStack(4) {
		return fmt.Errorf("lua: %s: Lua stack exhausted", path)
	}
	if rv.Kind() == reflect.Map {
		s.CreateTable(0, rv.Len())
	} else {
		s.CreateTable(rv.Len(), 0)
	}
	if key.addr != 0 && c.scratch != 0 {
		c.nseen++
		c.seen[key] = c.nseen
		s.PushValue(-1)
		s.RawSetI(c.scratch, int64(c.nseen))
	}
	if rv.Kind() != reflect.Map {
		for i := 0; i < rv.Len(); i++ {
			if err := c.push(rv.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
			s.RawSetI(-2, int64(i+1))
		}
		return nil
	}
	keys := rv.MapKeys()
	for _, k := range keys {
		kp := fmt.Sprintf("%s[%v]", path, k.Interface())
		if err := c.push(k, kp+" (key)", depth+1); err != nil {
			return err
		}
		if s.Type(-1) == TypeTable || s.IsNil(-1) {
			return fmt.Errorf("lua: %s: map keys must be strings, numbers or booleans", kp)
		}
		if err := c.push(rv.MapIndex(k), kp, depth+1); err != nil {
			return err
		}
		if err := s.RawSet(-3); err != nil {
			return fmt.Errorf("lua: %s: %w", kp, err)
		}
	}
	return nil
}

// ToAny converts the value at idx to Go: nil, bool, int64, float64, string; a table whose keys
// are exactly 1..n becomes []any (the empty table too), one whose keys are all strings
// map[string]any, any other table map[any]any; a Go value from PushGoValue becomes that value.
// Functions, threads and other userdata are refused. A table that contains itself (directly
// or not) is refused with an error, since Go slices cannot hold themselves.
func (s *State) ToAny(idx int) (any, error) {
	c := toConv{s: s, open: map[uintptr]bool{}}
	return c.to(s.AbsIndex(idx), "value", 0)
}

// ToScalar converts the value at idx when it is nil (or absent), a
// boolean, a number or a string: nil, bool, int64 (integer subtype),
// float64 or string. ok is false for every other type (tables,
// functions, userdata, threads), whose conversion is the caller's choice.
func (s *State) ToScalar(idx int) (v any, ok bool) {
	switch s.Type(idx) {
	case TypeNil, TypeNone:
		return nil, true
	case TypeBoolean:
		return s.ToBoolean(idx), true
	case TypeNumber:
		if s.IsInteger(idx) {
			n, _ := s.ToInteger(idx)
			return n, true
		}
		f, _ := s.ToNumber(idx)
		return f, true
	case TypeString:
		str, _ := s.ToString(idx)
		return str, true
	}
	return nil, false
}

type toConv struct {
	s    *State
	open map[uintptr]bool // tables being converted, for cycle detection
}

func (c *toConv) to(idx int, path string, depth int) (any, error) {
	s := c.s
	if v, ok := s.ToScalar(idx); ok {
		return v, nil
	}
	switch t := s.Type(idx); t {
	case TypeTable:
		return c.table(idx, path, depth)
	case TypeUserdata:
		if v, ok := s.ToGoValue(idx); ok {
			return v, nil
		}
		return nil, fmt.Errorf("lua: cannot convert %s (a userdata) to a Go value", path)
	default:
		return nil, fmt.Errorf("lua: cannot convert %s (a %s) to a Go value", path, t)
	}
}

func (c *toConv) table(idx int, path string, depth int) (any, error) {
	s := c.s
	if depth > maxConvertDepth {
		return nil, fmt.Errorf("lua: %s is nested deeper than %d levels", path, maxConvertDepth)
	}
	p := s.ToPointer(idx)
	if c.open[p] {
		return nil, fmt.Errorf("lua: %s contains itself; cyclic tables cannot be converted", path)
	}
	c.open[p] = true
	defer delete(c.open, p)
	if !s.CheckStack(4) {
		return nil, fmt.Errorf("lua: %s: Lua stack exhausted", path)
	}
	type kv struct{ k, v any }
	var pairs []kv
	allStrings, allIndices, maxInt, count := true, true, int64(0), 0
	s.PushNil()
	for {
		more, err := s.Next(idx)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		k, err := c.to(s.AbsIndex(-2), path+" (key)", depth+1)
		if err == nil {
			switch k.(type) {
			case string, int64, float64, bool:
			default:
				err = fmt.Errorf("lua: %s has a %s key; only string, number and boolean keys convert to Go", path, s.Type(-2))
			}
		}
		if err != nil {
			s.Pop(2)
			return nil, err
		}
		kpath := fmt.Sprintf("%s[%v]", path, k)
		v, err := c.to(s.AbsIndex(-1), kpath, depth+1)
		if err != nil {
			s.Pop(2)
			return nil, err
		}
		s.Pop(1)
		pairs = append(pairs, kv{k, v})
		count++
		if _, ok := k.(string); !ok {
			allStrings = false
		}
		if n, ok := k.(int64); ok && n >= 1 {
			maxInt = max(maxInt, n)
		} else {
			allIndices = false
		}
	}
	if allIndices && maxInt == int64(count) { // keys are exactly 1..n (also the empty table)
		arr := make([]any, count)
		for _, e := range pairs {
			arr[e.k.(int64)-1] = e.v
		}
		return arr, nil
	}
	if allStrings {
		m := make(map[string]any, count)
		for _, e := range pairs {
			m[e.k.(string)] = e.v
		}
		return m, nil
	}
	m := make(map[any]any, count)
	for _, e := range pairs {
		m[e.k] = e.v
	}
	return m, nil
}
