package lua

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestPushAnyToAnyRoundTrip(t *testing.T) {
	s := newState(t, Options{})
	cases := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"bool", true, true},
		{"int", 42, int64(42)},
		{"int8", int8(-3), int64(-3)},
		{"uint64 small", uint64(7), int64(7)},
		{"uint64 huge", uint64(math.MaxUint64), float64(math.MaxUint64)},
		{"float", 2.5, 2.5},
		{"float32", float32(0.5), 0.5},
		{"integral float stays float", 3.0, 3.0},
		{"string", "héllo", "héllo"},
		{"bytes", []byte("raw\x00"), "raw\x00"},
		{"slice", []any{1, "two", 3.5, false}, []any{int64(1), "two", 3.5, false}},
		{"typed slice", []string{"a", "b"}, []any{"a", "b"}},
		{"array", [2]int{4, 5}, []any{int64(4), int64(5)}},
		{"empty slice", []int{}, []any{}},
		{"nil slice", []int(nil), nil},
		{"map", map[string]any{"a": 1, "b": map[string]any{"c": "d"}}, map[string]any{"a": int64(1), "b": map[string]any{"c": "d"}}},
		{"int keys", map[int]string{1: "x", 2: "y"}, []any{"x", "y"}},
		{"sparse keys", map[int]string{1: "x", 5: "y"}, map[any]any{int64(1): "x", int64(5): "y"}},
		{"mixed keys", map[any]any{"k": 1, int64(2): true, 1.5: "f"}, map[any]any{"k": int64(1), int64(2): true, 1.5: "f"}},
		{"pointer", func() any { v := 5; return &v }(), int64(5)},
		{"nil pointer", (*int)(nil), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.PushAny(c.in); err != nil {
				t.Fatal(err)
			}
			if s.Top() != 1 {
				t.Fatalf("PushAny left %d values", s.Top())
			}
			got, err := s.ToAny(-1)
			if err != nil {
				t.Fatal(err)
			}
			s.Pop(1)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestPushAnyFunctionsAndErrors(t *testing.T) {
	s := newState(t, Options{})
	called := false
	err := s.PushAny(map[string]any{"f": GoFunction(func(s *State) (int, error) { called = true; return 0, nil }),
		"g": func(s *State) (int, error) { s.PushInteger(9); return 1, nil }})
	if err != nil {
		t.Fatal(err)
	}
	s.SetGlobal("api")
	if got := run(t, s, "api.f() return api.g()"); !called || got[0] != int64(9) {
		t.Fatalf("functions: %v %v", called, got)
	}
	bad := []struct {
		in   any
		want string
	}{
		{map[string]any{"ch": make(chan int)}, "value[ch]"},
		{[]any{1, struct{}{}}, "value[1]"},
		{map[[2]int]int{{1, 2}: 3}, "map keys must be"},
		{func() {}, "func()"},
	}
	for _, b := range bad {
		err := s.PushAny(b.in)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("PushAny(%T) = %v, want %q", b.in, err, b.want)
		}
		if s.Top() != 0 {
			t.Fatalf("failed PushAny left %d values", s.Top())
		}
	}
	s.PushGoFunction(func(*State) (int, error) { return 0, nil })
	if _, err := s.ToAny(-1); err == nil || !strings.Contains(err.Error(), "function") {
		t.Errorf("ToAny(function) = %v", err)
	}
	s.Pop(1)
}

func TestConvertCycles(t *testing.T) {
	s := newState(t, Options{})
	m := map[string]any{"name": "root"}
	m["self"] = m
	list := []any{1, nil}
	list[1] = list
	shared := map[string]any{"v": 1}
	for _, in := range []any{m, list, []any{shared, shared}} {
		if err := s.PushAny(in); err != nil {
			t.Fatal(err)
		}
	}
	if got := run(t, s, "return true"); got[0] != true {
		t.Fatal()
	}
	// The cyclic Go map became a Lua table that contains itself.
	s.GetField(1, "self")
	if !s.RawEqual(-1, 1) {
		t.Fatal("m.self is not m")
	}
	s.Pop(1)
	s.RawGetI(2, 2)
	if !s.RawEqual(-1, 2) {
		t.Fatal("list[2] is not list")
	}
	s.Pop(1)
	// Shared values keep their identity.
	s.RawGetI(3, 1)
	s.RawGetI(3, 2)
	if !s.RawEqual(-1, -2) {
		t.Fatal("shared map became two tables")
	}
	s.Pop(2)
	// Lua to Go refuses cycles instead of looping.
	if _, err := s.ToAny(1); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Fatalf("ToAny(cycle) = %v", err)
	}
	if s.Top() != 3 {
		t.Fatalf("top %d after failed ToAny", s.Top())
	}
	// A shared (acyclic) table converts twice.
	got, err := s.ToAny(3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []any{map[string]any{"v": int64(1)}, map[string]any{"v": int64(1)}}) {
		t.Fatalf("shared = %#v", got)
	}
	// Deep nesting is bounded.
	run(t, s, "Deep = {} local t = Deep for i = 1, 500 do t.n = {} t = t.n end")
	s.GetGlobal("Deep")
	if _, err := s.ToAny(-1); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("deep ToAny = %v", err)
	}
	var deep any = 1
	for i := 0; i < 500; i++ {
		deep = []any{deep}
	}
	if err := s.PushAny(deep); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("deep PushAny = %v", err)
	}
}

