package lua

import (
	"math"
	"strings"
	"testing"
)

func TestPushAndTo(t *testing.T) {
	s := newState(t, Options{})
	s.PushNil()
	s.PushBoolean(true)
	s.PushBoolean(false)
	s.PushInteger(math.MinInt64)
	s.PushNumber(2.5)
	s.PushString("héllo\x00world")
	s.PushBytes([]byte("bytes"))
	s.PushLightUserdata(0x1234)
	s.PushString("")
	s.PushNumber(3)
	if got := s.Top(); got != 10 {
		t.Fatalf("Top = %d, want 10", got)
	}
	wantTypes := []Type{TypeNil, TypeBoolean, TypeBoolean, TypeNumber, TypeNumber, TypeString, TypeString, TypeLightUserdata, TypeString, TypeNumber}
	for i, want := range wantTypes {
		if got := s.Type(i + 1); got != want {
			t.Errorf("Type(%d) = %v, want %v", i+1, got, want)
		}
	}
	if s.Type(11) != TypeNone || s.TypeName(TypeNone) != "no value" || TypeNone.String() != "no value" {
		t.Errorf("index above top: %v %q", s.Type(11), s.TypeName(TypeNone))
	}
	if s.TypeName(TypeTable) != "table" || TypeLightUserdata.String() != "userdata" {
		t.Errorf("TypeName(table) = %q", s.TypeName(TypeTable))
	}
	if !s.IsNil(1) || !s.IsNoneOrNil(1) || !s.IsNoneOrNil(20) || s.IsNil(2) {
		t.Error("IsNil/IsNoneOrNil wrong")
	}
	if !s.ToBoolean(2) || s.ToBoolean(3) || s.ToBoolean(1) || !s.ToBoolean(4) {
		t.Error("ToBoolean wrong")
	}
	if n, ok := s.ToInteger(4); !ok || n != math.MinInt64 {
		t.Errorf("ToInteger(4) = %d, %v", n, ok)
	}
	if _, ok := s.ToInteger(5); ok {
		t.Error("ToInteger(2.5) should fail")
	}
	if n, ok := s.ToInteger(10); !ok || n != 3 {
		t.Errorf("ToInteger(3.0) = %d, %v", n, ok)
	}
	if s.IsInteger(10) || !s.IsInteger(4) || !s.IsNumber(5) || s.IsNumber(6) {
		t.Error("IsInteger/IsNumber wrong")
	}
	if f, ok := s.ToNumber(5); !ok || f != 2.5 {
		t.Errorf("ToNumber = %v, %v", f, ok)
	}
	if str, ok := s.ToString(6); !ok || str != "héllo\x00world" {
		t.Errorf("ToString = %q, %v", str, ok)
	}
	if b := s.ToBytesView(7); string(b) != "bytes" {
		t.Errorf("ToBytesView = %q", b)
	}
	if b := s.ToBytesView(9); b == nil || len(b) != 0 {
		t.Errorf("ToBytesView(empty) = %#v", b)
	}
	if s.ToBytesView(4) != nil {
		t.Error("ToBytesView(number) should be nil")
	}
	// Numbers convert without changing the element.
	if str, ok := s.ToString(10); !ok || str != "3.0" || s.Type(10) != TypeNumber {
		t.Errorf("ToString(3.0) = %q, %v, type now %v", str, ok, s.Type(10))
	}
	if _, ok := s.ToString(1); ok {
		t.Error("ToString(nil) should fail")
	}
	if p := s.ToLightUserdata(8); p != 0x1234 {
		t.Errorf("ToLightUserdata = %#x", p)
	}
	if s.ToLightUserdata(6) != 0 || !s.IsUserdata(8) || !s.IsString(4) || s.IsString(1) {
		t.Error("userdata/string predicates wrong")
	}
	if s.Top() != 10 {
		t.Fatalf("conversions changed the stack: top %d", s.Top())
	}
}