func TestToAnyTables(t *testing.T) {
	s := newState(t, Options{})
	cases := []struct {
		code string
		want any
	}{
		{"return {}", []any{}},
		{"return {1, 2, nil, 4}", map[any]any{int64(1): int64(1), int64(2): int64(2), int64(4): int64(4)}},
		{"return {[0] = 'z', 'a'}", map[any]any{int64(0): "z", int64(1): "a"}},
		{"return {[1] = 'a', [2.5] = 'b'}", map[any]any{int64(1): "a", 2.5: "b"}},
		{"return {x = {y = {true}}}", map[string]any{"x": map[string]any{"y": []any{true}}}},
		{"return {[true] = 1}", map[any]any{true: int64(1)}},
		{"return 2^63", math.Pow(2, 63)},
		{"return math.mininteger", int64(math.MinInt64)},
	}
	for _, c := range cases {
		got := run(t, s, c.code)
		if !reflect.DeepEqual(got[0], c.want) {
			t.Errorf("%s: got %#v, want %#v", c.code, got[0], c.want)
		}
	}
	run(t, s, "T = {[{}] = 1}")
	s.GetGlobal("T")
	if _, err := s.ToAny(-1); err == nil || !strings.Contains(err.Error(), "has a table key") {
		t.Errorf("table key: %v", err)
	}
}

func TestToScalar(t *testing.T) {
	s := newState(t, Options{})
	cases := []struct {
		code   string
		want   any
		wantOK bool
	}{
		{"return nil", nil, true},
		{"return true", true, true},
		{"return false", false, true},
		{"return 7", int64(7), true},
		{"return -0x7fffffffffffffff - 1", int64(math.MinInt64), true},
		{"return 2.5", 2.5, true},
		{"return 3.0", 3.0, true},
		{"return 'x\\0y'", "x\x00y", true},
		{"return {}", nil, false},
		{"return print", nil, false},
		{"return coroutine.create(function() end)", nil, false},
	}
	for _, c := range cases {
		top := s.Top()
		if err := s.DoStringResults(c.code, "scalar.lua", 1); err != nil {
			t.Fatalf("%s: %v", c.code, err)
		}
		got, ok := s.ToScalar(-1)
		if ok != c.wantOK || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: ToScalar = %#v, %v; want %#v, %v", c.code, got, ok, c.want, c.wantOK)
		}
		if s.Top() != top+1 {
			t.Errorf("%s: ToScalar changed the stack: top %d, want %d", c.code, s.Top(), top+1)
		}
		s.SetTop(top)
	}
	// An index past the top is TypeNone: nil and ok, like an absent argument.
	if got, ok := s.ToScalar(s.Top() + 1); !ok || got != nil {
		t.Errorf("ToScalar(past top) = %#v, %v; want nil, true", got, ok)
	}
}

func TestPushScalar(t *testing.T) {
	s := newState(t, Options{})
	type name string
	cases := []struct {
		in     any
		want   any
		wantOK bool
	}{
		{true, true, true},
		{int8(-8), int64(-8), true},
		{int64(math.MinInt64), int64(math.MinInt64), true},
		{uint32(7), int64(7), true},
		{uint64(math.MaxInt64), int64(math.MaxInt64), true},
		{uint64(math.MaxInt64) + 1, float64(1 << 63), true},
		{uintptr(9), int64(9), true},
		{float32(0.25), 0.25, true},
		{name("named"), "named", true},
		{[]int{1}, nil, false},
		{map[string]int{}, nil, false},
		{new(int), nil, false},
		{struct{}{}, nil, false},
		{nil, nil, false},
	}
	for _, c := range cases {
		top := s.Top()
		ok := s.PushScalar(reflect.ValueOf(c.in))
		if ok != c.wantOK {
			t.Errorf("PushScalar(%#v) = %v, want %v", c.in, ok, c.wantOK)
		}
		if !ok {
			if s.Top() != top {
				t.Errorf("PushScalar(%#v) refused but left %d values", c.in, s.Top()-top)
			}
			continue
		}
		if s.Top() != top+1 {
			t.Fatalf("PushScalar(%#v) pushed %d values, want 1", c.in, s.Top()-top)
		}
		got, _ := s.ToScalar(-1)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("PushScalar(%#v) pushed %#v, want %#v", c.in, got, c.want)
		}
		s.SetTop(top)
	}
}