func TestStackManagement(t *testing.T) {
	s := newState(t, Options{})
	for i := int64(1); i <= 5; i++ {
		s.PushInteger(i)
	}
	ints := func() []int64 {
		var out []int64
		for i := 1; i <= s.Top(); i++ {
			n, _ := s.ToInteger(i)
			out = append(out, n)
		}
		return out
	}
	check := func(step string, want ...int64) {
		t.Helper()
		got := ints()
		if len(got) != len(want) {
			t.Fatalf("%s: stack %v, want %v", step, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: stack %v, want %v", step, got, want)
			}
		}
	}
	check("push", 1, 2, 3, 4, 5)
	if s.AbsIndex(-1) != 5 || s.AbsIndex(2) != 2 || s.AbsIndex(RegistryIndex) != RegistryIndex {
		t.Errorf("AbsIndex wrong: %d", s.AbsIndex(-1))
	}
	s.Remove(2)
	check("remove", 1, 3, 4, 5)
	s.Insert(1)
	check("insert", 5, 1, 3, 4)
	s.Replace(2)
	check("replace", 5, 4, 3)
	s.Copy(1, 3)
	check("copy", 5, 4, 5)
	s.PushValue(2)
	check("pushvalue", 5, 4, 5, 4)
	s.Rotate(1, 1)
	check("rotate", 4, 5, 4, 5)
	s.Pop(2)
	check("pop", 4, 5)
	s.SetTop(4)
	if s.Top() != 4 || !s.IsNil(3) || !s.IsNil(4) {
		t.Fatal("SetTop did not fill with nil")
	}
	s.SetTop(0)
	if s.Top() != 0 {
		t.Fatal("SetTop(0)")
	}
	if !s.CheckStack(10000) {
		t.Fatal("CheckStack(10000) failed")
	}
	if s.CheckStack(2_000_000) {
		t.Fatal("CheckStack beyond LUAI_MAXSTACK succeeded")
	}
}

func TestPushOverflowPanics(t *testing.T) {
	s := newState(t, Options{})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "stack overflow") {
			t.Fatalf("recover = %v, want a stack overflow panic", r)
		}
		s.SetTop(0)
	}()
	for i := 0; i < 2_000_000; i++ {
		s.PushInteger(int64(i))
	}
}

func TestCompareRawEqualStringify(t *testing.T) {
	s := newState(t, Options{})
	run(t, s, `
		V = setmetatable({}, {__eq = function() return true end, __lt = function() return true end,
			__tostring = function() return "vee" end, __name = "Vee"})
		W = setmetatable({}, getmetatable(V))
		N = setmetatable({}, {__name = "Named"})
		BAD = setmetatable({}, {__tostring = function() error("no string for you") end})
		LTERR = setmetatable({}, {__lt = function() error("cannot compare") end})`)
	for _, g := range []string{"V", "W", "N", "BAD", "LTERR"} {
		if _, err := s.GetGlobal(g); err != nil {
			t.Fatal(err)
		}
	}
	if s.RawEqual(1, 2) {
		t.Error("RawEqual of two tables should be false")
	}
	if !s.RawEqual(1, 1) {
		t.Error("RawEqual of a table with itself should be true")
	}
	if eq, err := s.Compare(1, 2, OpEq); err != nil || !eq {
		t.Errorf("Compare eq = %v, %v", eq, err)
	}
	if lt, err := s.Compare(1, 2, OpLt); err != nil || !lt {
		t.Errorf("Compare lt = %v, %v", lt, err)
	}
	if _, err := s.Compare(5, 5, OpLt); err == nil || !strings.Contains(err.Error(), "cannot compare") {
		t.Errorf("Compare with failing __lt: %v", err)
	}
	if str, err := s.Stringify(1); err != nil || str != "vee" {
		t.Errorf("Stringify(__tostring) = %q, %v", str, err)
	}
	if str, err := s.Stringify(3); err != nil || !strings.HasPrefix(str, "Named: 0x") {
		t.Errorf("Stringify(__name) = %q, %v", str, err)
	}
	if _, err := s.Stringify(4); err == nil || !strings.Contains(err.Error(), "no string for you") {
		t.Errorf("Stringify with failing __tostring: %v", err)
	}
	s.PushInteger(42)
	if str, err := s.Stringify(-1); err != nil || str != "42" {
		t.Errorf("Stringify(42) = %q, %v", str, err)
	}
	if s.Top() != 6 {
		t.Errorf("stack changed: top %d", s.Top())
	}
	if s.ToPointer(1) == 0 || s.ToPointer(1) == s.ToPointer(2) {
		t.Error("ToPointer should identify tables")
	}
}

// TestUncachedConversionsDoNotAllocate: reading a number straight from the stack (no lazy
// cache) allocates nothing, the out-parameter of the C conversion stays on the Go stack.
func TestUncachedConversionsDoNotAllocate(t *testing.T) {
	s := newState(t, Options{})
	s.PushString("not cached") // a real push: the stack is no longer lazy
	s.PushInteger(42)
	s.PushNumber(2.5)
	var sum float64
	allocs := testing.AllocsPerRun(100, func() {
		i, ok1 := s.ToInteger(-2)
		f, ok2 := s.ToNumber(-1)
		if !ok1 || !ok2 {
			t.Fatal("conversion failed")
		}
		sum += float64(i) + f
	})
	if allocs != 0 {
		t.Errorf("ToInteger + ToNumber allocate %.1f times per call, want 0", allocs)
	}
	if sum != 101*44.5 {
		t.Errorf("sum %v", sum)
	}
}
